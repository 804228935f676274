//! [`Timestamp`]: an Alipay `yyyy-MM-dd HH:mm:ss` Beijing time as Alipay sent it.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{BEIJING_OFFSET_SECS, civil_fields, days_from_civil, days_in_month};

/// The length of `yyyy-MM-dd HH:mm:ss`.
const SHAPE_LEN: usize = 19;

/// A time as Alipay writes it in answers and notifications (`gmt_payment`, `notify_time`,
/// `send_pay_date`, ...): `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving).
///
/// It keeps the text exactly as sent: it (de)serializes as the plain string, derefs to `str`
/// and compares with one. Deserializing never fails on an odd text (an answer must not be lost
/// over a time field); [`unix_seconds`](Self::unix_seconds) and
/// [`to_system_time`](Self::to_system_time) say what is wrong with it instead. [`FromStr`] is
/// strict. Alipay's `yyyy-MM-dd HH:mm:ss.S` (e.g. `gmt_refund` in trade notifications) is read
/// too: the 1 to 3 digits after the dot stay in the text, the conversions count whole seconds.
///
/// ```
/// use alipay::time::Timestamp;
///
/// let paid: Timestamp = "2024-02-29 12:00:00".parse()?;
/// assert_eq!(paid, "2024-02-29 12:00:00");
/// assert_eq!(paid.unix_seconds()?, 1_709_179_200); // 04:00:00 UTC
/// assert_eq!(Timestamp::from_system_time(paid.to_system_time()?), paid);
///
/// // From an answer: kept as sent, even when it is not a time.
/// let odd: Timestamp = serde_json::from_str(r#""2024-02-30 12:00:00""#)?;
/// assert_eq!(odd.as_str(), "2024-02-30 12:00:00");
/// assert_eq!(
///     odd.unix_seconds().unwrap_err().to_string(),
///     r#""2024-02-30 12:00:00": 2024-02 has no day 30 (it has 29)"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

/// Why a text is not an Alipay `yyyy-MM-dd HH:mm:ss` time (see [`Timestamp`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The text is too short or too long for `yyyy-MM-dd HH:mm:ss` (19 bytes, or 21 to 23 with
    /// a fraction of a second).
    #[error(
        "{text:?} is {len} bytes long, not yyyy-MM-dd HH:mm:ss (19 bytes, optionally .S to .SSS)"
    )]
    Length {
        /// The text.
        text: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A byte is not what `yyyy-MM-dd HH:mm:ss` has there.
    #[error("{text:?} is not yyyy-MM-dd HH:mm:ss: byte {at} should be {expected}")]
    Shape {
        /// The text.
        text: String,
        /// The byte offset of the first wrong byte.
        at: usize,
        /// What belongs there, e.g. `a digit` or `'-'`.
        expected: &'static str,
    },
    /// The month is not 01 to 12.
    #[error("{text:?}: there is no month {month} (01 to 12)")]
    Month {
        /// The text.
        text: String,
        /// The month it names.
        month: u32,
    },
    /// The day does not exist in that month (e.g. `02-30`, or `02-29` outside a leap year).
    #[error("{text:?}: {year:04}-{month:02} has no day {day} (it has {days})")]
    Day {
        /// The text.
        text: String,
        /// The year.
        year: i64,
        /// The month.
        month: u32,
        /// The day it names.
        day: u32,
        /// The number of days that month has.
        days: u32,
    },
    /// The hour, minute or second is out of range (hour 00 to 23, minute and second 00 to 59).
    #[error("{text:?}: {unit} {value} is out of range (00 to {max})")]
    Clock {
        /// The text.
        text: String,
        /// `hour`, `minute` or `second`.
        unit: &'static str,
        /// The value it names.
        value: u32,
        /// The largest valid value.
        max: u32,
    },
    /// The time is valid but this platform's `SystemTime` cannot hold it.
    #[error("{text:?} is outside what this platform's SystemTime can hold")]
    OutOfRange {
        /// The text.
        text: String,
    },
}

/// Reads `yyyy-MM-dd HH:mm:ss` (optionally `.S` to `.SSS`, ignored) in Beijing time as seconds
/// since the Unix epoch.
pub(super) fn parse(text: &str) -> Result<i64, TimestampError> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let length_error = || TimestampError::Length {
        text: text.to_owned(),
        len,
    };
    if len < SHAPE_LEN {
        return Err(length_error());
    }
    let shape_error = |at, expected| TimestampError::Shape {
        text: text.to_owned(),
        at,
        expected,
    };
    let [year, month, day, hour, minute, second] =
        civil_fields(bytes).map_err(|(at, expected)| shape_error(at, expected))?;
    if let Some((&dot, fraction)) = bytes[SHAPE_LEN..].split_first() {
        if dot != b'.' {
            return Err(shape_error(SHAPE_LEN, "'.' or the end"));
        }
        if let Some(i) = fraction.iter().position(|b| !b.is_ascii_digit()) {
            return Err(shape_error(SHAPE_LEN + 1 + i, "a digit"));
        }
        if fraction.is_empty() || fraction.len() > 3 {
            return Err(length_error());
        }
    }
    let year = i64::from(year);
    let days = days_in_month(year, month);
    if days == 0 {
        return Err(TimestampError::Month {
            text: text.to_owned(),
            month,
        });
    }
    if day == 0 || day > days {
        return Err(TimestampError::Day {
            text: text.to_owned(),
            year,
            month,
            day,
            days,
        });
    }
    for (unit, value, max) in [
        ("hour", hour, 23),
        ("minute", minute, 59),
        ("second", second, 59),
    ] {
        if value > max {
            return Err(TimestampError::Clock {
                text: text.to_owned(),
                unit,
                value,
                max,
            });
        }
    }
    Ok(
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second)
            - BEIJING_OFFSET_SECS,
    )
}

impl Timestamp {
    /// The text as Alipay sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Seconds since the Unix epoch (negative before 1970), or what is wrong with the text.
    ///
    /// ```
    /// let t: alipay::time::Timestamp = "1970-01-01 08:00:00".parse()?;
    /// assert_eq!(t.unix_seconds()?, 0);
    /// # Ok::<(), alipay::time::TimestampError>(())
    /// ```
    pub fn unix_seconds(&self) -> Result<i64, TimestampError> {
        parse(&self.0)
    }

    /// The point in time, or what is wrong with the text.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let t: alipay::time::Timestamp = "2020-03-20 12:00:00".parse()?;
    /// assert_eq!(t.to_system_time()?, UNIX_EPOCH + Duration::from_secs(1_584_676_800));
    /// # Ok::<(), alipay::time::TimestampError>(())
    /// ```
    pub fn to_system_time(&self) -> Result<SystemTime, TimestampError> {
        let secs = self.unix_seconds()?;
        let time = if secs >= 0 {
            UNIX_EPOCH.checked_add(Duration::from_secs(secs.unsigned_abs()))
        } else {
            UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
        };
        time.ok_or_else(|| TimestampError::OutOfRange {
            text: self.0.clone(),
        })
    }

    /// `time` in Beijing time, to the second, as Alipay writes it. Times from year 0000 to
    /// 9999 read back with [`to_system_time`](Self::to_system_time).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let t = alipay::time::Timestamp::from_system_time(UNIX_EPOCH + Duration::from_secs(1_584_676_800));
    /// assert_eq!(t, "2020-03-20 12:00:00");
    /// ```
    pub fn from_system_time(time: SystemTime) -> Self {
        Self(super::beijing_timestamp(time))
    }
}

/// Strict: exactly `yyyy-MM-dd HH:mm:ss` (optionally `.S` to `.SSS`) naming a time that
/// exists.
impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text)?;
        Ok(Self(text.to_owned()))
    }
}

impl Deref for Timestamp {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The text as Alipay sent it.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Timestamp {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Timestamp> for str {
    fn eq(&self, other: &Timestamp) -> bool {
        self == other.0
    }
}

impl PartialEq<Timestamp> for &str {
    fn eq(&self, other: &Timestamp) -> bool {
        *self == other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> SystemTime {
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    #[test]
    fn round_trips_through_system_time() {
        for (secs, text) in [
            (0, "1970-01-01 08:00:00"),
            (-28_800, "1970-01-01 00:00:00"),
            (-1, "1970-01-01 07:59:59"),
            (1_709_179_200, "2024-02-29 12:00:00"),
            (951_782_400, "2000-02-29 08:00:00"),
            (1_704_038_399, "2023-12-31 23:59:59"),
            (253_402_271_999, "9999-12-31 23:59:59"),
            (-62_135_625_600, "0001-01-01 00:00:00"),
        ] {
            let t = Timestamp::from_system_time(at(secs));
            assert_eq!(t, text);
            let parsed: Timestamp = text.parse().expect(text);
            assert_eq!(parsed.unix_seconds(), Ok(secs), "{text}");
            assert_eq!(parsed.to_system_time(), Ok(at(secs)), "{text}");
        }
    }

    #[test]
    fn leap_days() {
        for good in [
            "2024-02-29 00:00:00",
            "2000-02-29 23:59:59",
            "1600-02-29 12:00:00",
        ] {
            assert!(good.parse::<Timestamp>().is_ok(), "{good}");
        }
        for (bad, year, days) in [
            ("2023-02-29 00:00:00", 2023, 28),
            ("1900-02-29 00:00:00", 1900, 28),
        ] {
            assert_eq!(
                bad.parse::<Timestamp>(),
                Err(TimestampError::Day {
                    text: bad.to_owned(),
                    year,
                    month: 2,
                    day: 29,
                    days
                })
            );
        }
        assert_eq!(
            "2024-02-29 00:00:00"
                .parse::<Timestamp>()
                .unwrap()
                .unix_seconds(),
            Ok(1_709_136_000)
        );
    }

    #[test]
    fn fractions_of_a_second_are_kept_and_not_counted() {
        let t: Timestamp = "2015-04-28 15:45:57.320".parse().unwrap();
        assert_eq!(t, "2015-04-28 15:45:57.320");
        assert_eq!(
            t.unix_seconds(),
            "2015-04-28 15:45:57"
                .parse::<Timestamp>()
                .unwrap()
                .unix_seconds()
        );
        assert!("2015-04-28 15:45:57.3".parse::<Timestamp>().is_ok());
    }

    #[test]
    fn malformed_texts_say_what_is_wrong() {
        let shape = |text: &str, at, expected| {
            assert_eq!(
                text.parse::<Timestamp>(),
                Err(TimestampError::Shape {
                    text: text.to_owned(),
                    at,
                    expected
                }),
                "{text}"
            );
        };
        shape("2020/03/20 12:00:00", 4, "'-'");
        shape("2020-03-20T12:00:00", 10, "' '");
        shape("2020-03-20 12.00:00", 13, "':'");
        shape("2020-03-2a 12:00:00", 9, "a digit");
        shape("+020-03-20 12:00:00", 0, "a digit");
        shape("2020-03-20 12:00:00Z", 19, "'.' or the end");
        shape("2020-03-20 12:00:00.1a", 21, "a digit");
        // A multi-byte character: no panic on a char boundary.
        shape("2020-03-20 12:00:0中", 18, "a digit");
        for text in [
            "",
            "2020-03-20 12:00",
            "2020-03-20 12:00:00.",
            "2020-03-20 12:00:00.1234",
        ] {
            assert_eq!(
                text.parse::<Timestamp>(),
                Err(TimestampError::Length {
                    text: text.to_owned(),
                    len: text.len()
                })
            );
        }
        for (text, month) in [("2020-13-01 12:00:00", 13), ("2020-00-01 12:00:00", 0)] {
            assert_eq!(
                text.parse::<Timestamp>(),
                Err(TimestampError::Month {
                    text: text.to_owned(),
                    month
                })
            );
        }
        assert!(matches!(
            "2020-04-31 12:00:00".parse::<Timestamp>(),
            Err(TimestampError::Day {
                day: 31,
                days: 30,
                ..
            })
        ));
        assert!(matches!(
            "2020-03-00 12:00:00".parse::<Timestamp>(),
            Err(TimestampError::Day { day: 0, .. })
        ));
        for (text, unit, value) in [
            ("2020-03-20 24:00:00", "hour", 24),
            ("2020-03-20 12:60:00", "minute", 60),
            ("2020-03-20 12:00:60", "second", 60),
        ] {
            let err = text.parse::<Timestamp>().unwrap_err();
            assert!(
                matches!(&err, TimestampError::Clock { unit: u, value: v, .. } if *u == unit && *v == value),
                "{text}: {err:?}"
            );
            assert!(err.to_string().contains(unit), "{err}");
        }
        assert_eq!(
            "2020-03-20 12:00"
                .parse::<Timestamp>()
                .unwrap_err()
                .to_string(),
            r#""2020-03-20 12:00" is 16 bytes long, not yyyy-MM-dd HH:mm:ss (19 bytes, optionally .S to .SSS)"#
        );
    }

    #[test]
    fn deserializing_keeps_any_text() {
        #[derive(serde::Deserialize)]
        struct Answer {
            gmt_payment: Option<Timestamp>,
        }
        let good: Answer =
            serde_json::from_str(r#"{"gmt_payment":"2024-01-01 00:00:00"}"#).unwrap();
        let good = good.gmt_payment.unwrap();
        assert_eq!(good.to_system_time(), Ok(at(1_704_038_400)));
        assert_eq!(
            serde_json::to_string(&good).unwrap(),
            r#""2024-01-01 00:00:00""#
        );

        let odd: Answer = serde_json::from_str(r#"{"gmt_payment":"yesterday"}"#).unwrap();
        let odd = odd.gmt_payment.unwrap();
        assert_eq!(odd, "yesterday");
        assert_eq!(odd.len(), 9);
        assert_eq!(odd.to_string(), "yesterday");
        assert!(matches!(
            odd.unix_seconds(),
            Err(TimestampError::Length { len: 9, .. })
        ));
        assert!("yesterday" == odd && *"yesterday" == odd);
    }
}
