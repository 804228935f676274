//! Certificate mode and content encryption in the sandbox.
//!
//! The sandbox is its own certificate authority: a root (bundled with an ECDSA root, as
//! Alipay's `alipayRootCert.crt` bundles SM2 and ECDSA roots next to the RSA ones), the
//! "Alipay" certificates it signs answers with, and the app certificates of
//! [`Sandbox::create_cert_app`](super::Sandbox::create_cert_app), all issued with `rcgen`.
//!
//! For a certificate app, requests must carry the app certificate's `app_cert_sn` and the
//! bundle's `alipay_root_cert_sn`; answers, notifications and return parameters are signed with
//! the current Alipay certificate's key and answers name it in `alipay_cert_sn`.
//! `alipay.open.app.alipaycert.download` hands out any certificate the sandbox issued, by SN.
//! Apps created with [`Sandbox::create_app`](super::Sandbox::create_app) stay in public key
//! mode: they are signed for with the sandbox's fixed Alipay key, whatever rotates.
//!
//! Content encryption works for any app that has an AES key
//! ([`Sandbox::set_app_aes_key`](super::Sandbox::set_app_aes_key)): `encrypt_type=AES` requests
//! have their `biz_content` decrypted after the signature is checked, and are answered with the
//! node encrypted, signed over the quoted ciphertext.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, SerialNumber, date_time_ymd,
};

use super::api::Call;
use super::wire::{Failure, Node};
use super::{SandboxError, Shared, lock};
use super::{clock, random};
use crate::cert::{self, Certificate};
use crate::crypto::{AesKey, PrivateKey, PublicKey};
use crate::encrypt;

/// How long certificates issued by the sandbox are valid: from a day ago, for ten years.
const VALIDITY_BEFORE: Duration = Duration::from_secs(24 * 3600);
const VALIDITY_AFTER: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The distinguished name of the sandbox's root (the forger's root copies it).
const ROOT_DN: [(DnType, &str); 4] = [
    (DnType::CountryName, "CN"),
    (DnType::OrganizationName, "Alipay Sandbox"),
    (DnType::OrganizationalUnitName, "Certification Authority"),
    (DnType::CommonName, "Alipay Sandbox Root CA R1"),
];

/// The certificate and AES state of a sandbox.
#[derive(Default)]
pub(crate) struct State {
    /// The authority, issued on first use (or at start in certificate mode).
    authority: Mutex<Option<Authority>>,
    /// The `app_cert_sn` of each certificate app.
    cert_apps: RwLock<HashMap<String, String>>,
    /// The AES keys of apps that use content encryption.
    aes_keys: RwLock<HashMap<String, AesKey>>,
}

/// A certificate authority: a key and the parameters it issues with.
struct Ca {
    key: KeyPair,
    params: CertificateParams,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

/// An "Alipay" certificate the sandbox signs with (or did).
#[derive(Clone)]
struct Issued {
    sn: String,
    pem: String,
    key: PrivateKey,
}

struct Authority {
    root: Ca,
    /// The RSA root then an ECDSA root, PEM.
    bundle_pem: String,
    root_sn: String,
    /// The certificate answers are signed with now.
    current: Issued,
    /// Every Alipay certificate issued (rotated, forged), for downloads.
    issued: Vec<Issued>,
    /// A root with the same name and another key, made for the first forged rotation.
    forger: Option<Ca>,
}

/// What a certificate app needs to configure a client.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxCertApp {
    /// The app: its id and key pair.
    pub app: super::SandboxApp,
    /// The app certificate (`appCertPublicKey_<app id>.crt`), PEM.
    pub app_cert_pem: String,
    /// The Alipay certificate current when the app was created (`alipayCertPublicKey_RSA2.crt`),
    /// PEM.
    pub alipay_cert_pem: String,
    /// The root bundle (`alipayRootCert.crt`): the sandbox's RSA root and an ECDSA root, PEM.
    pub alipay_root_cert_pem: String,
    /// The app's AES key of content encryption, base64 (registered with the sandbox).
    pub aes_key: String,
}

/// The files of an app moved to certificate mode by
/// [`Sandbox::certify_app`](super::Sandbox::certify_app): what the open platform console hands
/// out, and what a client in certificate mode is configured with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AppCertificates {
    /// The app certificate (`appCertPublicKey_<app id>.crt`), PEM.
    pub app_cert_pem: String,
    /// The Alipay certificate current when the app was certified
    /// (`alipayCertPublicKey_RSA2.crt`), PEM.
    pub alipay_cert_pem: String,
    /// The root bundle (`alipayRootCert.crt`): the sandbox's RSA root and an ECDSA root, PEM.
    pub alipay_root_cert_pem: String,
    /// The app's AES key of content encryption, base64 (registered with the sandbox).
    pub aes_key: String,
}

fn certificate_error(error: impl std::fmt::Display) -> SandboxError {
    SandboxError::Certificate(error.to_string())
}

/// `notBefore` and `notAfter` around now.
fn validity(params: &mut CertificateParams) {
    let now = u64::try_from(clock::unix_now()).unwrap_or(0);
    // Far from the ends of what the date type holds, whatever the clock says.
    let now = Duration::from_secs(now.clamp(VALIDITY_BEFORE.as_secs(), 4_000_000_000));
    let epoch = date_time_ymd(1970, 1, 1);
    params.not_before = epoch + (now - VALIDITY_BEFORE);
    params.not_after = epoch + (now + VALIDITY_AFTER);
}

/// A random positive serial of 16 bytes.
fn serial() -> SerialNumber {
    let mut bytes = Vec::with_capacity(16);
    bytes.extend_from_slice(&random::random_u64().to_be_bytes());
    bytes.extend_from_slice(&random::random_u64().to_be_bytes());
    if let Some(first) = bytes.first_mut() {
        *first = (*first & 0x7f) | 0x01;
    }
    SerialNumber::from(bytes)
}

fn rsa_key_pair(key: &PrivateKey) -> Result<KeyPair, SandboxError> {
    KeyPair::from_pem_and_sign_algo(&key.to_pkcs8_pem(), &PKCS_RSA_SHA256)
        .map_err(certificate_error)
}

fn ca_params(dn: &[(DnType, &str)]) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    for (ty, value) in dn {
        params.distinguished_name.push(ty.clone(), *value);
    }
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params);
    params.serial_number = Some(serial());
    params
}

fn self_signed_rsa_root() -> Result<(Ca, String), SandboxError> {
    let key = rsa_key_pair(&PrivateKey::generate()?)?;
    let params = ca_params(&ROOT_DN);
    let pem = params.self_signed(&key).map_err(certificate_error)?.pem();
    Ok((Ca { key, params }, pem))
}

/// An RSA public key as rcgen takes the subject of a certificate.
struct RsaSubject {
    /// PKCS#1 `RSAPublicKey` DER: the content of the SPKI's bit string.
    pkcs1: Vec<u8>,
}

impl rcgen::PublicKeyData for RsaSubject {
    fn der_bytes(&self) -> &[u8] {
        &self.pkcs1
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

/// A leaf certificate for `key`, issued by `ca`, as PEM.
fn issue_leaf(ca: &Ca, dn: &[(DnType, &str)], key: &PublicKey) -> Result<String, SandboxError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    for (ty, value) in dn {
        params.distinguished_name.push(ty.clone(), *value);
    }
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    validity(&mut params);
    params.serial_number = Some(serial());
    let subject = RsaSubject {
        pkcs1: key.pkcs1_der(),
    };
    Ok(params
        .signed_by(&subject, &ca.issuer())
        .map_err(certificate_error)?
        .pem())
}

/// A new "Alipay" certificate for `key`, issued by `ca`.
fn issue_alipay(ca: &Ca, key: PrivateKey) -> Result<Issued, SandboxError> {
    let pem = issue_leaf(
        ca,
        &[
            (DnType::CountryName, "CN"),
            (DnType::OrganizationName, "Alipay Sandbox"),
            (DnType::OrganizationalUnitName, "Alipay"),
            (DnType::CommonName, "支付宝(中国)网络技术有限公司-沙箱"),
        ],
        &key.public_key(),
    )?;
    let sn = Certificate::from_pem(&pem).map_err(certificate_error)?.sn();
    Ok(Issued { sn, pem, key })
}

impl Authority {
    /// A new authority whose first Alipay certificate is for `alipay_key`.
    fn new(alipay_key: PrivateKey) -> Result<Self, SandboxError> {
        let (root, root_pem) = self_signed_rsa_root()?;
        let ecdsa_key =
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(certificate_error)?;
        let ecdsa_pem = ca_params(&[
            (DnType::CountryName, "CN"),
            (DnType::OrganizationName, "Alipay Sandbox"),
            (DnType::CommonName, "Alipay Sandbox ECC Root CA E1"),
        ])
        .self_signed(&ecdsa_key)
        .map_err(certificate_error)?
        .pem();
        let bundle_pem = format!("{root_pem}\n{ecdsa_pem}");
        let root_sn = cert::root_cert_sn(&bundle_pem).map_err(certificate_error)?;
        let current = issue_alipay(&root, alipay_key)?;
        Ok(Self {
            root,
            bundle_pem,
            root_sn,
            issued: vec![current.clone()],
            current,
            forger: None,
        })
    }
}

/// Runs `f` on the authority of `shared`, issuing it first if needed (its first Alipay
/// certificate is for the sandbox's own Alipay key, the one public key mode signs with).
fn with_authority<T>(
    shared: &Shared,
    f: impl FnOnce(&mut Authority) -> Result<T, SandboxError>,
) -> Result<T, SandboxError> {
    let mut authority = lock(&shared.certs.authority);
    if authority.is_none() {
        *authority = Some(Authority::new(shared.signer.clone())?);
    }
    match authority.as_mut() {
        Some(authority) => f(authority),
        None => Err(certificate_error(
            "the sandbox has no certificate authority",
        )),
    }
}

/// Issues the root and Alipay certificates now (certificate mode at start).
pub(crate) fn init(shared: &Shared) -> Result<(), SandboxError> {
    with_authority(shared, |_| Ok(()))
}

impl State {
    /// The app's AES key, if it uses content encryption.
    pub(crate) fn aes_key(&self, app_id: &str) -> Option<AesKey> {
        self.aes_keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(app_id)
            .cloned()
    }

    pub(crate) fn set_aes_key(&self, app_id: &str, key: AesKey) {
        self.aes_keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(app_id.to_owned(), key);
    }

    fn app_cert_sn(&self, app_id: &str) -> Option<String> {
        self.cert_apps
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(app_id)
            .cloned()
    }
}

impl Shared {
    /// The key that signs for `app_id` (answers, notifications, return parameters), and the
    /// SN of its certificate for a certificate app.
    pub(crate) fn alipay_signer(&self, app_id: &str) -> (PrivateKey, Option<String>) {
        if self.certs.app_cert_sn(app_id).is_some()
            && let Some(authority) = lock(&self.certs.authority).as_ref()
        {
            return (
                authority.current.key.clone(),
                Some(authority.current.sn.clone()),
            );
        }
        (self.signer.clone(), None)
    }
}

/// A new certificate app: a key pair, an app certificate from the sandbox's root, an AES key.
pub(crate) fn create_cert_app(
    shared: &Shared,
    app: super::SandboxApp,
) -> Result<SandboxCertApp, SandboxError> {
    let files = certify(shared, &app.app_id, &app.public_key)?;
    Ok(SandboxCertApp {
        app,
        app_cert_pem: files.app_cert_pem,
        alipay_cert_pem: files.alipay_cert_pem,
        alipay_root_cert_pem: files.alipay_root_cert_pem,
        aes_key: files.aes_key,
    })
}

/// Moves the registered app `app_id` (whose public key is `public_key`) to certificate mode:
/// issues its app certificate from the root and gives it an AES key.
pub(crate) fn certify(
    shared: &Shared,
    app_id: &str,
    public_key: &PublicKey,
) -> Result<AppCertificates, SandboxError> {
    let (app_cert_pem, alipay_cert_pem, alipay_root_cert_pem) =
        with_authority(shared, |authority| {
            let app_cert = issue_leaf(
                &authority.root,
                &[
                    (DnType::CountryName, "CN"),
                    (DnType::OrganizationName, "Sandbox Merchant"),
                    (DnType::OrganizationalUnitName, "Alipay Sandbox Apps"),
                    (DnType::CommonName, app_id),
                ],
                public_key,
            )?;
            Ok((
                app_cert,
                authority.current.pem.clone(),
                authority.bundle_pem.clone(),
            ))
        })?;
    let app_cert_sn = Certificate::from_pem(&app_cert_pem)
        .map_err(certificate_error)?
        .sn();
    let aes_key = new_aes_key()?;
    shared
        .certs
        .set_aes_key(app_id, AesKey::from_base64(&aes_key)?);
    shared
        .certs
        .cert_apps
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(app_id.to_owned(), app_cert_sn);
    Ok(AppCertificates {
        app_cert_pem,
        alipay_cert_pem,
        alipay_root_cert_pem,
        aes_key,
    })
}

/// A random AES-128 key, base64.
pub(crate) fn new_aes_key() -> Result<String, SandboxError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| certificate_error("no random source"))?;
    Ok(STANDARD.encode(bytes))
}

/// Issues a new Alipay certificate from the root and signs with it from now on; its SN.
pub(crate) fn rotate(shared: &Shared) -> Result<String, SandboxError> {
    with_authority(shared, |authority| {
        let issued = issue_alipay(&authority.root, PrivateKey::generate()?)?;
        authority.current = issued.clone();
        authority.issued.push(issued.clone());
        Ok(issued.sn)
    })
}

/// Like [`rotate`], but the certificate comes from another root with the same name: clients
/// must refuse it.
pub(crate) fn rotate_forged(shared: &Shared) -> Result<String, SandboxError> {
    with_authority(shared, |authority| {
        let forger = match authority.forger.take() {
            Some(forger) => forger,
            None => self_signed_rsa_root()?.0,
        };
        let issued = PrivateKey::generate()
            .map_err(SandboxError::from)
            .and_then(|key| issue_alipay(&forger, key));
        authority.forger = Some(forger);
        let issued = issued?;
        authority.current = issued.clone();
        authority.issued.push(issued.clone());
        Ok(issued.sn)
    })
}

/// The current Alipay certificate (PEM) and its SN, issuing the authority if needed.
pub(crate) fn current(shared: &Shared) -> Result<(String, String), SandboxError> {
    with_authority(shared, |authority| {
        Ok((authority.current.pem.clone(), authority.current.sn.clone()))
    })
}

/// The root bundle (PEM) and its `alipay_root_cert_sn`, issuing the authority if needed.
pub(crate) fn root_bundle(shared: &Shared) -> Result<(String, String), SandboxError> {
    with_authority(shared, |authority| {
        Ok((authority.bundle_pem.clone(), authority.root_sn.clone()))
    })
}

/// The certificate checks of a request (after the app and the method are known): a
/// certificate app must send its `app_cert_sn` and the bundle's `alipay_root_cert_sn`.
pub(crate) fn check_request(shared: &Shared, params: &[(String, String)]) -> Result<(), Failure> {
    let get = |key: &str| super::decode::param(params, key);
    let Some(expected) = get("app_id").and_then(|id| shared.certs.app_cert_sn(id)) else {
        return Ok(());
    };
    match get("app_cert_sn") {
        None => {
            return Err(Failure::missing(
                "isv.missing-app-cert-sn",
                "缺少应用公钥证书序列号app_cert_sn",
            ));
        }
        Some(sn) if sn != expected => {
            return Err(Failure::invalid(
                "isv.invalid-app-cert-sn",
                "应用公钥证书序列号app_cert_sn不正确",
            ));
        }
        Some(_) => {}
    }
    let root_sn = lock(&shared.certs.authority)
        .as_ref()
        .map(|authority| authority.root_sn.clone())
        .unwrap_or_default();
    match get("alipay_root_cert_sn") {
        None => Err(Failure::missing(
            "isv.missing-alipay-root-cert-sn",
            "缺少支付宝根证书序列号alipay_root_cert_sn",
        )),
        Some(sn) if sn != root_sn => Err(Failure::invalid(
            "isv.invalid-alipay-root-cert-sn",
            "支付宝根证书序列号alipay_root_cert_sn不正确",
        )),
        Some(_) => Ok(()),
    }
}

/// The `biz_content` JSON text of a request: decrypted if `encrypt_type=AES` (and the app has
/// a key and it decrypts), as sent otherwise. `None` when there is no `biz_content`, or it
/// cannot be decrypted (the gateway refuses that after the signature check, see
/// [`check_encryption`]).
pub(crate) fn plain_biz_content(shared: &Shared, params: &[(String, String)]) -> Option<String> {
    let get = |key: &str| super::decode::param(params, key);
    let biz = get("biz_content")?;
    if get("encrypt_type").is_none() {
        return Some(biz.to_owned());
    }
    let key = shared.certs.aes_key(get("app_id")?)?;
    encrypt::decrypt_biz_content(&key, biz).ok()
}

/// The certificate checks of an OpenAPI v3 request of a certificate app: the `app_cert_sn` of
/// its `Authorization` and the `alipay-root-cert-sn` header. Other apps pass.
pub(crate) fn check_v3_request(
    shared: &Shared,
    app_id: &str,
    app_cert_sn: Option<&str>,
    root_cert_sn: Option<&str>,
) -> Result<(), Failure> {
    let Some(expected) = shared.certs.app_cert_sn(app_id) else {
        return Ok(());
    };
    let root_sn = lock(&shared.certs.authority)
        .as_ref()
        .map(|authority| authority.root_sn.clone())
        .unwrap_or_default();
    if app_cert_sn != Some(expected.as_str()) {
        return Err(Failure::invalid(
            "isv.invalid-app-cert-sn",
            "应用公钥证书序列号app_cert_sn不正确或缺失",
        ));
    }
    if root_cert_sn != Some(root_sn.as_str()) {
        return Err(Failure::invalid(
            "isv.invalid-alipay-root-cert-sn",
            "支付宝根证书序列号alipay-root-cert-sn不正确或缺失",
        ));
    }
    Ok(())
}

/// The encryption checks of a request, after its signature: a known `encrypt_type`, a key for
/// the app, a `biz_content` that decrypts. `Ok(true)` when the request is encrypted (and its
/// answer must be).
pub(crate) fn check_encryption(
    shared: &Shared,
    params: &[(String, String)],
) -> Result<bool, Failure> {
    let get = |key: &str| super::decode::param(params, key);
    match get("encrypt_type") {
        None => return Ok(false),
        Some(encrypt::ENCRYPT_TYPE_AES) => {}
        Some(_) => {
            return Err(Failure::invalid(
                "isv.invalid-encrypt-type",
                "无效的加密类型，沙箱只支持AES",
            ));
        }
    }
    let Some(key) = get("app_id").and_then(|id| shared.certs.aes_key(id)) else {
        return Err(Failure::invalid(
            "isv.missing-encrypt-key",
            "应用未设置接口内容加密密钥",
        ));
    };
    if let Some(biz) = get("biz_content")
        && encrypt::decrypt_biz_content(&key, biz).is_err()
    {
        return Err(Failure::invalid(
            "isv.decryption-error",
            "解密出错，请检查接口内容加密密钥与加密方式",
        ));
    }
    Ok(true)
}

/// The answer node of a request: encrypted (a JSON string of the ciphertext) when the request
/// was encrypted, as it is otherwise.
pub(crate) fn answer_node(shared: &Shared, params: &[(String, String)], node: String) -> String {
    if check_encryption(shared, params) != Ok(true) {
        return node;
    }
    let Some(key) = super::decode::param(params, "app_id").and_then(|id| shared.certs.aes_key(id))
    else {
        return node;
    };
    let ciphertext = encrypt::encrypt_biz_content(&key, &node);
    serde_json::Value::String(ciphertext).to_string()
}

/// `alipay.open.app.alipaycert.download`: any Alipay certificate the sandbox issued, by SN, as
/// the base64 of its PEM.
pub(crate) fn download(call: &Call<'_>) -> Result<Node, Failure> {
    let sn = call.biz.required("alipay_cert_sn")?;
    let pem = lock(&call.shared.certs.authority)
        .as_ref()
        .and_then(|authority| {
            authority
                .issued
                .iter()
                .find(|issued| issued.sn == *sn)
                .map(|issued| issued.pem.clone())
        });
    let Some(pem) = pem else {
        return Err(Failure::business(
            "ALIPAY_CERT_NOT_EXIST",
            format!("支付宝公钥证书{sn}不存在"),
        ));
    };
    let mut node = Node::success();
    node.str("alipay_cert_content", &STANDARD.encode(pem));
    Ok(node)
}
