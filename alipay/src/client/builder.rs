//! [`ClientBuilder`]: every setter, and the checks of [`build`](ClientBuilder::build).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::Semaphore;
use zeroize::Zeroizing;

#[cfg(doc)]
use super::Call;
use super::exchange::{Net, ResponseHook, ResponseRecord};
use super::prepare::AppSigner;
use super::{Client, Clock, Gateway, Inner, cert_mode};
use crate::cert::CertConfig;
use crate::crypto::{AesKey, AsyncSigner, Backend, PrivateKey, PublicKey, Signer, Verifier};
use crate::error::ConfigError;
#[cfg(doc)]
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::transport::{self, HyperTransport, Proxy, TlsConfig, Transport, TransportConfig};

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;
/// The default bound on requests in flight per client.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;

/// Builds a [`Client`]; see [`Client::builder`]. Every input is checked by
/// [`build`](ClientBuilder::build), which names the field at fault.
#[must_use]
pub struct ClientBuilder {
    app_id: Option<String>,
    private_key: Option<KeyInput<PrivateKey>>,
    signer: Option<AppSigner>,
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
    encrypt_content: bool,
    net: NetOptions,
    v3: super::v3::V3Options,
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
    pub(super) fn new() -> Self {
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
            encrypt_content: false,
            net: NetOptions::default(),
            v3: super::v3::V3Options::default(),
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

    /// A custom signer that answers at once (e.g. a local HSM library) instead of a private key.
    pub fn signer(mut self, signer: impl Signer) -> Self {
        self.signer = Some(AppSigner::Local(Arc::new(signer)));
        self
    }

    /// A signer that awaits (a KMS, a signing service over the network) instead of a private
    /// key. It must answer within the call's deadline (the [total](Self::total_timeout) one, or
    /// else the [per-attempt](Self::request_timeout) one), or the call fails with
    /// [`Error::Sign`](crate::Error::Sign) without sending anything. Rendering
    /// ([`Client::render`](crate::Client::render)) needs a synchronous signer: with this one it
    /// is [`Error::Sign`](crate::Error::Sign). See [`AsyncSigner`].
    pub fn async_signer(mut self, signer: impl AsyncSigner) -> Self {
        self.signer = Some(AppSigner::Remote(Arc::new(signer)));
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

    /// The AES key of content encryption (接口内容加密方式) from the open platform console, in
    /// base64 (16, 24 or 32 bytes); checked by [`build`](Self::build). The one key for every
    /// use: encrypted answers are decrypted with it (after their signature is verified),
    /// requests are encrypted with it when [`encrypt_content`](Self::encrypt_content) or
    /// [`Call::encrypt`] asks for it (see [`crate::encrypt`]), and [`Client::aes_encrypt`] /
    /// [`Client::aes_decrypt`] use it.
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

    /// Whether every call sends its `biz_content` encrypted (`encrypt_type=AES`) unless the call
    /// says otherwise with [`Call::encrypt`]; off by default. Needs
    /// [`aes_key`](Self::aes_key). Rendered requests (page forms,
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
        let aes_key = match &self.aes_key {
            Some(text) => Some(AesKey::from_base64(text).map_err(ConfigError::caused("aes_key"))?),
            None => None,
        };
        if self.encrypt_content && aes_key.is_none() {
            return Err(ConfigError::new(
                "aes_key",
                "is missing: encrypt_content(true) needs the AES key",
            ));
        }
        let signer = match (self.signer, private_key) {
            (Some(signer), _) => signer,
            (None, Some(key)) => AppSigner::Local(Arc::new(key)),
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
        let (net, transport_config) = self.net.build(self.connect_timeout)?;
        let v3 = self.v3.build(&gateway)?;
        let transport = match self.transport {
            Some(transport) => transport,
            None => HyperTransport::configured(&transport_config)
                .map_err(ConfigError::caused("transport"))?,
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
                encrypt_content: self.encrypt_content,
                net,
                v3,
            }),
        })
    }
}

pub(super) fn check_url(field: &'static str, url: &str) -> Result<(), ConfigError> {
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

/// Reliability, limits, TLS and observability.
impl ClientBuilder {
    /// A deadline for a whole call: waiting for a slot under
    /// [`max_in_flight`](Self::max_in_flight), every attempt and the waits between retries.
    /// When it passes, the call ends with [`Error::Timeout`] carrying this duration, and no
    /// retry starts whose wait would end after it.
    ///
    /// Default: none, so a call is bounded by the per-attempt
    /// [`request_timeout`](Self::request_timeout) times the attempts, plus the backoffs (and the
    /// wait for a slot, which is then unbounded). Per call: [`Call::total_timeout`].
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.net.total_timeout = Some(timeout);
        self
    }

    /// Retries failed calls when it is safe (default: [`RetryPolicy::disabled`]): see
    /// [`crate::retry`] for which failures of which calls are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.net.retry = policy;
        self
    }

    /// The largest number of requests this client (and its clones) has in flight at once
    /// (default 256). Calls over the bound wait for a slot; they do not fail, but the wait
    /// counts against the [total deadline](Self::total_timeout).
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.net.max_in_flight = max;
        self
    }

    /// The largest number of headers in an answer (default 100); an answer with more is a
    /// [`Error::Transport`]. Applies to the default transport.
    pub fn max_response_headers(mut self, max: usize) -> Self {
        self.net.max_headers = Some(max);
        self
    }

    /// The largest read buffer of a connection, which bounds the size of an answer's status line
    /// and headers (default: hyper's, about 400 KiB; at least 8192 bytes). An answer whose head
    /// does not fit is a [`Error::Transport`]. The body is bounded separately by
    /// [`max_body_size`](Self::max_body_size). Applies to the default transport.
    pub fn max_response_header_bytes(mut self, bytes: usize) -> Self {
        self.net.max_header_bytes = Some(bytes);
        self
    }

    /// Trusts **only** the root certificates in `pem` (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks), **instead of** Mozilla's web roots, e.g. for a gateway behind a private CA.
    /// Combined with [`add_root_certificates`](Self::add_root_certificates), the roots of both
    /// are trusted. Certificates are always verified (hostname, validity, chain) against these
    /// roots. Applies to the default transport.
    pub fn tls_root_certificates(mut self, pem: impl Into<String>) -> Self {
        self.net.root_pems.push(pem.into());
        self.net.replace_web_roots = true;
        self
    }

    /// Trusts the root certificates in `pem` **in addition to** Mozilla's web roots (e.g. a
    /// corporate TLS-inspecting proxy's CA). Applies to the default transport.
    pub fn add_root_certificates(mut self, pem: impl Into<String>) -> Self {
        self.net.root_pems.push(pem.into());
        self
    }

    /// **Dangerous**: accepts any server certificate, so anyone on the network path can pose
    /// as the gateway, read every request (`app_auth_token`s included) and answer what it likes
    /// (answers are still verified with the Alipay public key, so forged data is refused, but
    /// calls can be made to fail). Only for a local test gateway with a self-signed
    /// certificate; prefer [`tls_root_certificates`](Self::tls_root_certificates) with that
    /// certificate.
    ///
    /// The TLS handshake's signatures are still checked (the server must hold the key of the
    /// certificate it shows). Off by default; turning it on logs a warning when the client is
    /// built. Applies to the default transport.
    pub fn danger_accept_invalid_certificates(mut self, accept: bool) -> Self {
        self.net.accept_invalid_certificates = accept;
        self
    }

    /// Sends every call through the HTTP proxy at `url` (`http://[user:password@]host:port`):
    /// a `CONNECT` tunnel for an `https://` gateway, inside which TLS runs end to end with the
    /// gateway (the proxy sees neither the requests nor the answers), and absolute-form requests
    /// for an `http://` one. The userinfo's user and password (percent-decoded) are sent as
    /// `Proxy-Authorization: Basic`; they are secrets and appear in no `Debug`, error or log.
    /// A proxy that refuses the tunnel (e.g. `407` for wrong credentials) makes the call fail
    /// with [`Error::Connect`](crate::Error::Connect), whose source names the proxy by host and
    /// port and says why; nothing was sent to the gateway. Applies to the default transport;
    /// replaces [`proxy_from_env`](Self::proxy_from_env). See also
    /// [`no_proxy`](Self::no_proxy).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.net.proxy = ProxyOptions::Url(Zeroizing::new(url.into()));
        self
    }

    /// Hosts that [`proxy`](Self::proxy) does not apply to, in `NO_PROXY` syntax:
    /// comma-separated host names, domains (`alipay.com` also matches its subdomains),
    /// IP addresses and CIDR blocks, or `*` for all.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.net.no_proxy = hosts.into();
        self
    }

    /// Opt-in: takes the proxy from the environment, as curl does: `HTTPS_PROXY` (or
    /// `https_proxy`) for `https://` gateways, `HTTP_PROXY` (or `http_proxy`; ignored when
    /// `REQUEST_METHOD` is set, as under CGI) for `http://` ones, `ALL_PROXY` for both, and the
    /// exceptions from `NO_PROXY` (or `no_proxy`). A variable that is not an `http://` URL is
    /// ignored. Read when the client is built (hyper-util's proxy matcher). Replaces
    /// [`proxy`](Self::proxy); [`no_proxy`](Self::no_proxy) does not apply.
    pub fn proxy_from_env(mut self) -> Self {
        self.net.proxy = ProxyOptions::Env;
        self
    }

    /// Calls `hook` with every answer received (each attempt's), before the answer is checked:
    /// its method, HTTP status, raw body and timing. For audit logs of what the gateway sent.
    /// The hook runs on the caller's task: keep it quick, and do not panic in it.
    pub fn on_response(
        mut self,
        hook: impl Fn(&ResponseRecord<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.net.on_response = Some(Arc::new(hook));
        self
    }
}

/// The reliability options of a [`ClientBuilder`].
#[derive(Clone)]
pub(super) struct NetOptions {
    retry: RetryPolicy,
    total_timeout: Option<Duration>,
    max_in_flight: usize,
    max_headers: Option<usize>,
    max_header_bytes: Option<usize>,
    root_pems: Vec<String>,
    replace_web_roots: bool,
    accept_invalid_certificates: bool,
    proxy: ProxyOptions,
    no_proxy: String,
    on_response: Option<ResponseHook>,
}

/// Where the proxy comes from.
#[derive(Clone, Default)]
enum ProxyOptions {
    #[default]
    None,
    /// [`ClientBuilder::proxy`]'s URL (it may hold a password).
    Url(Zeroizing<String>),
    /// [`ClientBuilder::proxy_from_env`].
    Env,
}

impl Default for NetOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::disabled(),
            total_timeout: None,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_headers: None,
            max_header_bytes: None,
            root_pems: Vec::new(),
            replace_web_roots: false,
            accept_invalid_certificates: false,
            proxy: ProxyOptions::None,
            no_proxy: String::new(),
            on_response: None,
        }
    }
}

impl NetOptions {
    /// Checks the options; returns the client's part and the default transport's settings.
    pub(super) fn build(
        self,
        connect_timeout: Duration,
    ) -> Result<(Net, TransportConfig), ConfigError> {
        if self.total_timeout == Some(Duration::ZERO) {
            return Err(ConfigError::new("total_timeout", "must be more than zero"));
        }
        if self.max_in_flight == 0 || self.max_in_flight > Semaphore::MAX_PERMITS {
            return Err(ConfigError::new(
                "max_in_flight",
                format!("must be between 1 and {}", Semaphore::MAX_PERMITS),
            ));
        }
        if self.max_headers == Some(0) {
            return Err(ConfigError::new(
                "max_response_headers",
                "must be at least 1",
            ));
        }
        if self
            .max_header_bytes
            .is_some_and(|bytes| bytes < transport::MIN_BUFFER)
        {
            return Err(ConfigError::new(
                "max_response_header_bytes",
                format!("must be at least {} bytes", transport::MIN_BUFFER),
            ));
        }
        let mut roots = Vec::new();
        for pem in &self.root_pems {
            roots.extend(
                transport::parse_root_certificates(pem)
                    .map_err(|reason| ConfigError::new("tls_root_certificates", reason))?,
            );
        }
        let transport = TransportConfig {
            connect_timeout,
            max_headers: self.max_headers,
            max_buffer: self.max_header_bytes,
            tls: TlsConfig {
                roots,
                replace_web_roots: self.replace_web_roots,
                accept_invalid_certificates: self.accept_invalid_certificates,
            },
            proxy: match &self.proxy {
                ProxyOptions::None => None,
                ProxyOptions::Url(url) => {
                    transport::check_proxy_url(url)
                        .map_err(|reason| ConfigError::new("proxy", reason))?;
                    Some(Proxy::explicit(url, &self.no_proxy))
                }
                ProxyOptions::Env => Some(Proxy::from_env()),
            },
        };
        let net = Net {
            retry: self.retry,
            total_timeout: self.total_timeout,
            max_in_flight: self.max_in_flight,
            in_flight: Arc::new(Semaphore::new(self.max_in_flight)),
            on_response: self.on_response,
        };
        Ok((net, transport))
    }
}

/// OpenAPI v3.
impl ClientBuilder {
    /// The protocol of calls (default [`Protocol::V2`](crate::v3::Protocol::V2)). With [`Protocol::V3`](crate::v3::Protocol::V3), a request that
    /// has a v3 route goes over OpenAPI v3; one without still goes over v2. Per call:
    /// [`Call::protocol`]. See [`crate::v3`].
    pub fn protocol(mut self, protocol: crate::v3::Protocol) -> Self {
        self.v3.protocol = protocol;
        self
    }

    /// Where v3 calls go: a scheme, host and port, e.g. `https://openapi.alipay.com`. Default:
    /// the scheme, host and port of the [gateway](Self::gateway) (the local sandbox serves both
    /// protocols on one port).
    pub fn v3_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.v3.endpoint = Some(endpoint.into());
        self
    }
}
