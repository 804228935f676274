//! Computer website payment (电脑网站支付): the buyer pays on Alipay's cashier page in a desktop
//! browser, then comes back to the merchant's `return_url`.
//!
//! The request is rendered locally into an auto-submitting HTML form
//! ([`Render::page_form`](crate::Render::page_form)) or a GET URL
//! ([`Render::page_url`](crate::Render::page_url)); nothing is sent by the server. The outcome
//! arrives as the asynchronous notification (see
//! [`Client::verify_notification`](crate::Client::verify_notification)) and as signed
//! parameters on the return URL.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::page::TradePagePay;
//!
//! # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let form = client
//!     .render(
//!         TradePagePay::builder()
//!             .out_trade_no("PC20261126001")
//!             .total_amount(Amount::new("88.80")?)
//!             .subject("Iced tea")
//!             .return_url("https://m.example/paid")
//!             .build(),
//!     )
//!     .page_form()?;
//! // Answer the buyer's browser with `form` as an HTML page.
//! # let _ = form;
//! # Ok(()) }
//! ```

use crate::Amount;

/// `alipay.trade.page.pay` with `product_code=FAST_INSTANT_TRADE_PAY` (Easy SDK `Page.pay`).
/// Rendered locally with [`Client::render`](crate::Client::render); it cannot be sent.
///
/// <https://opendocs.alipay.com/open/028r8t>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::page::TradePagePay;
/// # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let request = TradePagePay::builder()
///     .out_trade_no("PC1")
///     .total_amount(Amount::new("0.10")?)
///     .subject("iPhone6 16G")
///     .return_url("https://m.example/paid")
///     .build();
/// let html = client.render(request).async_notify("https://m.example/notify").page_form()?;
/// # let _ = html;
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.page.pay")]
#[alipay(
    method = "alipay.trade.page.pay",
    local,
    fixed_biz(product_code = "FAST_INSTANT_TRADE_PAY")
)]
#[must_use]
#[non_exhaustive]
pub struct TradePagePay {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// Where the buyer's browser goes after paying (a top-level text parameter).
    #[alipay(text)]
    pub return_url: Option<String>,
    /// The order description.
    pub body: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
    /// The absolute deadline to pay, `yyyy-MM-dd HH:mm:ss` (Beijing time).
    pub time_expire: Option<String>,
    /// How the QR code is shown in the page: `0`–`4` (see Alipay's `qr_pay_mode`).
    pub qr_pay_mode: Option<String>,
    /// The QR code's width in pixels, for `qr_pay_mode = 4`.
    pub qrcode_width: Option<u32>,
    /// The merchant's store id.
    pub store_id: Option<String>,
}
