//! The connection pool of the default transport: HTTP/1.1 keep-alive connections, one request at
//! a time each, kept per origin (scheme, host, port).
//!
//! hyper-util's pooled client races a new connection against the return of a busy one whenever
//! no connection is idle, and on a multi-threaded runtime a connection handed to a call that has
//! just been served by the new one is dropped: sequential calls then close and reopen
//! connections every few calls (a TLS handshake each time against the real gateway). Here a call
//! takes an idle connection or opens one, and gives its connection back once the answer has been
//! read and the connection is ready for the next request, before the call returns (unless that
//! takes unusually long): a caller that makes calls one after another finds it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1;
use hyper_util::client::legacy::connect::HttpConnector;
use tower_service::Service as _;

use crate::error::Error;

/// How long a connection may stay idle in the pool before it is not used again.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a connection whose answer has been read may take to be ready for the next request
/// before it is dropped instead of pooled (it takes microseconds: the connection's task only has
/// to see the end of the answer).
const READY_TIMEOUT: Duration = Duration::from_millis(100);

/// How long a call waits for its connection to be ready before returning.
const INLINE_WAIT: Duration = Duration::from_millis(2);

/// The most idle connections kept per origin; more are closed when given back.
const MAX_IDLE_PER_ORIGIN: usize = 1024;

pub(crate) type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
pub(crate) type Sender = http1::SendRequest<Full<Bytes>>;

/// Where connections go: scheme and authority (`https`, `openapi.alipay.com`).
pub(crate) type Origin = (http::uri::Scheme, http::uri::Authority);

/// An idle connection and since when.
struct Idle {
    sender: Sender,
    since: Instant,
}

/// Idle connections per origin, most recently used last.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<Origin, Vec<Idle>>>,
}

/// A connection taken from the pool or just opened.
pub(crate) struct Conn {
    pub(crate) sender: Sender,
    /// Whether it served an earlier request (a request it fails to start may be sent again on
    /// a new connection).
    pub(crate) reused: bool,
}

impl Pool {
    /// The most recently used idle connection to `origin` that is still open, if any;
    /// connections closed by the server or idle too long are dropped on the way.
    pub(crate) fn take(&self, origin: &Origin) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(origin)?;
        while let Some(entry) = list.pop() {
            if entry.since.elapsed() < IDLE_TIMEOUT && entry.sender.is_ready() {
                return Some(Conn {
                    sender: entry.sender,
                    reused: true,
                });
            }
        }
        None
    }

    /// Gives a connection back once it is ready for another request; drops it if it closes or
    /// takes too long. It is normally ready within microseconds of the answer being read, and is
    /// waited for here so that the caller's next call finds it; past [`INLINE_WAIT`] the wait
    /// goes on in the background, so that the call is not held back.
    pub(crate) async fn give_back(self: &Arc<Self>, origin: Origin, mut sender: Sender) {
        if !sender.is_ready() {
            match tokio::time::timeout(INLINE_WAIT, sender.ready()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return,
                Err(_) => {
                    let pool = Arc::clone(self);
                    tokio::spawn(async move {
                        let wait = READY_TIMEOUT.saturating_sub(INLINE_WAIT);
                        if let Ok(Ok(())) = tokio::time::timeout(wait, sender.ready()).await {
                            pool.put(origin, sender);
                        }
                    });
                    return;
                }
            }
        }
        self.put(origin, sender);
    }

    fn put(&self, origin: Origin, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.entry(origin).or_default();
        list.retain(|entry| entry.since.elapsed() < IDLE_TIMEOUT && !entry.sender.is_closed());
        if list.len() < MAX_IDLE_PER_ORIGIN {
            list.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }
}

/// Opens a connection to `origin` (TCP, TLS for `https`, the HTTP/1.1 handshake) and spawns the
/// task that drives it. Any failure is [`Error::Connect`]: nothing was sent.
pub(crate) async fn connect(
    connector: &Connector,
    builder: &http1::Builder,
    origin: &Origin,
) -> Result<Conn, Error> {
    let uri = http::Uri::builder()
        .scheme(origin.0.clone())
        .authority(origin.1.clone())
        .path_and_query("/")
        .build()
        .map_err(|e| Error::Connect(Box::new(e)))?;
    let mut connector = connector.clone();
    std::future::poll_fn(|cx| connector.poll_ready(cx))
        .await
        .map_err(Error::Connect)?;
    let io = connector.call(uri).await.map_err(Error::Connect)?;
    let (sender, connection) = builder
        .handshake(io)
        .await
        .map_err(|e| Error::Connect(Box::new(e)))?;
    tokio::spawn(async move {
        // Ends when the server closes the connection, on an I/O error, or once the sender is
        // dropped (closed, or left out of the pool) and the connection is idle.
        let _ = connection.await;
    });
    Ok(Conn {
        sender,
        reused: false,
    })
}
