//! Splitting a gateway answer into the exact bytes that were signed and the signature.
//!
//! An answer looks like `{"alipay_trade_query_response":{…},"sign":"…"}` (plus
//! `"alipay_cert_sn":"…"` in certificate mode). The signature covers the node's value **exactly
//! as sent**, so the value is cut out of the body by a string-aware scanner, verified, and then
//! parsed from those same bytes: nothing is re-serialized, and nothing but the verified bytes is
//! ever parsed.

use crate::error::ResponseError;

/// The parts of a gateway answer, borrowed from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// Which node holds the answer.
    pub node: Node,
    /// The node's value exactly as sent: a JSON object, or a JSON string (quotes included) when
    /// the content is encrypted.
    pub content: &'a str,
    /// The top-level `sign`, decoded from its JSON string, if present.
    pub sign: Option<String>,
    /// The top-level `alipay_cert_sn`, if present (certificate mode).
    pub alipay_cert_sn: Option<String>,
}

/// Which node of the answer holds the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// The method's own node, e.g. `alipay_trade_query_response`.
    Method,
    /// `error_response`, sent by the gateway when it refuses a request before the method runs.
    Error,
}

/// Splits a gateway answer. `response_key` is the method's node name
/// (e.g. `alipay_trade_query_response`).
///
/// Errors: the body is not a JSON object ([`ResponseError::NotJson`]); a top-level key appears
/// twice ([`ResponseError::DuplicateNode`]); neither the method's node nor `error_response` is
/// present ([`ResponseError::MissingNode`]); `sign` is not a string
/// ([`ResponseError::Malformed`]).
pub fn split<'a>(body: &'a str, response_key: &str) -> Result<Envelope<'a>, ResponseError> {
    // Reject anything that is not one well-formed JSON document first, so the scanner below only
    // ever sees valid JSON.
    serde_json::from_str::<serde::de::IgnoredAny>(body).map_err(ResponseError::NotJson)?;
    let members = top_level_members(body)?;

    let mut method_node = None;
    let mut error_node = None;
    let mut sign = None;
    let mut cert_sn = None;
    for (i, (key, value)) in members.iter().enumerate() {
        if members[..i].iter().any(|(k, _)| k == key) {
            return Err(ResponseError::DuplicateNode(key.clone()));
        }
        match key.as_str() {
            k if k == response_key => method_node = Some(*value),
            "error_response" => error_node = Some(*value),
            "sign" => sign = Some(json_string(value, "sign")?),
            "alipay_cert_sn" => cert_sn = Some(json_string(value, "alipay_cert_sn")?),
            _ => {}
        }
    }
    let (node, content) = match (method_node, error_node) {
        (Some(content), _) => (Node::Method, content),
        (None, Some(content)) => (Node::Error, content),
        (None, None) => return Err(ResponseError::MissingNode(response_key.to_owned())),
    };
    Ok(Envelope {
        node,
        content,
        sign,
        alipay_cert_sn: cert_sn,
    })
}

fn json_string(raw: &str, name: &str) -> Result<String, ResponseError> {
    serde_json::from_str::<String>(raw)
        .map_err(|_| ResponseError::Malformed(format!("`{name}` is not a JSON string")))
}

/// The top-level members of a JSON object as (decoded key, raw value) pairs. The input must be
/// valid JSON (checked by the caller).
fn top_level_members(body: &str) -> Result<Vec<(String, &str)>, ResponseError> {
    let bytes = body.as_bytes();
    let not_object = || ResponseError::Malformed("the answer is not a JSON object".to_owned());
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return Err(not_object());
    }
    i = skip_ws(bytes, i + 1);
    let mut members = Vec::with_capacity(4);
    if bytes.get(i) == Some(&b'}') {
        return Ok(members);
    }
    loop {
        let key_end = string_end(bytes, i).ok_or_else(not_object)?;
        let raw_key = &body[i..key_end];
        let key = if raw_key.contains('\\') {
            serde_json::from_str::<String>(raw_key).map_err(|_| not_object())?
        } else {
            raw_key[1..raw_key.len() - 1].to_owned()
        };
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return Err(not_object());
        }
        let start = skip_ws(bytes, i + 1);
        let end = value_end(bytes, start).ok_or_else(not_object)?;
        members.push((key, &body[start..end]));
        i = skip_ws(bytes, end);
        match bytes.get(i) {
            Some(b',') => i = skip_ws(bytes, i + 1),
            Some(b'}') => return Ok(members),
            _ => return Err(not_object()),
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index just past the string starting at `start` (which must be a `"`).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The index just past the JSON value starting at `start`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match *bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "alipay_trade_query_response";

    #[test]
    fn takes_the_exact_bytes() {
        let body = r#"{"alipay_trade_query_response" : {"code":"10000","msg":"Success","url":"https:\/\/x","s":"a\"}b{","n":1.50} , "sign":"AB\/c=="}"#;
        let env = split(body, KEY).unwrap();
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
        let env = split(body, KEY).unwrap();
        assert_eq!(env.node, Node::Error);
        assert_eq!(env.content, r#"{"code":"40002","msg":"Invalid Arguments"}"#);
        assert_eq!(env.alipay_cert_sn.as_deref(), Some("abc"));
    }

    #[test]
    fn encrypted_content_keeps_its_quotes() {
        let body = r#"{"alipay_trade_query_response":"c2VjcmV0","sign":"x"}"#;
        assert_eq!(split(body, KEY).unwrap().content, r#""c2VjcmV0""#);
    }

    #[test]
    fn duplicated_node_is_refused() {
        let body = r#"{"alipay_trade_query_response":{"a":"1"},"sign":"x","alipay_trade_query_response":{"a":"2"}}"#;
        assert!(matches!(split(body, KEY), Err(ResponseError::DuplicateNode(k)) if k == KEY));
        // The same key spelled with an escape is the same key.
        let body = r#"{"alipay_trade_query_response":{"a":"1"},"alipay_trade_query\u005fresponse":{"a":"2"}}"#;
        assert!(matches!(
            split(body, KEY),
            Err(ResponseError::DuplicateNode(_))
        ));
    }

    #[test]
    fn a_node_name_inside_a_string_is_not_a_node() {
        let body = r#"{"x":"\"alipay_trade_query_response\":{}","alipay_trade_query_response":{"a":"1"},"sign":"s"}"#;
        assert_eq!(split(body, KEY).unwrap().content, r#"{"a":"1"}"#);
    }

    #[test]
    fn malformed_bodies() {
        assert!(matches!(
            split("<html>502</html>", KEY),
            Err(ResponseError::NotJson(_))
        ));
        assert!(matches!(
            split(r#"{"alipay_trade_query_response":{"#, KEY),
            Err(ResponseError::NotJson(_))
        ));
        assert!(matches!(
            split("[1]", KEY),
            Err(ResponseError::Malformed(_))
        ));
        assert!(matches!(
            split(r#"{"other":{}}"#, KEY),
            Err(ResponseError::MissingNode(_))
        ));
        assert!(matches!(
            split(r#"{"alipay_trade_query_response":{},"sign":1}"#, KEY),
            Err(ResponseError::Malformed(_))
        ));
    }
}
