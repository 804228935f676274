//! The X.509 certificate DER reader: RFC 5280 `Certificate` down to the fields this crate uses.

use super::name::Name;
use super::{CertError, Certificate, Extensions, time};
use crate::crypto::der::{
    self, BIT_STRING, DerError, INTEGER, OCTET_STRING, OID, Reader, SEQUENCE,
};

/// `[0]` constructed: the TBSCertificate `version`.
const VERSION: u8 = 0xa0;
/// `[1]` primitive: `issuerUniqueID`.
const ISSUER_UID: u8 = 0x81;
/// `[2]` primitive: `subjectUniqueID`.
const SUBJECT_UID: u8 = 0x82;
/// `[3]` constructed: `extensions`.
const EXTENSIONS: u8 = 0xa3;
const BOOLEAN: u8 = 0x01;

/// The longest serial number read (RFC 5280 allows 20 bytes; some CAs write a few more).
const MAX_SERIAL_LEN: usize = 64;

/// Maps a DER error to a [`CertError::Malformed`] naming the field.
fn at(field: &'static str) -> impl Fn(DerError) -> CertError {
    move |e| CertError::Malformed { field, reason: e.0 }
}

fn malformed(field: &'static str, reason: &'static str) -> CertError {
    CertError::Malformed { field, reason }
}

/// Reads one TLV that must have `tag`, returning its content and whole encoding.
fn read_tlv<'a>(
    r: &mut Reader<'a>,
    tag: u8,
    field: &'static str,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), CertError> {
    if r.peek_tag() != Some(tag) {
        return Err(malformed(
            field,
            if r.is_empty() { "missing" } else { what },
        ));
    }
    let (_, content, whole) = r.read_tlv().map_err(at(field))?;
    Ok((content, whole))
}

/// The dotted OID of an `AlgorithmIdentifier`'s content (parameters are not interpreted).
fn algorithm_oid(content: &[u8], field: &'static str) -> Result<String, CertError> {
    let mut r = Reader::new(content);
    let oid = r
        .read(OID, "expected an algorithm OID")
        .map_err(at(field))?;
    if !r.is_empty() {
        r.read_any().map_err(at(field))?;
    }
    r.finish().map_err(at(field))?;
    der::oid_to_string(oid).map_err(at(field))
}

/// Parses a DER certificate.
pub(super) fn certificate(input: &[u8]) -> Result<Certificate, CertError> {
    if input.is_empty() {
        return Err(malformed("Certificate", "empty input"));
    }
    let mut outer = Reader::new(input);
    let (body, whole) = read_tlv(&mut outer, SEQUENCE, "Certificate", "not an ASN.1 SEQUENCE")?;
    outer.finish().map_err(at("Certificate"))?;

    let mut r = Reader::new(body);
    let (tbs_content, tbs) = read_tlv(&mut r, SEQUENCE, "tbsCertificate", "expected a SEQUENCE")?;
    let (alg, _) = read_tlv(
        &mut r,
        SEQUENCE,
        "signatureAlgorithm",
        "expected an AlgorithmIdentifier",
    )?;
    let signature_algorithm = algorithm_oid(alg, "signatureAlgorithm")?;
    let (bits, _) = read_tlv(
        &mut r,
        BIT_STRING,
        "signatureValue",
        "expected a BIT STRING",
    )?;
    r.finish().map_err(at("Certificate"))?;
    let signature = match bits {
        [0, signature @ ..] => signature,
        _ => {
            return Err(malformed(
                "signatureValue",
                "the BIT STRING has unused bits",
            ));
        }
    };

    let mut t = Reader::new(tbs_content);
    let version = if t.peek_tag() == Some(VERSION) {
        let (content, _) = read_tlv(&mut t, VERSION, "tbsCertificate.version", "")?;
        let mut v = Reader::new(content);
        let value = v
            .read(INTEGER, "expected an INTEGER")
            .map_err(at("tbsCertificate.version"))?;
        v.finish().map_err(at("tbsCertificate.version"))?;
        match value {
            [0] => 1,
            [1] => 2,
            [2] => 3,
            _ => return Err(malformed("tbsCertificate.version", "unsupported version")),
        }
    } else {
        1
    };
    let (serial_content, _) = read_tlv(
        &mut t,
        INTEGER,
        "tbsCertificate.serialNumber",
        "expected an INTEGER",
    )?;
    let (serial_negative, serial) = serial(serial_content)?;
    let (inner_alg, _) = read_tlv(
        &mut t,
        SEQUENCE,
        "tbsCertificate.signature",
        "expected an AlgorithmIdentifier",
    )?;
    if algorithm_oid(inner_alg, "tbsCertificate.signature")? != signature_algorithm {
        return Err(malformed(
            "tbsCertificate.signature",
            "differs from the outer signatureAlgorithm",
        ));
    }
    let (issuer_content, issuer_der) =
        read_tlv(&mut t, SEQUENCE, "tbsCertificate.issuer", "expected a Name")?;
    let issuer = Name::parse(issuer_der, issuer_content).map_err(at("tbsCertificate.issuer"))?;
    let (validity, _) = read_tlv(
        &mut t,
        SEQUENCE,
        "tbsCertificate.validity",
        "expected a SEQUENCE",
    )?;
    let (not_before, not_after) = validity_times(validity)?;
    let (subject_content, subject_der) = read_tlv(
        &mut t,
        SEQUENCE,
        "tbsCertificate.subject",
        "expected a Name",
    )?;
    let subject =
        Name::parse(subject_der, subject_content).map_err(at("tbsCertificate.subject"))?;
    let (spki_content, spki) = read_tlv(
        &mut t,
        SEQUENCE,
        "tbsCertificate.subjectPublicKeyInfo",
        "expected a SEQUENCE",
    )?;
    let key_algorithm = spki_algorithm(spki_content)?;
    t.skip_if(ISSUER_UID)
        .map_err(at("tbsCertificate.issuerUniqueID"))?;
    t.skip_if(SUBJECT_UID)
        .map_err(at("tbsCertificate.subjectUniqueID"))?;
    let extensions = if t.peek_tag() == Some(EXTENSIONS) {
        let (content, _) = read_tlv(&mut t, EXTENSIONS, "tbsCertificate.extensions", "")?;
        extensions(content)?
    } else {
        Extensions::default()
    };
    t.finish().map_err(at("tbsCertificate"))?;

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
        key_algorithm,
        signature_algorithm,
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

fn validity_times(content: &[u8]) -> Result<(i64, i64), CertError> {
    let mut r = Reader::new(content);
    let mut read_time = |field: &'static str| -> Result<i64, CertError> {
        let (tag, value) = r.read_any().map_err(at(field))?;
        time::parse(tag, value).map_err(at(field))
    };
    let not_before = read_time("tbsCertificate.validity.notBefore")?;
    let not_after = read_time("tbsCertificate.validity.notAfter")?;
    r.finish().map_err(at("tbsCertificate.validity"))?;
    Ok((not_before, not_after))
}

/// Checks the `SubjectPublicKeyInfo` shape and returns its algorithm OID.
fn spki_algorithm(content: &[u8]) -> Result<String, CertError> {
    const FIELD: &str = "tbsCertificate.subjectPublicKeyInfo";
    let mut r = Reader::new(content);
    let (alg, _) = read_tlv(&mut r, SEQUENCE, FIELD, "expected an AlgorithmIdentifier")?;
    let oid = algorithm_oid(alg, FIELD)?;
    read_tlv(&mut r, BIT_STRING, FIELD, "expected a BIT STRING")?;
    r.finish().map_err(at(FIELD))?;
    Ok(oid)
}

/// Reads the extensions this crate acts on (basicConstraints, keyUsage) and lists the other
/// critical ones.
fn extensions(content: &[u8]) -> Result<Extensions, CertError> {
    const FIELD: &str = "tbsCertificate.extensions";
    let mut outer = Reader::new(content);
    let (list, _) = read_tlv(&mut outer, SEQUENCE, FIELD, "expected a SEQUENCE")?;
    outer.finish().map_err(at(FIELD))?;
    let mut extensions = Extensions::default();
    let mut seen = Vec::new();
    let mut r = Reader::new(list);
    while !r.is_empty() {
        let (extension, _) = read_tlv(&mut r, SEQUENCE, FIELD, "expected an Extension")?;
        let mut e = Reader::new(extension);
        let oid = e
            .read(OID, "expected an extension OID")
            .and_then(der::oid_to_string)
            .map_err(at(FIELD))?;
        let critical = if e.peek_tag() == Some(BOOLEAN) {
            match e.read(BOOLEAN, "").map_err(at(FIELD))? {
                [value] => *value != 0,
                _ => return Err(malformed(FIELD, "bad BOOLEAN")),
            }
        } else {
            false
        };
        let value = e
            .read(OCTET_STRING, "expected an OCTET STRING extension value")
            .map_err(at(FIELD))?;
        e.finish().map_err(at(FIELD))?;
        if seen.contains(&oid) {
            return Err(malformed(FIELD, "an extension appears twice"));
        }
        match oid.as_str() {
            "2.5.29.19" => {
                extensions.basic_constraints = Some(basic_constraints(value)?);
            }
            "2.5.29.15" => {
                let (digital_signature, key_cert_sign) = key_usage(value)?;
                extensions.digital_signature = Some(digital_signature);
                extensions.key_cert_sign = Some(key_cert_sign);
            }
            // Understood well enough to be marked critical: extendedKeyUsage and
            // subjectAltName do not restrict what a CA may sign.
            "2.5.29.37" | "2.5.29.17" => {}
            _ if critical => extensions.unknown_critical.push(oid.clone()),
            _ => {}
        }
        seen.push(oid);
    }
    Ok(extensions)
}

/// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
/// OPTIONAL }`: whether it is a CA, and its path length limit.
fn basic_constraints(value: &[u8]) -> Result<(bool, Option<u64>), CertError> {
    const FIELD: &str = "basicConstraints extension";
    let mut outer = Reader::new(value);
    let (content, _) = read_tlv(&mut outer, SEQUENCE, FIELD, "expected a SEQUENCE")?;
    outer.finish().map_err(at(FIELD))?;
    let mut r = Reader::new(content);
    let ca = if r.peek_tag() == Some(BOOLEAN) {
        match r.read(BOOLEAN, "").map_err(at(FIELD))? {
            [value] => *value != 0,
            _ => return Err(malformed(FIELD, "bad BOOLEAN")),
        }
    } else {
        false
    };
    let path_len = if r.peek_tag() == Some(INTEGER) {
        let magnitude = r.read_unsigned().map_err(at(FIELD))?;
        Some(
            magnitude
                .iter()
                .try_fold(0u64, |acc, &b| {
                    acc.checked_mul(256).map(|v| v | u64::from(b))
                })
                .unwrap_or(u64::MAX),
        )
    } else {
        None
    };
    r.finish().map_err(at(FIELD))?;
    Ok((ca, path_len))
}

/// Whether a `KeyUsage` BIT STRING has `digitalSignature` (bit 0) and `keyCertSign` (bit 5).
fn key_usage(value: &[u8]) -> Result<(bool, bool), CertError> {
    const FIELD: &str = "keyUsage extension";
    let mut r = Reader::new(value);
    let bits = r
        .read(BIT_STRING, "expected a BIT STRING")
        .map_err(at(FIELD))?;
    r.finish().map_err(at(FIELD))?;
    match bits {
        [unused, ..] if *unused > 7 => Err(malformed(FIELD, "bad BIT STRING")),
        [_, first, ..] => Ok((first & 0x80 != 0, first & 0x04 != 0)),
        _ => Ok((false, false)),
    }
}

/// The outer `signatureAlgorithm` OID of something shaped like a certificate, read leniently:
/// enough to recognise (and skip) certificates the full parser refuses.
pub(super) fn outer_signature_algorithm(input: &[u8]) -> Option<String> {
    let mut outer = Reader::lenient(input);
    let (tag, body) = outer.read_any().ok()?;
    if tag != SEQUENCE {
        return None;
    }
    let mut r = Reader::lenient(body);
    let (tag, _) = r.read_any().ok()?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, alg) = r.read_any().ok()?;
    if tag != SEQUENCE {
        return None;
    }
    let mut a = Reader::lenient(alg);
    let (tag, oid) = a.read_any().ok()?;
    if tag != OID {
        return None;
    }
    der::oid_to_string(oid).ok()
}
