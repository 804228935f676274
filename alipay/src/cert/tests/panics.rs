//! Inputs that must not panic: truncated and corrupted certificates and odd text; and the OID
//! and decimal conversions at their limits (truncated, non-minimal and overlong OIDs, the
//! largest integers).

use super::*;

#[test]
fn truncated_and_corrupted_certificates_never_panic() {
    let mut samples: Vec<Vec<u8>> = FILES
        .iter()
        .flat_map(|(_, text)| parse_pem_bundle(text))
        .map(|cert| cert.expect("vector certificate").der().to_vec())
        .collect();
    samples.push(pki().high_serial_leaf.der().to_vec());
    for der in &samples {
        for len in 0..der.len() {
            assert!(Certificate::from_der(&der[..len]).is_err());
            let _ = parse::outer_signature_algorithm(&der[..len]);
        }
        // Flip every byte in turn (a few values each).
        let mut copy = der.clone();
        for i in 0..copy.len() {
            let original = copy[i];
            for value in [0x00, 0x80, 0xff, original ^ 0x01] {
                copy[i] = value;
                if let Ok(cert) = Certificate::from_der(&copy) {
                    let _ = cert.sn();
                    let _ = format!("{cert:?}");
                }
            }
            copy[i] = original;
        }
    }
    // Trailing data after the certificate is refused.
    let mut der = samples[0].clone();
    der.push(0);
    assert!(Certificate::from_der(&der).is_err());
}

#[test]
fn odd_text_never_panics() {
    for text in [
        "",
        "-----BEGIN ",
        "-----BEGIN CERTIFICATE-----",
        "-----BEGIN CERTIFICATE----------END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\u{0}\u{1}-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "-----BEGIN 支付宝-----\n-----END 支付宝-----",
        "\u{feff}",
        "MA==",
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
    ] {
        let _ = parse_pem_bundle(text);
        let _ = root_cert_sn(text);
        let _ = Certificate::from_pem(text);
        let _ = CertConfig::from_pems(text, text, text);
    }
}

#[test]
fn oids_and_decimals() {
    use super::decimal::{oid_to_string, to_decimal};
    let check = |dotted: &str| {
        let encoded = oid(dotted);
        assert_eq!(oid_to_string(&encoded[2..]).as_deref(), Ok(dotted));
    };
    for dotted in [
        "1.2.840.113549.1.1.11",
        "2.5.4.3",
        "0.9.2342.19200300.100.1.25",
        "1.2.156.10197.1.501",
        "2.25.329800735698586629295641978511506172918",
        "2.999.1",
        "0.0",
    ] {
        check(dotted);
    }
    assert!(oid_to_string(&[]).is_err());
    assert!(oid_to_string(&[0x2a, 0x86]).is_err()); // truncated
    assert!(oid_to_string(&[0x2a, 0x80, 0x01]).is_err()); // non-minimal
    assert!(oid_to_string(&[0x01; 4097]).is_err()); // too long
    assert!(oid_to_string(&[0x01; 4096]).is_ok());
    assert_eq!(to_decimal(&[], 256), "0");
    assert_eq!(to_decimal(&[0, 0], 256), "0");
    assert_eq!(to_decimal(&[0x3b, 0x9a, 0xca, 0x00], 256), "1000000000");
    assert_eq!(to_decimal(&[0x3b, 0x9a, 0xc9, 0xff], 256), "999999999");
    assert_eq!(to_decimal(&[0xff; 8], 256), u64::MAX.to_string());
    assert_eq!(to_decimal(&[0xff; 16], 256), u128::MAX.to_string());
    assert_eq!(to_decimal(&[1, 0], 128), "128");
}
