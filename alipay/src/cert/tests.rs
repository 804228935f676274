//! Certificate tests: the conformance vectors, generated certificates with awkward names and
//! serials, tolerant bundle reading, chain checks, and inputs that must not panic. This module
//! holds what they share: the vector files and the generated PKI; each submodule holds one
//! concern.

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

mod chains;
mod generated;
mod hand_built;
mod panics;
mod vectors;

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

/// The DER encoding of an OBJECT IDENTIFIER given in dotted form (for hand-built certificates,
/// and for the OID conversions at their limits).
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
