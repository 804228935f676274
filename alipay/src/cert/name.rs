//! X.501 names and their RFC 2253 form, written exactly as Java's `X500Principal.getName()`
//! writes it (OpenJDK `sun.security.x509.AVA.toRFC2253String`), because Alipay's certificate
//! SNs are MD5 digests of that string.
//!
//! The name is read with `der`'s reader, not as `x509-cert`'s `Name`: that type sorts the
//! attributes of a multi-valued RDN into DER `SET OF` order and refuses duplicates, while Java
//! writes them in their encoded order (and the SN's MD5 covers that order); and its attribute
//! types are `const-oid` OIDs, which cannot hold the arcs Java writes (see `decimal`).

use std::fmt;
use std::fmt::Write as _;

use der::asn1::AnyRef;
use der::{Decode, Length, Reader as _, SliceReader, Tag, Tagged as _};

use super::decimal;
use crate::crypto::format::der_reason;

/// An X.501 `Name`: a certificate's issuer or subject.
///
/// Two names are equal when their DER encodings are identical (the comparison certificate
/// chains use here).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Name {
    der: Vec<u8>,
    rfc2253: String,
    /// Every attribute (type OID, value as [`value_text`] gives it), in encoded order.
    attributes: Vec<(String, String)>,
}

impl Name {
    /// Parses a `Name` from its complete DER encoding (the `SEQUENCE`, header included).
    pub(super) fn parse(whole: &[u8]) -> Result<Self, &'static str> {
        let name = AnyRef::from_der(whole).map_err(|e| der_reason(&e))?;
        if name.tag() != Tag::Sequence {
            return Err("expected a Name (SEQUENCE)");
        }
        let (rfc2253, attributes) = rfc2253(name.value()).map_err(|e| match e {
            Problem::Der(e) => der_reason(&e),
            Problem::Shape(reason) => reason,
        })?;
        Ok(Self {
            der: whole.to_vec(),
            rfc2253,
            attributes,
        })
    }

    /// The values of the attributes of type `oid` (e.g. `2.5.4.10`, organizationName), in
    /// encoded order, compared structurally rather than as text of the RFC 2253 form: a
    /// string value is its text (whatever its string type), any other value `#` and the hex
    /// of its DER.
    pub fn values_of(&self, oid: &str) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|(ty, _)| ty == oid)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The DER encoding of the name (the `SEQUENCE OF RelativeDistinguishedName`, header
    /// included).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The RFC 2253 form, as Java's `X500Principal.getName()` writes it: the most specific
    /// RDN first (`CN=…,OU=…,O=…,C=…`), `,` between RDNs and `+` inside a multi-valued one,
    /// no spaces.
    ///
    /// Details that follow the JDK rather than the letter of RFC 2253:
    ///
    /// - `CN`, `C`, `L`, `ST`, `O`, `OU`, `STREET`, `DC` and `UID` are the only keywords; any
    ///   other attribute type is written as its dotted OID with the value as `#` and the
    ///   lowercase hex of the value's DER;
    /// - the string types PrintableString, UTF8String, IA5String, TeletexString,
    ///   GeneralString and BMPString are written as the UTF-8 decoding of their bytes (so a
    ///   BMPString's UTF-16 zero bytes show as `\00`, and non-UTF-8 Teletex bytes as U+FFFD),
    ///   with non-ASCII text kept literally; other types (UniversalString, NumericString,
    ///   VisibleString, …) are written as `#` and hex, like unknown attribute types;
    /// - `,`, `=`, `+`, `<`, `>`, `#`, `;`, `"` and `\` are escaped with a backslash wherever
    ///   they are, NUL is written `\00`, and every leading or trailing space (or CR) is
    ///   escaped.
    pub fn rfc2253(&self) -> &str {
        &self.rfc2253
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc2253)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Name").field(&self.rfc2253).finish()
    }
}

/// What is wrong with a name: its DER, or its shape.
enum Problem {
    Der(der::Error),
    Shape(&'static str),
}

impl From<der::Error> for Problem {
    fn from(e: der::Error) -> Self {
        Problem::Der(e)
    }
}

/// The next element of `r`, which must have `tag`.
fn next<'a>(r: &mut SliceReader<'a>, tag: Tag, what: &'static str) -> Result<AnyRef<'a>, Problem> {
    let element: AnyRef<'a> = r.decode()?;
    if element.tag() == tag {
        Ok(element)
    } else {
        Err(Problem::Shape(what))
    }
}

/// The RFC 2253 string of a `Name`'s content (its RDN `SET`s), and its attributes.
fn rfc2253(content: &[u8]) -> Result<(String, Vec<(String, String)>), Problem> {
    let mut rdns = Vec::new();
    let mut attributes = Vec::new();
    let mut r = SliceReader::new(content)?;
    while !r.is_finished() {
        let set = next(
            &mut r,
            Tag::Set,
            "expected a RelativeDistinguishedName (SET)",
        )?;
        let mut avas = SliceReader::new(set.value())?;
        if avas.is_finished() {
            return Err(Problem::Shape("empty RelativeDistinguishedName"));
        }
        let mut parts = Vec::new();
        while !avas.is_finished() {
            let ava = next(
                &mut avas,
                Tag::Sequence,
                "expected an AttributeTypeAndValue",
            )?;
            let mut a = SliceReader::new(ava.value())?;
            let ty = next(
                &mut a,
                Tag::ObjectIdentifier,
                "expected an attribute type OID",
            )?;
            let oid = decimal::oid_to_string(ty.value()).map_err(Problem::Shape)?;
            // The value is read by hand: `der` knows no tag for some of the string types
            // Java writes (UniversalString, GeneralString).
            let whole = a.read_slice(a.remaining_len())?;
            let (tag, value) = any_value(whole)?;
            parts.push(attribute(&oid, tag, value, whole));
            attributes.push((oid, value_text(tag, value, whole)));
        }
        // Java keeps the AVAs of a multi-valued RDN in their encoded order.
        rdns.push(parts.join("+"));
    }
    rdns.reverse();
    Ok((rdns.join(","), attributes))
}

/// The tag and content of one complete TLV with a single-byte tag of any class and number.
fn any_value(whole: &[u8]) -> Result<(u8, &[u8]), Problem> {
    let Some((&tag, rest)) = whole.split_first() else {
        return Err(Problem::Shape("missing attribute value"));
    };
    if tag & 0x1f == 0x1f {
        return Err(Problem::Shape("unexpected multi-byte tag"));
    }
    let mut r = SliceReader::new(rest)?;
    let len = Length::decode(&mut r)?;
    let content = r.read_slice(len)?;
    r.finish(())?;
    Ok((tag, content))
}

/// An attribute value for comparisons: the text of a string type, otherwise `#` and the hex
/// of the value's DER.
fn value_text(tag: u8, value: &[u8], whole: &[u8]) -> String {
    if is_string(tag) {
        return String::from_utf8_lossy(value).into_owned();
    }
    let mut out = String::with_capacity(whole.len() * 2 + 1);
    out.push('#');
    for b in whole {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The RFC 2253 keyword the JDK uses for an attribute type, if any.
fn keyword(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// Whether the JDK writes a value with this tag as a string (`AVA.isDerString`, non-canonical).
fn is_string(tag: u8) -> bool {
    matches!(
        tag,
        0x0c // UTF8String
            | 0x13 // PrintableString
            | 0x14 // TeletexString (T61String)
            | 0x16 // IA5String
            | 0x1b // GeneralString
            | 0x1e // BMPString
    )
}

/// One `type=value`.
fn attribute(oid: &str, tag: u8, value: &[u8], whole: &[u8]) -> String {
    let mut out = String::with_capacity(whole.len() * 2 + 8);
    match keyword(oid) {
        Some(keyword) if is_string(tag) => {
            out.push_str(keyword);
            out.push('=');
            escape(&String::from_utf8_lossy(value), &mut out);
        }
        keyword => {
            out.push_str(keyword.unwrap_or(oid));
            out.push_str("=#");
            for b in whole {
                let _ = write!(out, "{b:02x}");
            }
        }
    }
    out
}

/// Escapes a value as the JDK does (see [`Name::rfc2253`]).
fn escape(value: &str, out: &mut String) {
    let mut chars = Vec::with_capacity(value.len() + 4);
    for c in value.chars() {
        if ",=+<>#;\"\\".contains(c) {
            chars.push('\\');
            chars.push(c);
        } else if c == '\0' {
            chars.extend(['\\', '0', '0']);
        } else {
            chars.push(c);
        }
    }
    let blank = |c: &&char| **c == ' ' || **c == '\r';
    let lead = chars.iter().take_while(blank).count();
    let trail_start = chars.len() - chars.iter().rev().take_while(blank).count();
    for (i, &c) in chars.iter().enumerate() {
        if i < lead || i >= trail_start {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        escape(value, &mut out);
        out
    }

    #[test]
    fn escaping_follows_the_jdk() {
        assert_eq!(escaped("plain text"), "plain text");
        assert_eq!(escaped("a,b+c"), "a\\,b\\+c");
        assert_eq!(
            escaped("#1 = <x>; \"q\" \\"),
            "\\#1 \\= \\<x\\>\\; \\\"q\\\" \\\\"
        );
        assert_eq!(escaped("  two leading"), "\\ \\ two leading");
        assert_eq!(escaped("trailing "), "trailing\\ ");
        assert_eq!(escaped(" "), "\\ ");
        assert_eq!(escaped("\r x \r"), "\\\r\\ x\\ \\\r");
        assert_eq!(escaped("nul\0"), "nul\\00");
        assert_eq!(escaped("支付宝(中国)"), "支付宝(中国)");
        assert_eq!(escaped(""), "");
    }

    #[test]
    fn unknown_types_and_non_strings_are_hex() {
        // emailAddress (IA5String) has no RFC 2253 keyword in the JDK.
        assert_eq!(
            attribute(
                "1.2.840.113549.1.9.1",
                0x16,
                b"a@b",
                &[0x16, 3, b'a', b'@', b'b']
            ),
            "1.2.840.113549.1.9.1=#1603614062"
        );
        // A UniversalString CN.
        assert_eq!(
            attribute("2.5.4.3", 0x1c, &[0, 0, 0, b'A'], &[0x1c, 4, 0, 0, 0, b'A']),
            "CN=#1c0400000041"
        );
        // A BMPString CN is decoded as UTF-8, as the JDK does.
        assert_eq!(
            attribute("2.5.4.3", 0x1e, &[0, b'A'], &[0x1e, 2, 0, b'A']),
            "CN=\\00A"
        );
    }
}
