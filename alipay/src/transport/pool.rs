//! The connection pool of the default transport: HTTP/1.1 keep-alive connections, one request at
//! a time each, kept per origin (scheme, host, port), opened by any connector.
//!
//! hyper-util's pooled client races a new connection against the return of a busy one whenever
//! no connection is idle, and on a multi-threaded runtime a connection handed to a call that has
//! just been served by the new one is dropped: sequential calls then close and reopen
//! connections every few calls (a TLS handshake each time against the real gateway). Here a call
//! takes an idle connection or opens one ([`Pool::send`]), and gives its connection back once the
//! answer has been read and the connection is ready for the next request, before the call returns
//! (unless that takes unusually long; [`Checkout::release`]): a caller that makes calls one after
//! another finds it.
//!
//! At most [`PoolConfig::max_idle_per_origin`] idle connections are kept per origin (the oldest
//! is closed to make room), and a connection idle for [`PoolConfig::idle_timeout`] is closed: it
//! is never taken again, and a task that lives while connections are idle closes it on time.
//!
//! Connections are opened by a `tower_service::Service<http::Uri>` connector: by default
//! hyper-rustls's HTTPS connector over hyper-util's TCP connector, but any other whose
//! connections hyper can drive, such as hyper-util's proxy `Tunnel`, fits without a change here.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper::rt::{Read, Write};
use tower_service::Service;

use crate::error::{BoxError, ConnectError, ConnectStep, Error, TransportError, TransportStep};

/// How long a connection whose answer has been read may take to be ready for the next request
/// before it is dropped instead of pooled (it takes microseconds: the connection's task only has
/// to see the end of the answer).
const READY_TIMEOUT: Duration = Duration::from_millis(100);

/// How long a call waits for its connection to be ready before returning.
const INLINE_WAIT: Duration = Duration::from_millis(2);

/// The sending half of a connection.
type Sender = http1::SendRequest<Full<Bytes>>;

/// Where connections go: scheme and authority (`https`, `openapi.alipay.com`).
pub(crate) type Origin = (http::uri::Scheme, http::uri::Authority);

/// The URI of `origin`'s root, which the connector is called with and errors name. A scheme
/// and an authority taken from an absolute URI always build one; were they not to, the empty
/// URI is refused by the connector as not absolute.
pub(crate) fn root_uri(origin: &Origin) -> http::Uri {
    http::Uri::builder()
        .scheme(origin.0.clone())
        .authority(origin.1.clone())
        .path_and_query("/")
        .build()
        .unwrap_or_default()
}

/// How many idle connections the pool keeps, and for how long.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolConfig {
    /// The most idle connections kept per origin.
    pub(crate) max_idle_per_origin: usize,
    /// How long a connection may stay idle before it is closed.
    pub(crate) idle_timeout: Duration,
}

impl Default for PoolConfig {
    /// 32 idle connections per origin, closed after 60 s idle.
    fn default() -> Self {
        Self {
            max_idle_per_origin: 32,
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Opens connections with the connector `C` and keeps the idle ones.
pub(crate) struct Pool<C> {
    connector: C,
    http1: http1::Builder,
    idle: Arc<IdleSet>,
}

/// The idle connections, shared with the calls that hold a [`Checkout`] and with the task that
/// closes expired connections.
struct IdleSet {
    config: PoolConfig,
    state: Mutex<IdleState>,
}

struct IdleState {
    /// Per origin, most recently used last. A client talks to a handful of origins (the
    /// gateway, the host of its bills), found by comparison: cheaper than hashing an authority,
    /// which is hashed byte by byte.
    conns: Vec<(Origin, Vec<Idle>)>,
    /// Whether the task that closes expired connections runs.
    reaping: bool,
}

/// An idle connection and since when.
struct Idle {
    sender: Sender,
    since: Instant,
}

/// A connection lent to a call, given back with [`Checkout::release`] once its answer has been
/// read (dropped unreleased, it is closed).
pub(crate) struct Checkout {
    idle: Arc<IdleSet>,
    origin: Origin,
    sender: Sender,
}

impl<C> Pool<C> {
    /// An empty pool that opens connections with `connector` and `http1`'s settings.
    pub(crate) fn new(connector: C, http1: http1::Builder, config: PoolConfig) -> Self {
        Self {
            connector,
            http1,
            idle: Arc::new(IdleSet {
                config,
                state: Mutex::new(IdleState {
                    conns: Vec::new(),
                    reaping: false,
                }),
            }),
        }
    }

    /// The settings of this pool.
    pub(crate) fn config(&self) -> PoolConfig {
        self.idle.config
    }

    /// An empty pool with the same connector and HTTP/1 settings and another `config`.
    pub(crate) fn reconfigured(&self, config: PoolConfig) -> Self
    where
        C: Clone,
    {
        Self::new(self.connector.clone(), self.http1.clone(), config)
    }
}

impl<C> Pool<C>
where
    C: Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: Read + Write + Unpin + Send + 'static,
    C::Future: Send,
    C::Error: Into<BoxError>,
{
    /// Sends `request` (in origin form) to `origin` on an idle connection, or on a new one when
    /// none is idle. A request that a reused connection fails to start (the server closed it
    /// while idle: nothing was sent) is sent on another connection.
    pub(crate) async fn send(
        &self,
        origin: Origin,
        mut request: http::Request<Full<Bytes>>,
    ) -> Result<(http::Response<Incoming>, Checkout), Error> {
        loop {
            let (mut sender, reused) = match self.idle.take(&origin) {
                Some(sender) => (sender, true),
                None => (self.connect(&origin).await?, false),
            };
            match sender.try_send_request(request).await {
                Ok(response) => {
                    let checkout = Checkout {
                        idle: Arc::clone(&self.idle),
                        origin,
                        sender,
                    };
                    return Ok((response, checkout));
                }
                Err(mut error) => match error.take_message() {
                    Some(unsent) if reused => request = unsent,
                    Some(_) => {
                        return Err(Error::Connect(ConnectError::at(
                            &root_uri(&origin),
                            ConnectStep::Http,
                            error.into_error(),
                        )));
                    }
                    None => {
                        return Err(Error::Transport(TransportError::at(
                            &root_uri(&origin),
                            TransportStep::Exchange,
                            error.into_error(),
                        )));
                    }
                },
            }
        }
    }

    /// Opens a connection to `origin` (TCP, TLS for `https` with the default connector, the
    /// HTTP/1.1 handshake) and spawns the task that drives it. Any failure is
    /// [`Error::Connect`]: nothing was sent.
    async fn connect(&self, origin: &Origin) -> Result<Sender, Error> {
        let uri = root_uri(origin);
        let failed = |e: BoxError| Error::Connect(ConnectError::new(&uri, e));
        let mut connector = self.connector.clone();
        std::future::poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(|e| failed(e.into()))?;
        let io = connector
            .call(uri.clone())
            .await
            .map_err(|e| failed(e.into()))?;
        let (sender, connection) = self
            .http1
            .handshake(io)
            .await
            .map_err(|e| Error::Connect(ConnectError::at(&uri, ConnectStep::Http, e)))?;
        tokio::spawn(async move {
            // Ends when the server closes the connection, on an I/O error, or once the sender is
            // dropped (closed, or left out of the pool) and the connection is idle.
            let _ = connection.await;
        });
        Ok(sender)
    }
}

impl Checkout {
    /// Gives the connection back once it is ready for another request; drops it if it closes or
    /// takes too long. It is normally ready within microseconds of the answer being read, and is
    /// waited for here so that the caller's next call finds it; past [`INLINE_WAIT`] the wait
    /// goes on in the background, so that the call is not held back.
    pub(crate) async fn release(self) {
        let Self {
            idle,
            origin,
            mut sender,
        } = self;
        if !sender.is_ready() {
            match tokio::time::timeout(INLINE_WAIT, sender.ready()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return,
                Err(_) => {
                    tokio::spawn(async move {
                        let wait = READY_TIMEOUT.saturating_sub(INLINE_WAIT);
                        if let Ok(Ok(())) = tokio::time::timeout(wait, sender.ready()).await {
                            idle.put(origin, sender);
                        }
                    });
                    return;
                }
            }
        }
        idle.put(origin, sender);
    }
}

impl IdleState {
    /// The idle connections to `origin`, if it has been seen.
    fn list(&mut self, origin: &Origin) -> Option<&mut Vec<Idle>> {
        self.conns
            .iter_mut()
            .find(|(known, _)| known == origin)
            .map(|(_, list)| list)
    }

    /// The idle connections to `origin`, an empty list if it is new.
    fn list_or_new(&mut self, origin: Origin) -> &mut Vec<Idle> {
        let at = match self.conns.iter().position(|(known, _)| *known == origin) {
            Some(at) => at,
            None => {
                self.conns.push((origin, Vec::new()));
                self.conns.len() - 1
            }
        };
        &mut self.conns[at].1
    }
}

impl IdleSet {
    fn lock(&self) -> MutexGuard<'_, IdleState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a connection idle since `since` may still be used at `now`.
    fn fresh(&self, since: Instant, now: Instant) -> bool {
        now.saturating_duration_since(since) < self.config.idle_timeout
    }

    /// The most recently used idle connection to `origin` that is still open, if any;
    /// connections closed by the server or idle too long are dropped on the way.
    fn take(&self, origin: &Origin) -> Option<Sender> {
        let now = Instant::now();
        let mut state = self.lock();
        let list = state.list(origin)?;
        while let Some(entry) = list.pop() {
            if self.fresh(entry.since, now) && entry.sender.is_ready() {
                return Some(entry.sender);
            }
        }
        None
    }

    /// Keeps `sender` as the most recently used idle connection to `origin`, closing the oldest
    /// past the cap, and makes sure expired connections get closed.
    fn put(self: &Arc<Self>, origin: Origin, sender: Sender) {
        let max = self.config.max_idle_per_origin;
        if max == 0 {
            return;
        }
        let now = Instant::now();
        let mut state = self.lock();
        let list = state.list_or_new(origin);
        list.retain(|entry| self.fresh(entry.since, now) && !entry.sender.is_closed());
        if list.len() >= max {
            list.drain(..=list.len() - max);
        }
        list.push(Idle { sender, since: now });
        if !state.reaping {
            state.reaping = true;
            tokio::spawn(reap(Arc::downgrade(self), self.config.idle_timeout));
        }
    }
}

/// Closes the connections of `idle` as they expire. Runs while connections are idle; ends when
/// none is left, or when the pool is dropped (which closes its connections itself).
async fn reap(idle: Weak<IdleSet>, idle_timeout: Duration) {
    let mut wait = idle_timeout;
    loop {
        tokio::time::sleep(wait).await;
        let Some(set) = idle.upgrade() else { return };
        let now = Instant::now();
        let mut state = set.lock();
        state.conns.retain_mut(|(_, list)| {
            list.retain(|entry| set.fresh(entry.since, now));
            !list.is_empty()
        });
        let oldest = state
            .conns
            .iter()
            .flat_map(|(_, list)| list)
            .map(|entry| entry.since)
            .min();
        match oldest {
            Some(since) => {
                wait = since
                    .checked_add(idle_timeout)
                    .map_or(idle_timeout, |expiry| expiry.saturating_duration_since(now));
            }
            None => {
                state.reaping = false;
                return;
            }
        }
    }
}
