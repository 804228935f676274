//! The sandbox's clock: Beijing-time timestamps written (with the SDK's
//! [`sign::beijing_timestamp`]) and read back, the civil-date arithmetic that needs, and bill
//! dates.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::sign;

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

/// Milliseconds since the Unix epoch, now (a message notification's `utc_timestamp`).
pub(crate) fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// The current Beijing time as `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn now_text() -> String {
    sign::beijing_timestamp(SystemTime::now())
}

/// The current Beijing time twice, from the same instant: `yyyy-MM-dd HH:mm:ss` and
/// `yyyy-MM-dd HH:mm:ss.SSS` (as in `gmt_refund`).
pub(crate) fn now_texts() -> (String, String) {
    let now = SystemTime::now();
    let seconds = sign::beijing_timestamp(now);
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
            let text = sign::beijing_timestamp(UNIX_EPOCH + Duration::from_secs(secs));
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
}
