//! The client: one per merchant app, cheap to clone, safe to share between tasks.
//!
//! # How a call runs
//!
//! `client.send(request).await` is one pipeline, one file per stage:
//!
//! 1. `call.rs`: [`Client::send`] returns a [`Call`]; its setters fill [`CallOptions`];
//!    awaiting it runs `Client::perform` (this file).
//! 2. `prepare.rs`: `http_request` encodes the request, applies the options, encrypts
//!    `biz_content` when asked, adds the system parameters and signs: the
//!    `http::Request<Bytes>` every attempt sends.
//! 3. `exchange.rs`: `exchange` is the runtime only (the total and per-attempt deadlines,
//!    retries, the in-flight bound, the `alipay.call` span, the response hook); it hands each
//!    answer to the call's check.
//! 4. `answer.rs`: `verify_answer` is the one routine every answer goes through: status, split,
//!    signature (with the keys of the client's mode), decryption, gateway status; `read_answer`
//!    then parses the typed response.
//! 5. `cert_mode.rs`: an answer signed with an Alipay certificate the client does not know
//!    makes `perform` download that certificate; the download answer goes through the same
//!    `verify_answer`, with the download's keys.
//!
//! The builder's setters and checks are in `builder.rs`. A second protocol adds its own prepare
//! half (an `http::Request<Bytes>`) and answer half (a check of an `HttpResponse`) and reuses
//! `exchange` as it is.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::crypto::{AesKey, Verifier};
use crate::error::Error;
#[cfg(doc)]
use crate::error::{ResponseError, VerifyError};
use crate::notify::{self, Notification};
use crate::request::{LocalRequest, Request};
#[cfg(doc)]
use crate::response;
use crate::response::Charset;
use crate::transport::{HttpResponse, Transport};

mod answer;
mod builder;
mod call;
mod cert_mode;
mod exchange;
mod prepare;
mod v3;

use self::answer::Checked;
pub use self::builder::{ClientBuilder, DEFAULT_MAX_IN_FLIGHT};
pub use self::call::{Call, CallOptions, Render};
pub use self::exchange::ResponseRecord;
use self::prepare::REQUEST_CHARSET;

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// Alipay's online sandbox gateway (沙箱环境), moved here in 2023.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";
/// The `alipay_sdk` value this SDK sends.
pub const SDK_NAME: &str = concat!("alipay-sdk-rust-", env!("CARGO_PKG_VERSION"));

/// Which Alipay gateway the client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Gateway {
    /// `https://openapi.alipay.com/gateway.do`.
    Production,
    /// Alipay's online sandbox, `https://openapi-sandbox.dl.alipaydev.com/gateway.do`.
    Sandbox,
    /// Any gateway URL, e.g. the local [`sandbox`](crate::sandbox)'s.
    Custom(String),
}

impl Gateway {
    fn url(&self) -> &str {
        match self {
            Gateway::Production => PRODUCTION_GATEWAY,
            Gateway::Sandbox => SANDBOX_GATEWAY,
            Gateway::Custom(url) => url,
        }
    }
}

/// The source of the current time, for the `timestamp` parameter. Injectable so tests are
/// deterministic.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// An Alipay Open Platform client for one merchant app.
///
/// Built once with [`Client::builder`] (keys are parsed then, never per call); clones share
/// everything, including the HTTP connection pool. There is no global state: one process can
/// serve many merchants with one client each.
///
/// ```no_run
/// use alipay::Client;
/// use alipay::payment::common::TradeQuery;
///
/// # async fn run() -> Result<(), alipay::Error> {
/// let client = Client::builder()
///     .app_id("2021000000000000")
///     .app_private_key(std::fs::read_to_string("app_private_key.pem").unwrap_or_default())
///     .alipay_public_key("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...")
///     .build()?;
/// let trade = client
///     .send(TradeQuery::builder().out_trade_no("T1").build())
///     .await?;
/// println!("{:?}", trade.trade_status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    app_id: String,
    signer: prepare::AppSigner,
    verifier: Arc<dyn Verifier>,
    gateway: String,
    notify_url: Option<String>,
    request_timeout: Duration,
    max_body: usize,
    transport: Arc<dyn Transport>,
    clock: Clock,
    aes_key: Option<AesKey>,
    /// Certificate mode, when configured.
    cert: Option<cert_mode::CertMode>,
    /// Whether calls encrypt with `aes_key` by default.
    encrypt_content: bool,
    net: exchange::Net,
    v3: v3::V3Settings,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("app_id", &self.inner.app_id)
            .field("gateway", &self.inner.gateway)
            .field("notify_url", &self.inner.notify_url)
            .field("request_timeout", &self.inner.request_timeout)
            .field("net", &self.inner.net)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The app id this client calls as.
    pub fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The gateway URL this client calls.
    pub fn gateway_url(&self) -> &str {
        &self.inner.gateway
    }

    /// The AES key configured with [`ClientBuilder::aes_key`], if any.
    pub(crate) fn aes_key(&self) -> Option<&AesKey> {
        self.inner.aes_key.as_ref()
    }

    /// Starts a call of `request`: add per-call options if needed, then `.await` it for the
    /// verified, typed answer.
    ///
    /// Only [`Request`]s can be sent; requests rendered locally (page, WAP and app pay,
    /// certify) do not compile here: use [`Client::render`].
    pub fn send<R: Request>(&self, request: R) -> Call<'_, R> {
        Call {
            client: self,
            request,
            options: CallOptions::default(),
        }
    }

    /// Starts rendering a [`LocalRequest`] (page pay form, WAP pay form, app order string,
    /// certify URL). Nothing is sent.
    pub fn render<R: LocalRequest>(&self, request: R) -> Render<'_, R> {
        Render {
            client: self,
            request,
            options: CallOptions::default(),
        }
    }

    /// Verifies an asynchronous notification from its raw `application/x-www-form-urlencoded`
    /// body, exactly as received (decoded once, empty values kept, `sign` and `sign_type`
    /// dropped from the sign content, duplicated keys and ambiguous content refused), and
    /// refuses one whose `app_id` is not this client's ([`NotifyError::WrongApp`]).
    ///
    /// The merchant must still check that the trade is theirs: see
    /// [`TradeNotification::check_order`](crate::notify::TradeNotification::check_order) and
    /// [what verification does not prove](crate::notify#what-verification-does-not-prove).
    ///
    /// [`NotifyError::WrongApp`]: crate::notify::NotifyError::WrongApp
    pub fn verify_notification(&self, body: &[u8]) -> Result<Notification, Error> {
        let notification = notify::verify_body(body, self.inner.verifier.as_ref())?;
        notify::check_app(&notification, &self.inner.app_id)?;
        Ok(notification)
    }

    /// [`verify_notification`](Self::verify_notification) for a notification in the character
    /// set `charset`, the one its app declared: GBK for an app whose requests (from another SDK)
    /// declared `charset=GBK`. The web extractors (`alipay::web`) pick it from the body's
    /// `charset` parameter.
    pub fn verify_notification_declared(
        &self,
        body: &[u8],
        charset: Charset,
    ) -> Result<Notification, Error> {
        let notification =
            notify::verify_body_declared(body, charset, self.inner.verifier.as_ref())?;
        notify::check_app(&notification, &self.inner.app_id)?;
        Ok(notification)
    }

    /// Verifies the parameters Alipay adds to the `return_url` when it sends the buyer's
    /// browser back after a page or WAP payment (同步跳转): the query string, with or without
    /// its leading `?`, checked like a notification (signed by Alipay over every parameter but
    /// `sign` and `sign_type`, for this client's app).
    ///
    /// The return is only a courtesy to the buyer: it may never come, and a verified one says
    /// the buyer came back, not what the trade's final state is. Ship on the notification (or
    /// `alipay.trade.query`), never on the return alone.
    ///
    /// ```
    /// # fn page(client: &alipay::Client, query: &str) -> String {
    /// // In the handler of `GET /return?charset=utf-8&out_trade_no=...&sign=...`:
    /// match client.verify_return(query) {
    ///     Ok(returned) => format!(
    ///         "Thank you! Order {} is being confirmed.",
    ///         returned.get("out_trade_no").unwrap_or("?")
    ///     ),
    ///     Err(e) => format!("These return parameters are not Alipay's: {e}"),
    /// }
    /// # }
    /// ```
    pub fn verify_return(&self, query: &str) -> Result<Notification, Error> {
        let query = query.strip_prefix('?').unwrap_or(query);
        self.verify_notification(query.as_bytes())
    }

    /// Verifies an asynchronous notification from already decoded pairs (as a web framework
    /// hands them over), with the checks of
    /// [`verify_notification`](Self::verify_notification). Pass every pair received, unchanged.
    pub fn verify_notification_pairs<K, V>(
        &self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Notification, Error>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let notification = notify::verify_pairs(pairs, self.inner.verifier.as_ref())?;
        notify::check_app(&notification, &self.inner.app_id)?;
        Ok(notification)
    }

    /// Checks a raw gateway answer to `request` and parses it, exactly as [`Client::send`] does:
    /// the HTTP status, the envelope, the signature over the exact node bytes, the gateway code,
    /// then the typed response from those same bytes. For answers obtained another way (a custom
    /// transport, a recorded answer being audited).
    ///
    /// An encrypted answer is decrypted after its signature verified. In certificate mode, an
    /// answer signed with an Alipay certificate the client has not learned yet is
    /// [`VerifyError::UnknownCertificate`] here; [`Client::send`] downloads such a certificate
    /// first. The body is read as UTF-8, the character set every request of this client
    /// declares; one that is not UTF-8 is [`ResponseError::Charset`]
    /// (see [`response`]). For an answer to a request that declared GBK, see
    /// [`read_response_declared`](Self::read_response_declared).
    pub fn read_response<R: Request>(
        &self,
        request: &R,
        status: u16,
        body: &[u8],
    ) -> Result<R::Response, Error> {
        self.read_answer(request, status, body, REQUEST_CHARSET)
    }

    /// [`Client::read_response`] for an answer as a [`Transport`] returns it. Its
    /// [`HttpResponse::charset`] (from the `Content-Type`, which is not signed) is not followed:
    /// the body is read in the character set the request declared, as [`Client::send`] does.
    pub fn read_http_response<R: Request>(
        &self,
        request: &R,
        answer: &HttpResponse,
    ) -> Result<R::Response, Error> {
        self.read_answer(request, answer.status, &answer.body, REQUEST_CHARSET)
    }

    /// [`Client::read_response`] for an answer to a request that declared `declared` as its
    /// `charset` (e.g. an answer recorded from another SDK that sends `charset=GBK`): the body
    /// must be text in that character set, or it is
    /// [`ResponseError::Charset`]; see
    /// [`response::split_declared`].
    pub fn read_response_declared<R: Request>(
        &self,
        request: &R,
        status: u16,
        body: &[u8],
        declared: Charset,
    ) -> Result<R::Response, Error> {
        self.read_answer(request, status, body, declared)
    }

    /// Encodes, signs, sends and verifies one request. In certificate mode, an answer signed
    /// with an Alipay certificate the client does not know yet is kept while the certificate is
    /// downloaded and checked, then verified with it.
    async fn perform<R: Request + Sync>(
        &self,
        request: &R,
        options: &CallOptions,
    ) -> Result<R::Response, Error> {
        // One deadline for the whole call, the certificate download included.
        let deadline = options
            .total_timeout
            .or(self.inner.net.total_timeout())
            .map(|total| (tokio::time::Instant::now() + total, total));
        // The one protocol dispatch: v3's prepare and answer halves, or v2's.
        let route = self.v3_route(request, options);
        let checked = match &route {
            Some(route) => {
                self.exchange_with(
                    request,
                    options,
                    deadline,
                    |deadline| self.v3_request(route, request, options, deadline),
                    |answer| self.v3_check::<R>(options, answer),
                )
                .await?
            }
            None => {
                self.exchange(request, options, deadline, |answer| {
                    self.check_answer(request, answer)
                })
                .await?
            }
        };
        match checked {
            Checked::Done(response) => Ok(response),
            Checked::NewCertificate { sn, answer } => {
                let learn = self.learn_alipay_certificate(&sn, options, deadline);
                match deadline {
                    Some((deadline, total)) => tokio::time::timeout_at(deadline, learn)
                        .await
                        .map_err(|_| Error::Timeout(total))??,
                    None => learn.await?,
                }
                match route {
                    Some(_) => self.v3_read::<R>(options, &answer),
                    None => self.read_http_response(request, &answer),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::EncodeError;
    use crate::request::{Method, Params};

    pub(super) const APP_KEY: &str = include_str!("../tests/fixtures/keys/app_private_pkcs8.pem");
    pub(super) const APP_PUBLIC: &str = include_str!("../tests/fixtures/keys/app_public.b64");
    pub(super) const ALIPAY_PUBLIC: &str = include_str!("../tests/fixtures/keys/alipay_public.b64");

    /// A hand-written request with one biz field and one text field.
    pub(super) struct Probe;

    impl Method for Probe {
        fn method(&self) -> &str {
            "alipay.test.probe"
        }
        fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
            params.biz_value("subject", "<b>tea & \"cake\"</b>");
            params.text("return_url", "https://m.example/return?a=1&b=2");
            Ok(())
        }
    }

    impl LocalRequest for Probe {}

    pub(super) fn client(notify_url: Option<&str>) -> Client {
        let mut builder = Client::builder()
            .app_id("2021000000000001")
            .app_private_key(APP_KEY)
            .alipay_public_key(ALIPAY_PUBLIC)
            .gateway_url("https://gw.example/gateway.do")
            // 2020-03-20 04:00:00 UTC, noon in Beijing.
            .clock(|| SystemTime::UNIX_EPOCH + Duration::from_secs(1_584_676_800));
        if let Some(url) = notify_url {
            builder = builder.notify_url(url);
        }
        builder.build().expect("valid config")
    }

    #[test]
    fn the_configuration_is_not_printed_with_keys() {
        let debug = format!("{:?}", client(None));
        assert!(debug.contains("2021000000000001"));
        assert!(!debug.contains("PRIVATE"));
        assert!(!debug.contains(&APP_KEY[40..80]));
    }
}
