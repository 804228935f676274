//! Yes/no fields as `bool`: serde helpers for `#[serde(with = "…")]`.
//!
//! Alipay writes flags as text: `Y`/`N` (e.g. a refund's `fund_change`, a cancel's
//! `retry_flag`), `T`/`F` (e.g. an identity verification's `passed`, a life account content's
//! `could_comment`), and in a few answers `"true"`/`"false"` or a JSON boolean. Every helper
//! here reads any of these: `Y`, `T`, `true` are `true`; `N`, `F`, `false` are `false`, in the
//! case Alipay writes them (letters upper case, words lower case); anything else is an error
//! that names the text received. Each module writes its own family back: [`yn`] writes `Y`/`N`,
//! [`tf`] writes `T`/`F`, so a value read from Alipay serializes as Alipay wrote it.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! /// A refund answer's flags, in a type of your own.
//! #[derive(Debug, Deserialize, Serialize)]
//! struct RefundFlags {
//!     #[serde(with = "alipay::flag::yn")]
//!     fund_change: bool,
//!     #[serde(default, with = "alipay::flag::yn::option")]
//!     retry_flag: Option<bool>,
//! }
//!
//! let flags: RefundFlags = serde_json::from_str(r#"{"fund_change":"Y"}"#)?;
//! assert!(flags.fund_change);
//! assert_eq!(flags.retry_flag, None);
//! assert_eq!(serde_json::to_string(&flags)?, r#"{"fund_change":"Y","retry_flag":null}"#);
//! assert!(serde_json::from_str::<RefundFlags>(r#"{"fund_change":"yes"}"#).is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A flag as read: `true` or `false`, from any of the forms Alipay writes.
struct Flag(bool);

/// What [`Flag`] expects, for the error on anything else.
const EXPECTED: &str = "a flag: `Y`/`N`, `T`/`F` or `true`/`false`";

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;

        impl Visitor<'_> for FlagVisitor {
            type Value = Flag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED)
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Flag, E> {
                Ok(Flag(value))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Flag, E> {
                match text {
                    "Y" | "T" | "true" => Ok(Flag(true)),
                    "N" | "F" | "false" => Ok(Flag(false)),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &EXPECTED)),
                }
            }
        }

        deserializer.deserialize_any(FlagVisitor)
    }
}

/// Reads a flag in any form.
fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Flag::deserialize(deserializer).map(|flag| flag.0)
}

/// Reads an optional flag in any form (`null` is `None`).
fn read_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Option::<Flag>::deserialize(deserializer).map(|flag| flag.map(|flag| flag.0))
}

/// Writes the flags of one family.
macro_rules! family {
    ($(#[$meta:meta])* $name:ident, $yes:literal, $no:literal) => {
        $(#[$meta])*
        pub mod $name {
            use serde::{Deserializer, Serializer};

            #[doc = concat!("Writes `", $yes, "` or `", $no, "`.")]
            pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(if *value { $yes } else { $no })
            }

            /// Reads a flag in any form Alipay writes (see the [module](super) documentation).
            pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
                super::read(deserializer)
            }

            #[doc = concat!("`Option<bool>` as an optional `", $yes, "`/`", $no, "` flag; add ")]
            /// `#[serde(default)]` for a field Alipay may leave out.
            pub mod option {
                use serde::{Deserializer, Serializer};

                #[doc = concat!("Writes `", $yes, "`, `", $no, "` or nothing (`None`).")]
                pub fn serialize<S: Serializer>(
                    value: &Option<bool>,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    match value {
                        Some(value) => serializer.serialize_some(if *value { $yes } else { $no }),
                        None => serializer.serialize_none(),
                    }
                }

                /// Reads an optional flag in any form Alipay writes; `null` is `None`.
                pub fn deserialize<'de, D: Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Option<bool>, D::Error> {
                    super::super::read_option(deserializer)
                }
            }
        }
    };
}

family! {
    /// `bool` as a `Y`/`N` flag (e.g. `fund_change`, `retry_flag`).
    yn, "Y", "N"
}

family! {
    /// `bool` as a `T`/`F` flag (e.g. `passed`, `could_comment`).
    tf, "T", "F"
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Serialize)]
    struct Probe {
        #[serde(with = "super::yn")]
        yn: bool,
        #[serde(with = "super::tf")]
        tf: bool,
        #[serde(default, with = "super::tf::option")]
        maybe: Option<bool>,
    }

    fn read(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn every_form_alipay_writes_reads_and_writes_back_in_its_family() {
        let probe = read(r#"{"yn":"Y","tf":"F","maybe":"T"}"#).unwrap();
        assert_eq!((probe.yn, probe.tf, probe.maybe), (true, false, Some(true)));
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"yn":"Y","tf":"F","maybe":"T"}"#
        );
        let probe = read(r#"{"yn":"N","tf":"T"}"#).unwrap();
        assert_eq!((probe.yn, probe.tf, probe.maybe), (false, true, None));
        let probe = read(r#"{"yn":"true","tf":false,"maybe":null}"#).unwrap();
        assert_eq!((probe.yn, probe.tf, probe.maybe), (true, false, None));
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"yn":"Y","tf":"F","maybe":null}"#
        );
    }

    #[test]
    fn anything_else_is_an_error_that_names_it() {
        for (json, text) in [
            (r#"{"yn":"y","tf":"T"}"#, "\"y\""),
            (r#"{"yn":"Y","tf":"TRUE"}"#, "\"TRUE\""),
            (r#"{"yn":"Y","tf":"T","maybe":""}"#, "\"\""),
            (r#"{"yn":"1","tf":"T"}"#, "\"1\""),
        ] {
            let error = read(json).unwrap_err().to_string();
            assert!(
                error.contains(text) && error.contains("`Y`/`N`, `T`/`F` or `true`/`false`"),
                "{json}: {error}"
            );
        }
        let error = read(r#"{"yn":1,"tf":"T"}"#).unwrap_err().to_string();
        assert!(error.contains("integer `1`"), "{error}");
    }
}
