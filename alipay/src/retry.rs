//! Retries of failed calls: which failures are retried, and how long to wait between attempts.
//!
//! Retries are **off by default**: a payment call that failed after it was sent may have taken
//! effect at Alipay, and sending it again could charge or refund twice. Turn them on with
//! [`ClientBuilder::retry`](crate::ClientBuilder::retry). Even then, a call is only sent again
//! when doing so is safe:
//!
//! | failure | any call | idempotent call |
//! |---|---|---|
//! | [`Error::Connect`] (nothing was sent) | retried | retried |
//! | [`Error::Transport`], [`Error::Timeout`] (the request may have reached Alipay) | no | retried |
//! | [`Error::HttpStatus`] 5xx (a proxy or load balancer error page), [`Error::V3Unsigned`] 5xx (the same over OpenAPI v3) | no | retried |
//! | [`ResponseError::NotJson`] (an HTML page, a truncated body) | no | retried |
//! | anything else: [`Error::Api`], [`Error::Gateway`], [`Error::Verify`], configuration, encoding and signing errors, … | no | no |
//!
//! A call is idempotent when Alipay documents that repeating it has no further effect:
//!
//! - every `*.query` method (`alipay.trade.query`, `alipay.trade.fastpay.refund.query`,
//!   `alipay.data.dataservice.bill.downloadurl.query`, …);
//! - `alipay.trade.close` and `alipay.trade.cancel`;
//! - `alipay.trade.refund` and `alipay.trade.refund.apply` **with** an `out_request_no` in
//!   their `biz_content` (Alipay refunds once per `out_request_no`; without it, a repeated
//!   partial refund could refund twice);
//! - `alipay.fund.trans.uni.transfer` **with** an `out_biz_no` (Alipay transfers once per
//!   `out_biz_no` and answers a repeated call with the first order), and
//!   `alipay.fund.trans.refund` with an `out_request_no`.
//!
//! The client decides from the method name and the encoded parameters; a call can override the
//! decision with [`Call::idempotent`](crate::Call::idempotent). A retried call sends the very
//! same signed request again (it is not signed anew), and every retry is logged at `WARN` level
//! with the method, the attempt, the error and the wait. The total deadline
//! ([`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)) bounds the whole
//! sequence: no retry starts whose wait would end after it.

use std::time::Duration;

use crate::error::{Error, ResponseError};

/// How long to wait before retry `n` in relation to the capped exponential delay `d_n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// Exactly `d_n` (deterministic, e.g. for tests).
    None,
    /// A random delay in `[0, d_n]` ("full jitter"): spreads retries of many clients best.
    Full,
    /// `d_n / 2` plus a random delay in `[0, d_n / 2]` ("equal jitter"): keeps at least half of
    /// the delay. The default.
    #[default]
    Equal,
}

/// When and how failed calls are retried; see the [module documentation](self) for which
/// failures are retried.
///
/// The delay before retry `n` (1-based) is `min(initial × 2^(n-1), max)`, then jittered.
///
/// ```
/// use std::time::Duration;
/// use alipay::retry::{Jitter, RetryPolicy};
///
/// let policy = RetryPolicy::new(3)
///     .backoff(Duration::from_millis(100), Duration::from_secs(1))
///     .jitter(Jitter::None);
/// assert_eq!(policy.delay(1), Duration::from_millis(100));
/// assert_eq!(policy.delay(2), Duration::from_millis(200));
/// assert_eq!(policy.delay(5), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial: Duration,
    max: Duration,
    jitter: Jitter,
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::disabled`].
    fn default() -> Self {
        Self::disabled()
    }
}

impl RetryPolicy {
    /// The default first delay.
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(200);
    /// The default largest delay.
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(5);

    /// Up to `max_retries` retries (so `max_retries + 1` attempts), waiting 200 ms, 400 ms, 800
    /// ms, … up to 5 s between them, with [`Jitter::Equal`].
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            initial: Self::DEFAULT_INITIAL_BACKOFF,
            max: Self::DEFAULT_MAX_BACKOFF,
            jitter: Jitter::default(),
        }
    }

    /// No retries: every call is attempted once. The client's default.
    pub fn disabled() -> Self {
        Self::new(0)
    }

    /// The first delay and the largest one (capped exponential backoff). A `max` below
    /// `initial` caps every delay at `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial = initial;
        self.max = max;
        self
    }

    /// How the delays are randomized (default [`Jitter::Equal`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The largest number of retries.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether any retry can happen.
    pub fn is_enabled(&self) -> bool {
        self.max_retries > 0
    }

    /// The capped exponential delay before retry `retry` (1-based), before jitter.
    pub fn base_delay(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(63);
        let factor = 1u64 << doublings;
        let nanos = self.initial.as_nanos().saturating_mul(u128::from(factor));
        let cap = self.max.as_nanos();
        let nanos = nanos.min(cap);
        // `nanos <= max.as_nanos()`, which came from a `Duration`, so it fits again.
        Duration::new(
            u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX),
            u32::try_from(nanos % 1_000_000_000).unwrap_or(0),
        )
    }

    /// The delay before retry `retry` (1-based), jittered: what the client waits.
    pub fn delay(&self, retry: u32) -> Duration {
        let base = self.base_delay(retry);
        match self.jitter {
            Jitter::None => base,
            Jitter::Full => random_up_to(base),
            Jitter::Equal => {
                let half = base / 2;
                half + random_up_to(base - half)
            }
        }
    }
}

/// Whether `error` may be retried: [`Error::Connect`] always (nothing was sent); the failures
/// where the request may have been sent only when the call is idempotent.
pub(crate) fn is_retryable(error: &Error, idempotent: bool) -> bool {
    match error {
        Error::Connect(_) => true,
        Error::Transport(_) | Error::Timeout(_) => idempotent,
        Error::HttpStatus { status, .. } | Error::V3Unsigned { status, .. } => {
            idempotent && (500..600).contains(status)
        }
        Error::Response(ResponseError::NotJson(_)) => idempotent,
        _ => false,
    }
}

/// Whether Alipay documents `method` as idempotent whatever its parameters (`*.query`,
/// `alipay.trade.close`, `alipay.trade.cancel`). The methods of [`idempotency_key`] depend on
/// their parameters and are decided by the client.
pub(crate) fn method_is_idempotent(method: &str) -> bool {
    method.ends_with(".query") || matches!(method, "alipay.trade.close" | "alipay.trade.cancel")
}

/// The `biz_content` field that makes a call of `method` idempotent when it is set: Alipay
/// acts once per value (refunds per `out_request_no`, transfers per `out_biz_no`).
pub(crate) fn idempotency_key(method: &str) -> Option<&'static str> {
    match method {
        "alipay.trade.refund" | "alipay.trade.refund.apply" | "alipay.fund.trans.refund" => {
            Some("out_request_no")
        }
        "alipay.fund.trans.uni.transfer" => Some("out_biz_no"),
        _ => None,
    }
}

/// A uniformly distributed duration in `[0, max]`, from a cheap non-cryptographic generator.
fn random_up_to(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    // A 64-bit random number scaled into the range (multiply-shift, no modulo bias worth
    // speaking of for delays).
    let scaled = (u128::from(crate::crypto::random_u64()) * (u128::from(nanos) + 1)) >> 64;
    Duration::from_nanos(u64::try_from(scaled).unwrap_or(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;
    use crate::error::{ConnectError, TransportError, TransportStep};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy::new(10)
            .backoff(ms(100), ms(1000))
            .jitter(Jitter::None);
        let delays: Vec<_> = (1..=6).map(|n| policy.delay(n)).collect();
        assert_eq!(
            delays,
            [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
        );
        // Huge retry numbers and durations saturate instead of overflowing.
        assert_eq!(policy.delay(u32::MAX), ms(1000));
        let huge = RetryPolicy::new(1)
            .backoff(Duration::MAX, Duration::MAX)
            .jitter(Jitter::None);
        assert_eq!(huge.delay(40), Duration::MAX);
        assert_eq!(
            RetryPolicy::new(1).base_delay(0),
            ms(200),
            "retry 0 counts as the first"
        );
    }

    #[test]
    fn jitter_stays_within_its_range() {
        let full = RetryPolicy::new(5)
            .backoff(ms(100), ms(300))
            .jitter(Jitter::Full);
        let equal = full.jitter(Jitter::Equal);
        let mut distinct = std::collections::BTreeSet::new();
        for n in 1..=5 {
            for _ in 0..200 {
                let base = full.base_delay(n);
                let d = full.delay(n);
                assert!(d <= base, "{d:?} > {base:?}");
                distinct.insert(d);
                let d = equal.delay(n);
                assert!(d >= base / 2 && d <= base, "{d:?} vs {base:?}");
            }
        }
        assert!(distinct.len() > 100, "the jitter is random");
        let zero = RetryPolicy::new(1).backoff(Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.delay(3), Duration::ZERO);
    }

    #[test]
    fn the_default_is_no_retry() {
        assert!(!RetryPolicy::default().is_enabled());
        assert_eq!(RetryPolicy::disabled().max_retries(), 0);
        assert!(RetryPolicy::new(2).is_enabled());
    }

    #[test]
    fn only_safe_failures_are_retried() {
        let io = || std::io::Error::other("x");
        let uri = || http::Uri::from_static("https://openapi.alipay.com/gateway.do");
        let status = |status| Error::HttpStatus {
            status,
            snippet: String::new(),
        };
        let not_json = || {
            Error::Response(ResponseError::NotJson(
                serde_json::from_str::<serde_json::Value>("<html>").unwrap_err(),
            ))
        };
        for idempotent in [false, true] {
            assert!(is_retryable(
                &Error::Connect(ConnectError::new(&uri(), io())),
                idempotent
            ));
            assert_eq!(
                is_retryable(
                    &Error::Transport(TransportError::at(&uri(), TransportStep::Exchange, io())),
                    idempotent
                ),
                idempotent
            );
            assert_eq!(is_retryable(&Error::Timeout(ms(1)), idempotent), idempotent);
            assert_eq!(is_retryable(&status(502), idempotent), idempotent);
            assert_eq!(is_retryable(&status(503), idempotent), idempotent);
            assert!(!is_retryable(&status(404), idempotent));
            assert!(!is_retryable(&status(429), idempotent));
            assert_eq!(is_retryable(&not_json(), idempotent), idempotent);
            for never in [
                Error::Api(ApiError::new("40004", "Business Failed")),
                Error::Gateway(ApiError::new("40002", "Invalid Arguments")),
                Error::Verify(crate::VerifyError::Mismatch),
                Error::Sign(io().into()),
                Error::Encode(crate::EncodeError::new("x")),
                Error::BodyTooLarge { limit: 1 },
                Error::Response(ResponseError::MissingNode("x".into())),
            ] {
                assert!(!is_retryable(&never, idempotent), "{never:?}");
            }
        }
    }

    #[test]
    fn idempotent_methods() {
        for method in [
            "alipay.trade.query",
            "alipay.trade.fastpay.refund.query",
            "alipay.data.dataservice.bill.downloadurl.query",
            "alipay.trade.close",
            "alipay.trade.cancel",
        ] {
            assert!(method_is_idempotent(method), "{method}");
        }
        for method in [
            "alipay.trade.create",
            "alipay.trade.pay",
            "alipay.trade.refund",
            "alipay.fund.trans.uni.transfer",
            "alipay.trade.query.extra",
        ] {
            assert!(!method_is_idempotent(method), "{method}");
        }
        assert_eq!(
            idempotency_key("alipay.fund.trans.uni.transfer"),
            Some("out_biz_no")
        );
        for method in [
            "alipay.trade.refund",
            "alipay.trade.refund.apply",
            "alipay.fund.trans.refund",
        ] {
            assert_eq!(idempotency_key(method), Some("out_request_no"), "{method}");
        }
        for method in [
            "alipay.trade.create",
            "alipay.trade.pay",
            "alipay.trade.order.settle",
        ] {
            assert_eq!(idempotency_key(method), None, "{method}");
        }
    }
}
