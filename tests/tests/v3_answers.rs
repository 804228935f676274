//! Every kind of OpenAPI v3 answer, from a hostile v3 gateway on loopback: signed 2xx answers
//! verify over `alipay-timestamp\nalipay-nonce\nbody\n` (empty bodies included) and anything
//! else is refused with a typed error; signed error answers become `Error::V3`, unsigned ones
//! `Error::V3Unsigned`. Each forged answer has its positive control next to it.

use alipay::payment::common::{TradeQuery, TradeQueryResponse};
use alipay::{Error, PrivateKey, Protocol, VerifyError};
use alipay_tests::{
    Reply, ScriptedGateway, alipay_private_key, builder_for, keys, v3_signed_headers,
};

const BODY: &str = r#"{"trade_no":"2026120222001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}"#;
const TIMESTAMP: &str = "1764670000123";
const NONCE: &str = "6f1c2a9e0b8d4c7f";

/// Signature headers for `body`, signed by `by` over the given timestamp and nonce.
fn signed_headers(body: &[u8], timestamp: &str, nonce: &str, by: &PrivateKey) -> Vec<String> {
    let mut headers = v3_signed_headers("application/json", body, timestamp, nonce, by);
    headers.push("alipay-trace-id: 0b1a2c3d4e".to_owned());
    headers
}

fn reply(status: u16, body: &str, headers: Vec<String>) -> Reply {
    Reply::Answer {
        status,
        body: body.as_bytes().to_vec(),
        headers,
        delay: std::time::Duration::ZERO,
    }
}

/// Sends a v3 trade query to a gateway answering `reply`.
async fn query(reply: Reply) -> Result<TradeQueryResponse, Error> {
    let gateway = ScriptedGateway::start_script(vec![reply]).await;
    let client = builder_for(&gateway.url)
        .protocol(Protocol::V3)
        .build()
        .expect("client");
    let result = client
        .send(TradeQuery::builder().out_trade_no("T1").build())
        .await;
    let received = gateway.received();
    assert!(
        received[0]
            .head
            .starts_with("POST /v3/alipay/trade/query HTTP/1.1"),
        "{}",
        received[0].head
    );
    result
}

fn genuine() -> Reply {
    reply(
        200,
        BODY,
        signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &alipay_private_key()),
    )
}

#[tokio::test]
async fn a_signed_answer_verifies_and_parses() {
    let trade = query(genuine()).await.expect("genuine answer");
    assert_eq!(trade.out_trade_no, "T1");
    assert_eq!(trade.total_amount.as_str(), "1.00");
}

#[tokio::test]
async fn a_tampered_body_is_refused() {
    let tampered = BODY.replace("1.00", "9.00");
    let headers = signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &alipay_private_key());
    let error = query(reply(200, &tampered, headers))
        .await
        .expect_err("tampered");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
}

#[tokio::test]
async fn timestamp_and_nonce_are_signed() {
    // Signed over another nonce, or with timestamp and nonce swapped: refused.
    let key = alipay_private_key();
    let mut headers = signed_headers(BODY.as_bytes(), TIMESTAMP, "other", &key);
    headers[2] = format!("alipay-nonce: {NONCE}");
    let error = query(reply(200, BODY, headers)).await.expect_err("nonce");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
    let mut swapped = signed_headers(BODY.as_bytes(), NONCE, TIMESTAMP, &key);
    swapped[1] = format!("alipay-timestamp: {TIMESTAMP}");
    swapped[2] = format!("alipay-nonce: {NONCE}");
    let error = query(reply(200, BODY, swapped)).await.expect_err("swapped");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_answer_signed_by_another_key_is_refused() {
    let foreign = PrivateKey::parse(keys::APP_PRIVATE_PKCS8_PEM).expect("key");
    let headers = signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &foreign);
    let error = query(reply(200, BODY, headers)).await.expect_err("foreign");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unsigned_success_is_refused() {
    let headers = vec!["content-type: application/json".to_owned()];
    let error = query(reply(200, BODY, headers))
        .await
        .expect_err("unsigned");
    assert!(
        matches!(error, Error::Verify(VerifyError::MissingSign)),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_empty_success_is_verified_too() {
    // The official Java SDK returns an empty 2xx body before verifying it. Here an empty body
    // must be signed like any other.
    let unsigned = query(reply(200, "", Vec::new()))
        .await
        .expect_err("unsigned");
    assert!(
        matches!(unsigned, Error::Verify(VerifyError::MissingSign)),
        "{unsigned:?}"
    );
    let forged = signed_headers(b"{}", TIMESTAMP, NONCE, &alipay_private_key());
    let error = query(reply(200, "", forged))
        .await
        .expect_err("signed over another body");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
    // Positive control: a signed empty body verifies, then fails to parse as a trade (which has
    // required fields), not to verify.
    let signed = signed_headers(b"", TIMESTAMP, NONCE, &alipay_private_key());
    let error = query(reply(200, "", signed))
        .await
        .expect_err("no trade fields");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn missing_or_malformed_signature_headers_are_typed_errors() {
    let key = alipay_private_key();
    let mut no_nonce = signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &key);
    no_nonce.remove(2);
    let error = query(reply(200, BODY, no_nonce))
        .await
        .expect_err("no nonce");
    assert!(
        matches!(
            error,
            Error::Verify(VerifyError::MissingHeader("alipay-nonce"))
        ),
        "{error:?}"
    );
    let mut no_timestamp = signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &key);
    no_timestamp.remove(1);
    let error = query(reply(200, BODY, no_timestamp))
        .await
        .expect_err("no timestamp");
    assert!(
        matches!(
            error,
            Error::Verify(VerifyError::MissingHeader("alipay-timestamp"))
        ),
        "{error:?}"
    );
    let mut not_base64 = signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &key);
    not_base64[3] = "alipay-signature: %%%not-base64%%%".to_owned();
    let error = query(reply(200, BODY, not_base64))
        .await
        .expect_err("not base64");
    assert!(
        matches!(error, Error::Verify(VerifyError::BadEncoding)),
        "{error:?}"
    );
    let mut not_ascii = signed_headers(BODY.as_bytes(), TIMESTAMP, NONCE, &key);
    not_ascii[3] = "alipay-signature: 签名".to_owned();
    let error = query(reply(200, BODY, not_ascii))
        .await
        .expect_err("not ascii");
    assert!(
        matches!(
            error,
            Error::Verify(VerifyError::MalformedHeader("alipay-signature"))
        ),
        "{error:?}"
    );
}

const ERROR_BODY: &str = r#"{"code":"ACQ.TRADE_NOT_EXIST","message":"交易不存在","links":[{"link":"https://opendocs.alipay.com/open-v3/x","desc":"doc"}]}"#;

#[tokio::test]
async fn a_signed_error_is_a_typed_v3_error() {
    let headers = signed_headers(
        ERROR_BODY.as_bytes(),
        TIMESTAMP,
        NONCE,
        &alipay_private_key(),
    );
    let error = query(reply(404, ERROR_BODY, headers))
        .await
        .expect_err("error");
    let Error::V3(error) = error else {
        panic!("expected a v3 error, got {error:?}");
    };
    assert_eq!(error.status, 404);
    assert_eq!(error.code, "ACQ.TRADE_NOT_EXIST");
    assert_eq!(error.message, "交易不存在");
    assert_eq!(error.links[0].desc.as_deref(), Some("doc"));
    assert_eq!(error.trace_id.as_deref(), Some("0b1a2c3d4e"));
}

#[tokio::test]
async fn a_forged_signed_error_is_refused() {
    let foreign = PrivateKey::parse(keys::APP_PRIVATE_PKCS8_PEM).expect("key");
    let headers = signed_headers(ERROR_BODY.as_bytes(), TIMESTAMP, NONCE, &foreign);
    let error = query(reply(400, ERROR_BODY, headers))
        .await
        .expect_err("forged");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unsigned_error_says_it_is_unsigned() {
    let headers = vec!["content-type: application/json".to_owned()];
    let error = query(reply(400, ERROR_BODY, headers))
        .await
        .expect_err("unsigned");
    let Error::V3Unsigned {
        status, snippet, ..
    } = &error
    else {
        panic!("expected an unsigned v3 error, got {error:?}");
    };
    assert_eq!(*status, 400);
    assert!(snippet.contains("ACQ.TRADE_NOT_EXIST"));
    assert!(error.to_string().contains("without a signature"), "{error}");
    // A proxy's HTML page is unsigned too.
    let error = query(Reply::unavailable()).await.expect_err("503");
    assert!(
        matches!(error, Error::V3Unsigned { status: 503, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_call_can_override_the_protocol() {
    // The per-call override sends a v3 client's call over v2: the gateway sees gateway.do.
    let node = r#"{"code":"10000","msg":"Success","trade_no":"1","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}"#;
    let gateway = ScriptedGateway::start_script(vec![Reply::answer(
        200,
        alipay_tests::signed_answer("alipay_trade_query_response", node),
    )])
    .await;
    let client = builder_for(&gateway.url)
        .protocol(Protocol::V3)
        .build()
        .expect("client");
    client
        .send(TradeQuery::builder().out_trade_no("T1").build())
        .protocol(Protocol::V2)
        .await
        .expect("v2 answer");
    assert!(gateway.received()[0].head.starts_with("POST /gateway.do?"));
}

#[tokio::test]
async fn an_unsigned_5xx_of_an_idempotent_call_is_retried() {
    let gateway = ScriptedGateway::start_script(vec![Reply::unavailable(), genuine()]).await;
    let client = builder_for(&gateway.url)
        .protocol(Protocol::V3)
        .retry(alipay::RetryPolicy::new(1))
        .build()
        .expect("client");
    let trade = client
        .send(TradeQuery::builder().out_trade_no("T1").build())
        .await
        .expect("the second attempt's genuine answer");
    assert_eq!(trade.out_trade_no, "T1");
    assert_eq!(gateway.count(), 2);
    // Positive control: without retries, the 503 is the answer.
    let gateway = ScriptedGateway::start_script(vec![Reply::unavailable(), genuine()]).await;
    let client = builder_for(&gateway.url)
        .protocol(Protocol::V3)
        .build()
        .expect("client");
    let error = client
        .send(TradeQuery::builder().out_trade_no("T1").build())
        .await
        .expect_err("503");
    assert!(
        matches!(error, Error::V3Unsigned { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(gateway.count(), 1);
}
