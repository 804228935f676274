//! Unix seconds as a date for messages (proleptic Gregorian calendar, UTC); unlike `der`'s
//! `DateTime`, any `i64` is written, including times before 1970 a caller may check against.

/// The civil date of a day number since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD HH:MM:SS UTC`, for messages.
pub(crate) fn format(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
