//! Money amounts, in yuan, exactly as written.

use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;

/// An amount of money in yuan (元), kept exactly as written: `"0.10"` stays `"0.10"`, never a
/// float (a float turns `0.10` into `0.1`, which breaks notification signatures and some
/// comparisons).
///
/// [`Amount::new`] accepts what Alipay accepts for a request amount: a decimal with at most two
/// fraction digits, from `0.01` to `100000000` (one hundred million) inclusive, with no sign,
/// exponent or spaces. Amounts in Alipay's answers and notifications are read with the same
/// format rule but may be `0` or `0.00` (e.g. `point_amount`).
///
/// Bills ([`crate::bill`]) hold signed amounts (refunds and fees are negative):
/// [`Amount::parse_signed`] reads those, [`Amount::is_negative`] and [`Amount::signed_cents`]
/// tell their sign. Only `parse_signed` and [`Amount::from_signed_cents`] make negative amounts.
///
/// ```
/// use alipay::Amount;
///
/// let a: Amount = "88.80".parse()?;
/// assert_eq!(a.as_str(), "88.80");
/// assert_eq!(a.cents(), 8880);
/// assert!(Amount::new("0.001").is_err());
/// assert!(Amount::new("0").is_err());
/// assert_eq!(Amount::from_cents(1)?.as_str(), "0.01");
///
/// let refund = Amount::parse_signed("-1.50")?;
/// assert!(refund.is_negative());
/// assert_eq!(refund.signed_cents(), -150);
/// assert_eq!(refund.cents(), 150);
/// # Ok::<(), alipay::AmountError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Amount {
    /// The text as written: inline up to 24 bytes (every amount in range unless padded with
    /// zeros), so reading one allocates nothing.
    text: CompactString,
    cents: i64,
}

/// The largest amount Alipay accepts, in cents (100,000,000 yuan).
const MAX_CENTS: u64 = 100_000_000 * 100;

/// Why a text is not a valid [`Amount`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The text is not a plain decimal number (`"1e3"`, `"-1"`, `" 1"`, `"1."`, `""`).
    #[error("`{0}` is not a decimal amount in yuan (expected e.g. `88.80`)")]
    Format(String),
    /// More than two digits after the decimal point.
    #[error("`{0}` has more than two decimals (Alipay amounts are in yuan with at most 2)")]
    TooManyDecimals(String),
    /// Below 0.01 yuan.
    #[error("`{0}` is below the minimum amount of 0.01")]
    TooSmall(String),
    /// Above 100,000,000 yuan.
    #[error("`{0}` is above the maximum amount of 100000000")]
    TooLarge(String),
}

/// What is wrong with an amount's text, before the text is attached (see [`AmountError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invalid {
    Format,
    TooManyDecimals,
    TooLarge,
}

impl Invalid {
    /// The error for `text`.
    pub(crate) fn with_text(self, text: &str) -> AmountError {
        let text = text.to_owned();
        match self {
            Self::Format => AmountError::Format(text),
            Self::TooManyDecimals => AmountError::TooManyDecimals(text),
            Self::TooLarge => AmountError::TooLarge(text),
        }
    }
}

impl Amount {
    /// Parses a request amount: at most two decimals, within `[0.01, 100000000]`.
    pub fn new(text: impl AsRef<str>) -> Result<Self, AmountError> {
        let amount = Self::parse_any(text.as_ref())?;
        if amount.cents == 0 {
            return Err(AmountError::TooSmall(text.as_ref().to_owned()));
        }
        Ok(amount)
    }

    /// An amount from a number of cents (分), written with two decimals (`150` → `"1.50"`).
    pub fn from_cents(cents: u64) -> Result<Self, AmountError> {
        let text = format!("{}.{:02}", cents / 100, cents % 100);
        Self::new(text)
    }

    /// The amount exactly as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The amount in cents (分); for a negative amount (see [`Amount::parse_signed`]) its
    /// magnitude: `-1.50` gives `150`.
    pub fn cents(&self) -> u64 {
        self.cents.unsigned_abs()
    }

    /// The amount in cents (分), negative for a negative amount: `-1.50` gives `-150`.
    pub fn signed_cents(&self) -> i64 {
        self.cents
    }

    /// Whether the amount is below zero (`-0.00` is not).
    pub fn is_negative(&self) -> bool {
        self.cents < 0
    }

    /// Parses an amount as bills write it: an optional leading `-` or `+`, then a decimal with
    /// at most two fraction digits (`-1.50`, `0.00`, `14989.00`). Zero is allowed and there is
    /// no upper bound other than the number of cents fitting in an `i64`; the text is kept as
    /// written.
    pub fn parse_signed(text: impl AsRef<str>) -> Result<Self, AmountError> {
        let text = text.as_ref();
        Ok(Self {
            cents: Self::signed_cents_of(text).map_err(|e| e.with_text(text))?,
            text: CompactString::new(text),
        })
    }

    /// The cents [`Amount::parse_signed`] reads from `text`, without keeping the text (nor, when
    /// it is not an amount, writing the error's).
    pub(crate) fn signed_cents_of(text: &str) -> Result<i64, Invalid> {
        let bytes = text.as_bytes();
        let (negative, digits) = match bytes.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, bytes),
        };
        let magnitude = Self::parse_digits(digits, i64::MAX.unsigned_abs())?;
        let cents = i64::try_from(magnitude).map_err(|_| Invalid::TooLarge)?;
        Ok(if negative { -cents } else { cents })
    }

    /// An amount from a signed number of cents, written with two decimals (`-150` →
    /// `"-1.50"`).
    pub fn from_signed_cents(cents: i64) -> Self {
        let sign = if cents < 0 { "-" } else { "" };
        let magnitude = cents.unsigned_abs();
        Self {
            text: compact_str::format_compact!("{sign}{}.{:02}", magnitude / 100, magnitude % 100),
            cents,
        }
    }

    /// Parses the format shared by requests and answers; allows zero.
    fn parse_any(text: &str) -> Result<Self, AmountError> {
        let cents =
            Self::parse_digits(text.as_bytes(), MAX_CENTS).map_err(|e| e.with_text(text))?;
        Ok(Self {
            text: CompactString::new(text),
            // At most MAX_CENTS, which fits.
            cents: i64::try_from(cents).map_err(|_| Invalid::TooLarge.with_text(text))?,
        })
    }

    /// The number of cents written by `digits` (an amount without its sign), at most `max`, in
    /// one pass.
    fn parse_digits(digits: &[u8], max: u64) -> Result<u64, Invalid> {
        let int_len = digits
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(digits.len());
        let (int, rest) = digits.split_at(int_len);
        if int.is_empty() {
            return Err(Invalid::Format);
        }
        let digit = |b: u8| u64::from(b.wrapping_sub(b'0'));
        let frac_cents = match rest {
            [] => 0,
            [b'.', tenths] if tenths.is_ascii_digit() => digit(*tenths) * 10,
            [b'.', tenths, hundredths]
                if tenths.is_ascii_digit() && hundredths.is_ascii_digit() =>
            {
                digit(*tenths) * 10 + digit(*hundredths)
            }
            [b'.', frac @ ..] if frac.len() > 2 && frac.iter().all(u8::is_ascii_digit) => {
                return Err(Invalid::TooManyDecimals);
            }
            _ => return Err(Invalid::Format),
        };
        let first = int.iter().position(|&b| b != b'0').unwrap_or(int.len());
        let int = &int[first..];
        // 19 digits always fit in a u64.
        if int.len() > 19 {
            return Err(Invalid::TooLarge);
        }
        let yuan = int.iter().fold(0u64, |yuan, &b| yuan * 10 + digit(b));
        yuan.checked_mul(100)
            .and_then(|c| c.checked_add(frac_cents))
            .filter(|&cents| cents <= max)
            .ok_or(Invalid::TooLarge)
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for Amount {
    type Error = AmountError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.text)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// The amount as the JSON string Alipay expects (its exact text), e.g. for a per-call
/// `optional(key, value)` or a `biz_content` built by hand.
///
/// ```
/// let value: serde_json::Value = alipay::Amount::new("88.80")?.into();
/// assert_eq!(value, serde_json::json!("88.80"));
/// # Ok::<(), alipay::AmountError>(())
/// ```
impl From<Amount> for serde_json::Value {
    fn from(amount: Amount) -> Self {
        serde_json::Value::String(amount.text.into_string())
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    /// Reads an amount from an answer or notification: a string (or, leniently, a JSON number)
    /// with at most two decimals; zero is allowed.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in yuan such as \"88.80\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse_any(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Amount, E> {
                Amount::parse_any(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "amount {v} is a JSON float; amounts must be decimal strings"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_alipay_accepts() {
        for ok in [
            "0.01",
            "1",
            "1.5",
            "88.80",
            "100000000",
            "100000000.00",
            "007.10",
        ] {
            assert_eq!(Amount::new(ok).unwrap().as_str(), ok);
        }
        assert_eq!(Amount::new("1.5").unwrap().cents(), 150);
        assert_eq!(Amount::new("007.10").unwrap().cents(), 710);
    }

    #[test]
    fn rejects_with_a_reason() {
        use AmountError::*;
        type Case = (&'static str, fn(String) -> AmountError);
        let cases: &[Case] = &[
            ("0.001", TooManyDecimals),
            ("1.234", TooManyDecimals),
            ("0", TooSmall),
            ("0.00", TooSmall),
            ("100000000.01", TooLarge),
            ("99999999999999999999999", TooLarge),
            ("-1", Format),
            ("1e3", Format),
            (" 1", Format),
            ("1.", Format),
            (".5", Format),
            ("", Format),
            ("1,00", Format),
            ("１", Format),
        ];
        for (text, make) in cases {
            assert_eq!(Amount::new(text), Err(make(text.to_string())), "{text}");
        }
    }

    #[test]
    fn answers_may_hold_zero() {
        let a: Amount = serde_json::from_str("\"0.00\"").unwrap();
        assert_eq!(a.cents(), 0);
        assert!(serde_json::from_str::<Amount>("\"0.001\"").is_err());
        assert!(serde_json::from_str::<Amount>("0.1").is_err());
    }

    #[test]
    fn signed_amounts_keep_their_sign() {
        for (text, cents) in [
            ("-1.50", -150),
            ("+2", 200),
            ("0.00", 0),
            ("-0.00", 0),
            ("14989.00", 1_498_900),
            ("-100000000.01", -10_000_000_001),
        ] {
            let a = Amount::parse_signed(text).unwrap();
            assert_eq!((a.as_str(), a.signed_cents()), (text, cents));
            assert_eq!(a.is_negative(), cents < 0, "{text}");
            assert_eq!(a.cents(), cents.unsigned_abs());
        }
        for bad in [
            "--1",
            "-",
            "- 1",
            "1-",
            "-1.234",
            "-.5",
            "+-1",
            "92233720368547758.08",
        ] {
            assert!(Amount::parse_signed(bad).is_err(), "{bad}");
        }
        let max = Amount::from_signed_cents(i64::MAX);
        assert_eq!(Amount::parse_signed(max.as_str()).unwrap(), max);
        assert_eq!(Amount::from_signed_cents(-150).as_str(), "-1.50");
        assert_eq!(Amount::from_signed_cents(5).as_str(), "0.05");
        // The unsigned parse is unchanged: no sign.
        assert!(Amount::new("-1").is_err() && Amount::new("+1").is_err());
    }

    #[test]
    fn texts_are_kept_inline_or_exactly_as_written_when_longer() {
        let widest = Amount::parse_signed("-92233720368547758.07").unwrap();
        assert!(!widest.text.is_heap_allocated());
        assert_eq!(widest.signed_cents(), -i64::MAX);
        // Padded past the inline room: still kept as written.
        let padded = "0000000000000000000000000012.30";
        let long = Amount::parse_signed(padded).unwrap();
        assert!(long.text.is_heap_allocated());
        assert_eq!((long.as_str(), long.signed_cents()), (padded, 1230));
        assert_eq!(Amount::new(padded).unwrap(), long);
        for (bad, error) in [
            ("1.2.3", AmountError::Format("1.2.3".into())),
            ("1.234x", AmountError::Format("1.234x".into())),
            ("1.2345", AmountError::TooManyDecimals("1.2345".into())),
            ("1x", AmountError::Format("1x".into())),
            ("冰", AmountError::Format("冰".into())),
        ] {
            assert_eq!(Amount::parse_signed(bad), Err(error), "{bad}");
        }
    }

    #[test]
    fn from_cents_writes_two_decimals() {
        assert_eq!(Amount::from_cents(1).unwrap().as_str(), "0.01");
        assert_eq!(Amount::from_cents(123456).unwrap().as_str(), "1234.56");
        assert!(Amount::from_cents(0).is_err());
        assert!(Amount::from_cents(MAX_CENTS + 1).is_err());
    }
}
