//! Tolerant deserializers for answer fields whose JSON type differs between Alipay's documents
//! and its gateways (a number sent as a string, a boolean sent as `"true"`).

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

/// A boolean or a string of digits.
#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

/// A `bool` written as a JSON boolean or as `"true"`/`"false"` or `"T"`/`"F"`.
pub(crate) fn bool_from_any<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    match BoolOrText::deserialize(deserializer)? {
        BoolOrText::Bool(b) => Ok(b),
        BoolOrText::Text(text) => match text.trim() {
            "true" | "T" | "Y" => Ok(true),
            "false" | "F" | "N" => Ok(false),
            other => Err(serde::de::Error::custom(format_args!(
                "expected a boolean, got `{other}`"
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "i64_from_any")]
        n: i64,
        #[serde(deserialize_with = "bool_from_any")]
        b: bool,
    }

    #[test]
    fn numbers_and_booleans_in_either_form() {
        let a: Probe = serde_json::from_str(r#"{"n":3600,"b":true}"#).unwrap();
        let b: Probe = serde_json::from_str(r#"{"n":"3600","b":"T"}"#).unwrap();
        assert_eq!((a.n, a.b), (3600, true));
        assert_eq!((b.n, b.b), (3600, true));
        assert!(serde_json::from_str::<Probe>(r#"{"n":"x","b":true}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"n":1,"b":"maybe"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"n":1.5,"b":true}"#).is_err());
    }
}
