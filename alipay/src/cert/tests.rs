//! Certificate tests: the conformance vectors, generated certificates with awkward names and
//! serials, tolerant bundle reading, chain checks, and inputs that must not panic.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, DnValue, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, PKCS_RSA_SHA384, PKCS_RSA_SHA512, SerialNumber,
    SignatureAlgorithm, date_time_ymd,
};

use md5::Digest as _;

use super::*;
use crate::crypto::{AesKey, PrivateKey};

macro_rules! vector_file {
    ($name:literal) => {
        (
            concat!("certs/", $name),
            include_str!(concat!("../../../tests/fixtures/vectors/certs/", $name)),
        )
    };
}

/// The certificate files of `tests/fixtures/vectors`, by their name in `vectors.json`.
const FILES: &[(&str, &str)] = &[
    vector_file!("appCertPublicKey_2021002177673029.crt"),
    vector_file!("appCertPublicKey_2019051064521003.crt"),
    vector_file!("alipayCertPublicKey_RSA2.crt"),
    vector_file!("alipayCertPublicKey_RSA2_2088002656718920.crt"),
    vector_file!("alipayRootCert.crt"),
    vector_file!("alipayRootCert_lf.crt"),
];

const VECTORS: &str = include_str!("../../../tests/fixtures/vectors/vectors.json");

fn file(name: &str) -> &'static str {
    FILES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("vector file {name} is not in FILES"))
}

fn vectors() -> serde_json::Value {
    serde_json::from_str(VECTORS).expect("vectors.json is JSON")
}

fn str_field<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is a string"))
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 2022-06-01 00:00:00 UTC: inside the validity of the `alipayCertPublicKey_RSA2.crt` chain.
const JUNE_2022: i64 = 1_654_041_600;
/// 2020-06-01 00:00:00 UTC.
const JUNE_2020: i64 = 1_590_969_600;
/// 2026-01-01 00:00:00 UTC.
const JAN_2026: i64 = 1_767_225_600;

// ---------------------------------------------------------------------------------------------
// Conformance vectors

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

// ---------------------------------------------------------------------------------------------
// Generated certificates

/// A generated CA: its parameters and key (to issue with) and the parsed certificate.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: Certificate,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

/// RSA-2048 keys from [`PrivateKey::generate`], exported as PKCS#8 for rcgen.
fn rsa_key(alg: &'static SignatureAlgorithm) -> KeyPair {
    let key = PrivateKey::generate().expect("RSA key");
    KeyPair::from_pem_and_sign_algo(&key.to_pkcs8_pem(), alg).expect("rcgen takes the key")
}

fn ca_params(dn: &[(DnType, DnValue)]) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    for (ty, value) in dn {
        params.distinguished_name.push(ty.clone(), value.clone());
    }
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2045, 1, 1);
    params.serial_number = Some(SerialNumber::from(0x1234_5678_9abc_def0_u64));
    params
}

fn parse(cert: &rcgen::Certificate) -> Certificate {
    Certificate::from_der(cert.der()).expect("generated certificate parses")
}

fn self_signed(params: CertificateParams, key: KeyPair) -> Ca {
    let cert = parse(&params.self_signed(&key).expect("self-signed"));
    Ca { params, key, cert }
}

fn issue(params: &CertificateParams, key: &KeyPair, by: &Ca) -> Certificate {
    issue_by(params, key, &by.issuer())
}

fn issue_by(params: &CertificateParams, key: &KeyPair, by: &Issuer<'_, &KeyPair>) -> Certificate {
    parse(&params.signed_by(key, by).expect("issued"))
}

fn utf8(text: &str) -> DnValue {
    DnValue::Utf8String(text.to_owned())
}

fn printable(text: &str) -> DnValue {
    DnValue::PrintableString(text.try_into().expect("printable"))
}

/// The issuer DN of the tricky leaf, in DER order (C first), and its expected RFC 2253 form.
fn tricky_dn() -> Vec<(DnType, DnValue)> {
    vec![
        (DnType::CountryName, printable("CN")),
        (
            DnType::OrganizationName,
            utf8("支付宝(中国)网络技术有限公司"),
        ),
        (DnType::OrganizationalUnitName, utf8("#1 Unit, Sales+Ops ")),
        (DnType::LocalityName, utf8(" a=b;c<d>\"e\\f")),
        (
            DnType::CustomDnType(vec![1, 2, 840, 113_549, 1, 9, 1]),
            DnValue::Ia5String("ca@example.com".try_into().expect("IA5")),
        ),
        (DnType::CommonName, utf8("Tricky Issuing CA")),
    ]
}

const TRICKY_RFC2253: &str = "CN=Tricky Issuing CA,\
    1.2.840.113549.1.9.1=#160e6361406578616d706c652e636f6d,\
    L=\\ a\\=b\\;c\\<d\\>\\\"e\\\\f,\
    OU=\\#1 Unit\\, Sales\\+Ops\\ ,\
    O=支付宝(中国)网络技术有限公司,\
    C=CN";

/// Generated once: RSA-2048 key generation is slow in debug builds.
struct Pki {
    root: Ca,
    ecdsa_root: Ca,
    /// Same DN as `root`, another key: a forger's root.
    fake_root: Ca,
    tricky: Ca,
    /// Issued by `tricky`, serial 0x80 00…00 (20 bytes).
    high_serial_leaf: Certificate,
    /// Issued by `root` directly, expired in 2001.
    expired_leaf: Certificate,
    /// Issued by `fake_root`, named like a real Alipay certificate.
    forged_leaf: Certificate,
    /// A non-CA certificate issued by `root`, and a certificate it "issued".
    not_a_ca: Certificate,
    below_not_a_ca: Certificate,
    leaf_key: KeyPair,
}

fn leaf_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, utf8(cn));
    params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, printable("Alipay"));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = date_time_ymd(2021, 1, 1);
    params.not_after = date_time_ymd(2031, 1, 1);
    params.serial_number = Some(SerialNumber::from(42_u64));
    params
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let root_dn = [
            (DnType::CountryName, printable("CN")),
            (DnType::OrganizationName, printable("Example Trust")),
            (DnType::CommonName, printable("Example RSA Root R1")),
        ];
        let root = self_signed(ca_params(&root_dn), rsa_key(&PKCS_RSA_SHA256));
        let fake_root = self_signed(ca_params(&root_dn), rsa_key(&PKCS_RSA_SHA256));
        let ecdsa_root = self_signed(
            ca_params(&[(DnType::CommonName, printable("Example ECDSA Root E1"))]),
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("P-256 key"),
        );

        let mut tricky_params = ca_params(&tricky_dn());
        tricky_params.serial_number = Some(SerialNumber::from(7_u64));
        let tricky_key = rsa_key(&PKCS_RSA_SHA256);
        let tricky_cert = issue(&tricky_params, &tricky_key, &root);
        let tricky = Ca {
            params: tricky_params,
            key: tricky_key,
            cert: tricky_cert,
        };

        let leaf_key = rsa_key(&PKCS_RSA_SHA256);
        let mut params = leaf_params("支付宝(中国)网络技术有限公司-2088000000000000");
        let mut serial = vec![0u8; 20];
        serial[0] = 0x80;
        params.serial_number = Some(SerialNumber::from(serial));
        let high_serial_leaf = issue(&params, &leaf_key, &tricky);

        let mut params = leaf_params("expired");
        params.not_before = date_time_ymd(2000, 1, 1);
        params.not_after = date_time_ymd(2001, 1, 1);
        let expired_leaf = issue(&params, &leaf_key, &root);

        let forged_leaf = issue(
            &leaf_params("支付宝(中国)网络技术有限公司-2088000000000000"),
            &leaf_key,
            &fake_root,
        );

        // A leaf (no basicConstraints CA) used to issue another certificate.
        let mut not_a_ca_params = leaf_params("merchant app cert");
        not_a_ca_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
        ];
        let not_a_ca_key = rsa_key(&PKCS_RSA_SHA256);
        let not_a_ca = issue(&not_a_ca_params, &not_a_ca_key, &root);
        let not_a_ca_issuer = Ca {
            params: not_a_ca_params,
            key: not_a_ca_key,
            cert: not_a_ca.clone(),
        };
        let below_not_a_ca = issue(&leaf_params("forged Alipay"), &leaf_key, &not_a_ca_issuer);

        Pki {
            root,
            ecdsa_root,
            fake_root,
            tricky,
            high_serial_leaf,
            expired_leaf,
            forged_leaf,
            not_a_ca,
            below_not_a_ca,
            leaf_key,
        }
    })
}

/// 2025-01-01 00:00:00 UTC: inside every generated validity period but the expired one.
const JAN_2025: i64 = 1_735_689_600;

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

// ---------------------------------------------------------------------------------------------
// Hand-built certificates: what rcgen cannot produce

/// A DER TLV (short or long form length).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u128> = dotted.split('.').map(|a| a.parse().expect("arc")).collect();
    let mut content = Vec::new();
    let mut push = |mut value: u128| {
        let mut groups = vec![(value & 0x7f) as u8];
        value >>= 7;
        while value > 0 {
            groups.push((value & 0x7f) as u8 | 0x80);
            value >>= 7;
        }
        content.extend(groups.iter().rev());
    };
    push(arcs[0] * 40 + arcs[1]);
    for &arc in &arcs[2..] {
        push(arc);
    }
    tlv(0x06, &content)
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

// ---------------------------------------------------------------------------------------------
// Chains

#[test]
fn chains_of_generated_certificates() {
    let pki = pki();
    let roots = [pki.root.cert.clone()];
    // Leaf → tricky CA → root.
    verify_chain(
        &pki.high_serial_leaf,
        std::slice::from_ref(&pki.tricky.cert),
        &roots,
        JAN_2025,
    )
    .expect("leaf chains through the intermediate");
    pki.high_serial_leaf
        .verify_signed_by(&pki.tricky.cert)
        .expect("signed by the tricky CA");
    // The intermediate itself chains; with irrelevant intermediates and roots around too.
    verify_chain(
        &pki.tricky.cert,
        &[pki.not_a_ca.clone(), pki.ecdsa_root.cert.clone()],
        &[
            pki.ecdsa_root.cert.clone(),
            pki.fake_root.cert.clone(),
            pki.root.cert.clone(),
        ],
        JAN_2025,
    )
    .expect("intermediate chains to the root");
    // A root is trusted as itself.
    verify_chain(&pki.root.cert, &[], &roots, JAN_2025).expect("root");
}

#[test]
fn a_forged_certificate_does_not_chain() {
    let pki = pki();
    let roots = [pki.root.cert.clone()];
    // Same issuer name as the real root, another key.
    assert_eq!(pki.forged_leaf.issuer(), pki.root.cert.subject());
    let err = verify_chain(&pki.forged_leaf, &[], &roots, JAN_2025).expect_err("forged");
    match &err {
        CertError::NotChained { subject, reason } => {
            assert!(subject.starts_with("OU=Alipay,CN=支付宝"), "{subject}");
            assert!(reason.contains("does not verify"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        pki.forged_leaf.verify_signed_by(&pki.root.cert),
        Err(CertError::BadSignature { .. })
    ));
    // Nor through the fake root presented as an intermediate.
    assert!(matches!(
        verify_chain(
            &pki.forged_leaf,
            std::slice::from_ref(&pki.fake_root.cert),
            &roots,
            JAN_2025
        ),
        Err(CertError::NotChained { .. })
    ));
    // A certificate issued by a non-CA certificate (e.g. a merchant's own app certificate).
    let err = verify_chain(
        &pki.below_not_a_ca,
        std::slice::from_ref(&pki.not_a_ca),
        &roots,
        JAN_2025,
    )
    .expect_err("not a CA");
    assert!(err.to_string().contains("is not a CA certificate"), "{err}");
}

#[test]
fn validity_is_checked_along_the_chain() {
    let pki = pki();
    let roots = [pki.root.cert.clone()];
    let err = verify_chain(&pki.expired_leaf, &[], &roots, JAN_2025).expect_err("expired");
    assert!(matches!(err, CertError::Expired { .. }), "{err}");
    verify_chain(&pki.expired_leaf, &[], &roots, 977_000_000).expect("valid in 2000");
    // The leaf is checked first.
    let err = verify_chain(
        &pki.high_serial_leaf,
        std::slice::from_ref(&pki.tricky.cert),
        &roots,
        1_262_304_000, // 2010
    )
    .expect_err("not yet valid");
    assert!(matches!(err, CertError::NotYetValid { .. }), "{err}");
    // An expired intermediate breaks the chain of a valid leaf.
    let mut ca_params = ca_params(&[(DnType::CommonName, printable("Short-lived CA"))]);
    ca_params.not_after = date_time_ymd(2022, 1, 1);
    let ca = issue(&ca_params, &pki.leaf_key, &pki.root);
    let leaf = issue_by(
        &leaf_params("leaf"),
        &pki.leaf_key,
        &Issuer::from_params(&ca_params, &pki.leaf_key),
    );
    verify_chain(&leaf, std::slice::from_ref(&ca), &roots, 1_640_000_000).expect("in 2021");
    let err = verify_chain(&leaf, &[ca], &roots, JAN_2025).expect_err("expired CA");
    match &err {
        CertError::NotChained { reason, .. } => assert!(
            reason.contains("`CN=Short-lived CA` expired at 2022-01-01 00:00:00 UTC"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_rsa_digests_verify() {
    let pki = pki();
    for alg in [&PKCS_RSA_SHA384, &PKCS_RSA_SHA512] {
        let key = rsa_key(alg);
        let params = ca_params(&[(DnType::CommonName, printable("SHA-2 root"))]);
        let root = self_signed(params, key);
        root.cert
            .verify_signed_by(&root.cert)
            .expect("self-signature");
        let leaf = issue(&leaf_params("leaf"), &pki.leaf_key, &root);
        verify_chain(&leaf, &[], std::slice::from_ref(&root.cert), JAN_2025).expect("chain");
    }
    assert_eq!(
        Certificate::from_der(pki.ecdsa_root.cert.der())
            .expect("ECDSA root")
            .verify_signed_by(&pki.ecdsa_root.cert)
            .map_err(|e| e.to_string()),
        Err(
            "unsupported algorithm 1.2.840.10045.4.3.2: only RSA PKCS#1 v1.5 signatures \
             (SHA-1, SHA-256, SHA-384, SHA-512) are verified"
                .to_owned()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Nothing panics

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
