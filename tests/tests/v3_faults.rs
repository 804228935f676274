//! Every fault the sandbox injects applies to OpenAPI v3 calls of the method it names, and makes
//! a v3 client return its specific typed error; the same call without the fault succeeds, and the
//! sandbox serves normally afterwards.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay::payment::common::{TradeCreate, TradeQuery, TradeQueryResponse};
use alipay::response::Charset;
use alipay::sandbox::{Fault, FaultRule, Sandbox, SandboxApp, Scope};
use alipay::transport::{BoxFuture, HttpResponse, HyperTransport, Transport};
use alipay::v3::answer::answer_content;
use alipay::{Amount, Client, Error, Protocol, ResponseError, Verifier as _, VerifyError};

/// The default transport, keeping the last answer.
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
    app: SandboxApp,
    last: Arc<Mutex<Option<HttpResponse>>>,
}

impl Setup {
    fn last(&self) -> HttpResponse {
        self.last.lock().expect("lock").clone().expect("an answer")
    }
}

fn create(out_trade_no: &str) -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no(out_trade_no)
        .total_amount(Amount::new("12.30").expect("amount"))
        .subject("v3 fault test")
        .buyer_id("2088000000000001")
        .build()
}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("VF-1").build()
}

/// A sandbox, a v3 client (with an AES key, used by the calls that ask for it) and the trade
/// `VF-1`, created over v3.
async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app");
    let aes_key = sandbox.create_app_aes_key(&app.app_id).expect("aes key");
    let last = Arc::new(Mutex::new(None));
    let transport = Recording {
        inner: HyperTransport::new(Duration::from_secs(5)).expect("transport"),
        last: Arc::clone(&last),
    };
    let client = sandbox
        .client_builder(&app)
        .protocol(Protocol::V3)
        .aes_key(aes_key)
        .transport(transport)
        .build()
        .expect("client");
    client.send(create("VF-1")).await.expect("trade created");
    Setup {
        sandbox,
        client,
        app,
        last,
    }
}

/// Injects `fault` once for `alipay.trade.query`, returns the v3 client's result, and checks
/// the rule is used up and the same query then succeeds (the positive control).
async fn once(setup: &Setup, fault: Fault) -> Result<TradeQueryResponse, Error> {
    setup
        .sandbox
        .inject_rule(FaultRule::new(fault, Scope::method("alipay.trade.query")).times(1));
    let result = setup.client.send(query()).await;
    assert!(
        setup.sandbox.faults().is_empty(),
        "the one-shot rule applied to the v3 call"
    );
    let again = setup
        .client
        .send(query())
        .await
        .expect("served normally again");
    assert_eq!(again.out_trade_no, "VF-1");
    result
}

fn header<'a>(answer: &'a HttpResponse, name: &str) -> Option<&'a str> {
    answer.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn without_a_fault_the_v3_call_succeeds_and_other_methods_are_not_spoiled() {
    let setup = setup().await;
    let trade = setup.client.send(query()).await.expect("no fault");
    assert_eq!(trade.out_trade_no, "VF-1");
    setup
        .sandbox
        .inject(Fault::Unsigned, Scope::method("alipay.trade.refund"));
    setup.client.send(query()).await.expect("another method");
    assert_eq!(setup.sandbox.faults().len(), 1, "the rule is still there");
    let request = setup.sandbox.requests().pop().expect("recorded");
    assert_eq!(request.method.as_deref(), Some("alipay.trade.query"));
    assert_eq!(request.http_method, "POST");
}

#[tokio::test]
async fn latency_times_out_with_the_per_call_deadline() {
    let setup = setup().await;
    setup.sandbox.inject_rule(
        FaultRule::new(Fault::Latency(Duration::from_millis(1500)), Scope::All).times(1),
    );
    let deadline = Duration::from_millis(200);
    match setup.client.send(query()).timeout(deadline).await {
        Err(Error::Timeout(d)) => assert_eq!(d, deadline),
        other => panic!("expected a timeout, got {other:?}"),
    }
    setup.sandbox.inject_rule(
        FaultRule::new(Fault::Latency(Duration::from_millis(300)), Scope::All).times(1),
    );
    let started = std::time::Instant::now();
    setup.client.send(query()).await.expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn http_5xx_is_an_unsigned_v3_error_and_the_call_does_not_run() {
    let setup = setup().await;
    match once(&setup, Fault::HttpStatus(503)).await {
        Err(Error::V3Unsigned {
            status, snippet, ..
        }) => {
            assert_eq!(status, 503);
            assert!(snippet.contains("503 Service Unavailable"), "{snippet}");
        }
        other => panic!("expected V3Unsigned, got {other:?}"),
    }
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::HttpStatus(502), Scope::All).times(1));
    assert!(setup.client.send(create("VF-2")).await.is_err());
    assert!(setup.sandbox.trade(&setup.app.app_id, "VF-2").is_none());
}

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error_after_the_call_ran() {
    let setup = setup().await;
    match once(&setup, Fault::ConnectionReset).await {
        Err(Error::Transport(_)) => {}
        other => panic!("expected Transport, got {other:?}"),
    }
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::ConnectionReset, Scope::All).times(1));
    assert!(setup.client.send(create("VF-3")).await.is_err());
    assert!(
        setup.sandbox.trade(&setup.app.app_id, "VF-3").is_some(),
        "the trade was created though the client saw no answer"
    );
}

#[tokio::test]
async fn a_truncated_body_verifies_but_is_not_json() {
    let setup = setup().await;
    match once(&setup, Fault::TruncatedJson).await {
        Err(Error::Response(ResponseError::NotJson(_))) => {}
        other => panic!("expected NotJson, got {other:?}"),
    }
}

#[tokio::test]
async fn an_encrypted_answer_truncated_before_encryption_is_not_json_once_decrypted() {
    let setup = setup().await;
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::TruncatedJson, Scope::All).times(1));
    match setup.client.send(query()).encrypt(true).await {
        Err(Error::Response(ResponseError::NotJson(_))) => {}
        other => panic!("expected NotJson, got {other:?}"),
    }
    let answer = setup.last();
    assert_eq!(header(&answer, "alipay-encrypt-type"), None);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&answer.body).is_err(),
        "the body on the wire is ciphertext"
    );
    let trade = setup
        .client
        .send(query())
        .encrypt(true)
        .await
        .expect("encrypted, unspoiled");
    assert_eq!(trade.out_trade_no, "VF-1");
}

#[tokio::test]
async fn a_wrong_signature_is_a_mismatch_though_well_formed() {
    let setup = setup().await;
    match once(&setup, Fault::WrongSignature).await {
        Err(Error::Verify(VerifyError::Mismatch)) => {}
        other => panic!("expected Mismatch, got {other:?}"),
    }
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::WrongSignature, Scope::All).times(1));
    assert!(setup.client.send(query()).await.is_err());
    let answer = setup.last();
    let timestamp = header(&answer, "alipay-timestamp").expect("timestamp");
    let nonce = header(&answer, "alipay-nonce").expect("nonce");
    let signature = header(&answer, "alipay-signature").expect("signature");
    let key = setup.sandbox.alipay_public_key();
    assert!(
        key.verify(&answer_content(timestamp, nonce, &answer.body), signature)
            .is_err()
    );
    let mut other = answer.body.to_vec();
    other.push(b' ');
    key.verify(&answer_content(timestamp, nonce, &other), signature)
        .expect("a genuine signature of other content");
}

#[tokio::test]
async fn an_unsigned_success_is_refused() {
    let setup = setup().await;
    match once(&setup, Fault::Unsigned).await {
        Err(Error::Verify(VerifyError::MissingSign)) => {}
        other => panic!("expected MissingSign, got {other:?}"),
    }
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::Unsigned, Scope::All).times(1));
    assert!(setup.client.send(query()).await.is_err());
    let answer = setup.last();
    assert_eq!(answer.status, 200);
    for name in ["alipay-signature", "alipay-timestamp", "alipay-nonce"] {
        assert_eq!(header(&answer, name), None, "{name}");
    }
}

#[tokio::test]
async fn a_duplicated_key_is_refused_once_verified() {
    let setup = setup().await;
    let key = match once(&setup, Fault::DuplicateNode).await {
        Err(Error::Response(ResponseError::DuplicateNode(key))) => key,
        other => panic!("expected DuplicateNode, got {other:?}"),
    };
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::DuplicateNode, Scope::All).times(1));
    assert!(setup.client.send(query()).await.is_err());
    let body = String::from_utf8(setup.last().body.to_vec()).expect("UTF-8");
    assert_eq!(body.matches(&format!("\"{key}\":")).count(), 2, "{body}");
}

#[tokio::test]
async fn an_oversize_body_is_too_large() {
    let setup = setup().await;
    match once(&setup, Fault::Oversize(alipay::sandbox::DEFAULT_OVERSIZE)).await {
        Err(Error::BodyTooLarge { limit }) => assert_eq!(limit, 4 * 1024 * 1024),
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

/// A signed v3 failure in GBK: the signature covers the GBK bytes and verifies, but a v3 answer
/// is JSON in UTF-8, so the client refuses it as a charset mismatch rather than read it in the
/// character set the `Content-Type` names. The call is not carried out.
#[tokio::test]
async fn a_gbk_failure_is_a_charset_mismatch_and_the_call_does_not_run() {
    let setup = setup().await;
    match once(&setup, Fault::GbkSubMsg).await {
        Err(Error::Response(ResponseError::Charset { declared })) => {
            assert_eq!(declared, Charset::Utf8);
        }
        other => panic!("expected a charset mismatch, got {other:?}"),
    }
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::GbkSubMsg, Scope::All).times(1));
    assert!(matches!(
        setup.client.send(create("VF-4")).await,
        Err(Error::Response(ResponseError::Charset { .. }))
    ));
    assert!(setup.sandbox.trade(&setup.app.app_id, "VF-4").is_none());
    let answer = setup.last();
    assert_eq!(answer.status, 422);
    assert_eq!(answer.charset, Some(Charset::Gbk), "the header said GBK");
    assert!(
        std::str::from_utf8(&answer.body).is_err(),
        "the body is GBK"
    );
    // 系统繁忙 in GBK.
    assert!(
        answer
            .body
            .windows(8)
            .any(|w| w == [0xCF, 0xB5, 0xCD, 0xB3, 0xB7, 0xB1, 0xC3, 0xA6])
    );
    let timestamp = header(&answer, "alipay-timestamp").expect("timestamp");
    let nonce = header(&answer, "alipay-nonce").expect("nonce");
    let signature = header(&answer, "alipay-signature").expect("signature");
    setup
        .sandbox
        .alipay_public_key()
        .verify(&answer_content(timestamp, nonce, &answer.body), signature)
        .expect("the signature covers the GBK bytes");
    // The same answer with one byte changed fails verification before anything is read.
    let mut tampered = answer.body.to_vec();
    let at = tampered
        .windows(2)
        .position(|w| w == [0xCF, 0xB5])
        .expect("系 in GBK");
    tampered[at] = 0xB7;
    let key = setup.sandbox.alipay_public_key();
    match alipay::v3::verify_answer(
        answer.status,
        &answer.headers,
        &tampered,
        |_, content, sign| key.verify(content, sign),
    ) {
        Err(Error::Verify(VerifyError::Mismatch)) => {}
        other => panic!("expected a signature mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn a_persistent_fault_spoils_v2_and_v3_calls_of_its_method_until_cleared() {
    let setup = setup().await;
    let v2 = setup
        .sandbox
        .client_builder(&setup.app)
        .build()
        .expect("v2 client");
    setup
        .sandbox
        .inject(Fault::Unsigned, Scope::method("alipay.trade.query"));
    for _ in 0..2 {
        assert!(matches!(
            setup.client.send(query()).await,
            Err(Error::Verify(VerifyError::MissingSign))
        ));
        assert!(matches!(
            v2.send(query()).await,
            Err(Error::Verify(VerifyError::MissingSign))
        ));
    }
    setup
        .client
        .send(create("VF-5"))
        .await
        .expect("not spoiled");
    setup.sandbox.clear_faults();
    setup.client.send(query()).await.expect("cleared");
}
