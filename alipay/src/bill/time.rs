//! Days and times as bills write them (Beijing time, no zone): `2026-06-05 12:34:56` in rows,
//! `2026年06月05日 00:00:00` in the `#` lines.

use std::fmt;
use std::str::FromStr;

/// A calendar day, e.g. `2026-12-01`: the day of a daily bill, and the day part of a
/// [`BillTime`].
///
/// ```
/// use alipay::bill::Date;
///
/// let day: Date = "2026-12-01".parse()?;
/// assert_eq!((day.year(), day.month(), day.day()), (2026, 12, 1));
/// assert!(Date::new(2026, 2, 29).is_err());
/// # Ok::<(), alipay::bill::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A day and time of day in Beijing time, to the second, as written in a bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BillTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
}

/// Why a text or numbers are not a [`Date`] or a [`BillTime`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid day or time (expected e.g. `2026-12-01` or `2026-12-01 08:30:00`)")]
pub struct DateError(pub String);

impl Date {
    /// The day `year-month-day`, if it exists (years 1970 to 9999).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(DateError(format!("{year:04}-{month:02}-{day:02}")));
        }
        if day == 0
            || u32::from(day) > crate::time::days_in_month(i64::from(year), u32::from(month))
        {
            return Err(DateError(format!("{year:04}-{month:02}-{day:02}")));
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Reads `yyyy-MM-dd` (also `yyyy/MM/dd` and `yyyy年MM月dd日`).
    fn from_str(text: &str) -> Result<Self, DateError> {
        let err = || DateError(text.to_owned());
        let parts = numbers(text);
        match parts.as_slice() {
            [y, m, d] => Date::new(
                u16::try_from(*y).map_err(|_| err())?,
                u8::try_from(*m).map_err(|_| err())?,
                u8::try_from(*d).map_err(|_| err())?,
            )
            .map_err(|_| err()),
            _ => Err(err()),
        }
        .and_then(|date| {
            check_separators(text, false)
                .then_some(date)
                .ok_or_else(err)
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl BillTime {
    /// The time `hour:minute:second` of `date`, if valid.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Result<Self, DateError> {
        if hour > 23 || minute > 59 || second > 59 {
            return Err(DateError(format!(
                "{date} {hour:02}:{minute:02}:{second:02}"
            )));
        }
        Ok(Self {
            date,
            hour,
            minute,
            second,
        })
    }

    /// The day.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }

    /// The minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.minute
    }

    /// The second, 0 to 59.
    pub fn second(&self) -> u8 {
        self.second
    }
}

impl FromStr for BillTime {
    type Err = DateError;

    /// Reads `yyyy-MM-dd HH:mm:ss` (also with `/` or `年月日` in the day part).
    fn from_str(text: &str) -> Result<Self, DateError> {
        let err = || DateError(text.to_owned());
        if let Some(time) = Self::plain(text.as_bytes()) {
            return time.ok_or_else(err);
        }
        let (day, time) = text.trim().split_once(' ').ok_or_else(err)?;
        let date: Date = day.parse().map_err(|_| err())?;
        let hms = numbers(time.trim());
        if !check_separators(time.trim(), true) {
            return Err(err());
        }
        match hms.as_slice() {
            [h, m, s] => BillTime::new(
                date,
                u8::try_from(*h).map_err(|_| err())?,
                u8::try_from(*m).map_err(|_| err())?,
                u8::try_from(*s).map_err(|_| err())?,
            )
            .map_err(|_| err()),
            _ => Err(err()),
        }
    }
}

impl BillTime {
    /// Reads `yyyy-MM-dd HH:mm:ss` exactly, as bill rows write it, without allocating: `None`
    /// for any other shape, `Some(None)` for a day or time that does not exist.
    fn plain(text: &[u8]) -> Option<Option<Self>> {
        if text.len() != 19 {
            return None;
        }
        let [year, month, day, hour, minute, second] = crate::time::civil_fields(text).ok()?;
        // Each field has at most 4 digits (2 but for the year): the conversions cannot fail.
        let narrow = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
        let date = Date::new(u16::try_from(year).ok()?, narrow(month), narrow(day)).ok();
        Some(date.and_then(|date| {
            BillTime::new(date, narrow(hour), narrow(minute), narrow(second)).ok()
        }))
    }
}

impl fmt::Display for BillTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

impl serde::Serialize for BillTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The runs of ASCII digits in `text` (at most 4 digits each, else the value is out of range).
fn numbers(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| {
            if part.len() > 4 {
                u32::MAX
            } else {
                part.parse().unwrap_or(u32::MAX)
            }
        })
        .collect()
}

/// Whether the non-digits of `text` are the separators of a day (`-`, `/`, `年月日`) or of a
/// time of day (`:`).
fn check_separators(text: &str, time: bool) -> bool {
    let allowed: &[char] = if time {
        &[':']
    } else {
        &['-', '/', '年', '月', '日']
    };
    !text.is_empty()
        && text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || allowed.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings() {
        let t: BillTime = "2026-06-05 12:34:56".parse().unwrap();
        assert_eq!(t.to_string(), "2026-06-05 12:34:56");
        let u: BillTime = "2026年06月05日 12:34:56".parse().unwrap();
        assert_eq!(t, u);
        // The shape rows write is read on a path of its own: the same values either way.
        let v: BillTime = "2026/06/05 12:34:56".parse().unwrap();
        assert_eq!(t, v);
        assert_eq!(
            BillTime::plain(b"2026-06-05 12:34:56"),
            Some(Some(t)),
            "the plain shape"
        );
        assert_eq!(BillTime::plain(b"2026/06/05 12:34:56"), None);
        for bad in [
            "2026-06-05",
            "2026-13-01 00:00:00",
            "2026-02-29 00:00:00",
            "2026-06-05 24:00:00",
            "2026-06-05 12:34",
            "x2026-06-05 12:34:56",
            "20260-06-05 12:34:56",
            "1969-12-31 23:59:59",
            "2026-06-05 12:60:00",
            "2026-06-05 12:34:60",
            "2026-00-05 12:34:56",
            "2026-06-00 12:34:56",
            "2026-06-05T12:34:56",
            "2026-06-05 12:34:5a",
            "",
        ] {
            assert!(bad.parse::<BillTime>().is_err(), "{bad}");
        }
        assert!("2024-02-29".parse::<Date>().is_ok());
    }
}
