//! Asynchronous notifications (异步通知): Alipay POSTs a signed form to the `notify_url` when a
//! trade changes state; the merchant verifies it and answers `success`.
//!
//! Verify from the raw body with [`Client::verify_notification`](crate::Client::verify_notification)
//! (or [`verify_body`] without a client), then read the typed fields with
//! [`Notification::parse`] into [`TradeNotification`] or your own type. Alipay repeats a
//! notification until it gets `success`, and `TRADE_FINISHED` can follow `TRADE_SUCCESS`: handle
//! them idempotently, keyed by `notify_id` or by trade and status.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::amount::Amount;
use crate::crypto::Verifier;
use crate::error::VerifyError;
use crate::payment::common::TradeStatus;
use crate::sign::{self, FormError};

/// The answer the merchant's endpoint must send once it has handled a notification.
pub const ACK: &str = "success";

/// Why a notification was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The body is not a well-formed form (bad escapes, non-UTF-8 text, duplicated keys).
    #[error("malformed notification body: {0}")]
    Form(#[from] FormError),
    /// There is no `sign` parameter.
    #[error("the notification has no `sign` parameter")]
    MissingSign,
    /// The signature does not verify: the notification is forged, altered, or the wrong Alipay
    /// public key is configured.
    #[error("the notification's signature does not verify: {0}")]
    Verify(#[from] VerifyError),
    /// The notification verified but its fields do not fit the requested type.
    #[error("the notification's fields do not fit the type: {0}")]
    Fields(String),
}

/// A notification whose signature has been verified. Holds every parameter received (including
/// `sign` and `sign_type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    params: BTreeMap<String, String>,
}

impl Notification {
    /// A parameter's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// Every parameter, sorted by key.
    pub fn params(&self) -> &BTreeMap<String, String> {
        &self.params
    }

    /// Reads the parameters into a type, e.g. [`TradeNotification`]. Amount fields use
    /// [`Amount`], which keeps the exact text.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, NotifyError> {
        let object = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|e| NotifyError::Fields(e.to_string()))
    }

    /// Reads the notification as a trade status notification.
    pub fn trade(&self) -> Result<TradeNotification, NotifyError> {
        self.parse()
    }
}

/// Verifies a notification from its raw `application/x-www-form-urlencoded` body: decoded once,
/// empty values kept, `sign` and `sign_type` left out of the sign content, duplicated keys
/// refused.
pub fn verify_body(body: &[u8], verifier: &dyn Verifier) -> Result<Notification, NotifyError> {
    verify_pairs(sign::form_decode(body)?, verifier)
}

/// Verifies a notification from decoded pairs. Pass every pair received, unchanged; a duplicated
/// key is refused.
pub fn verify_pairs<K, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
    verifier: &dyn Verifier,
) -> Result<Notification, NotifyError>
where
    K: Into<String>,
    V: Into<String>,
{
    let mut params = BTreeMap::new();
    for (key, value) in pairs {
        let key = key.into();
        if params.contains_key(&key) {
            return Err(FormError::DuplicateKey(key).into());
        }
        params.insert(key, value.into());
    }
    let signature = params.get("sign").ok_or(NotifyError::MissingSign)?;
    let content = sign::notify_sign_content(params.iter());
    verifier.verify(content.as_bytes(), signature)?;
    Ok(Notification { params })
}

/// A trade status notification (`notify_type=trade_status_sync`), as sent for payments, refunds
/// and closes.
///
/// Only `TRADE_SUCCESS` and `TRADE_FINISHED` mean the buyer paid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct TradeNotification {
    /// When Alipay sent the notification (`yyyy-MM-dd HH:mm:ss`, Beijing time).
    pub notify_time: String,
    /// The notification type, `trade_status_sync` for trades.
    pub notify_type: String,
    /// The notification's id: the same id is sent again on retries.
    pub notify_id: String,
    /// The app the trade belongs to.
    pub app_id: String,
    /// Alipay's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The trade's status after the change.
    pub trade_status: TradeStatus,
    /// The order amount.
    pub total_amount: Option<Amount>,
    /// What the merchant received.
    pub receipt_amount: Option<Amount>,
    /// What the buyer paid.
    pub buyer_pay_amount: Option<Amount>,
    /// The invoiceable amount.
    pub invoice_amount: Option<Amount>,
    /// Paid with points.
    pub point_amount: Option<Amount>,
    /// The total refunded so far (refund notifications).
    pub refund_fee: Option<Amount>,
    /// The refund request number (refund notifications).
    pub out_biz_no: Option<String>,
    /// The buyer's Alipay user id.
    pub buyer_id: Option<String>,
    /// The buyer's masked login id.
    pub buyer_logon_id: Option<String>,
    /// The seller's Alipay user id.
    pub seller_id: Option<String>,
    /// The order subject.
    pub subject: Option<String>,
    /// When the trade was created.
    pub gmt_create: Option<String>,
    /// When the buyer paid.
    pub gmt_payment: Option<String>,
    /// When the refund happened.
    pub gmt_refund: Option<String>,
    /// When the trade closed.
    pub gmt_close: Option<String>,
    /// The funding channels, as a JSON string.
    pub fund_bill_list: Option<String>,
    /// The merchant's pass-back parameters, as given at creation.
    pub passback_params: Option<String>,
}
