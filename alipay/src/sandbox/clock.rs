//! The sandbox's clock: Beijing-time timestamps written and read back with the SDK's public
//! [`time`] module (the sandbox checks the client's `timestamp` for freshness, not the date
//! arithmetic, which `time`'s own tests pin), and bill dates.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::time;

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
    u32::try_from(m).is_ok_and(|m| (1..=i64::from(time::days_in_month(y, m))).contains(&d))
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> i64 {
    time::unix_seconds(SystemTime::now())
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
    time::beijing_timestamp(SystemTime::now())
}

/// The current Beijing time twice, from the same instant: `yyyy-MM-dd HH:mm:ss` and
/// `yyyy-MM-dd HH:mm:ss.SSS` (as in `gmt_refund`).
pub(crate) fn now_texts() -> (String, String) {
    let now = SystemTime::now();
    let seconds = time::beijing_timestamp(now);
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
