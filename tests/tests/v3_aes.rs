//! Content encryption over OpenAPI v3 (`alipay-encrypt-type: AES`): against the sandbox, the
//! request body is the ciphertext (what is signed) and the answer comes back encrypted and
//! decrypts; from a hostile v3 gateway on loopback, an answer whose ciphertext was changed, or
//! replaced by a valid ciphertext of other content, is refused by its signature before it is
//! decrypted, next to the genuine answer that decrypts and parses.

use alipay::crypto::AesKey;
use alipay::payment::common::{TradeCreate, TradeQuery, TradeQueryResponse};
use alipay::sandbox::Sandbox;
use alipay::{Amount, Error, PrivateKey, Protocol, ResponseError, VerifyError};
use alipay_tests::{Reply, ScriptedGateway, alipay_private_key, builder_for, v3_signed_headers};
use serde_json::Value;

const KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";
const OTHER_KEY: &str = "MTIzNDU2Nzg5MGFiY2RlZg==";
const BODY: &str = r#"{"trade_no":"2026120222001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}"#;
const TIMESTAMP: &str = "1764670000123";
const NONCE: &str = "6f1c2a9e0b8d4c7f";

fn key(text: &str) -> AesKey {
    AesKey::from_base64(text).expect("key")
}

#[tokio::test]
async fn an_encrypted_v3_call_round_trips_against_the_sandbox() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let aes = sandbox.create_app_aes_key(&app.app_id).expect("aes key");
    let client = sandbox
        .client_builder(&app)
        .protocol(Protocol::V3)
        .aes_key(aes.clone())
        .encrypt_content(true)
        .build()
        .expect("client");
    let created = client
        .send(
            TradeCreate::builder()
                .out_trade_no("VA-1")
                .total_amount(Amount::new("66.60").expect("amount"))
                .subject("加密的订单")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("created over v3, encrypted");
    let queried = client
        .send(TradeQuery::builder().out_trade_no("VA-1").build())
        .await
        .expect("queried over v3, encrypted");
    assert_eq!(created.trade_no, queried.trade_no);
    assert_eq!(queried.total_amount.as_str(), "66.60");
    // The sandbox received ciphertext and read the decrypted JSON.
    for request in sandbox.requests() {
        assert!(!request.params.contains_key("version"), "sent over v3");
        assert!(
            request.content_type.starts_with("text/plain"),
            "{}",
            request.content_type
        );
        let fields = request.biz_content.expect("decrypted fields");
        assert_eq!(fields["out_trade_no"], "VA-1");
    }
    // Positive control for the encryption itself: the same query unencrypted also succeeds.
    let plain = client
        .send(TradeQuery::builder().out_trade_no("VA-1").build())
        .encrypt(false)
        .await
        .expect("queried in plain JSON");
    assert_eq!(plain.trade_no, queried.trade_no);
    assert_eq!(
        sandbox.requests().pop().expect("recorded").content_type,
        "application/json"
    );
}

/// Signature headers for `body`, signed by `by`.
fn signed_headers(body: &[u8], by: &PrivateKey) -> Vec<String> {
    v3_signed_headers("text/plain;charset=utf-8", body, TIMESTAMP, NONCE, by)
}

/// An encrypted v3 trade query to a gateway answering `body` with `headers`; also checks that
/// the request was encrypted.
async fn query(body: String, headers: Vec<String>) -> Result<TradeQueryResponse, Error> {
    let gateway = ScriptedGateway::start_script(vec![Reply::Answer {
        status: 200,
        body: body.into_bytes(),
        headers,
        delay: std::time::Duration::ZERO,
    }])
    .await;
    let client = builder_for(&gateway.url)
        .protocol(Protocol::V3)
        .aes_key(KEY)
        .encrypt_content(true)
        .build()
        .expect("client");
    let result = client
        .send(TradeQuery::builder().out_trade_no("T1").build())
        .await;
    let received = gateway.received();
    let head = received[0].head.to_ascii_lowercase();
    assert!(head.contains("alipay-encrypt-type: aes"), "{head}");
    let sent = std::str::from_utf8(&received[0].body).expect("base64");
    let plain: Value =
        serde_json::from_str(&key(KEY).decrypt_text(sent).expect("decrypts")).expect("JSON inside");
    assert_eq!(plain["out_trade_no"], "T1");
    result
}

#[tokio::test]
async fn a_genuine_encrypted_answer_verifies_then_decrypts() {
    let ciphertext = key(KEY).encrypt(BODY.as_bytes());
    let headers = signed_headers(ciphertext.as_bytes(), &alipay_private_key());
    let trade = query(ciphertext, headers).await.expect("genuine");
    assert_eq!(trade.out_trade_no, "T1");
    assert_eq!(trade.total_amount.as_str(), "1.00");
}

#[tokio::test]
async fn a_changed_ciphertext_is_refused_before_decryption() {
    let genuine = key(KEY).encrypt(BODY.as_bytes());
    let headers = signed_headers(genuine.as_bytes(), &alipay_private_key());
    // A valid ciphertext, under the right key, of another body: decrypting before verifying
    // would accept it.
    let forged = key(KEY).encrypt(BODY.replace("1.00", "9.00").as_bytes());
    let error = query(forged, headers.clone()).await.expect_err("forged");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
    // One base64 character changed: a signature mismatch, not a decryption error.
    let mut tampered = genuine.into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let error = query(tampered, headers).await.expect_err("tampered");
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_signed_ciphertext_under_another_key_fails_to_decrypt_once_verified() {
    let ciphertext = key(OTHER_KEY).encrypt(BODY.as_bytes());
    let headers = signed_headers(ciphertext.as_bytes(), &alipay_private_key());
    let error = query(ciphertext, headers).await.expect_err("other key");
    assert!(
        matches!(error, Error::Response(ResponseError::Decrypt(_))),
        "{error:?}"
    );
}
