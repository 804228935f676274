//! Splitting a gateway answer into the exact bytes that were signed and the signature.
//!
//! An answer looks like `{"alipay_trade_query_response":{…},"sign":"…"}` (plus
//! `"alipay_cert_sn":"…"` in certificate mode). The signature covers the node's value **exactly
//! as sent**, so the value is cut out of the body by a string-aware scanner, verified, and then
//! parsed from those same bytes: nothing is re-serialized, and nothing but the verified bytes is
//! ever parsed.
//!
//! The character set an answer is read in is the one **the request declared** (its `charset`
//! parameter: `utf-8` for every request this client sends), never one the answer names: the
//! `Content-Type` is not signed, and neither is anything outside the node, so whoever is on the
//! path could otherwise have a node Alipay signed as UTF-8 decoded as GBK, verified on the same
//! bytes, and every Chinese string in it turned into mojibake. A body that is not text in the
//! declared character set is refused ([`ResponseError::Charset`]). For an answer to a request
//! that declared GBK (e.g. one recorded from another SDK), [`split_declared`] with
//! [`Charset::Gbk`] reads it: the scanner steps over GBK's two-byte characters, whose second
//! byte may be `\` (e.g. `誠` is `D5 5C`), the signature is checked over the raw bytes, and the
//! node is decoded to UTF-8 only for parsing.

use std::borrow::Cow;
use std::ops::Range;

use crate::error::ResponseError;

/// The parts of a gateway answer, borrowed from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// Which node holds the answer.
    pub node: Node,
    /// The node's value exactly as sent: the bytes the signature covers. A JSON object, or a
    /// JSON string (quotes included) when the content is encrypted.
    pub signed: &'a [u8],
    /// The node's value as text: [`signed`](Self::signed) itself in a UTF-8 answer, decoded from
    /// GBK in a GBK one.
    pub content: Cow<'a, str>,
    /// The top-level `sign`, decoded from its JSON string, if present.
    pub sign: Option<String>,
    /// The top-level `alipay_cert_sn`, if present (certificate mode), with any secret parameter
    /// value in it redacted (a real serial number has none): errors and logs name it.
    pub alipay_cert_sn: Option<String>,
    /// The character set the answer was read in: the one the request declared.
    pub charset: Charset,
}

/// Which node of the answer holds the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// The method's own node, e.g. `alipay_trade_query_response`.
    Method,
    /// `error_response`, sent by the gateway when it refuses a request before the method runs.
    Error,
}

/// The character set of a request (its `charset` parameter) and so of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Charset {
    /// UTF-8 (which includes plain ASCII), what this client declares on every request.
    Utf8,
    /// GBK (read as GB18030), which other SDKs may declare.
    Gbk,
}

impl std::fmt::Display for Charset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Charset::Utf8 => "UTF-8",
            Charset::Gbk => "GBK",
        })
    }
}

impl Charset {
    /// The value of the `charset` request parameter that declares this character set:
    /// `utf-8` or `GBK`.
    pub fn param(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Gbk => "GBK",
        }
    }

    /// The character set a `Content-Type` value names in its `charset` parameter, if it is one
    /// the client knows: `utf-8`/`utf8`, or `gbk`/`gb2312`/`gb18030` (any case). For the record
    /// only: answers are read in the character set their request declared, whatever their
    /// `Content-Type` says (it is not signed).
    pub fn from_content_type(content_type: &str) -> Option<Charset> {
        content_type.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("charset") {
                return None;
            }
            let value = value.trim().trim_matches('"');
            if value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("utf8") {
                Some(Charset::Utf8)
            } else if ["gbk", "gb2312", "gb18030"]
                .iter()
                .any(|name| value.eq_ignore_ascii_case(name))
            {
                Some(Charset::Gbk)
            } else {
                None
            }
        })
    }
}

/// Splits a gateway answer to a request that declared UTF-8, as every request of this client
/// does. `response_key` is the method's node name (e.g. `alipay_trade_query_response`).
///
/// Errors: the body is not UTF-8 text ([`ResponseError::Charset`]); it is not a JSON object
/// ([`ResponseError::NotJson`]); a top-level key appears twice
/// ([`ResponseError::DuplicateNode`]); neither the method's node nor `error_response` is present
/// ([`ResponseError::MissingNode`]); `sign` is not a string ([`ResponseError::Malformed`]).
pub fn split<'a>(body: &'a [u8], response_key: &str) -> Result<Envelope<'a>, ResponseError> {
    split_declared(body, response_key, Charset::Utf8)
}

/// [`split`] for an answer to a request that declared `declared` (its `charset` parameter).
/// The whole body must be text in that character set, or it is refused with
/// [`ResponseError::Charset`]: it is never read in another one, whatever its `Content-Type`
/// says. A GBK body that also happens to be valid UTF-8 (`忙` is `C3 A6`, which is UTF-8 for
/// `æ`) is read as GBK when GBK was declared. Whatever the character set, the signature is over
/// the raw bytes.
pub fn split_declared<'a>(
    body: &'a [u8],
    response_key: &str,
    declared: Charset,
) -> Result<Envelope<'a>, ResponseError> {
    let mismatch = || ResponseError::Charset { declared };
    // The body as text, decoded once. Plain ASCII is the same text in both.
    let text = match declared {
        Charset::Utf8 => Cow::Borrowed(std::str::from_utf8(body).map_err(|_| mismatch())?),
        Charset::Gbk if body.is_ascii() => {
            Cow::Borrowed(std::str::from_utf8(body).map_err(|_| mismatch())?)
        }
        Charset::Gbk => Cow::Owned(decode_gbk(body).ok_or_else(mismatch)?.into_owned()),
    };
    let charset = declared;
    // Reject anything that is not one well-formed JSON document first, so the scanner below only
    // ever sees valid JSON (and, in GBK, only whole characters).
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(ResponseError::NotJson)?;
    let members = top_level_members(body, charset)?;

    let mut method_node = None;
    let mut error_node = None;
    let mut sign = None;
    let mut cert_sn = None;
    for (i, (key, value)) in members.iter().enumerate() {
        if members[..i].iter().any(|(k, _)| k == key) {
            return Err(ResponseError::DuplicateNode(
                crate::redact::text(key).into_owned(),
            ));
        }
        let raw = &body[value.clone()];
        match key.as_str() {
            k if k == response_key => method_node = Some(value.clone()),
            "error_response" => error_node = Some(value.clone()),
            "sign" => sign = Some(json_string(raw, charset, "sign")?),
            // Redacted: errors name it, and a gateway may have echoed the request into it.
            "alipay_cert_sn" => {
                let sn = json_string(raw, charset, "alipay_cert_sn")?;
                cert_sn = Some(crate::redact::text(&sn).into_owned());
            }
            _ => {}
        }
    }
    let (node, range) = match (method_node, error_node) {
        (Some(range), _) => (Node::Method, range),
        (None, Some(range)) => (Node::Error, range),
        (None, None) => return Err(ResponseError::MissingNode(response_key.to_owned())),
    };
    let content = match text {
        // The text is the body's own bytes, and the range starts and ends at ASCII bytes, so it
        // is on character boundaries.
        Cow::Borrowed(text) => Cow::Borrowed(&text[range.clone()]),
        Cow::Owned(_) => Cow::Owned(text_of(&body[range.clone()], charset)?.into_owned()),
    };
    Ok(Envelope {
        node,
        signed: &body[range],
        content,
        sign,
        alipay_cert_sn: cert_sn,
        charset,
    })
}

/// Strict GBK (GB18030) decoding: `None` for a byte sequence that is not GBK.
fn decode_gbk(bytes: &[u8]) -> Option<Cow<'_, str>> {
    encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
}

/// Raw bytes of a piece of a body already checked to be text in `charset`, as text.
fn text_of(raw: &[u8], charset: Charset) -> Result<Cow<'_, str>, ResponseError> {
    let text = match charset {
        Charset::Utf8 => std::str::from_utf8(raw).ok().map(Cow::Borrowed),
        Charset::Gbk => decode_gbk(raw),
    };
    text.ok_or_else(|| ResponseError::Malformed("the answer is cut inside a character".to_owned()))
}

fn json_string(raw: &[u8], charset: Charset, name: &str) -> Result<String, ResponseError> {
    serde_json::from_str::<String>(&text_of(raw, charset)?)
        .map_err(|_| ResponseError::Malformed(format!("`{name}` is not a JSON string")))
}

/// The top-level members of a JSON object as (decoded key, value's byte range) pairs. The input
/// must be valid JSON in `charset` (checked by the caller).
fn top_level_members(
    body: &[u8],
    charset: Charset,
) -> Result<Vec<(String, Range<usize>)>, ResponseError> {
    let scanner = Scanner {
        bytes: body,
        gbk: charset == Charset::Gbk,
    };
    let not_object = || ResponseError::Malformed("the answer is not a JSON object".to_owned());
    let mut i = scanner.skip_ws(0);
    if body.get(i) != Some(&b'{') {
        return Err(not_object());
    }
    i = scanner.skip_ws(i + 1);
    let mut members = Vec::with_capacity(4);
    if body.get(i) == Some(&b'}') {
        return Ok(members);
    }
    loop {
        let key_end = scanner.string_end(i).ok_or_else(not_object)?;
        let raw_key = &body[i..key_end];
        let key = if raw_key.is_ascii() && !raw_key.contains(&b'\\') {
            String::from_utf8_lossy(&raw_key[1..raw_key.len() - 1]).into_owned()
        } else {
            serde_json::from_str::<String>(&text_of(raw_key, charset)?).map_err(|_| not_object())?
        };
        i = scanner.skip_ws(key_end);
        if body.get(i) != Some(&b':') {
            return Err(not_object());
        }
        let start = scanner.skip_ws(i + 1);
        let end = scanner.value_end(start).ok_or_else(not_object)?;
        members.push((key, start..end));
        i = scanner.skip_ws(end);
        match body.get(i) {
            Some(b',') => i = scanner.skip_ws(i + 1),
            Some(b'}') => return Ok(members),
            _ => return Err(not_object()),
        }
    }
}

/// Finds the ends of JSON values in raw bytes. In UTF-8 no byte of a multi-byte character is
/// ASCII, so bytes can be looked at one by one; in GBK the second byte of a two-byte character
/// may be ASCII (`@`..`~`, `\` among them), so inside strings a byte from `0x81` on takes the
/// next byte with it.
struct Scanner<'a> {
    bytes: &'a [u8],
    gbk: bool,
}

impl Scanner<'_> {
    fn skip_ws(&self, mut i: usize) -> usize {
        while matches!(self.bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// The index just past the string starting at `start` (which must be a `"`).
    fn string_end(&self, start: usize) -> Option<usize> {
        if self.bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut i = start + 1;
        while let Some(&byte) = self.bytes.get(i) {
            match byte {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                0x81..=0xFE if self.gbk => i += 2,
                _ => i += 1,
            }
        }
        None
    }

    /// The index just past the JSON value starting at `start`.
    fn value_end(&self, start: usize) -> Option<usize> {
        let bytes = self.bytes;
        match *bytes.get(start)? {
            b'"' => self.string_end(start),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut i = start;
                while let Some(&byte) = bytes.get(i) {
                    match byte {
                        b'"' => {
                            i = self.string_end(i)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                return Some(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                None
            }
            _ => {
                let mut i = start;
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                Some(i)
            }
        }
    }
}

/// The answer of a method whose success carries no business field, only the common `code`
/// and `msg` (which the client checks before parsing): e.g. `alipay.user.agreement.unsign`,
/// `alipay.open.app.mini.templatemessage.send`, `alipay.open.public.message.single.send`.
/// Any field such an answer does carry is ignored.
///
/// ```
/// use alipay::response::EmptyResponse;
///
/// let answer: EmptyResponse = serde_json::from_str(r#"{"code":"10000","msg":"Success"}"#)?;
/// assert_eq!(answer, EmptyResponse::default());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[non_exhaustive]
pub struct EmptyResponse {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_response_reads_any_object_but_not_a_scalar() {
        for json in [r#"{"code":"10000","msg":"Success"}"#, "{}", r#"{"new":1}"#] {
            let parsed: Result<EmptyResponse, _> = serde_json::from_str(json);
            assert_eq!(parsed.ok(), Some(EmptyResponse::default()), "{json}");
        }
        for json in [r#""Success""#, "null", "10000"] {
            assert!(
                serde_json::from_str::<EmptyResponse>(json).is_err(),
                "{json}"
            );
        }
    }

    const KEY: &str = "alipay_trade_query_response";

    #[test]
    fn takes_the_exact_bytes() {
        let body = r#"{"alipay_trade_query_response" : {"code":"10000","msg":"Success","url":"https:\/\/x","s":"a\"}b{","n":1.50} , "sign":"AB\/c=="}"#;
        let env = split(body.as_bytes(), KEY).unwrap();
        assert_eq!(env.node, Node::Method);
        assert_eq!(
            env.content,
            r#"{"code":"10000","msg":"Success","url":"https:\/\/x","s":"a\"}b{","n":1.50}"#
        );
        assert_eq!(env.sign.as_deref(), Some("AB/c=="));
        assert_eq!(env.alipay_cert_sn, None);
    }

    #[test]
    fn cert_sn_and_error_node() {
        let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments"},"alipay_cert_sn":"abc","sign":"x"}"#;
        let env = split(body.as_bytes(), KEY).unwrap();
        assert_eq!(env.node, Node::Error);
        assert_eq!(env.content, r#"{"code":"40002","msg":"Invalid Arguments"}"#);
        assert_eq!(env.alipay_cert_sn.as_deref(), Some("abc"));
    }

    #[test]
    fn encrypted_content_keeps_its_quotes() {
        let body = r#"{"alipay_trade_query_response":"c2VjcmV0","sign":"x"}"#;
        assert_eq!(
            split(body.as_bytes(), KEY).unwrap().content,
            r#""c2VjcmV0""#
        );
    }

    #[test]
    fn duplicated_node_is_refused() {
        let body = r#"{"alipay_trade_query_response":{"a":"1"},"sign":"x","alipay_trade_query_response":{"a":"2"}}"#;
        assert!(
            matches!(split(body.as_bytes(), KEY), Err(ResponseError::DuplicateNode(k)) if k == KEY)
        );
        // The same key spelled with an escape is the same key.
        let body = r#"{"alipay_trade_query_response":{"a":"1"},"alipay_trade_query\u005fresponse":{"a":"2"}}"#;
        assert!(matches!(
            split(body.as_bytes(), KEY),
            Err(ResponseError::DuplicateNode(_))
        ));
    }

    #[test]
    fn a_node_name_inside_a_string_is_not_a_node() {
        let body = r#"{"x":"\"alipay_trade_query_response\":{}","alipay_trade_query_response":{"a":"1"},"sign":"s"}"#;
        assert_eq!(split(body.as_bytes(), KEY).unwrap().content, r#"{"a":"1"}"#);
    }

    #[test]
    fn malformed_bodies() {
        assert!(matches!(
            split(b"<html>502</html>", KEY),
            Err(ResponseError::NotJson(_))
        ));
        assert!(matches!(
            split(br#"{"alipay_trade_query_response":{"#, KEY),
            Err(ResponseError::NotJson(_))
        ));
        assert!(matches!(
            split(b"[1]", KEY),
            Err(ResponseError::Malformed(_))
        ));
        assert!(matches!(
            split(br#"{"other":{}}"#, KEY),
            Err(ResponseError::MissingNode(_))
        ));
        assert!(matches!(
            split(br#"{"alipay_trade_query_response":{},"sign":1}"#, KEY),
            Err(ResponseError::Malformed(_))
        ));
    }

    /// GBK bytes of `text` (only the characters these tests use).
    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn a_gbk_answer_is_split_on_its_raw_bytes() {
        // `誠` is D5 5C in GBK: its second byte is a backslash, which must not escape the quote
        // that follows it.
        let node = [
            &br#"{"code":"40004","msg":"Business Failed","sub_msg":""#[..],
            &gbk("系统繁忙誠"),
            b"\"}",
        ]
        .concat();
        assert!(node.windows(2).any(|w| w == [0xD5, 0x5C]));
        let body = [
            &b"{\"alipay_trade_query_response\":"[..],
            &node,
            b",\"sign\":\"c2ln\"}",
        ]
        .concat();
        assert!(std::str::from_utf8(&body).is_err());
        let env = split_declared(&body, KEY, Charset::Gbk).unwrap();
        assert_eq!(env.charset, Charset::Gbk);
        assert_eq!(env.signed, &node[..]);
        assert_eq!(
            env.content,
            r#"{"code":"40004","msg":"Business Failed","sub_msg":"系统繁忙誠"}"#
        );
        assert_eq!(env.sign.as_deref(), Some("c2ln"));
    }

    #[test]
    fn a_utf8_answer_borrows_its_content() {
        let body = r#"{"alipay_trade_query_response":{"sub_msg":"系统繁忙"},"sign":"x"}"#;
        let env = split(body.as_bytes(), KEY).unwrap();
        assert_eq!(env.charset, Charset::Utf8);
        assert!(matches!(env.content, Cow::Borrowed(_)));
        assert_eq!(env.signed, r#"{"sub_msg":"系统繁忙"}"#.as_bytes());
    }

    #[test]
    fn a_body_not_in_the_declared_charset_is_refused() {
        // GBK bytes (or any non-UTF-8 byte, inside or outside the node) where UTF-8 was declared.
        let node = [&br#"{"sub_msg":""#[..], &gbk("系统繁忙"), b"\"}"].concat();
        let body = [
            &b"{\"alipay_trade_query_response\":"[..],
            &node,
            b",\"sign\":\"x\"}",
        ]
        .concat();
        assert!(matches!(
            split(&body, KEY),
            Err(ResponseError::Charset {
                declared: Charset::Utf8
            })
        ));
        let injected =
            b"{\"alipay_trade_query_response\":{\"a\":\"1\"},\"x\":\"\xB5\",\"sign\":\"x\"}";
        assert!(matches!(
            split(injected, KEY),
            Err(ResponseError::Charset {
                declared: Charset::Utf8
            })
        ));
        // Bytes that are not GBK where GBK was declared (中 in UTF-8 is E4 B8 AD, and AD cannot
        // lead the quote that follows).
        let body = r#"{"alipay_trade_query_response":{"a":"中"},"sign":"x"}"#;
        assert!(matches!(
            split_declared(body.as_bytes(), KEY, Charset::Gbk),
            Err(ResponseError::Charset {
                declared: Charset::Gbk
            })
        ));
        let body = b"{\"alipay_trade_query_response\":{\"a\":\"\xFF\xFF\"},\"sign\":\"x\"}";
        assert!(matches!(
            split_declared(body, KEY, Charset::Gbk),
            Err(ResponseError::Charset {
                declared: Charset::Gbk
            })
        ));
    }

    #[test]
    fn a_declared_gbk_body_that_is_also_utf8_is_read_as_gbk() {
        // 忙 in GBK is C3 A6, which is also UTF-8 (for æ): read in what was declared.
        let body = [
            &b"{\"alipay_trade_query_response\":{\"sub_msg\":\""[..],
            &gbk("忙"),
            b"\"},\"sign\":\"x\"}",
        ]
        .concat();
        assert_eq!(split(&body, KEY).unwrap().content, r#"{"sub_msg":"æ"}"#);
        let env = split_declared(&body, KEY, Charset::Gbk).unwrap();
        assert_eq!(env.charset, Charset::Gbk);
        assert_eq!(env.content, r#"{"sub_msg":"忙"}"#);
        // Plain ASCII is the same in both, and borrowed.
        let body = br#"{"alipay_trade_query_response":{"a":"1"},"sign":"x"}"#;
        let env = split_declared(body, KEY, Charset::Gbk).unwrap();
        assert!(matches!(env.content, Cow::Borrowed(r#"{"a":"1"}"#)));
    }

    #[test]
    fn charsets_from_content_types_and_params() {
        assert_eq!(Charset::Utf8.param(), "utf-8");
        assert_eq!(Charset::Gbk.param(), "GBK");
        for (value, expected) in [
            ("text/html;charset=GBK", Some(Charset::Gbk)),
            ("text/html; charset=\"gb2312\"", Some(Charset::Gbk)),
            ("application/json;charset=UTF-8", Some(Charset::Utf8)),
            ("application/json", None),
            ("text/plain; charset=latin1", None),
            ("charset=gbk", None),
        ] {
            assert_eq!(Charset::from_content_type(value), expected, "{value}");
        }
    }
}
