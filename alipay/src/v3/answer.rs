//! Verifying a v3 answer from its status, headers and raw body, before anything in it is used:
//! a pure function, so any transport (or a recorded answer) can be checked the same way.
//!
//! See <https://opendocs.alipay.com/open-v3/054d0z> (v3 验签规则).

use std::borrow::Cow;
use std::collections::HashSet;

use http::HeaderMap;

use super::error::V3Error;
use crate::error::{Error, VerifyError};

/// The answer header with the signing time.
pub const TIMESTAMP_HEADER: &str = "alipay-timestamp";
/// The answer header with the signing nonce.
pub const NONCE_HEADER: &str = "alipay-nonce";
/// The answer header with the base64 signature.
pub const SIGNATURE_HEADER: &str = "alipay-signature";
/// The answer header naming the Alipay certificate that signed (certificate mode).
pub const SN_HEADER: &str = "alipay-sn";
/// The answer header naming the exchange, quoted to Alipay's support.
pub const TRACE_ID_HEADER: &str = "alipay-trace-id";

/// The longest body snippet kept in [`Error::V3Unsigned`].
const SNIPPET: usize = 256;

/// The content an answer is signed over: `timestamp\nnonce\nbody\n` (an empty body leaves an
/// empty line).
pub fn answer_content(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    out.extend_from_slice(timestamp.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(nonce.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(body);
    out.push(b'\n');
    out
}

/// A header's value as text; `Ok(None)` when absent, an error when it is not visible ASCII.
fn header<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<Option<&'h str>, Error> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(Some)
            .map_err(|_| VerifyError::MalformedHeader(name).into()),
    }
}

/// Verifies a v3 answer and returns its body, now trusted.
///
/// `verify(sn, content, signature)` checks `signature` over `content` with the key of the
/// certificate `sn` (the `alipay-sn` header, certificate mode) or with the Alipay public key.
///
/// - 2xx: the answer must be signed (`alipay-signature`, `alipay-timestamp`, `alipay-nonce`),
///   empty bodies included, else [`VerifyError::MissingSign`] /
///   [`VerifyError::MissingHeader`]; a signature that does not verify is
///   [`VerifyError::Mismatch`] (or [`VerifyError::BadEncoding`]).
/// - other statuses, signed: verified the same way, then [`Error::V3`] with the error body.
/// - other statuses, unsigned: [`Error::V3Unsigned`], whose content is not to be trusted.
///
/// A signed body that is not UTF-8 (v3 answers are JSON, or the base64 of AES ciphertext) is
/// [`ResponseError::Charset`](crate::ResponseError::Charset) once verified, whatever character
/// set its `Content-Type` names: it is never read in another one.
pub fn verify_answer<'b>(
    status: u16,
    headers: &HeaderMap,
    body: &'b [u8],
    verify: impl FnOnce(Option<&str>, &[u8], &str) -> Result<(), VerifyError>,
) -> Result<&'b [u8], Error> {
    let success = (200..300).contains(&status);
    let trace_id = header(headers, TRACE_ID_HEADER)
        .ok()
        .flatten()
        .map(|t| t.chars().take(128).collect::<String>());
    let Some(signature) = header(headers, SIGNATURE_HEADER)? else {
        if success {
            return Err(VerifyError::MissingSign.into());
        }
        let end = body.len().min(SNIPPET);
        return Err(Error::V3Unsigned {
            status,
            snippet: String::from_utf8_lossy(&body[..end]).into_owned(),
            trace_id,
        });
    };
    let timestamp =
        header(headers, TIMESTAMP_HEADER)?.ok_or(VerifyError::MissingHeader(TIMESTAMP_HEADER))?;
    let nonce = header(headers, NONCE_HEADER)?.ok_or(VerifyError::MissingHeader(NONCE_HEADER))?;
    let sn = header(headers, SN_HEADER)?;
    verify(sn, &answer_content(timestamp, nonce, body), signature)?;
    if std::str::from_utf8(body).is_err() {
        return Err(crate::ResponseError::Charset {
            declared: crate::response::Charset::Utf8,
        }
        .into());
    }
    if success {
        return Ok(body);
    }
    match V3Error::parse(status, body, trace_id) {
        Some(error) => Err(Error::V3(error)),
        None => Err(crate::ResponseError::Malformed(format!(
            "the signed v3 error answer (HTTP {status}) is not a JSON object with a `code`"
        ))
        .into()),
    }
}

/// The first key that appears twice in one object of the JSON `body` (at any depth), if any;
/// an error if `body` is not JSON. Two parsers may keep different copies of a duplicated key, so
/// a verified answer with one is refused rather than read.
pub(crate) fn duplicate_key(body: &[u8]) -> Result<Option<String>, serde_json::Error> {
    serde_json::from_slice::<Duplicate>(body).map(|found| found.0)
}

/// What [`duplicate_key`] found in one JSON value.
struct Duplicate(Option<String>);

impl<'de> serde::Deserialize<'de> for Duplicate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DuplicateVisitor)
    }
}

struct DuplicateVisitor;

impl<'de> serde::de::Visitor<'de> for DuplicateVisitor {
    type Value = Duplicate;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Duplicate, E> {
        Ok(Duplicate(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Duplicate, E> {
        Ok(Duplicate(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Duplicate, E> {
        Ok(Duplicate(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Duplicate, E> {
        Ok(Duplicate(None))
    }

    fn visit_str<E>(self, _: &str) -> Result<Duplicate, E> {
        Ok(Duplicate(None))
    }

    fn visit_unit<E>(self) -> Result<Duplicate, E> {
        Ok(Duplicate(None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Duplicate, A::Error> {
        let mut found = None;
        while let Some(Duplicate(inner)) = seq.next_element()? {
            found = found.or(inner);
        }
        Ok(Duplicate(found))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Duplicate, A::Error> {
        let mut keys = Keys::default();
        let mut found = None;
        while let Some(Key(key)) = map.next_key()? {
            let Duplicate(inner) = map.next_value()?;
            if found.is_none() {
                found = match keys.insert(key) {
                    Some(twice) => Some(twice.into_owned()),
                    None => inner,
                };
            }
        }
        Ok(Duplicate(found))
    }
}

/// An object's key, borrowed from the body unless it has escapes to undo.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> serde::de::Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }
}

/// The keys seen in one object: compared one by one while there are few (an answer's objects
/// have tens of keys), hashed beyond.
#[derive(Default)]
struct Keys<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> Keys<'de> {
    /// The most keys compared one by one.
    const FEW: usize = 32;

    /// Adds `key`, or gives it back if it was already there.
    fn insert(&mut self, key: Cow<'de, str>) -> Option<Cow<'de, str>> {
        if self.few.contains(&key) || self.many.contains(&key) {
            return Some(key);
        }
        if self.few.len() < Self::FEW {
            if self.few.is_empty() {
                self.few.reserve_exact(Self::FEW);
            }
            self.few.push(key);
        } else {
            self.many.insert(key);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        assert_eq!(duplicate_key(br#"{"a":1,"b":[{"c":2}]}"#).ok(), Some(None));
        assert_eq!(
            duplicate_key(br#"{"a":1,"b":2,"a":1}"#).ok(),
            Some(Some("a".to_owned()))
        );
        assert_eq!(
            duplicate_key(br#"{"a":[{"x":1,"x":2}]}"#).ok(),
            Some(Some("x".to_owned()))
        );
        assert_eq!(
            duplicate_key(br#"{"a\u0062":1,"ab":2}"#).ok(),
            Some(Some("ab".to_owned())),
            "keys compare once unescaped"
        );
        assert!(duplicate_key(br#"{"a":1,"#).is_err());
    }

    #[test]
    fn duplicate_keys_are_found_in_large_objects() {
        let object = |keys: &[String]| {
            let pairs: Vec<String> = keys.iter().map(|k| format!("\"{k}\":0")).collect();
            format!("{{{}}}", pairs.join(","))
        };
        let distinct: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        assert_eq!(duplicate_key(object(&distinct).as_bytes()).ok(), Some(None));
        for (first, second) in [(3, 20), (3, 70), (50, 90)] {
            let mut keys = distinct.clone();
            keys[second] = keys[first].clone();
            assert_eq!(
                duplicate_key(object(&keys).as_bytes()).ok(),
                Some(Some(format!("k{first}"))),
                "k{first} again at {second}"
            );
        }
    }
}
