//! Hand-built certificates, for what rcgen cannot produce: multi-valued RDNs, string and OID
//! attribute types, serial edge cases, malformed fields named in the error, and bare base64 and
//! DER input.

use super::*;

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn ava(ty: &str, tag: u8, value: &[u8]) -> Vec<u8> {
    seq(&[oid(ty), tlv(tag, value)])
}

fn rdn(avas: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x31, &avas.concat())
}

const SHA256_RSA: &str = "1.2.840.113549.1.1.11";

/// A version 3 certificate with the given parts and a dummy signature.
fn hand_built(
    serial: &[u8],
    issuer: &[u8],
    not_after: Vec<u8>,
    extensions: Option<Vec<u8>>,
) -> Vec<u8> {
    let alg = seq(&[oid(SHA256_RSA), tlv(0x05, &[])]);
    let spki = pki().root.cert.spki_der().to_vec();
    let mut tbs = vec![
        tlv(0xa0, &tlv(0x02, &[2])),
        tlv(0x02, serial),
        alg.clone(),
        issuer.to_vec(),
        seq(&[tlv(0x17, b"200101000000Z"), not_after]),
        seq(&[rdn(&[ava("2.5.4.3", 0x0c, b"hand-built")])]),
        spki,
    ];
    if let Some(extensions) = extensions {
        tbs.push(tlv(0xa3, &seq(&[extensions])));
    }
    seq(&[seq(&tbs), alg, tlv(0x03, &[0, 1, 2, 3])])
}

#[test]
fn multi_valued_rdns_string_types_and_oid_types() {
    let issuer = seq(&[
        rdn(&[ava("2.5.4.6", 0x13, b"CN")]),
        rdn(&[ava("0.9.2342.19200300.100.1.25", 0x16, b"example")]),
        // Multi-valued: kept in encoded order, joined with `+`.
        rdn(&[
            ava("2.5.4.10", 0x0c, "蚂蚁".as_bytes()),
            ava("2.5.4.11", 0x13, b"Unit"),
        ]),
        rdn(&[ava("2.5.4.9", 0x14, b"Rue Caf\xe9")]), // TeletexString, Latin-1 byte
        rdn(&[ava("2.5.4.8", 0x1e, &[0x00, b'Z', 0x00, b'J'])]), // BMPString
        rdn(&[ava("2.5.4.7", 0x1c, &[0, 0, 0, b'H'])]), // UniversalString
        rdn(&[ava("2.5.4.5", 0x13, b"123")]),         // serialNumber: no RFC 2253 keyword
        rdn(&[ava(
            "2.25.329800735698586629295641978511506172918",
            0x0c,
            b"x",
        )]),
        rdn(&[ava("0.9.2342.19200300.100.1.1", 0x0c, b"uid1")]),
        rdn(&[ava("2.5.4.3", 0x12, b"42")]), // NumericString
    ]);
    let der = hand_built(&[0xff, 0x01], &issuer, tlv(0x18, b"20500101000000Z"), None);
    let cert = Certificate::from_der(&der).expect("hand-built certificate");
    assert_eq!(
        cert.issuer().rfc2253(),
        "CN=#12023432,\
         UID=uid1,\
         2.25.329800735698586629295641978511506172918=#0c0178,\
         2.5.4.5=#1303313233,\
         L=#1c0400000048,\
         ST=\\00Z\\00J,\
         STREET=Rue Caf\u{fffd},\
         O=蚂蚁+OU=Unit,\
         DC=example,\
         C=CN"
    );
    assert_eq!(cert.subject().rfc2253(), "CN=hand-built");
    // 0xff01 is -255.
    assert!(cert.serial_is_negative());
    assert_eq!(cert.serial(), [0xff]);
    assert_eq!(cert.serial_decimal(), "-255");
    assert_eq!(
        cert.sn(),
        md5_hex(&format!("{}-255", cert.issuer().rfc2253()))
    );
    assert_eq!(cert.not_before(), 1_577_836_800);
    assert_eq!(cert.not_after(), 2_524_608_000); // GeneralizedTime 2050
    assert_eq!(cert.version(), 3);
    assert_eq!(cert.signature(), [1, 2, 3]);
    // The dummy signature does not verify.
    assert!(matches!(
        cert.verify_signed_by(&pki().root.cert),
        Err(CertError::IssuerMismatch { .. })
    ));
}

#[test]
fn serial_edge_cases() {
    let issuer = seq(&[rdn(&[ava("2.5.4.3", 0x13, b"I")])]);
    let not_after = || tlv(0x17, b"300101000000Z");
    for (serial, decimal, negative) in [
        (&[0x00][..], "0", false),
        (&[0x01], "1", false),
        (&[0x00, 0x80], "128", false),
        (&[0x00, 0x00, 0x80], "128", false), // non-minimal, accepted for its value
        (&[0x80], "-128", true),
        (&[0xff], "-1", true),
        (&[0xff, 0x00], "-256", true),
        (
            &[0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
            "18446744073709551616",
            false,
        ),
    ] {
        let cert = Certificate::from_der(&hand_built(serial, &issuer, not_after(), None))
            .unwrap_or_else(|e| panic!("{serial:?}: {e}"));
        assert_eq!(cert.serial_decimal(), decimal, "{serial:?}");
        assert_eq!(cert.serial_is_negative(), negative, "{serial:?}");
    }
    assert!(matches!(
        Certificate::from_der(&hand_built(&[], &issuer, not_after(), None)),
        Err(CertError::Malformed {
            field: "tbsCertificate.serialNumber",
            ..
        })
    ));
    let mut long = vec![0x01];
    long.extend([0u8; 64]);
    assert!(matches!(
        Certificate::from_der(&hand_built(&long, &issuer, not_after(), None)),
        Err(CertError::Malformed {
            reason: "longer than 64 bytes",
            ..
        })
    ));
}

#[test]
fn malformed_fields_are_named() {
    let issuer = seq(&[rdn(&[ava("2.5.4.3", 0x13, b"I")])]);
    let cases = [
        (
            hand_built(&[1], &issuer, tlv(0x17, b"301301000000Z"), None),
            "tbsCertificate.validity.notAfter",
        ),
        (
            hand_built(
                &[1],
                &tlv(0x30, &tlv(0x31, &[])),
                tlv(0x17, b"300101000000Z"),
                None,
            ),
            "tbsCertificate.issuer",
        ),
        (
            hand_built(
                &[1],
                &issuer,
                tlv(0x17, b"300101000000Z"),
                Some(seq(&[oid("2.5.29.19"), tlv(0x04, &[0x05])])),
            ),
            "basicConstraints extension",
        ),
    ];
    for (der, field) in cases {
        match Certificate::from_der(&der) {
            Err(CertError::Malformed { field: found, .. }) => assert_eq!(found, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        Certificate::from_der(&[]),
        Err(CertError::Malformed {
            field: "Certificate",
            ..
        })
    ));
    let err = Certificate::from_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).expect_err("not a cert");
    assert_eq!(
        err.to_string(),
        "malformed certificate DER at tbsCertificate: expected a SEQUENCE"
    );
    assert!(matches!(
        Certificate::from_pem("hello"),
        Err(CertError::NotPem)
    ));
    // A private key is not a certificate.
    let key_pem = PrivateKey::generate().expect("key").to_pkcs8_pem();
    assert!(matches!(
        Certificate::from_pem(&key_pem),
        Err(CertError::NotPem)
    ));
    assert!(parse_pem_bundle(&key_pem).is_empty());
}

#[test]
fn bare_base64_and_der_input() {
    let cert = &pki().root.cert;
    let b64 = STANDARD.encode(cert.der());
    assert_eq!(&Certificate::from_pem(&b64).expect("base64"), cert);
    assert_eq!(&Certificate::from_der(cert.der()).expect("DER"), cert);
}
