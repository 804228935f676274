//! Every fault the sandbox injects makes the client return its specific typed error, and the
//! sandbox keeps serving afterwards.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::response::Charset;
use alipay::sandbox::{Fault, FaultRule, Sandbox, SandboxApp, Scope};
use alipay::transport::{BoxFuture, HttpResponse, HyperTransport, Transport};
use alipay::{Amount, Client, Error, ResponseError, Verifier, VerifyError};

/// The default transport, keeping the last answer's raw bytes.
#[derive(Clone)]
struct Recording {
    inner: HyperTransport,
    last: Arc<Mutex<Option<HttpResponse>>>,
}

impl Transport for Recording {
    fn send(
        &self,
        request: http::Request<bytes::Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let answer = self.inner.send(request, max_body).await?;
            *self.last.lock().expect("lock") = Some(answer.clone());
            Ok(answer)
        })
    }
}

struct Setup {
    sandbox: Sandbox,
    client: Client,
    last: Arc<Mutex<Option<HttpResponse>>>,
    app: SandboxApp,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app");
    let last = Arc::new(Mutex::new(None));
    let transport = Recording {
        inner: HyperTransport::new(Duration::from_secs(5)).expect("transport"),
        last: Arc::clone(&last),
    };
    let client = sandbox
        .client_builder(&app)
        .transport(transport)
        .build()
        .expect("client");
    client
        .send(
            TradeCreate::builder()
                .out_trade_no("F-1")
                .total_amount(Amount::new("12.30").expect("amount"))
                .subject("fault test")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("trade created");
    Setup {
        sandbox,
        client,
        last,
        app,
    }
}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("F-1").build()
}

/// Injects `fault` once for `alipay.trade.query`, returns the client's result, and checks the
/// sandbox answers normally again.
async fn once(
    setup: &Setup,
    fault: Fault,
) -> Result<alipay::payment::common::TradeQueryResponse, Error> {
    setup
        .sandbox
        .inject_rule(FaultRule::new(fault, Scope::method("alipay.trade.query")).times(1));
    let result = setup.client.send(query()).await;
    assert!(
        setup.sandbox.faults().is_empty(),
        "the one-shot rule is used up"
    );
    let again = setup
        .client
        .send(query())
        .await
        .expect("served normally again");
    assert_eq!(again.out_trade_no, "F-1");
    result
}

#[tokio::test]
async fn latency_times_out_with_the_per_call_deadline() {
    let setup = setup().await;
    setup.sandbox.inject_rule(
        FaultRule::new(Fault::Latency(Duration::from_millis(1500)), Scope::All).times(1),
    );
    let deadline = Duration::from_millis(200);
    let result = setup.client.send(query()).timeout(deadline).await;
    match result {
        Err(Error::Timeout(d)) => assert_eq!(d, deadline),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Without a short deadline, the next (unspoiled) call goes through.
    setup.client.send(query()).await.expect("served");
}

#[tokio::test]
async fn latency_within_the_deadline_is_only_slow() {
    let setup = setup().await;
    setup.sandbox.inject_rule(
        FaultRule::new(Fault::Latency(Duration::from_millis(300)), Scope::All).times(1),
    );
    let started = std::time::Instant::now();
    setup.client.send(query()).await.expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn http_5xx_is_an_http_status_error() {
    let setup = setup().await;
    match once(&setup, Fault::HttpStatus(503)).await {
        Err(Error::HttpStatus { status, snippet }) => {
            assert_eq!(status, 503);
            assert!(snippet.contains("503 Service Unavailable"), "{snippet}");
            assert!(snippet.contains("<html>"), "{snippet}");
        }
        other => panic!("expected HttpStatus, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error() {
    let setup = setup().await;
    match once(&setup, Fault::ConnectionReset).await {
        Err(Error::Transport(_)) => {}
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_is_not_json() {
    let setup = setup().await;
    match once(&setup, Fault::TruncatedJson).await {
        Err(Error::Response(ResponseError::NotJson(_))) => {}
        other => panic!("expected NotJson, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_signature_is_a_mismatch() {
    let setup = setup().await;
    match once(&setup, Fault::WrongSignature).await {
        Err(Error::Verify(VerifyError::Mismatch)) => {}
        other => panic!("expected Mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unsigned_success_is_refused() {
    let setup = setup().await;
    match once(&setup, Fault::Unsigned).await {
        Err(Error::Verify(VerifyError::MissingSign)) => {}
        other => panic!("expected MissingSign, got {other:?}"),
    }
}

#[tokio::test]
async fn a_duplicated_node_is_refused() {
    let setup = setup().await;
    match once(&setup, Fault::DuplicateNode).await {
        Err(Error::Response(ResponseError::DuplicateNode(key))) => {
            assert_eq!(key, "alipay_trade_query_response");
        }
        other => panic!("expected DuplicateNode, got {other:?}"),
    }
}

#[tokio::test]
async fn an_oversize_body_is_too_large() {
    let setup = setup().await;
    match once(&setup, Fault::Oversize(alipay::sandbox::DEFAULT_OVERSIZE)).await {
        Err(Error::BodyTooLarge { limit }) => assert_eq!(limit, 4 * 1024 * 1024),
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

/// A business failure written in GBK (as the gateway sometimes answers), signed over the GBK
/// bytes, to a request that declared `charset=utf-8`: the client reads answers in the character
/// set the request declared, never in the one the `Content-Type` names, so the answer is refused
/// as a charset mismatch. (It used to be read as GBK because the body was not UTF-8 and the
/// header said GBK, which let anyone on the path have a UTF-8 node decoded as GBK.) The same
/// bytes, read as the answer to a request that declared GBK, verify and decode.
#[tokio::test]
async fn a_gbk_answer_to_a_utf8_request_is_a_charset_mismatch_and_reads_where_gbk_was_declared() {
    let setup = setup().await;
    match once(&setup, Fault::GbkSubMsg).await {
        Err(Error::Response(ResponseError::Charset { declared })) => {
            assert_eq!(declared, Charset::Utf8);
        }
        other => panic!("expected a charset mismatch, got {other:?}"),
    }
    // What was on the wire: GBK bytes, the signature over the raw node.
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::GbkSubMsg, Scope::All).times(1));
    assert!(matches!(
        setup.client.send(query()).await,
        Err(Error::Response(ResponseError::Charset { .. }))
    ));
    let answer = setup.last.lock().expect("lock").clone().expect("an answer");
    assert_eq!(answer.charset, Some(Charset::Gbk), "the header said GBK");
    let body = &answer.body[..];
    assert!(std::str::from_utf8(body).is_err(), "the body is GBK");
    let prefix = b"{\"alipay_trade_query_response\":";
    assert!(body.starts_with(prefix));
    let sign_at = body
        .windows(9)
        .position(|w| w == b",\"sign\":\"")
        .expect("signed");
    let node = &body[prefix.len()..sign_at];
    let sign = std::str::from_utf8(&body[sign_at + 9..body.len() - 2]).expect("base64");
    setup
        .sandbox
        .alipay_public_key()
        .verify(node, sign)
        .expect("the signature covers the GBK bytes");
    // 系统繁忙 in GBK.
    assert!(
        node.windows(8)
            .any(|w| w == [0xCF, 0xB5, 0xCD, 0xB3, 0xB7, 0xB1, 0xC3, 0xA6])
    );
    // Where the request declared GBK, the same answer is a verified Api error, decoded.
    match setup
        .client
        .read_response_declared(&query(), 200, body, Charset::Gbk)
    {
        Err(Error::Api(error)) => {
            assert_eq!(error.code, "40004");
            assert_eq!(error.sub_code.as_deref(), Some("ACQ.SYSTEM_ERROR"));
            assert_eq!(error.sub_msg.as_deref(), Some("系统繁忙，请稍后再试"));
        }
        other => panic!("expected a verified Api error, got {other:?}"),
    }
}

/// The same GBK answer with one byte of its `sub_msg` changed fails verification, read as the
/// answer to a request that declared GBK: decoding GBK does not let anything unverified through.
#[tokio::test]
async fn a_tampered_gbk_answer_fails_verification() {
    let setup = setup().await;
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::GbkSubMsg, Scope::All).times(1));
    assert!(setup.client.send(query()).await.is_err());
    let answer = setup.last.lock().expect("lock").clone().expect("an answer");
    let mut body = answer.body.to_vec();
    // 系 (CF B5) becomes 废 (B7 CF)… any other valid GBK character will do.
    let at = body
        .windows(2)
        .position(|w| w == [0xCF, 0xB5])
        .expect("系 in GBK");
    body[at] = 0xB7;
    body[at + 1] = 0xCF;
    match setup
        .client
        .read_response_declared(&query(), 200, &body, Charset::Gbk)
    {
        Err(Error::Verify(VerifyError::Mismatch)) => {}
        other => panic!("expected a signature mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn persistent_faults_last_until_cleared_and_scopes_match_methods() {
    let setup = setup().await;
    setup
        .sandbox
        .inject(Fault::Unsigned, Scope::method("alipay.trade.query"));
    for _ in 0..2 {
        assert!(matches!(
            setup.client.send(query()).await,
            Err(Error::Verify(VerifyError::MissingSign))
        ));
    }
    // Another method is not affected.
    setup
        .client
        .send(
            TradeCreate::builder()
                .out_trade_no("F-2")
                .total_amount(Amount::new("1.00").expect("amount"))
                .subject("other")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("create is not spoiled");
    assert_eq!(setup.sandbox.faults().len(), 1);
    setup.sandbox.clear_faults();
    setup.client.send(query()).await.expect("cleared");
}

#[tokio::test]
async fn a_5xx_does_not_run_the_call_but_other_faults_do() {
    let setup = setup().await;
    let create = |no: &str| {
        TradeCreate::builder()
            .out_trade_no(no)
            .total_amount(Amount::new("2.00").expect("amount"))
            .subject("effect")
            .buyer_id("2088000000000001")
            .build()
    };
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::HttpStatus(502), Scope::All).times(1));
    assert!(setup.client.send(create("E-1")).await.is_err());
    assert!(setup.sandbox.trade(&setup.app.app_id, "E-1").is_none());
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::ConnectionReset, Scope::All).times(1));
    assert!(setup.client.send(create("E-2")).await.is_err());
    assert!(
        setup.sandbox.trade(&setup.app.app_id, "E-2").is_some(),
        "the trade was created though the client saw no answer"
    );
}
