//! Redaction of secret parameter values in text that came from outside (a gateway's answer)
//! before the SDK puts it in an error or a log.
//!
//! A gateway, a proxy or an attacker on the path may echo the request back: its URL query
//! carries `app_auth_token` and `auth_token`, its body the `biz_content` and, for
//! [`alipay.system.oauth.token`](https://opendocs.alipay.com/open/02ailc), the `code` or
//! `refresh_token`. Every snippet of an answer the SDK keeps ([`Error::HttpStatus`], the messages
//! of an [`ApiError`], a malformed node's reason, an unknown `alipay_cert_sn`) goes through
//! [`text`] first, which replaces the values of the [`SECRETS`] keys with `[redacted]`:
//!
//! - in form or query shape: `app_auth_token=…&`;
//! - in JSON shape: `"app_auth_token":"…"`, also with escaped quotes (`\"`) as in JSON that is
//!   itself inside a JSON string;
//! - with any character of the key, the `=`/`:` or the quotes percent-encoded
//!   (`app%5Fauth%5Ftoken%3D…`, `%22access_token%22%3A%22…%22`).
//!
//! A key matches only as a whole name (`sub_code=` is not `code=`), in any ASCII case. PEM
//! private key blocks are redacted whole.
//!
//! [`Error::HttpStatus`]: crate::Error::HttpStatus
//! [`ApiError`]: crate::ApiError

use std::borrow::Cow;

use crate::ApiError;

/// What replaces a secret value.
const REDACTED: &str = "[redacted]";

/// How long a snippet of an answer kept in an error is, at most, in bytes.
const SNIPPET_LEN: usize = 256;

/// How much of an answer is read to make a snippet: a value that starts in the snippet is
/// redacted even when it runs past [`SNIPPET_LEN`].
const SNIPPET_SCAN: usize = 4096;

/// A secret parameter name, and whether it is also secret in JSON shape (`code` is the oauth
/// authorization code in a form, but every answer's status code in JSON).
struct Secret {
    name: &'static str,
    json: bool,
}

/// The keys whose values are redacted: the tokens a call carries (`app_auth_token`,
/// `auth_token`), the OAuth credentials ([`alipay.system.oauth.token`](https://opendocs.alipay.com/open/02ailc):
/// `code`, `refresh_token`, and the `access_token` it returns), a face to face payer's
/// `auth_code`, and key material.
const SECRETS: &[Secret] = &[
    Secret {
        name: "app_auth_token",
        json: true,
    },
    Secret {
        name: "auth_token",
        json: true,
    },
    Secret {
        name: "access_token",
        json: true,
    },
    Secret {
        name: "refresh_token",
        json: true,
    },
    Secret {
        name: "auth_code",
        json: true,
    },
    Secret {
        name: "code",
        json: false,
    },
    Secret {
        name: "app_private_key",
        json: true,
    },
    Secret {
        name: "private_key",
        json: true,
    },
    Secret {
        name: "aes_key",
        json: true,
    },
    Secret {
        name: "encrypt_key",
        json: true,
    },
];

/// `text` with the values of secret keys and PEM private keys replaced by `[redacted]`.
pub(crate) fn text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    // Everything before `copied` is in `out` (or `out` is still empty and nothing changed).
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let Some(value) = secret_value(bytes, at) else {
            at += 1;
            continue;
        };
        if value.start < value.end {
            // Every position found is at an ASCII byte, so a char boundary.
            out.push_str(&text[copied..value.start]);
            out.push_str(REDACTED);
            copied = value.end;
        }
        at = value.end.max(at + 1);
    }
    if copied == 0 && out.is_empty() {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The snippet of an answer body kept in an error: its beginning, decoded lossily, redacted
/// and cut to at most 256 bytes.
pub(crate) fn snippet(body: &[u8]) -> String {
    let scanned = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_SCAN)]);
    let mut redacted = text(&scanned).into_owned();
    if redacted.len() > SNIPPET_LEN {
        let mut end = SNIPPET_LEN;
        while !redacted.is_char_boundary(end) {
            end -= 1;
        }
        redacted.truncate(end);
    }
    redacted
}

/// `error` with its messages redacted: the gateway writes them, and may echo the request.
pub(crate) fn api_error(mut error: ApiError) -> ApiError {
    let clean = |s: &mut String| {
        if let Cow::Owned(redacted) = text(s) {
            *s = redacted;
        }
    };
    clean(&mut error.code);
    clean(&mut error.msg);
    if let Some(sub_code) = &mut error.sub_code {
        clean(sub_code);
    }
    if let Some(sub_msg) = &mut error.sub_msg {
        clean(sub_msg);
    }
    error
}

/// The byte range of the secret value that starts with a key (or a PEM private key block) at
/// `at`, if one does.
fn secret_value(bytes: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    if bytes[at..].starts_with(b"-----BEGIN ") {
        return pem_private_key(bytes, at);
    }
    if !at_name_start(bytes, at) {
        return None;
    }
    SECRETS
        .iter()
        .find_map(|secret| keyed_value(bytes, at, secret))
}

/// Whether a name may start at `at`: not inside another name (`sub_code`, `sub%5Fcode`).
fn at_name_start(bytes: &[u8], at: usize) -> bool {
    let before = if at >= 3 && bytes[at - 3] == b'%' {
        match (hex(bytes[at - 2]), hex(bytes[at - 1])) {
            (Some(h), Some(l)) => h << 4 | l,
            _ => bytes[at - 1],
        }
    } else if at > 0 {
        bytes[at - 1]
    } else {
        return true;
    };
    !(before.is_ascii_alphanumeric() || before == b'_')
}

/// The value after `secret`'s name at `at`, in form or (if it may be) JSON shape.
fn keyed_value(bytes: &[u8], at: usize, secret: &Secret) -> Option<std::ops::Range<usize>> {
    let mut pos = at;
    for &c in secret.name.as_bytes() {
        pos = one_char(bytes, pos, c)?;
    }
    // The name must end here (`code` is not `codes`).
    if let Some((c, _)) = decoded(bytes, pos)
        && (c.is_ascii_alphanumeric() || c == b'_')
    {
        return None;
    }
    let closing = quote(bytes, pos);
    if let Some(end) = closing {
        pos = end;
    }
    pos = skip_spaces(bytes, pos);
    let (separator, after) = decoded(bytes, pos)?;
    let json = match separator {
        b'=' => false,
        b':' if secret.json => true,
        _ => return None,
    };
    if closing.is_some() && !json {
        return None;
    }
    pos = skip_spaces(bytes, after);
    match quote(bytes, pos) {
        Some(start) => {
            let token = &bytes[pos..start];
            Some(start..quoted_end(bytes, start, token))
        }
        None => Some(pos..unquoted_end(bytes, pos)),
    }
}

/// The end of a quoted value that starts at `start` and was opened by `token`: the next
/// `token` (an unescaped `"` when the token is a bare quote), or the end of the text.
fn quoted_end(bytes: &[u8], start: usize, token: &[u8]) -> usize {
    let mut pos = start;
    while pos < bytes.len() {
        if token == b"\"" {
            match bytes[pos] {
                b'\\' => pos += 2,
                b'"' => return pos,
                _ => pos += 1,
            }
        } else if bytes[pos..].len() >= token.len()
            && bytes[pos..pos + token.len()].eq_ignore_ascii_case(token)
        {
            return pos;
        } else {
            pos += 1;
        }
    }
    bytes.len()
}

/// The end of an unquoted value: the first character, literal or percent-encoded, that a
/// token, a code or base64 text does not contain.
fn unquoted_end(bytes: &[u8], start: usize) -> usize {
    let mut pos = start;
    while let Some((c, next)) = decoded(bytes, pos) {
        if !(c.is_ascii_alphanumeric() || b"-._~+/=*".contains(&c)) {
            return pos;
        }
        pos = next;
    }
    bytes.len()
}

/// The end of a quote at `pos`: `"`, `\"` (any number of backslashes), `%22` or `%5C%22`.
fn quote(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut p = pos;
    while let Some((b'\\', next)) = decoded(bytes, p) {
        p = next;
    }
    match decoded(bytes, p) {
        Some((b'"', next)) => Some(next),
        _ => None,
    }
}

fn skip_spaces(bytes: &[u8], mut pos: usize) -> usize {
    while let Some((b' ' | b'\t', next)) = decoded(bytes, pos) {
        pos = next;
    }
    pos
}

/// `c` (in any ASCII case) at `pos`, literal or percent-encoded: the position after it.
fn one_char(bytes: &[u8], pos: usize, c: u8) -> Option<usize> {
    let (found, next) = decoded(bytes, pos)?;
    found.eq_ignore_ascii_case(&c).then_some(next)
}

/// The character at `pos`, percent-decoded, and the position after it.
fn decoded(bytes: &[u8], pos: usize) -> Option<(u8, usize)> {
    let &first = bytes.get(pos)?;
    if first == b'%'
        && let (Some(h), Some(l)) = (
            bytes.get(pos + 1).copied().and_then(hex),
            bytes.get(pos + 2).copied().and_then(hex),
        )
    {
        return Some((h << 4 | l, pos + 3));
    }
    Some((first, pos + 1))
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A PEM block at `at` whose label ends in `PRIVATE KEY` (from its BEGIN line to its END line or the
/// end of the text), whole.
fn pem_private_key(bytes: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    let label_start = at + "-----BEGIN ".len();
    let label_len = bytes[label_start..]
        .windows(5)
        .position(|w| w == b"-----")?;
    let label = &bytes[label_start..label_start + label_len];
    if !label.ends_with(b"PRIVATE KEY") {
        return None;
    }
    let body = label_start + label_len + 5;
    let end = bytes[body..]
        .windows(9)
        .position(|w| w == b"-----END ")
        .map(|p| {
            let after = body + p + 9;
            bytes[after..]
                .windows(5)
                .position(|w| w == b"-----")
                .map_or(bytes.len(), |q| after + q + 5)
        })
        .unwrap_or(bytes.len());
    Some(at..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "202611BB1a2b3c4d5e6f7a8b9c0d1e2f3aB";

    fn redacted(input: &str) -> String {
        text(input).into_owned()
    }

    #[test]
    fn form_and_query_shape() {
        assert_eq!(
            redacted(&format!(
                "GET /gateway.do?method=alipay.trade.query&app_auth_token={TOKEN}&auth_token={TOKEN}&sign=abc HTTP/1.1"
            )),
            "GET /gateway.do?method=alipay.trade.query&app_auth_token=[redacted]&auth_token=[redacted]&sign=abc HTTP/1.1"
        );
        assert_eq!(
            redacted(&format!("grant_type=authorization_code&code={TOKEN}")),
            "grant_type=authorization_code&code=[redacted]"
        );
        assert_eq!(
            redacted(&format!("refresh_token={TOKEN}%26x=1")),
            "refresh_token=[redacted]%26x=1"
        );
        // Base64 (and percent-encoded base64) values are redacted whole.
        assert_eq!(
            redacted("access_token=ab+c/d%2B%2F%3D==&x"),
            "access_token=[redacted]&x"
        );
    }

    #[test]
    fn json_shape_and_escaped_json() {
        assert_eq!(
            redacted(&format!(
                r#"{{"code":"40002","app_auth_token":"{TOKEN}","access_token" : "{TOKEN}"}}"#
            )),
            r#"{"code":"40002","app_auth_token":"[redacted]","access_token" : "[redacted]"}"#
        );
        assert_eq!(
            redacted(&format!(
                r#"{{"biz":"{{\"refresh_token\":\"{TOKEN}\",\"a\":1}}"}}"#
            )),
            r#"{"biz":"{\"refresh_token\":\"[redacted]\",\"a\":1}"}"#
        );
        // A quoted value with an escaped quote inside is redacted to its real end.
        assert_eq!(
            redacted(r#"{"auth_token":"a\"b","x":1}"#),
            r#"{"auth_token":"[redacted]","x":1}"#
        );
    }

    #[test]
    fn percent_encoded_keys_and_json() {
        assert_eq!(
            redacted(&format!("app%5Fauth%5ftoken%3D{TOKEN}&method=m")),
            "app%5Fauth%5ftoken%3D[redacted]&method=m"
        );
        assert_eq!(
            redacted(&format!(
                "biz_content=%7B%22out_trade_no%22%3A%22T1%22%2C%22auth_code%22%3A%22{TOKEN}%22%7D"
            )),
            "biz_content=%7B%22out_trade_no%22%3A%22T1%22%2C%22auth_code%22%3A%22[redacted]%22%7D"
        );
        assert_eq!(
            redacted(&format!("AUTH_TOKEN={TOKEN}")),
            "AUTH_TOKEN=[redacted]"
        );
    }

    #[test]
    fn other_names_and_status_codes_are_kept() {
        for kept in [
            r#"{"code":"40004","sub_code":"ACQ.TRADE_NOT_EXIST","msg":"Business Failed"}"#,
            "sub_code=isv.invalid-app-auth-token&codes=1&barcode=123&my_auth_token=x",
            "sub%5Fcode=x&out_trade_no=T1",
            "app_auth_token",
            "app_auth_token is invalid",
            "-----BEGIN CERTIFICATE-----\nAQ==\n-----END CERTIFICATE-----",
            "交易不存在 code",
        ] {
            assert_eq!(redacted(kept), kept);
            assert!(matches!(text(kept), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn pem_private_keys_are_redacted_whole() {
        // Stubs shaped like key blocks (no key material), kept with the fixtures: an
        // escaped block inside JSON-ish text, and a block cut before its END line.
        let escaped = include_str!("../tests/fixtures/redact/escaped_block.txt");
        assert_eq!(redacted(escaped), "key: [redacted] end");
        let unended = include_str!("../tests/fixtures/redact/unended_block.txt");
        assert_eq!(redacted(unended), "[redacted]");
    }

    #[test]
    fn values_at_the_end_cut_or_empty() {
        assert_eq!(redacted("auth_token="), "auth_token=");
        assert_eq!(redacted("auth_token=abc"), "auth_token=[redacted]");
        assert_eq!(
            redacted(r#"{"auth_token":"abc"#),
            r#"{"auth_token":"[redacted]"#
        );
        assert_eq!(redacted("%2"), "%2");
        assert_eq!(redacted("auth_token%"), "auth_token%");
    }

    #[test]
    fn snippets_are_redacted_before_they_are_cut() {
        let body = format!("{}&auth_token={TOKEN}{}", "x".repeat(239), "y".repeat(300));
        let cut = snippet(body.as_bytes());
        assert!(cut.len() <= 256);
        assert!(cut.ends_with("auth_token=[reda"), "{cut}");
        assert!(!cut.contains(&TOKEN[..4]));
        // Cut at a char boundary, lossily decoded.
        let chinese = snippet("交".repeat(100).as_bytes());
        assert_eq!(chinese, "交".repeat(85));
        assert_eq!(snippet(b"\xff ok"), "\u{fffd} ok");
    }

    #[test]
    fn api_error_messages() {
        let error = api_error(
            ApiError::new("40002", format!("bad app_auth_token={TOKEN}")).with_sub(
                "isv.invalid-token",
                format!(r#"{{"auth_token":"{TOKEN}"}}"#),
            ),
        );
        assert_eq!(error.code, "40002");
        assert_eq!(error.msg, "bad app_auth_token=[redacted]");
        assert_eq!(error.sub_code.as_deref(), Some("isv.invalid-token"));
        assert_eq!(
            error.sub_msg.as_deref(),
            Some(r#"{"auth_token":"[redacted]"}"#)
        );
    }
}
