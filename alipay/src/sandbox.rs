//! A local Alipay gateway to test against offline.
//!
//! [`Sandbox::start`] binds `127.0.0.1` on a free port and answers like `openapi.alipay.com`'s
//! `gateway.do`: it checks the app id, the method, the timestamp and the RSA2 signature in
//! Alipay's order, and answers with the same JSON envelopes, signed with its own "Alipay" key
//! ([`Sandbox::alipay_public_key`]). State (trades, tokens, images, messages, …) lives in memory,
//! or, for apps and trades, in a state file ([`SandboxBuilder::state_file`]).
//!
//! The same gateway runs standalone with `alipay sandbox serve` (feature `cli`), for clients in
//! any language.
//!
//! Requests are read from the query string and an `application/x-www-form-urlencoded` body, or
//! a `multipart/form-data` body (file uploads): its text parts are parameters like the others
//! (signed; a parameter may be both in the query and in a part only with the same value), its
//! file parts are never signed. [`Sandbox::requests`] records every request, files included.
//!
//! # Implemented methods
//!
//! Answers carry `code` and `msg` first, then the fields below; missing or malformed fields are
//! refused with `40002 isv.missing-parameter` / `isv.invalid-parameter`, business refusals with
//! `40004` and Alipay's `sub_code`.
//!
//! | method | what it does |
//! |---|---|
//! | `alipay.trade.create` | a new trade `WAIT_BUYER_PAY` (idempotent while unpaid); Huabei `extend_params` (`hb_fq_num` 3/6/12, `hb_fq_seller_percent` 0/100, else `ACQ.INVALID_PARAMETER`) kept on the trade |
//! | `alipay.trade.query` | the trade's status and amounts |
//! | `alipay.trade.refund` | a (partial) refund of a paid trade, idempotent on `out_request_no` |
//! | `alipay.trade.fastpay.refund.query` | one refund |
//! | `alipay.trade.close` | closes an unpaid trade |
//! | `alipay.trade.cancel` | closes an unpaid trade or refunds a paid one in full |
//! | `alipay.data.dataservice.bill.downloadurl.query` | a URL of a CSV bill served by the sandbox |
//! | `alipay.trade.pay` | face to face, `scene=bar_code`: an `auth_code` of 16 to 24 digits starting with 25 to 30 pays at once (and notifies); any other code is `ACQ.PAYMENT_AUTH_CODE_INVALID` |
//! | `alipay.trade.precreate` | a trade waiting for the buyer; `qr_code` is the URL of a sandbox cashier page |
//! | `alipay.trade.page.pay`, `alipay.trade.wap.pay` | browser flow, see below |
//! | `alipay.system.oauth.token` | `grant_type=authorization_code` with a code of [`Sandbox::issue_auth_code`] (single use, else `isv.code-invalid`), or `grant_type=refresh_token` (the old refresh token is invalidated; unknown: `isv.refresh-token-invalid`); like Alipay, success has no `code`/`msg` |
//! | `alipay.open.app.qrcode.create` | `qr_code_url` of a PNG served at `/qrcode/<id>.png` |
//! | `alipay.offline.material.image.upload` | multipart: `image_type` (jpg, jpeg, png, gif, bmp, mp4) must match the magic bytes of the file part `image_content` (else `40004 INVALID_IMAGE_TYPE`); stored ([`Sandbox::images`]) and served at `/images/<image_id>` |
//! | `alipay.open.public.message.content.create` / `.modify` | life account contents, served at `/life/content/<content_id>`; modifying an unknown one is `PUB.CONTENT_NOT_EXIST` |
//! | `alipay.open.public.message.total.send` | `text` (needs `text.content`) or `image-text` (`articles`, each with `desc` and `url`; the camelCase keys `imageUrl`/`actionName` are refused) → `message_id` |
//! | `alipay.open.public.message.single.send` | a template message (any template id) |
//! | `alipay.open.public.life.msg.recall` | a group message sent by the app, else `PUB.RCD_MSG_NOT_EXIST` |
//! | `alipay.open.public.template.message.industry.modify` | remembers the industry |
//! | `alipay.open.public.setting.category.query` | the industry names last set, or `IT科技` / `IT软件与服务` |
//! | `alipay.pass.template.add` / `.update` | pass templates (`tpl_content` must be a JSON object string); `success: true` and `result` `{"tpl_id","tpl_params"}` as a JSON string; unknown `tpl_id`: `KP.AE_ALIPASS_NOTEXIST` |
//! | `alipay.pass.instance.add` / `.update` | passes; `result` `{"serialNumber","passId"}` (the serial number is `tpl_params.serialNumber` when given) |
//! | `alipay.open.app.mini.templatemessage.send` | a mini program template message (any template id) |
//! | `alipay.user.certify.open.initialize` / `.query` | certifications: `certify_id`, then `passed` `T`/`F` with `identity_info` and `material_info` once passed; unknown ids are `CERTIFY_ID_EXPIRED` |
//! | `alipay.user.certify.open.certify` | browser flow, see below |
//! | `alipay.open.app.alipaycert.download` | certificate mode: `alipay_cert_content`, the base64 of the PEM of any Alipay certificate the sandbox issued, by `alipay_cert_sn` (else `40004 ALIPAY_CERT_NOT_EXIST`) |
//! | `alipay.security.risk.content.detect` | `REJECTED` with the `keywords` found when the content holds `违禁`, `赌博` or `forbidden` (case-insensitive), `PASSED` otherwise |
//!
//! Any other method is `isv.invalid-method`.
//!
//! # Buyers and browsers
//!
//! There is no buyer: a test makes the buyer pay with [`Sandbox::pay`] (or, from another
//! process, `POST /sandbox/pay?app_id=…&out_trade_no=…`). The sandbox then POSTs the signed
//! `trade_status_sync` notification to the trade's `notify_url`, as Alipay does (see
//! [Notifications](#notifications)).
//!
//! The browser flows are real HTTP pages, so a test can drive them with plain requests:
//!
//! * Page and WAP pay: submitting the SDK's form (or GETting the gateway with every parameter in
//!   the query) opens the trade and answers a cashier page (`text/html`) whose form POSTs to
//!   `/sandbox/cashier/<token>/pay`. That pays the trade, delivers the notification, and answers
//!   `302` to the `return_url` with Alipay's synchronous return parameters (`method`
//!   `alipay.trade.page.pay.return` or `alipay.trade.wap.pay.return`, signed like notifications),
//!   or a "paid" page when there is no `return_url`. `GET /sandbox/cashier/<token>` shows the
//!   cashier again.
//! * Certify: GETting the gateway with `alipay.user.certify.open.certify` answers a page whose
//!   forms POST to `/sandbox/certify/<certify_id>?passed=T` (or `F`), which completes the
//!   certification and redirects to `merchant_config.return_url` (or shows a done page).
//! * Errors in these flows are HTML pages (HTTP 200, like Alipay's) showing the `sub_code`,
//!   e.g. `isv.invalid-signature`.
//!
//! The Alipay app's part of `alipay.trade.app.pay` is [`Sandbox::app_pay`], which takes the
//! order string; identity certification can also be completed with
//! [`Sandbox::complete_certification`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use alipay::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await?;
//! let app = sandbox.create_app()?;
//! let client = sandbox.client_builder(&app).build()?;
//! // Create a trade with `client.send(...)`, then:
//! // let paid = sandbox.pay(&app.app_id, "T001").await?;
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Notifications
//!
//! A trade with a `notify_url` is notified (`trade_status_sync`, form-encoded, signed with the
//! Alipay key over every parameter but `sign` and `sign_type`) when:
//!
//! * the buyer pays: `trade_status=TRADE_SUCCESS`, `gmt_payment`;
//! * a refund is made (`alipay.trade.refund`, or `alipay.trade.cancel` of a paid trade):
//!   `refund_fee` (the total refunded so far), `gmt_refund` (`yyyy-MM-dd HH:mm:ss.SSS`) and
//!   `out_biz_no` (the refund request number); `trade_status` becomes `TRADE_CLOSED`, with
//!   `gmt_close`, once the trade is refunded in full. A repeated refund request is not notified;
//! * an unpaid trade is closed (`alipay.trade.close`, `alipay.trade.cancel`):
//!   `trade_status=TRADE_CLOSED`, `gmt_close`.
//!
//! Each notification is delivered by a background task, and retried until the merchant answers
//! HTTP 200 with the body `success`, on Alipay's schedule: 4m, 10m, 10m, 1h, 2h, 6h and 15h
//! between the eight attempts, multiplied by [`SandboxBuilder::notify_time_scale`] (so
//! `0.000_01` runs it in about a second). Every attempt keeps the `notify_id` and carries a
//! fresh `notify_time` and signature. [`Sandbox::notifications`] (or
//! `GET /sandbox/notifications`, JSON) lists every attempt with its outcome. Stopping the
//! sandbox drops the pending retries.
//!
//! The first attempt of a payment notification is made *before* the payment returns (from
//! [`Sandbox::pay`], `POST /sandbox/pay`, the cashier, or `alipay.trade.pay` before its
//! answer), so a test sees it as soon as the call returns; refunds and closes are notified just
//! after their answer.
//!
//! # Fault injection
//!
//! [`Sandbox::inject`] (or [`Sandbox::inject_rule`] for a fault that applies a number of times,
//! [`Sandbox::clear_faults`] to stop) spoils answers of `/gateway.do`, for every method or for
//! one: added latency, an HTTP 5xx with an HTML page, a connection dropped mid-body, truncated
//! JSON, a wrong signature, an unsigned answer, a duplicated node, an oversize body, a business
//! failure encoded in GBK; see [`Fault`]. From another process, `POST /sandbox/faults` takes
//! `{"fault":"reset","method":"alipay.trade.query","times":1}` (`method` and `times`
//! optional; an array of them is accepted too), `GET` lists the rules, `DELETE` removes them.
//!
//! # State file
//!
//! With [`SandboxBuilder::state_file`], the registered apps, the trades and the generated
//! Alipay key are loaded at start and saved after every change, atomically (a temporary file in
//! the same directory, synced, renamed over the old one) and before the change is answered: a
//! crash loses nothing a client saw acknowledged.
//!
//! # Control endpoints
//!
//! Outside `/gateway.do`, for tools in other processes: `POST /sandbox/pay?app_id=…&out_trade_no=…`
//! (the buyer pays), `GET /sandbox/notifications` and `/sandbox/faults` (above).
//!
//! # Certificate mode and content encryption
//!
//! [`Sandbox::create_cert_app`] registers an app in certificate mode (公钥证书模式): the sandbox
//! is its own certificate authority (issued with `rcgen`), requires the app's `app_cert_sn`
//! and the root bundle's `alipay_root_cert_sn` on its requests (`isv.invalid-app-cert-sn`,
//! `isv.invalid-alipay-root-cert-sn`, or `isv.missing-…` when absent; signed in the method's
//! node), and signs for it with the current Alipay certificate, named in `alipay_cert_sn`.
//! [`Sandbox::rotate_alipay_certificate`] issues a new Alipay certificate (new key, same root)
//! and signs with it from then on; [`Sandbox::rotate_alipay_certificate_forged`] does the same
//! with a certificate of another root of the same name, for tests of the client's refusal.
//! [`SandboxBuilder::cert_mode`] issues the root and Alipay certificate at start.
//!
//! An app with an AES key ([`Sandbox::set_app_aes_key`], [`Sandbox::create_app_aes_key`]; cert
//! apps get one) may send `encrypt_type=AES`: `biz_content` is decrypted after the signature is
//! checked (`isv.missing-encrypt-key`, `isv.decryption-error`, `isv.invalid-encrypt-type`
//! otherwise), [`Sandbox::requests`] records the ciphertext in `params` and the decrypted JSON
//! in `biz_content`, and the answer's node is the encrypted JSON, signed over the quoted
//! ciphertext.
//!
//! # Differences from Alipay
//!
//! * Only RSA2 (no SM2 certificates, no SM4 content encryption). Certificates are issued
//!   directly by the sandbox's root (Alipay has an intermediate CA); apps created with
//!   [`Sandbox::create_app`] stay in public key mode and are always signed for with the fixed
//!   key of [`Sandbox::alipay_public_key`].
//! * Notifications of payments are attempted before the paying call returns (see
//!   [Notifications](#notifications)); Alipay sends them shortly after.
//! * Amounts in answers are written with two decimals. Without a state file, state is lost when
//!   the sandbox stops; with one, only apps and trades are kept (not tokens, images, messages,
//!   certifications, certificates, cashier sessions, notification records or faults).
//! * Failures of `alipay.system.oauth.token` are in the method's node (signed), where Alipay
//!   may answer an `error_response`.
//! * Every trade is paid by one sandbox buyer (`2088102177846880`, `tes***@sandbox.com`) unless
//!   the trade names a `buyer_id`. Tokens, images and QR codes never expire; QR code images are
//!   a 1×1 PNG; business rules beyond those listed (quotas, content review, template ids) are
//!   not checked.
//! * Files are limited only by the 4 MiB body limit (larger bodies are refused with HTTP 413).
//! * The cashier, certify and control endpoints (`/sandbox/…`) do not exist at Alipay.

mod api;
mod certs;
mod fault;
mod marketing;
mod member;
mod multipart;
mod notify;
mod open;
mod pages;
mod server;
mod state;
mod trade;
mod wire;

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub use fault::{DEFAULT_OVERSIZE, Fault, FaultRule, MAX_OVERSIZE, ParseFaultError, Scope};

use crate::Amount;
use crate::crypto::{AesKey, KeyError, PrivateKey, PublicKey};

pub use self::certs::{AppCertificates, SandboxCertApp};

/// Why the sandbox could not start or carry out an action.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// Binding the listening socket failed.
    #[error("the sandbox could not listen: {0}")]
    Io(#[from] std::io::Error),
    /// No trade with this `out_trade_no` for this app.
    #[error("no trade `{out_trade_no}` for app `{app_id}` in the sandbox")]
    UnknownTrade {
        /// The app id asked for.
        app_id: String,
        /// The merchant's order number asked for.
        out_trade_no: String,
    },
    /// The trade is not in the status the action needs (e.g. paying a closed trade).
    #[error("trade `{out_trade_no}` is {status}, not {expected}")]
    WrongState {
        /// The merchant's order number.
        out_trade_no: String,
        /// The trade's current status, e.g. `TRADE_CLOSED`.
        status: String,
        /// The status the action needs, e.g. `WAIT_BUYER_PAY`.
        expected: &'static str,
    },
    /// A key pair could not be generated.
    #[error("the sandbox could not generate a key: {0}")]
    Key(#[from] KeyError),
    /// The signature of an order string (see [`Sandbox::app_pay`]) does not verify with the
    /// app's public key.
    #[error("the signature does not verify with the app's public key")]
    InvalidSignature,
    /// The request was refused as the gateway would refuse it, e.g. an unknown app id, a stale
    /// timestamp, a missing field or a trade already paid.
    #[error("refused: {code} {sub_code}: {sub_msg}")]
    Refused {
        /// The gateway code, e.g. `40002`.
        code: String,
        /// Alipay's `sub_code`, e.g. `isv.invalid-app-id`.
        sub_code: String,
        /// Alipay's `sub_msg`.
        sub_msg: String,
    },
    /// No app with this id is registered.
    #[error("no app `{0}` is registered in the sandbox")]
    UnknownApp(String),
    /// No certification with this `certify_id`.
    #[error("no certification `{certify_id}` in the sandbox")]
    UnknownCertification {
        /// The id asked for.
        certify_id: String,
    },
    /// The certification was already completed (passed or failed).
    #[error("certification `{certify_id}` is already completed")]
    CertificationCompleted {
        /// The id asked for.
        certify_id: String,
    },
    /// The state file (see [`SandboxBuilder::state_file`]) could not be read or written. When
    /// writing failed, the change is made in memory but is not saved.
    #[error("{0}")]
    State(String),
    /// A builder option is out of range (e.g. a negative notification time scale).
    #[error("invalid sandbox option: {0}")]
    InvalidOption(String),
    /// A certificate could not be issued (certificate mode).
    #[error("the sandbox could not issue a certificate: {0}")]
    Certificate(String),
}

impl SandboxError {
    /// A gateway refusal as an error of a control method.
    pub(crate) fn refused(failure: wire::Failure) -> Self {
        if failure.sub_code == "isv.invalid-signature" {
            return Self::InvalidSignature;
        }
        Self::Refused {
            code: failure.code.to_owned(),
            sub_code: failure.sub_code.to_owned(),
            sub_msg: failure.sub_msg,
        }
    }
}

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
}

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum NotificationKind {
    /// The buyer paid (`trade_status` `TRADE_SUCCESS`).
    Payment,
    /// A refund was made: `refund_fee`, `gmt_refund` and `out_biz_no` are set, and
    /// `trade_status` is `TRADE_CLOSED` (with `gmt_close`) once the trade is refunded in full.
    Refund,
    /// The unpaid trade was closed (`TRADE_CLOSED`, `gmt_close`).
    Close,
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
    /// The app of the trade.
    pub app_id: String,
    /// The trade's merchant order number.
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

/// A registered app, as the gateway needs it.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) public_key: PublicKey,
    pub(crate) seller_id: String,
}

/// The state shared by the handle and the connection tasks.
pub(crate) struct Shared {
    /// This very value, for the tasks it spawns.
    me: Weak<Shared>,
    addr: SocketAddr,
    pub(crate) signer: PrivateKey,
    public_key: PublicKey,
    pub(crate) tolerance: Option<Duration>,
    pub(crate) record_requests: bool,
    apps: RwLock<HashMap<String, Arc<App>>>,
    pub(crate) trades: Mutex<trade::Store>,
    pub(crate) bills: Mutex<HashMap<String, trade::BillRequest>>,
    pub(crate) notifications: Mutex<Vec<NotificationRecord>>,
    pub(crate) requests: Mutex<Vec<ReceivedRequest>>,
    pub(crate) notifier: notify::Notifier,
    pub(crate) open: Mutex<open::State>,
    pub(crate) marketing: Mutex<marketing::State>,
    pub(crate) certifications: Mutex<member::State>,
    pub(crate) cashiers: Mutex<HashMap<String, pages::Cashier>>,
    /// Fires when the sandbox stops: background deliveries end.
    stop: watch::Receiver<bool>,
    /// Every background task holds a clone; taken (dropped) at shutdown.
    tasks_alive: Mutex<Option<mpsc::Sender<Infallible>>>,
    /// The factor applied to Alipay's notification retry schedule.
    notify_scale: f64,
    pub(crate) faults: Mutex<fault::Faults>,
    state: Option<state::StateFile>,
    /// Certificate mode and content encryption.
    pub(crate) certs: certs::State,
}

impl Shared {
    /// A registered app.
    pub(crate) fn app(&self, app_id: &str) -> Option<Arc<App>> {
        self.apps
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(app_id)
            .cloned()
    }

    /// `http://127.0.0.1:PORT` (the loopback address when bound to an unspecified one).
    pub(crate) fn base_url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(host, self.addr.port()))
    }

    fn register(&self, app_id: String, public_key: PublicKey) {
        let seller_id = format!("2088{:012}", SELLER_SEQ.fetch_add(1, Ordering::Relaxed));
        self.insert_app(
            app_id,
            App {
                public_key,
                seller_id,
            },
        );
    }

    fn insert_app(&self, app_id: String, app: App) {
        self.apps
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(app_id, Arc::new(app));
    }

    /// Saves the state file, if there is one, when the state changed.
    pub(crate) fn persist(&self) -> Result<(), SandboxError> {
        match &self.state {
            Some(state) => state.save(self).map_err(SandboxError::State),
            None => Ok(()),
        }
    }
}

/// Seller ids handed out from now on must not collide with `seller_id` (read from a state file).
pub(crate) fn note_seller_id(seller_id: &str) {
    if let Some(seq) = seller_id
        .strip_prefix("2088")
        .and_then(|digits| digits.parse::<u64>().ok())
    {
        SELLER_SEQ.fetch_max(seq.saturating_add(1), Ordering::Relaxed);
    }
}

/// Locks a mutex; a panic elsewhere while it was held does not make the state unusable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// App ids handed out by [`Sandbox::create_app`] are unique in the process.
static APP_SEQ: AtomicU64 = AtomicU64::new(1);
/// Seller (merchant) ids, one per registered app.
static SELLER_SEQ: AtomicU64 = AtomicU64::new(1);

/// The buyer pays a trade; the state is saved, then the notification's first attempt is made
/// (if the trade has a `notify_url`).
pub(crate) async fn pay(
    shared: &Shared,
    app_id: &str,
    out_trade_no: &str,
) -> Result<TradeSnapshot, SandboxError> {
    let snapshot = lock(&shared.trades).pay(app_id, out_trade_no)?;
    shared.persist()?;
    deliver(shared, vec![notify::Notice::paid(snapshot.clone())]).await;
    Ok(snapshot)
}

/// Starts delivering notifications in the background, and waits for the first attempt of the
/// payment notifications (so a test sees them as soon as the payment returns).
pub(crate) async fn deliver(shared: &Shared, notices: Vec<notify::Notice>) {
    let mut first_attempts = Vec::new();
    for notice in notices {
        let payment = notice.kind() == NotificationKind::Payment;
        if let Some(first) = notify::dispatch(shared, notice)
            && payment
        {
            first_attempts.push(first);
        }
    }
    for first in first_attempts {
        let _ = first.await;
    }
}

/// A running sandbox gateway. Dropping it shuts the server down (without waiting); prefer
/// [`Sandbox::shutdown`] to wait until every connection is closed.
pub struct Sandbox {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    /// Ends (`None`) once every background task is gone.
    tasks_closed: mpsc::Receiver<Infallible>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

/// Options of a [`Sandbox`]; see [`Sandbox::builder`].
#[derive(Debug)]
pub struct SandboxBuilder {
    addr: SocketAddr,
    alipay_private_key: Option<PrivateKey>,
    timestamp_tolerance: Option<Duration>,
    record_requests: bool,
    notify_scale: f64,
    state_file: Option<PathBuf>,
    apps: Vec<(String, PublicKey)>,
    faults: Vec<FaultRule>,
    cert_mode: bool,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            alipay_private_key: None,
            timestamp_tolerance: Some(Duration::from_secs(15 * 60)),
            record_requests: true,
            notify_scale: 1.0,
            state_file: None,
            apps: Vec::new(),
            faults: Vec::new(),
            cert_mode: false,
        }
    }
}

impl SandboxBuilder {
    /// The address to listen on; `127.0.0.1:0` (a free port) by default.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The "Alipay" key the sandbox signs with; a fresh RSA-2048 key by default.
    pub fn alipay_private_key(mut self, key: PrivateKey) -> Self {
        self.alipay_private_key = Some(key);
        self
    }

    /// How far a request's `timestamp` may be from the sandbox's clock; 15 minutes by default.
    /// `None` accepts any well-formed timestamp.
    pub fn timestamp_tolerance(mut self, tolerance: Option<Duration>) -> Self {
        self.timestamp_tolerance = tolerance;
        self
    }

    /// Whether to keep every request for [`Sandbox::requests`]; on by default. Turn it off for
    /// long benchmarks, where the list would grow without bound.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// The factor applied to Alipay's notification retry schedule (4m, 10m, 10m, 1h, 2h, 6h,
    /// 15h between the eight attempts); 1.0 by default. `0.000_01` makes the whole schedule
    /// last about a second, for tests. Must be finite and not negative.
    pub fn notify_time_scale(mut self, scale: f64) -> Self {
        self.notify_scale = scale;
        self
    }

    /// Keeps the registered apps, the trades and the generated Alipay key in this JSON file:
    /// loaded at start if it exists, and saved atomically after every change, before the
    /// change is acknowledged. Without it (the default) state lives in memory only.
    ///
    /// Only apps and trades are kept: tokens, images, messages, certifications, cashiers,
    /// notification records and faults are not. The file holds the generated Alipay private key
    /// (a test key), so it is created readable by its owner only.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Registers an app at start (as [`Sandbox::register_app`] does), replacing an app of the
    /// same id loaded from the state file.
    pub fn app(mut self, app_id: impl Into<String>, app_public_key: PublicKey) -> Self {
        self.apps.push((app_id.into(), app_public_key));
        self
    }

    /// Injects a fault from the start (as [`Sandbox::inject_rule`] does).
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Certificate mode (公钥证书模式): the sandbox issues its root and Alipay certificates at
    /// start (otherwise on first use, e.g. by [`Sandbox::create_cert_app`]). Apps created with
    /// [`Sandbox::create_cert_app`] then call in certificate mode; apps created with
    /// [`Sandbox::create_app`] stay in public key mode. Off by default.
    pub fn cert_mode(mut self, on: bool) -> Self {
        self.cert_mode = on;
        self
    }

    /// Binds the address and starts serving on the current Tokio runtime.
    ///
    /// Errors: the address cannot be bound; an option is out of range; the state file cannot
    /// be read or written; a key cannot be generated.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        if !self.notify_scale.is_finite() || self.notify_scale < 0.0 {
            return Err(SandboxError::InvalidOption(format!(
                "the notification time scale must be finite and not negative, not {}",
                self.notify_scale
            )));
        }
        let loaded = match &self.state_file {
            Some(path) => state::load(path).map_err(SandboxError::State)?,
            None => None,
        };
        let (loaded_key, loaded_apps, loaded_trades) = match loaded {
            Some(l) => (l.alipay_private_key, l.apps, l.trades),
            None => (None, Vec::new(), Vec::new()),
        };
        // A key the sandbox generates is saved, so clients keep working across restarts.
        let (signer, generated) = match (self.alipay_private_key, loaded_key) {
            (Some(key), _) => (key, false),
            (None, Some(key)) => (key, true),
            (None, None) => (PrivateKey::generate()?, true),
        };
        let state = self.state_file.map(|path| {
            let pem = generated.then(|| signer.to_pkcs8_pem().to_string());
            state::StateFile::new(path, pem)
        });
        let public_key = signer.public_key();
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let (alive, tasks_closed) = mpsc::channel::<Infallible>(1);
        let mut faults = fault::Faults::default();
        for rule in self.faults {
            faults.add(rule);
        }
        let shared = Arc::new_cyclic(|me| Shared {
            me: me.clone(),
            addr,
            signer,
            public_key,
            tolerance: self.timestamp_tolerance,
            record_requests: self.record_requests,
            apps: RwLock::new(HashMap::new()),
            trades: Mutex::new(trade::Store::default()),
            bills: Mutex::new(HashMap::new()),
            notifications: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            notifier: notify::Notifier::new(),
            open: Mutex::new(open::State::default()),
            marketing: Mutex::new(marketing::State::default()),
            certifications: Mutex::new(member::State::default()),
            cashiers: Mutex::new(HashMap::new()),
            stop: stopped.clone(),
            tasks_alive: Mutex::new(Some(alive)),
            notify_scale: self.notify_scale,
            faults: Mutex::new(faults),
            state,
            certs: certs::State::default(),
        });
        if self.cert_mode {
            certs::init(&shared)?;
        }
        for (app_id, app) in loaded_apps {
            shared.insert_app(app_id, app);
        }
        for (app_id, key) in self.apps {
            shared.register(app_id, key);
        }
        *lock(&shared.trades) = trade::Store::from_trades(loaded_trades);
        // Creates the file (or fails now if it cannot be written).
        shared.persist()?;
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
        Ok(Sandbox {
            shared,
            stop,
            server: Some(server),
            tasks_closed,
        })
    }
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` (a free port) with a freshly generated Alipay key.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Self::builder().start().await
    }

    /// Options: the address, the Alipay key, the timestamp tolerance, the notification retry
    /// time scale, a state file, apps and faults registered from the start.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The gateway URL to configure the client with: `http://127.0.0.1:PORT/gateway.do`.
    pub fn gateway_url(&self) -> String {
        format!("{}/gateway.do", self.shared.base_url())
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The public key of the sandbox's "Alipay" key: what clients configure as the Alipay public
    /// key to verify answers and notifications.
    pub fn alipay_public_key(&self) -> PublicKey {
        self.shared.public_key.clone()
    }

    /// Registers an app id with its public key (replacing any key it had).
    ///
    /// With a state file, the app is saved; a failure to save is not reported here but by
    /// [`Sandbox::save_state`].
    pub fn register_app(&self, app_id: impl Into<String>, app_public_key: PublicKey) {
        self.shared.register(app_id.into(), app_public_key);
        let _ = self.shared.persist();
    }

    /// Saves the state file now, if there is one and the state changed since it was last
    /// saved (the sandbox saves after every change; this reports whether the last save worked).
    pub fn save_state(&self) -> Result<(), SandboxError> {
        self.shared.persist()
    }

    /// Injects `fault` into every call of `scope` until [`Sandbox::clear_faults`].
    pub fn inject(&self, fault: Fault, scope: Scope) {
        self.inject_rule(FaultRule::new(fault, scope));
    }

    /// Injects a fault rule, e.g. a one-shot one: `FaultRule::new(fault, scope).times(1)`.
    /// Rules are tried in the order they were injected; the first that matches a call spoils
    /// it, and counts one use.
    pub fn inject_rule(&self, rule: FaultRule) {
        lock(&self.shared.faults).add(rule);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// The fault rules in force, with the uses left.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.shared.faults).list()
    }

    /// A client builder already set up for `app` in this sandbox: app id, app private key, the
    /// sandbox's Alipay public key and gateway URL. Add a notify URL or timeouts, then build.
    pub fn client_builder(&self, app: &SandboxApp) -> crate::ClientBuilder {
        crate::Client::builder()
            .app_id(app.app_id.clone())
            .app_private_key_parsed(app.private_key.clone())
            .alipay_public_key_parsed(self.alipay_public_key())
            .gateway_url(self.gateway_url())
    }

    /// Creates and registers an app with a new unique 16-digit id and a new RSA-2048 key pair.
    /// Fails only if key generation does (the system's random source failed).
    pub fn create_app(&self) -> Result<SandboxApp, SandboxError> {
        let private_key = PrivateKey::generate()?;
        let public_key = private_key.public_key();
        let app_id = loop {
            let candidate = format!("2021{:012}", APP_SEQ.fetch_add(1, Ordering::Relaxed));
            if self.shared.app(&candidate).is_none() {
                break candidate;
            }
        };
        self.shared.register(app_id.clone(), public_key.clone());
        self.shared.persist()?;
        Ok(SandboxApp {
            app_id,
            private_key,
            public_key,
        })
    }

    /// Creates and registers an app in certificate mode (公钥证书模式): a key pair, an app
    /// certificate issued by the sandbox's root, and an AES key for content encryption. The
    /// result holds the three PEM files a client needs (see [`Sandbox::cert_client_builder`]).
    ///
    /// The sandbox then requires the app certificate's `app_cert_sn` and the root bundle's
    /// `alipay_root_cert_sn` on the app's requests (`isv.invalid-app-cert-sn` /
    /// `isv.invalid-alipay-root-cert-sn` otherwise), and signs for the app with the current
    /// Alipay certificate, named in `alipay_cert_sn`.
    pub fn create_cert_app(&self) -> Result<SandboxCertApp, SandboxError> {
        let app = self.create_app()?;
        certs::create_cert_app(&self.shared, app)
    }

    /// Moves an app already registered (with [`SandboxBuilder::app`] or
    /// [`Sandbox::register_app`], whose private key stays with its owner) to certificate mode:
    /// issues its app certificate for its registered public key, and an AES key. From then on
    /// the app is held to certificate mode exactly as one made by [`Sandbox::create_cert_app`].
    /// Fails with [`SandboxError::UnknownApp`] for an app that is not registered.
    pub fn certify_app(&self, app_id: &str) -> Result<AppCertificates, SandboxError> {
        let app = self
            .shared
            .app(app_id)
            .ok_or_else(|| SandboxError::UnknownApp(app_id.to_owned()))?;
        certs::certify(&self.shared, app_id, &app.public_key)
    }

    /// A client builder for a certificate app: app id, app private key, the app's three
    /// certificates, its content encryption key (encryption itself stays off unless asked for)
    /// and the gateway URL.
    pub fn cert_client_builder(&self, app: &SandboxCertApp) -> crate::ClientBuilder {
        crate::Client::builder()
            .app_id(app.app.app_id.clone())
            .app_private_key_parsed(app.app.private_key.clone())
            .certificates(
                app.app_cert_pem.clone(),
                app.alipay_cert_pem.clone(),
                app.alipay_root_cert_pem.clone(),
            )
            .content_encryption_key(app.aes_key.clone())
            .gateway_url(self.gateway_url())
    }

    /// Rotates the Alipay certificate: issues a new one (with a new key) from the same root and
    /// signs for certificate apps with it from now on. Clients configured with the previous
    /// certificate download the new one with `alipay.open.app.alipaycert.download`. Returns the
    /// new certificate's SN.
    pub fn rotate_alipay_certificate(&self) -> Result<String, SandboxError> {
        certs::rotate(&self.shared)
    }

    /// A forged rotation, for tests: like [`Sandbox::rotate_alipay_certificate`], but the new
    /// certificate is issued by another root with the same name as the sandbox's root, which
    /// is not in the bundle. The sandbox signs with it and hands it out on download, so clients
    /// must refuse it. Returns its SN.
    pub fn rotate_alipay_certificate_forged(&self) -> Result<String, SandboxError> {
        certs::rotate_forged(&self.shared)
    }

    /// The current Alipay certificate (`alipayCertPublicKey_RSA2.crt`), PEM.
    pub fn alipay_cert_pem(&self) -> Result<String, SandboxError> {
        certs::current(&self.shared).map(|(pem, _)| pem)
    }

    /// The SN of the current Alipay certificate (the `alipay_cert_sn` of answers to
    /// certificate apps).
    pub fn alipay_cert_sn(&self) -> Result<String, SandboxError> {
        certs::current(&self.shared).map(|(_, sn)| sn)
    }

    /// The root bundle (`alipayRootCert.crt`), PEM: the sandbox's RSA root and an ECDSA root.
    pub fn alipay_root_cert_pem(&self) -> Result<String, SandboxError> {
        certs::root_bundle(&self.shared).map(|(pem, _)| pem)
    }

    /// Sets the AES key of content encryption (接口内容加密) of an app: its `encrypt_type=AES`
    /// requests are decrypted with it and answered encrypted.
    pub fn set_app_aes_key(&self, app_id: &str, key: AesKey) {
        self.shared.certs.set_aes_key(app_id, key);
    }

    /// Generates an AES-128 key for an app, registers it (see [`Sandbox::set_app_aes_key`])
    /// and returns it in base64, as the console shows it.
    pub fn create_app_aes_key(&self, app_id: &str) -> Result<String, SandboxError> {
        let key = certs::new_aes_key()?;
        self.set_app_aes_key(app_id, AesKey::from_base64(&key)?);
        Ok(key)
    }

    /// The buyer pays the trade: `WAIT_BUYER_PAY` → `TRADE_SUCCESS`. If the trade has a
    /// `notify_url`, the signed notification is POSTed to it and its first attempt (5 s at most)
    /// is awaited and recorded before this returns; further attempts, if the merchant does not
    /// answer `success`, run in the background.
    pub async fn pay(
        &self,
        app_id: &str,
        out_trade_no: &str,
    ) -> Result<TradeSnapshot, SandboxError> {
        pay(&self.shared, app_id, out_trade_no).await
    }

    /// What the Alipay app does with an order string of `alipay.trade.app.pay` (as rendered by
    /// [`Render::order_string`](crate::Render::order_string)): decodes it, checks it as
    /// the gateway checks a request (app id, method, signature over every parameter but `sign`,
    /// timestamp, `biz_content`), opens the trade and the buyer pays it at once. The notification
    /// is delivered (and awaited) as with [`Sandbox::pay`].
    ///
    /// Errors: [`SandboxError::InvalidSignature`] when the signature does not verify;
    /// [`SandboxError::Refused`] with Alipay's `sub_code` for any other refusal (e.g.
    /// `ACQ.TRADE_HAS_SUCCESS` when the order was already paid).
    pub async fn app_pay(&self, order_string: &str) -> Result<TradeSnapshot, SandboxError> {
        let snapshot =
            server::app_pay(&self.shared, order_string).map_err(SandboxError::refused)?;
        self.shared.persist()?;
        deliver(&self.shared, vec![notify::Notice::paid(snapshot.clone())]).await;
        Ok(snapshot)
    }

    /// A one-time OAuth authorization code, as if user `user_id` had just authorised app
    /// `app_id`: `alipay.system.oauth.token` exchanges it (once) for tokens of that user.
    pub fn issue_auth_code(&self, app_id: &str, user_id: &str) -> String {
        lock(&self.shared.open).issue_auth_code(app_id, user_id)
    }

    /// The user completes (`passed`) or fails a certification opened with
    /// `alipay.user.certify.open.initialize`, as the certify page's buttons do.
    pub async fn complete_certification(
        &self,
        certify_id: &str,
        passed: bool,
    ) -> Result<(), SandboxError> {
        lock(&self.shared.certifications)
            .complete(certify_id, passed)
            .map(|_| ())
    }

    /// A certification, if one has this `certify_id`.
    pub fn certification(&self, certify_id: &str) -> Option<CertificationSnapshot> {
        lock(&self.shared.certifications).snapshot(certify_id)
    }

    /// Every image and video uploaded so far, oldest first.
    pub fn images(&self) -> Vec<StoredImage> {
        lock(&self.shared.open).images()
    }

    /// Every message sent so far (life account group and single sends, mini program template
    /// messages), oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        lock(&self.shared.marketing).messages()
    }

    /// The trade, if the app has one with this `out_trade_no`.
    pub fn trade(&self, app_id: &str, out_trade_no: &str) -> Option<TradeSnapshot> {
        lock(&self.shared.trades).snapshot(app_id, out_trade_no)
    }

    /// Every notification delivery attempt so far, oldest first (also served as JSON at
    /// `GET /sandbox/notifications`).
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        lock(&self.shared.notifications).clone()
    }

    /// Every request the gateway endpoint received so far, oldest first (empty when recording
    /// is off, see [`SandboxBuilder::record_requests`]).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Stops accepting connections, lets the requests in flight finish, stops the background
    /// notification deliveries (pending retries are dropped), and waits until every connection
    /// and delivery task is gone.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        drop(lock(&self.shared.tasks_alive).take());
        let _ = self.tasks_closed.recv().await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

#[cfg(test)]
mod tests;
