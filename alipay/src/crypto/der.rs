//! The little DER and PEM reading (and writing) the key types need.
//!
//! Only what RSA keys use is supported: single-byte tags, definite lengths in their minimal
//! (DER) form, and the four structures keys come in (PKCS#1 `RSAPrivateKey` and
//! `RSAPublicKey`, PKCS#8 `PrivateKeyInfo`, X.509 `SubjectPublicKeyInfo`). Everything is
//! bounds-checked; any deviation is a [`KeyError`], never a panic.
//!
//! Other structures are recognised only well enough to say what they are (a certificate, an
//! EC key, an encrypted PKCS#8 key), so that the error can tell the user what to do.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::KeyError;
use super::pem::{self, PemError};

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
/// `[0]` constructed: PKCS#8 `attributes`, SEC1 `parameters`.
const CONTEXT_0: u8 = 0xa0;
/// `[1]` primitive: PKCS#8 v2 (`OneAsymmetricKey`) `publicKey`.
const CONTEXT_1_PRIMITIVE: u8 = 0x81;

/// 1.2.840.113549.1.1.1 `rsaEncryption`.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Names of the non-RSA algorithms a key may be for, by OID, for the error message.
const OTHER_ALGORITHMS: &[(&[u8], &str)] = &[
    // 1.2.840.113549.1.1.10 RSASSA-PSS: RSA, but restricted to PSS signatures.
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a],
        "RSA-PSS",
    ),
    // 1.2.840.10045.2.1 id-ecPublicKey
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], "EC"),
    // 1.2.156.10197.1.301 SM2
    (&[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d], "SM2"),
    // 1.3.101.110-113
    (&[0x2b, 0x65, 0x6e], "X25519"),
    (&[0x2b, 0x65, 0x6f], "X448"),
    (&[0x2b, 0x65, 0x70], "Ed25519"),
    (&[0x2b, 0x65, 0x71], "Ed448"),
    // 1.2.840.10040.4.1 id-dsa
    (&[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01], "DSA"),
];

fn malformed(reason: &'static str) -> KeyError {
    KeyError::Malformed(reason)
}

/// What is wrong with a DER encoding (a short, fixed description).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError(pub(crate) &'static str);

impl From<DerError> for KeyError {
    fn from(e: DerError) -> Self {
        KeyError::Malformed(e.0)
    }
}

/// A strict, bounds-checked reader of a sequence of DER TLVs.
///
/// Also used by the certificate parser (`crate::cert`).
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    /// Accept non-minimal long-form lengths (BER), for best-effort peeking only.
    lenient: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self {
            rest: input,
            lenient: false,
        }
    }

    /// A reader that also accepts non-minimal (BER) definite lengths: only to recognise what a
    /// blob is, never to read what is then trusted.
    pub(crate) fn lenient(input: &'a [u8]) -> Self {
        Self {
            rest: input,
            lenient: true,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one TLV and returns its tag and content.
    pub(crate) fn read_any(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let (tag, content, _) = self.read_tlv()?;
        Ok((tag, content))
    }

    /// Reads one TLV and returns its tag, its content and the whole encoding (header included).
    pub(crate) fn read_tlv(&mut self) -> Result<(u8, &'a [u8], &'a [u8]), DerError> {
        let start = self.rest;
        let (&tag, after_tag) = start.split_first().ok_or(DerError("truncated"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("unexpected multi-byte tag"));
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or(DerError("truncated"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else if first == 0x80 {
            return Err(DerError("indefinite length (BER, not DER)"));
        } else {
            let mut count = usize::from(first & 0x7f);
            let mut len_bytes;
            (len_bytes, after_len) = after_len
                .split_at_checked(count)
                .ok_or(DerError("truncated"))?;
            if self.lenient {
                while let [0, rest @ ..] = len_bytes {
                    len_bytes = rest;
                    count -= 1;
                }
            }
            if count > 4 {
                return Err(DerError("length too large"));
            }
            if len_bytes.first() == Some(&0) {
                return Err(DerError("non-minimal length"));
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 && !self.lenient {
                return Err(DerError("non-minimal length"));
            }
            len
        };
        let (content, rest) = after_len
            .split_at_checked(len)
            .ok_or(DerError("truncated"))?;
        self.rest = rest;
        let whole = start
            .get(..start.len() - rest.len())
            .ok_or(DerError("truncated"))?;
        Ok((tag, content, whole))
    }

    /// Reads one TLV with the given tag and returns its content.
    pub(crate) fn read(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], DerError> {
        match self.peek_tag() {
            None => Err(DerError("truncated")),
            Some(found) if found != tag => Err(DerError(what)),
            Some(_) => Ok(self.read_any()?.1),
        }
    }

    /// Reads a non-negative INTEGER and returns its magnitude without leading zero bytes (empty
    /// for zero).
    pub(crate) fn read_unsigned(&mut self) -> Result<&'a [u8], DerError> {
        let content = self.read(INTEGER, "expected an INTEGER")?;
        unsigned_magnitude(content)
    }

    /// Skips one element if it has the given tag.
    pub(crate) fn skip_if(&mut self, tag: u8) -> Result<(), DerError> {
        if self.peek_tag() == Some(tag) {
            self.read_any()?;
        }
        Ok(())
    }

    pub(crate) fn finish(&self) -> Result<(), DerError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DerError("unexpected trailing data"))
        }
    }
}

/// The magnitude of a DER INTEGER's content, checked to be minimal and non-negative.
pub(crate) fn unsigned_magnitude(content: &[u8]) -> Result<&[u8], DerError> {
    match content {
        [] => Err(DerError("empty INTEGER")),
        [first, ..] if first & 0x80 != 0 => Err(DerError("negative INTEGER")),
        [0, next, ..] if next & 0x80 == 0 => Err(DerError("non-minimal INTEGER")),
        [0, rest @ ..] => Ok(rest),
        _ => Ok(content),
    }
}

/// The dotted-decimal form of an OBJECT IDENTIFIER's content (e.g. `1.2.840.113549.1.1.11`).
///
/// Arcs of any size are written (UUID arcs under `2.25` exceed 64 bits); the encoding must be
/// minimal (no `0x80` padding), complete and at most 4096 bytes long.
pub(crate) fn oid_to_string(content: &[u8]) -> Result<String, DerError> {
    if content.is_empty() {
        return Err(DerError("empty OBJECT IDENTIFIER"));
    }
    // The JDK's limit; it also bounds the (quadratic) decimal conversion.
    if content.len() > 4096 {
        return Err(DerError("OBJECT IDENTIFIER longer than 4096 bytes"));
    }
    let mut out = String::with_capacity(content.len() * 3);
    let mut first = true;
    let mut rest = content;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|b| b & 0x80 == 0)
            .ok_or(DerError("truncated OBJECT IDENTIFIER"))?;
        let (arc, tail) = rest.split_at(end + 1);
        rest = tail;
        if arc.first() == Some(&0x80) {
            return Err(DerError("non-minimal OBJECT IDENTIFIER"));
        }
        if first {
            first = false;
            // The first subidentifier packs the first two arcs: 40 * X + Y, X in 0..=2.
            let value = arc
                .iter()
                .try_fold(0u128, |acc, b| {
                    acc.checked_mul(128).map(|v| v | u128::from(b & 0x7f))
                })
                .ok_or(DerError("OBJECT IDENTIFIER arc too large"))?;
            let (x, y) = match value {
                0..40 => (0, value),
                40..80 => (1, value - 40),
                _ => (2, value - 80),
            };
            out.push_str(&format!("{x}.{y}"));
        } else {
            out.push('.');
            let digits: Vec<u8> = arc.iter().map(|b| b & 0x7f).collect();
            out.push_str(&to_decimal(&digits, 128));
        }
    }
    Ok(out)
}

/// The base-10 form of a big-endian number given as `digits` in `base` (at most 256).
///
/// Schoolbook long division by 10^9: quadratic, so callers bound the input (serial numbers
/// and OID arcs are short).
pub(crate) fn to_decimal(digits: &[u8], base: u32) -> String {
    const CHUNK: u64 = 1_000_000_000;
    let mut number: Vec<u8> = digits.iter().copied().skip_while(|&d| d == 0).collect();
    let mut chunks = Vec::new();
    while !number.is_empty() {
        let mut remainder = 0u64;
        let mut quotient = Vec::with_capacity(number.len());
        for &digit in &number {
            // remainder < 10^9 and base <= 256: the value fits easily in a u64.
            let value = remainder * u64::from(base) + u64::from(digit);
            let q = value / CHUNK;
            remainder = value % CHUNK;
            if !(quotient.is_empty() && q == 0) {
                // q < base <= 256.
                quotient.push(u8::try_from(q).unwrap_or(u8::MAX));
            }
        }
        chunks.push(remainder);
        number = quotient;
    }
    let mut out = String::with_capacity(chunks.len() * 9 + 1);
    match chunks.split_last() {
        None => out.push('0'),
        Some((most, rest)) => {
            out.push_str(&most.to_string());
            for chunk in rest.iter().rev() {
                out.push_str(&format!("{chunk:09}"));
            }
        }
    }
    out
}

/// The modulus and public exponent of an RSA key, as big-endian magnitudes without leading
/// zeros.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RsaPublicParts<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
}

impl RsaPublicParts<'_> {
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

/// Recognises a DER-encoded key by its ASN.1 structure.
pub(crate) fn classify(der: &[u8]) -> Result<KeyShape<'_>, KeyError> {
    if der.is_empty() {
        return Err(KeyError::Empty);
    }
    let mut outer = Reader::new(der);
    let body = outer.read(SEQUENCE, "not an ASN.1 SEQUENCE (not a key)")?;
    outer.finish()?;
    let mut r = Reader::new(body);
    match r.peek_tag() {
        Some(INTEGER) => {
            let first = r.read(INTEGER, "expected an INTEGER")?;
            match r.peek_tag() {
                // PKCS#1 RSAPublicKey { n, e } or RSAPrivateKey { version, n, e, d, ... }.
                Some(INTEGER) => {
                    let second = r.read_unsigned()?;
                    if r.is_empty() {
                        let public = rsa_public_parts(unsigned_magnitude(first)?, second)?;
                        Ok(KeyShape::RsaPublic { public })
                    } else {
                        let public = pkcs1_private_body(first, second, r)?;
                        Ok(KeyShape::RsaPrivate { pkcs1: der, public })
                    }
                }
                // PKCS#8 PrivateKeyInfo { version, algorithm, privateKey, ... }.
                Some(SEQUENCE) => {
                    if !matches!(first, [0] | [1]) {
                        return Err(malformed("unsupported PKCS#8 version"));
                    }
                    let algorithm = r.read(SEQUENCE, "expected an AlgorithmIdentifier")?;
                    let private_key = r.read(OCTET_STRING, "expected the private key")?;
                    r.skip_if(CONTEXT_0)?;
                    r.skip_if(CONTEXT_1_PRIMITIVE)?;
                    r.finish()?;
                    match algorithm_name(algorithm)? {
                        Some(name) => Ok(KeyShape::OtherPrivate(name)),
                        None => {
                            let public = pkcs1_private(private_key)?;
                            Ok(KeyShape::RsaPrivate {
                                pkcs1: private_key,
                                public,
                            })
                        }
                    }
                }
                // SEC1 ECPrivateKey { version 1, privateKey OCTET STRING, ... }.
                Some(OCTET_STRING) if first == [1] => Ok(KeyShape::OtherPrivate("EC")),
                _ => Err(malformed("unrecognised key structure")),
            }
        }
        Some(SEQUENCE) => {
            let first = r.read(SEQUENCE, "expected a SEQUENCE")?;
            match r.peek_tag() {
                // SubjectPublicKeyInfo { algorithm, subjectPublicKey BIT STRING }.
                Some(BIT_STRING) => {
                    let bits = r.read(BIT_STRING, "expected a BIT STRING")?;
                    r.finish()?;
                    match algorithm_name(first)? {
                        Some(name) => Ok(KeyShape::OtherPublic(name)),
                        None => {
                            let key = match bits {
                                [0, key @ ..] => key,
                                _ => return Err(malformed("bad BIT STRING padding")),
                            };
                            Ok(KeyShape::RsaPublic {
                                public: pkcs1_public(key)?,
                            })
                        }
                    }
                }
                // Certificate { tbsCertificate, signatureAlgorithm, signatureValue }.
                Some(SEQUENCE) => {
                    r.read(SEQUENCE, "expected a SEQUENCE")?;
                    r.read(BIT_STRING, "unrecognised key structure")?;
                    r.finish()?;
                    Ok(KeyShape::Certificate)
                }
                // EncryptedPrivateKeyInfo { encryptionAlgorithm, encryptedData }.
                Some(OCTET_STRING) => {
                    r.read(OCTET_STRING, "expected an OCTET STRING")?;
                    r.finish()?;
                    Ok(KeyShape::EncryptedPrivate)
                }
                _ => Err(malformed("unrecognised key structure")),
            }
        }
        _ => Err(malformed("unrecognised key structure")),
    }
}

/// `None` for `rsaEncryption` (with NULL or absent parameters), the algorithm's name otherwise.
fn algorithm_name(algorithm: &[u8]) -> Result<Option<&'static str>, KeyError> {
    let mut r = Reader::new(algorithm);
    let oid = r.read(OID, "expected an algorithm OID")?;
    if oid == OID_RSA_ENCRYPTION {
        if !r.is_empty() {
            let params = r.read(NULL, "rsaEncryption parameters must be NULL")?;
            if !params.is_empty() {
                return Err(malformed("rsaEncryption parameters must be NULL"));
            }
        }
        r.finish()?;
        return Ok(None);
    }
    Ok(Some(
        OTHER_ALGORITHMS
            .iter()
            .find(|(known, _)| *known == oid)
            .map_or("non-RSA", |(_, name)| name),
    ))
}

fn rsa_public_parts<'a>(n: &'a [u8], e: &'a [u8]) -> Result<RsaPublicParts<'a>, KeyError> {
    if n.is_empty() || e.is_empty() {
        return Err(malformed("zero RSA modulus or exponent"));
    }
    Ok(RsaPublicParts { n, e })
}

/// Parses a PKCS#1 `RSAPublicKey` DER.
fn pkcs1_public(der: &[u8]) -> Result<RsaPublicParts<'_>, KeyError> {
    let mut outer = Reader::new(der);
    let mut r = Reader::new(outer.read(SEQUENCE, "expected an RSAPublicKey")?);
    outer.finish()?;
    let n = r.read_unsigned()?;
    let e = r.read_unsigned()?;
    r.finish()?;
    rsa_public_parts(n, e)
}

/// Parses a PKCS#1 `RSAPrivateKey` DER.
fn pkcs1_private(der: &[u8]) -> Result<RsaPublicParts<'_>, KeyError> {
    let mut outer = Reader::new(der);
    let mut r = Reader::new(outer.read(SEQUENCE, "expected an RSAPrivateKey")?);
    outer.finish()?;
    let version = r.read(INTEGER, "expected an INTEGER")?;
    let n = r.read_unsigned()?;
    pkcs1_private_body(version, n, r)
}

/// The rest of a PKCS#1 `RSAPrivateKey` after its version and modulus.
fn pkcs1_private_body<'a>(
    version: &[u8],
    n: &'a [u8],
    mut r: Reader<'a>,
) -> Result<RsaPublicParts<'a>, KeyError> {
    if !matches!(version, [0] | [1]) {
        return Err(malformed("unsupported RSAPrivateKey version"));
    }
    let e = r.read_unsigned()?;
    // privateExponent, prime1, prime2, exponent1, exponent2, coefficient
    for _ in 0..6 {
        r.read_unsigned()?;
    }
    if version == [1] {
        r.skip_if(SEQUENCE)?; // otherPrimeInfos
    }
    r.finish()?;
    rsa_public_parts(n, e)
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// The encoded size of a TLV with `content_len` bytes of content.
fn tlv_len(content_len: usize) -> usize {
    let len_len = if content_len < 0x80 {
        1
    } else {
        1 + (usize::BITS - content_len.leading_zeros()).div_ceil(8) as usize
    };
    1 + len_len + content_len
}

fn push_header(out: &mut Vec<u8>, tag: u8, content_len: usize) {
    out.push(tag);
    push_len(out, content_len);
}

/// The content length of an INTEGER holding `magnitude`.
fn integer_content_len(magnitude: &[u8]) -> usize {
    magnitude.len() + usize::from(magnitude.first().is_some_and(|b| b & 0x80 != 0))
}

fn push_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    push_header(out, INTEGER, integer_content_len(magnitude));
    if magnitude.first().is_some_and(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(magnitude);
}

/// `AlgorithmIdentifier { rsaEncryption, NULL }`, complete.
fn rsa_algorithm_identifier() -> [u8; 15] {
    let mut out = [0u8; 15];
    out[..4].copy_from_slice(&[SEQUENCE, 13, OID, 9]);
    out[4..13].copy_from_slice(OID_RSA_ENCRYPTION);
    out[13..].copy_from_slice(&[NULL, 0]);
    out
}

/// The PKCS#1 `RSAPublicKey` DER of `public`.
pub(crate) fn pkcs1_public_der(public: RsaPublicParts<'_>) -> Vec<u8> {
    let content = tlv_len(integer_content_len(public.n)) + tlv_len(integer_content_len(public.e));
    let mut out = Vec::with_capacity(tlv_len(content));
    push_header(&mut out, SEQUENCE, content);
    push_integer(&mut out, public.n);
    push_integer(&mut out, public.e);
    out
}

/// The X.509 `SubjectPublicKeyInfo` DER (`rsaEncryption`, NULL parameters) of a PKCS#1
/// `RSAPublicKey` DER.
pub(crate) fn spki_der(pkcs1_public: &[u8]) -> Vec<u8> {
    let algorithm = rsa_algorithm_identifier();
    let bit_string = 1 + pkcs1_public.len();
    let content = algorithm.len() + tlv_len(bit_string);
    let mut out = Vec::with_capacity(tlv_len(content));
    push_header(&mut out, SEQUENCE, content);
    out.extend_from_slice(&algorithm);
    push_header(&mut out, BIT_STRING, bit_string);
    out.push(0);
    out.extend_from_slice(pkcs1_public);
    out
}

/// The PKCS#8 v1 `PrivateKeyInfo` DER (`rsaEncryption`, NULL parameters) of a PKCS#1
/// `RSAPrivateKey` DER. Allocated once at its final size, so no copy is left behind.
pub(crate) fn pkcs8_der(pkcs1_private: &[u8]) -> Zeroizing<Vec<u8>> {
    let algorithm = rsa_algorithm_identifier();
    let content = 3 + algorithm.len() + tlv_len(pkcs1_private.len());
    let mut out = Zeroizing::new(Vec::with_capacity(tlv_len(content)));
    push_header(&mut out, SEQUENCE, content);
    out.extend_from_slice(&[INTEGER, 1, 0]);
    out.extend_from_slice(&algorithm);
    push_header(&mut out, OCTET_STRING, pkcs1_private.len());
    out.extend_from_slice(pkcs1_private);
    out
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
        return decode_base64(text).ok_or(KeyError::NotPemOrBase64);
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
    fn lengths_must_be_minimal_and_in_bounds() {
        // Short form.
        assert!(Reader::new(&[0x04, 0x01, 0xff]).read_any().is_ok());
        // Truncated content, truncated length, missing length.
        assert!(Reader::new(&[0x04, 0x02, 0xff]).read_any().is_err());
        assert!(Reader::new(&[0x04, 0x82, 0x01]).read_any().is_err());
        assert!(Reader::new(&[0x04]).read_any().is_err());
        // Long form for a short length, leading zero, indefinite, too many length bytes.
        assert!(Reader::new(&[0x04, 0x81, 0x01, 0xff]).read_any().is_err());
        assert!(Reader::new(&[0x04, 0x82, 0x00, 0x81]).read_any().is_err());
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).read_any().is_err());
        assert!(
            Reader::new(&[0x04, 0x85, 1, 0, 0, 0, 0])
                .read_any()
                .is_err()
        );
        // A huge declared length is only a bounds failure.
        assert!(
            Reader::new(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff])
                .read_any()
                .is_err()
        );
        // Multi-byte tags are refused.
        assert!(Reader::new(&[0x1f, 0x01, 0x00]).read_any().is_err());
    }

    #[test]
    fn integers_must_be_minimal_and_non_negative() {
        assert_eq!(unsigned_magnitude(&[0x00, 0x80]).ok(), Some(&[0x80][..]));
        assert_eq!(unsigned_magnitude(&[0x7f]).ok(), Some(&[0x7f][..]));
        assert_eq!(unsigned_magnitude(&[0x00]).ok(), Some(&[][..]));
        assert!(unsigned_magnitude(&[]).is_err());
        assert!(unsigned_magnitude(&[0x80]).is_err());
        assert!(unsigned_magnitude(&[0x00, 0x7f]).is_err());
    }

    #[test]
    fn writer_round_trips_through_the_reader() {
        let n = [0xc0u8; 256];
        let e = [0x01, 0x00, 0x01];
        let public = RsaPublicParts { n: &n, e: &e };
        assert_eq!(public.bits(), 2048);
        let pkcs1 = pkcs1_public_der(public);
        let spki = spki_der(&pkcs1);
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
    fn lengths_are_encoded_minimally() {
        for len in [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000] {
            let mut out = Vec::new();
            push_len(&mut out, len);
            assert_eq!(tlv_len(len), 1 + out.len() + len, "{len}");
        }
        let mut out = Vec::new();
        push_len(&mut out, 0x100);
        assert_eq!(out, [0x82, 0x01, 0x00]);
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
