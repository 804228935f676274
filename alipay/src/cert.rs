//! Certificate mode (公钥证书模式): certificate parsing, the SNs Alipay expects, and chain
//! checks.
//!
//! In certificate mode every request carries `app_cert_sn` (the SN of the app's certificate,
//! `appCertPublicKey_<app id>.crt`) and `alipay_root_cert_sn` (the SNs of the RSA roots of
//! `alipayRootCert.crt`), and Alipay's answers name the certificate they were signed with in
//! `alipay_cert_sn`. [`CertConfig`] reads the three files and holds these values and the
//! Alipay public keys by SN.
//!
//! An SN is the lowercase hex MD5 of the certificate's issuer name, written as Java's
//! `X500Principal.getName()` writes it ([`Name::rfc2253`]), followed by the serial number in
//! decimal: see [`cert_sn`] and [`root_cert_sn`].
//!
//! Parsing is strict DER with RustCrypto's `der`, `x509-cert` and `spki` and never panics;
//! what is Alipay's own (the serial as Java reads it, the names as Java writes them) is read
//! here. Certificate files are read tolerantly (CRLF, blank lines or none between blocks, text
//! around them), and root bundles may contain SM2 and ECDSA roots, which are skipped. Validity
//! times are `UTCTime` or `GeneralizedTime` from 1970 to 9999 (`der`'s range).
//!
//! Like Alipay's own SDKs, building a [`CertConfig`] checks neither validity periods nor
//! chains (Alipay's sample certificates are long expired). [`verify_chain`] and
//! [`CertConfig::verify_alipay_chain`] do both, for RSA PKCS#1 v1.5 signatures.
//!
//! ```
//! # fn run() -> Result<(), alipay::cert::CertError> {
//! # let (app, alipay, root) = (String::new(), String::new(), String::new());
//! use alipay::cert::CertConfig;
//!
//! let config = CertConfig::from_pems(&app, &alipay, &root)?;
//! println!("app_cert_sn={}", config.app_cert_sn());
//! println!("alipay_root_cert_sn={}", config.alipay_root_cert_sn());
//! # Ok(()) }
//! ```

use std::fmt;
use std::fmt::Write as _;
use std::path::PathBuf;

use md5::{Digest as _, Md5};

use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};

use crate::crypto::format;
use crate::crypto::{Backend, KeyError, PublicKey};

mod config;
mod decimal;
mod learn;
mod name;
mod parse;
mod pem;
mod verify;

pub use self::config::CertConfig;
pub(crate) use self::config::CertPart;
pub use self::name::Name;

/// The signature algorithm OID prefix of the RSA (PKCS#1) family, as Alipay's SDKs test it.
const RSA_SIGNATURE_PREFIX: &str = "1.2.840.113549.1.1";

/// Why a certificate could not be read, used or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The text holds no PEM certificate (`-----BEGIN CERTIFICATE-----`).
    #[error(
        "no certificate found: expected PEM text with `-----BEGIN CERTIFICATE-----` (an \
         Alipay .crt file)"
    )]
    NotPem,
    /// A PEM block is broken (not base64, no END line, …).
    #[error("malformed PEM: {0}")]
    BadPem(&'static str),
    /// The DER structure is malformed at `field`.
    #[error("malformed certificate DER at {field}: {reason}")]
    Malformed {
        /// The certificate field, e.g. `tbsCertificate.serialNumber`.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An error about one certificate of a bundle.
    #[error("certificate #{index} of the bundle: {error}")]
    InBundle {
        /// The position of the certificate in the file, from 1.
        index: usize,
        /// The error.
        error: Box<CertError>,
    },
    /// An error about one input of [`CertConfig`].
    #[error("{input}: {error}")]
    Input {
        /// Which input (and file), e.g. ``the app certificate `appCert.crt` ``.
        input: String,
        /// The error.
        error: Box<CertError>,
    },
    /// A certificate file could not be read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The root bundle has no certificate with an RSA signature.
    #[error(
        "the root certificate bundle has no RSA certificate (only SM2 or ECDSA ones); \
         use the alipayRootCert.crt Alipay gives for RSA2 apps"
    )]
    NoRsaRoot,
    /// A signature or key algorithm that is not verified here (only RSA PKCS#1 v1.5 with
    /// SHA-1, SHA-256, SHA-384 or SHA-512 is).
    #[error(
        "unsupported algorithm {oid}: only RSA PKCS#1 v1.5 signatures (SHA-1, SHA-256, \
         SHA-384, SHA-512) are verified"
    )]
    UnsupportedAlgorithm {
        /// The dotted OID.
        oid: String,
    },
    /// The certificate's public key is not a usable RSA key.
    #[error("the certificate's public key cannot be used: {0}")]
    Key(KeyError),
    /// The certificate is not valid yet.
    #[error(
        "the certificate `{subject}` is not valid before {} (checked at {})",
        crate::time::format_utc(*not_before),
        crate::time::format_utc(*now)
    )]
    NotYetValid {
        /// The certificate's subject (RFC 2253).
        subject: String,
        /// Its `notBefore`, in Unix seconds.
        not_before: i64,
        /// The time checked, in Unix seconds.
        now: i64,
    },
    /// The certificate has expired.
    #[error(
        "the certificate `{subject}` expired at {} (checked at {})",
        crate::time::format_utc(*not_after),
        crate::time::format_utc(*now)
    )]
    Expired {
        /// The certificate's subject (RFC 2253).
        subject: String,
        /// Its `notAfter`, in Unix seconds.
        not_after: i64,
        /// The time checked, in Unix seconds.
        now: i64,
    },
    /// The certificate names another issuer than the certificate checked against.
    #[error("the certificate's issuer is `{issuer}`, not `{candidate}`")]
    IssuerMismatch {
        /// The certificate's issuer (RFC 2253).
        issuer: String,
        /// The subject of the certificate it was checked against (RFC 2253).
        candidate: String,
    },
    /// The signature does not verify with the issuer's key.
    #[error("the signature of `{subject}` does not verify with the key of `{issuer}`")]
    BadSignature {
        /// The signed certificate's subject (RFC 2253).
        subject: String,
        /// The issuer certificate's subject (RFC 2253).
        issuer: String,
    },
    /// No path leads from the certificate to a configured root.
    #[error("the certificate `{subject}` does not chain to a configured root: {reason}")]
    NotChained {
        /// The certificate's subject (RFC 2253).
        subject: String,
        /// Why the last candidate path failed.
        reason: String,
    },
    /// A certificate offered as a new Alipay certificate (e.g. downloaded with
    /// `alipay.open.app.alipaycert.download`) is not one: another issuer, another
    /// organisation, an app or CA certificate, a weak signature (see
    /// [`CertConfig::trust_alipay_certificate`]).
    #[error("the certificate `{subject}` is not trusted as an Alipay certificate: {reason}")]
    NotAlipay {
        /// The certificate's subject (RFC 2253).
        subject: String,
        /// Which check it failed.
        reason: String,
    },
    /// An answer named an unknown Alipay certificate, but the client does not download it now:
    /// its download failed a moment ago, or too many downloads were made recently (an answer
    /// that names an unknown certificate cannot be verified before the download, so anyone
    /// on the network path could otherwise make the client download at will).
    #[error("the Alipay certificate `{sn}` is not downloaded now: {reason}")]
    DownloadRefused {
        /// The SN the answer named.
        sn: String,
        /// Why, and when a download may be tried again.
        reason: String,
    },
    /// A certificate obtained for an SN (e.g. downloaded with
    /// `alipay.open.app.alipaycert.download`) has another SN.
    #[error("the certificate obtained for SN `{expected}` has the SN `{actual}`")]
    SnMismatch {
        /// The SN asked for.
        expected: String,
        /// The certificate's SN.
        actual: String,
    },
}

impl CertError {
    /// The error inside the [`CertError::InBundle`] and [`CertError::Input`] wrappers.
    pub fn innermost(&self) -> &CertError {
        match self {
            CertError::InBundle { error, .. } | CertError::Input { error, .. } => error.innermost(),
            other => other,
        }
    }

    fn input(input: impl Into<String>) -> impl FnOnce(CertError) -> CertError {
        let input = input.into();
        move |error| CertError::Input {
            input,
            error: Box::new(error),
        }
    }
}

/// The extensions the chain check acts on, as `x509-cert` decodes them.
#[derive(Debug, Clone, Default)]
struct Extensions {
    /// basicConstraints (`None` without the extension).
    basic_constraints: Option<BasicConstraints>,
    /// keyUsage (`None` without the extension).
    key_usage: Option<KeyUsage>,
    /// Critical extensions this crate does not process (dotted OIDs).
    unknown_critical: Vec<String>,
}

impl Extensions {
    /// Whether basicConstraints says `cA`.
    fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|bc| bc.ca)
    }

    /// keyUsage's keyCertSign bit (`None` without the extension).
    fn key_cert_sign(&self) -> Option<bool> {
        self.key_usage.map(|usage| usage.key_cert_sign())
    }

    /// keyUsage's digitalSignature bit (`None` without the extension).
    fn digital_signature(&self) -> Option<bool> {
        self.key_usage.map(|usage| usage.digital_signature())
    }
}

/// A parsed X.509 certificate.
///
/// Any certificate is parsed whatever its key and signature algorithms (SM2 and ECDSA ones
/// too); only RSA signatures can be [verified](Certificate::verify_signed_by). Two
/// certificates are equal when their DER encodings are.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    version: u8,
    serial: Vec<u8>,
    serial_negative: bool,
    issuer: Name,
    subject: Name,
    not_before: i64,
    not_after: i64,
    spki: Vec<u8>,
    key_algorithm: String,
    signature_algorithm: String,
    signature: Vec<u8>,
    extensions: Extensions,
}

impl Certificate {
    /// Parses a DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        parse::certificate(der)
    }

    /// The first certificate of PEM text (e.g. an `appCertPublicKey_….crt` file); bare base64
    /// of the DER is accepted too.
    pub fn from_pem(text: &str) -> Result<Self, CertError> {
        let text = text.trim_start_matches('\u{feff}');
        match pem::certificate_blocks(text).into_iter().next() {
            Some(block) => Self::from_der(&block?),
            None => match format::decode_base64(text) {
                Some(der) if der.first() == Some(&0x30) => Self::from_der(&der),
                _ => Err(CertError::NotPem),
            },
        }
    }

    /// The whole certificate DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`, 64-character lines).
    pub fn to_pem(&self) -> String {
        crate::crypto::pem(&self.der, "CERTIFICATE").to_string()
    }

    /// The DER of the signed part, `tbsCertificate` (header included).
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs
    }

    /// The X.509 version: 1, 2 or 3.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The serial number's magnitude, big-endian without leading zero bytes (empty for zero).
    ///
    /// A serial with its high bit set is encoded with a leading zero byte and is positive; a
    /// serial encoded as a negative number (a CA bug) has [`Certificate::serial_is_negative`].
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Whether the serial number is encoded as a negative INTEGER.
    pub fn serial_is_negative(&self) -> bool {
        self.serial_negative
    }

    /// The serial number in decimal, as Java's `BigInteger.toString()` writes it.
    pub fn serial_decimal(&self) -> String {
        let digits = decimal::to_decimal(&self.serial, 256);
        if self.serial_negative && digits != "0" {
            format!("-{digits}")
        } else {
            digits
        }
    }

    /// The issuer's name.
    pub fn issuer(&self) -> &Name {
        &self.issuer
    }

    /// The subject's name.
    pub fn subject(&self) -> &Name {
        &self.subject
    }

    /// The start of the validity period (`notBefore`), in Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// The end of the validity period (`notAfter`, inclusive), in Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Whether `unix_seconds` is within the validity period (both ends included).
    pub fn is_valid_at(&self, unix_seconds: i64) -> bool {
        self.not_before <= unix_seconds && unix_seconds <= self.not_after
    }

    /// `Ok` if `unix_seconds` is within the validity period, otherwise
    /// [`CertError::NotYetValid`] or [`CertError::Expired`] with the dates.
    pub fn check_validity_at(&self, unix_seconds: i64) -> Result<(), CertError> {
        if unix_seconds < self.not_before {
            Err(CertError::NotYetValid {
                subject: self.subject.rfc2253().to_owned(),
                not_before: self.not_before,
                now: unix_seconds,
            })
        } else if unix_seconds > self.not_after {
            Err(CertError::Expired {
                subject: self.subject.rfc2253().to_owned(),
                not_after: self.not_after,
                now: unix_seconds,
            })
        } else {
            Ok(())
        }
    }

    /// The `SubjectPublicKeyInfo` DER, as in the certificate.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The public key's algorithm OID, e.g. `1.2.840.113549.1.1.1` (RSA).
    pub fn key_algorithm(&self) -> &str {
        &self.key_algorithm
    }

    /// The certificate's RSA public key, for the given backend.
    pub fn public_key(&self, backend: Backend) -> Result<PublicKey, CertError> {
        PublicKey::from_spki_der(&self.spki, backend).map_err(CertError::Key)
    }

    /// The outer `signatureAlgorithm` OID, dotted, e.g. `1.2.840.113549.1.1.11`
    /// (sha256WithRSAEncryption).
    pub fn signature_algorithm(&self) -> &str {
        &self.signature_algorithm
    }

    /// Whether the signature algorithm is in the RSA family (OID `1.2.840.113549.1.1…`): the
    /// certificates [`root_cert_sn`] keeps.
    pub fn is_rsa_signed(&self) -> bool {
        self.signature_algorithm.starts_with(RSA_SIGNATURE_PREFIX)
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Whether basicConstraints marks the certificate as a CA.
    pub fn is_ca(&self) -> bool {
        self.extensions.is_ca()
    }

    /// The certificate's SN: see [`cert_sn`].
    pub fn sn(&self) -> String {
        cert_sn(self)
    }

    /// Checks that `issuer` issued this certificate: this certificate's issuer name is
    /// `issuer`'s subject name (byte for byte), and the signature verifies with `issuer`'s RSA
    /// key (PKCS#1 v1.5 with SHA-256, SHA-1, SHA-384 or SHA-512, keys of 2048 to 8192 bits).
    ///
    /// Only the signature is checked: see [`verify_chain`] for validity periods and CA
    /// constraints.
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), CertError> {
        verify::signed_by(self, issuer)
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject.rfc2253())
            .field("issuer", &self.issuer.rfc2253())
            .field("serial", &self.serial_decimal())
            .field("not_before", &crate::time::format_utc(self.not_before))
            .field("not_after", &crate::time::format_utc(self.not_after))
            .field("signature_algorithm", &self.signature_algorithm)
            .finish_non_exhaustive()
    }
}

/// Every certificate of PEM text, in order: each one parsed, or the error that prevented it.
///
/// The text may have CRLF line ends, blank lines (or none) between blocks and text around
/// them; blocks other than `CERTIFICATE` are skipped. Text without any PEM certificate gives
/// an empty list.
pub fn parse_pem_bundle(text: &str) -> Vec<Result<Certificate, CertError>> {
    pem::certificate_blocks(text)
        .into_iter()
        .map(|block| block.and_then(|der| Certificate::from_der(&der)))
        .collect()
}

/// The SN Alipay gives a certificate (`app_cert_sn`, `alipay_cert_sn`): the lowercase hex MD5
/// (32 characters) of the issuer name in RFC 2253 form ([`Name::rfc2253`]) followed by the
/// serial number in decimal.
///
/// For example `CN=Ant Financial Certification Authority Class 1 R1,OU=Certification
/// Authority,O=Ant Financial,C=CN42706824561068464842605407058315913859` gives
/// `e1b085ae86cbbba54fe9dc6cdf82b65a`.
pub fn cert_sn(cert: &Certificate) -> String {
    let mut md5 = Md5::new();
    md5.update(cert.issuer.rfc2253().as_bytes());
    md5.update(cert.serial_decimal().as_bytes());
    let mut out = String::with_capacity(32);
    for b in md5.finalize() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The `alipay_root_cert_sn` of a root bundle (`alipayRootCert.crt`): the [SNs](cert_sn) of
/// its certificates whose signature algorithm is in the RSA family (OID starting with
/// `1.2.840.113549.1.1`), in file order, joined with `_`.
///
/// Certificates with other signature algorithms (the SM2 and ECDSA roots of Alipay's bundle)
/// are skipped, even if they cannot be fully parsed (their outer signature algorithm is read
/// leniently). An RSA certificate that cannot be parsed is an error, as is a bundle without
/// any RSA certificate ([`CertError::NoRsaRoot`]).
pub fn root_cert_sn(bundle: &str) -> Result<String, CertError> {
    Ok(rsa_roots(bundle)?
        .iter()
        .map(cert_sn)
        .collect::<Vec<_>>()
        .join("_"))
}

/// The RSA-signed certificates of a root bundle, in file order (see [`root_cert_sn`]).
fn rsa_roots(bundle: &str) -> Result<Vec<Certificate>, CertError> {
    let blocks = pem::certificate_blocks(bundle.trim_start_matches('\u{feff}'));
    if blocks.is_empty() {
        return Err(CertError::NotPem);
    }
    let in_bundle = |index: usize| {
        move |error| CertError::InBundle {
            index: index + 1,
            error: Box::new(error),
        }
    };
    let mut roots = Vec::new();
    for (index, block) in blocks.into_iter().enumerate() {
        let der = block.map_err(in_bundle(index))?;
        match Certificate::from_der(&der) {
            Ok(cert) if cert.is_rsa_signed() => roots.push(cert),
            Ok(_) => {}
            Err(error) => match parse::outer_signature_algorithm(&der) {
                Some(oid) if !oid.starts_with(RSA_SIGNATURE_PREFIX) => {}
                _ => return Err(in_bundle(index)(error)),
            },
        }
    }
    if roots.is_empty() {
        return Err(CertError::NoRsaRoot);
    }
    Ok(roots)
}

/// Checks that `leaf` chains to one of `roots` at `now` (Unix seconds).
///
/// The path goes from `leaf` through any of `intermediates` (in any order, at most six) to a
/// certificate of `roots` that issued the last one. Each link needs matching names and a
/// valid RSA PKCS#1 v1.5 signature ([`Certificate::verify_signed_by`]); the leaf and the
/// intermediates must be valid at `now`, and each intermediate must be a CA (basicConstraints
/// `cA`, keyUsage `keyCertSign` if present, path length respected) without unsupported
/// critical extensions. Roots are trust anchors: their own validity and signatures are not
/// checked.
///
/// Errors: [`CertError::NotYetValid`] or [`CertError::Expired`] for the leaf, otherwise
/// [`CertError::NotChained`] with the reason the last candidate path failed.
pub fn verify_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    now: i64,
) -> Result<(), CertError> {
    verify::chain(leaf, intermediates, roots, now)
}

/// The current time in Unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
