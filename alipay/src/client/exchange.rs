//! Exchange, the runtime stage of a call: the total deadline, retries of the failures that are
//! safe to retry, the bound on requests in flight, the `alipay.call` tracing span and the
//! response hook. It knows nothing of the protocol: it sends the prepared request and hands each
//! answer to the call's check.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tracing::Instrument as _;
use tracing::field::Empty;

#[cfg(doc)]
use super::ClientBuilder;
use super::{CallOptions, Client};
use crate::error::{ConnectError, ConnectStep, Error};
use crate::request::{Method, Params, Request};
use crate::retry::{self, RetryPolicy};
use crate::transport::HttpResponse;

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
pub(super) type ResponseHook = Arc<dyn Fn(&ResponseRecord<'_>) + Send + Sync + 'static>;
/// The reliability settings of a built client, shared by its clones.
pub(super) struct Net {
    pub(super) retry: RetryPolicy,
    pub(super) total_timeout: Option<Duration>,
    pub(super) max_in_flight: usize,
    pub(super) in_flight: Arc<Semaphore>,
    pub(super) on_response: Option<ResponseHook>,
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
            Error::Aes(_) => "aes",
            Error::Certificate(_) => "certificate",
            Error::V3(_) => "v3",
            Error::V3Unsigned { .. } => "v3_unsigned",
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
        self.exchange_with(
            request,
            options,
            deadline,
            |deadline| self.http_request(request, options, deadline),
            check,
        )
        .await
    }

    /// [`exchange`](Self::exchange) of the HTTP request `prepare` makes (v2's or v3's).
    pub(super) async fn exchange_with<R, T, P>(
        &self,
        request: &R,
        options: &CallOptions,
        deadline: Option<(Instant, Duration)>,
        prepare: impl FnOnce((Instant, Duration)) -> P + Send,
        check: impl Fn(&HttpResponse) -> Result<T, Error> + Send + Sync,
    ) -> Result<T, Error>
    where
        R: Request + Sync,
        P: Future<Output = Result<http::Request<Bytes>, Error>> + Send,
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
            .attempts(request, options, deadline, prepare, &check, &mut stats)
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

    async fn attempts<R, T, P>(
        &self,
        request: &R,
        options: &CallOptions,
        deadline: Option<(Instant, Duration)>,
        prepare: impl FnOnce((Instant, Duration)) -> P + Send,
        check: &(impl Fn(&HttpResponse) -> Result<T, Error> + Send + Sync),
        stats: &mut Stats,
    ) -> Result<T, Error>
    where
        R: Request + Sync,
        P: Future<Output = Result<http::Request<Bytes>, Error>> + Send,
    {
        let net = &self.inner.net;
        let deadlines = Deadlines {
            per_attempt: options.timeout.unwrap_or(self.inner.request_timeout),
            total: deadline,
        };
        let mut signed = prepare(deadlines.attempt()).await?;
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
            // The last attempt the policy allows sends the signed request itself; the earlier
            // ones a copy, keeping it for the next.
            let (this, kept) = if attempt > policy.max_retries() {
                (signed, None)
            } else {
                (copy_request(&signed), Some(signed))
            };
            let error = match self
                .attempt(method, this, attempt, deadlines, check, stats)
                .await
            {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            let Some(kept) = kept else {
                return Err(error);
            };
            signed = kept;
            if !retry::is_retryable(&error, idempotent) {
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

    /// One attempt, sending `signed`: a slot under the in-flight bound, the exchange within its
    /// deadline, the hook, then `check`.
    async fn attempt<T>(
        &self,
        method: &str,
        signed: http::Request<Bytes>,
        attempt: u32,
        deadlines: Deadlines,
        check: &(impl Fn(&HttpResponse) -> Result<T, Error> + Send + Sync),
        stats: &mut Stats,
    ) -> Result<T, Error> {
        let net = &self.inner.net;
        let permit = self.in_flight_slot(&deadlines, signed.uri()).await?;
        let (until, reported) = deadlines.attempt();
        if until <= Instant::now() {
            // The total deadline passed while waiting: do not start sending.
            return Err(Error::Timeout(reported));
        }
        let sent = Instant::now();
        let answer = tokio::time::timeout_at(
            until,
            self.inner.transport.send(signed, self.inner.max_body),
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

    /// A slot under the in-flight bound, waited for until the total deadline (the call's
    /// [`Error::Timeout`] if it passes first).
    async fn in_flight_slot(
        &self,
        deadlines: &Deadlines,
        uri: &http::Uri,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, Error> {
        let acquire = self.inner.net.in_flight.acquire();
        match deadlines.total {
            Some((deadline, total)) => tokio::time::timeout_at(deadline, acquire)
                .await
                .map_err(|_| Error::Timeout(total))?,
            None => acquire.await,
        }
        // The semaphore is never closed.
        .map_err(|e| Error::Connect(ConnectError::at(uri, ConnectStep::Other, e)))
    }

    /// Whether Alipay documents the call as idempotent: `*.query`, `alipay.trade.close`,
    /// `alipay.trade.cancel`, refunds with an `out_request_no` and transfers with an
    /// `out_biz_no` ([`retry::idempotency_key`]).
    fn is_idempotent<M: Method + ?Sized>(&self, request: &M, options: &CallOptions) -> bool {
        let method = request.method();
        if retry::method_is_idempotent(method) {
            return true;
        }
        let Some(key) = retry::idempotency_key(method) else {
            return false;
        };
        let mut params = Params::new();
        if request.encode(&mut params).is_err() {
            return false;
        }
        options.apply(&mut params, None);
        match params.biz_params().get(key) {
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
    /// No retry, no span field and no error carries the URL (errors name its scheme, host and
    /// port only): such URLs are secret-bearing. The
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
        let permit = self.in_flight_slot(&deadlines, &url).await?;
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
