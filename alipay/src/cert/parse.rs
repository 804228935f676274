//! The X.509 certificate reader: RFC 5280 `Certificate` down to the fields this crate uses,
//! field by field with `der`'s reader and the `x509-cert` and `spki` types, so that an error
//! names the field at fault.
//!
//! Two fields are not read as `x509-cert` reads them:
//!
//! - the serial number is read from its raw INTEGER content: `x509-cert`'s `SerialNumber`
//!   refuses serials longer than 21 bytes and `der`'s `Int` refuses non-minimal encodings,
//!   while Java's `BigInteger` reads both, and Alipay's SN covers the decimal Java writes;
//! - the issuer and subject names (see `name`).

use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Reader as _, SliceReader, Tag, TagNumber, Tagged as _};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::time::Time;

use super::name::Name;
use super::{CertError, Certificate, Extensions};
use crate::crypto::format::der_reason;

/// The longest serial number read (RFC 5280 allows 20 bytes; some CAs write a few more).
const MAX_SERIAL_LEN: usize = 64;

/// basicConstraints, keyUsage, extendedKeyUsage, subjectAltName.
const BASIC_CONSTRAINTS: &str = "2.5.29.19";
const KEY_USAGE: &str = "2.5.29.15";
const EXTENDED_KEY_USAGE: &str = "2.5.29.37";
const SUBJECT_ALT_NAME: &str = "2.5.29.17";

/// Maps a DER error to a [`CertError::Malformed`] naming the field.
fn at(field: &'static str) -> impl Fn(der::Error) -> CertError {
    move |e| CertError::Malformed {
        field,
        reason: der_reason(&e),
    }
}

fn malformed(field: &'static str, reason: &'static str) -> CertError {
    CertError::Malformed { field, reason }
}

fn reader<'a>(content: &'a [u8], field: &'static str) -> Result<SliceReader<'a>, CertError> {
    SliceReader::new(content).map_err(at(field))
}

/// The next element of `r`, which must have `tag`: its whole encoding (header included).
fn element<'a>(
    r: &mut SliceReader<'a>,
    tag: Tag,
    field: &'static str,
    what: &'static str,
) -> Result<&'a [u8], CertError> {
    if r.is_finished() {
        return Err(malformed(field, "missing"));
    }
    if r.peek_tag().map_err(at(field))? != tag {
        return Err(malformed(field, what));
    }
    r.tlv_bytes().map_err(at(field))
}

/// Whether the next element of `r` has `tag`.
fn next_is(r: &SliceReader<'_>, tag: Tag) -> bool {
    !r.is_finished() && r.peek_tag().is_ok_and(|found| found == tag)
}

/// The content of a complete TLV.
fn content<'a>(whole: &'a [u8], field: &'static str) -> Result<&'a [u8], CertError> {
    AnyRef::from_der(whole)
        .map(AnyRef::value)
        .map_err(at(field))
}

fn decode<'a, T: Decode<'a>>(der: &'a [u8], field: &'static str) -> Result<T, CertError> {
    T::from_der(der).map_err(at(field))
}

fn context(number: TagNumber, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number,
    }
}

/// Parses a DER certificate.
pub(super) fn certificate(input: &[u8]) -> Result<Certificate, CertError> {
    if input.is_empty() {
        return Err(malformed("Certificate", "empty input"));
    }
    let mut outer = reader(input, "Certificate")?;
    let whole = element(
        &mut outer,
        Tag::Sequence,
        "Certificate",
        "not an ASN.1 SEQUENCE",
    )?;
    outer.finish(()).map_err(at("Certificate"))?;

    let mut r = reader(content(whole, "Certificate")?, "Certificate")?;
    let tbs = element(
        &mut r,
        Tag::Sequence,
        "tbsCertificate",
        "expected a SEQUENCE",
    )?;
    let alg = element(
        &mut r,
        Tag::Sequence,
        "signatureAlgorithm",
        "expected an AlgorithmIdentifier",
    )?;
    let signature_algorithm = decode::<AlgorithmIdentifierRef<'_>>(alg, "signatureAlgorithm")?.oid;
    let bits = element(
        &mut r,
        Tag::BitString,
        "signatureValue",
        "expected a BIT STRING",
    )?;
    r.finish(()).map_err(at("Certificate"))?;
    let signature = decode::<BitStringRef<'_>>(bits, "signatureValue")?
        .as_bytes()
        .ok_or(malformed(
            "signatureValue",
            "the BIT STRING has unused bits",
        ))?;

    let mut t = reader(content(tbs, "tbsCertificate")?, "tbsCertificate")?;
    let version = if next_is(&t, context(TagNumber::N0, true)) {
        const FIELD: &str = "tbsCertificate.version";
        let explicit = element(&mut t, context(TagNumber::N0, true), FIELD, "")?;
        match decode::<Version>(content(explicit, FIELD)?, FIELD)? {
            Version::V1 => 1,
            Version::V2 => 2,
            Version::V3 => 3,
        }
    } else {
        1
    };
    let serial_der = element(
        &mut t,
        Tag::Integer,
        "tbsCertificate.serialNumber",
        "expected an INTEGER",
    )?;
    let (serial_negative, serial) = serial(content(serial_der, "tbsCertificate.serialNumber")?)?;
    let inner_alg = element(
        &mut t,
        Tag::Sequence,
        "tbsCertificate.signature",
        "expected an AlgorithmIdentifier",
    )?;
    if decode::<AlgorithmIdentifierRef<'_>>(inner_alg, "tbsCertificate.signature")?.oid
        != signature_algorithm
    {
        return Err(malformed(
            "tbsCertificate.signature",
            "differs from the outer signatureAlgorithm",
        ));
    }
    let issuer = element(
        &mut t,
        Tag::Sequence,
        "tbsCertificate.issuer",
        "expected a Name",
    )?;
    let issuer =
        Name::parse(issuer).map_err(|reason| malformed("tbsCertificate.issuer", reason))?;
    let validity = element(
        &mut t,
        Tag::Sequence,
        "tbsCertificate.validity",
        "expected a SEQUENCE",
    )?;
    let (not_before, not_after) = validity_times(content(validity, "tbsCertificate.validity")?)?;
    let subject = element(
        &mut t,
        Tag::Sequence,
        "tbsCertificate.subject",
        "expected a Name",
    )?;
    let subject =
        Name::parse(subject).map_err(|reason| malformed("tbsCertificate.subject", reason))?;
    let spki = element(
        &mut t,
        Tag::Sequence,
        "tbsCertificate.subjectPublicKeyInfo",
        "expected a SEQUENCE",
    )?;
    let key_algorithm =
        decode::<SubjectPublicKeyInfoRef<'_>>(spki, "tbsCertificate.subjectPublicKeyInfo")?
            .algorithm
            .oid;
    for (number, field) in [
        (TagNumber::N1, "tbsCertificate.issuerUniqueID"),
        (TagNumber::N2, "tbsCertificate.subjectUniqueID"),
    ] {
        if next_is(&t, context(number, false)) {
            element(&mut t, context(number, false), field, "")?;
        }
    }
    let extensions = if next_is(&t, context(TagNumber::N3, true)) {
        const FIELD: &str = "tbsCertificate.extensions";
        let explicit = element(&mut t, context(TagNumber::N3, true), FIELD, "")?;
        extensions(content(explicit, FIELD)?)?
    } else {
        Extensions::default()
    };
    t.finish(()).map_err(at("tbsCertificate"))?;

    Ok(Certificate {
        der: whole.to_vec(),
        tbs: tbs.to_vec(),
        version,
        serial,
        serial_negative,
        issuer,
        subject,
        not_before,
        not_after,
        spki: spki.to_vec(),
        key_algorithm: key_algorithm.to_string(),
        signature_algorithm: signature_algorithm.to_string(),
        signature: signature.to_vec(),
        extensions,
    })
}

/// The sign and magnitude (big-endian, no leading zeros) of the serial number.
///
/// Like Java's `BigInteger`, a negative serial (a CA bug) is read as negative, and a
/// non-minimal encoding is accepted for its value.
fn serial(content: &[u8]) -> Result<(bool, Vec<u8>), CertError> {
    const FIELD: &str = "tbsCertificate.serialNumber";
    let Some(&first) = content.first() else {
        return Err(malformed(FIELD, "empty INTEGER"));
    };
    let negative = first & 0x80 != 0;
    let mut magnitude: Vec<u8> = if negative {
        // Two's complement: invert and add one.
        let mut bytes: Vec<u8> = content.iter().map(|b| !b).collect();
        for b in bytes.iter_mut().rev() {
            let (sum, carry) = b.overflowing_add(1);
            *b = sum;
            if !carry {
                break;
            }
        }
        bytes
    } else {
        content.to_vec()
    };
    let zeros = magnitude.iter().take_while(|&&b| b == 0).count();
    magnitude.drain(..zeros);
    if magnitude.len() > MAX_SERIAL_LEN {
        return Err(malformed(FIELD, "longer than 64 bytes"));
    }
    Ok((negative, magnitude))
}

/// `notBefore` and `notAfter` in Unix seconds, read as `x509-cert`'s `Time` (`UTCTime` or
/// `GeneralizedTime`, in UTC, to the second, years 1970 to 9999).
fn validity_times(content: &[u8]) -> Result<(i64, i64), CertError> {
    let mut r = reader(content, "tbsCertificate.validity")?;
    let mut read_time = |field: &'static str| -> Result<i64, CertError> {
        let time: Time = r.decode().map_err(at(field))?;
        i64::try_from(time.to_unix_duration().as_secs())
            .map_err(|_| malformed(field, "time out of range"))
    };
    let not_before = read_time("tbsCertificate.validity.notBefore")?;
    let not_after = read_time("tbsCertificate.validity.notAfter")?;
    r.finish(()).map_err(at("tbsCertificate.validity"))?;
    Ok((not_before, not_after))
}

/// Reads the extensions this crate acts on (basicConstraints, keyUsage) and lists the other
/// critical ones.
fn extensions(content: &[u8]) -> Result<Extensions, CertError> {
    const FIELD: &str = "tbsCertificate.extensions";
    let list: x509_cert::ext::Extensions = decode(content, FIELD)?;
    let mut extensions = Extensions::default();
    let mut seen = Vec::with_capacity(list.len());
    for extension in &list {
        let oid = extension.extn_id.to_string();
        if seen.contains(&oid) {
            return Err(malformed(FIELD, "an extension appears twice"));
        }
        let value = extension.extn_value.as_bytes();
        match oid.as_str() {
            BASIC_CONSTRAINTS => {
                extensions.basic_constraints = Some(decode::<BasicConstraints>(
                    value,
                    "basicConstraints extension",
                )?);
            }
            KEY_USAGE => {
                extensions.key_usage = Some(decode::<KeyUsage>(value, "keyUsage extension")?);
            }
            // Understood well enough to be marked critical: extendedKeyUsage and
            // subjectAltName do not restrict what a CA may sign.
            EXTENDED_KEY_USAGE | SUBJECT_ALT_NAME => {}
            _ if extension.critical => extensions.unknown_critical.push(oid.clone()),
            _ => {}
        }
        seen.push(oid);
    }
    Ok(extensions)
}

/// The outer `signatureAlgorithm` OID of something shaped like a certificate, read without
/// looking into `tbsCertificate`: enough to recognise (and skip) certificates the full parser
/// refuses.
pub(super) fn outer_signature_algorithm(input: &[u8]) -> Option<String> {
    let outer = AnyRef::from_der(input).ok()?;
    if outer.tag() != Tag::Sequence {
        return None;
    }
    let mut r = SliceReader::new(outer.value()).ok()?;
    if r.decode::<AnyRef<'_>>().ok()?.tag() != Tag::Sequence {
        return None;
    }
    let algorithm: AlgorithmIdentifierRef<'_> = r.decode().ok()?;
    Some(algorithm.oid.to_string())
}
