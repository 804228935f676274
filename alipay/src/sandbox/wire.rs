//! Small wire helpers of the sandbox: answer nodes written in order, gateway failures, amounts in
//! cents, and Beijing-time timestamps read back.

use std::fmt::Write as _;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A JSON object written field by field, so `code` and `msg` come first as in Alipay's answers
/// (serde_json's map would sort the keys).
#[derive(Debug)]
pub(crate) struct Node {
    buf: String,
}

impl Node {
    /// `{"code":"10000","msg":"Success"` and the fields that follow.
    pub(crate) fn success() -> Self {
        let mut node = Self::empty();
        node.str("code", "10000").str("msg", "Success");
        node
    }

    /// An object with no field yet.
    pub(crate) fn empty() -> Self {
        let mut buf = String::with_capacity(512);
        buf.push('{');
        Self { buf }
    }

    /// The node of a failure: `code`, `msg`, `sub_code`, `sub_msg`.
    pub(crate) fn failure(failure: &Failure) -> Self {
        let mut node = Self::empty();
        node.str("code", failure.code)
            .str("msg", failure.msg)
            .str("sub_code", failure.sub_code)
            .str("sub_msg", &failure.sub_msg);
        node
    }

    fn key(&mut self, key: &str) {
        if self.buf.len() > 1 {
            self.buf.push(',');
        }
        push_json_str(&mut self.buf, key);
        self.buf.push(':');
    }

    /// Adds a string field.
    pub(crate) fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        push_json_str(&mut self.buf, value);
        self
    }

    /// Adds a string field when the value is present.
    pub(crate) fn opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    /// Adds a JSON number field.
    pub(crate) fn num(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        let _ = write!(self.buf, "{value}");
        self
    }

    /// Adds a JSON boolean field.
    pub(crate) fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// Adds a JSON array of strings.
    pub(crate) fn str_list(&mut self, key: &str, values: &[&str]) -> &mut Self {
        let mut list = String::from("[");
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                list.push(',');
            }
            push_json_str(&mut list, value);
        }
        list.push(']');
        self.raw(key, &list)
    }

    /// Adds a field whose value is JSON text written by the caller.
    pub(crate) fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.buf.push_str(json);
        self
    }

    /// The finished JSON text.
    pub(crate) fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

/// Appends `s` as a JSON string literal; non-ASCII is kept literal, as Alipay does.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A refused call: the gateway `code`/`msg` and the `sub_code`/`sub_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) msg: &'static str,
    pub(crate) sub_code: &'static str,
    pub(crate) sub_msg: String,
}

impl Failure {
    /// `40001 Missing Required Arguments`.
    pub(crate) fn missing(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40001",
            msg: "Missing Required Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `40002 Invalid Arguments`.
    pub(crate) fn invalid(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40002",
            msg: "Invalid Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `40004 Business Failed`.
    pub(crate) fn business(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40004",
            msg: "Business Failed",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `20000 Service Currently Unavailable` (the sandbox itself failed, e.g. to sign).
    pub(crate) fn unavailable() -> Self {
        Self {
            code: "20000",
            msg: "Service Currently Unavailable",
            sub_code: "isp.unknow-error",
            sub_msg: "系统繁忙".to_owned(),
        }
    }

    /// A required `biz_content` field is absent or empty.
    pub(crate) fn missing_field(field: &str) -> Self {
        Self::invalid("isv.missing-parameter", format!("缺少必选参数{field}"))
    }
}

/// Cents written as yuan with two decimals: `8880` → `88.80`.
pub(crate) fn yuan(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Reads Alipay's `yyyy-MM-dd HH:mm:ss` (Beijing time) as seconds since the Unix epoch.
pub(crate) fn parse_beijing_timestamp(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !valid_date(y, m, d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s - 8 * 3600)
}

/// Whether `yyyy-MM-dd` or `yyyy-MM` names a real day or month.
pub(crate) fn valid_bill_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    match b.len() {
        7 if b[4] == b'-' => {
            matches!((digits(0..4), digits(5..7)), (Some(y), Some(m)) if y >= 1970 && (1..=12).contains(&m))
        }
        10 if b[4] == b'-' && b[7] == b'-' => {
            matches!((digits(0..4), digits(5..7), digits(8..10)), (Some(y), Some(m), Some(d)) if y >= 1970 && valid_date(y, m, d))
        }
        _ => false,
    }
}

fn valid_date(y: i64, m: i64, d: i64) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The current Beijing time as `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn now_text() -> String {
    crate::sign::beijing_timestamp(SystemTime::now())
}

/// The current Beijing time twice, from the same instant: `yyyy-MM-dd HH:mm:ss` and
/// `yyyy-MM-dd HH:mm:ss.SSS` (as in `gmt_refund`).
pub(crate) fn now_texts() -> (String, String) {
    let now = SystemTime::now();
    let seconds = crate::sign::beijing_timestamp(now);
    let millis = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or_default();
    let precise = format!("{seconds}.{millis:03}");
    (seconds, precise)
}

/// Digits only of a Beijing timestamp: `2026-11-26 12:00:00` → `20261126120000`.
pub(crate) fn compact_digits(timestamp: &str) -> String {
    timestamp.chars().filter(char::is_ascii_digit).collect()
}

/// A non-cryptographic random number (SipHash keyed from the OS, a counter and the clock): ids
/// that must not collide or be guessed by accident, not secrets.
pub(crate) fn random_u64() -> u64 {
    static SEQ: AtomicU64 = AtomicU64::new(1);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(SEQ.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// `len` random characters of `alphabet`.
fn random_of(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut bits = 0u64;
    for i in 0..len {
        if i % 8 == 0 {
            bits = random_u64();
        }
        let index = usize::try_from(bits % alphabet.len() as u64).unwrap_or(0);
        out.push(char::from(alphabet.get(index).copied().unwrap_or(b'0')));
        bits /= alphabet.len() as u64;
    }
    out
}

/// `len` random lower-case hex digits.
pub(crate) fn random_hex(len: usize) -> String {
    random_of(b"0123456789abcdef", len)
}

/// `len` random decimal digits.
pub(crate) fn random_digits(len: usize) -> String {
    random_of(b"0123456789", len)
}

/// `len` random letters and digits.
pub(crate) fn random_alnum(len: usize) -> String {
    random_of(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        len,
    )
}

/// A random UUID-shaped id: `8-4-4-4-12` hex digits.
pub(crate) fn uuid_like() -> String {
    let hex = random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Today's date in Beijing as `yyyyMMdd`.
pub(crate) fn today_digits() -> String {
    compact_digits(&now_text()).chars().take(8).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_round_trip() {
        for secs in [
            0u64,
            1_584_676_800,
            1_704_038_400,
            1_709_164_800,
            4_102_444_799,
        ] {
            let text = crate::sign::beijing_timestamp(UNIX_EPOCH + Duration::from_secs(secs));
            assert_eq!(parse_beijing_timestamp(&text), Some(secs as i64), "{text}");
        }
        for bad in [
            "",
            "2020-03-20 12:00",
            "2020-03-20T12:00:00",
            "2020-02-30 12:00:00",
            "2020-13-01 12:00:00",
            "2020-03-20 24:00:00",
            "2020-03-2a 12:00:00",
            "2020-03-20 12:00:0中",
        ] {
            assert_eq!(parse_beijing_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn bill_dates() {
        for ok in ["2024-02-29", "2026-11", "2026-01-31"] {
            assert!(valid_bill_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "2026-13",
            "2026/11/01",
            "20261101",
            "2026-1-01",
            "",
        ] {
            assert!(!valid_bill_date(bad), "{bad}");
        }
    }

    #[test]
    fn nodes_keep_field_order_and_escape() {
        let mut node = Node::success();
        node.str("sub", "a\"b\\c\n中\u{1}");
        node.raw("list", "[1]");
        let text = node.finish();
        assert_eq!(
            text,
            "{\"code\":\"10000\",\"msg\":\"Success\",\"sub\":\"a\\\"b\\\\c\\n中\\u0001\",\"list\":[1]}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["sub"], "a\"b\\c\n中\u{1}");
        assert_eq!(Node::empty().finish(), "{}");
    }

    #[test]
    fn random_ids() {
        let a = random_hex(32);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(32));
        assert!(random_digits(20).bytes().all(|b| b.is_ascii_digit()));
        assert!(random_alnum(40).bytes().all(|b| b.is_ascii_alphanumeric()));
        let uuid = uuid_like();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
        let mut node = Node::empty();
        node.num("n", 7).bool("b", true).str_list("l", &["x", "\""]);
        assert_eq!(node.finish(), r#"{"n":7,"b":true,"l":["x","\""]}"#);
    }

    #[test]
    fn yuan_has_two_decimals() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(8880), "88.80");
        assert_eq!(yuan(1), "0.01");
    }
}
