//! In a web service: the notification route and the page pay response for axum (feature `axum`)
//! and actix-web (feature `actix-web`).
//!
//! - [`VerifiedNotification`] is an extractor: it takes the raw body of Alipay's asynchronous
//!   notification (异步通知, `application/x-www-form-urlencoded`, UTF-8 or GBK as the app
//!   declared), verifies it with the [`Client`](crate::Client) of the app state (axum:
//!   `Client: FromRef<S>`; actix-web: `web::Data<Client>`) and hands the handler the verified
//!   notification read into a type, [`TradeNotification`](crate::notify::TradeNotification) by
//!   default.
//! - A refused notification answers [`NotificationRejection`]: `fail` with a 4xx (forged,
//!   tampered, for another app, malformed) or a 5xx (the service's own fault), which makes
//!   Alipay deliver it again later, and logs why (`tracing`, target `alipay::web`, level
//!   `warn`; no key or signature is logged).
//! - [`Ack`] answers `success`: return it only once the notification is handled (the order
//!   stored), since Alipay stops retrying then.
//! - [`PageForm`] answers the page (or WAP) pay form as `text/html; charset=utf-8`.
//! - [`Clients`]: for an ISV (服务商) serving several apps from one route, the clients keyed by
//!   `app_id`; the extractor picks the one the notification names
//!   (`VerifiedNotification<TradeNotification, Clients>`).
//!
//! Other frameworks can call [`VerifiedNotification::verify`] with the `Content-Type` header
//! and the raw body.
//!
//! What verification does not prove (that the trade is the merchant's order, of that amount) is
//! still the handler's to check: see [`TradeNotification::check_order`] and
//! [the `notify` module](crate::notify#what-verification-does-not-prove). Alipay delivers a
//! notification again until it gets `success`: handle it idempotently, keyed by `notify_id` or
//! by `out_trade_no` and status.
//!
//! The notification route with axum (the state is a `Client`, or any state with
//! `impl FromRef<AppState> for Client`):
//!
//! ```
//! # #[cfg(feature = "axum")]
//! # mod shop {
//! use alipay::web::{Ack, NotificationRejection, VerifiedNotification};
//!
//! /// `POST /alipay/notify`, routed with
//! /// `Router::new().route("/alipay/notify", post(notify)).with_state(client)`.
//! pub async fn notify(trade: VerifiedNotification) -> Result<Ack, NotificationRejection> {
//!     // Look the order up by `trade.out_trade_no`, check it with `trade.check_order(..)`,
//!     // store the payment (once per `notify_id`), then:
//!     println!("{} is {}", trade.out_trade_no, trade.trade_status);
//!     Ok(Ack)
//! }
//! # }
//! ```
//!
//! The same with actix-web (`App::new().app_data(web::Data::new(client))`):
//!
//! ```
//! # #[cfg(feature = "actix-web")]
//! # mod shop {
//! use actix_web::{App, web};
//! use alipay::web::{Ack, VerifiedNotification};
//!
//! async fn notify(trade: VerifiedNotification) -> Ack {
//!     println!("{} is {}", trade.out_trade_no, trade.trade_status);
//!     Ack
//! }
//!
//! pub fn app(
//!     client: alipay::Client,
//! ) -> App<
//!     impl actix_web::dev::ServiceFactory<
//!         actix_web::dev::ServiceRequest,
//!         Config = (),
//!         Response = actix_web::dev::ServiceResponse,
//!         Error = actix_web::Error,
//!         InitError = (),
//!     >,
//! > {
//!     App::new()
//!         .app_data(web::Data::new(client))
//!         .route("/alipay/notify", web::post().to(notify))
//! }
//! # }
//! ```
//!
//! [`TradeNotification::check_order`]: crate::notify::TradeNotification::check_order

#[cfg(feature = "actix-web")]
mod actix;
#[cfg(feature = "axum")]
mod axum;
mod clients;
mod notification;
mod page;

pub use clients::Clients;
pub use notification::{Ack, NotificationRejection, NotifyVerifier, REFUSED, VerifiedNotification};
pub use page::PageForm;
