//! What the faults the sandbox injects look like on the wire of an OpenAPI v3 call, and the
//! v3 errors they give where they differ from v2 (the typed errors both protocols share are
//! tested over both in `faults.rs`).

use alipay::response::Charset;
use alipay::sandbox::{Fault, FaultRule, Scope};
use alipay::transport::HttpResponse;
use alipay::v3::answer::answer_content;
use alipay::{Error, Protocol, ResponseError, Verifier as _, VerifyError};

#[path = "support/faults.rs"]
mod faults;

use faults::{create, once, query, setup};

fn header<'a>(answer: &'a HttpResponse, name: &str) -> Option<&'a str> {
    answer.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn without_a_fault_the_v3_call_succeeds_and_other_methods_are_not_spoiled() {
    let setup = setup(Protocol::V3).await;
    let trade = setup.client.send(query()).await.expect("no fault");
    assert_eq!(trade.out_trade_no, "F-1");
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
async fn http_5xx_is_an_unsigned_v3_error_and_the_call_does_not_run() {
    let setup = setup(Protocol::V3).await;
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
    assert!(setup.client.send(create("F-2")).await.is_err());
    assert!(setup.sandbox.trade(&setup.app.app_id, "F-2").is_none());
    // Recorded though it did not run, as over v2.
    let request = setup.sandbox.requests().pop().expect("recorded");
    assert_eq!(request.method.as_deref(), Some("alipay.trade.create"));
    assert_eq!(request.params.get("app_id"), Some(&setup.app.app_id));
    let biz = request.biz_content.expect("its fields");
    assert_eq!(biz["out_trade_no"], "F-2");
}

#[tokio::test]
async fn an_encrypted_answer_truncated_before_encryption_is_not_json_once_decrypted() {
    let setup = setup(Protocol::V3).await;
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
    assert_eq!(trade.out_trade_no, "F-1");
}

#[tokio::test]
async fn a_wrong_signature_is_a_mismatch_though_well_formed() {
    let setup = setup(Protocol::V3).await;
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
    let setup = setup(Protocol::V3).await;
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
    let setup = setup(Protocol::V3).await;
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

/// A signed v3 failure in GBK: the signature covers the GBK bytes and verifies, but a v3 answer
/// is JSON in UTF-8, so the client refuses it as a charset mismatch rather than read it in the
/// character set the `Content-Type` names. The call is not carried out.
#[tokio::test]
async fn a_gbk_failure_is_a_charset_mismatch_and_the_call_does_not_run() {
    let setup = setup(Protocol::V3).await;
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::GbkSubMsg, Scope::All).times(1));
    assert!(matches!(
        setup.client.send(create("F-4")).await,
        Err(Error::Response(ResponseError::Charset { .. }))
    ));
    assert!(setup.sandbox.trade(&setup.app.app_id, "F-4").is_none());
    let answer = setup.last();
    assert_eq!(answer.status, 422);
    assert_eq!(answer.charset, Some(Charset::Gbk), "the header said GBK");
    assert!(
        std::str::from_utf8(&answer.body).is_err(),
        "the body is GBK"
    );
    assert!(faults::holds_busy_in_gbk(&answer.body));
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
