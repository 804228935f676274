//! Text risk detection, AES with the client's key, and the generic call (execute, files, local
//! order string) against the sandbox over loopback.

use alipay::payment::common::TradeCreate;
use alipay::request::FilePart;
use alipay::security::text_risk::RiskContentDetect;
use alipay::util::generic::{Generic, GenericLocal};
use alipay::{Amount, Error};
use alipay_tests::{keys, sandbox_client, sub_code};
use serde_json::{Map, Value, json};

const AES_KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";
const SAMPLE_PNG: &[u8] = include_bytes!("../fixtures/vectors/sample.png");

fn client_builder() -> alipay::ClientBuilder {
    alipay::Client::builder()
        .app_id("2021000000000001")
        .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
}

#[tokio::test]
async fn risk_detect_passes_and_rejects() {
    let (sandbox, _app, client) = sandbox_client().await;
    let clean = client
        .send(RiskContentDetect::builder().content("今天天气不错").build())
        .await
        .expect("detected");
    let received = sandbox.requests().pop().expect("a request");
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.security.risk.content.detect")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({"content": "今天天气不错"}))
    );
    assert!(clean.is_passed());
    assert_eq!(
        clean.action,
        alipay::security::text_risk::RiskAction::Passed
    );
    assert!(clean.keywords.is_empty());
    assert!(!clean.unique_id.is_empty());

    let risky = client
        .send(
            RiskContentDetect::builder()
                .content("这里有赌博和违禁内容")
                .build(),
        )
        .await
        .expect("detected");
    assert!(!risky.is_passed());
    assert_eq!(
        risky.action,
        alipay::security::text_risk::RiskAction::Rejected
    );
    assert_eq!(risky.keywords, ["违禁", "赌博"]);
    assert_ne!(risky.unique_id, clean.unique_id);
}

#[test]
fn aes_vector_and_round_trip_through_the_client() {
    let client = client_builder().aes_key(AES_KEY).build().expect("valid");
    assert_eq!(
        client.aes_encrypt("test1234567").expect("encrypts"),
        "ILpoMowjIQjfYMR847rnFQ=="
    );
    assert_eq!(
        client
            .aes_decrypt("ILpoMowjIQjfYMR847rnFQ==")
            .expect("decrypts"),
        "test1234567"
    );
    for plaintext in [
        "",
        "13800000000",
        "{\"mobile\":\"13800000000\",\"名\":\"张三\"}",
    ] {
        let ciphertext = client.aes_encrypt(plaintext).expect("encrypts");
        assert_eq!(
            client.aes_decrypt(&ciphertext).expect("decrypts"),
            plaintext
        );
    }
    // Bad ciphertexts are errors, not panics.
    assert!(matches!(client.aes_decrypt("***"), Err(Error::Aes(_))));
    assert!(matches!(client.aes_decrypt("AAAA"), Err(Error::Aes(_))));
    assert!(matches!(
        client.aes_decrypt("AAAAAAAAAAAAAAAAAAAAAA=="),
        Err(Error::Aes(_))
    ));
}

/// The padding-oracle attack, run against `Client::aes_decrypt`: the attacker changes the last
/// byte of the block before the last one through all 256 values and watches the answers. With
/// distinct errors, the one value whose padding turns valid tells a plaintext byte; here every
/// failure, whatever its cause (padding, UTF-8, length, base64), is one and the same error.
#[test]
fn aes_decrypt_is_no_padding_oracle() {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let client = client_builder().aes_key(AES_KEY).build().expect("valid");
    let secret = "{\"mobile\":\"13800000000\"}";
    let ciphertext = engine
        .decode(client.aes_encrypt(secret).expect("encrypts"))
        .expect("base64");
    assert_eq!(ciphertext.len(), 32);
    // Positive control: the untouched ciphertext decrypts.
    assert_eq!(
        client
            .aes_decrypt(&engine.encode(&ciphertext))
            .expect("decrypts"),
        secret
    );
    let mut messages = std::collections::BTreeSet::new();
    let mut failures = 0;
    for value in 0..=255u8 {
        let mut forged = ciphertext.clone();
        forged[15] = value;
        match client.aes_decrypt(&engine.encode(&forged)) {
            Ok(text) => assert_eq!(value, ciphertext[15], "only the original decrypts: {text}"),
            Err(Error::Aes(error)) => {
                failures += 1;
                messages.insert(format!("{error} / {error:?}"));
            }
            Err(other) => panic!("expected Error::Aes, got {other:?}"),
        }
    }
    assert_eq!(failures, 255);
    for malformed in ["***", "", "AAAA", &engine.encode(&ciphertext[..31])] {
        match client.aes_decrypt(malformed) {
            Err(Error::Aes(error)) => {
                messages.insert(format!("{error} / {error:?}"));
            }
            other => panic!("expected Error::Aes for {malformed:?}, got {other:?}"),
        }
    }
    assert_eq!(messages.len(), 1, "{messages:#?}");
}

#[test]
fn aes_key_checked_at_build_and_required_at_use() {
    let err = client_builder()
        .aes_key("not base64!")
        .build()
        .expect_err("a bad key is refused");
    assert_eq!(err.field, "aes_key");
    let err = client_builder()
        .aes_key("AAAAAAAAAAAAAAAAAAAA")
        .build()
        .expect_err("15 bytes is no AES key");
    assert_eq!(err.field, "aes_key");

    let client = client_builder().build().expect("valid without AES");
    match client.aes_encrypt("x") {
        Err(Error::Config(e)) => {
            assert_eq!(e.field, "aes_key");
            assert!(e.to_string().contains("ClientBuilder::aes_key"), "{e}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(matches!(
        client.aes_decrypt("ILpoMowjIQjfYMR847rnFQ=="),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn execute_calls_a_method_by_name() {
    let (sandbox, _app, client) = sandbox_client().await;
    let created = client
        .send(
            TradeCreate::builder()
                .out_trade_no("GEN-1")
                .total_amount(Amount::new("5.00").expect("amount"))
                .subject("generic")
                .build(),
        )
        .await
        .expect("created");

    let mut biz = Map::new();
    biz.insert("out_trade_no".into(), Value::from("GEN-1"));
    let answer = client
        .execute("alipay.trade.query", [("app_auth_token", "")], biz)
        .await
        .expect("queried");
    let received = sandbox.requests().pop().expect("a request");
    assert_eq!(received.method.as_deref(), Some("alipay.trade.query"));
    assert_eq!(received.biz_content, Some(json!({"out_trade_no": "GEN-1"})));
    assert!(
        !received.params.contains_key("app_auth_token"),
        "empty text params are left out"
    );
    assert_eq!(answer.code, "10000");
    assert_eq!(answer.msg, "Success");
    assert_eq!(answer.get("trade_no"), Some(&json!(created.trade_no)));
    assert_eq!(answer.get("trade_status"), Some(&json!("WAIT_BUYER_PAY")));
    #[derive(serde::Deserialize)]
    struct Status {
        trade_status: String,
    }
    assert_eq!(
        answer.parse::<Status>().expect("typed").trade_status,
        "WAIT_BUYER_PAY"
    );

    // A business failure is an error, as for typed requests.
    let missing = client
        .execute(
            "alipay.trade.query",
            None::<(String, String)>,
            [("out_trade_no", "nope")],
        )
        .await;
    assert_eq!(sub_code(missing), "ACQ.TRADE_NOT_EXIST");

    // An unknown method: the gateway's (unsigned) refusal.
    let unknown = client
        .send(Generic::new("alipay.no.such.method").biz_param("a", 1))
        .await;
    assert!(matches!(&unknown, Err(Error::Gateway(_))), "{unknown:?}");
    assert_eq!(sub_code(unknown), "isv.invalid-method");
}

#[tokio::test]
async fn generic_file_call_is_multipart() {
    let (sandbox, _app, client) = sandbox_client().await;
    let upload = Generic::new("alipay.offline.material.image.upload")
        .text_param("image_type", "png")
        .text_param("image_name", "generic")
        .file("image_content", FilePart::from_bytes("g.png", SAMPLE_PNG));
    let answer = client.send(upload).await.expect("uploaded");
    let received = sandbox.requests().pop().expect("a request");
    assert!(received.content_type.starts_with("multipart/form-data"));
    assert_eq!(received.params["image_type"], "png");
    assert_eq!(received.params["image_name"], "generic");
    assert_eq!(received.files.len(), 1);
    assert_eq!(received.files[0].field, "image_content");
    assert_eq!(received.files[0].filename, "g.png");
    assert_eq!(&received.files[0].content[..], SAMPLE_PNG);
    let image_id = answer
        .get("image_id")
        .and_then(Value::as_str)
        .expect("image_id");
    assert_eq!(sandbox.images()[0].image_id, image_id);
}

#[tokio::test]
async fn generic_local_order_string_is_paid_by_the_app() {
    let (sandbox, app, client) = sandbox_client().await;
    let order = client
        .sdk_execute(
            "alipay.trade.app.pay",
            None::<(String, String)>,
            [
                ("out_trade_no", "GEN-APP-1"),
                ("total_amount", "0.10"),
                ("subject", "generic app pay"),
            ],
        )
        .expect("rendered");
    let paid = sandbox.app_pay(&order).await.expect("the app pays");
    assert_eq!(paid.out_trade_no, "GEN-APP-1");
    assert_eq!(paid.status, "TRADE_SUCCESS");

    // The same through render, with a per-call option.
    let order = client
        .render(
            GenericLocal::new("alipay.trade.app.pay")
                .biz(&json!({"out_trade_no": "GEN-APP-2", "total_amount": "0.20", "subject": "s"}))
                .expect("an object"),
        )
        .async_notify("http://127.0.0.1:9/notify")
        .order_string()
        .expect("rendered");
    assert!(order.contains("notify_url=http%3A%2F%2F127.0.0.1%3A9%2Fnotify"));
    let paid = sandbox.app_pay(&order).await.expect("the app pays");
    assert_eq!(paid.app_id, app.app_id);
    assert_eq!(
        paid.notify_url.as_deref(),
        Some("http://127.0.0.1:9/notify")
    );
}
