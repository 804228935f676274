//! The wire encoding shared by every call: the sign content, form (query string) encoding, and
//! the Beijing-time timestamp.
//!
//! The sign content is Alipay's canonical string: every parameter except `sign`, sorted by key
//! (byte order), as `key=value` joined with `&`, with empty values skipped and values **not**
//! URL-encoded. Notifications use the same rule except that empty values are kept and
//! `sign_type` is dropped too (see [`notify_sign_content`]).

use crate::response::Charset;

/// Builds the sign content of request parameters: sorted by key, `sign` excluded, empty values
/// skipped, raw values joined as `k=v&k=v`.
///
/// The input need not be sorted; duplicate keys are not expected (the last one is used).
///
/// ```
/// let content = alipay::wire::sign_content([
///     ("method", "alipay.trade.query"),
///     ("app_id", "2021"),
///     ("empty", ""),
///     ("sign", "ignored"),
///     ("biz_content", r#"{"out_trade_no":"T 1"}"#),
/// ]);
/// assert_eq!(content, r#"app_id=2021&biz_content={"out_trade_no":"T 1"}&method=alipay.trade.query"#);
/// ```
pub fn sign_content<K, V>(params: impl IntoIterator<Item = (K, V)>) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut pairs: Vec<(K, V)> = params
        .into_iter()
        .filter(|(k, v)| {
            let (k, v) = (k.as_ref(), v.as_ref());
            !k.is_empty() && !v.is_empty() && k != "sign"
        })
        .collect();
    pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    pairs.dedup_by(|later, earlier| {
        let same = later.0.as_ref() == earlier.0.as_ref();
        if same {
            std::mem::swap(later, earlier);
        }
        same
    });
    join_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
}

/// Builds the sign content of an asynchronous notification: `sign` and `sign_type` dropped, the
/// rest sorted by key, **empty values kept** (Alipay signs `isv_ticket=` as it is).
pub fn notify_sign_content<K, V>(params: impl IntoIterator<Item = (K, V)>) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut pairs: Vec<(K, V)> = params
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_ref(), "sign" | "sign_type"))
        .collect();
    pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    join_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
}

fn join_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::with_capacity(512);
    for (i, (k, v)) in pairs.enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Encodes parameters as `application/x-www-form-urlencoded` (space as `+`, upper-case `%XX`),
/// skipping empty values, in the order given.
pub fn form_encode<K, V>(params: impl IntoIterator<Item = (K, V)>) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut ser = form_urlencoded::Serializer::new(String::with_capacity(512));
    for (k, v) in params {
        if !v.as_ref().is_empty() {
            ser.append_pair(k.as_ref(), v.as_ref());
        }
    }
    ser.finish()
}

/// Why a form body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// A `%` not followed by two hex digits.
    #[error("bad percent-encoding in parameter `{0}`")]
    BadPercent(String),
    /// The decoded bytes are not UTF-8 (Alipay sends UTF-8 when `charset=utf-8` is configured).
    #[error("parameter `{0}` is not UTF-8 after decoding")]
    NotUtf8(String),
    /// The decoded bytes are not GBK text, the character set the form declared.
    #[error("parameter `{0}` is not GBK after decoding")]
    NotGbk(String),
    /// The body is not a form at all (e.g. JSON or XML was sent where a form was expected).
    #[error(
        "the body is not form-encoded (`application/x-www-form-urlencoded`): it looks like {0}"
    )]
    NotForm(&'static str),
    /// A parameter appears twice: which value was signed is ambiguous, so the form is refused.
    #[error("parameter `{0}` appears more than once")]
    DuplicateKey(String),
}

/// Decodes an `application/x-www-form-urlencoded` body exactly once (`+` is a space, `%XX` a
/// byte), strictly: bad escapes, non-UTF-8 text and duplicated keys are errors. Empty values are
/// kept. Pairs come back in body order.
pub fn form_decode(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    form_decode_declared(body, Charset::Utf8)
}

/// [`form_decode`] for a form whose escaped bytes are text in `charset` (a notification of an
/// app that declared `charset=GBK`, read as GB18030): each key and value is percent-decoded,
/// then read in that character set, never in another one.
///
/// ```
/// use alipay::response::Charset;
/// // 支付 in GBK is D6 A7 B8 B6.
/// let pairs = alipay::wire::form_decode_declared(b"subject=%D6%A7%B8%B6", Charset::Gbk)?;
/// assert_eq!(pairs, [("subject".to_owned(), "支付".to_owned())]);
/// # Ok::<(), alipay::wire::FormError>(())
/// ```
pub fn form_decode_declared(
    body: &[u8],
    charset: Charset,
) -> Result<Vec<(String, String)>, FormError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in body.split(|&b| b == b'&') {
        if piece.is_empty() {
            continue;
        }
        let (k, v) = match piece.iter().position(|&b| b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, &[][..]),
        };
        let key = decode_component(k, None, charset)?;
        let value = decode_component(v, Some(&key), charset)?;
        if out.iter().any(|(existing, _)| *existing == key) {
            return Err(FormError::DuplicateKey(key));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn decode_component(raw: &[u8], key: Option<&str>, charset: Charset) -> Result<String, FormError> {
    let name = || {
        key.map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned())
    };
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .ok_or_else(|| FormError::BadPercent(name()))?;
                let hi = hex_value(hex[0]).ok_or_else(|| FormError::BadPercent(name()))?;
                let lo = hex_value(hex[1]).ok_or_else(|| FormError::BadPercent(name()))?;
                bytes.push(hi << 4 | lo);
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    match charset {
        Charset::Utf8 => String::from_utf8(bytes).map_err(|_| FormError::NotUtf8(name())),
        Charset::Gbk => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .map(std::borrow::Cow::into_owned)
            .ok_or_else(|| FormError::NotGbk(name())),
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Alipay's `timestamp` (Beijing time), from the SDK's one date module [`crate::time`].
pub use crate::time::beijing_timestamp;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn sign_content_matches_the_easysdk_example() {
        // easysdk-spec §3.1, cert mode, trade.create at 2020-03-20 12:00:00.
        let biz = r#"{"subject":"iPhone6 16G","out_trade_no":"T001","total_amount":"0.01","buyer_id":"2088002656718920"}"#;
        let params = [
            ("method", "alipay.trade.create"),
            ("app_id", "2021002177673029"),
            ("timestamp", "2020-03-20 12:00:00"),
            ("format", "json"),
            ("version", "1.0"),
            ("alipay_sdk", "alipay-easysdk-java-2.2.3"),
            ("charset", "UTF-8"),
            ("sign_type", "RSA2"),
            ("app_cert_sn", "e1b085ae86cbbba54fe9dc6cdf82b65a"),
            (
                "alipay_root_cert_sn",
                "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6",
            ),
            ("biz_content", biz),
            ("notify_url", "https://www.test.com/callback"),
            ("sign", "must-not-appear"),
            ("auth_token", ""),
        ];
        let expected = format!(
            "alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6&alipay_sdk=alipay-easysdk-java-2.2.3&app_cert_sn=e1b085ae86cbbba54fe9dc6cdf82b65a&app_id=2021002177673029&biz_content={biz}&charset=UTF-8&format=json&method=alipay.trade.create&notify_url=https://www.test.com/callback&sign_type=RSA2&timestamp=2020-03-20 12:00:00&version=1.0"
        );
        assert_eq!(sign_content(params), expected);
    }

    #[test]
    fn notify_content_keeps_empty_values() {
        let content =
            notify_sign_content([("sign", "x"), ("sign_type", "RSA2"), ("b", ""), ("a", "1")]);
        assert_eq!(content, "a=1&b=");
    }

    #[test]
    fn form_round_trip() {
        let encoded = form_encode([("k", "a b+c/=&中"), ("empty", ""), ("x", "1")]);
        assert_eq!(encoded, "k=a+b%2Bc%2F%3D%26%E4%B8%AD&x=1");
        let decoded = form_decode(encoded.as_bytes()).unwrap();
        assert_eq!(decoded[0], ("k".into(), "a b+c/=&中".into()));
        assert_eq!(form_decode(b"a=&b=%20").unwrap()[0].1, "");
    }

    #[test]
    fn form_decode_is_strict() {
        assert_eq!(
            form_decode(b"a=1&a=2"),
            Err(FormError::DuplicateKey("a".into()))
        );
        assert_eq!(
            form_decode(b"a=%zz"),
            Err(FormError::BadPercent("a".into()))
        );
        assert_eq!(form_decode(b"a=%e4"), Err(FormError::NotUtf8("a".into())));
        assert_eq!(form_decode(b"a=%4"), Err(FormError::BadPercent("a".into())));
    }

    #[test]
    fn timestamps_are_beijing_time() {
        let t = UNIX_EPOCH + Duration::from_secs(1_584_676_800);
        assert_eq!(beijing_timestamp(t), "2020-03-20 12:00:00");
        // 16:00 UTC on 31 Dec is already the next year in Beijing.
        let t = UNIX_EPOCH + Duration::from_secs(1_704_038_400);
        assert_eq!(beijing_timestamp(t), "2024-01-01 00:00:00");
        let leap = UNIX_EPOCH + Duration::from_secs(1_709_164_800);
        assert_eq!(beijing_timestamp(leap), "2024-02-29 08:00:00");
    }
}
