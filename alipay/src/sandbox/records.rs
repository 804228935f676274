//! The public record types: what the sandbox hands out (apps) and what it lets a test look at
//! (trades, notification attempts, received requests, uploads, messages, certifications).

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;

use crate::Amount;
use crate::crypto::{PrivateKey, PublicKey};

#[cfg(doc)]
use super::{Sandbox, SandboxBuilder};

/// An app registered with [`Sandbox::create_app`]: its id and key pair.
#[derive(Debug, Clone)]
pub struct SandboxApp {
    /// The app id, 16 digits (e.g. `2021000000000001`).
    pub app_id: String,
    /// The app's private key, to configure the client with (its `Debug` is redacted).
    pub private_key: PrivateKey,
    /// The app's public key, registered with the sandbox.
    pub public_key: PublicKey,
}

/// One refund of a trade.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct RefundSnapshot {
    /// The refund request number (the trade's `out_trade_no` when the request had none).
    pub out_request_no: String,
    /// The amount refunded by this request.
    pub refund_amount: Amount,
    /// When the refund was made (Beijing time).
    pub gmt_refund_pay: String,
}

/// A trade as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TradeSnapshot {
    /// The app the trade belongs to.
    pub app_id: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Alipay's trade number (28 digits).
    pub trade_no: String,
    /// `WAIT_BUYER_PAY`, `TRADE_SUCCESS`, `TRADE_CLOSED` or `TRADE_FINISHED`.
    pub status: String,
    /// The trade's amount, as the merchant wrote it.
    pub total_amount: Amount,
    /// The amount refunded so far, in cents.
    pub refunded_cents: u64,
    /// The `notify_url` of the `alipay.trade.create` request, if any.
    pub notify_url: Option<String>,
    /// The trade's subject.
    pub subject: String,
    /// The buyer's user id: the one given at creation, or the sandbox buyer once paid.
    pub buyer_id: Option<String>,
    /// The buyer's masked login, once paid (`tes***@sandbox.com`).
    pub buyer_logon_id: Option<String>,
    /// When the trade was created (Beijing time, `yyyy-MM-dd HH:mm:ss`).
    pub gmt_create: String,
    /// When the buyer paid, if they did.
    pub gmt_payment: Option<String>,
    /// The refunds made with `alipay.trade.refund`, oldest first.
    pub refunds: Vec<RefundSnapshot>,
    /// The `product_code` of the creating request (`FAST_INSTANT_TRADE_PAY` for page pay,
    /// `QUICK_WAP_WAY` for WAP pay, `FACE_TO_FACE_PAYMENT` for face to face), if known.
    pub product_code: Option<String>,
    /// The `return_url` of a page or WAP pay request.
    pub return_url: Option<String>,
    /// Huabei: the number of instalments (`extend_params.hb_fq_num`: 3, 6 or 12).
    pub hb_fq_num: Option<String>,
    /// Huabei: the share of the fee the seller bears (`extend_params.hb_fq_seller_percent`: 0 or
    /// 100).
    pub hb_fq_seller_percent: Option<String>,
    /// Whether the trade was created with `extend_params.royalty_freeze=true`, so that it can
    /// be settled (`alipay.trade.order.settle`).
    pub royalty_freeze: bool,
}

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotificationKind {
    /// The buyer paid (`trade_status` `TRADE_SUCCESS`).
    Payment,
    /// A refund was made: `refund_fee`, `gmt_refund` and `out_biz_no` are set, and
    /// `trade_status` is `TRADE_CLOSED` (with `gmt_close`) once the trade is refunded in full.
    Refund,
    /// The unpaid trade was closed (`TRADE_CLOSED`, `gmt_close`).
    Close,
    /// A debit agreement was signed (`notify_type=dut_user_sign`, `status=NORMAL`).
    AgreementSigned,
    /// A debit agreement was cancelled (`notify_type=dut_user_unsign`, `status=UNSIGN`).
    AgreementUnsigned,
    /// A message-service message (`msg_method`, JSON `biz_content`).
    Message,
    /// A transfer changed state: the `alipay.fund.trans.order.changed` message notification
    /// (`msg_method`, `biz_content`, `utc_timestamp`, `version`); the record's `out_trade_no`
    /// is the transfer's `out_biz_no`.
    Transfer,
}

/// One attempt to deliver a notification.
///
/// A notification is attempted until the merchant answers HTTP 200 with the body `success`,
/// at most eight times, on Alipay's schedule scaled by
/// [`SandboxBuilder::notify_time_scale`]; every attempt has the same `notify_id` and a fresh
/// `notify_time` and signature.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct NotificationRecord {
    /// The app of the trade (or agreement, transfer, message).
    pub app_id: String,
    /// The merchant's number of what is notified: the trade's `out_trade_no`, an agreement's
    /// `external_agreement_no` (or `agreement_no` when it has none), a transfer's `out_biz_no`,
    /// another message's `msg_method`.
    pub out_trade_no: String,
    /// The notification's `notify_id`, the same for every attempt.
    pub notify_id: String,
    /// What the notification tells.
    pub kind: NotificationKind,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// When the attempt was made (Beijing time, the `notify_time` sent).
    pub sent_at: String,
    /// Where it was POSTed.
    pub url: String,
    /// The parameters sent, `sign` included, in the order sent.
    pub params: Vec<(String, String)>,
    /// The form body sent.
    pub body: String,
    /// The HTTP status received, if an answer came.
    pub status: Option<u16>,
    /// The body received, if an answer came.
    pub response_body: Option<String>,
    /// Why no answer came (connection refused, timeout, …).
    pub error: Option<String>,
    /// The wait before the next attempt, when one was scheduled (`None` once acknowledged or
    /// after the last attempt). The attempt does not happen if the sandbox stops first.
    #[serde(rename = "next_attempt_in_ms", serialize_with = "millis")]
    pub next_attempt_in: Option<Duration>,
}

fn millis<S: serde::Serializer>(
    value: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(d) => serializer.serialize_some(&u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        None => serializer.serialize_none(),
    }
}

impl NotificationRecord {
    /// Whether the merchant acknowledged it as Alipay expects: HTTP 200 and the body `success`.
    pub fn acknowledged(&self) -> bool {
        self.status == Some(200)
            && self
                .response_body
                .as_deref()
                .is_some_and(|b| b.trim() == "success")
    }
}

/// One request received by the gateway endpoint.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The HTTP method, `GET` or `POST`.
    pub http_method: String,
    /// The Alipay method (the `method` parameter), if given.
    pub method: Option<String>,
    /// Every top-level parameter except `sign`, from the query string and the form body
    /// (`biz_content` included, as text). Empty when the request could not be decoded.
    pub params: BTreeMap<String, String>,
    /// `biz_content` parsed as JSON, if present and valid JSON.
    pub biz_content: Option<serde_json::Value>,
    /// The request's `Content-Type` header, empty when it had none.
    pub content_type: String,
    /// The file parts of a `multipart/form-data` request, in body order.
    pub files: Vec<ReceivedFile>,
}

/// A file part of a `multipart/form-data` request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedFile {
    /// The part's field name, e.g. `image_content`.
    pub field: String,
    /// The part's `filename`.
    pub filename: String,
    /// The file's bytes.
    pub content: Bytes,
}

/// An image or video uploaded with `alipay.offline.material.image.upload`, served at
/// `GET /images/<image_id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredImage {
    /// The app that uploaded it.
    pub app_id: String,
    /// The id answered (`image_id`).
    pub image_id: String,
    /// The URL answered (`image_url`).
    pub image_url: String,
    /// The `image_name` text parameter.
    pub image_name: String,
    /// The `image_type` text parameter, lower-cased (`jpg`, `jpeg`, `png`, `gif`, `bmp`, `mp4`).
    pub image_type: String,
    /// The file part's `filename`.
    pub filename: String,
    /// The file's bytes.
    pub content: Bytes,
}

/// A message sent through the sandbox: a life account (生活号) message (group send or single
/// template message) or a mini program template message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SentMessage {
    /// The app that sent it.
    pub app_id: String,
    /// The Alipay method that sent it, e.g. `alipay.open.public.message.total.send`.
    pub method: String,
    /// The `message_id` answered (group sends only; what `alipay.open.public.life.msg.recall`
    /// takes).
    pub message_id: Option<String>,
    /// `msg_type` of a group send: `text` or `image-text`.
    pub msg_type: Option<String>,
    /// The receiver of a single message (`to_user_id`).
    pub to_user_id: Option<String>,
    /// The whole `biz_content` of the request.
    pub biz_content: serde_json::Value,
    /// Whether it was recalled.
    pub recalled: bool,
}

/// An identity certification (`alipay.user.certify.open.initialize`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificationSnapshot {
    /// The app that initialised it.
    pub app_id: String,
    /// The id answered (`certify_id`).
    pub certify_id: String,
    /// The merchant's `outer_order_no`.
    pub outer_order_no: String,
    /// The scene, e.g. `FACE`.
    pub biz_code: String,
    /// `identity_param.cert_name`.
    pub cert_name: String,
    /// `identity_param.cert_no`.
    pub cert_no: String,
    /// `merchant_config.return_url`, if any.
    pub return_url: Option<String>,
    /// `None` until the user certifies, then whether they passed.
    pub passed: Option<bool>,
}
