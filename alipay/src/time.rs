//! Civil dates and Beijing time: the SDK's one home of date arithmetic.
//!
//! Alipay writes every time as Beijing time (UTC+8, no daylight saving) in the form
//! `yyyy-MM-dd HH:mm:ss`: the request's `timestamp` parameter
//! ([common parameters](https://opendocs.alipay.com/open/common/105901)), `gmt_payment` and the
//! other `gmt_*` fields of answers and notifications. Certificates use UTC. Both are computed
//! here from seconds since the Unix epoch with the proleptic Gregorian calendar (Howard
//! Hinnant's `days_from_civil` / `civil_from_days`), whatever the host's time zone.
//!
//! Answers and notifications carry such times as [`Timestamp`]: the text as sent, convertible
//! to `SystemTime` and Unix seconds.

use std::time::{SystemTime, UNIX_EPOCH};

mod timestamp;

pub use timestamp::{Timestamp, TimestampError};

/// Beijing time's offset from UTC, in seconds (UTC+8, all year).
pub const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

/// Seconds since the Unix epoch of `time` (negative before 1970), saturating.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(alipay::time::unix_seconds(UNIX_EPOCH + Duration::from_secs(5)), 5);
/// assert_eq!(alipay::time::unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), -5);
/// ```
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Whether `year` is a leap year.
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days of `month` (1 to 12) in `year`; 0 for a month out of range.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (`month` 1 to 12, `day` 1 to 31).
///
/// ```
/// assert_eq!(alipay::time::days_from_civil(1970, 1, 1), 0);
/// assert_eq!(alipay::time::days_from_civil(2000, 3, 1), 11_017);
/// ```
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day number since 1970-01-01.
///
/// ```
/// assert_eq!(alipay::time::civil_from_days(11_016), (2000, 2, 29));
/// ```
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // In range by construction: day 1..=31, month 1..=12.
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = (yoe + era.saturating_mul(400)).saturating_add(i64::from(month <= 2));
    (year, month, day)
}

/// `yyyy-MM-dd HH:mm:ss` of `unix` seconds shifted by `offset` seconds.
fn format_at(unix: i64, offset: i64) -> String {
    let secs = unix.saturating_add(offset);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Formats a point in time as Alipay's `timestamp`: `yyyy-MM-dd HH:mm:ss` in Beijing time
/// (UTC+8), whatever the host's time zone.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// // 2020-03-20 04:00:00 UTC is noon in Beijing.
/// let t = UNIX_EPOCH + Duration::from_secs(1_584_676_800);
/// assert_eq!(alipay::time::beijing_timestamp(t), "2020-03-20 12:00:00");
/// ```
pub fn beijing_timestamp(time: SystemTime) -> String {
    format_at(unix_seconds(time), BEIJING_OFFSET_SECS)
}

/// Reads Alipay's `yyyy-MM-dd HH:mm:ss` (Beijing time) as seconds since the Unix epoch; `None`
/// for anything else (another shape, a day that does not exist, a time past `23:59:59`). See
/// [`Timestamp`] for the reason a text is refused.
///
/// ```
/// assert_eq!(alipay::time::parse_beijing_timestamp("2020-03-20 12:00:00"), Some(1_584_676_800));
/// assert_eq!(alipay::time::parse_beijing_timestamp("2020-02-30 12:00:00"), None);
/// ```
pub fn parse_beijing_timestamp(text: &str) -> Option<i64> {
    // The request's `timestamp` has no fraction of a second.
    if text.len() != 19 {
        return None;
    }
    timestamp::parse(text).ok()
}

/// What each byte of `yyyy-MM-dd HH:mm:ss` must be: `d` a digit, anything else itself.
const SHAPE: &[u8; 19] = b"dddd-dd-dd dd:dd:dd";

/// The year, month, day, hour, minute and second written as `yyyy-MM-dd HH:mm:ss` at the start
/// of `bytes`, not yet checked for range (a month 13 is read as 13). Errors: the first byte out
/// of shape and what belongs there (`bytes` shorter than the shape: its end).
pub(crate) fn civil_fields(bytes: &[u8]) -> Result<[u32; 6], (usize, &'static str)> {
    for (at, &want) in SHAPE.iter().enumerate() {
        match bytes.get(at) {
            Some(byte) if want == b'd' && byte.is_ascii_digit() => {}
            Some(&byte) if want != b'd' && byte == want => {}
            _ => {
                let expected = match want {
                    b'd' => "a digit",
                    b'-' => "'-'",
                    b' ' => "' '",
                    _ => "':'",
                };
                return Err((at, expected));
            }
        }
    }
    // All digits by now: the folds cannot overflow (at most 4 digits).
    let number = |from: usize, to: usize| {
        bytes[from..to]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    Ok([
        number(0, 4),
        number(5, 7),
        number(8, 10),
        number(11, 13),
        number(14, 16),
        number(17, 19),
    ])
}

/// `yyyy-MM-dd HH:mm:ss UTC` of `unix` seconds, for messages (e.g. a certificate's validity).
///
/// ```
/// assert_eq!(alipay::time::format_utc(951_825_600), "2000-02-29 12:00:00 UTC");
/// ```
pub fn format_utc(unix: i64) -> String {
    format!("{} UTC", format_at(unix, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn beijing_timestamps_round_trip() {
        for secs in [
            0u64,
            1_584_676_800,
            1_704_038_400,
            1_709_164_800,
            4_102_444_799,
        ] {
            let text = beijing_timestamp(UNIX_EPOCH + Duration::from_secs(secs));
            assert_eq!(parse_beijing_timestamp(&text), Some(secs as i64), "{text}");
        }
        assert_eq!(
            beijing_timestamp(UNIX_EPOCH + Duration::from_secs(1_704_038_400)),
            "2024-01-01 00:00:00"
        );
        for bad in [
            "",
            "2020-03-20 12:00",
            "2020-03-20T12:00:00",
            "2020-02-30 12:00:00",
            "2020-13-01 12:00:00",
            "2020-00-01 12:00:00",
            "2020-03-00 12:00:00",
            "2020-03-20 24:00:00",
            "2020-03-2a 12:00:00",
            "2020-03-20 12:00:0中",
        ] {
            assert_eq!(parse_beijing_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2026, 13), 0);
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_630_743_818), "2021-09-04 08:23:38 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(format_utc(253_402_300_799), "9999-12-31 23:59:59 UTC");
        // Nothing panics at the extremes.
        let _ = format_utc(i64::MIN);
        let _ = format_utc(i64::MAX);
        let _ = beijing_timestamp(UNIX_EPOCH + Duration::from_secs(u64::MAX / 4));
    }
}
