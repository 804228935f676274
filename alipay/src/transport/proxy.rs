//! The outbound HTTP proxy of the default transport: which gateways go through it (hyper-util's
//! proxy `Matcher`, with its `NO_PROXY` rules), a `CONNECT` tunnel (hyper-util's `Tunnel`) for
//! `https://` gateways, under the transport's TLS so that TLS runs end to end with the gateway,
//! and the absolute-form request line for `http://` ones.
//!
//! The proxy's credentials (the URL's userinfo) become a `Proxy-Authorization` header marked
//! sensitive; they are never formatted: the proxy is named in errors and `Debug` by its host
//! and port only.

use std::fmt;
use std::sync::Arc;

use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use tower_service::Service;

use super::BoxFuture;
use crate::error::BoxError;

/// Which gateways go through which proxy.
#[derive(Clone)]
pub(crate) struct Proxy {
    matcher: Arc<Matcher>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Proxy")
    }
}

/// The proxy URL given to [`ClientBuilder::proxy`](crate::ClientBuilder::proxy) is unusable.
/// The message never quotes the URL (it may hold a password).
pub(crate) fn check_url(url: &str) -> Result<(), &'static str> {
    let uri: Uri = url
        .parse()
        .map_err(|_| "is not a valid URL (expected http://[user:password@]host:port)")?;
    match uri.scheme_str() {
        Some("http") | None => {}
        Some(_) => {
            return Err("must be an http:// proxy (HTTPS and SOCKS proxies are not supported)");
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("has no host (expected http://[user:password@]host:port)");
    }
    Ok(())
}

impl Proxy {
    /// Every gateway through `url` (an `http://` proxy, credentials in its userinfo if any),
    /// except the hosts of `no_proxy` (`NO_PROXY` syntax: comma-separated hosts, domains,
    /// `.domain` suffixes, IPs and CIDR blocks, or `*`).
    pub(crate) fn explicit(url: &str, no_proxy: &str) -> Self {
        Self::from_matcher(Matcher::builder().all(url).no(no_proxy).build())
    }

    /// The proxies of the environment: `HTTPS_PROXY`/`https_proxy` for `https://` gateways,
    /// `HTTP_PROXY`/`http_proxy` for `http://` ones (ignored when `REQUEST_METHOD` is set, as
    /// under CGI), `ALL_PROXY` for both, `NO_PROXY`/`no_proxy` for the exceptions.
    pub(crate) fn from_env() -> Self {
        Self::from_matcher(Matcher::from_env())
    }

    fn from_matcher(matcher: Matcher) -> Self {
        Self {
            matcher: Arc::new(matcher),
        }
    }

    /// The proxy a request to `dst` goes through, if any.
    fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        self.matcher.intercept(dst)
    }

    /// For a plain `http://` request to `dst` that goes through a proxy: the
    /// `Proxy-Authorization` to send with its absolute-form request, if the proxy has
    /// credentials (`Some(None)` without). `None` for a direct request or an `https://` one
    /// (tunnelled).
    pub(crate) fn forward(&self, dst: &Uri) -> Option<Option<HeaderValue>> {
        if dst.scheme() != Some(&http::uri::Scheme::HTTP) {
            return None;
        }
        self.intercept(dst)
            .map(|intercept| intercept.basic_auth().cloned())
    }
}

/// Why a connection through the proxy failed. Names the proxy by host and port only.
#[derive(Debug, thiserror::Error)]
#[error("proxy {proxy}: {reason}")]
pub(crate) struct ProxyError {
    proxy: String,
    reason: &'static str,
    #[source]
    source: Option<BoxError>,
}

/// `host:port` of a proxy URI (the matcher keeps no userinfo in it).
fn authority(uri: &Uri) -> String {
    let host = uri.host().unwrap_or_default();
    match uri.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The TCP connector under the transport's TLS: straight to the gateway, to the proxy for a
/// plain `http://` gateway that goes through one, or a `CONNECT` tunnel through the proxy for
/// an `https://` one.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    tcp: HttpConnector,
    proxy: Proxy,
}

impl ProxyConnector {
    pub(crate) fn new(tcp: HttpConnector, proxy: Proxy) -> Self {
        Self { tcp, proxy }
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = <HttpConnector as Service<Uri>>::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Self::Response, BoxError>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        // `HttpConnector` is always ready.
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut tcp = self.tcp.clone();
        let Some(intercept) = self.proxy.intercept(&dst) else {
            return Box::pin(async move { tcp.call(dst).await.map_err(Into::into) });
        };
        if dst.scheme() == Some(&http::uri::Scheme::HTTP) {
            let proxy = intercept.uri().clone();
            return Box::pin(async move {
                tcp.call(proxy).await.map_err(|e| {
                    Box::new(ProxyError {
                        proxy: authority(intercept.uri()),
                        reason: "could not be reached",
                        source: Some(e.into()),
                    }) as BoxError
                })
            });
        }
        let mut tunnel = Tunnel::new(intercept.uri().clone(), tcp);
        if let Some(auth) = intercept.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        Box::pin(async move {
            tunnel.call(dst).await.map_err(|e| {
                // hyper-util's error, the source, says why: `407` (credentials), another
                // status, EOF.
                Box::new(ProxyError {
                    proxy: authority(intercept.uri()),
                    reason: "could not open a CONNECT tunnel to the gateway",
                    source: Some(e.into()),
                }) as BoxError
            })
        })
    }
}
