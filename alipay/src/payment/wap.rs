//! Mobile website payment (手机网站支付): the buyer pays on Alipay's mobile cashier page (or in
//! the Alipay app it opens), then comes back to `return_url`; `quit_url` is where a buyer who
//! gives up returns.
//!
//! Rendered locally, like [page pay](super::page): an HTML form
//! ([`Render::page_form`](crate::Render::page_form)) or a GET URL
//! ([`Render::page_url`](crate::Render::page_url)).
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::wap::TradeWapPay;
//!
//! # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let form = client
//!     .render(
//!         TradeWapPay::builder()
//!             .out_trade_no("WAP20261126001")
//!             .total_amount(Amount::new("88.80")?)
//!             .subject("Iced tea")
//!             .quit_url("https://m.example/cart")
//!             .return_url("https://m.example/paid")
//!             .build(),
//!     )
//!     .page_form()?;
//! # let _ = form;
//! # Ok(()) }
//! ```

use crate::Amount;

/// `alipay.trade.wap.pay` with `product_code=QUICK_WAP_WAY` (Easy SDK `Wap.pay`). Rendered
/// locally with [`Client::render`](crate::Client::render); it cannot be sent.
///
/// <https://opendocs.alipay.com/open/02ivbs>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::wap::TradeWapPay;
/// # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let url = client
///     .render(
///         TradeWapPay::builder()
///             .out_trade_no("WAP1")
///             .total_amount(Amount::new("0.10")?)
///             .subject("iPhone6 16G")
///             .quit_url("https://m.example/quit")
///             .return_url("https://m.example/paid")
///             .build(),
///     )
///     .page_url()?;
/// # let _ = url;
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.wap.pay")]
#[alipay(
    method = "alipay.trade.wap.pay",
    local,
    fixed_biz(product_code = "QUICK_WAP_WAY")
)]
#[must_use]
#[non_exhaustive]
pub struct TradeWapPay {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// Where a buyer who leaves the payment halfway goes (a `biz_content` field).
    pub quit_url: Option<String>,
    /// Where the buyer's browser goes after paying (a top-level text parameter).
    #[alipay(text)]
    pub return_url: Option<String>,
    /// The order description.
    pub body: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
    /// The absolute deadline to pay, `yyyy-MM-dd HH:mm:ss` (Beijing time).
    pub time_expire: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
}
