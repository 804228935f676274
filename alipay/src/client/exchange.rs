//! One call's exchange with the gateway, made reliable: the total deadline, retries of the failures
//! that are safe to retry, the bound on requests in flight, the `alipay.call` tracing span and
//! the response hook; plus the builder and call options that configure them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::{Call, CallOptions, Client, ClientBuilder};
use crate::error::{ConfigError, Error};
use crate::request::{Method, Params, Request};
use crate::retry::{self, RetryPolicy};
use crate::transport::{self, HttpResponse, TlsConfig, TransportConfig};

/// The default bound on requests in flight per client.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;

/// An answer as received from the gateway, before anything is checked: what
/// [`ClientBuilder::on_response`] hooks see, e.g. to keep an audit log of raw answers.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ResponseRecord<'a> {
    /// The Alipay method called, e.g. `alipay.trade.query`.
    pub method: &'a str,
    /// The HTTP status.
    pub status: u16,
    /// The body exactly as received (not yet verified: do not trust its content).
    pub body: &'a [u8],
    /// The time from sending the request to the last byte of the answer.
    pub elapsed: Duration,
    /// Which attempt of the call this answer belongs to (1 for the first).
    pub attempt: u32,
    /// The gateway's `trace_id` response header, if present.
    pub trace_id: Option<&'a str>,
}

/// A hook called with every answer received.
type ResponseHook = Arc<dyn Fn(&ResponseRecord<'_>) + Send + Sync + 'static>;

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
    on_response: Option<ResponseHook>,
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

/// The reliability settings of a built client, shared by its clones.
pub(super) struct Net {
    retry: RetryPolicy,
    total_timeout: Option<Duration>,
    max_in_flight: usize,
    in_flight: Arc<Semaphore>,
    on_response: Option<ResponseHook>,
}

impl Net {
    /// The client's [`total_timeout`](ClientBuilder::total_timeout).
    pub(super) fn total_timeout(&self) -> Option<Duration> {
        self.total_timeout
    }
}

impl fmt::Debug for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Net")
            .field("retry", &self.retry)
            .field("total_timeout", &self.total_timeout)
            .field("max_in_flight", &self.max_in_flight)
            .field("on_response", &self.on_response.is_some())
            .finish()
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

/// Reliability options of a call.
impl<R: Request> Call<'_, R> {
    /// The deadline of this whole call (every attempt and the waits between them), instead of
    /// the client's [`total_timeout`](ClientBuilder::total_timeout).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.options.total_timeout = Some(timeout);
        self
    }

    /// Declares whether sending this call twice has the same effect as sending it once,
    /// overriding the client's decision from the method name and parameters (see
    /// [`crate::retry`]). Only matters when [retries](ClientBuilder::retry) are on: an
    /// idempotent call is also retried after failures where the request may have reached
    /// Alipay.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.options.idempotent = Some(idempotent);
        self
    }
}

/// How a call ended, for the span's `outcome` field.
fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(error) => match error {
            Error::Config(_) => "config",
            Error::Encode(_) => "encode",
            Error::Sign(_) => "sign",
            Error::Connect(_) => "connect",
            Error::Transport(_) => "transport",
            Error::Timeout(_) => "timeout",
            Error::HttpStatus { .. } => "http_status",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Response(_) => "response",
            Error::Verify(_) => "verify",
            Error::Notify(_) => "notify",
            Error::Gateway(_) => "gateway",
            Error::Api(_) => "api",
            Error::Decode { .. } => "decode",
            Error::Unsupported(_) => "unsupported",
            Error::Aes(_) => "aes",
            Error::Certificate(_) => "certificate",
        },
    }
}

/// A copy of the signed request, for another attempt (the same bytes, not signed anew).
fn copy_request(template: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut request = http::Request::new(template.body().clone());
    *request.method_mut() = template.method().clone();
    *request.uri_mut() = template.uri().clone();
    *request.version_mut() = template.version();
    *request.headers_mut() = template.headers().clone();
    request
}

/// What the span records about a call's attempts.
#[derive(Default)]
struct Stats {
    attempts: u32,
    /// The trace id of the last answer.
    trace_id: Option<String>,
}

/// The deadlines of a call.
#[derive(Clone, Copy)]
struct Deadlines {
    per_attempt: Duration,
    /// The total deadline and its duration.
    total: Option<(Instant, Duration)>,
}

impl Deadlines {
    /// When the attempt starting now must end, and the duration reported if it does not.
    fn attempt(&self) -> (Instant, Duration) {
        let own = Instant::now() + self.per_attempt;
        match self.total {
            Some((total, duration)) if total < own => (total, duration),
            _ => (own, self.per_attempt),
        }
    }
}

impl Client {
    /// Sends `request` (signed once) and checks its answer with `check`, in the `alipay.call`
    /// span, retrying as the client's policy allows, until the call's total `deadline` (and its
    /// duration, for the error) if it has one.
    pub(super) async fn exchange<R, T>(
        &self,
        request: &R,
        options: &CallOptions,
        deadline: Option<(Instant, Duration)>,
        check: impl Fn(&HttpResponse) -> Result<T, Error> + Send + Sync,
    ) -> Result<T, Error>
    where
        R: Request + Sync,
    {
        let method = request.method();
        let span = tracing::info_span!(
            "alipay.call",
            method,
            app_id = %self.inner.app_id,
            attempts = Empty,
            outcome = Empty,
            latency_ms = Empty,
            trace_id = Empty,
        );
        let started = Instant::now();
        let mut stats = Stats::default();
        let result = self
            .attempts(request, options, deadline, &check, &mut stats)
            .instrument(span.clone())
            .await;
        let outcome = outcome(&result);
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        // Recorded once, at the end: some subscribers print every value recorded.
        span.record("attempts", stats.attempts);
        if let Some(trace_id) = &stats.trace_id {
            span.record("trace_id", trace_id.as_str());
        }
        span.record("outcome", outcome);
        span.record("latency_ms", latency_ms);
        span.in_scope(|| match &result {
            Ok(_) => tracing::debug!(outcome, latency_ms, "alipay call done"),
            Err(error) => tracing::debug!(outcome, latency_ms, %error, "alipay call failed"),
        });
        result
    }

    async fn attempts<R, T>(
        &self,
        request: &R,
        options: &CallOptions,
        deadline: Option<(Instant, Duration)>,
        check: &(impl Fn(&HttpResponse) -> Result<T, Error> + Send + Sync),
        stats: &mut Stats,
    ) -> Result<T, Error>
    where
        R: Request + Sync,
    {
        let net = &self.inner.net;
        let deadlines = Deadlines {
            per_attempt: options.timeout.unwrap_or(self.inner.request_timeout),
            total: deadline,
        };
        let signed = self.http_request(request, options)?;
        let policy = net.retry;
        let idempotent = policy.is_enabled()
            && options
                .idempotent
                .unwrap_or_else(|| self.is_idempotent(request, options));
        let method = request.method();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            stats.attempts = attempt;
            let error = match self
                .attempt(method, &signed, attempt, deadlines, check, stats)
                .await
            {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            if attempt > policy.max_retries() || !retry::is_retryable(&error, idempotent) {
                return Err(error);
            }
            let backoff = policy.delay(attempt);
            if let Some((deadline, _)) = deadlines.total
                && Instant::now() + backoff >= deadline
            {
                tracing::warn!(
                    method,
                    attempt,
                    %error,
                    backoff_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX),
                    "not retrying the Alipay call: the total deadline would pass"
                );
                return Err(error);
            }
            tracing::warn!(
                method,
                attempt,
                %error,
                backoff_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX),
                idempotent,
                "retrying the Alipay call"
            );
            tokio::time::sleep(backoff).await;
        }
    }

    /// One attempt: a slot under the in-flight bound, the exchange within its deadline, the
    /// hook, then `check`.
    async fn attempt<T>(
        &self,
        method: &str,
        signed: &http::Request<Bytes>,
        attempt: u32,
        deadlines: Deadlines,
        check: &(impl Fn(&HttpResponse) -> Result<T, Error> + Send + Sync),
        stats: &mut Stats,
    ) -> Result<T, Error> {
        let net = &self.inner.net;
        let acquire = net.in_flight.acquire();
        let permit = match deadlines.total {
            Some((deadline, total)) => tokio::time::timeout_at(deadline, acquire)
                .await
                .map_err(|_| Error::Timeout(total))?,
            None => acquire.await,
        }
        // The semaphore is never closed.
        .map_err(|e| Error::Connect(Box::new(e)))?;
        let (until, reported) = deadlines.attempt();
        if until <= Instant::now() {
            // The total deadline passed while waiting: do not start sending.
            return Err(Error::Timeout(reported));
        }
        let sent = Instant::now();
        let answer = tokio::time::timeout_at(
            until,
            self.inner
                .transport
                .send(copy_request(signed), self.inner.max_body),
        )
        .await
        .map_err(|_| Error::Timeout(reported))??;
        drop(permit);
        stats.trace_id.clone_from(&answer.trace_id);
        if let Some(hook) = &net.on_response {
            hook(&ResponseRecord {
                method,
                status: answer.status,
                body: &answer.body,
                elapsed: sent.elapsed(),
                attempt,
                trace_id: answer.trace_id.as_deref(),
            });
        }
        check(&answer)
    }

    /// Whether Alipay documents the call as idempotent: `*.query`, `alipay.trade.close`,
    /// `alipay.trade.cancel`, and `alipay.trade.refund` with an `out_request_no`.
    fn is_idempotent<M: Method + ?Sized>(&self, request: &M, options: &CallOptions) -> bool {
        let method = request.method();
        if retry::method_is_idempotent(method) {
            return true;
        }
        if method != "alipay.trade.refund" {
            return false;
        }
        let mut params = Params::new();
        if request.encode(&mut params).is_err() {
            return false;
        }
        options.apply(&mut params, None);
        match params.biz_params().get("out_request_no") {
            Some(Value::String(no)) => !no.trim().is_empty(),
            Some(Value::Number(_)) => true,
            _ => false,
        }
    }
}

/// Fetching a file the gateway pointed to.
impl Client {
    /// GETs `url` (a file the gateway handed out, such as a bill) with the client's transport,
    /// within one slot of the in-flight bound, the per-attempt deadline `timeout` (default: the
    /// client's [`request_timeout`](ClientBuilder::request_timeout), cut short by its
    /// [`total_timeout`](ClientBuilder::total_timeout)) and at most `max_body` bytes of answer.
    /// No retry, no span field and no error carries the URL: such URLs are secret-bearing. The
    /// caller checks that `url` is absolute and judges the status.
    pub(crate) async fn fetch(
        &self,
        url: http::Uri,
        timeout: Option<Duration>,
        max_body: usize,
    ) -> Result<HttpResponse, Error> {
        let net = &self.inner.net;
        let deadlines = Deadlines {
            per_attempt: timeout.unwrap_or(self.inner.request_timeout),
            total: net
                .total_timeout
                .map(|total| (Instant::now() + total, total)),
        };
        let acquire = net.in_flight.acquire();
        let permit = match deadlines.total {
            Some((deadline, total)) => tokio::time::timeout_at(deadline, acquire)
                .await
                .map_err(|_| Error::Timeout(total))?,
            None => acquire.await,
        }
        // The semaphore is never closed.
        .map_err(|e| Error::Connect(Box::new(e)))?;
        let mut request = http::Request::new(Bytes::new());
        *request.uri_mut() = url;
        let (until, reported) = deadlines.attempt();
        let answer = tokio::time::timeout_at(until, self.inner.transport.send(request, max_body))
            .await
            .map_err(|_| Error::Timeout(reported))??;
        drop(permit);
        Ok(answer)
    }
}
