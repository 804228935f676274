//! The framework-independent part of the notification route: the `Content-Type` and character
//! set of the body, verification with a [`NotifyVerifier`], the typed result, the rejection and
//! the `success` answer.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::DeserializeOwned;

use crate::notify::{ACK, NotifyError, TradeNotification};
use crate::response::Charset;
use crate::{Client, Error, Notification};

/// The body of every refusal: anything but `success` makes Alipay deliver the notification
/// again later (8 attempts over about 25 hours).
pub const REFUSED: &str = "fail";

/// What the notification extractor verifies with: one [`Client`], or a set of them keyed by
/// app id ([`Clients`](super::Clients)). Implemented by both; the extractor finds it in the app
/// state.
///
/// ```
/// use alipay::response::Charset;
/// use alipay::web::NotifyVerifier;
///
/// fn check(verifier: &impl NotifyVerifier, body: &[u8]) -> bool {
///     verifier.verify_notification_body(body, Charset::Utf8).is_ok()
/// }
/// ```
pub trait NotifyVerifier: Send + Sync + 'static {
    /// Verifies a notification body in the character set `charset`: its signature, and that it
    /// is for an app this verifier serves.
    fn verify_notification_body(
        &self,
        body: &[u8],
        charset: Charset,
    ) -> Result<Notification, NotificationRejection>;
}

impl NotifyVerifier for Client {
    fn verify_notification_body(
        &self,
        body: &[u8],
        charset: Charset,
    ) -> Result<Notification, NotificationRejection> {
        self.verify_notification_declared(body, charset)
            .map_err(NotificationRejection::Refused)
    }
}

/// A verified notification, read into `T` ([`TradeNotification`] by default; any
/// `DeserializeOwned` type whose fields are strings or [`Amount`](crate::Amount)s, e.g. one
/// of your own for another notification kind, or `BTreeMap<String, String>`).
///
/// As an extractor (features `axum`, `actix-web`) it verifies the request's body with the
/// [`NotifyVerifier`] `V` of the app state: a [`Client`] by default, or
/// [`Clients`](super::Clients) for several apps. It dereferences to `T`.
///
/// ```
/// use alipay::notify::TradeNotification;
/// use alipay::web::{Ack, NotificationRejection, VerifiedNotification};
///
/// fn handle(trade: VerifiedNotification) -> Result<Ack, NotificationRejection> {
///     // Fields of the `TradeNotification`, and every parameter received:
///     let paid = trade.trade_status.is_paid();
///     let seller = trade.notification().get("seller_id");
///     println!("{} paid: {paid} (seller {seller:?})", trade.out_trade_no);
///     Ok(Ack)
/// }
/// ```
pub struct VerifiedNotification<T = TradeNotification, V = Client> {
    notification: Notification,
    data: T,
    verifier: PhantomData<fn() -> V>,
}

impl<T: DeserializeOwned, V: NotifyVerifier> VerifiedNotification<T, V> {
    /// Verifies a notification as the extractors do, for a framework without one: the request's
    /// `Content-Type` must be `application/x-www-form-urlencoded` (any case, with parameters);
    /// the body is read in the character set of its own `charset` parameter (which is signed),
    /// else of the `Content-Type`'s, else UTF-8; then verified with `verifier` and read into `T`.
    ///
    /// ```
    /// use alipay::web::{NotificationRejection, VerifiedNotification};
    ///
    /// fn route(client: &alipay::Client, content_type: Option<&str>, body: &[u8]) -> (u16, &'static str) {
    ///     match VerifiedNotification::<alipay::notify::TradeNotification>::verify(client, content_type, body) {
    ///         Ok(trade) => {
    ///             println!("{} is {}", trade.out_trade_no, trade.trade_status);
    ///             (200, alipay::notify::ACK)
    ///         }
    ///         Err(refused) => (refused.status(), alipay::web::REFUSED),
    ///     }
    /// }
    /// ```
    pub fn verify(
        verifier: &V,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, NotificationRejection> {
        check_content_type(content_type)?;
        let charset = charset_of(content_type, body)?;
        let notification = verifier.verify_notification_body(body, charset)?;
        let data = notification
            .parse()
            .map_err(NotificationRejection::Fields)?;
        Ok(Self {
            notification,
            data,
            verifier: PhantomData,
        })
    }
}

impl<T, V> VerifiedNotification<T, V> {
    /// The notification read into `T`.
    ///
    /// ```
    /// # fn f(trade: alipay::web::VerifiedNotification) {
    /// let out_trade_no: &str = &trade.data().out_trade_no;
    /// # }
    /// ```
    pub fn data(&self) -> &T {
        &self.data
    }

    /// Every parameter received, verified (`sign` and `sign_type` included).
    ///
    /// ```
    /// # fn f(trade: alipay::web::VerifiedNotification) {
    /// let notify_id = trade.notification().get("notify_id");
    /// # }
    /// ```
    pub fn notification(&self) -> &Notification {
        &self.notification
    }

    /// The notification read into `T`, by value.
    ///
    /// ```
    /// # fn f(trade: alipay::web::VerifiedNotification) {
    /// let trade: alipay::notify::TradeNotification = trade.into_data();
    /// # }
    /// ```
    pub fn into_data(self) -> T {
        self.data
    }

    /// The parameters and the typed notification.
    ///
    /// ```
    /// # fn f(trade: alipay::web::VerifiedNotification) {
    /// let (params, trade) = trade.into_parts();
    /// # }
    /// ```
    pub fn into_parts(self) -> (Notification, T) {
        (self.notification, self.data)
    }
}

impl<T, V> Deref for VerifiedNotification<T, V> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T: fmt::Debug, V> fmt::Debug for VerifiedNotification<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedNotification")
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}

/// Why the notification route refused a request. As a response (axum `IntoResponse`, actix-web
/// `ResponseError`) it answers [`REFUSED`] (`fail`, `text/plain`) with [`status`](Self::status),
/// so Alipay delivers the notification again, and logs the reason with `tracing` (target
/// `alipay::web`, level `warn`).
///
/// A handler returns it too: `?` on a [`NotifyError`] (e.g. from
/// [`TradeNotification::check_order`]) makes a [`Refused`](Self::Refused), and
/// [`NotificationRejection::internal`] says that the service could not handle the notification
/// now (e.g. the order store is down).
///
/// ```
/// use alipay::web::NotificationRejection;
///
/// let refused = NotificationRejection::internal("the order database is unreachable");
/// assert_eq!(refused.status(), 500);
/// assert_eq!(
///     refused.to_string(),
///     "the notification could not be handled: the order database is unreachable"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationRejection {
    /// The request is not a form: its `Content-Type` is not
    /// `application/x-www-form-urlencoded` (HTTP 415).
    #[error("the notification's Content-Type is `{0}`, not `application/x-www-form-urlencoded`")]
    ContentType(String),
    /// The body's `charset` parameter (or the `Content-Type`'s) names a character set Alipay
    /// does not use: neither UTF-8 nor GBK (HTTP 415).
    #[error("the notification's charset `{0}` is neither UTF-8 nor GBK")]
    Charset(String),
    /// The framework could not read the body (too large, cut off; its status, e.g. 413).
    #[error("the notification's body could not be read: {reason}")]
    Body {
        /// The HTTP status the framework gave.
        status: u16,
        /// The framework's reason.
        reason: String,
    },
    /// The notification names an app the [`Clients`](super::Clients) do not hold (HTTP 400).
    #[error("no client serves the notification's app `{0}`")]
    UnknownApp(String),
    /// The notification is malformed, forged, tampered with, for another app, ambiguous, or
    /// not the merchant's order (HTTP 400).
    #[error("the notification was refused")]
    Refused(#[source] Error),
    /// The notification verified but does not fit the handler's type (HTTP 500: the service's
    /// type is at fault, and Alipay will retry once it is fixed).
    #[error("the verified notification does not fit the handler's type")]
    Fields(#[source] NotifyError),
    /// The app state holds no verifier (actix-web: no `web::Data<V>`), HTTP 500.
    #[error("the app state holds no `{0}` to verify notifications with")]
    NoVerifier(&'static str),
    /// The handler could not handle the notification now (HTTP 500), e.g. the order could not
    /// be stored: Alipay will deliver it again.
    #[error("the notification could not be handled: {0}")]
    Internal(String),
}

impl NotificationRejection {
    /// The handler could not handle the notification now ([`Internal`](Self::Internal)).
    pub fn internal(reason: impl Into<String>) -> Self {
        Self::Internal(reason.into())
    }

    /// The HTTP status of the answer: 4xx for what the request got wrong, 5xx for what the
    /// service did.
    ///
    /// ```
    /// let refused = alipay::web::NotificationRejection::UnknownApp("2021000000000000".into());
    /// assert_eq!(refused.status(), 400);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Self::ContentType(_) | Self::Charset(_) => 415,
            Self::Body { status, .. } => *status,
            Self::UnknownApp(_) | Self::Refused(_) => 400,
            Self::Fields(_) | Self::NoVerifier(_) | Self::Internal(_) => 500,
        }
    }

    /// Logs the refusal; called when the answer is built.
    pub(crate) fn log(&self) {
        tracing::warn!(
            target: "alipay::web",
            status = self.status(),
            reason = %crate::error::Report::new(self),
            "refused an Alipay notification, answering `fail`"
        );
    }
}

impl From<NotifyError> for NotificationRejection {
    fn from(error: NotifyError) -> Self {
        Self::Refused(error.into())
    }
}

/// The answer to a handled notification: HTTP 200 with the body `success` (`text/plain`),
/// after which Alipay stops delivering it. Return it only once the notification is durably
/// handled (the order stored).
///
/// ```
/// assert_eq!(alipay::web::Ack.body(), "success");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ack;

impl Ack {
    /// The body, [`ACK`] (`success`).
    pub fn body(self) -> &'static str {
        ACK
    }
}

/// Refuses a `Content-Type` that is not a form.
fn check_content_type(content_type: Option<&str>) -> Result<(), NotificationRejection> {
    let value = content_type.unwrap_or("");
    let essence = value.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(())
    } else if value.is_empty() {
        Err(NotificationRejection::ContentType("(none)".to_owned()))
    } else {
        Err(NotificationRejection::ContentType(value.to_owned()))
    }
}

/// The character set of a notification body: its own `charset` parameter (signed, and ASCII
/// whatever the character set), else the `Content-Type`'s `charset`, else UTF-8.
fn charset_of(content_type: Option<&str>, body: &[u8]) -> Result<Charset, NotificationRejection> {
    let from_body = body
        .split(|&b| b == b'&')
        .find_map(|pair| pair.strip_prefix(b"charset="))
        .map(|value| String::from_utf8_lossy(value).into_owned());
    let from_header = || {
        content_type?.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_owned())
        })
    };
    let Some(name) = from_body.or_else(from_header) else {
        return Ok(Charset::Utf8);
    };
    Charset::from_content_type(&format!("; charset={name}"))
        .ok_or(NotificationRejection::Charset(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_charset_is_the_bodys_then_the_headers() {
        let form = Some("application/x-www-form-urlencoded; charset=utf-8");
        assert_eq!(
            charset_of(form, b"a=1&charset=GBK").ok(),
            Some(Charset::Gbk)
        );
        assert_eq!(charset_of(form, b"a=1").ok(), Some(Charset::Utf8));
        let gbk = Some("application/x-www-form-urlencoded; charset=\"GB2312\"");
        assert_eq!(charset_of(gbk, b"a=1").ok(), Some(Charset::Gbk));
        assert_eq!(charset_of(None, b"a=1").ok(), Some(Charset::Utf8));
        assert!(matches!(
            charset_of(form, b"charset=latin1"),
            Err(NotificationRejection::Charset(name)) if name == "latin1"
        ));
    }

    #[test]
    fn only_forms_are_read() {
        assert!(check_content_type(Some("Application/X-WWW-Form-Urlencoded;charset=GBK")).is_ok());
        for refused in [None, Some("application/json"), Some("text/plain")] {
            let error = check_content_type(refused).expect_err("refused");
            assert_eq!(error.status(), 415, "{refused:?}");
        }
    }
}
