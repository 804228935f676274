//! The conformance vectors: every certificate and root certificate SN of `vectors.json`, the
//! AES vector, the spec's examples, the root bundle in detail, the real Alipay chains within
//! their validity, and `CertConfig` from the vector files and from paths.

use super::*;

/// 2022-06-01 00:00:00 UTC: inside the validity of the `alipayCertPublicKey_RSA2.crt` chain.
const JUNE_2022: i64 = 1_654_041_600;
/// 2020-06-01 00:00:00 UTC.
const JUNE_2020: i64 = 1_590_969_600;
/// 2026-01-01 00:00:00 UTC.
const JAN_2026: i64 = 1_767_225_600;

#[test]
fn every_cert_sn_vector() {
    let vectors = vectors();
    let entries = vectors["cert_sn"].as_object().expect("cert_sn object");
    assert!(entries.len() >= 4);
    for (name, expected) in entries {
        let text = file(name);
        let bundle: Vec<Certificate> = parse_pem_bundle(text)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let first = Certificate::from_pem(text).expect("first certificate");
        assert_eq!(Some(&first), bundle.first(), "{name}");
        for (key, value) in expected.as_object().expect("vector object") {
            let value = value.as_str().expect("string vector");
            match key.as_str() {
                "app_cert_sn" | "first_cert_sn" => assert_eq!(cert_sn(&first), value, "{name}"),
                "second_cert_sn" => assert_eq!(bundle[1].sn(), value, "{name}"),
                "issuer_rfc2253" => assert_eq!(first.issuer().rfc2253(), value, "{name}"),
                "serial_decimal" => assert_eq!(first.serial_decimal(), value, "{name}"),
                "first_cert_public_key_spki_b64" => {
                    let key = first.public_key(Backend::AwsLc).expect("RSA key");
                    assert_eq!(key.to_base64(), value, "{name}");
                    #[cfg(feature = "rsa")]
                    assert_eq!(
                        first
                            .public_key(Backend::RustCrypto)
                            .expect("RSA key")
                            .to_base64(),
                        value
                    );
                }
                other => panic!("{name}: unhandled vector `{other}`"),
            }
        }
    }
}

#[test]
fn every_root_cert_sn_vector() {
    let vectors = vectors();
    let entries = vectors["root_cert_sn"].as_object().expect("root_cert_sn");
    assert!(entries.len() >= 2);
    for (name, expected) in entries {
        let text = file(name);
        assert_eq!(
            root_cert_sn(text).unwrap_or_else(|e| panic!("{name}: {e}")),
            str_field(expected, "alipay_root_cert_sn"),
            "{name}"
        );
    }
    assert!(file("certs/alipayRootCert.crt").contains("\r\n"));
    assert!(!file("certs/alipayRootCert_lf.crt").contains('\r'));
}

#[test]
fn aes_vector() {
    let vectors = vectors();
    let aes = &vectors["aes"];
    let key = AesKey::from_base64(str_field(aes, "key_b64")).expect("AES key");
    let plaintext = str_field(aes, "plaintext");
    let ciphertext = str_field(aes, "ciphertext_b64");
    assert_eq!(key.encrypt(plaintext.as_bytes()), ciphertext);
    assert_eq!(key.decrypt(ciphertext).as_deref(), Ok(plaintext.as_bytes()));
}

#[test]
fn the_spec_examples() {
    // easysdk-spec §5.2: the exact string hashed for appCertPublicKey_2021002177673029.
    let cert = Certificate::from_pem(file("certs/appCertPublicKey_2021002177673029.crt"))
        .expect("app certificate");
    let hashed = format!("{}{}", cert.issuer(), cert.serial_decimal());
    assert_eq!(
        hashed,
        "CN=Ant Financial Certification Authority Class 1 R1,OU=Certification Authority,\
         O=Ant Financial,C=CN42706824561068464842605407058315913859"
    );
    assert_eq!(md5_hex(&hashed), "e1b085ae86cbbba54fe9dc6cdf82b65a");
    assert_eq!(
        cert.serial(),
        [
            0x20, 0x21, 0x09, 0x04, 0x84, 0x8b, 0x4c, 0xcd, 0x7d, 0xe5, 0x20, 0xd4, 0x4c, 0x57,
            0x2a, 0x83
        ]
    );
    assert_eq!(cert.version(), 3);
    assert_eq!(cert.signature_algorithm(), "1.2.840.113549.1.1.11");
    assert_eq!(cert.key_algorithm(), "1.2.840.113549.1.1.1");
    assert_eq!(cert.not_before(), 1_630_743_818); // 2021-09-04 08:23:38 UTC
    assert_eq!(cert.not_after(), 1_693_815_818); // 2023-09-04 08:23:38 UTC
    assert!(!cert.is_ca());
    assert!(
        cert.subject()
            .rfc2253()
            .starts_with("CN=2088041672337065-2021002177673029,")
    );
    // Non-ASCII subject text is kept literally.
    assert!(cert.subject().rfc2253().contains("O=佯朔戏测试零一的公司"));
    // The PEM round trip gives the same certificate.
    assert_eq!(
        Certificate::from_pem(&cert.to_pem()).expect("round trip"),
        cert
    );
}

#[test]
fn the_root_bundle_in_detail() {
    let bundle: Vec<Certificate> = parse_pem_bundle(file("certs/alipayRootCert.crt"))
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("all four roots parse, SM2 and ECDSA included");
    let summary: Vec<(&str, bool, String)> = bundle
        .iter()
        .map(|c| {
            (
                c.signature_algorithm(),
                c.is_rsa_signed(),
                c.serial_decimal(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "1.2.156.10197.1.501",
                false,
                "7629940819692799611".to_owned()
            ),
            (
                "1.2.840.113549.1.1.11",
                true,
                "2292228364100439313".to_owned()
            ),
            (
                "1.2.840.10045.4.3.3",
                false,
                "4719484692854726474".to_owned()
            ),
            (
                "1.2.840.113549.1.1.5",
                true,
                "95790491425698859646659490580052089075020051350".to_owned()
            ),
        ]
    );
    // The spec's value for E1, were it kept.
    assert_eq!(bundle[2].sn(), "8af620707e5ddd8c7e76747e86a604dc");
    assert!(bundle.iter().all(Certificate::is_ca));
    // Self-signed roots verify themselves: SHA-256 (R1) and SHA-1 (iTrusChina).
    bundle[1]
        .verify_signed_by(&bundle[1])
        .expect("R1 self-signature");
    bundle[3]
        .verify_signed_by(&bundle[3])
        .expect("iTrusChina SHA-1 self-signature");
    // SM2 and ECDSA signatures are not verified.
    assert!(matches!(
        bundle[0].verify_signed_by(&bundle[0]),
        Err(CertError::UnsupportedAlgorithm { oid }) if oid == "1.2.156.10197.1.501"
    ));
    assert!(matches!(
        bundle[2].verify_signed_by(&bundle[2]),
        Err(CertError::UnsupportedAlgorithm { .. })
    ));
    // Public keys: the SM2 root's (an EC key on the SM2 curve) is not usable here.
    let err = bundle[0].public_key(Backend::AwsLc).expect_err("SM2 key");
    assert!(matches!(err, CertError::Key(KeyError::NotRsa(_))), "{err}");
}

#[test]
fn real_alipay_chains_verify_within_their_validity() {
    let roots: Vec<Certificate> = rsa_roots(file("certs/alipayRootCert.crt")).expect("roots");
    for (name, at) in [
        ("certs/alipayCertPublicKey_RSA2.crt", JUNE_2022),
        (
            "certs/alipayCertPublicKey_RSA2_2088002656718920.crt",
            JUNE_2020,
        ),
    ] {
        let chain: Vec<Certificate> = parse_pem_bundle(file(name))
            .into_iter()
            .collect::<Result<_, _>>()
            .expect("chain");
        let (leaf, intermediates) = chain.split_first().expect("leaf");
        verify_chain(leaf, intermediates, &roots, at).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Without the intermediate there is no path.
        assert!(matches!(
            verify_chain(leaf, &[], &roots, at),
            Err(CertError::NotChained { .. })
        ));
        // Today the leaf has expired.
        let err = verify_chain(leaf, intermediates, &roots, JAN_2026).expect_err("expired");
        assert!(matches!(err, CertError::Expired { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("(checked at 2026-01-01 00:00:00 UTC)"),
            "{err}"
        );
    }
    // The app certificate's issuer ("Class 1 R1") is not in the files.
    let app = Certificate::from_pem(file("certs/appCertPublicKey_2021002177673029.crt"))
        .expect("app certificate");
    let err = verify_chain(&app, &[], &roots, JUNE_2022).expect_err("no Class 1 R1");
    assert!(
        err.to_string()
            .contains("is neither a configured root nor one of the given intermediate"),
        "{err}"
    );
}

#[test]
fn cert_config_from_the_vector_files() {
    let vectors = vectors();
    let config = CertConfig::from_pems(
        file("certs/appCertPublicKey_2021002177673029.crt"),
        file("certs/alipayCertPublicKey_RSA2.crt"),
        file("certs/alipayRootCert.crt"),
    )
    .expect("config");
    let cert_sn = &vectors["cert_sn"];
    assert_eq!(
        config.app_cert_sn(),
        str_field(
            &cert_sn["certs/appCertPublicKey_2021002177673029.crt"],
            "app_cert_sn"
        )
    );
    let alipay = &cert_sn["certs/alipayCertPublicKey_RSA2.crt"];
    assert_eq!(config.alipay_cert_sn(), str_field(alipay, "first_cert_sn"));
    assert_eq!(
        config.alipay_root_cert_sn(),
        str_field(
            &vectors["root_cert_sn"]["certs/alipayRootCert.crt"],
            "alipay_root_cert_sn"
        )
    );
    let key = config
        .key_for_sn(str_field(alipay, "first_cert_sn"))
        .expect("the Alipay key by SN");
    assert_eq!(
        key.to_base64(),
        str_field(alipay, "first_cert_public_key_spki_b64")
    );
    assert_eq!(config.alipay_public_key(), key);
    // The intermediate's SN is not an Alipay key.
    assert!(
        config
            .key_for_sn(str_field(alipay, "second_cert_sn"))
            .is_none()
    );
    assert!(config.key_for_sn("").is_none());
    assert_eq!(config.alipay_keys().count(), 1);
    assert_eq!(config.roots().len(), 2);
    config
        .verify_alipay_chain(JUNE_2022)
        .expect("chain in 2022");
    assert!(matches!(
        config.verify_alipay_chain(JAN_2026),
        Err(CertError::Expired { .. })
    ));
}

#[test]
fn cert_config_from_paths_and_errors() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/vectors/certs");
    let config = CertConfig::from_paths(
        dir.join("appCertPublicKey_2019051064521003.crt"),
        dir.join("alipayCertPublicKey_RSA2_2088002656718920.crt"),
        dir.join("alipayRootCert_lf.crt"),
    )
    .expect("config from files");
    assert_eq!(config.app_cert_sn(), "9cc629ecc4de8d9a9d516a6b59f42d01");
    assert_eq!(config.alipay_cert_sn(), "9d208a6909da410919c0356cc163c06f");

    let missing = CertConfig::from_paths(
        dir.join("missing.crt"),
        dir.join("alipayCertPublicKey_RSA2.crt"),
        dir.join("alipayRootCert.crt"),
    );
    assert!(matches!(missing, Err(CertError::Io { .. })));

    // A root bundle with only the ECDSA root.
    let ecdsa_only = parse_pem_bundle(file("certs/alipayRootCert.crt"))
        .into_iter()
        .nth(2)
        .expect("E1")
        .expect("E1 parses")
        .to_pem();
    let err = CertConfig::from_pems(
        file("certs/appCertPublicKey_2021002177673029.crt"),
        file("certs/alipayCertPublicKey_RSA2.crt"),
        &ecdsa_only,
    )
    .expect_err("no RSA root");
    assert!(matches!(err.innermost(), CertError::NoRsaRoot), "{err}");
    assert!(
        err.to_string().starts_with("the Alipay root certificate: "),
        "{err}"
    );

    let err = CertConfig::from_pems(
        "not a certificate",
        file("certs/alipayCertPublicKey_RSA2.crt"),
        file("certs/alipayRootCert.crt"),
    )
    .expect_err("not PEM");
    assert!(matches!(err.innermost(), CertError::NotPem), "{err}");
    assert!(
        err.to_string().starts_with("the app certificate: "),
        "{err}"
    );

    // An SM2 certificate as the Alipay certificate: its key is not RSA.
    let sm2 = parse_pem_bundle(file("certs/alipayRootCert.crt"))
        .into_iter()
        .next()
        .expect("SM2")
        .expect("SM2 parses")
        .to_pem();
    let err = CertConfig::from_pems(
        file("certs/appCertPublicKey_2021002177673029.crt"),
        &sm2,
        file("certs/alipayRootCert.crt"),
    )
    .expect_err("SM2 key");
    assert!(
        matches!(err.innermost(), CertError::Key(KeyError::NotRsa(_))),
        "{err}"
    );
}
