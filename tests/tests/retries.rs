//! Retries, deadlines and the in-flight bound, against scripted gateways on loopback: a payment
//! that may have reached Alipay is never sent twice, a query is retried within its budget, the
//! backoff grows and is capped, the total deadline holds, and callers over the in-flight bound
//! wait.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alipay::error::TransportStep;
use alipay::payment::common::{TradeCreate, TradeQuery, TradeRefund};
use alipay::retry::{Jitter, RetryPolicy};
use alipay::{Amount, Error, ResponseError, VerifyError};
use alipay_tests::{Reply, ScriptedGateway, builder_for, signed_answer};

const QUERY_NODE: &str = "alipay_trade_query_response";
const QUERY_OK: &str = r#"{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.80"}"#;
const CREATE_NODE: &str = "alipay_trade_create_response";
const CREATE_OK: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2026112622001000000000000001"}"#;
const REFUND_NODE: &str = "alipay_trade_refund_response";
const REFUND_OK: &str = r#"{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2026112622001000000000000001","fund_change":"Y","refund_fee":"1.00"}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("T1").build()
}

fn create() -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no("T1")
        .total_amount(Amount::new("88.80").expect("amount"))
        .subject("tea")
        .buyer_id("2088000000000001")
        .build()
}

fn refund(out_request_no: Option<&str>) -> TradeRefund {
    let builder = TradeRefund::builder()
        .out_trade_no("T1")
        .refund_amount(Amount::new("1.00").expect("amount"));
    match out_request_no {
        Some(no) => builder.out_request_no(no).build(),
        None => builder.build(),
    }
}

/// Quick retries, no jitter: the tests stay fast and deterministic.
fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy::new(max_retries)
        .backoff(ms(20), ms(100))
        .jitter(Jitter::None)
}

fn truncated(node: &str, json: &str) -> Vec<u8> {
    let body = signed_answer(node, json);
    body.as_bytes()[..body.len() / 2].to_vec()
}

fn reset_mid_body(node: &str, json: &str) -> Reply {
    let body = signed_answer(node, json).into_bytes();
    let sent = body.len() / 3;
    Reply::ResetMidBody { body, sent }
}

#[tokio::test]
async fn a_payment_is_never_retried_once_the_request_was_sent() {
    let failures = [
        Reply::unavailable(),
        Reply::answer(200, truncated(CREATE_NODE, CREATE_OK)),
        reset_mid_body(CREATE_NODE, CREATE_OK),
        Reply::Hang,
    ];
    for failure in failures {
        let gateway = ScriptedGateway::start_script(vec![
            failure.clone(),
            Reply::answer(200, signed_answer(CREATE_NODE, CREATE_OK)),
        ])
        .await;
        let client = builder_for(&gateway.url)
            .retry(policy(3))
            .request_timeout(ms(300))
            .build()
            .expect("config");
        let result = client.send(create()).await;
        let expected = match &failure {
            Reply::Answer { status: 503, .. } => {
                matches!(result, Err(Error::HttpStatus { status: 503, .. }))
            }
            Reply::Answer { .. } => {
                matches!(result, Err(Error::Response(ResponseError::NotJson(_))))
            }
            Reply::ResetMidBody { .. } => matches!(
                &result,
                Err(Error::Transport(e)) if e.step() == TransportStep::Body
                    && e.gateway() == gateway.url.trim_end_matches("/gateway.do")
            ),
            Reply::Hang => matches!(result, Err(Error::Timeout(_))),
        };
        assert!(expected, "{failure:?} gave {result:?}");
        assert_eq!(gateway.count(), 1, "{failure:?}: the payment was sent once");
    }
}

#[tokio::test]
async fn a_payment_is_retried_after_a_connection_failure() {
    // A port that refuses connections at first, and serves once the retry comes.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://127.0.0.1:{port}/gateway.do");
    let client = builder_for(&url)
        .retry(
            RetryPolicy::new(3)
                .backoff(ms(400), ms(400))
                .jitter(Jitter::None),
        )
        .build()
        .expect("config");
    let gateway = tokio::spawn(async move {
        tokio::time::sleep(ms(100)).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the same port");
        ScriptedGateway::serve_script(
            listener,
            vec![Reply::answer(200, signed_answer(CREATE_NODE, CREATE_OK))],
        )
    });
    let created = client.send(create()).await.expect("created on the retry");
    assert_eq!(created.out_trade_no, "T1");
    let gateway = gateway.await.expect("gateway task");
    assert_eq!(gateway.count(), 1);

    // Without retries, the same refusal is the caller's error.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/gateway.do", closed.local_addr().expect("addr"));
    drop(closed);
    let client = builder_for(&url).build().expect("config");
    assert!(matches!(
        client.send(create()).await,
        Err(Error::Connect(_))
    ));
}

#[tokio::test]
async fn a_query_is_retried_within_its_budget_and_succeeds() {
    let gateway = ScriptedGateway::start_script(vec![
        Reply::unavailable(),
        reset_mid_body(QUERY_NODE, QUERY_OK),
        Reply::answer(200, truncated(QUERY_NODE, QUERY_OK)),
        Reply::answer(200, signed_answer(QUERY_NODE, QUERY_OK)),
    ])
    .await;
    let answers = Arc::new(Mutex::new(Vec::new()));
    let seen = answers.clone();
    let client = builder_for(&gateway.url)
        .retry(policy(3))
        .on_response(move |record| {
            seen.lock().expect("lock").push((
                record.attempt,
                record.status,
                record.method.to_owned(),
            ));
        })
        .build()
        .expect("config");
    let trade = client.send(query()).await.expect("the fourth attempt");
    assert_eq!(trade.out_trade_no, "T1");
    assert_eq!(gateway.count(), 4);
    // Every answer received went through the hook; the reset one was never complete.
    let answers = answers.lock().expect("lock").clone();
    let method = "alipay.trade.query".to_owned();
    assert_eq!(
        answers,
        [
            (1, 503, method.clone()),
            (3, 200, method.clone()),
            (4, 200, method)
        ]
    );
    // The same signed request was sent every time.
    let received = gateway.received();
    let first = received[0].head.lines().next().expect("request line");
    for request in &received[1..] {
        assert_eq!(request.head.lines().next(), Some(first));
        assert_eq!(request.body, received[0].body);
    }
}

#[tokio::test]
async fn a_query_gives_up_after_its_budget() {
    let gateway = ScriptedGateway::start_script(vec![Reply::unavailable()]).await;
    let client = builder_for(&gateway.url)
        .retry(policy(2))
        .build()
        .expect("config");
    assert!(matches!(
        client.send(query()).await,
        Err(Error::HttpStatus { status: 503, .. })
    ));
    assert_eq!(gateway.count(), 3, "one attempt and two retries");

    // A 4xx status is not retried even for a query.
    let gateway = ScriptedGateway::start_script(vec![Reply::answer(404, "not here")]).await;
    let client = builder_for(&gateway.url)
        .retry(policy(2))
        .build()
        .expect("config");
    assert!(matches!(
        client.send(query()).await,
        Err(Error::HttpStatus { status: 404, .. })
    ));
    assert_eq!(gateway.count(), 1);
}

#[tokio::test]
async fn retries_are_off_by_default() {
    let gateway = ScriptedGateway::start_script(vec![
        Reply::unavailable(),
        Reply::answer(200, signed_answer(QUERY_NODE, QUERY_OK)),
    ])
    .await;
    let client = builder_for(&gateway.url).build().expect("config");
    assert!(matches!(
        client.send(query()).await,
        Err(Error::HttpStatus { status: 503, .. })
    ));
    assert_eq!(gateway.count(), 1);
}

#[tokio::test]
async fn answers_from_alipay_are_not_retried() {
    let business_failure = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误"}"#;
    type Check = fn(&Result<alipay::payment::common::TradeQueryResponse, Error>) -> bool;
    let cases: Vec<(Vec<u8>, Check)> = vec![
        (signed_answer(QUERY_NODE, business_failure).into_bytes(), |r| {
            matches!(r, Err(Error::Api(e)) if e.sub_code.as_deref() == Some("ACQ.SYSTEM_ERROR"))
        }),
        (
            br#"{"error_response":{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error"}}"#.to_vec(),
            |r| matches!(r, Err(Error::Gateway(e)) if e.code == "20000"),
        ),
        (
            signed_answer(QUERY_NODE, QUERY_OK).replace("88.80", "0.01").into_bytes(),
            |r| matches!(r, Err(Error::Verify(VerifyError::Mismatch))),
        ),
    ];
    for (body, expected) in cases {
        let gateway = ScriptedGateway::start_script(vec![
            Reply::answer(200, body),
            Reply::answer(200, signed_answer(QUERY_NODE, QUERY_OK)),
        ])
        .await;
        let client = builder_for(&gateway.url)
            .retry(policy(3))
            .build()
            .expect("config");
        let result = client.send(query()).await;
        assert!(expected(&result), "{result:?}");
        assert_eq!(gateway.count(), 1, "{result:?} was not retried");
    }
}

#[tokio::test]
async fn a_refund_is_retried_only_with_its_request_number() {
    let script = || {
        vec![
            Reply::unavailable(),
            Reply::answer(200, signed_answer(REFUND_NODE, REFUND_OK)),
        ]
    };
    let gateway = ScriptedGateway::start_script(script()).await;
    let client = builder_for(&gateway.url)
        .retry(policy(3))
        .build()
        .expect("config");
    let refunded = client
        .send(refund(Some("R1")))
        .await
        .expect("retried with the same out_request_no");
    assert_eq!(refunded.fund_change, Some(true));
    assert_eq!(gateway.count(), 2);

    let gateway = ScriptedGateway::start_script(script()).await;
    let client = builder_for(&gateway.url)
        .retry(policy(3))
        .build()
        .expect("config");
    assert!(matches!(
        client.send(refund(None)).await,
        Err(Error::HttpStatus { status: 503, .. })
    ));
    assert_eq!(
        gateway.count(),
        1,
        "a refund without out_request_no is not repeated"
    );

    // An out_request_no added as an optional field counts too.
    let gateway = ScriptedGateway::start_script(script()).await;
    let client = builder_for(&gateway.url)
        .retry(policy(3))
        .build()
        .expect("config");
    client
        .send(refund(None))
        .optional("out_request_no", "R2")
        .await
        .expect("retried");
    assert_eq!(gateway.count(), 2);
}

#[tokio::test]
async fn a_call_can_override_the_idempotency_decision() {
    let gateway = ScriptedGateway::start_script(vec![
        Reply::unavailable(),
        Reply::answer(200, signed_answer(CREATE_NODE, CREATE_OK)),
    ])
    .await;
    let client = builder_for(&gateway.url)
        .retry(policy(3))
        .build()
        .expect("config");
    client
        .send(create())
        .idempotent(true)
        .await
        .expect("declared idempotent, so retried");
    assert_eq!(gateway.count(), 2);

    let gateway = ScriptedGateway::start_script(vec![
        Reply::unavailable(),
        Reply::answer(200, signed_answer(QUERY_NODE, QUERY_OK)),
    ])
    .await;
    let client = builder_for(&gateway.url)
        .retry(policy(3))
        .build()
        .expect("config");
    assert!(client.send(query()).idempotent(false).await.is_err());
    assert_eq!(gateway.count(), 1);
}

#[tokio::test]
async fn the_backoff_grows_and_is_capped() {
    let gateway = ScriptedGateway::start_script(vec![Reply::unavailable()]).await;
    let client = builder_for(&gateway.url)
        .retry(
            RetryPolicy::new(5)
                .backoff(ms(60), ms(150))
                .jitter(Jitter::None),
        )
        .build()
        .expect("config");
    assert!(client.send(query()).await.is_err());
    let received = gateway.received();
    assert_eq!(received.len(), 6);
    let gaps: Vec<Duration> = received
        .windows(2)
        .map(|w| w[1].at.duration_since(w[0].at))
        .collect();
    let expected = [ms(60), ms(120), ms(150), ms(150), ms(150)];
    for (gap, expected) in gaps.iter().zip(expected) {
        // At least the backoff; a loaded machine may add to it, so only a loose upper bound.
        assert!(
            *gap >= expected - ms(5) && *gap < expected + ms(1000),
            "gaps {gaps:?}, expected about {expected:?}"
        );
    }
}

#[tokio::test]
async fn a_hung_gateway_ends_at_the_total_deadline() {
    let gateway = ScriptedGateway::start_script(vec![Reply::Hang]).await;
    let total = ms(700);
    let client = builder_for(&gateway.url)
        .retry(policy(50))
        .request_timeout(ms(200))
        .total_timeout(total)
        .build()
        .expect("config");
    let started = Instant::now();
    let result = client.send(query()).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(Error::Timeout(d)) if d == total || d == ms(200)),
        "{result:?}"
    );
    assert!(elapsed < total + ms(500), "{elapsed:?}");
    let attempts = gateway.count();
    assert!((2..=4).contains(&attempts), "{attempts} attempts");

    // A total deadline shorter than one attempt's cuts that attempt (per call here).
    let client = builder_for(&gateway.url).build().expect("config");
    let started = Instant::now();
    let result = client.send(query()).total_timeout(ms(250)).await;
    assert!(
        matches!(result, Err(Error::Timeout(d)) if d == ms(250)),
        "{result:?}"
    );
    assert!(started.elapsed() < ms(250) + ms(500));
}

#[tokio::test]
async fn no_retry_starts_that_would_end_after_the_deadline() {
    let gateway = ScriptedGateway::start_script(vec![Reply::unavailable()]).await;
    let client = builder_for(&gateway.url)
        .retry(
            RetryPolicy::new(5)
                .backoff(ms(2000), ms(2000))
                .jitter(Jitter::None),
        )
        .total_timeout(ms(1000))
        .build()
        .expect("config");
    let started = Instant::now();
    // The last real error is kept, not a timeout.
    assert!(matches!(
        client.send(query()).await,
        Err(Error::HttpStatus { status: 503, .. })
    ));
    assert!(started.elapsed() < ms(1000));
    assert_eq!(gateway.count(), 1);
}

#[tokio::test]
async fn callers_over_the_in_flight_bound_wait() {
    let slow = Reply::Answer {
        status: 200,
        body: signed_answer(QUERY_NODE, QUERY_OK).into_bytes(),
        headers: Vec::new(),
        delay: ms(300),
    };
    let gateway = ScriptedGateway::start_script(vec![slow]).await;
    let client = builder_for(&gateway.url)
        .max_in_flight(1)
        .build()
        .expect("config");
    let started = Instant::now();
    let finished = Arc::new(Mutex::new(Vec::new()));
    let calls = (0..2).map(|_| {
        let client = client.clone();
        let finished = finished.clone();
        tokio::spawn(async move {
            let result = client.send(query()).await;
            finished.lock().expect("lock").push(Instant::now());
            result
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.expect("task").expect("both calls succeed");
    }
    let received = gateway.received();
    assert_eq!(received.len(), 2);
    // The gateway holds each answer 300 ms: the second request can only arrive once the first
    // answer was read, 300 ms after the first request arrived.
    let gap = received[1].at.duration_since(received[0].at);
    assert!(
        gap >= ms(290),
        "the second request came {gap:?} after the first"
    );
    let finished = finished.lock().expect("lock").clone();
    assert!(
        finished
            .iter()
            .all(|t| t.duration_since(started) >= ms(300))
    );
    assert!(
        started.elapsed() >= ms(600),
        "the calls ran one after the other"
    );

    // The wait for a slot counts against the total deadline.
    let busy = client.clone();
    let first = tokio::spawn(async move { busy.send(query()).await });
    tokio::time::sleep(ms(50)).await;
    let result = client.send(query()).total_timeout(ms(100)).await;
    assert!(
        matches!(result, Err(Error::Timeout(d)) if d == ms(100)),
        "{result:?}"
    );
    first
        .await
        .expect("task")
        .expect("the first call is unaffected");
}

#[tokio::test]
async fn the_in_flight_bound_holds_under_concurrency() {
    // Counts the connections open at once on the gateway side.
    let open = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
    let body = signed_answer(QUERY_NODE, QUERY_OK);
    let (o, p) = (open.clone(), peak.clone());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let (open, peak, body) = (o.clone(), p.clone(), body.clone());
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let _ = stream.read(&mut buffer).await;
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(ms(30)).await;
                open.fetch_sub(1, Ordering::SeqCst);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    let client = builder_for(&url).max_in_flight(3).build().expect("config");
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(query()).await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!((1..=3).contains(&peak), "peak {peak} requests at once");
}

#[tokio::test]
async fn bad_reliability_settings_are_refused() {
    for (builder, field) in [
        (
            builder_for("http://127.0.0.1:1/gateway.do").max_in_flight(0),
            "max_in_flight",
        ),
        (
            builder_for("http://127.0.0.1:1/gateway.do").total_timeout(Duration::ZERO),
            "total_timeout",
        ),
        (
            builder_for("http://127.0.0.1:1/gateway.do").max_response_headers(0),
            "max_response_headers",
        ),
        (
            builder_for("http://127.0.0.1:1/gateway.do").max_response_header_bytes(100),
            "max_response_header_bytes",
        ),
        (
            builder_for("http://127.0.0.1:1/gateway.do").tls_root_certificates("not pem"),
            "tls_root_certificates",
        ),
    ] {
        match builder.build() {
            Err(e) => assert_eq!(e.field, field),
            Ok(client) => panic!("{field}: built {client:?}"),
        }
    }
}

#[tokio::test]
async fn header_limits_apply() {
    let headers: Vec<String> = (0..150).map(|i| format!("x-filler-{i}: {i}")).collect();
    let many = Reply::Answer {
        status: 200,
        body: signed_answer(QUERY_NODE, QUERY_OK).into_bytes(),
        headers,
        delay: Duration::ZERO,
    };
    let gateway = ScriptedGateway::start_script(vec![many]).await;
    let default = builder_for(&gateway.url).build().expect("config");
    assert!(
        matches!(default.send(query()).await, Err(Error::Transport(_))),
        "hyper's default is 100 headers"
    );
    let roomy = builder_for(&gateway.url)
        .max_response_headers(200)
        .build()
        .expect("config");
    roomy.send(query()).await.expect("200 headers allowed");

    let big = Reply::Answer {
        status: 200,
        body: signed_answer(QUERY_NODE, QUERY_OK).into_bytes(),
        headers: vec![format!("x-big: {}", "a".repeat(20 * 1024))],
        delay: Duration::ZERO,
    };
    let gateway = ScriptedGateway::start_script(vec![big]).await;
    let small = builder_for(&gateway.url)
        .max_response_header_bytes(8192)
        .build()
        .expect("config");
    assert!(matches!(
        small.send(query()).await,
        Err(Error::Transport(_))
    ));
    builder_for(&gateway.url)
        .build()
        .expect("config")
        .send(query())
        .await
        .expect("the default buffer takes a 20 KiB header");
}
