//! Tolerant deserializers for answer fields whose JSON type differs between Alipay's documents
//! and its gateways (a number sent as a string). Flags (`"true"`, `"T"`, `"Y"`) are read by
//! [`crate::flag`].

use serde::{Deserialize, Deserializer};

/// A number or a string of digits.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(i64),
    Text(String),
}

/// An `i64` written as a JSON number or as a string (`3600` or `"3600"`).
pub(crate) fn i64_from_any<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match NumberOrText::deserialize(deserializer)? {
        NumberOrText::Number(n) => Ok(n),
        NumberOrText::Text(text) => text.trim().parse().map_err(|_| {
            serde::de::Error::custom(format_args!("expected an integer, got `{text}`"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "i64_from_any")]
        n: i64,
    }

    #[test]
    fn numbers_in_either_form() {
        let a: Probe = serde_json::from_str(r#"{"n":3600}"#).unwrap();
        let b: Probe = serde_json::from_str(r#"{"n":"3600"}"#).unwrap();
        assert_eq!((a.n, b.n), (3600, 3600));
        assert!(serde_json::from_str::<Probe>(r#"{"n":"x"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"n":1.5}"#).is_err());
    }
}
