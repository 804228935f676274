//! A PKI shaped like Alipay's, made with rcgen for the tests: a root ("Ant Financial
//! Certification Authority R1" in real life), an "Alipay issuing CA" (Class 2 R1) and an "app
//! issuing CA" (Class 1 R1) under it, an unrelated RSA root bundled next to it (as
//! `alipayRootCert.crt` bundles third-party roots), the configured Alipay certificate and the
//! app certificate, with subjects shaped like the real ones (the same C / O / OU for both: the
//! merchant's organisation, `OU=Alipay`). Leaves of any shape can be issued from any CA, also
//! signed with SHA-1. Shared by test files with `#[path = "support/pki.rs"] mod pki;`.

use std::sync::OnceLock;

use alipay::PrivateKey;
use alipay::cert::Certificate;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_RSA_SHA256, SerialNumber, date_time_ymd,
};

/// The merchant's organisation, in the subject of its app certificate and of its Alipay
/// certificate alike.
pub(crate) const MERCHANT_ORG: &str = "测试商户有限公司";

/// The CN of the Alipay certificates.
pub(crate) const ALIPAY_CN: &str = "支付宝(中国)网络技术有限公司-2088000000000001";

/// A certificate authority: its key, the parameters it issues with, its certificate.
pub(crate) struct Ca {
    key: KeyPair,
    params: CertificateParams,
    /// The CA's certificate, PEM.
    pub(crate) pem: String,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    /// The CA's private key (to sign certificates by hand, e.g. with SHA-1).
    pub(crate) fn private_key(&self) -> PrivateKey {
        PrivateKey::parse(&self.key.serialize_pem()).expect("rcgen key parses")
    }
}

/// An issued certificate and the private key of its subject.
#[derive(Clone)]
pub(crate) struct Leaf {
    /// The certificate, PEM.
    pub(crate) pem: String,
    /// The certificate, parsed.
    pub(crate) cert: Certificate,
    /// The subject's private key.
    pub(crate) key: PrivateKey,
}

impl Leaf {
    /// The certificate's SN (`alipay_cert_sn`).
    pub(crate) fn sn(&self) -> String {
        self.cert.sn()
    }
}

/// What to issue.
#[derive(Clone)]
pub(crate) struct Spec {
    /// The subject, most significant RDN first.
    pub(crate) dn: Vec<(DnType, String)>,
    /// A CA certificate (basicConstraints cA) instead of an end-entity one.
    pub(crate) ca: bool,
    /// The key usages.
    pub(crate) key_usages: Vec<KeyUsagePurpose>,
    /// `notAfter`, Unix seconds.
    pub(crate) not_after: i64,
    /// Sign with sha1WithRSAEncryption instead of SHA-256.
    pub(crate) sha1: bool,
    /// The subject's key (a new one if `None`).
    pub(crate) key: Option<PrivateKey>,
}

impl Spec {
    /// An end-entity certificate for `dn`, valid from 2020 to 2045, SHA-256, keyUsage
    /// digitalSignature and nonRepudiation (as Alipay's).
    pub(crate) fn leaf(dn: Vec<(DnType, String)>) -> Self {
        Self {
            dn,
            ca: false,
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
            not_after: unix(2045),
            sha1: false,
            key: None,
        }
    }

    /// The subject of an Alipay certificate of the merchant.
    pub(crate) fn alipay() -> Self {
        Self::leaf(alipay_dn(MERCHANT_ORG))
    }
}

/// 1 January of `year`, 00:00 UTC, in Unix seconds.
pub(crate) fn unix(year: i32) -> i64 {
    let days: i64 = (1970..year)
        .map(|y| {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                366
            } else {
                365
            }
        })
        .sum();
    days * 86_400
}

/// An Alipay certificate's subject for the organisation `org`.
pub(crate) fn alipay_dn(org: &str) -> Vec<(DnType, String)> {
    vec![
        (DnType::CountryName, "CN".to_owned()),
        (DnType::OrganizationName, org.to_owned()),
        (DnType::OrganizationalUnitName, "Alipay".to_owned()),
        (DnType::CommonName, ALIPAY_CN.to_owned()),
    ]
}

/// An app certificate's subject: the merchant's organisation, `<pid>-<app id>`.
pub(crate) fn app_dn(org: &str, app_id: &str) -> Vec<(DnType, String)> {
    vec![
        (DnType::CountryName, "CN".to_owned()),
        (DnType::OrganizationName, org.to_owned()),
        (DnType::OrganizationalUnitName, "Alipay".to_owned()),
        (DnType::CommonName, format!("2088000000000001-{app_id}")),
    ]
}

fn ca_dn(cn: &str) -> Vec<(DnType, String)> {
    vec![
        (DnType::CountryName, "CN".to_owned()),
        (DnType::OrganizationName, "Test Financial".to_owned()),
        (
            DnType::OrganizationalUnitName,
            "Certification Authority".to_owned(),
        ),
        (DnType::CommonName, cn.to_owned()),
    ]
}

fn rcgen_key(key: &PrivateKey) -> KeyPair {
    KeyPair::from_pem_and_sign_algo(&key.to_pkcs8_pem(), &PKCS_RSA_SHA256).expect("rcgen key")
}

fn params(dn: &[(DnType, String)], not_after: i64) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    for (ty, value) in dn {
        params.distinguished_name.push(ty.clone(), value.as_str());
    }
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(1970, 1, 1)
        + std::time::Duration::from_secs(u64::try_from(not_after).expect("after 1970"));
    params.serial_number = Some(serial());
    params
}

/// A random positive 16-byte serial.
fn serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).expect("random");
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::from(bytes.to_vec())
}

fn ca_params(dn: &[(DnType, String)]) -> CertificateParams {
    let mut params = params(dn, unix(2045));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn self_signed(cn: &str) -> Ca {
    let key = rcgen_key(&PrivateKey::generate().expect("key"));
    let params = ca_params(&ca_dn(cn));
    let pem = params.self_signed(&key).expect("root").pem();
    Ca { key, params, pem }
}

/// A CA named `cn` issued by `by`.
pub(crate) fn intermediate(cn: &str, by: &Ca) -> Ca {
    let key = rcgen_key(&PrivateKey::generate().expect("key"));
    let params = ca_params(&ca_dn(cn));
    let pem = params.signed_by(&key, &by.issuer()).expect("issued").pem();
    Ca { key, params, pem }
}

/// Issues `spec` from `ca`.
pub(crate) fn issue(ca: &Ca, spec: Spec) -> Leaf {
    let key = spec
        .key
        .clone()
        .unwrap_or_else(|| PrivateKey::generate().expect("key"));
    let mut params = params(&spec.dn, spec.not_after);
    params.is_ca = if spec.ca {
        IsCa::Ca(BasicConstraints::Unconstrained)
    } else {
        IsCa::ExplicitNoCa
    };
    params.key_usages = spec.key_usages.clone();
    let der = params
        .signed_by(&rcgen_key(&key), &ca.issuer())
        .expect("issued")
        .der()
        .to_vec();
    let der = if spec.sha1 {
        resign_sha1(&der, &ca.private_key())
    } else {
        der
    };
    let cert = Certificate::from_der(&der).expect("parses");
    Leaf {
        pem: cert.to_pem(),
        cert,
        key,
    }
}

/// The DER encoding of sha256WithRSAEncryption's OID content, and sha1WithRSAEncryption's.
const SHA256_RSA: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const SHA1_RSA: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];

/// `der` (signed with SHA-256 by rcgen) signed again by `issuer` with sha1WithRSAEncryption:
/// the algorithm OIDs (of the same length) are swapped and the TBS signed with SHA-1.
fn resign_sha1(der: &[u8], issuer: &PrivateKey) -> Vec<u8> {
    use rsa::pkcs8::DecodePrivateKey as _;

    let cert = Certificate::from_der(der).expect("parses");
    let mut tbs = cert.tbs_der().to_vec();
    let at = tbs
        .windows(SHA256_RSA.len())
        .position(|w| w == SHA256_RSA)
        .expect("the TBS names its signature algorithm");
    tbs[at..at + SHA1_RSA.len()].copy_from_slice(&SHA1_RSA);
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &tbs);
    // DigestInfo for SHA-1, then the digest.
    let mut digest_info = vec![
        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
    ];
    digest_info.extend_from_slice(digest.as_ref());
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&issuer.to_pkcs8_pem()).expect("rsa key");
    let signature = key
        .sign(rsa::Pkcs1v15Sign::new_unprefixed(), &digest_info)
        .expect("sign");
    let algorithm = der_tlv(0x30, &[der_tlv(0x06, &SHA1_RSA), vec![0x05, 0x00]].concat());
    let mut bits = vec![0u8];
    bits.extend_from_slice(&signature);
    der_tlv(0x30, &[tbs, algorithm, der_tlv(0x03, &bits)].concat())
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).expect("short"));
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).expect("length of length"));
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The whole PKI.
pub(crate) struct Pki {
    /// The root that anchors both issuing CAs.
    pub(crate) root: Ca,
    /// The CA that issues Alipay certificates.
    pub(crate) alipay_ca: Ca,
    /// The CA that issues app certificates (every merchant holds the key of one of its
    /// certificates).
    pub(crate) app_ca: Ca,
    /// An unrelated RSA root, in the bundle too.
    pub(crate) other_root: Ca,
    /// The app certificate of the app under test (the committed app key is not used: the
    /// app's key is `app.key`).
    pub(crate) app: Leaf,
    /// The configured Alipay certificate.
    pub(crate) alipay: Leaf,
}

impl Pki {
    /// A new PKI (RSA key generation takes a moment: see [`Pki::shared`]).
    fn new() -> Self {
        let root = self_signed("Test Financial Certification Authority R1");
        let alipay_ca = intermediate("Test Financial Certification Authority Class 2 R1", &root);
        let app_ca = intermediate("Test Financial Certification Authority Class 1 R1", &root);
        let other_root = self_signed("Unrelated Commercial Root CA");
        let app = issue(
            &app_ca,
            Spec::leaf(app_dn(MERCHANT_ORG, "2021000000000001")),
        );
        let alipay = issue(&alipay_ca, Spec::alipay());
        Self {
            root,
            alipay_ca,
            app_ca,
            other_root,
            app,
            alipay,
        }
    }

    /// One PKI per test binary.
    pub(crate) fn shared() -> &'static Self {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(Pki::new)
    }

    /// `alipayRootCert.crt`: the root, then the unrelated root.
    pub(crate) fn root_bundle_pem(&self) -> String {
        format!("{}\n{}", self.root.pem, self.other_root.pem)
    }

    /// `alipayCertPublicKey_RSA2.crt`: the Alipay certificate, then its issuing CA.
    pub(crate) fn alipay_cert_pem(&self) -> String {
        format!("{}\n{}", self.alipay.pem, self.alipay_ca.pem)
    }

    /// A legitimate rotation: a new Alipay certificate from the Alipay issuing CA, with the same
    /// subject, a new key and a new serial.
    pub(crate) fn rotated(&self) -> Leaf {
        issue(&self.alipay_ca, Spec::alipay())
    }

    /// A client builder of app `2021000000000001` in certificate mode with this PKI, for
    /// `gateway_url`.
    pub(crate) fn client_builder(&self, gateway_url: &str) -> alipay::ClientBuilder {
        alipay::Client::builder()
            .app_id("2021000000000001")
            .app_private_key_parsed(self.app.key.clone())
            .certificates(
                self.app.pem.clone(),
                self.alipay_cert_pem(),
                self.root_bundle_pem(),
            )
            .gateway_url(gateway_url)
    }
}

/// The `alipay_cert_content` of a download answer: the base64 of the PEM text of `pems`.
pub(crate) fn cert_content(pems: &[&str]) -> String {
    STANDARD.encode(pems.join("\n"))
}
