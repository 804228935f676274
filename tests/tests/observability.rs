//! What a call tells an operator: the `alipay.call` span with its fields (method, app id,
//! attempts, outcome, latency, the gateway's trace id), the retry warnings, and the response hook
//! that sees every raw answer before it is checked.

#[path = "support/logs.rs"]
mod logs;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay::payment::common::TradeQuery;
use alipay::retry::{Jitter, RetryPolicy};
use alipay::{Error, ResponseRecord};
use alipay_tests::{Reply, ScriptedGateway, builder_for, signed_answer};

const NODE: &str = "alipay_trade_query_response";
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.80"}"#;

fn traced(status: u16, body: impl Into<Vec<u8>>, trace_id: &str) -> Reply {
    Reply::Answer {
        status,
        body: body.into(),
        headers: vec![format!("trace_id: {trace_id}")],
        delay: Duration::ZERO,
    }
}

/// The span close lines that mention `needle`.
fn spans_with(needle: &str) -> Vec<String> {
    lines_with(needle)
        .into_iter()
        .filter(|l| l.contains(": close time."))
        .collect()
}

/// The captured lines that mention `needle`.
fn lines_with(needle: &str) -> Vec<String> {
    logs::text()
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// One owned record per hook call.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    method: String,
    status: u16,
    body: Vec<u8>,
    attempt: u32,
    trace_id: Option<String>,
    elapsed: Duration,
}

fn recorder() -> (
    Arc<Mutex<Vec<Seen>>>,
    impl Fn(&ResponseRecord<'_>) + Send + Sync + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |record: &ResponseRecord<'_>| {
        sink.lock().expect("lock").push(Seen {
            method: record.method.to_owned(),
            status: record.status,
            body: record.body.to_vec(),
            attempt: record.attempt,
            trace_id: record.trace_id.map(str::to_owned),
            elapsed: record.elapsed,
        });
    })
}

#[tokio::test]
async fn a_call_is_one_span_with_its_outcome_and_trace_id() {
    logs::capture();
    let body = signed_answer(NODE, SUCCESS);
    let gateway =
        ScriptedGateway::start_script(vec![traced(200, body.clone(), "0b51a7c3e1f2obs1")]).await;
    let (seen, hook) = recorder();
    let client = builder_for(&gateway.url)
        .on_response(hook)
        .build()
        .expect("config");
    client
        .send(TradeQuery::builder().out_trade_no("T1").build())
        .await
        .expect("verified");

    let spans = spans_with("0b51a7c3e1f2obs1");
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0];
    for field in [
        "alipay.call",
        "method=\"alipay.trade.query\"",
        "app_id=2021000000000001",
        "attempts=1",
        "outcome=\"ok\"",
        "latency_ms=",
        "trace_id=\"0b51a7c3e1f2obs1\"",
        "close",
    ] {
        assert!(span.contains(field), "{field} missing in {span}");
    }

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "alipay.trade.query");
    assert_eq!(seen[0].status, 200);
    assert_eq!(seen[0].body, body.as_bytes(), "the raw bytes");
    assert_eq!(seen[0].attempt, 1);
    assert_eq!(seen[0].trace_id.as_deref(), Some("0b51a7c3e1f2obs1"));
    assert!(seen[0].elapsed < Duration::from_secs(5));
}

#[tokio::test]
async fn retries_are_counted_and_warned_about() {
    logs::capture();
    let gateway = ScriptedGateway::start_script(vec![
        traced(503, "<html>busy</html>", "0b51a7c3e1f2obs2"),
        traced(200, signed_answer(NODE, SUCCESS), "0b51a7c3e1f2obs3"),
    ])
    .await;
    let (seen, hook) = recorder();
    let client = builder_for(&gateway.url)
        .retry(
            RetryPolicy::new(2)
                .backoff(Duration::from_millis(10), Duration::from_millis(10))
                .jitter(Jitter::None),
        )
        .on_response(hook)
        .build()
        .expect("config");
    client
        .send(TradeQuery::builder().out_trade_no("T2").build())
        .await
        .expect("second attempt");

    let span = spans_with("0b51a7c3e1f2obs3");
    assert_eq!(span.len(), 1, "{span:?}");
    assert!(span[0].contains("attempts=2"), "{}", span[0]);
    assert!(
        !span[0].contains("obs2"),
        "only the last trace id: {}",
        span[0]
    );
    assert!(span[0].contains("outcome=\"ok\""), "{}", span[0]);
    let warnings: Vec<String> = lines_with("retrying the Alipay call")
        .into_iter()
        .filter(|l| l.contains("HTTP 503") && l.contains("busy"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    for field in [
        "WARN",
        "method=\"alipay.trade.query\"",
        "attempt=1",
        "backoff_ms=10",
    ] {
        assert!(
            warnings[0].contains(field),
            "{field} missing in {}",
            warnings[0]
        );
    }
    let statuses: Vec<(u32, u16)> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|s| (s.attempt, s.status))
        .collect();
    assert_eq!(statuses, [(1, 503), (2, 200)], "the hook saw both answers");
}

#[tokio::test]
async fn a_failed_call_records_its_error_kind() {
    logs::capture();
    let failure = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
    let gateway = ScriptedGateway::start_script(vec![traced(
        200,
        signed_answer(NODE, failure),
        "0b51a7c3e1f2obs4",
    )])
    .await;
    let client = builder_for(&gateway.url).build().expect("config");
    let result = client
        .send(TradeQuery::builder().out_trade_no("T3").build())
        .await;
    assert!(matches!(result, Err(Error::Api(_))), "{result:?}");
    let span = spans_with("0b51a7c3e1f2obs4");
    assert_eq!(span.len(), 1, "{span:?}");
    assert!(span[0].contains("outcome=\"api\""), "{}", span[0]);

    // A trace id with characters other than printable ASCII (here a space) is dropped.
    let gateway = ScriptedGateway::start_script(vec![traced(
        200,
        signed_answer(NODE, SUCCESS),
        "bad id<script>",
    )])
    .await;
    let (seen, hook) = recorder();
    builder_for(&gateway.url)
        .on_response(hook)
        .build()
        .expect("config")
        .send(TradeQuery::builder().out_trade_no("T4").build())
        .await
        .expect("verified");
    assert_eq!(seen.lock().expect("lock")[0].trace_id, None);
}
