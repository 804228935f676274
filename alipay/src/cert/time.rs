//! `UTCTime` / `GeneralizedTime` to Unix seconds, with the date arithmetic of [`crate::time`].

use crate::crypto::der::DerError;
use crate::time::{days_from_civil, days_in_month};

/// `UTCTime` tag.
pub(super) const UTC_TIME: u8 = 0x17;
/// `GeneralizedTime` tag.
pub(super) const GENERALIZED_TIME: u8 = 0x18;

/// Parses a certificate validity time as RFC 5280 requires it: `YYMMDDHHMMSSZ` (`UTCTime`,
/// years 1950–2049) or `YYYYMMDDHHMMSSZ` (`GeneralizedTime`).
pub(super) fn parse(tag: u8, content: &[u8]) -> Result<i64, DerError> {
    let (year, rest) = match tag {
        UTC_TIME => {
            if content.len() != 13 {
                return Err(DerError("UTCTime is not YYMMDDHHMMSSZ"));
            }
            let yy = i64::from(two_digits(content, 0)?);
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        GENERALIZED_TIME => {
            if content.len() != 15 {
                return Err(DerError("GeneralizedTime is not YYYYMMDDHHMMSSZ"));
            }
            let year =
                i64::from(two_digits(content, 0)?) * 100 + i64::from(two_digits(content, 2)?);
            (year, 4)
        }
        _ => return Err(DerError("expected a UTCTime or GeneralizedTime")),
    };
    if content.last() != Some(&b'Z') {
        return Err(DerError("time is not in UTC (no trailing Z)"));
    }
    let month = two_digits(content, rest)?;
    let day = two_digits(content, rest + 2)?;
    let hour = two_digits(content, rest + 4)?;
    let minute = two_digits(content, rest + 6)?;
    let second = two_digits(content, rest + 8)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(DerError("invalid date"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(DerError("invalid time of day"));
    }
    Ok(days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second))
}

fn two_digits(content: &[u8], at: usize) -> Result<u32, DerError> {
    match content.get(at..at + 2) {
        Some(&[a, b]) if a.is_ascii_digit() && b.is_ascii_digit() => {
            Ok(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => Err(DerError("time has a non-digit")),
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC`, for messages.
pub(crate) fn format(unix: i64) -> String {
    crate::time::format_utc(unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_generalized_times() {
        assert_eq!(parse(UTC_TIME, b"700101000000Z"), Ok(0));
        assert_eq!(parse(UTC_TIME, b"210904082338Z"), Ok(1_630_743_818));
        assert_eq!(parse(UTC_TIME, b"491231235959Z"), Ok(2_524_607_999));
        assert_eq!(parse(UTC_TIME, b"500101000000Z"), Ok(-631_152_000));
        assert_eq!(
            parse(GENERALIZED_TIME, b"20500101000000Z"),
            Ok(2_524_608_000)
        );
        assert_eq!(parse(GENERALIZED_TIME, b"20000229120000Z"), Ok(951_825_600));
        assert_eq!(
            parse(GENERALIZED_TIME, b"99991231235959Z"),
            Ok(253_402_300_799)
        );
    }

    #[test]
    fn malformed_times_are_errors() {
        for (tag, text) in [
            (UTC_TIME, &b"2109040823Z"[..]),
            (UTC_TIME, b"210904082338+0800"),
            (UTC_TIME, b"211304082338Z"),
            (UTC_TIME, b"210230082338Z"),
            (UTC_TIME, b"210229082338Z"),
            (UTC_TIME, b"210904242338Z"),
            (UTC_TIME, b"21090408233aZ"),
            (UTC_TIME, b"2109040823-1Z"),
            (GENERALIZED_TIME, b"20210904082338.5Z"),
            (GENERALIZED_TIME, b"210904082338Z"),
            (0x04, b"210904082338Z"),
            (UTC_TIME, b""),
        ] {
            assert!(
                parse(tag, text).is_err(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn formatting_round_trips() {
        assert_eq!(format(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format(1_630_743_818), "2021-09-04 08:23:38 UTC");
        assert_eq!(format(951_825_600), "2000-02-29 12:00:00 UTC");
        assert_eq!(format(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(format(253_402_300_799), "9999-12-31 23:59:59 UTC");
        // Nothing panics at the extremes.
        let _ = format(i64::MIN);
        let _ = format(i64::MAX);
    }
}
