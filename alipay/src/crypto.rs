//! Keys, signatures and content encryption.
//!
//! Alipay's "RSA2" scheme is SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256) over an RSA key of
//! at least 2048 bits. The app signs requests with its [`PrivateKey`]; Alipay's answers and
//! notifications are checked with the Alipay [`PublicKey`]. Both parse the text formats that
//! Alipay's key tool and the console give, and that users paste:
//!
//! - PEM: `RSA PRIVATE KEY` (PKCS#1), `PRIVATE KEY` (PKCS#8), `PUBLIC KEY` (X.509 SPKI),
//!   `RSA PUBLIC KEY` (PKCS#1);
//! - bare base64 of the same DER, on one line or several, as the key tool's "PKCS8 (Java)" and
//!   "PKCS1" outputs and the console's public keys are;
//!
//! with CRLF line ends, indentation, surrounding whitespace and literal `\n` escapes ignored.
//! What a key is (PKCS#1, PKCS#8, SPKI) is read from its ASN.1 structure, not from the PEM
//! label, and a wrong key (a certificate, a public key where the private one is expected, an EC
//! key, a short RSA key…) gives a [`KeyError`] that says so.
//!
//! Keys are parsed once; signing and verifying reuse the parsed key. To sign elsewhere, implement
//! [`Signer`] (a signer that answers at once, e.g. a local HSM library) or [`AsyncSigner`] (one
//! that does network I/O, e.g. a KMS or a signing service).
//!
//! # Key material in memory and in text
//!
//! - `Debug` of [`PrivateKey`] and [`AesKey`] shows only the backend and the size; errors
//!   ([`KeyError`], [`AesError`], the client's `ConfigError`) never quote key text. The
//!   integration test `tests/tests/secrets.rs` formats every reachable object and captures the
//!   `tracing` output of normal and failing calls, and searches them for key material and tokens.
//! - Zeroized when dropped: the key text given to
//!   [`ClientBuilder::app_private_key`](crate::ClientBuilder::app_private_key) (held until
//!   `build`), every intermediate buffer of parsing (base64 and DER copies), the PKCS#8 DER kept
//!   for [`PrivateKey::to_pkcs8_pem`], and the PEM that method returns
//!   ([`Zeroizing`]); the AES key schedules (the `aes` crate's `zeroize` feature).
//! - The parsed RSA keys live in the backend: AWS-LC frees its `RSA` and `BIGNUM`s with
//!   `OPENSSL_free`, which clears memory before freeing it; the `rsa` crate's `RsaPrivateKey`
//!   zeroizes its private exponent, primes and CRT values on drop.
//! - Not covered: copies the caller made (the `String` read from a file before it is handed to
//!   the builder is the caller's to zeroize), and memory the allocator or the OS swapped or
//!   copied on reallocation.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::transport::BoxFuture;
use crate::{BoxError, VerifyError};

mod aes;
mod aws;
pub(crate) mod format;
pub(crate) mod pem;
#[cfg(feature = "rsa")]
mod rust;

pub use self::aes::{AesError, AesKey};

/// The smallest RSA modulus accepted: RSA2 means RSA-2048.
const MIN_BITS: usize = 2048;

/// Signs sign content at once, on the caller's thread: implement it for a signer that does no
/// I/O (e.g. a local HSM library). One that waits on the network (a KMS, a signing service)
/// should be an [`AsyncSigner`] instead, so as not to block the runtime.
pub trait Signer: Send + Sync + 'static {
    /// SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256) over `content`, returned as standard
    /// base64 with padding.
    fn sign(&self, content: &[u8]) -> Result<String, BoxError>;
}

/// Signs sign content by awaiting something else (a KMS, an HSM on the network, a signing
/// service), without blocking the runtime. Set it with
/// [`ClientBuilder::async_signer`](crate::ClientBuilder::async_signer).
///
/// Signing happens once per call, before anything is sent: an error (or a signer that has not
/// answered by the call's deadline) is [`Error::Sign`](crate::Error::Sign), and the request
/// was not sent. The future is boxed per call; a local key ([`PrivateKey`], any [`Signer`])
/// takes a synchronous path with no box and no task hop.
///
/// Rendering ([`Client::render`](crate::Client::render): page pay forms, order strings) is
/// synchronous: a client with an async-only signer answers it with [`Error::Sign`](crate::Error::Sign)
/// (use a client with a [`Signer`] to render).
///
/// ```
/// use alipay::crypto::{AsyncSigner, PrivateKey, Signer as _};
/// use alipay::transport::BoxFuture;
/// use alipay::BoxError;
///
/// /// Stands in for a KMS client: signs after awaiting.
/// struct Kms(PrivateKey);
///
/// impl AsyncSigner for Kms {
///     fn sign<'a>(&'a self, content: &'a [u8]) -> BoxFuture<'a, Result<String, BoxError>> {
///         Box::pin(async move {
///             tokio::task::yield_now().await;
///             self.0.sign(content)
///         })
///     }
/// }
/// ```
pub trait AsyncSigner: Send + Sync + 'static {
    /// SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256) over `content`, returned as standard
    /// base64 with padding, once the future completes.
    fn sign<'a>(&'a self, content: &'a [u8]) -> BoxFuture<'a, Result<String, BoxError>>;
}

/// Verifies Alipay's signatures.
pub trait Verifier: Send + Sync + 'static {
    /// `Ok` if `signature_b64` (standard base64) is a valid SHA256withRSA signature of
    /// `content`; [`VerifyError::BadEncoding`] if it is not base64, [`VerifyError::Mismatch`]
    /// otherwise.
    fn verify(&self, content: &[u8], signature_b64: &str) -> Result<(), VerifyError>;
}

/// The implementation of RSA used by a key.
///
/// Both produce the same signatures (RSASSA-PKCS1-v1_5 is deterministic) and accept the same
/// keys up to 4096 bits; AWS-LC also takes larger ones, up to 8192 bits.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// aws-lc-rs (AWS-LC, also used by rustls): constant-time, the default.
    #[default]
    AwsLc,
    /// The pure-Rust RustCrypto `rsa` crate (feature `rsa`), for targets AWS-LC does not build
    /// on.
    ///
    /// **Security note:** the RustSec advisory
    /// [RUSTSEC-2023-0071](https://rustsec.org/advisories/RUSTSEC-2023-0071) (the "Marvin
    /// attack", a timing side channel in the `rsa` crate's private key operations) is still
    /// listed against the `rsa` crate, without a fixed release. Signing uses the crate's random
    /// blinding, which mitigates but does not remove the leak. The default [`Backend::AwsLc`]
    /// is constant-time: prefer it wherever it builds.
    #[cfg(feature = "rsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
    RustCrypto,
}

impl Backend {
    /// The largest modulus the backend accepts.
    fn max_bits(self) -> usize {
        match self {
            Backend::AwsLc => aws::MAX_BITS,
            #[cfg(feature = "rsa")]
            Backend::RustCrypto => rust::MAX_BITS,
        }
    }
}

/// Why a key could not be used. The messages never contain key material.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The key text (or DER) is empty.
    #[error("the key is empty")]
    Empty,
    /// The text is neither PEM (`-----BEGIN …-----`) nor base64.
    #[error("the key is neither PEM (`-----BEGIN ...-----`) nor base64 text")]
    NotPemOrBase64,
    /// The key setting holds what looks like a file path (a key setting takes the key's text),
    /// and no such file exists.
    #[error(
        "file not found: {0} (the key setting takes the key's text, not a path: read the file \
         and pass its contents)"
    )]
    FileNotFound(String),
    /// The key setting holds the path of an existing file instead of the key's text.
    #[error(
        "`{0}` is the path of a file, not a key: read the file and pass its contents \
         (e.g. `std::fs::read_to_string`)"
    )]
    PathGiven(String),
    /// The text looks like PEM but is not well-formed.
    #[error("the PEM text is malformed: {0}")]
    BadPem(&'static str),
    /// A certificate was given where a key is expected.
    #[error(
        "this is a certificate, not a key; certificate mode (公钥证书模式) needs the \
         certificate options (app certificate, Alipay certificate and Alipay root certificate), \
         not a key"
    )]
    Certificate,
    /// A PEM block whose label is not a key type this SDK reads (e.g. `OPENSSH PRIVATE KEY`).
    #[error(
        "PEM `{0}` is not a supported key format; use `PRIVATE KEY`, `RSA PRIVATE KEY`, \
         `PUBLIC KEY` or `RSA PUBLIC KEY`"
    )]
    UnsupportedPem(String),
    /// A password-protected private key.
    #[error("this private key is encrypted; export it without a password (PKCS#8 or PKCS#1)")]
    Encrypted,
    /// A public key was given where the (app) private key is expected.
    #[error("this is a public key; the app private key is expected")]
    ExpectedPrivateKey,
    /// A private key was given where the (Alipay) public key is expected.
    #[error("this is a private key; the Alipay public key is expected")]
    ExpectedPublicKey,
    /// A key of another algorithm (EC, SM2, Ed25519, …).
    #[error("this is a {0} key; only RSA2 (RSA-2048 SHA256) is supported")]
    NotRsa(&'static str),
    /// An RSA key below 2048 bits (legacy "RSA", not "RSA2").
    #[error("the RSA key has {bits} bits; RSA2 needs at least 2048 bits")]
    TooSmall {
        /// The modulus size.
        bits: usize,
    },
    /// An RSA key larger than the backend supports.
    #[error("the RSA key has {bits} bits; at most {max} are supported")]
    TooLarge {
        /// The modulus size.
        bits: usize,
        /// The backend's limit.
        max: usize,
    },
    /// The DER structure is malformed (e.g. truncated, or copied incompletely).
    #[error("the key's DER encoding is malformed ({0}); was it copied completely?")]
    Malformed(&'static str),
    /// The structure is fine but the RSA numbers are not a valid key (e.g. inconsistent
    /// private key components).
    #[error("the RSA key's numbers are invalid (the crypto backend rejected it)")]
    Rejected,
    /// Key generation failed.
    #[error("RSA key generation failed")]
    Generate,
    /// The AES key is not valid base64.
    #[error("the AES key is not valid base64")]
    AesKeyNotBase64,
    /// The AES key does not have an AES key size.
    #[error("the AES key is {len} bytes; it must be 16, 24 or 32 bytes (AES-128/192/256)")]
    AesKeyLength {
        /// The decoded length in bytes.
        len: usize,
    },
}

/// A signing failure inside the backend (it does not happen with a parsed key).
#[derive(Debug, thiserror::Error)]
#[error("RSA signing failed in the {0:?} backend")]
struct SignFailed(Backend);

fn check_size(bits: usize, backend: Backend) -> Result<(), KeyError> {
    if bits < MIN_BITS {
        return Err(KeyError::TooSmall { bits });
    }
    let max = backend.max_bits();
    if bits > max {
        return Err(KeyError::TooLarge { bits, max });
    }
    Ok(())
}

/// An RSA private key (the app private key, 应用私钥), parsed once and ready to sign.
///
/// Cloning is cheap (the parsed key is shared). `Debug` shows only the backend and the size.
#[derive(Clone)]
pub struct PrivateKey {
    inner: Arc<PrivateInner>,
}

struct PrivateInner {
    signer: SignerImpl,
    bits: usize,
    /// The normalized PKCS#8 v1 DER, for [`PrivateKey::to_pkcs8_pem`].
    pkcs8: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

enum SignerImpl {
    Aws(aws::AwsSigner),
    /// Boxed: the `rsa` key with its CRT values is much larger than AWS-LC's handle.
    #[cfg(feature = "rsa")]
    Rust(Box<rust::RustSigner>),
}

impl PrivateKey {
    /// Parses a private key with the default backend: PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`)
    /// or bare base64 of PKCS#8 or PKCS#1 DER, with or without line breaks.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::parse_with(text, Backend::default())
    }

    /// Parses a private key (as [`PrivateKey::parse`]) for the given backend.
    pub fn parse_with(text: &str, backend: Backend) -> Result<Self, KeyError> {
        let der = format::decode_text(text)?;
        Self::from_der(&der, backend)
    }

    /// Parses a PKCS#1 `RSAPrivateKey` or PKCS#8 `PrivateKeyInfo` DER.
    pub fn from_der(der: &[u8], backend: Backend) -> Result<Self, KeyError> {
        let (pkcs1, public) = match format::classify(der)? {
            format::KeyShape::RsaPrivate { pkcs1, public } => (pkcs1, public),
            format::KeyShape::RsaPublic { .. } | format::KeyShape::OtherPublic(_) => {
                return Err(KeyError::ExpectedPrivateKey);
            }
            format::KeyShape::OtherPrivate(name) => return Err(KeyError::NotRsa(name)),
            format::KeyShape::Certificate => return Err(KeyError::Certificate),
            format::KeyShape::EncryptedPrivate => return Err(KeyError::Encrypted),
        };
        let bits = public.bits();
        check_size(bits, backend)?;
        let pkcs8 = format::pkcs8_der(pkcs1)?;
        let signer = match backend {
            Backend::AwsLc => SignerImpl::Aws(aws::AwsSigner::from_pkcs8(&pkcs8)?),
            #[cfg(feature = "rsa")]
            Backend::RustCrypto => SignerImpl::Rust(Box::new(rust::RustSigner::from_pkcs1(pkcs1)?)),
        };
        let public = PublicKey::from_parts(public, backend)?;
        Ok(Self {
            inner: Arc::new(PrivateInner {
                signer,
                bits,
                pkcs8,
                public,
            }),
        })
    }

    /// Generates a new RSA-2048 key (with AWS-LC), e.g. for tests or a local sandbox.
    pub fn generate() -> Result<Self, KeyError> {
        let pkcs8 = aws::generate_pkcs8()?;
        Self::from_der(&pkcs8, Backend::AwsLc)
    }

    /// The matching public key (what is uploaded to Alipay as the app public key).
    pub fn public_key(&self) -> PublicKey {
        self.inner.public.clone()
    }

    /// The key as PKCS#8 PEM (label `PRIVATE KEY`, 64-character lines). The string is
    /// zeroized when dropped.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        pem(&self.inner.pkcs8, "PRIVATE KEY")
    }

    /// The backend the key signs with.
    pub fn backend(&self) -> Backend {
        match self.inner.signer {
            SignerImpl::Aws(_) => Backend::AwsLc,
            #[cfg(feature = "rsa")]
            SignerImpl::Rust(_) => Backend::RustCrypto,
        }
    }
}

impl Signer for PrivateKey {
    fn sign(&self, content: &[u8]) -> Result<String, BoxError> {
        let signature = match &self.inner.signer {
            SignerImpl::Aws(signer) => signer
                .sign(content)
                .map_err(|_| SignFailed(Backend::AwsLc))?,
            #[cfg(feature = "rsa")]
            SignerImpl::Rust(signer) => signer
                .sign(content)
                .map_err(|_| SignFailed(Backend::RustCrypto))?,
        };
        Ok(STANDARD.encode(signature))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("backend", &self.backend())
            .field("bits", &self.inner.bits)
            .finish()
    }
}

/// An RSA public key (usually the Alipay public key, 支付宝公钥), parsed once and ready to
/// verify.
///
/// Cloning is cheap (the parsed key is shared). Two keys are equal when they are the same RSA
/// key, whatever text they were parsed from and whichever backend verifies them (the SPKI DER is
/// normalized). `Debug` shows the public key's base64.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<PublicInner>,
}

struct PublicInner {
    /// Normalized SPKI DER (`rsaEncryption`, NULL parameters).
    spki: Vec<u8>,
    /// The PKCS#1 `RSAPublicKey` DER (the content of the SPKI's bit string).
    pkcs1: Vec<u8>,
    /// Big-endian modulus without leading zeros.
    n: Vec<u8>,
    /// Big-endian public exponent without leading zeros.
    e: Vec<u8>,
    bits: usize,
    verifier: VerifierImpl,
}

enum VerifierImpl {
    Aws(aws::AwsVerifier),
    #[cfg(feature = "rsa")]
    Rust(rust::RustVerifier),
}

impl PublicKey {
    /// Parses a public key with the default backend: PEM `PUBLIC KEY` (SPKI) or `RSA PUBLIC
    /// KEY` (PKCS#1), or bare base64 of SPKI or PKCS#1 DER (one line or several), as Alipay's
    /// console shows it.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::parse_with(text, Backend::default())
    }

    /// Parses a public key (as [`PublicKey::parse`]) for the given backend.
    pub fn parse_with(text: &str, backend: Backend) -> Result<Self, KeyError> {
        let der = format::decode_text(text)?;
        Self::from_spki_der(&der, backend)
    }

    /// Parses an X.509 `SubjectPublicKeyInfo` DER (a PKCS#1 `RSAPublicKey` DER is accepted
    /// too).
    pub fn from_spki_der(der: &[u8], backend: Backend) -> Result<Self, KeyError> {
        match format::classify(der)? {
            format::KeyShape::RsaPublic { public } => Self::from_parts(public, backend),
            format::KeyShape::RsaPrivate { .. }
            | format::KeyShape::OtherPrivate(_)
            | format::KeyShape::EncryptedPrivate => Err(KeyError::ExpectedPublicKey),
            format::KeyShape::OtherPublic(name) => Err(KeyError::NotRsa(name)),
            format::KeyShape::Certificate => Err(KeyError::Certificate),
        }
    }

    fn from_parts(public: format::RsaPublicParts<'_>, backend: Backend) -> Result<Self, KeyError> {
        let bits = public.bits();
        check_size(bits, backend)?;
        let pkcs1 = format::pkcs1_public_der(public)?;
        let verifier = match backend {
            Backend::AwsLc => VerifierImpl::Aws(aws::AwsVerifier::from_pkcs1(&pkcs1)?),
            #[cfg(feature = "rsa")]
            Backend::RustCrypto => VerifierImpl::Rust(rust::RustVerifier::from_pkcs1(&pkcs1)?),
        };
        Ok(Self {
            inner: Arc::new(PublicInner {
                spki: format::spki_der(&pkcs1)?,
                pkcs1,
                n: public.n.to_vec(),
                e: public.e.to_vec(),
                bits,
                verifier,
            }),
        })
    }

    /// The bare base64 of the SPKI DER, on one line: what Alipay's console shows and expects.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.inner.spki)
    }

    /// The key as PEM (`-----BEGIN PUBLIC KEY-----`, 64-character lines).
    pub fn to_pem(&self) -> String {
        pem(&self.inner.spki, "PUBLIC KEY").to_string()
    }

    /// The X.509 `SubjectPublicKeyInfo` DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.inner.spki
    }

    /// The PKCS#1 `RSAPublicKey` DER (the content of the SPKI's bit string), e.g. for a
    /// certificate library that takes the bare RSA key.
    pub fn pkcs1_der(&self) -> Vec<u8> {
        self.inner.pkcs1.clone()
    }

    /// Whether both are the same RSA key (same modulus and exponent), whatever their backends.
    pub fn same_key(&self, other: &PublicKey) -> bool {
        self.inner.n == other.inner.n && self.inner.e == other.inner.e
    }

    fn backend(&self) -> Backend {
        match self.inner.verifier {
            VerifierImpl::Aws(_) => Backend::AwsLc,
            #[cfg(feature = "rsa")]
            VerifierImpl::Rust(_) => Backend::RustCrypto,
        }
    }
}

impl Verifier for PublicKey {
    fn verify(&self, content: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
        let signature = STANDARD
            .decode(signature_b64)
            .map_err(|_| VerifyError::BadEncoding)?;
        let valid = match &self.inner.verifier {
            VerifierImpl::Aws(verifier) => verifier.verify(content, &signature),
            #[cfg(feature = "rsa")]
            VerifierImpl::Rust(verifier) => verifier.verify(content, &signature),
        };
        if valid {
            Ok(())
        } else {
            Err(VerifyError::Mismatch)
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.same_key(other)
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("backend", &self.backend())
            .field("bits", &self.inner.bits)
            .field("spki", &self.to_base64())
            .finish()
    }
}

/// PEM armour around `der`, with 64-character lines, built in one zeroizing allocation.
pub(crate) fn pem(der: &[u8], label: &str) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let lines = b64.len().div_ceil(64);
    let mut out = Zeroizing::new(String::with_capacity(
        2 * label.len() + 32 + b64.len() + lines,
    ));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// A random `u64` from the system's cryptographic random source (`aws_lc_rs::rand`): the one
/// random source of the SDK (multipart boundaries, retry jitter, the sandbox's ids). Not for
/// keys. Should the system source fail (it does not on the supported platforms), the clock's
/// nanoseconds are given instead.
///
/// ```
/// assert_ne!(alipay::crypto::random_u64(), alipay::crypto::random_u64());
/// ```
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        return nanos as u64;
    }
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests;
