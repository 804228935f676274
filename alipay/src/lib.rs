//! # Alipay Open Platform SDK for Rust
//!
//! Typed, async, verified requests to the Alipay Open Platform (支付宝开放平台) gateway, with a
//! local gateway (the `sandbox` module, feature `sandbox`) to develop and test against offline.
//!
//! - Each API is a request struct (e.g. [`payment::common::TradeRefund`]) with a builder whose
//!   required fields are checked at compile time; [`Client::send`] signs it, sends it, verifies
//!   the answer over the exact bytes Alipay sent and parses the typed response from them.
//! - APIs this crate does not ship are one `#[derive(Request)]` away (see [`Request`](derive@Request)),
//!   or implemented by hand ([`request`]).
//! - Requests rendered locally for the payer (page, WAP and app pay) go through
//!   [`Client::render`]; passing them to `send` does not compile.
//! - Notifications are verified from the raw body: [`Client::verify_notification`].
//! - Money is [`Amount`], never a float.
//! - Certificate mode (公钥证书模式): [`ClientBuilder::certificates`] (or [`cert::CertConfig`])
//!   reads the app, Alipay and root certificates; requests carry `app_cert_sn` and
//!   `alipay_root_cert_sn`, answers are verified with the certificate they name, and a rotated
//!   Alipay certificate is downloaded and trusted only if it chains to the root.
//! - Content encryption (`encrypt_type=AES`): see [`encrypt`].
//! - Per-attempt and total deadlines, retries that never repeat a payment that may have reached
//!   Alipay ([`retry`]), a bound on requests in flight, answer size and header limits, TLS always
//!   verified, an `alipay.call` `tracing` span per call and a hook on every raw answer: see
//!   [`ClientBuilder`]. Keys and tokens never appear in `Debug`, errors or logs.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::common::TradeCreate;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .app_id("2021000000000000")
//!     .app_private_key(std::fs::read_to_string("app_private_key.pem")?)
//!     .alipay_public_key(std::fs::read_to_string("alipay_public_key.pem")?)
//!     .build()?;
//! let created = client
//!     .send(
//!         TradeCreate::builder()
//!             .out_trade_no("T1")
//!             .total_amount(Amount::new("88.80")?)
//!             .subject("Iced tea")
//!             .buyer_id("2088000000000000")
//!             .build(),
//!     )
//!     .await?;
//! println!("trade_no = {}", created.trade_no);
//! # Ok(()) }
//! ```
//!
//! The APIs, one module per domain, as the Alipay Easy SDK groups them:
//!
//! | module | APIs |
//! |---|---|
//! | [`base`] | OAuth tokens, mini program QR codes, image and video upload |
//! | [`bill`] | bill download, safe unpacking and typed rows (reconciliation) |
//! | [`fund`] | payouts (transfers, their query and refund, the balance, e-receipts) and pre-authorisation (freeze, pay from a freeze, unfreeze) |
//! | [`isv`] | ISV authorisation: app auth tokens, the app-to-app authorisation URL, one notify URL for many apps |
//! | [`marketing`] | life account messages, passes, mini program template messages |
//! | [`member`] | identity verification |
//! | [`payment`] | common trade calls, Huabei instalments, face to face, page, WAP and app pay, recurring debit |
//! | [`security`] | text risk detection |
//! | [`util`] | AES with the app's key, and the generic call for any other method |
//!
//! Features: `rsa` adds the pure-Rust signing backend ([`Backend::RustCrypto`]); `sandbox` the
//! embedded gateway and the `testkit` for a merchant's own tests; `axum` and `actix-web` the
//! notification extractor and responses of `web`; `cli` the `alipay` command line tool.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[allow(unused_extern_crates)] // lets `::alipay` paths from the derive resolve inside this crate
extern crate self as alipay;

pub mod amount;
pub mod base;
pub mod bill;
pub mod cert;
pub mod client;
pub mod codes;
pub mod crypto;
pub mod encrypt;
pub mod error;
pub mod flag;
pub mod fund;
mod html;
pub mod isv;
mod lenient;
pub mod marketing;
pub mod member;
pub mod notify;
pub mod payment;
mod redact;
pub mod request;
pub mod response;
pub mod retry;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
pub mod security;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod testkit;
pub mod time;
pub mod transport;
pub mod util;
pub mod v3;
#[cfg(any(feature = "axum", feature = "actix-web"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "axum", feature = "actix-web"))))]
pub mod web;
pub mod wire;

pub use amount::{Amount, AmountError};
pub use client::{Call, Client, ClientBuilder, Gateway, Render, ResponseRecord};
pub use crypto::{AsyncSigner, Backend, PrivateKey, PublicKey, Signer, Verifier};
pub use error::{ApiError, BoxError, ConfigError, EncodeError, Error, ResponseError, VerifyError};
pub use notify::{Notification, NotifyError};
pub use retry::RetryPolicy;
pub use v3::Protocol;

/// Derives [`request::Method`] and either [`request::Request`] or [`request::LocalRequest`] for a
/// request struct, plus its builder. `use alipay::Request;` brings both the derive and the
/// trait, as `serde::Serialize` does.
///
/// ```
/// use alipay::request::Method as _;
/// use alipay::{Amount, Request};
///
/// /// The answer node's fields this request needs.
/// #[derive(Debug, serde::Deserialize)]
/// pub struct RefundAnswer {
///     /// The refunded total.
///     pub refund_fee: Amount,
/// }
///
/// /// `alipay.trade.refund`, written by hand.
/// #[derive(Request)]
/// #[alipay(method = "alipay.trade.refund", response = RefundAnswer)]
/// pub struct MyRefund {
///     /// The merchant's order number.
///     pub out_trade_no: String,
///     /// The amount to refund.
///     pub refund_amount: Amount,
///     /// Shown to the payer; left out of `biz_content` when `None`.
///     pub refund_reason: Option<String>,
///     /// Sent as a top-level parameter, not in `biz_content`.
///     #[alipay(text)]
///     pub app_auth_token: Option<String>,
/// }
///
/// let refund = MyRefund::builder()
///     .out_trade_no("20150320010101001")
///     .refund_amount(Amount::new("0.01")?)
///     .build(); // does not compile while a required field is unset
/// assert_eq!(refund.method(), "alipay.trade.refund");
/// # Ok::<(), alipay::AmountError>(())
/// ```
pub use alipay_derive::Request;
pub use request::Request;

#[doc(hidden)]
pub mod __private;
