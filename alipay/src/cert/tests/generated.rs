//! Generated certificates: issuer names written as Java writes them, serials with the high bit
//! set, expired certificates, root SNs of bundles in every layout, roots that do not parse, and
//! a cross-check with OpenSSL when it is installed.

use super::*;

#[test]
fn awkward_issuer_names_are_written_as_java_does() {
    let pki = pki();
    let leaf = &pki.high_serial_leaf;
    assert_eq!(leaf.issuer().rfc2253(), TRICKY_RFC2253);
    assert_eq!(leaf.issuer(), pki.tricky.cert.subject());
    assert_eq!(
        pki.root.cert.subject().rfc2253(),
        "CN=Example RSA Root R1,O=Example Trust,C=CN"
    );
    assert_eq!(leaf.issuer().to_string(), TRICKY_RFC2253);
}

#[test]
fn a_serial_with_the_high_bit_set_is_positive() {
    let leaf = &pki().high_serial_leaf;
    let mut magnitude = vec![0u8; 20];
    magnitude[0] = 0x80;
    assert_eq!(leaf.serial(), magnitude);
    assert!(!leaf.serial_is_negative());
    // 2^159
    assert_eq!(
        leaf.serial_decimal(),
        "730750818665451459101842416358141509827966271488"
    );
    assert_eq!(
        leaf.sn(),
        md5_hex(&format!(
            "{TRICKY_RFC2253}730750818665451459101842416358141509827966271488"
        ))
    );
}

#[test]
fn expired_certificates_still_have_an_sn() {
    let pki = pki();
    let expired = &pki.expired_leaf;
    assert_eq!(
        expired.sn(),
        md5_hex("CN=Example RSA Root R1,O=Example Trust,C=CN42")
    );
    assert!(!expired.is_valid_at(JAN_2025));
    assert!(expired.is_valid_at(978_307_200)); // 2001-01-01 00:00:00, inclusive
    assert!(!expired.is_valid_at(978_307_201));
    assert!(expired.is_valid_at(946_684_800)); // 2000-01-01 00:00:00, inclusive
    assert!(!expired.is_valid_at(946_684_799));
    match expired.check_validity_at(JAN_2025) {
        Err(
            e @ CertError::Expired {
                not_after: 978_307_200,
                now: JAN_2025,
                ..
            },
        ) => assert_eq!(
            e.to_string(),
            "the certificate `OU=Alipay,CN=expired` expired at 2001-01-01 00:00:00 UTC \
             (checked at 2025-01-01 00:00:00 UTC)"
        ),
        other => panic!("{other:?}"),
    }
    match expired.check_validity_at(0) {
        Err(e @ CertError::NotYetValid { .. }) => assert!(
            e.to_string()
                .contains("is not valid before 2000-01-01 00:00:00 UTC"),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
}

/// PEM of the generated certificates, in bundle order: RSA root, ECDSA root, tricky CA.
fn generated_bundle_pems() -> [String; 3] {
    let pki = pki();
    [
        pki.root.cert.to_pem(),
        pki.ecdsa_root.cert.to_pem(),
        pki.tricky.cert.to_pem(),
    ]
}

#[test]
fn root_sn_of_generated_bundles_in_every_layout() {
    let pki = pki();
    assert_eq!(
        pki.ecdsa_root.cert.signature_algorithm(),
        "1.2.840.10045.4.3.2"
    );
    assert!(!pki.ecdsa_root.cert.is_rsa_signed());
    let expected = format!("{}_{}", pki.root.cert.sn(), pki.tricky.cert.sn());
    let [rsa, ecdsa, tricky] = generated_bundle_pems();
    let layouts = [
        // LF, one blank line between blocks.
        format!("{rsa}\n{ecdsa}\n{tricky}"),
        // CRLF.
        format!("{rsa}\n{ecdsa}\n{tricky}").replace('\n', "\r\n"),
        // No blank lines, nor even a line break between END and BEGIN.
        format!(
            "{}{}{}",
            rsa.trim_end(),
            ecdsa.trim_end(),
            tricky.trim_end()
        ),
        // Extra blank lines and text between and around blocks.
        format!(
            "Alipay root certificates\n\n\n{rsa}\n\n\n\nsubject=E1\r\n\r\n{ecdsa}   \n\t\n# CA\n{tricky}\n\n-- end --\n"
        ),
        // A byte order mark and indentation.
        format!("\u{feff}{rsa}{ecdsa}{tricky}").replace('\n', "\n    "),
    ];
    for (i, bundle) in layouts.iter().enumerate() {
        assert_eq!(
            root_cert_sn(bundle).map_err(|e| e.to_string()),
            Ok(expected.clone()),
            "layout {i}"
        );
        assert_eq!(parse_pem_bundle(bundle).len(), 3, "layout {i}");
    }
    // The ECDSA root alone: nothing to keep.
    assert!(matches!(root_cert_sn(&ecdsa), Err(CertError::NoRsaRoot)));
    assert!(matches!(
        root_cert_sn("no certificates"),
        Err(CertError::NotPem)
    ));
    assert!(matches!(root_cert_sn(""), Err(CertError::NotPem)));
}

#[test]
fn unparseable_non_rsa_roots_are_skipped_but_unparseable_rsa_roots_are_errors() {
    let bundle: Vec<Certificate> = parse_pem_bundle(file("certs/alipayRootCert.crt"))
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("roots");
    // Break the SM2 root's tbsCertificate (the serial's INTEGER tag) but not its outer
    // structure: the bundle still gives its SN.
    let break_serial = |cert: &Certificate| {
        let mut der = cert.der().to_vec();
        // Outer header (4 bytes), tbsCertificate header (4), version [0] (5).
        let at = 4 + 4 + 5;
        assert_eq!(der[at], 0x02, "the serial's INTEGER tag");
        der[at] = 0x04;
        assert!(Certificate::from_der(&der).is_err());
        crate::crypto::pem(&der, "CERTIFICATE").to_string()
    };
    let sm2_broken = break_serial(&bundle[0]);
    let text = format!(
        "{sm2_broken}\n{}\n{}\n{}",
        bundle[1].to_pem(),
        bundle[2].to_pem(),
        bundle[3].to_pem()
    );
    assert_eq!(
        root_cert_sn(&text).map_err(|e| e.to_string()).as_deref(),
        Ok("687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6")
    );
    let entries = parse_pem_bundle(&text);
    assert!(matches!(
        entries[0],
        Err(CertError::Malformed {
            field: "tbsCertificate.serialNumber",
            ..
        })
    ));
    assert!(entries[1..].iter().all(Result::is_ok));

    // The same damage to an RSA root is an error naming the certificate.
    let rsa_broken = break_serial(&bundle[1]);
    let text = format!("{}\n{rsa_broken}", bundle[0].to_pem());
    let err = root_cert_sn(&text).expect_err("broken RSA root");
    assert!(matches!(err, CertError::InBundle { index: 2, .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "certificate #2 of the bundle: malformed certificate DER at \
         tbsCertificate.serialNumber: expected an INTEGER"
    );
    // So is a block that is not base64.
    let text = format!(
        "{}\n-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n",
        bundle[1].to_pem()
    );
    assert!(matches!(
        root_cert_sn(&text),
        Err(CertError::InBundle { index: 2, .. })
    ));
}

#[test]
fn cross_check_with_openssl_when_installed() {
    let Ok(version) = std::process::Command::new("openssl")
        .arg("version")
        .output()
    else {
        eprintln!("openssl is not installed: skipped");
        return;
    };
    if !version.status.success() {
        return;
    }
    let pki = pki();
    // OpenSSL and Java agree on names without `=` or non-leading `#` (OpenSSL does not
    // escape those) and without multi-valued RDNs; compare on the root and the high-serial
    // leaf whose issuer is the root.
    let leaf_key = &pki.leaf_key;
    let mut params = leaf_params("openssl cross-check");
    let mut serial = vec![0xffu8; 20];
    serial[0] = 0x80;
    params.serial_number = Some(SerialNumber::from(serial));
    let mut ca_params = ca_params(&[
        (DnType::CountryName, printable("CN")),
        (
            DnType::OrganizationName,
            utf8("支付宝(中国)网络技术有限公司"),
        ),
        (
            DnType::OrganizationalUnitName,
            utf8("#Unit, Sales+Ops; <x> \"q\" \\ "),
        ),
        (DnType::CommonName, utf8(" Cross-check CA")),
    ]);
    ca_params.serial_number = Some(SerialNumber::from(vec![0x00, 0x9f, 0x01]));
    let ca = self_signed(ca_params, rsa_key(&PKCS_RSA_SHA256));
    let leaf = issue(&params, leaf_key, &ca);

    let dir = std::env::temp_dir().join(format!("alipay-cert-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, cert) in [("ca.pem", &ca.cert), ("leaf.pem", &leaf)] {
        let path = dir.join(name);
        std::fs::write(&path, cert.to_pem()).expect("write PEM");
        let output = std::process::Command::new("openssl")
            .args([
                "x509",
                "-noout",
                "-serial",
                "-issuer",
                "-nameopt",
                "RFC2253,-esc_msb",
                "-in",
            ])
            .arg(&path)
            .output()
            .expect("openssl runs");
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8(output.stdout).expect("UTF-8");
        let mut serial = None;
        let mut issuer = None;
        for line in text.lines() {
            if let Some(hex) = line.strip_prefix("serial=") {
                serial = Some(hex.to_owned());
            } else if let Some(name) = line.strip_prefix("issuer=") {
                issuer = Some(name.trim_start().to_owned());
            }
        }
        let serial = serial.expect("serial line");
        let ours: String = cert.serial().iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            serial.trim_start_matches('0'),
            ours.trim_start_matches('0'),
            "{name}"
        );
        assert_eq!(issuer.as_deref(), Some(cert.issuer().rfc2253()), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        ca.cert.issuer().rfc2253(),
        "CN=\\ Cross-check CA,OU=\\#Unit\\, Sales\\+Ops\\; \\<x\\> \\\"q\\\" \\\\\\ ,\
         O=支付宝(中国)网络技术有限公司,C=CN"
    );
    assert_eq!(ca.cert.serial_decimal(), "40705");
}
