//! The client: one per merchant app, cheap to clone, safe to share between tasks.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::cert::CertConfig;
use crate::crypto::{AesKey, Backend, PrivateKey, PublicKey, Signer, Verifier};
use crate::error::{ApiError, ConfigError, Error, ResponseError, VerifyError};
use crate::notify::{self, Notification};
use crate::request::{LocalRequest, Method, Params, Request};
use crate::response::{self, Charset, Node};
use crate::transport::{HttpResponse, HyperTransport, Transport};
use crate::{encrypt, sign};

mod cert_mode;

mod exchange;

pub use self::exchange::{DEFAULT_MAX_IN_FLIGHT, ResponseRecord};

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// Alipay's online sandbox gateway (沙箱环境), moved here in 2023.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";
/// The `alipay_sdk` value this SDK sends.
pub const SDK_NAME: &str = concat!("alipay-sdk-rust-", env!("CARGO_PKG_VERSION"));

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

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
    signer: Arc<dyn Signer>,
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
    /// The content encryption key and whether calls encrypt by default.
    content_key: Option<AesKey>,
    encrypt_content: bool,
    net: exchange::Net,
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

/// Builds a [`Client`]; see [`Client::builder`]. Every input is checked by
/// [`build`](ClientBuilder::build), which names the field at fault.
#[must_use]
pub struct ClientBuilder {
    app_id: Option<String>,
    private_key: Option<KeyInput<PrivateKey>>,
    signer: Option<Arc<dyn Signer>>,
    alipay_public_key: Option<KeyInput<PublicKey>>,
    verifier: Option<Arc<dyn Verifier>>,
    backend: Backend,
    gateway: Gateway,
    notify_url: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body: usize,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Clock>,
    aes_key: Option<zeroize::Zeroizing<String>>,
    certificates: Option<cert_mode::CertInput>,
    content_key: Option<zeroize::Zeroizing<String>>,
    encrypt_content: bool,
    net: exchange::NetOptions,
}

enum KeyInput<K> {
    /// Key text, zeroized when dropped.
    Text(Zeroizing<String>),
    Parsed(K),
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field("gateway", &self.gateway)
            .field("notify_url", &self.notify_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn new() -> Self {
        Self {
            app_id: None,
            private_key: None,
            signer: None,
            alipay_public_key: None,
            verifier: None,
            backend: Backend::default(),
            gateway: Gateway::Production,
            notify_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            transport: None,
            clock: None,
            aes_key: None,
            certificates: None,
            content_key: None,
            encrypt_content: false,
            net: exchange::NetOptions::default(),
        }
    }

    /// The app id (`app_id`) from the open platform console.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The app private key (应用私钥), RSA-2048: PEM PKCS#1 (`RSA PRIVATE KEY`), PEM PKCS#8
    /// (`PRIVATE KEY`), or the bare base64 of either as Alipay's key tool writes it.
    pub fn app_private_key(mut self, key: impl Into<String>) -> Self {
        self.private_key = Some(KeyInput::Text(Zeroizing::new(key.into())));
        self
    }

    /// An already parsed app private key.
    pub fn app_private_key_parsed(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(KeyInput::Parsed(key));
        self
    }

    /// A custom signer (a KMS or HSM) instead of a private key.
    pub fn signer(mut self, signer: impl Signer) -> Self {
        self.signer = Some(Arc::new(signer));
        self
    }

    /// The Alipay public key (支付宝公钥, not the app's own public key): PEM or the bare base64
    /// SPKI shown in the console.
    pub fn alipay_public_key(mut self, key: impl Into<String>) -> Self {
        self.alipay_public_key = Some(KeyInput::Text(Zeroizing::new(key.into())));
        self
    }

    /// An already parsed Alipay public key.
    pub fn alipay_public_key_parsed(mut self, key: PublicKey) -> Self {
        self.alipay_public_key = Some(KeyInput::Parsed(key));
        self
    }

    /// A custom verifier of Alipay's signatures instead of a public key.
    pub fn verifier(mut self, verifier: impl Verifier) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// The crypto backend used to parse keys given as text (default: aws-lc-rs).
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// The gateway (default: [`Gateway::Production`]).
    pub fn gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = gateway;
        self
    }

    /// A gateway URL, e.g. `http://127.0.0.1:8080/gateway.do` for a local sandbox.
    pub fn gateway_url(self, url: impl Into<String>) -> Self {
        self.gateway(Gateway::Custom(url.into()))
    }

    /// The `notify_url` added to every call that does not set one with
    /// [`Call::async_notify`].
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into());
        self
    }

    /// The deadline to open a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The deadline of one attempt of a call, from sending to the last byte of the answer
    /// (default 15 s). See also [`total_timeout`](Self::total_timeout).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The largest answer read, in bytes (default 4 MiB).
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// A custom HTTP transport.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// A custom clock (default: the system clock) for the `timestamp` parameter and, in
    /// certificate mode, for the validity of downloaded Alipay certificates (a learned key is
    /// not used after its certificate's `notAfter`) and the limits on downloads.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The AES key (接口内容加密方式) from the open platform console, in base64 (16, 24 or 32
    /// bytes), for [`Client::aes_encrypt`] and [`Client::aes_decrypt`]. Checked by
    /// [`build`](Self::build).
    pub fn aes_key(mut self, key_base64: impl Into<String>) -> Self {
        self.aes_key = Some(zeroize::Zeroizing::new(key_base64.into()));
        self
    }

    /// Certificate mode (公钥证书模式), from the PEM text of the three files of the console: the
    /// app certificate (`appCertPublicKey_<app id>.crt`), the Alipay certificate
    /// (`alipayCertPublicKey_RSA2.crt`) and the Alipay root bundle (`alipayRootCert.crt`).
    ///
    /// Every request then carries `app_cert_sn` and `alipay_root_cert_sn`, and each answer is
    /// verified with the certificate its `alipay_cert_sn` names. When Alipay rotates its
    /// certificate, the client downloads the new one (`alipay.open.app.alipaycert.download`),
    /// accepts it only if it chains to the root bundle and is valid, and caches it.
    /// Notifications are verified with the configured Alipay certificate, then the learned ones.
    ///
    /// Exclusive with [`alipay_public_key`](Self::alipay_public_key) and
    /// [`verifier`](Self::verifier). [`build`](Self::build) checks that the app certificate is
    /// the app private key's; like Alipay's SDKs it does not check the validity period or the
    /// chain of the configured certificates. Errors name the field: `app_cert`, `alipay_cert`
    /// or `alipay_root_cert`.
    pub fn certificates(
        mut self,
        app_cert_pem: impl Into<String>,
        alipay_cert_pem: impl Into<String>,
        alipay_root_cert_pem: impl Into<String>,
    ) -> Self {
        self.certificates = Some(cert_mode::CertInput::Pems(
            app_cert_pem.into(),
            alipay_cert_pem.into(),
            alipay_root_cert_pem.into(),
        ));
        self
    }

    /// [`certificates`](Self::certificates) read from files (PEM), when the client is built.
    pub fn certificate_paths(
        mut self,
        app_cert: impl Into<PathBuf>,
        alipay_cert: impl Into<PathBuf>,
        alipay_root_cert: impl Into<PathBuf>,
    ) -> Self {
        self.certificates = Some(cert_mode::CertInput::Paths(
            app_cert.into(),
            alipay_cert.into(),
            alipay_root_cert.into(),
        ));
        self
    }

    /// [`certificates`](Self::certificates) from an already read [`CertConfig`].
    pub fn cert_config(mut self, config: CertConfig) -> Self {
        self.certificates = Some(cert_mode::CertInput::Config(Box::new(config)));
        self
    }

    /// The AES key of content encryption (接口内容加密方式, the base64 key of the console: 16,
    /// 24 or 32 bytes). With it, encrypted answers are decrypted (after their signature is
    /// verified), and requests are encrypted when [`encrypt_content`](Self::encrypt_content)
    /// or [`Call::encrypt`] asks for it. See [`crate::encrypt`].
    pub fn content_encryption_key(mut self, key_base64: impl Into<String>) -> Self {
        self.content_key = Some(zeroize::Zeroizing::new(key_base64.into()));
        self
    }

    /// Whether every call sends its `biz_content` encrypted (`encrypt_type=AES`) unless the call
    /// says otherwise with [`Call::encrypt`]; off by default. Needs
    /// [`content_encryption_key`](Self::content_encryption_key). Rendered requests (page forms,
    /// order strings) are never encrypted.
    pub fn encrypt_content(mut self, encrypt: bool) -> Self {
        self.encrypt_content = encrypt;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let app_id = self.app_id.unwrap_or_default();
        if app_id.trim().is_empty() {
            return Err(ConfigError::new("app_id", "is empty"));
        }
        if !app_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::new(
                "app_id",
                "must be the numeric app id from the open platform console",
            ));
        }
        let private_key = match self.private_key {
            Some(KeyInput::Text(text)) => Some(
                PrivateKey::parse_with(&text, self.backend)
                    .map_err(ConfigError::caused("app_private_key"))?,
            ),
            Some(KeyInput::Parsed(key)) => Some(key),
            None => None,
        };
        let alipay_key = match self.alipay_public_key {
            Some(KeyInput::Text(text)) => Some(
                PublicKey::parse_with(&text, self.backend)
                    .map_err(ConfigError::caused("alipay_public_key"))?,
            ),
            Some(KeyInput::Parsed(key)) => Some(key),
            None => None,
        };
        if let (Some(private), Some(public)) = (&private_key, &alipay_key)
            && private.public_key().same_key(public)
        {
            return Err(ConfigError::new(
                "alipay_public_key",
                "this is the app's own public key (it matches app_private_key); \
                 configure the Alipay public key (支付宝公钥) from the open platform console",
            ));
        }
        let cert = match self.certificates {
            Some(input) => {
                if alipay_key.is_some() {
                    return Err(ConfigError::new(
                        "alipay_public_key",
                        "cannot be combined with certificate mode: the Alipay public key comes \
                         from the Alipay certificate",
                    ));
                }
                if self.verifier.is_some() {
                    return Err(ConfigError::new(
                        "verifier",
                        "cannot be combined with certificate mode: answers are verified with \
                         the Alipay certificates",
                    ));
                }
                Some(cert_mode::build(
                    input,
                    self.backend,
                    private_key.as_ref(),
                    self.clock
                        .clone()
                        .unwrap_or_else(|| Arc::new(SystemTime::now)),
                )?)
            }
            None => None,
        };
        let content_key = match &self.content_key {
            Some(text) => Some(
                AesKey::from_base64(text).map_err(ConfigError::caused("content_encryption_key"))?,
            ),
            None => None,
        };
        if self.encrypt_content && content_key.is_none() {
            return Err(ConfigError::new(
                "content_encryption_key",
                "is missing: encrypt_content(true) needs the AES key",
            ));
        }
        let signer: Arc<dyn Signer> = match (self.signer, private_key) {
            (Some(signer), _) => signer,
            (None, Some(key)) => Arc::new(key),
            (None, None) => {
                return Err(ConfigError::new(
                    "app_private_key",
                    "is missing (set it, or a custom signer)",
                ));
            }
        };
        let verifier: Arc<dyn Verifier> = match (self.verifier, alipay_key, &cert) {
            (_, _, Some(cert)) => Arc::clone(&cert.keys) as Arc<dyn Verifier>,
            (Some(verifier), _, None) => verifier,
            (None, Some(key), None) => Arc::new(key),
            (None, None, None) => {
                return Err(ConfigError::new(
                    "alipay_public_key",
                    "is missing (set it, a custom verifier, or the certificates of \
                     certificate mode)",
                ));
            }
        };
        let gateway = self.gateway.url().to_owned();
        check_url("gateway", &gateway)?;
        if gateway.contains('?') {
            return Err(ConfigError::new(
                "gateway",
                "must not contain a query string",
            ));
        }
        if let Some(url) = &self.notify_url {
            check_url("notify_url", url)?;
        }
        if self.max_body == 0 {
            return Err(ConfigError::new("max_body_size", "must be at least 1 byte"));
        }
        let aes_key = match &self.aes_key {
            Some(text) => Some(AesKey::from_base64(text).map_err(ConfigError::caused("aes_key"))?),
            None => None,
        };
        let (net, transport_config) = self.net.build(self.connect_timeout)?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => Arc::new(
                HyperTransport::with_config(&transport_config)
                    .map_err(ConfigError::caused("transport"))?,
            ),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                app_id,
                signer,
                verifier,
                gateway,
                notify_url: self.notify_url,
                request_timeout: self.request_timeout,
                max_body: self.max_body,
                transport,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                aes_key,
                cert,
                content_key,
                encrypt_content: self.encrypt_content,
                net,
            }),
        })
    }
}

fn check_url(field: &'static str, url: &str) -> Result<(), ConfigError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| ConfigError::new(field, format!("`{url}` is not a URL: {e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some() => Ok(()),
        _ => Err(ConfigError::new(
            field,
            format!("`{url}` must be an absolute http(s) URL"),
        )),
    }
}

/// Per-call options, set on a [`Call`] (or a [`Render`]) without touching the request.
///
/// `Debug` shows only the first characters of `app_auth_token` and `auth_token`.
#[derive(Clone, Default)]
pub struct CallOptions {
    text: Vec<(&'static str, String)>,
    biz: Vec<(String, Value)>,
    timeout: Option<Duration>,
    /// Content encryption for this call; `None`: the client's default.
    encrypt: Option<bool>,
    total_timeout: Option<Duration>,
    idempotent: Option<bool>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Text<'a>(&'a [(&'static str, String)]);
        impl fmt::Debug for Text<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(key, value)| {
                        let shown = if matches!(*key, "app_auth_token" | "auth_token") {
                            redact(value)
                        } else {
                            value.clone()
                        };
                        (key, shown)
                    }))
                    .finish()
            }
        }
        f.debug_struct("CallOptions")
            .field("text", &Text(&self.text))
            .field("biz", &self.biz)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("idempotent", &self.idempotent)
            .field("encrypt", &self.encrypt)
            .finish()
    }
}

/// A token shortened for display: its first 4 characters and `…` (only `…` when it is shorter
/// than 12 characters, so at most a third of it shows).
fn redact(token: &str) -> String {
    if token.chars().count() < 12 {
        "…".to_owned()
    } else {
        let head: String = token.chars().take(4).collect();
        format!("{head}…")
    }
}

impl CallOptions {
    fn set_text(&mut self, key: &'static str, value: String) {
        self.text.retain(|(k, _)| *k != key);
        self.text.push((key, value));
    }

    /// Applies the options to encoded parameters: text options win over the configured notify
    /// URL; request arguments win over `optional` biz values.
    fn apply(&self, params: &mut Params, configured_notify_url: Option<&str>) {
        for (key, value) in &self.text {
            params.text_if_absent(key, value);
        }
        if let Some(url) = configured_notify_url {
            params.text_if_absent("notify_url", url);
        }
        for (key, value) in &self.biz {
            params.biz_if_absent(key, value);
        }
    }
}

macro_rules! option_setters {
    () => {
        /// Calls on behalf of a merchant that authorised this app (`app_auth_token`, for ISVs).
        pub fn agent(mut self, app_auth_token: impl Into<String>) -> Self {
            self.options
                .set_text("app_auth_token", app_auth_token.into());
            self
        }

        /// Calls with a user's authorisation (`auth_token`, from OAuth).
        pub fn auth(mut self, auth_token: impl Into<String>) -> Self {
            self.options.set_text("auth_token", auth_token.into());
            self
        }

        /// Sets `notify_url` for this call; wins over the client's configured notify URL.
        pub fn async_notify(mut self, url: impl Into<String>) -> Self {
            self.options.set_text("notify_url", url.into());
            self
        }

        /// Routes the call to a test backend (`ws_service_url`).
        pub fn route(mut self, url: impl Into<String>) -> Self {
            self.options.set_text("ws_service_url", url.into());
            self
        }

        /// Adds a `biz_content` field the request type does not have. A field the request
        /// itself sets wins.
        pub fn optional(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
            self.options.biz.push((key.into(), value.into()));
            self
        }

        /// [`optional`](Self::optional) for every entry.
        pub fn batch_optional<K, V>(mut self, values: impl IntoIterator<Item = (K, V)>) -> Self
        where
            K: Into<String>,
            V: Into<Value>,
        {
            for (key, value) in values {
                self.options.biz.push((key.into(), value.into()));
            }
            self
        }
    };
}

/// One call of a [`Request`], returned by [`Client::send`]: set per-call options, then `.await`
/// it.
///
/// ```no_run
/// # use alipay::{Client, Amount};
/// # use alipay::payment::common::TradeRefund;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let refund = TradeRefund::builder()
///     .out_trade_no("T1")
///     .refund_amount(Amount::new("0.50")?)
///     .build();
/// let answer = client
///     .send(refund)
///     .agent("app-auth-token-of-the-merchant")
///     .optional("refund_reason", "damaged")
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, R> {
    client: &'c Client,
    request: R,
    options: CallOptions,
}

impl<R> fmt::Debug for Call<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<R: Request> Call<'_, R> {
    option_setters!();

    /// The deadline of each attempt of this call, instead of the client's
    /// [`request_timeout`](ClientBuilder::request_timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Sends this call's `biz_content` encrypted (`encrypt_type=AES`), or not, whatever
    /// [`ClientBuilder::encrypt_content`] says. Encrypting needs
    /// [`ClientBuilder::content_encryption_key`] (else the call fails with a configuration
    /// error before anything is sent); a call without `biz_content` is sent as it is.
    pub fn encrypt(mut self, encrypt: bool) -> Self {
        self.options.encrypt = Some(encrypt);
        self
    }
}

impl<'c, R> IntoFuture for Call<'c, R>
where
    R: Request + Send + Sync + 'c,
    R::Response: Send,
{
    type Output = Result<R::Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.client.perform(&self.request, &self.options).await })
    }
}

/// A [`LocalRequest`] being rendered, returned by [`Client::render`]: set per-call options, then
/// produce the page form, the URL or the order string.
#[must_use = "a render does nothing until its output is produced"]
pub struct Render<'c, R> {
    client: &'c Client,
    request: R,
    options: CallOptions,
}

impl<R> fmt::Debug for Render<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Render")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<R: LocalRequest> Render<'_, R> {
    option_setters!();

    /// The signed parameters as an `application/x-www-form-urlencoded` order string, to hand to
    /// the Alipay app SDK (`alipay.trade.app.pay`).
    pub fn order_string(&self) -> Result<String, Error> {
        let signed = self.client.sign_request(&self.request, &self.options)?;
        Ok(sign::form_encode(signed.all_sorted()))
    }

    /// A GET URL carrying every signed parameter, `biz_content` included (e.g.
    /// `alipay.user.certify.open.certify`, or a page pay redirect).
    pub fn page_url(&self) -> Result<String, Error> {
        let signed = self.client.sign_request(&self.request, &self.options)?;
        Ok(format!(
            "{}?{}",
            self.client.inner.gateway,
            sign::form_encode(signed.all_sorted())
        ))
    }

    /// An auto-submitting HTML form that POSTs `biz_content` to the gateway, every other signed
    /// parameter being in the action URL (`alipay.trade.page.pay`, `alipay.trade.wap.pay`).
    pub fn page_form(&self) -> Result<String, Error> {
        let signed = self.client.sign_request(&self.request, &self.options)?;
        let action = format!(
            "{}?{}",
            self.client.inner.gateway,
            sign::form_encode(signed.query_sorted())
        );
        let biz = signed.biz_content.as_deref().unwrap_or("");
        Ok(format!(
            "<form name=\"punchout_form\" method=\"post\" action=\"{}\">\n\
             <input type=\"hidden\" name=\"biz_content\" value=\"{}\">\n\
             <input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n\
             </form>\n\
             <script>document.forms[0].submit();</script>",
            html_escape(&action),
            html_escape(biz)
        ))
    }
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A signed request's parameters.
struct Signed {
    /// System and text parameters plus `sign`, sorted by key.
    query: Vec<(String, String)>,
    biz_content: Option<String>,
}

impl Signed {
    fn query_sorted(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn all_sorted(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self.query_sorted().collect();
        if let Some(biz) = &self.biz_content {
            all.push(("biz_content", biz));
        }
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
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
        let checked = self
            .exchange(request, options, deadline, |answer| {
                self.check_answer(request, answer)
            })
            .await?;
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
                self.read_http_response(request, &answer)
            }
        }
    }

    /// [`Client::read_response`], except that an answer signed with an unknown Alipay
    /// certificate in certificate mode is kept for after the certificate is learned.
    fn check_answer<R: Request>(
        &self,
        request: &R,
        answer: &HttpResponse,
    ) -> Result<Checked<R::Response>, Error> {
        match self.read_http_response(request, answer) {
            Err(Error::Verify(VerifyError::UnknownCertificate(sn)))
                if self.inner.cert.is_some() =>
            {
                Ok(Checked::NewCertificate {
                    sn,
                    answer: answer.clone(),
                })
            }
            other => other.map(Checked::Done),
        }
    }

    /// The content encryption key of a call that encrypts, `None` for one that does not.
    fn call_content_key(&self, options: &CallOptions) -> Result<Option<&AesKey>, Error> {
        if !options.encrypt.unwrap_or(self.inner.encrypt_content) {
            return Ok(None);
        }
        match &self.inner.content_key {
            Some(key) => Ok(Some(key)),
            None => Err(ConfigError::new(
                "content_encryption_key",
                "is not set: an encrypted call (Call::encrypt(true)) needs the AES key",
            )
            .into()),
        }
    }

    /// The HTTP request for a call: system and text parameters and `sign` in the query string,
    /// `biz_content` in a form body (or multipart parts when the request has files).
    fn http_request<R: Request>(
        &self,
        request: &R,
        options: &CallOptions,
    ) -> Result<http::Request<Bytes>, Error> {
        let content_key = self.call_content_key(options)?;
        let (signed, files) = self.sign_with_files(request, options, content_key)?;
        let uri = format!(
            "{}?{}",
            self.inner.gateway,
            sign::form_encode(signed.query_sorted())
        );
        let builder = http::Request::post(uri);
        let request = if files.is_empty() {
            let body = match &signed.biz_content {
                Some(biz) => sign::form_encode([("biz_content", biz.as_str())]),
                None => String::new(),
            };
            builder
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded;charset=utf-8",
                )
                .body(Bytes::from(body))
        } else {
            let boundary = format!("alipay{:016x}", crate::crypto::random_u64());
            let body = multipart_body(&boundary, &signed, &files);
            builder
                .header(
                    http::header::CONTENT_TYPE,
                    format!("multipart/form-data;charset=utf-8;boundary={boundary}"),
                )
                .body(body)
        };
        request.map_err(|e| Error::Encode(crate::EncodeError::new(e.to_string())))
    }

    fn sign_request<M: Method + ?Sized>(
        &self,
        request: &M,
        options: &CallOptions,
    ) -> Result<Signed, Error> {
        self.sign_with_files(request, options, None)
            .map(|(signed, _)| signed)
    }

    /// Encodes a request, applies the per-call options, encrypts `biz_content` with
    /// `content_key` if given, and signs everything but the files.
    fn sign_with_files<M: Method + ?Sized>(
        &self,
        request: &M,
        options: &CallOptions,
        content_key: Option<&AesKey>,
    ) -> Result<(Signed, Vec<(String, crate::request::FilePart)>), Error> {
        let mut params = Params::new();
        request.encode(&mut params)?;
        options.apply(&mut params, self.inner.notify_url.as_deref());
        let biz_content = if params.biz_params().is_empty() {
            None
        } else {
            Some(serde_json::to_string(params.biz_params()).map_err(crate::EncodeError::json)?)
        };
        // Encrypted first, then signed (先加密后加签).
        let (biz_content, encrypted) = match (biz_content, content_key) {
            (Some(json), Some(key)) => (Some(encrypt::encrypt_biz_content(key, &json)), true),
            (biz, _) => (biz, false),
        };
        let mut extra: Vec<(&str, &str)> = Vec::with_capacity(EXTRA_SYSTEM_KEYS.len());
        if let Some(cert) = &self.inner.cert {
            extra.push(("app_cert_sn", &cert.app_cert_sn));
            extra.push(("alipay_root_cert_sn", &cert.alipay_root_cert_sn));
        }
        if encrypted {
            extra.push(("encrypt_type", encrypt::ENCRYPT_TYPE_AES));
        }
        let timestamp = sign::beijing_timestamp((self.inner.clock)());
        let system: [(&str, &str); SYSTEM_KEYS.len()] = [
            ("app_id", &self.inner.app_id),
            ("method", request.method()),
            ("format", "JSON"),
            ("charset", REQUEST_CHARSET.param()),
            ("sign_type", "RSA2"),
            ("timestamp", &timestamp),
            ("version", "1.0"),
            ("alipay_sdk", SDK_NAME),
        ];
        let mut query: Vec<(String, String)> = system
            .iter()
            .chain(&extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        for (key, value) in params.text_params() {
            let reserved = key == "sign"
                || key == "biz_content"
                || system.iter().any(|(k, _)| k == key)
                || EXTRA_SYSTEM_KEYS.contains(&key.as_str());
            if !reserved && !value.is_empty() {
                query.push((key.clone(), value.clone()));
            }
        }
        let content = sign::sign_content(
            query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain(biz_content.as_deref().map(|b| ("biz_content", b))),
        );
        let signature = self
            .inner
            .signer
            .sign(content.as_bytes())
            .map_err(Error::Sign)?;
        query.push(("sign".to_owned(), signature));
        query.sort_by(|a, b| a.0.cmp(&b.0));
        let files = params.files().to_vec();
        Ok((Signed { query, biz_content }, files))
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

    fn read_answer<R: Request>(
        &self,
        request: &R,
        status: u16,
        body: &[u8],
        declared: Charset,
    ) -> Result<R::Response, Error> {
        let body = answer_body(status, body)?;
        let key = request.response_key();
        let envelope = response::split_declared(body, &key, declared)?;
        match (&envelope.sign, envelope.node) {
            (Some(signature), _) => match &self.inner.cert {
                // Certificate mode: the key of the certificate the answer names.
                Some(cert) => cert
                    .keys
                    .key_for(envelope.alipay_cert_sn.as_deref())?
                    .verify(envelope.signed, signature)?,
                None => self.inner.verifier.verify(envelope.signed, signature)?,
            },
            (None, Node::Error) => {
                return Err(Error::Gateway(parse_status(&envelope.content)?));
            }
            (None, Node::Method) => return Err(VerifyError::MissingSign.into()),
        }
        // An encrypted node is decrypted only now that its signature (over the quoted
        // ciphertext) verified.
        let content = encrypt::decrypt_node(self.inner.content_key.as_ref(), &envelope.content)?;
        let status = parse_status(&content)?;
        if envelope.node == Node::Error || status.code != "10000" {
            return Err(Error::Api(status));
        }
        serde_json::from_str(&content).map_err(|source| Error::Decode { source })
    }
}

/// What checking an answer gave: the response, or (certificate mode) an answer to verify once
/// the Alipay certificate it names is learned.
enum Checked<T> {
    Done(T),
    NewCertificate { sn: String, answer: HttpResponse },
}

/// The body of a 2xx answer; an error status is [`Error::HttpStatus`].
fn answer_body(status: u16, body: &[u8]) -> Result<&[u8], Error> {
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus {
            status,
            snippet: crate::redact::snippet(body),
        });
    }
    Ok(body)
}

/// Reads `code`, `msg`, `sub_code` and `sub_msg` from a node. A node without `code` is a success
/// (e.g. `alipay.system.oauth.token` answers carry no code).
fn parse_status(content: &str) -> Result<ApiError, ResponseError> {
    #[derive(serde::Deserialize)]
    struct Status {
        code: Option<String>,
        #[serde(default)]
        msg: String,
        sub_code: Option<String>,
        sub_msg: Option<String>,
    }
    let status: Status = serde_json::from_str(content).map_err(|e| {
        let reason = format!("the answer node is not an object: {e}");
        ResponseError::Malformed(crate::redact::text(&reason).into_owned())
    })?;
    let mut error = ApiError::new(
        status.code.unwrap_or_else(|| "10000".to_owned()),
        status.msg,
    );
    error.sub_code = status.sub_code;
    error.sub_msg = status.sub_msg;
    Ok(crate::redact::api_error(error))
}

/// The character set every request declares (its `charset` parameter), and so the one its answer
/// is read in.
pub(crate) const REQUEST_CHARSET: Charset = Charset::Utf8;

/// The system parameters every call carries, in the order they are built.
const SYSTEM_KEYS: [&str; 8] = [
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "timestamp",
    "version",
    "alipay_sdk",
];

/// The system parameters of certificate mode and content encryption, when they apply.
const EXTRA_SYSTEM_KEYS: [&str; 3] = ["app_cert_sn", "alipay_root_cert_sn", "encrypt_type"];

/// A multipart body: a text part for every text parameter (and `biz_content` when present),
/// then the files. System parameters and `sign` travel in the query string only. Byte layout as
/// Alipay's own SDKs write it.
fn multipart_body(
    boundary: &str,
    signed: &Signed,
    files: &[(String, crate::request::FilePart)],
) -> Bytes {
    let mut body =
        Vec::with_capacity(files.iter().map(|(_, f)| f.content().len()).sum::<usize>() + 1024);
    let text_parts = signed
        .query
        .iter()
        .filter(|(k, _)| {
            k != "sign"
                && !SYSTEM_KEYS.contains(&k.as_str())
                && !EXTRA_SYSTEM_KEYS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(signed.biz_content.as_deref().map(|b| ("biz_content", b)));
    for (key, value) in text_parts {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition:form-data;name=\"{key}\"\r\nContent-Type:text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
    }
    for (name, file) in files {
        let filename = file.filename().replace(['"', '\r', '\n'], "_");
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition:form-data;name=\"{name}\";filename=\"{filename}\"\r\nContent-Type:application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.content());
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Bytes::from(body)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::EncodeError;

    const APP_KEY: &str = include_str!("../tests/fixtures/keys/app_private_pkcs8.pem");
    const APP_PUBLIC: &str = include_str!("../tests/fixtures/keys/app_public.b64");
    const ALIPAY_PUBLIC: &str = include_str!("../tests/fixtures/keys/alipay_public.b64");

    /// A hand-written request with one biz field and one text field.
    struct Probe;

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

    fn client(notify_url: Option<&str>) -> Client {
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

    fn params(signed: &Signed) -> BTreeMap<String, String> {
        signed.query.iter().cloned().collect()
    }

    #[test]
    fn signs_system_text_and_biz_params_in_beijing_time() {
        let client = client(None);
        let signed = client
            .sign_request(&Probe, &CallOptions::default())
            .expect("signed");
        let query = params(&signed);
        assert_eq!(query["timestamp"], "2020-03-20 12:00:00");
        assert_eq!(query["method"], "alipay.test.probe");
        assert_eq!(query["app_id"], "2021000000000001");
        assert_eq!(query["return_url"], "https://m.example/return?a=1&b=2");
        assert!(!query.contains_key("biz_content"));
        let biz = signed.biz_content.clone().expect("biz_content");
        let content = sign::sign_content(
            query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain([("biz_content", biz.as_str())]),
        );
        let app_public = PublicKey::parse(APP_PUBLIC).expect("key");
        app_public
            .verify(content.as_bytes(), &query["sign"])
            .expect("the signature covers every parameter but sign");
    }

    #[test]
    fn options_apply_with_the_documented_precedence() {
        let client = client(Some("https://m.example/configured"));
        let mut options = CallOptions::default();
        let signed = client.sign_request(&Probe, &options).expect("signed");
        assert_eq!(
            params(&signed)["notify_url"],
            "https://m.example/configured"
        );

        options.set_text("notify_url", "https://m.example/per-call".into());
        options.set_text("app_auth_token", "token".into());
        options
            .biz
            .push(("subject".into(), Value::from("overridden?")));
        options.biz.push(("extra".into(), Value::from(1)));
        let signed = client.sign_request(&Probe, &options).expect("signed");
        let query = params(&signed);
        assert_eq!(query["notify_url"], "https://m.example/per-call");
        assert_eq!(query["app_auth_token"], "token");
        let biz: Value =
            serde_json::from_str(signed.biz_content.as_deref().unwrap_or("{}")).expect("json");
        assert_eq!(
            biz["subject"], "<b>tea & \"cake\"</b>",
            "request arguments win"
        );
        assert_eq!(biz["extra"], 1);
    }

    #[test]
    fn the_page_form_escapes_html() {
        let client = client(None);
        let form = client.render(Probe).page_form().expect("form");
        assert!(form.starts_with(
            "<form name=\"punchout_form\" method=\"post\" action=\"https://gw.example/gateway.do?"
        ));
        assert!(!form.contains("<b>"), "{form}");
        assert!(
            form.contains(
                "&quot;subject&quot;:&quot;&lt;b&gt;tea &amp; \\&quot;cake\\&quot;&lt;/b&gt;&quot;"
            ),
            "{form}"
        );
        assert!(form.ends_with("<script>document.forms[0].submit();</script>"));
        let url = client.render(Probe).page_url().expect("url");
        assert!(
            url.starts_with("https://gw.example/gateway.do?alipay_sdk="),
            "{url}"
        );
        assert!(url.contains("&biz_content=%7B%22subject%22"), "{url}");
        let order = client
            .render(Probe)
            .agent("tok")
            .order_string()
            .expect("order");
        assert!(order.starts_with("alipay_sdk="), "{order}");
        assert!(order.contains("&app_auth_token=tok&app_id=2021000000000001&biz_content="));
    }

    #[test]
    fn the_configuration_is_not_printed_with_keys() {
        let debug = format!("{:?}", client(None));
        assert!(debug.contains("2021000000000001"));
        assert!(!debug.contains("PRIVATE"));
        assert!(!debug.contains(&APP_KEY[40..80]));
    }
}
