//! App payment (App支付): the merchant's server signs an order string, the merchant's mobile app
//! hands it to the Alipay SDK, and the buyer pays in the Alipay app.
//!
//! The request is rendered locally with [`Render::order_string`](crate::Render::order_string);
//! nothing is sent by the server.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::app::TradeAppPay;
//!
//! # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let order_string = client
//!     .render(
//!         TradeAppPay::builder()
//!             .out_trade_no("APP20261126001")
//!             .total_amount(Amount::new("88.80")?)
//!             .subject("Iced tea")
//!             .build(),
//!     )
//!     .async_notify("https://m.example/notify")
//!     .order_string()?;
//! // Return `order_string` to the mobile app.
//! # let _ = order_string;
//! # Ok(()) }
//! ```

use crate::Amount;

/// `alipay.trade.app.pay` (Easy SDK `App.pay`): rendered locally as a signed order string with
/// [`Client::render`](crate::Client::render); it cannot be sent.
///
/// <https://opendocs.alipay.com/open/02e7gq>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::app::TradeAppPay;
/// # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let order_string = client
///     .render(
///         TradeAppPay::builder()
///             .out_trade_no("APP1")
///             .total_amount(Amount::new("0.10")?)
///             .subject("iPhone6 16G")
///             .build(),
///     )
///     .order_string()?;
/// # let _ = order_string;
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.app.pay")]
#[alipay(method = "alipay.trade.app.pay", local)]
#[must_use]
#[non_exhaustive]
pub struct TradeAppPay {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// The order description.
    pub body: Option<String>,
    /// The product code agreed with Alipay (Alipay's default, `QUICK_MSECURITY_PAY`, when not
    /// set).
    pub product_code: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
    /// The absolute deadline to pay, `yyyy-MM-dd HH:mm:ss` (Beijing time).
    pub time_expire: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
}
