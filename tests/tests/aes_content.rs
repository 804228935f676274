//! Content encryption (`encrypt_type=AES`) end to end: requests encrypted then signed, answers
//! verified over the quoted ciphertext then decrypted, checked on the wire in both directions,
//! with the client's and the sandbox's mistakes reported as such.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay::crypto::AesKey;
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::Sandbox;
use alipay::transport::{BoxFuture, HttpResponse, HyperTransport, Transport};
use alipay::{Amount, Client, Error, ResponseError, VerifyError};
use alipay_tests::{ScriptedGateway, keys, signed_answer};
use bytes::Bytes;
use serde_json::Value;

const VECTOR_KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";
const QUERY_NODE: &str = "alipay_trade_query_response";

/// The default transport, keeping every answer body.
#[derive(Clone)]
struct Recording {
    inner: HyperTransport,
    answers: Arc<Mutex<Vec<String>>>,
}

impl Recording {
    fn new() -> Self {
        Self {
            inner: HyperTransport::new(Duration::from_secs(5)).expect("transport"),
            answers: Arc::default(),
        }
    }

    fn answers(&self) -> Vec<String> {
        self.answers.lock().expect("lock").clone()
    }
}

impl Transport for Recording {
    fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let answer = self.inner.send(request, max_body).await?;
            self.answers
                .lock()
                .expect("lock")
                .push(String::from_utf8_lossy(&answer.body).into_owned());
            Ok(answer)
        })
    }
}

fn create_request(out_trade_no: &str) -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no(out_trade_no)
        .total_amount(Amount::new("66.60").expect("amount"))
        .subject("加密的订单")
        .buyer_id("2088000000000001")
        .build()
}

fn query_request(out_trade_no: &str) -> TradeQuery {
    TradeQuery::builder().out_trade_no(out_trade_no).build()
}

/// The value of the answer's node, as sent.
fn node(answer: &str, key: &str) -> Value {
    let body: Value = serde_json::from_str(answer).expect("JSON answer");
    body[key].clone()
}

#[test]
fn the_aes_vector() {
    let key = AesKey::from_base64(VECTOR_KEY).expect("key");
    assert_eq!(
        alipay::encrypt::encrypt_biz_content(&key, "test1234567"),
        "ILpoMowjIQjfYMR847rnFQ=="
    );
    assert_eq!(
        alipay::encrypt::decrypt_biz_content(&key, "ILpoMowjIQjfYMR847rnFQ==").expect("plain"),
        "test1234567"
    );
}

#[tokio::test]
async fn certificate_mode_with_encryption_round_trips_encrypted_both_ways() {
    let sandbox = Sandbox::builder()
        .cert_mode(true)
        .start()
        .await
        .expect("sandbox");
    let app = sandbox.create_cert_app().expect("app");
    let transport = Recording::new();
    let client = sandbox
        .cert_client_builder(&app)
        .encrypt_content(true)
        .transport(transport.clone())
        .build()
        .expect("client");

    let created = client
        .send(create_request("E1"))
        .await
        .expect("created, encrypted");
    let queried = client
        .send(query_request("E1"))
        .await
        .expect("queried, encrypted");
    assert_eq!(created.trade_no, queried.trade_no);
    assert_eq!(queried.total_amount.as_str(), "66.60");

    // Requests: encrypt_type=AES, and biz_content is ciphertext that the app key decrypts.
    let key = AesKey::from_base64(&app.aes_key).expect("key");
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.params["encrypt_type"], "AES");
        assert!(request.params.contains_key("app_cert_sn"));
        let sent = &request.params["biz_content"];
        assert!(!sent.contains("out_trade_no"), "{sent}");
        assert!(serde_json::from_str::<Value>(sent).is_err(), "{sent}");
        let plain = alipay::encrypt::decrypt_biz_content(&key, sent).expect("decrypts");
        let plain: Value = serde_json::from_str(&plain).expect("JSON inside");
        assert_eq!(plain["out_trade_no"], "E1");
        // What the sandbox read after decrypting.
        assert_eq!(request.biz_content.as_ref(), Some(&plain));
    }

    // Answers: the node is a JSON string (the ciphertext), next to alipay_cert_sn and sign.
    let answers = transport.answers();
    assert_eq!(answers.len(), 2);
    let query_answer = &answers[1];
    let encrypted = node(query_answer, QUERY_NODE);
    let ciphertext = encrypted.as_str().expect("an encrypted node is a string");
    let plain = alipay::encrypt::decrypt_biz_content(&key, ciphertext).expect("decrypts");
    assert!(
        plain.contains("\"trade_status\":\"WAIT_BUYER_PAY\""),
        "{plain}"
    );
    let body: Value = serde_json::from_str(query_answer).expect("JSON");
    assert!(body["alipay_cert_sn"].is_string());
    assert!(body["sign"].is_string());
}

#[tokio::test]
async fn encryption_per_call_in_public_key_mode() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let aes_key = sandbox.create_app_aes_key(&app.app_id).expect("AES key");
    let transport = Recording::new();
    let client = sandbox
        .client_builder(&app)
        .aes_key(aes_key)
        .transport(transport.clone())
        .build()
        .expect("client");

    client
        .send(create_request("P1"))
        .encrypt(true)
        .await
        .expect("encrypted call");
    client.send(query_request("P1")).await.expect("plain call");
    let requests = sandbox.requests();
    assert_eq!(requests[0].params["encrypt_type"], "AES");
    assert!(!requests[0].params["biz_content"].starts_with('{'));
    assert!(!requests[1].params.contains_key("encrypt_type"));
    assert!(requests[1].params["biz_content"].starts_with('{'));
    let answers = transport.answers();
    assert!(node(&answers[0], "alipay_trade_create_response").is_string());
    assert!(node(&answers[1], QUERY_NODE).is_object());

    // The client default can be switched off per call.
    let client = sandbox
        .client_builder(&app)
        .aes_key(sandbox.create_app_aes_key(&app.app_id).expect("new key"))
        .encrypt_content(true)
        .build()
        .expect("client");
    client
        .send(query_request("P1"))
        .encrypt(false)
        .await
        .expect("plain call");
    client
        .send(query_request("P1"))
        .await
        .expect("encrypted call");
    let requests = sandbox.requests();
    assert!(!requests[2].params.contains_key("encrypt_type"));
    assert_eq!(requests[3].params["encrypt_type"], "AES");
}

#[tokio::test]
async fn mistakes_with_keys() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");

    // Encrypting without a key: refused before sending.
    let client = sandbox.client_builder(&app).build().expect("client");
    match client.send(query_request("M1")).encrypt(true).await {
        Err(Error::Config(e)) => assert_eq!(e.field, "aes_key"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");
    let refused = sandbox.client_builder(&app).encrypt_content(true).build();
    assert_eq!(refused.expect_err("needs a key").field, "aes_key");
    let refused = sandbox.client_builder(&app).aes_key("not base64!").build();
    assert_eq!(refused.expect_err("bad key").field, "aes_key");

    // The app has no key at the sandbox.
    let client = sandbox
        .client_builder(&app)
        .aes_key(VECTOR_KEY)
        .encrypt_content(true)
        .build()
        .expect("client");
    match client.send(query_request("M1")).await {
        Err(Error::Api(e)) => {
            assert_eq!(e.sub_code.as_deref(), Some("isv.missing-encrypt-key"));
        }
        other => panic!("expected a signed refusal, got {other:?}"),
    }

    // The client's key is not the app's: the sandbox cannot decrypt.
    sandbox.create_app_aes_key(&app.app_id).expect("key");
    match client.send(query_request("M1")).await {
        Err(Error::Api(e)) => assert_eq!(e.sub_code.as_deref(), Some("isv.decryption-error")),
        other => panic!("expected a signed refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn encrypted_answers_are_verified_over_the_quoted_ciphertext_then_decrypted() {
    let key = AesKey::from_base64(VECTOR_KEY).expect("key");
    let plain = r#"{"code":"10000","msg":"Success","trade_no":"2026","out_trade_no":"S1","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}"#;
    let quoted = format!("\"{}\"", key.encrypt(plain.as_bytes()));
    let client = |url: &str, aes: Option<&str>| {
        let mut builder = Client::builder()
            .app_id("2021000000000001")
            .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
            .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
            .gateway_url(url);
        if let Some(aes) = aes {
            builder = builder.aes_key(aes);
        }
        builder.build().expect("client")
    };

    let gateway = ScriptedGateway::start(200, signed_answer(QUERY_NODE, &quoted)).await;
    let trade = client(&gateway.url, Some(VECTOR_KEY))
        .send(query_request("S1"))
        .await
        .expect("verified, then decrypted");
    assert_eq!(trade.out_trade_no, "S1");

    // No key: the answer is refused, not guessed at.
    let result = client(&gateway.url, None).send(query_request("S1")).await;
    assert!(
        matches!(result, Err(Error::Response(ResponseError::Malformed(_)))),
        "{result:?}"
    );

    // Another key: verified, but it does not decrypt.
    let other = "MDEyMzQ1Njc4OWFiY2RlZg==";
    let result = client(&gateway.url, Some(other))
        .send(query_request("S1"))
        .await;
    assert!(
        matches!(result, Err(Error::Response(ResponseError::Decrypt(_)))),
        "{result:?}"
    );

    // Signed without the quotes: the signature does not verify, nothing is decrypted.
    let unquoted = signed_answer(QUERY_NODE, quoted.trim_matches('"'));
    let signature = unquoted
        .rsplit("\"sign\":\"")
        .next()
        .and_then(|rest| rest.strip_suffix("\"}"))
        .expect("signature");
    let body = format!(r#"{{"{QUERY_NODE}":{quoted},"sign":"{signature}"}}"#);
    let gateway = ScriptedGateway::start(200, body).await;
    let result = client(&gateway.url, Some(VECTOR_KEY))
        .send(query_request("S1"))
        .await;
    assert!(
        matches!(result, Err(Error::Verify(VerifyError::Mismatch))),
        "{result:?}"
    );
}
