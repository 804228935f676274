//! Code-like fields (statuses, scenes, product codes): enums that keep unknown values.
//!
//! Alipay adds codes without notice, so every such enum has an `Other(String)` variant that
//! keeps the text as sent: a new code is never a parse error, and it serializes back unchanged.
//! [`code_enum!`](crate::code_enum) writes the enum, its `as_str`, `From<&str>`, `Display` and
//! serde impls from one table of variant and text.

/// Declares a code enum: each variant with the text Alipay writes, plus `Other(String)`.
///
/// Generates `as_str`, `From<&str>`, `From<String>`, `Display`, `Serialize` and `Deserialize`
/// (as the plain string).
///
/// ```
/// alipay::code_enum! {
///     /// A colour.
///     pub enum Colour {
///         /// `RED`.
///         Red = "RED",
///     }
/// }
/// assert_eq!(Colour::from("RED"), Colour::Red);
/// assert_eq!(Colour::from("BLUE").as_str(), "BLUE");
/// ```
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A code this version does not know, kept as sent.
            Other(::std::string::String),
        }

        impl $name {
            /// The code as Alipay writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(other) => other,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(text: ::std::string::String) -> Self {
                match text.as_str() {
                    $( $text => Self::$variant, )*
                    _ => Self::Other(text),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                ::std::result::Result::Ok(Self::from(text))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::payment::common::{FundChannel, FundType, TradeFundBill, TradeStatus};

    #[test]
    fn known_and_unknown_codes_round_trip() {
        assert_eq!(
            TradeStatus::from("TRADE_SUCCESS"),
            TradeStatus::TradeSuccess
        );
        let new = TradeStatus::from(String::from("TRADE_NEW_STATE"));
        assert_eq!(new, TradeStatus::Other("TRADE_NEW_STATE".into()));
        assert_eq!(
            serde_json::to_string(&new).ok().as_deref(),
            Some("\"TRADE_NEW_STATE\"")
        );
        let parsed: Result<TradeStatus, _> = serde_json::from_str("\"WAIT_BUYER_PAY\"");
        assert_eq!(parsed.ok(), Some(TradeStatus::WaitBuyerPay));
        assert_eq!(TradeStatus::TradeClosed.to_string(), "TRADE_CLOSED");
    }

    #[test]
    fn a_struct_with_unknown_codes_serializes_back_as_received() {
        let known = r#"{"fund_channel":"BANKCARD","bank_code":null,"amount":"1.00","real_amount":null,"fund_type":"DEBIT_CARD"}"#;
        let bill: TradeFundBill = serde_json::from_str(known).unwrap();
        assert_eq!(bill.fund_channel, Some(FundChannel::BankCard));
        assert_eq!(bill.fund_type, Some(FundType::DebitCard));
        assert_eq!(serde_json::to_string(&bill).unwrap(), known);

        let unknown = r#"{"fund_channel":"NEW_WALLET","bank_code":null,"amount":"1.00","real_amount":null,"fund_type":"PREPAID_CARD"}"#;
        let bill: TradeFundBill = serde_json::from_str(unknown).unwrap();
        assert_eq!(
            bill.fund_channel,
            Some(FundChannel::Other("NEW_WALLET".into()))
        );
        assert_eq!(bill.fund_type, Some(FundType::Other("PREPAID_CARD".into())));
        assert_eq!(serde_json::to_string(&bill).unwrap(), unknown);
    }
}
