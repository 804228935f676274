//! The errors of the HTTP layer: a connection that could not be made ([`ConnectError`]: the
//! request was not sent) and an exchange that failed after the request started
//! ([`TransportError`]: it may have reached Alipay). Both name the gateway (scheme, host and
//! port only: never a path or a query, which carry the request's signature and tokens) and the
//! step that failed, and keep the lower layer's error as their [`source`](std::error::Error::source).

use std::error::Error as StdError;
use std::fmt;
use std::io;

use super::BoxError;

/// The step at which a connection to the gateway failed; see [`ConnectError::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectStep {
    /// The gateway URL is not absolute (no scheme or host): nothing was tried.
    Url,
    /// Resolving the gateway's (or the proxy's) host name.
    Dns,
    /// Opening the TCP connection: the host answered that nothing listens on the port.
    TcpRefused,
    /// Opening the TCP connection did not complete within the connect timeout.
    TcpTimeout,
    /// Opening the TCP connection failed otherwise (network unreachable, reset, …).
    Tcp,
    /// The proxy refused the tunnel or its credentials, or could not be reached.
    Proxy,
    /// The TLS handshake with the gateway (its certificate, the protocol versions, …).
    Tls,
    /// The HTTP/1.1 handshake over the opened connection.
    Http,
    /// A failure of a custom transport or connector this SDK cannot classify.
    Other,
}

impl ConnectStep {
    /// Classifies `error`, a connector's failure, by the errors in its chain.
    fn of(error: &(dyn StdError + 'static)) -> Self {
        let mut current = Some(error);
        let mut step = ConnectStep::Other;
        while let Some(error) = current {
            if error.is::<crate::transport::ProxyError>() {
                return ConnectStep::Proxy;
            }
            if error.is::<rustls::Error>() {
                return ConnectStep::Tls;
            }
            if error.is::<hyper::Error>() {
                step = ConnectStep::Http;
            }
            // hyper-util's connector names its step in its message (its type is private).
            match error.to_string().as_str() {
                "dns error" => return ConnectStep::Dns,
                message if message.starts_with("tcp ") => step = ConnectStep::Tcp,
                _ => {}
            }
            current = match error.downcast_ref::<io::Error>() {
                Some(io) => {
                    match io.kind() {
                        io::ErrorKind::ConnectionRefused => return ConnectStep::TcpRefused,
                        io::ErrorKind::TimedOut => return ConnectStep::TcpTimeout,
                        _ => {}
                    }
                    // An io::Error's `source()` skips the error it wraps (rustls's, or another
                    // io::Error): go on with that one.
                    io.get_ref().map(|inner| inner as &(dyn StdError + 'static))
                }
                None => error.source(),
            };
        }
        step
    }
}

impl fmt::Display for ConnectStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectStep::Url => "the URL is not absolute",
            ConnectStep::Dns => "DNS lookup failed",
            ConnectStep::TcpRefused => "TCP connection refused",
            ConnectStep::TcpTimeout => "TCP connect timed out",
            ConnectStep::Tcp => "TCP connect failed",
            ConnectStep::Proxy => "the proxy failed",
            ConnectStep::Tls => "TLS handshake failed",
            ConnectStep::Http => "HTTP handshake failed",
            ConnectStep::Other => "the connection failed",
        })
    }
}

/// `scheme://host[:port]` of `uri`, without userinfo, path or query (both may carry secrets).
fn gateway_of(uri: &http::Uri) -> String {
    match (uri.scheme_str(), uri.host()) {
        (Some(scheme), Some(host)) => match uri.port_u16() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        },
        _ => "(a URL that is not absolute)".to_owned(),
    }
}

/// A failure of the HTTP layer at step `S` of reaching the gateway: [`ConnectError`] (the
/// request was not sent) or [`TransportError`] (it may have been). It names the gateway and the
/// step, and keeps the lower layer's error as its [`source`](StdError::source).
#[derive(Debug)]
pub struct GatewayError<S> {
    gateway: String,
    step: S,
    source: BoxError,
}

impl<S: Copy> GatewayError<S> {
    /// A failure at `step` of reaching the gateway of `uri`, caused by `source`.
    pub fn at(uri: &http::Uri, step: S, source: impl Into<BoxError>) -> Self {
        Self {
            gateway: gateway_of(uri),
            step,
            source: source.into(),
        }
    }

    /// The gateway, as `scheme://host[:port]`.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// The step that failed.
    pub fn step(&self) -> S {
        self.step
    }
}

impl<S: fmt::Debug> StdError for GatewayError<S>
where
    Self: fmt::Display,
{
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}

/// The connection to the gateway could not be made: the request was **not** sent (see
/// [`Error::Connect`](crate::Error::Connect)).
///
/// Its message names the gateway and the failing step, e.g. `could not connect to the Alipay
/// gateway https://openapi.alipay.com: TLS handshake failed`; the lower layer's error (an I/O
/// error, rustls's, the proxy's answer) is its [`source`](StdError::source).
///
/// ```
/// use alipay::error::{ConnectError, ConnectStep};
///
/// let uri: http::Uri = "https://openapi.alipay.com/gateway.do?sign=secret".parse().unwrap();
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let error = ConnectError::new(&uri, refused);
/// assert_eq!(error.step(), ConnectStep::TcpRefused);
/// assert_eq!(
///     error.to_string(),
///     "could not connect to the Alipay gateway https://openapi.alipay.com: TCP connection refused",
/// );
/// ```
pub type ConnectError = GatewayError<ConnectStep>;

impl ConnectError {
    /// A failure to connect to the gateway of `uri`, its step found in `source`'s chain (for a
    /// custom [`Transport`](crate::transport::Transport) or connector; use
    /// [`GatewayError::at`] to name the step).
    pub fn new(uri: &http::Uri, source: impl Into<BoxError>) -> Self {
        let source = source.into();
        let step = ConnectStep::of(source.as_ref());
        Self::at(uri, step, source)
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not connect to the Alipay gateway {}: {}",
            self.gateway, self.step
        )
    }
}

/// The step of an exchange at which a [`TransportError`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportStep {
    /// Writing the request or reading the answer's status line and headers.
    Exchange,
    /// Reading the answer's body.
    Body,
}

/// The HTTP exchange failed after the request started to be written: the request **may have
/// reached Alipay** (see [`Error::Transport`](crate::Error::Transport)).
///
/// Its message names the gateway and the step, e.g. `the HTTP exchange with the Alipay gateway
/// https://openapi.alipay.com failed while reading the answer's body`; the lower layer's
/// error is its [`source`](StdError::source).
///
/// ```
/// use alipay::error::{TransportError, TransportStep};
///
/// let uri: http::Uri = "https://openapi.alipay.com/gateway.do".parse().unwrap();
/// let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
/// let error = TransportError::at(&uri, TransportStep::Body, reset);
/// assert_eq!(error.gateway(), "https://openapi.alipay.com");
/// assert!(error.to_string().ends_with("failed while reading the answer's body"));
/// ```
pub type TransportError = GatewayError<TransportStep>;

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = match self.step {
            TransportStep::Exchange => "while sending the request or reading the answer's head",
            TransportStep::Body => "while reading the answer's body",
        };
        write!(
            f,
            "the HTTP exchange with the Alipay gateway {} failed {step}",
            self.gateway
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> http::Uri {
        "https://user:pw@gw.example:8443/gateway.do?app_auth_token=secret"
            .parse()
            .expect("uri")
    }

    #[test]
    fn the_gateway_is_named_without_userinfo_path_or_query() {
        let error = ConnectError::new(&uri(), io::Error::other("x"));
        assert_eq!(error.gateway(), "https://gw.example:8443");
        let text = format!("{error} {error:?}");
        assert!(!text.contains("secret") && !text.contains("pw"), "{text}");
        let relative: http::Uri = "/gateway.do?sign=secret".parse().expect("uri");
        let error = ConnectError::at(&relative, ConnectStep::Url, "not absolute");
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn the_step_is_found_in_the_chain() {
        let wrapped = |kind| -> BoxError { Box::new(io::Error::from(kind)) };
        assert_eq!(
            ConnectError::new(&uri(), wrapped(io::ErrorKind::ConnectionRefused)).step(),
            ConnectStep::TcpRefused
        );
        assert_eq!(
            ConnectError::new(&uri(), wrapped(io::ErrorKind::TimedOut)).step(),
            ConnectStep::TcpTimeout
        );
        let tls = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert_eq!(ConnectError::new(&uri(), tls).step(), ConnectStep::Tls);
        let nested = io::Error::other(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
        ));
        assert_eq!(ConnectError::new(&uri(), nested).step(), ConnectStep::Tls);
        assert_eq!(
            ConnectError::new(&uri(), io::Error::other("custom")).step(),
            ConnectStep::Other
        );
    }
}
