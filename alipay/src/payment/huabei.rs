//! Huabei instalments (花呗分期): a trade the buyer pays in 3, 6 or 12 Huabei instalments, the
//! instalment fee borne by the buyer or by the seller.
//!
//! The request is its own type, [`HuabeiCreate`], rather than an option of
//! [`TradeCreate`](super::common::TradeCreate): the instalment parameters are then required and
//! can only take the values Alipay accepts ([`HuabeiConfig`]).
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::huabei::{FeeBearer, HuabeiConfig, HuabeiCreate, Instalments};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let created = client
//!     .send(
//!         HuabeiCreate::builder()
//!             .out_trade_no("HB20261126001")
//!             .total_amount(Amount::new("3000.00")?)
//!             .subject("Laptop")
//!             .buyer_id("2088002656718920")
//!             .extend_params(HuabeiConfig::new(Instalments::Twelve, FeeBearer::Seller))
//!             .build(),
//!     )
//!     .await?;
//! println!("{}", created.trade_no);
//! # Ok(()) }
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::Amount;
use crate::payment::common::TradeCreateResponse;

/// The number of Huabei instalments (`hb_fq_num`): 3, 6 or 12, the only values Alipay accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Instalments {
    /// 3 instalments.
    Three,
    /// 6 instalments.
    Six,
    /// 12 instalments.
    Twelve,
}

impl Instalments {
    /// The number of instalments.
    pub fn count(self) -> u32 {
        match self {
            Instalments::Three => 3,
            Instalments::Six => 6,
            Instalments::Twelve => 12,
        }
    }
}

impl TryFrom<u32> for Instalments {
    type Error = HuabeiError;

    /// `3`, `6` or `12`; anything else is [`HuabeiError::Instalments`].
    fn try_from(count: u32) -> Result<Self, HuabeiError> {
        match count {
            3 => Ok(Instalments::Three),
            6 => Ok(Instalments::Six),
            12 => Ok(Instalments::Twelve),
            other => Err(HuabeiError::Instalments(other.to_string())),
        }
    }
}

impl FromStr for Instalments {
    type Err = HuabeiError;

    fn from_str(text: &str) -> Result<Self, HuabeiError> {
        text.parse::<u32>()
            .map_err(|_| HuabeiError::Instalments(text.to_owned()))
            .and_then(Instalments::try_from)
    }
}

impl fmt::Display for Instalments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.count())
    }
}

impl Serialize for Instalments {
    /// As a string, `"3"`, `"6"` or `"12"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Who bears the instalment fee (`hb_fq_seller_percent`): the buyer (`0`) or the seller
/// (`100`), the only values Alipay accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeeBearer {
    /// The buyer pays the fee: `hb_fq_seller_percent = 0`.
    Buyer,
    /// The seller pays the fee: `hb_fq_seller_percent = 100`.
    Seller,
}

impl FeeBearer {
    /// The seller's share of the fee in percent: 0 or 100.
    pub fn seller_percent(self) -> u32 {
        match self {
            FeeBearer::Buyer => 0,
            FeeBearer::Seller => 100,
        }
    }
}

impl TryFrom<u32> for FeeBearer {
    type Error = HuabeiError;

    /// `0` (the buyer) or `100` (the seller); anything else is [`HuabeiError::SellerPercent`].
    fn try_from(seller_percent: u32) -> Result<Self, HuabeiError> {
        match seller_percent {
            0 => Ok(FeeBearer::Buyer),
            100 => Ok(FeeBearer::Seller),
            other => Err(HuabeiError::SellerPercent(other.to_string())),
        }
    }
}

impl FromStr for FeeBearer {
    type Err = HuabeiError;

    fn from_str(text: &str) -> Result<Self, HuabeiError> {
        text.parse::<u32>()
            .map_err(|_| HuabeiError::SellerPercent(text.to_owned()))
            .and_then(FeeBearer::try_from)
    }
}

impl fmt::Display for FeeBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.seller_percent())
    }
}

impl Serialize for FeeBearer {
    /// As a string, `"0"` or `"100"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The Huabei parameters of a trade, sent as `extend_params`:
/// `{"hb_fq_num": "3", "hb_fq_seller_percent": "100"}`. Invalid values cannot be represented;
/// [`HuabeiConfig::parse`] checks values that come as text (from a form, a config file).
///
/// ```
/// use alipay::payment::huabei::{FeeBearer, HuabeiConfig, Instalments};
///
/// let config = HuabeiConfig::new(Instalments::Six, FeeBearer::Buyer);
/// assert_eq!(
///     serde_json::to_value(config)?,
///     serde_json::json!({"hb_fq_num": "6", "hb_fq_seller_percent": "0"})
/// );
/// assert_eq!(HuabeiConfig::parse("6", "0"), Ok(config));
/// assert!(HuabeiConfig::parse("4", "0").is_err());
/// assert!(HuabeiConfig::parse("3", "50").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct HuabeiConfig {
    /// The number of instalments.
    pub hb_fq_num: Instalments,
    /// Who bears the instalment fee.
    pub hb_fq_seller_percent: FeeBearer,
}

impl HuabeiConfig {
    /// The parameters of a Huabei trade.
    pub fn new(instalments: Instalments, fee_bearer: FeeBearer) -> Self {
        Self {
            hb_fq_num: instalments,
            hb_fq_seller_percent: fee_bearer,
        }
    }

    /// Checks parameters given as text, as the Easy SDK takes them: `hb_fq_num` must be `3`,
    /// `6` or `12` and `hb_fq_seller_percent` `0` or `100`.
    pub fn parse(hb_fq_num: &str, hb_fq_seller_percent: &str) -> Result<Self, HuabeiError> {
        Ok(Self::new(
            hb_fq_num.trim().parse()?,
            hb_fq_seller_percent.trim().parse()?,
        ))
    }
}

/// A Huabei parameter Alipay does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HuabeiError {
    /// `hb_fq_num` is not 3, 6 or 12.
    #[error("hb_fq_num must be 3, 6 or 12, not `{0}`")]
    Instalments(String),
    /// `hb_fq_seller_percent` is not 0 or 100.
    #[error(
        "hb_fq_seller_percent must be 0 (the buyer pays the fee) or 100 (the seller does), not `{0}`"
    )]
    SellerPercent(String),
}

/// `alipay.trade.create` with Huabei instalments in `extend_params` (Easy SDK `Huabei.create`).
/// The answer is the same as [`TradeCreate`](super::common::TradeCreate)'s.
///
/// <https://opendocs.alipay.com/open/02ekfj>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::huabei::{HuabeiConfig, HuabeiCreate};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let request = HuabeiCreate::builder()
///     .out_trade_no("HB1")
///     .total_amount(Amount::new("600.00")?)
///     .subject("Phone")
///     .buyer_id("2088002656718920")
///     .extend_params(HuabeiConfig::parse("3", "100")?)
///     .build();
/// let created = client.send(request).await?;
/// # let _ = created;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.create")]
#[alipay(
    method = "alipay.trade.create",
    v3 = "POST /v3/alipay/trade/create",
    response = TradeCreateResponse
)]
#[must_use]
#[non_exhaustive]
pub struct HuabeiCreate {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// The buyer's Alipay user id (`2088…`).
    pub buyer_id: Option<String>,
    /// The buyer's open id (for apps that use open ids instead of user ids).
    pub buyer_open_id: Option<String>,
    /// The instalment parameters.
    pub extend_params: HuabeiConfig,
    /// The order description.
    pub body: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::request::{Method, Params};

    #[test]
    fn only_accepted_values_parse() {
        for (n, expected) in [
            (3, Instalments::Three),
            (6, Instalments::Six),
            (12, Instalments::Twelve),
        ] {
            assert_eq!(Instalments::try_from(n), Ok(expected));
            assert_eq!(expected.count(), n);
        }
        for bad in [0, 1, 4, 24, u32::MAX] {
            assert_eq!(
                Instalments::try_from(bad),
                Err(HuabeiError::Instalments(bad.to_string()))
            );
        }
        assert_eq!(FeeBearer::try_from(100), Ok(FeeBearer::Seller));
        assert!(FeeBearer::try_from(50).is_err());
        assert!(HuabeiConfig::parse("", "0").is_err());
        assert!(HuabeiConfig::parse("-3", "0").is_err());
        assert!(HuabeiConfig::parse("3", "１００").is_err());
        assert_eq!(
            HuabeiConfig::parse(" 12 ", "100"),
            Ok(HuabeiConfig::new(Instalments::Twelve, FeeBearer::Seller))
        );
    }

    #[test]
    fn extend_params_are_strings() {
        let request = HuabeiCreate::builder()
            .out_trade_no("T")
            .total_amount(Amount::new("1.00").unwrap())
            .subject("s")
            .extend_params(HuabeiConfig::new(Instalments::Three, FeeBearer::Buyer))
            .build();
        let mut params = Params::new();
        request.encode(&mut params).unwrap();
        assert_eq!(
            params.biz_params()["extend_params"],
            json!({"hb_fq_num": "3", "hb_fq_seller_percent": "0"})
        );
    }
}
