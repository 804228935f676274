//! The HTTP layer under the client: a small trait, so tests and users can swap it, and the
//! default implementation on hyper 1 + hyper-util's pooled client + rustls (aws-lc-rs, Mozilla's
//! web roots; certificate verification always on).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::{BoxError, Error};

/// A boxed, sendable future, as returned by [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP answer: its status and its whole body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, at most the limit given to [`Transport::send`].
    pub body: Bytes,
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

/// The default transport: a pooled hyper client (keep-alive connections are reused) speaking
/// HTTP/1.1 over rustls, or plain HTTP for `http://` gateways such as the local sandbox.
#[derive(Clone)]
pub struct HyperTransport {
    client: HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport whose TCP connect (plus TLS handshake start) must finish within
    /// `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Result<Self, BoxError> {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        http.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::aws_lc_rs::default_provider())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(https);
        Ok(Self { client })
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        let request = request.map(Full::new);
        Box::pin(async move {
            let response = self.client.request(request).await.map_err(|e| {
                if e.is_connect() {
                    Error::Connect(Box::new(e))
                } else {
                    Error::Transport(Box::new(e))
                }
            })?;
            let status = response.status().as_u16();
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
                        Error::Transport(e)
                    }
                })?
                .to_bytes();
            Ok(HttpResponse { status, body })
        })
    }
}
