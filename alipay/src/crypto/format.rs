//! What a key blob is, read with RustCrypto's `pkcs1`, `pkcs8` and `spki` structures, and the
//! key text formats (PEM labels, bare base64) users paste.
//!
//! The structures are decoded by the RustCrypto crates (strict DER, bounds-checked); what stays
//! here is the SDK's own part: recognising from the ASN.1 shape what a blob is (PKCS#1 or
//! PKCS#8, public or private, a certificate, an EC or SM2 key, an encrypted PKCS#8 key), so that
//! the [`KeyError`] can tell the user what to do.
//!
//! The key text is scanned here rather than with `rustls-pki-types`' PEM reader because that
//! reader skips blocks with labels it does not know without naming them (an `OPENSSH PRIVATE
//! KEY`, `DSA PRIVATE KEY` or `EC PARAMETERS` block would be "no key" instead of a precise
//! error), reads legacy `Proc-Type: 4,ENCRYPTED` headers as base64, and knows neither bare
//! base64 nor the literal `\n` escapes of keys pasted from JSON or `.env` files.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::asn1::{AnyRef, BitStringRef, UintRef};
use der::{Decode as _, Encode as _, Reader as _, SliceReader, Tag, Tagged as _};
use pkcs1::{RsaPrivateKey, RsaPublicKey};
use pkcs8::PrivateKeyInfo;
use spki::{AlgorithmIdentifierRef, ObjectIdentifier, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::KeyError;
use super::pem::{self, PemError};

/// Names of the non-RSA algorithms a key may be for, by OID, for the error message.
const OTHER_ALGORITHMS: &[(ObjectIdentifier, &str)] = &[
    // RSASSA-PSS: RSA, but restricted to PSS signatures.
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10"),
        "RSA-PSS",
    ),
    (ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"), "EC"),
    (ObjectIdentifier::new_unwrap("1.2.156.10197.1.301"), "SM2"),
    (ObjectIdentifier::new_unwrap("1.3.101.110"), "X25519"),
    (ObjectIdentifier::new_unwrap("1.3.101.111"), "X448"),
    (ObjectIdentifier::new_unwrap("1.3.101.112"), "Ed25519"),
    (ObjectIdentifier::new_unwrap("1.3.101.113"), "Ed448"),
    (ObjectIdentifier::new_unwrap("1.2.840.10040.4.1"), "DSA"),
];

/// A short, fixed description of a DER decoding error, for [`KeyError::Malformed`] and the
/// certificate errors.
pub(crate) fn der_reason(error: &der::Error) -> &'static str {
    use der::ErrorKind;
    match error.kind() {
        ErrorKind::Incomplete { .. } => "truncated",
        ErrorKind::TrailingData { .. } => "unexpected trailing data",
        ErrorKind::IndefiniteLength => "indefinite length (BER, not DER)",
        ErrorKind::Noncanonical { .. } => "not canonical DER (e.g. a non-minimal INTEGER)",
        // `der` reports a non-minimal length in a header as `Length`.
        ErrorKind::Overlength | ErrorKind::Length { .. } => "non-minimal or over-long length",
        ErrorKind::Overflow => "length out of range",
        ErrorKind::TagUnexpected { .. }
        | ErrorKind::TagUnknown { .. }
        | ErrorKind::TagNumberInvalid
        | ErrorKind::TagModeUnknown => "unexpected tag",
        ErrorKind::OidMalformed => "malformed OBJECT IDENTIFIER",
        ErrorKind::DateTime => "invalid date or time",
        ErrorKind::SetOrdering | ErrorKind::SetDuplicate => "malformed SET OF",
        ErrorKind::Utf8(_) => "invalid UTF-8 string",
        _ => "invalid value",
    }
}

impl From<der::Error> for KeyError {
    fn from(e: der::Error) -> Self {
        KeyError::Malformed(der_reason(&e))
    }
}

fn malformed(reason: &'static str) -> KeyError {
    KeyError::Malformed(reason)
}

/// The modulus and public exponent of an RSA key, as big-endian magnitudes without leading
/// zeros.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RsaPublicParts<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
}

impl<'a> RsaPublicParts<'a> {
    fn new(n: UintRef<'a>, e: UintRef<'a>) -> Result<Self, KeyError> {
        let (n, e) = (n.as_bytes(), e.as_bytes());
        if n.iter().all(|&b| b == 0) || e.iter().all(|&b| b == 0) {
            return Err(malformed("zero RSA modulus or exponent"));
        }
        Ok(Self { n, e })
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        match self.n.first() {
            None => 0,
            Some(&first) => (self.n.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        }
    }
}

/// What a DER blob turned out to be.
#[derive(Debug)]
pub(crate) enum KeyShape<'a> {
    /// An RSA private key: from PKCS#1 `RSAPrivateKey` or the content of a PKCS#8 one.
    RsaPrivate {
        /// The PKCS#1 `RSAPrivateKey` DER.
        pkcs1: &'a [u8],
        public: RsaPublicParts<'a>,
    },
    /// An RSA public key, from X.509 `SubjectPublicKeyInfo` or PKCS#1 `RSAPublicKey`.
    RsaPublic { public: RsaPublicParts<'a> },
    /// A private key of another algorithm (named).
    OtherPrivate(&'static str),
    /// A public key of another algorithm (named).
    OtherPublic(&'static str),
    /// An X.509 certificate.
    Certificate,
    /// A PKCS#8 `EncryptedPrivateKeyInfo`.
    EncryptedPrivate,
}

/// The tags of the first two elements of a SEQUENCE's content (`None` past its end).
fn first_tags(content: &[u8]) -> Result<(Option<Tag>, Option<Tag>), KeyError> {
    let mut r = SliceReader::new(content)?;
    let mut next = || -> Result<Option<Tag>, KeyError> {
        if r.is_finished() {
            return Ok(None);
        }
        Ok(Some(r.decode::<AnyRef<'_>>()?.tag()))
    };
    let first = next()?;
    Ok((first, next()?))
}

/// Recognises a DER-encoded key by its ASN.1 structure.
pub(crate) fn classify(der: &[u8]) -> Result<KeyShape<'_>, KeyError> {
    if der.is_empty() {
        return Err(KeyError::Empty);
    }
    if der.first() != Some(&0x30) {
        return Err(malformed("not an ASN.1 SEQUENCE (not a key)"));
    }
    let outer = AnyRef::from_der(der)?;
    let body = outer.value();
    match first_tags(body)? {
        // PKCS#1 RSAPublicKey { n, e }.
        (Some(Tag::Integer), Some(Tag::Integer)) if count(body)? == 2 => {
            let key = RsaPublicKey::from_der(der)?;
            Ok(KeyShape::RsaPublic {
                public: RsaPublicParts::new(key.modulus, key.public_exponent)?,
            })
        }
        // PKCS#1 RSAPrivateKey { version, n, e, d, ... }.
        (Some(Tag::Integer), Some(Tag::Integer)) => {
            let public = pkcs1_private(der)?;
            Ok(KeyShape::RsaPrivate { pkcs1: der, public })
        }
        // PKCS#8 PrivateKeyInfo { version, algorithm, privateKey, ... } (v1 or v2).
        (Some(Tag::Integer), Some(Tag::Sequence)) => {
            let info = PrivateKeyInfo::from_der(der)?;
            match algorithm_name(&info.algorithm)? {
                Some(name) => Ok(KeyShape::OtherPrivate(name)),
                None => Ok(KeyShape::RsaPrivate {
                    pkcs1: info.private_key,
                    public: pkcs1_private(info.private_key)?,
                }),
            }
        }
        // SEC1 ECPrivateKey { version 1, privateKey OCTET STRING, ... }.
        (Some(Tag::Integer), Some(Tag::OctetString)) if body.starts_with(&[0x02, 0x01, 0x01]) => {
            Ok(KeyShape::OtherPrivate("EC"))
        }
        // SubjectPublicKeyInfo { algorithm, subjectPublicKey BIT STRING }.
        (Some(Tag::Sequence), Some(Tag::BitString)) => {
            let spki = SubjectPublicKeyInfoRef::from_der(der)?;
            if let Some(name) = algorithm_name(&spki.algorithm)? {
                return Ok(KeyShape::OtherPublic(name));
            }
            let key = spki
                .subject_public_key
                .as_bytes()
                .ok_or(malformed("bad BIT STRING padding"))?;
            let key = RsaPublicKey::from_der(key)?;
            Ok(KeyShape::RsaPublic {
                public: RsaPublicParts::new(key.modulus, key.public_exponent)?,
            })
        }
        // Certificate { tbsCertificate, signatureAlgorithm, signatureValue }.
        (Some(Tag::Sequence), Some(Tag::Sequence)) => {
            let mut r = SliceReader::new(body)?;
            for expected in [Tag::Sequence, Tag::Sequence, Tag::BitString] {
                if r.decode::<AnyRef<'_>>()?.tag() != expected {
                    return Err(malformed("unrecognised key structure"));
                }
            }
            r.finish(())?;
            Ok(KeyShape::Certificate)
        }
        // EncryptedPrivateKeyInfo { encryptionAlgorithm, encryptedData }.
        (Some(Tag::Sequence), Some(Tag::OctetString)) if count(body)? == 2 => {
            Ok(KeyShape::EncryptedPrivate)
        }
        _ => Err(malformed("unrecognised key structure")),
    }
}

/// The number of elements of a SEQUENCE's content.
fn count(content: &[u8]) -> Result<usize, KeyError> {
    let mut r = SliceReader::new(content)?;
    let mut n = 0;
    while !r.is_finished() {
        r.decode::<AnyRef<'_>>()?;
        n += 1;
    }
    Ok(n)
}

/// The public parts of a PKCS#1 `RSAPrivateKey` DER.
fn pkcs1_private(der: &[u8]) -> Result<RsaPublicParts<'_>, KeyError> {
    let key = RsaPrivateKey::from_der(der)?;
    RsaPublicParts::new(key.modulus, key.public_exponent)
}

/// `None` for `rsaEncryption` (with NULL or absent parameters), the algorithm's name otherwise.
fn algorithm_name(
    algorithm: &AlgorithmIdentifierRef<'_>,
) -> Result<Option<&'static str>, KeyError> {
    if algorithm.oid == pkcs1::ALGORITHM_OID {
        return match algorithm.parameters {
            None => Ok(None),
            Some(params) if params.is_null() => Ok(None),
            Some(_) => Err(malformed("rsaEncryption parameters must be NULL")),
        };
    }
    Ok(Some(
        OTHER_ALGORITHMS
            .iter()
            .find(|(known, _)| *known == algorithm.oid)
            .map_or("non-RSA", |(_, name)| name),
    ))
}

/// `AlgorithmIdentifier { rsaEncryption, NULL }`.
fn rsa_algorithm() -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: pkcs1::ALGORITHM_OID,
        parameters: Some(AnyRef::NULL),
    }
}

/// The PKCS#1 `RSAPublicKey` DER of `public`.
pub(crate) fn pkcs1_public_der(public: RsaPublicParts<'_>) -> Result<Vec<u8>, KeyError> {
    let key = RsaPublicKey {
        modulus: UintRef::new(public.n)?,
        public_exponent: UintRef::new(public.e)?,
    };
    Ok(key.to_der()?)
}

/// The X.509 `SubjectPublicKeyInfo` DER (`rsaEncryption`, NULL parameters) of a PKCS#1
/// `RSAPublicKey` DER.
pub(crate) fn spki_der(pkcs1_public: &[u8]) -> Result<Vec<u8>, KeyError> {
    let spki = SubjectPublicKeyInfoRef {
        algorithm: rsa_algorithm(),
        subject_public_key: BitStringRef::from_bytes(pkcs1_public)?,
    };
    Ok(spki.to_der()?)
}

/// The PKCS#8 v1 `PrivateKeyInfo` DER (`rsaEncryption`, NULL parameters) of a PKCS#1
/// `RSAPrivateKey` DER. `der` allocates the output once at its final size, so no copy is left
/// behind.
pub(crate) fn pkcs8_der(pkcs1_private: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let info = PrivateKeyInfo::new(rsa_algorithm(), pkcs1_private);
    Ok(Zeroizing::new(info.to_der()?))
}

/// Decodes key text: PEM (the first block other than `EC PARAMETERS`) or bare base64, with any
/// whitespace (CRLF, indentation, line breaks) and literal `\n`/`\r` escapes ignored.
///
/// PEM labels that are certainly not RSA keys give their specific error here; the structure
/// of the DER decides the rest.
pub(crate) fn decode_text(text: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(KeyError::Empty);
    }
    if !pem::has_block(text) {
        return decode_base64(text).ok_or_else(|| not_a_key(text));
    }
    for block in pem::blocks(text) {
        let block = block.map_err(|e| {
            KeyError::BadPem(match e {
                PemError::UnendedBegin => "the BEGIN line does not end with `-----`",
                PemError::NoEnd => "no END line matches the BEGIN line",
            })
        })?;
        match block.label {
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "PUBLIC KEY" | "RSA PUBLIC KEY" => {
                return decode_pem_body(block.body);
            }
            // `openssl ecparam -genkey` writes the parameters before the key.
            "EC PARAMETERS" => {}
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                return Err(KeyError::Certificate);
            }
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
            "EC PRIVATE KEY" => return Err(KeyError::NotRsa("EC")),
            "DSA PRIVATE KEY" => return Err(KeyError::NotRsa("DSA")),
            other => return Err(KeyError::UnsupportedPem(sanitize_label(other))),
        }
    }
    // Only EC parameters.
    Err(KeyError::NotRsa("EC"))
}

/// Why text that is neither PEM nor base64 is no key: a file path (one that exists, or not),
/// or just not a key. A path is one line with a path separator or a key file's extension.
fn not_a_key(text: &str) -> KeyError {
    let looks_like_path = !text.contains(['\n', '\r'])
        && text.len() < 4096
        && (text.contains(['/', '\\'])
            || [".pem", ".key", ".crt", ".cer", ".txt", ".der"]
                .iter()
                .any(|ext| text.to_ascii_lowercase().ends_with(ext)));
    if !looks_like_path {
        return KeyError::NotPemOrBase64;
    }
    if std::path::Path::new(text).exists() {
        KeyError::PathGiven(text.to_owned())
    } else {
        KeyError::FileNotFound(text.to_owned())
    }
}

/// The label if it looks like a PEM label (it is echoed in the error), a placeholder otherwise.
fn sanitize_label(label: &str) -> String {
    if !label.is_empty()
        && label.len() <= 40
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
    {
        label.to_owned()
    } else {
        "(unreadable)".to_owned()
    }
}

fn decode_pem_body(body: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`): legacy OpenSSL encryption.
    if body.lines().any(|line| line.contains(':')) {
        return if body.contains("ENCRYPTED") {
            Err(KeyError::Encrypted)
        } else {
            Err(KeyError::BadPem("unexpected header lines in the PEM body"))
        };
    }
    let der = decode_base64(body).ok_or(KeyError::BadPem("the PEM body is not valid base64"))?;
    if der.is_empty() {
        return Err(KeyError::Empty);
    }
    Ok(der)
}

/// Standard base64 with whitespace and literal `\n`, `\r` escapes (as in JSON or `.env` values)
/// removed. The intermediate copy is zeroized.
pub(crate) fn decode_base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut compact = Zeroizing::new(Vec::with_capacity(text.len()));
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b if b.is_ascii_whitespace() => {}
            b'\\' => match bytes.next() {
                Some(b'n' | b'r') => {}
                _ => return None,
            },
            b => compact.push(b),
        }
    }
    let mut der = Zeroizing::new(Vec::with_capacity(compact.len() / 4 * 3 + 3));
    STANDARD.decode_vec(&*compact, &mut der).ok()?;
    Some(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_round_trips_through_the_reader() {
        let n = [0xc0u8; 256];
        let e = [0x01, 0x00, 0x01];
        let public = RsaPublicParts { n: &n, e: &e };
        assert_eq!(public.bits(), 2048);
        let pkcs1 = pkcs1_public_der(public).expect("encodes");
        let spki = spki_der(&pkcs1).expect("encodes");
        for der in [&pkcs1, &spki] {
            match classify(der) {
                Ok(KeyShape::RsaPublic { public }) => {
                    assert_eq!(public.n, n);
                    assert_eq!(public.e, e);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn non_minimal_encodings_are_refused() {
        // A long-form length for a short content, and a leading zero byte in an INTEGER.
        let long_length = [0x30, 0x81, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03];
        assert_eq!(
            classify(&long_length).err(),
            Some(KeyError::Malformed("non-minimal or over-long length"))
        );
        let padded = [0x30, 0x07, 0x02, 0x02, 0x00, 0x03, 0x02, 0x01, 0x03];
        assert!(matches!(classify(&padded), Err(KeyError::Malformed(_))));
        // The positive control: the minimal encoding is a (tiny) PKCS#1 public key.
        let minimal = [0x30, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03];
        assert!(matches!(classify(&minimal), Ok(KeyShape::RsaPublic { .. })));
    }

    #[test]
    fn a_path_given_as_a_key_says_so() {
        assert!(matches!(
            decode_text("keys/app_private_key.pem"),
            Err(KeyError::FileNotFound(path)) if path == "keys/app_private_key.pem"
        ));
        assert!(matches!(
            decode_text("src/lib.rs"),
            Err(KeyError::PathGiven(path)) if path == "src/lib.rs"
        ));
        // Base64 text with slashes is still read as base64, and other text is no key.
        assert!(decode_text("AQID/w==").is_ok());
        assert!(matches!(
            decode_text("not a key"),
            Err(KeyError::NotPemOrBase64)
        ));
    }

    #[test]
    fn base64_tolerates_whitespace_and_escaped_newlines() {
        let decoded = decode_base64(" AQID\r\n BA==\\n").map(|v| v.to_vec());
        assert_eq!(decoded, Some(vec![1, 2, 3, 4]));
        assert!(decode_base64("AQ\\tID").is_none());
        assert!(decode_base64("not base64!").is_none());
    }

    #[test]
    fn labels_are_only_echoed_when_they_look_like_labels() {
        assert_eq!(sanitize_label("OPENSSH PRIVATE KEY"), "OPENSSH PRIVATE KEY");
        assert_eq!(
            sanitize_label("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            "(unreadable)"
        );
        assert_eq!(sanitize_label(""), "(unreadable)");
    }
}
