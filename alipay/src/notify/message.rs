//! Message-service notifications (消息服务): a form with `msg_method`, a JSON `biz_content`,
//! `utc_timestamp` and `version`, verified like every other notification.

use serde::de::DeserializeOwned;

use super::NotifyError;
use crate::fund::payouts::FundTransOrderChanged;

/// A message-service notification (`msg_method=…`), read with
/// [`Notification::kind`](super::Notification::kind). `biz_content` is JSON whose shape
/// depends on `msg_method`: [`body`](Self::body) types the messages this crate knows, and
/// [`parse_body`](Self::parse_body) reads any into your own type.
///
/// ```
/// # fn run(client: &alipay::Client, body: &[u8]) -> Result<(), alipay::Error> {
/// use alipay::notify::{Kind, MessageBody};
///
/// if let Kind::Message(message) = client.verify_notification(body)?.kind()? {
///     match message.body()? {
///         MessageBody::AppAuthCancelled(cancelled) => {
///             println!("merchant {:?} withdrew its authorisation", cancelled.detail.user_id)
///         }
///         other => println!("{}: {:?}", message.msg_method, other),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageNotification {
    /// The message's method, e.g. `alipay.open.auth.appauth.cancelled`.
    pub msg_method: String,
    /// The message, parsed from the `biz_content` JSON text.
    pub biz_content: serde_json::Value,
    /// When it was sent, in milliseconds since the Unix epoch (as text).
    pub utc_timestamp: Option<String>,
    /// The message format's version, e.g. `1.1`.
    pub version: Option<String>,
    /// The notification's id.
    pub notify_id: Option<String>,
    /// The app it is for.
    pub app_id: Option<String>,
}

impl MessageNotification {
    /// Reads `biz_content` into a type.
    pub fn parse_body<T: DeserializeOwned>(&self) -> Result<T, NotifyError> {
        T::deserialize(&self.biz_content).map_err(|e| NotifyError::Fields(e.to_string()))
    }

    /// The message typed by `msg_method`; [`MessageBody::Other`] for methods this crate does
    /// not type (read them with [`parse_body`](Self::parse_body)).
    pub fn body(&self) -> Result<MessageBody, NotifyError> {
        Ok(match self.msg_method.as_str() {
            AppAuthCancelled::MSG_METHOD => MessageBody::AppAuthCancelled(self.parse_body()?),
            FundTransOrderChanged::MSG_METHOD => {
                MessageBody::FundTransOrderChanged(self.parse_body()?)
            }
            _ => MessageBody::Other(self.biz_content.clone()),
        })
    }
}

/// A message's body, typed by its `msg_method`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageBody {
    /// `alipay.open.auth.appauth.cancelled`: a merchant withdrew an ISV's authorisation.
    AppAuthCancelled(AppAuthCancelled),
    /// `alipay.fund.trans.order.changed`: a transfer (payout) changed state.
    FundTransOrderChanged(FundTransOrderChanged),
    /// A message this crate does not type: its `biz_content` JSON.
    Other(serde_json::Value),
}

/// `alipay.open.auth.appauth.cancelled` (第三方应用授权取消消息): a merchant withdrew the
/// authorisation it gave an ISV's app; the `app_auth_token` no longer works.
///
/// <https://docs.open.alipay.com/msgapi_54/alipay.open.auth.appauth.cancelled/>
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct AppAuthCancelled {
    /// When it happened, in milliseconds since the Unix epoch.
    pub biz_time: Option<i64>,
    /// Who withdrew which authorisation.
    pub detail: AppAuthCancelledDetail,
}

impl AppAuthCancelled {
    /// The message's `msg_method`.
    pub const MSG_METHOD: &'static str = "alipay.open.auth.appauth.cancelled";
}

/// The `detail` of [`AppAuthCancelled`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct AppAuthCancelledDetail {
    /// The merchant's app that had authorised the ISV's.
    pub auth_app_id: Option<String>,
    /// The ISV's app.
    pub app_id: Option<String>,
    /// The merchant's Alipay user id.
    pub user_id: Option<String>,
    /// When the authorisation was given, in milliseconds since the Unix epoch.
    pub auth_time: Option<i64>,
}
