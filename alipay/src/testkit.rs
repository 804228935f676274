//! A test kit for a merchant's own tests (feature `sandbox`): an app and an "Alipay" key pair,
//! a client configured with them, notifications of any kind signed with that Alipay key, and
//! signed gateway answers, so a handler or a call site can be tested without a network.
//!
//! [`TestKit::new`] generates both keys; [`TestKit::for_sandbox`] takes a running sandbox's
//! app and Alipay key, so its notifications verify with the sandbox's clients too.
//!
//! ```
//! use alipay::testkit::TestKit;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kit = TestKit::new()?;
//! let client = kit.client()?;
//! let body = kit.notification().out_trade_no("T-1001").total_amount("88.80").body();
//! let trade = client.verify_notification(body.as_bytes())?.trade()?;
//! assert_eq!(trade.out_trade_no, "T-1001");
//! assert!(trade.trade_status.is_paid());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::crypto::{KeyError, PrivateKey, PublicKey, Signer as _};
use crate::request::Request;
use crate::response::Charset;
use crate::sandbox::{Sandbox, SandboxApp};
use crate::transport::HttpResponse;
use crate::wire::{beijing_timestamp, form_encode, notify_sign_content};
use crate::{BoxError, Client, ClientBuilder, ConfigError};

/// The gateway of the kit's clients: a loopback port nothing listens on (the kit sends
/// nothing; a call that does send fails to connect).
pub const GATEWAY: &str = "http://127.0.0.1:9/gateway.do";

/// Why [`TestKit::answer`] or [`TestKit::failure`] could not make an answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// The fields given are not a JSON object.
    #[error("the answer's fields must be a JSON object, not `{0}`")]
    NotAnObject(String),
    /// Signing failed.
    #[error("signing the answer failed: {0}")]
    Sign(#[source] BoxError),
}

/// An app and an Alipay key pair for tests. See the [module documentation](self).
pub struct TestKit {
    app_id: String,
    app_key: PrivateKey,
    alipay_key: PrivateKey,
    seq: AtomicU64,
}

impl std::fmt::Debug for TestKit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestKit")
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl TestKit {
    /// A kit with app id `2021000000000001` and freshly generated RSA-2048 keys.
    pub fn new() -> Result<Self, KeyError> {
        Ok(Self {
            app_id: "2021000000000001".to_owned(),
            app_key: PrivateKey::generate()?,
            alipay_key: PrivateKey::generate()?,
            seq: AtomicU64::new(1),
        })
    }

    /// A kit for a sandbox app: its app id and key, and the sandbox's Alipay key (the current
    /// Alipay certificate's, for a certificate app), so what the kit signs verifies with
    /// [`Sandbox::client_builder`]'s clients.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = alipay::sandbox::Sandbox::start().await?;
    /// let app = sandbox.create_app()?;
    /// let kit = alipay::testkit::TestKit::for_sandbox(&sandbox, &app);
    /// let client = sandbox.client_builder(&app).build()?;
    /// assert!(client.verify_notification(kit.notification().body().as_bytes()).is_ok());
    /// # Ok(()) }
    /// ```
    pub fn for_sandbox(sandbox: &Sandbox, app: &SandboxApp) -> Self {
        let (alipay_key, _) = sandbox.shared.alipay_signer(&app.app_id);
        Self {
            app_id: app.app_id.clone(),
            app_key: app.private_key.clone(),
            alipay_key,
            seq: AtomicU64::new(1),
        }
    }

    /// The same kit for another app id (e.g. a foreign app, whose notifications a client of
    /// this kit's app must refuse).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let kit = alipay::testkit::TestKit::new()?.with_app_id("2021000000000002");
    /// assert_eq!(kit.app_id(), "2021000000000002");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The app's private key.
    pub fn app_private_key(&self) -> &PrivateKey {
        &self.app_key
    }

    /// The Alipay public key the kit's clients verify with.
    pub fn alipay_public_key(&self) -> PublicKey {
        self.alipay_key.public_key()
    }

    /// A client builder for the kit's app: app id, app key, Alipay public key, and the
    /// [`GATEWAY`] where nothing listens.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let kit = alipay::testkit::TestKit::new()?;
    /// let client = kit.client_builder().notify_url("http://127.0.0.1:8080/notify").build()?;
    /// assert_eq!(client.app_id(), kit.app_id());
    /// # Ok(()) }
    /// ```
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .app_id(self.app_id.clone())
            .app_private_key_parsed(self.app_key.clone())
            .alipay_public_key_parsed(self.alipay_key.public_key())
            .gateway_url(GATEWAY)
    }

    /// [`client_builder`](Self::client_builder), built.
    pub fn client(&self) -> Result<Client, ConfigError> {
        self.client_builder().build()
    }

    /// A `trade_status_sync` notification of a paid trade, every field defaulted (see
    /// [`NotificationBuilder`]); change any of them, or add those of another kind.
    pub fn notification(&self) -> NotificationBuilder<'_> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let now = beijing_timestamp(SystemTime::now());
        let digits: String = now.chars().filter(char::is_ascii_digit).collect();
        let mut params = BTreeMap::new();
        for (key, value) in [
            ("notify_time", now.clone()),
            ("notify_type", "trade_status_sync".to_owned()),
            ("notify_id", format!("{digits}00222{seq:015}")),
            ("charset", "utf-8".to_owned()),
            ("version", "1.0".to_owned()),
            ("sign_type", "RSA2".to_owned()),
            ("app_id", self.app_id.clone()),
            ("auth_app_id", self.app_id.clone()),
            (
                "trade_no",
                format!("{}22001400000{seq:010}", &digits[..8.min(digits.len())]),
            ),
            ("out_trade_no", format!("T-{seq:04}")),
            ("trade_status", "TRADE_SUCCESS".to_owned()),
            ("total_amount", "88.80".to_owned()),
            ("receipt_amount", "88.80".to_owned()),
            ("buyer_pay_amount", "88.80".to_owned()),
            ("invoice_amount", "88.80".to_owned()),
            ("point_amount", "0.00".to_owned()),
            ("subject", "Test order".to_owned()),
            ("seller_id", "2088000000000001".to_owned()),
            ("buyer_id", "2088000000000002".to_owned()),
            ("gmt_create", now.clone()),
            ("gmt_payment", now),
        ] {
            params.insert(key.to_owned(), value);
        }
        NotificationBuilder {
            kit: self,
            params,
            charset: Charset::Utf8,
        }
    }

    /// A gateway answer to `request` carrying `fields` (a JSON object of the response's
    /// business fields; `code` `10000` and `msg` `Success` are added when absent), signed with
    /// the kit's Alipay key over the node's exact bytes, as Alipay answers. Read it with
    /// [`Client::read_response`] or [`Client::read_http_response`].
    ///
    /// ```
    /// use alipay::payment::common::TradeQuery;
    /// use serde_json::json;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let kit = alipay::testkit::TestKit::new()?;
    /// let query = TradeQuery::builder().out_trade_no("T-1001").build();
    /// let answer = kit.answer(&query, json!({
    ///     "trade_no": "2026120222001400000000000001",
    ///     "out_trade_no": "T-1001",
    ///     "trade_status": "TRADE_SUCCESS",
    ///     "total_amount": "88.80",
    /// }))?;
    /// let trade = kit.client()?.read_http_response(&query, &answer)?;
    /// assert!(trade.trade_status.is_paid());
    /// # Ok(()) }
    /// ```
    pub fn answer<R: Request>(
        &self,
        request: &R,
        fields: Value,
    ) -> Result<HttpResponse, AnswerError> {
        let mut node = Map::new();
        node.insert("code".to_owned(), Value::from("10000"));
        node.insert("msg".to_owned(), Value::from("Success"));
        match fields {
            Value::Object(fields) => node.extend(fields),
            other => return Err(AnswerError::NotAnObject(other.to_string())),
        }
        self.signed_answer(&request.response_key(), &Value::Object(node))
    }

    /// A signed business failure answer to `request` (`code` `40004`, `msg`
    /// `Business Failed`, and the `sub_code` and `sub_msg` given), as Alipay answers a refused
    /// call; [`Client::read_response`] reads it as [`Error::Api`](crate::Error::Api).
    ///
    /// ```
    /// use alipay::payment::common::TradeQuery;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let kit = alipay::testkit::TestKit::new()?;
    /// let query = TradeQuery::builder().out_trade_no("T-404").build();
    /// let answer = kit.failure(&query, "ACQ.TRADE_NOT_EXIST", "交易不存在")?;
    /// let error = kit.client()?.read_http_response(&query, &answer).unwrap_err();
    /// assert!(error.to_string().contains("ACQ.TRADE_NOT_EXIST"), "{error}");
    /// # Ok(()) }
    /// ```
    pub fn failure<R: Request>(
        &self,
        request: &R,
        sub_code: &str,
        sub_msg: &str,
    ) -> Result<HttpResponse, AnswerError> {
        let node = serde_json::json!({
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": sub_code,
            "sub_msg": sub_msg,
        });
        self.signed_answer(&request.response_key(), &node)
    }

    fn signed_answer(&self, key: &str, node: &Value) -> Result<HttpResponse, AnswerError> {
        // `Value`'s `Display` is its JSON text.
        let node = node.to_string();
        let sign = self
            .alipay_key
            .sign(node.as_bytes())
            .map_err(AnswerError::Sign)?;
        let body = format!(
            "{{{}:{node},\"sign\":{}}}",
            Value::from(key),
            Value::from(sign)
        );
        Ok(HttpResponse::new(200, body))
    }
}

/// A notification being signed, from [`TestKit::notification`]. Its defaults: `notify_type`
/// `trade_status_sync`, `notify_time` (now, Beijing time), a fresh `notify_id`, `app_id` and
/// `auth_app_id` the kit's, `charset` `utf-8`, `version` `1.0`, `sign_type` `RSA2`, a fresh
/// `trade_no` and `out_trade_no` (`T-0001`, `T-0002`, …), `trade_status` `TRADE_SUCCESS`,
/// `total_amount`, `receipt_amount`, `buyer_pay_amount` and `invoice_amount` `88.80`,
/// `point_amount` `0.00`, `subject`, `seller_id`, `buyer_id`, `gmt_create` and `gmt_payment`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let kit = alipay::testkit::TestKit::new()?;
/// // A refund notification.
/// let body = kit
///     .notification()
///     .trade_status("TRADE_CLOSED")
///     .set("refund_fee", "88.80")
///     .set("out_biz_no", "R-1")
///     .set("gmt_refund", "2026-12-02 10:00:00.000")
///     .body();
/// let trade = kit.client()?.verify_notification(body.as_bytes())?.trade()?;
/// assert_eq!(trade.out_biz_no.as_deref(), Some("R-1"));
/// # Ok(()) }
/// ```
#[must_use]
pub struct NotificationBuilder<'k> {
    kit: &'k TestKit,
    params: BTreeMap<String, String>,
    charset: Charset,
}

impl std::fmt::Debug for NotificationBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationBuilder")
            .field("params", &self.params)
            .field("charset", &self.charset)
            .finish_non_exhaustive()
    }
}

impl NotificationBuilder<'_> {
    /// Sets (or adds) a parameter.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(key.into(), value.into());
        self
    }

    /// Leaves a parameter out.
    pub fn remove(mut self, key: &str) -> Self {
        self.params.remove(key);
        self
    }

    /// `out_trade_no`, the merchant's order number.
    pub fn out_trade_no(self, value: impl Into<String>) -> Self {
        self.set("out_trade_no", value)
    }

    /// `trade_no`, Alipay's trade number.
    pub fn trade_no(self, value: impl Into<String>) -> Self {
        self.set("trade_no", value)
    }

    /// `trade_status` (e.g. `WAIT_BUYER_PAY`, `TRADE_CLOSED`, `TRADE_FINISHED`).
    pub fn trade_status(self, value: impl Into<String>) -> Self {
        self.set("trade_status", value)
    }

    /// `total_amount`, and `receipt_amount`, `buyer_pay_amount` and `invoice_amount` with it.
    pub fn total_amount(self, value: &str) -> Self {
        self.set("total_amount", value)
            .set("receipt_amount", value)
            .set("buyer_pay_amount", value)
            .set("invoice_amount", value)
    }

    /// `notify_id` (keep one to play Alipay's retries of a notification).
    pub fn notify_id(self, value: impl Into<String>) -> Self {
        self.set("notify_id", value)
    }

    /// `app_id` and `auth_app_id`.
    pub fn app_id(self, value: impl Into<String>) -> Self {
        let value = value.into();
        self.set("auth_app_id", value.clone()).set("app_id", value)
    }

    /// The character set: the `charset` parameter, the encoding of the body's escapes and of the
    /// signed content (an app that declared `charset=GBK`).
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self.set("charset", charset.param())
    }

    /// Every parameter, `sign` (over every parameter but `sign` and `sign_type`, in the
    /// character set) included, sorted by key.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let content = notify_sign_content(self.params.iter());
        let signed = match self.charset {
            Charset::Utf8 => self.kit.alipay_key.sign(content.as_bytes()),
            Charset::Gbk => self
                .kit
                .alipay_key
                .sign(&encoding_rs::GBK.encode(&content).0),
        };
        let mut pairs: Vec<(String, String)> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Signing with a key the kit generated does not fail; an empty `sign` would not verify.
        pairs.push(("sign".to_owned(), signed.unwrap_or_default()));
        pairs.sort();
        pairs
    }

    /// The signed `application/x-www-form-urlencoded` body, as Alipay POSTs it (escapes in the
    /// character set).
    pub fn body(&self) -> String {
        let pairs = self.pairs();
        match self.charset {
            Charset::Utf8 => form_encode(pairs),
            Charset::Gbk => {
                let mut form = form_urlencoded::Serializer::new(String::new());
                form.encoding_override(Some(&|text: &str| encoding_rs::GBK.encode(text).0));
                for (key, value) in &pairs {
                    form.append_pair(key, value);
                }
                form.finish()
            }
        }
    }
}
