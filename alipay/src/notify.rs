//! Asynchronous notifications (异步通知): Alipay POSTs a signed form to the `notify_url` when a
//! trade changes state; the merchant verifies it and answers `success`.
//!
//! Verify from the raw body with [`Client::verify_notification`](crate::Client::verify_notification)
//! (or [`verify_body`] without a client), then read what it tells with [`Notification::kind`]
//! (a [`Kind`]: trade status, agreement signed or unsigned, message-service message, or other),
//! or with [`Notification::parse`] into [`TradeNotification`] or your own type. Alipay repeats a
//! notification until it gets `success`, and `TRADE_FINISHED` can follow `TRADE_SUCCESS`: handle
//! them idempotently, keyed by `notify_id` or by trade and status.
//!
//! # What verification does not prove
//!
//! A verified notification was signed by Alipay, and [`Client::verify_notification`] also
//! refuses one for another app ([`NotifyError::WrongApp`]). It does not prove the trade is the
//! merchant's: an attacker can pay a trade of their own, of any amount, and replay its genuine
//! notification to the merchant's endpoint. Before acting on a notification, the merchant must
//! still check that `out_trade_no` is one of their orders, that `total_amount` is that order's
//! amount ([`TradeNotification::check_order`] does both), and that `seller_id` is theirs when
//! they set one.
//!
//! # Ambiguous notifications are refused
//!
//! Alipay's sign content joins `key=value` pairs with `&` and escapes nothing, so a body whose
//! values contain `&…=` can be re-split into other pairs with the same sign content: a genuine
//! `TRADE_CLOSED` notification whose `subject` holds `&trade_status=TRADE_SUCCESS&…` becomes,
//! re-split, a `TRADE_SUCCESS` one that verifies. Any notification in which a key contains `&`
//! or `=`, or a value contains `&` followed by `=` with no other `&` between them, could be
//! read two ways and is refused ([`NotifyError::Ambiguous`]), genuine or not; query the trade
//! (`alipay.trade.query`) for its state instead. A value with `&` alone (`Tom & Jerry`) is
//! fine: without that shape, the pairs are the only split of the sign content.
//!
//! [`Client::verify_notification`]: crate::Client::verify_notification

use std::collections::BTreeMap;

use serde::Deserialize as _;
use serde::de::{DeserializeOwned, Deserializer, Error as _};

use crate::amount::Amount;
use crate::crypto::Verifier;
use crate::error::VerifyError;
use crate::payment::common::{TradeFundBill, TradeStatus};
use crate::payment::face_to_face::VoucherDetail;
use crate::response::Charset;
use crate::time::Timestamp;
use crate::wire::{self, FormError};

mod agreement;
mod message;

pub use self::agreement::AgreementNotification;
pub use self::message::{
    AppAuthCancelled, AppAuthCancelledDetail, MessageBody, MessageNotification,
};

/// The answer the merchant's endpoint must send once it has handled a notification.
pub const ACK: &str = "success";

/// Why a notification was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The body is not a well-formed form (bad escapes, non-UTF-8 text, duplicated keys).
    #[error("malformed notification body")]
    Form(#[from] FormError),
    /// There is no `sign` parameter.
    #[error("the notification has no `sign` parameter")]
    MissingSign,
    /// The signature does not verify: the notification is forged, altered, or the wrong Alipay
    /// public key is configured.
    #[error("the notification's signature does not verify")]
    Verify(#[from] VerifyError),
    /// The notification verified but its fields do not fit the requested type.
    #[error("the notification's fields do not fit the type: {0}")]
    Fields(String),
    /// A key contains `&` or `=`, or a value contains `&` followed by `=` (e.g. a `subject` of
    /// `x&trade_status=TRADE_SUCCESS`): the signed content could be re-split into other pairs
    /// with the same signature, so what the notification says is not certain. Refused whether
    /// or not it verifies; query the trade (`alipay.trade.query`) instead. See the
    /// [module documentation](self).
    #[error(
        "the notification is ambiguous: `{key}` holds `&…=`, so its signed content can be \
         re-split into other parameters with the same signature; query the trade instead"
    )]
    Ambiguous {
        /// The key at fault (the key itself when the key holds `&` or `=`).
        key: String,
    },
    /// The notification verified but a parameter that Alipay sends as JSON in its text
    /// (`fund_bill_list`, `voucher_detail_list` of a [`TradeNotification`]) is not the JSON
    /// list Alipay documents. From [`Notification::trade`] and [`Notification::kind`];
    /// [`Notification::parse`] reports it as [`NotifyError::Fields`], naming the field too.
    #[error("the notification's `{field}` is not the JSON list Alipay documents")]
    FieldJson {
        /// The parameter at fault, e.g. `fund_bill_list`.
        field: &'static str,
        /// Why its text does not decode.
        source: serde_json::Error,
    },
    /// The notification verified but is for another app: its `app_id` is not the client's.
    #[error("the notification is for app `{received}`, not this client's app `{expected}`")]
    WrongApp {
        /// The client's app id.
        expected: String,
        /// The notification's `app_id` (empty when it has none).
        received: String,
    },
    /// No client of a [`Merchants`](crate::isv::Merchants) set has the notification's
    /// `app_id`: it is for an app the receiver does not serve, and was not verified.
    #[error("the notification is for app `{received}`, which has no client here")]
    UnknownApp {
        /// The notification's `app_id` (empty when it has none).
        received: String,
    },
    /// The notification does not match the merchant's own order
    /// ([`TradeNotification::check_order`]): another order, or another amount.
    #[error("the notification's `{field}` is `{received}`, not the order's `{expected}`")]
    OrderMismatch {
        /// `out_trade_no` or `total_amount`.
        field: &'static str,
        /// The merchant's value.
        expected: String,
        /// The notification's value (empty when it has none).
        received: String,
    },
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

    /// Reads the notification as a trade status notification, its JSON-in-text lists
    /// (`fund_bill_list`, `voucher_detail_list`) decoded.
    ///
    /// Errors: [`NotifyError::FieldJson`] naming the list whose text is not the JSON Alipay
    /// documents; [`NotifyError::Fields`] for any other field that does not fit.
    pub fn trade(&self) -> Result<TradeNotification, NotifyError> {
        self.parse().map_err(|error| {
            self.json_list_error::<TradeFundBill>("fund_bill_list")
                .or_else(|| self.json_list_error::<VoucherDetail>("voucher_detail_list"))
                .unwrap_or(error)
        })
    }

    /// The typed error for the JSON-in-text list `field`, when it is present and does not
    /// decode as a list of `T`.
    fn json_list_error<T: DeserializeOwned>(&self, field: &'static str) -> Option<NotifyError> {
        let source = json_list::<T>(self.get(field)?).err()?;
        Some(NotifyError::FieldJson { field, source })
    }

    /// What the notification tells, typed by its family: `notify_type` for the classic
    /// notifications (`trade_status_sync`, `dut_user_sign`, `dut_user_unsign`), `msg_method`
    /// for message-service ones; [`Kind::Other`] for any other. The notification was verified
    /// from its raw body before, whatever its kind.
    ///
    /// Errors: [`NotifyError::Fields`] when a known kind lacks a field it must have (e.g. a
    /// `trade_status_sync` without `trade_no`) or a message's `biz_content` is not JSON;
    /// [`NotifyError::FieldJson`] when a trade's `fund_bill_list` or `voucher_detail_list` is
    /// not JSON.
    ///
    /// ```
    /// # fn run(client: &alipay::Client, body: &[u8]) -> Result<(), alipay::Error> {
    /// use alipay::notify::Kind;
    ///
    /// match client.verify_notification(body)?.kind()? {
    ///     Kind::Trade(trade) => println!("{} is {}", trade.out_trade_no, trade.trade_status),
    ///     Kind::AgreementSigned(signed) => println!("agreement {} signed", signed.agreement_no),
    ///     Kind::AgreementUnsigned(gone) => println!("agreement {} cancelled", gone.agreement_no),
    ///     Kind::Message(message) => println!("message {}", message.msg_method),
    ///     other => println!("not handled: {other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn kind(&self) -> Result<Kind, NotifyError> {
        if let Some(msg_method) = self.get("msg_method") {
            let text = self.get("biz_content").unwrap_or("{}");
            let biz_content = serde_json::from_str(text)
                .map_err(|e| NotifyError::Fields(format!("`biz_content` is not JSON: {e}")))?;
            return Ok(Kind::Message(MessageNotification {
                msg_method: msg_method.to_owned(),
                biz_content,
                utc_timestamp: self.get("utc_timestamp").map(str::to_owned),
                version: self.get("version").map(str::to_owned),
                notify_id: self.get("notify_id").map(str::to_owned),
                app_id: self.get("app_id").map(str::to_owned),
            }));
        }
        Ok(match self.get("notify_type") {
            Some("trade_status_sync") => Kind::Trade(self.trade()?),
            Some("dut_user_sign") => Kind::AgreementSigned(self.parse()?),
            Some("dut_user_unsign") => Kind::AgreementUnsigned(self.parse()?),
            _ => Kind::Other(self.params.clone()),
        })
    }
}

/// What a verified [`Notification`] tells, from [`Notification::kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "made once per notification and matched at once; a boxed trade would make \
              `Kind::Trade(trade)` hand out a `Box` instead of the notification"
)]
pub enum Kind {
    /// `notify_type=trade_status_sync`: a trade was paid, refunded or closed.
    Trade(TradeNotification),
    /// `notify_type=dut_user_sign`: a debit agreement was signed
    /// ([recurring debit](crate::payment::agreement)).
    AgreementSigned(AgreementNotification),
    /// `notify_type=dut_user_unsign`: a debit agreement was cancelled.
    AgreementUnsigned(AgreementNotification),
    /// A message-service notification (`msg_method`, JSON `biz_content`).
    Message(MessageNotification),
    /// Any other notification: its verified parameters, sorted by key.
    Other(BTreeMap<String, String>),
}

/// Verifies a notification from its raw `application/x-www-form-urlencoded` body: decoded once,
/// empty values kept, `sign` and `sign_type` left out of the sign content, duplicated keys and
/// ambiguous content ([`NotifyError::Ambiguous`]) refused. It does not check the `app_id`:
/// [`Client::verify_notification`](crate::Client::verify_notification) does.
///
/// A body that is not a form (JSON, XML) is refused as [`FormError::NotForm`].
pub fn verify_body(body: &[u8], verifier: &dyn Verifier) -> Result<Notification, NotifyError> {
    verify_body_declared(body, Charset::Utf8, verifier)
}

/// [`verify_body`] for a notification in the character set `charset`: the one its app declared
/// (the body's own `charset` parameter), UTF-8 or GBK. The escaped bytes are read as text in
/// that character set, and the signature is checked over the sign content in it, as Alipay
/// signs it.
pub fn verify_body_declared(
    body: &[u8],
    charset: Charset,
    verifier: &dyn Verifier,
) -> Result<Notification, NotifyError> {
    if let Some(what) = not_a_form(body) {
        return Err(FormError::NotForm(what).into());
    }
    verify_decoded(
        wire::form_decode_declared(body, charset)?,
        charset,
        verifier,
    )
}

/// What a body that cannot be a form looks like, judged by its first character.
pub(crate) fn not_a_form(body: &[u8]) -> Option<&'static str> {
    match body.trim_ascii_start().first()? {
        b'{' | b'[' => Some("JSON"),
        b'<' => Some("XML or HTML"),
        _ => None,
    }
}

/// Verifies a notification from decoded pairs. Pass every pair received, unchanged; a duplicated
/// key, or content that could be split another way ([`NotifyError::Ambiguous`]), is refused.
pub fn verify_pairs<K, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
    verifier: &dyn Verifier,
) -> Result<Notification, NotifyError>
where
    K: Into<String>,
    V: Into<String>,
{
    verify_decoded(pairs, Charset::Utf8, verifier)
}

/// The checks of [`verify_pairs`], the sign content encoded in `charset` for the signature.
fn verify_decoded<K, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
    charset: Charset,
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
    if let Some(key) = params
        .iter()
        .find(|(key, value)| key.contains(['&', '=']) || holds_a_pair(value))
        .map(|(key, _)| key)
    {
        return Err(NotifyError::Ambiguous { key: key.clone() });
    }
    let signature = params.get("sign").ok_or(NotifyError::MissingSign)?;
    let content = wire::notify_sign_content(params.iter());
    match charset {
        Charset::Utf8 => verifier.verify(content.as_bytes(), signature)?,
        Charset::Gbk => {
            let (bytes, _, _) = encoding_rs::GBK.encode(&content);
            verifier.verify(&bytes, signature)?;
        }
    }
    Ok(Notification { params })
}

/// Whether `value` contains `&` followed by `=` with no `&` between them: the shape of a
/// `&key=` that a re-split of the sign content would read as a new pair.
fn holds_a_pair(value: &str) -> bool {
    value
        .split('&')
        .skip(1)
        .any(|after_ampersand| after_ampersand.contains('='))
}

/// Checks a notification's `app_id` against the client's.
pub(crate) fn check_app(notification: &Notification, app_id: &str) -> Result<(), NotifyError> {
    match notification.get("app_id") {
        Some(received) if received == app_id => Ok(()),
        received => Err(NotifyError::WrongApp {
            expected: app_id.to_owned(),
            received: received.unwrap_or_default().to_owned(),
        }),
    }
}

/// A trade status notification (`notify_type=trade_status_sync`), as sent for payments, refunds
/// and closes.
///
/// Only `TRADE_SUCCESS` and `TRADE_FINISHED` mean the buyer paid. That the notification verified
/// (and is for this app) does not make the trade the merchant's: check that `out_trade_no` is
/// one of your orders and `total_amount` its amount with [`check_order`](Self::check_order),
/// and `seller_id` when you set one, before shipping anything (see the
/// [module documentation](self)).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct TradeNotification {
    /// When Alipay sent the notification (`yyyy-MM-dd HH:mm:ss`, Beijing time).
    pub notify_time: Timestamp,
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
    pub gmt_create: Option<Timestamp>,
    /// When the buyer paid.
    pub gmt_payment: Option<Timestamp>,
    /// When the refund happened.
    pub gmt_refund: Option<Timestamp>,
    /// When the trade closed.
    pub gmt_close: Option<Timestamp>,
    /// The funding channels: Alipay sends them as JSON in the text (e.g.
    /// `[{"amount":"88.80","fundChannel":"ALIPAYACCOUNT"}]`), decoded here; empty when the
    /// notification has none (or an empty value).
    #[serde(default, deserialize_with = "fund_bill_list")]
    pub fund_bill_list: Vec<TradeFundBill>,
    /// The vouchers used in the payment, sent as JSON in the text like `fund_bill_list`,
    /// decoded; empty when none.
    #[serde(default, deserialize_with = "voucher_detail_list")]
    pub voucher_detail_list: Vec<VoucherDetail>,
    /// The merchant's pass-back parameters, as given at creation.
    pub passback_params: Option<String>,
}

/// Decodes a list Alipay sends as JSON in the text of a notification parameter; an empty value
/// is an empty list.
fn json_list<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, serde_json::Error> {
    if text.is_empty() {
        Ok(Vec::new())
    } else {
        serde_json::from_str(text)
    }
}

/// Reads the JSON-in-text list `field`, the error naming it.
fn json_list_field<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
    field: &str,
) -> Result<Vec<T>, D::Error> {
    let text = String::deserialize(deserializer)?;
    json_list(&text).map_err(|error| {
        D::Error::custom(format_args!(
            "`{field}` is not the JSON list Alipay documents: {error}"
        ))
    })
}

/// `fund_bill_list` of a [`TradeNotification`].
fn fund_bill_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<TradeFundBill>, D::Error> {
    json_list_field(deserializer, "fund_bill_list")
}

/// `voucher_detail_list` of a [`TradeNotification`].
fn voucher_detail_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<VoucherDetail>, D::Error> {
    json_list_field(deserializer, "voucher_detail_list")
}

impl TradeNotification {
    /// Checks the notification against the merchant's own order in one call: `out_trade_no` is
    /// the order's and `total_amount` is the order's amount (compared in cents, so `88.8` and
    /// `88.80` are the same). A genuine notification for another trade (e.g. one an attacker
    /// paid a cent for and replays) fails here with [`NotifyError::OrderMismatch`].
    ///
    /// `seller_id`, when the merchant sets one, is still theirs to compare.
    ///
    /// ```
    /// # fn run(client: &alipay::Client, body: &[u8]) -> Result<(), alipay::Error> {
    /// use alipay::Amount;
    ///
    /// let trade = client.verify_notification(body)?.trade()?;
    /// // The order looked up in the merchant's own database by `trade.out_trade_no`.
    /// let (order_no, order_total) = ("T-1001", Amount::new("88.80").expect("amount"));
    /// trade.check_order(order_no, &order_total)?;
    /// # Ok(()) }
    /// ```
    pub fn check_order(
        &self,
        out_trade_no: &str,
        total_amount: &Amount,
    ) -> Result<(), NotifyError> {
        if self.out_trade_no != out_trade_no {
            return Err(NotifyError::OrderMismatch {
                field: "out_trade_no",
                expected: out_trade_no.to_owned(),
                received: self.out_trade_no.clone(),
            });
        }
        match &self.total_amount {
            Some(amount) if amount.cents() == total_amount.cents() => Ok(()),
            received => Err(NotifyError::OrderMismatch {
                field: "total_amount",
                expected: total_amount.as_str().to_owned(),
                received: received
                    .as_ref()
                    .map(Amount::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_of_a_pair_in_a_value() {
        for value in ["x&trade_status=TRADE_SUCCESS", "a&=b", "a&b c=d", "&k="] {
            assert!(holds_a_pair(value), "{value}");
        }
        for value in ["Tom & Jerry", "a=b", "a&b&c", "a=b&c", "", "&"] {
            assert!(!holds_a_pair(value), "{value}");
        }
    }

    #[test]
    fn an_empty_json_list_is_an_empty_list_and_a_bad_one_an_error() {
        let bills: Vec<TradeFundBill> = json_list("").unwrap();
        assert!(bills.is_empty());
        let bills: Vec<TradeFundBill> = json_list(r#"[{"fundChannel":"PCREDIT"}]"#).unwrap();
        assert_eq!(
            bills[0].fund_channel,
            Some(crate::payment::common::FundChannel::Pcredit)
        );
        assert!(json_list::<TradeFundBill>("PCREDIT").is_err());
        assert!(json_list::<TradeFundBill>("{}").is_err());
    }
}
