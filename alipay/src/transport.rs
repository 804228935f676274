//! The HTTP layer under the client: a small trait, so tests and users can swap it, and the
//! default implementation on hyper 1's HTTP/1.1 connections, kept alive in a pool of its own
//! (capped per origin and expiring; see `transport/pool.rs`), opened by a connector that is
//! rustls (aws-lc-rs, Mozilla's web roots; certificate verification on unless turned off
//! explicitly with
//! [`ClientBuilder::danger_accept_invalid_certificates`](crate::ClientBuilder::danger_accept_invalid_certificates))
//! over TCP by default, and any `tower_service::Service<http::Uri>` otherwise (a proxy tunnel,
//! for example: [`HyperTransport::with_connector`]).

mod pool;
mod proxy;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1;
use hyper::rt::{Read, Write};
use hyper_util::client::legacy::connect::HttpConnector;
use rustls::pki_types::CertificateDer;
use tower_service::Service;

use crate::error::{BoxError, ConnectError, ConnectStep, Error, TransportError, TransportStep};
use crate::response::Charset;
use pool::{Pool, PoolConfig};
use proxy::ProxyConnector;
pub(crate) use proxy::{Proxy, ProxyError, check_url as check_proxy_url};

/// A boxed, sendable future, as returned by [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The response header in which Alipay's gateway names the exchange (`trace_id`), quoted when
/// asking Alipay's support about a call.
pub const TRACE_ID_HEADER: &str = "trace_id";

/// The longest trace id kept; longer values are cut (they are logged).
const MAX_TRACE_ID: usize = 128;

/// An HTTP answer: its status, its whole body and the gateway's trace id.
///
/// Build one with [`HttpResponse::new`] in a custom [`Transport`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, at most the limit given to [`Transport::send`].
    pub body: Bytes,
    /// The gateway's `trace_id` response header, if present (printable ASCII, at most 128
    /// characters).
    pub trace_id: Option<String>,
    /// The character set named by the `Content-Type` header, if it names one the client knows.
    /// For the record only: the client reads an answer in the character set its request
    /// declared, never in the one the (unsigned) header names.
    pub charset: Option<Charset>,
    /// The answer's `alipay-*` headers: those of an OpenAPI v3 answer's signature
    /// (`alipay-signature`, `alipay-timestamp`, `alipay-nonce`, `alipay-sn`) and its
    /// `alipay-trace-id`; see [`crate::v3::answer`]. Not trusted until verified.
    pub headers: http::HeaderMap,
}

impl HttpResponse {
    /// An answer with a status and a body, without a trace id.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            body: body.into(),
            trace_id: None,
            charset: None,
            headers: http::HeaderMap::new(),
        }
    }

    /// Adds a header; only `alipay-*` headers are kept (see [`HttpResponse::headers`]). A name
    /// or value that is not a valid header is dropped.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::try_from(name),
            http::HeaderValue::try_from(value),
        ) && name.as_str().starts_with("alipay-")
        {
            self.headers.append(name, value);
        }
        self
    }

    /// Sets the character set from a `Content-Type` value (see [`Charset::from_content_type`]).
    pub fn with_content_type(mut self, content_type: &str) -> Self {
        self.charset = Charset::from_content_type(content_type);
        self
    }

    /// Sets the trace id (see [`TRACE_ID_HEADER`]). Values that are not printable ASCII are
    /// dropped and long ones cut, so the id is safe to log.
    pub fn with_trace_id(mut self, trace_id: impl AsRef<str>) -> Self {
        self.trace_id = clean_trace_id(trace_id.as_ref());
        self
    }
}

fn clean_trace_id(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    Some(value[..value.len().min(MAX_TRACE_ID)].to_owned())
}

/// Sends one HTTP request and reads the whole answer.
///
/// Implementations classify failures into [`Error::Connect`] (nothing was sent),
/// [`Error::Transport`] (the request may have been sent) and [`Error::BodyTooLarge`]. The client
/// applies the per-request deadline around this call.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and reads at most `max_body` bytes of the answer.
    fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>>;
}

/// The connector of the default transport: rustls over TCP for `https://` gateways, plain TCP
/// for `http://` ones such as the local sandbox.
pub type DefaultConnector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The default transport: HTTP/1.1 on keep-alive connections that are reused (a call takes an
/// idle connection or opens one, and gives it back before it returns). A request that a reused
/// connection fails to start (the server closed it while idle) is sent on another connection.
///
/// Connections are opened by the connector `C`: by default ([`DefaultConnector`]) rustls over
/// TCP, or plain HTTP for `http://` gateways. Any `tower_service::Service<http::Uri>` whose
/// connections implement hyper's `Read` and `Write` can take its place
/// ([`HyperTransport::with_connector`]), e.g. hyper-util's proxy `Tunnel`.
///
/// At most 32 idle connections are kept per origin ([`HyperTransport::max_idle_per_origin`]),
/// each for at most 60 s ([`HyperTransport::idle_timeout`]). Clones share the connections.
pub struct HyperTransport<C = DefaultConnector> {
    pool: Arc<Pool<C>>,
    /// The proxy that plain `http://` requests are forwarded through (absolute form).
    forward: Option<Proxy>,
}

impl<C> Clone for HyperTransport<C> {
    fn clone(&self) -> Self {
        Self {
            pool: Arc::clone(&self.pool),
            forward: self.forward.clone(),
        }
    }
}

impl<C> std::fmt::Debug for HyperTransport<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = self.pool.config();
        f.debug_struct("HyperTransport")
            .field("max_idle_per_origin", &config.max_idle_per_origin)
            .field("idle_timeout", &config.idle_timeout)
            .finish_non_exhaustive()
    }
}

/// The settings of the default transport, set through the
/// [`ClientBuilder`](crate::ClientBuilder).
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    /// The deadline of the TCP connect.
    pub(crate) connect_timeout: Duration,
    /// The largest number of response headers (hyper's default: 100).
    pub(crate) max_headers: Option<usize>,
    /// The largest read buffer of a connection, which bounds the response head (hyper's default:
    /// about 400 KiB; at least 8 KiB).
    pub(crate) max_buffer: Option<usize>,
    /// Which certificates are trusted.
    pub(crate) tls: TlsConfig,
    /// The outbound proxy, if any.
    pub(crate) proxy: Option<Proxy>,
}

/// Which server certificates the default transport accepts.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsConfig {
    /// Root certificates trusted in addition to (or instead of) the web roots.
    pub(crate) roots: Vec<CertificateDer<'static>>,
    /// Trust `roots` only, not Mozilla's web roots.
    pub(crate) replace_web_roots: bool,
    /// Accept any certificate (handshake signatures are still checked).
    pub(crate) accept_invalid_certificates: bool,
}

/// The smallest read buffer hyper accepts (it panics below).
pub(crate) const MIN_BUFFER: usize = 8192;

impl HyperTransport {
    /// A transport whose TCP connect (plus TLS handshake start) must finish within
    /// `connect_timeout`, trusting Mozilla's web roots.
    pub fn new(connect_timeout: Duration) -> Result<Self, BoxError> {
        Self::with_config(&TransportConfig {
            connect_timeout,
            max_headers: None,
            max_buffer: None,
            tls: TlsConfig::default(),
            proxy: None,
        })
    }

    fn with_config(config: &TransportConfig) -> Result<Self, BoxError> {
        let https = tls_builder(config)?.wrap_connector(tcp_connector(config));
        Ok(Self::from_parts(https, http1_builder(config)))
    }

    /// The default transport with `config`'s settings: through its proxy if it has one.
    pub(crate) fn configured(config: &TransportConfig) -> Result<Arc<dyn Transport>, BoxError> {
        let Some(proxy) = &config.proxy else {
            return Ok(Arc::new(Self::with_config(config)?));
        };
        let connector = ProxyConnector::new(tcp_connector(config), proxy.clone());
        let https = tls_builder(config)?.wrap_connector(connector);
        let mut transport = HyperTransport::from_parts(https, http1_builder(config));
        transport.forward = Some(proxy.clone());
        Ok(Arc::new(transport))
    }
}

/// The TCP connector of the default transport.
fn tcp_connector(config: &TransportConfig) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(config.connect_timeout));
    http.set_nodelay(true);
    http.enforce_http(false);
    http
}

/// The TLS layer of the default transport (plain TCP for `http://` URLs).
fn tls_builder(
    config: &TransportConfig,
) -> Result<
    hyper_rustls::HttpsConnectorBuilder<hyper_rustls::builderstates::WantsProtocols2>,
    BoxError,
> {
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_client_config(&config.tls)?)
        .https_or_http()
        .enable_http1())
}

/// The HTTP/1.1 settings of the default transport.
fn http1_builder(config: &TransportConfig) -> http1::Builder {
    let mut http1 = http1::Builder::new();
    if let Some(max) = config.max_headers {
        http1.max_headers(max);
    }
    if let Some(max) = config.max_buffer {
        // hyper panics below its minimum; the builder checks it too.
        http1.max_buf_size(max.max(MIN_BUFFER));
    }
    http1
}

impl<C> HyperTransport<C> {
    /// A transport whose connections `connector` opens: it is called with the origin of each
    /// new connection (`https://openapi.alipay.com/`) and does what the connection needs (TCP,
    /// a proxy's `CONNECT`, TLS); the transport speaks HTTP/1.1 on what it returns. A connector
    /// that does not do TLS itself only suits `http://` gateways.
    ///
    /// The connector is a `tower_service::Service<http::Uri>` whose connections implement
    /// hyper's `Read` and `Write` (as hyper-util's `TokioIo` does), e.g. hyper-util's
    /// `client::legacy::connect::proxy::Tunnel` over its `HttpConnector`, possibly wrapped in
    /// hyper-rustls's `HttpsConnector`.
    pub fn with_connector(connector: C) -> Self {
        Self::from_parts(connector, http1::Builder::new())
    }

    fn from_parts(connector: C, http1: http1::Builder) -> Self {
        Self {
            pool: Arc::new(Pool::new(connector, http1, PoolConfig::default())),
            forward: None,
        }
    }

    /// Keeps at most `max` idle connections per origin (scheme, host and port; 32 by default):
    /// a connection given back past the cap closes the one idle the longest. `0` keeps none,
    /// so that every call opens a connection.
    ///
    /// The transport returned starts with no connections of its own.
    pub fn max_idle_per_origin(self, max: usize) -> Self
    where
        C: Clone,
    {
        let config = PoolConfig {
            max_idle_per_origin: max,
            ..self.pool.config()
        };
        self.reconfigured(config)
    }

    /// Closes a connection once it has been idle for `timeout` (60 s by default), before the
    /// server is likely to: a connection closed by the server while idle costs the call that
    /// finds it a retry on a new connection.
    ///
    /// The transport returned starts with no connections of its own.
    pub fn idle_timeout(self, timeout: Duration) -> Self
    where
        C: Clone,
    {
        let config = PoolConfig {
            idle_timeout: timeout,
            ..self.pool.config()
        };
        self.reconfigured(config)
    }

    fn reconfigured(self, config: PoolConfig) -> Self
    where
        C: Clone,
    {
        Self {
            pool: Arc::new(self.pool.reconfigured(config)),
            forward: self.forward,
        }
    }
}

/// Splits an absolute request URI into the origin the connection goes to and the request as
/// sent on it: origin-form target (path and query) and a `Host` header, or, for a plain
/// `http://` request through a proxy, the absolute URI (and the proxy's credentials).
fn origin_form(
    request: http::Request<Bytes>,
    forward: Option<&Proxy>,
) -> Result<(pool::Origin, http::Request<Full<Bytes>>), Error> {
    let (mut parts, body) = request.into_parts();
    let (Some(scheme), Some(authority)) = (parts.uri.scheme(), parts.uri.authority()) else {
        return Err(Error::Connect(ConnectError::at(
            &parts.uri,
            ConnectStep::Url,
            "the request's URL has no scheme or host",
        )));
    };
    let origin = (scheme.clone(), authority.clone());
    let default_port = if *scheme == http::uri::Scheme::HTTPS {
        443
    } else {
        80
    };
    let host = match authority.port_u16() {
        // `host:port`, as the authority has it after any userinfo.
        Some(port) if port != default_port => authority
            .as_str()
            .rsplit_once('@')
            .map_or(authority.as_str(), |(_, host_port)| host_port),
        _ => authority.host(),
    };
    let host = http::HeaderValue::from_str(host)
        .map_err(|e| Error::Connect(ConnectError::at(&parts.uri, ConnectStep::Url, e)))?;
    parts.headers.entry(http::header::HOST).or_insert(host);
    if let Some(auth) = forward.and_then(|proxy| proxy.forward(&parts.uri)) {
        if let Some(auth) = auth {
            parts
                .headers
                .insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        return Ok((origin, http::Request::from_parts(parts, Full::new(body))));
    }
    parts.uri = parts
        .uri
        .path_and_query()
        .cloned()
        .map_or_else(|| http::Uri::from_static("/"), http::Uri::from);
    Ok((origin, http::Request::from_parts(parts, Full::new(body))))
}

/// The rustls configuration: aws-lc-rs, safe default protocol versions, and either the web
/// roots (plus or instead of custom roots) or, only when asked for, a verifier that accepts any
/// certificate.
fn tls_client_config(tls: &TlsConfig) -> Result<rustls::ClientConfig, BoxError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    if tls.accept_invalid_certificates {
        tracing::warn!(
            "TLS certificate verification is OFF for this Alipay client \
             (danger_accept_invalid_certificates): any server can impersonate the gateway"
        );
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate { provider }))
            .with_no_client_auth());
    }
    let mut roots = rustls::RootCertStore::empty();
    if !tls.replace_web_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for cert in &tls.roots {
        roots.add(cert.clone())?;
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// Parses every `CERTIFICATE` block of a PEM text and checks that each can be a trust anchor.
pub(crate) fn parse_root_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject as _;
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("contains no `-----BEGIN CERTIFICATE-----` block".to_owned());
    }
    let mut store = rustls::RootCertStore::empty();
    for cert in &certs {
        store
            .add(cert.clone())
            .map_err(|e| format!("holds a certificate that cannot be a root: {e}"))?;
    }
    Ok(certs)
}

/// A certificate verifier that accepts every server certificate, for
/// [`ClientBuilder::danger_accept_invalid_certificates`](crate::ClientBuilder::danger_accept_invalid_certificates).
/// The handshake signatures are still verified, so the server must hold the private key of the
/// certificate it shows; but anyone can make such a certificate.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl<C> Transport for HyperTransport<C>
where
    C: Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: Read + Write + Unpin + Send + 'static,
    C::Future: Send,
    C::Error: Into<BoxError>,
{
    fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let (origin, request) = origin_form(request, self.forward.as_ref())?;
            let (response, checkout) = self.pool.send(origin.clone(), request).await?;
            let status = response.status().as_u16();
            let trace_id = response
                .headers()
                .get(TRACE_ID_HEADER)
                .or_else(|| response.headers().get(crate::v3::answer::TRACE_ID_HEADER))
                .and_then(|v| v.to_str().ok())
                .and_then(clean_trace_id);
            let mut headers = http::HeaderMap::new();
            for (name, value) in response.headers() {
                if name.as_str().starts_with("alipay-") {
                    headers.append(name, value.clone());
                }
            }
            let charset = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(Charset::from_content_type);
            let declared = response
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|len| len > max_body as u64) {
                return Err(Error::BodyTooLarge { limit: max_body });
            }
            let body = Limited::new(response.into_body(), max_body)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        Error::BodyTooLarge { limit: max_body }
                    } else {
                        Error::Transport(TransportError::at(
                            &pool::root_uri(&origin),
                            TransportStep::Body,
                            e,
                        ))
                    }
                })?
                .to_bytes();
            checkout.release().await;
            Ok(HttpResponse {
                status,
                body,
                trace_id,
                charset,
                headers,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Host` header and target `origin_form` makes of `url`.
    fn sent_as(url: &str) -> (String, String) {
        let request = http::Request::get(url).body(Bytes::new()).expect("request");
        let (_, sent) = origin_form(request, None).expect("origin form");
        let host = sent.headers()[http::header::HOST].to_str().expect("ascii");
        (host.to_owned(), sent.uri().to_string())
    }

    #[test]
    fn the_host_header_names_the_port_only_when_not_the_default() {
        for (url, host, target) in [
            (
                "https://openapi.alipay.com/gateway.do?a=1",
                "openapi.alipay.com",
                "/gateway.do?a=1",
            ),
            ("https://h.example:443/v3/x", "h.example", "/v3/x"),
            ("http://h.example:80", "h.example", "/"),
            (
                "http://127.0.0.1:8080/v3/x?k=v",
                "127.0.0.1:8080",
                "/v3/x?k=v",
            ),
            ("https://h.example:8443/", "h.example:8443", "/"),
            ("http://user:secret@h.example:81/", "h.example:81", "/"),
        ] {
            assert_eq!(sent_as(url), (host.to_owned(), target.to_owned()), "{url}");
        }
    }

    #[test]
    fn a_host_header_given_is_kept() {
        let request = http::Request::get("http://127.0.0.1:8080/")
            .header(http::header::HOST, "gateway.example")
            .body(Bytes::new())
            .expect("request");
        let (_, sent) = origin_form(request, None).expect("origin form");
        assert_eq!(sent.headers()[http::header::HOST], "gateway.example");
    }
}
