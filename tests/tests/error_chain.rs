//! Every layer of an error says its own message once: a `Display` never repeats its
//! `source()`, so a chain reporter (`alipay::error::Report`, the CLI) prints each cause once.
//! Real errors from real failures: keys, certificate files, an upload file, a gateway that is
//! closed, answers that are not JSON or do not match the type, a malformed notification.

use std::error::Error as _;

use alipay::crypto::KeyError;
use alipay::error::{ConnectStep, Report, chain};
use alipay::payment::common::TradeQuery;
use alipay_tests::{ScriptedGateway, client_for, keys, signed_answer};

/// Checks that no message in the chain of `error` contains the next one, and that the report
/// shows each of them once; returns the report.
fn check(label: &str, error: &(dyn std::error::Error + 'static)) -> String {
    let messages: Vec<String> = chain(error).map(ToString::to_string).collect();
    assert!(
        messages.len() >= 2,
        "{label}: a cause is expected: {messages:?}"
    );
    for pair in messages.windows(2) {
        assert!(
            pair[1].is_empty() || !pair[0].contains(&pair[1]),
            "{label}: `{}` repeats its cause `{}`",
            pair[0],
            pair[1]
        );
    }
    let report = Report::new(error).to_string();
    for message in messages.iter().filter(|m| !m.is_empty()) {
        assert_eq!(
            report.matches(message.as_str()).count(),
            1,
            "{label}: `{message}` once in `{report}`"
        );
    }
    report
}

fn builder() -> alipay::ClientBuilder {
    alipay::Client::builder()
        .app_id("2021000000000001")
        .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
}

#[test]
fn configuration_errors_keep_their_cause_as_source() {
    let encrypted = builder()
        .app_private_key(include_str!(
            "../../alipay/tests/fixtures/keys/app_private_encrypted.pem"
        ))
        .build()
        .expect_err("an encrypted key");
    assert_eq!(encrypted.field, "app_private_key");
    assert!(
        matches!(
            encrypted
                .source()
                .and_then(|e| e.downcast_ref::<KeyError>()),
            Some(KeyError::Encrypted)
        ),
        "{encrypted:?}"
    );
    let report = check("encrypted key", &encrypted);
    assert!(
        report.starts_with("invalid `app_private_key`: "),
        "{report}"
    );
    // Through `alipay::Error` too (`Config` is transparent).
    let error = alipay::Error::from(encrypted);
    assert!(error.source().is_some_and(|e| e.is::<KeyError>()));
    check("encrypted key as Error", &error);

    let swapped = builder()
        .alipay_public_key(keys::APP_PRIVATE_PKCS8_PEM)
        .build()
        .expect_err("a private key for the public one");
    check("swapped key", &swapped);

    let missing = alipay::cert::CertConfig::from_paths(
        "/nonexistent/appCert.crt",
        "/nonexistent/alipayCert.crt",
        "/nonexistent/alipayRootCert.crt",
    )
    .expect_err("no such file");
    let report = check("certificate file", &missing);
    assert!(report.contains("/nonexistent/appCert.crt"), "{report}");

    let upload = alipay::base::image::ImageUpload::from_path("Cover", "/nonexistent/cover.jpg")
        .expect_err("no such file");
    check("upload file", &upload);
}

#[tokio::test]
async fn an_unresolvable_gateway_is_a_dns_failure_named_in_the_message() {
    // `.invalid` never resolves (RFC 6761).
    let url = "http://alipay-gateway.invalid/gateway.do";
    let query = TradeQuery::builder().out_trade_no("T1").build();
    let error = client_for(url).send(query).await.expect_err("no such host");
    let alipay::Error::Connect(dns) = &error else {
        panic!("a connect error: {error:?}")
    };
    assert_eq!(dns.step(), ConnectStep::Dns, "{error}");
    assert_eq!(
        error.to_string(),
        "could not connect to the Alipay gateway http://alipay-gateway.invalid: DNS lookup failed"
    );
    check("dns", &error);
}

#[tokio::test]
async fn call_and_notification_errors_say_each_cause_once() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/gateway.do", closed.local_addr().expect("addr"));
    drop(closed);
    let query = || TradeQuery::builder().out_trade_no("T1").build();
    let connect = client_for(&url).send(query()).await.expect_err("closed");
    let alipay::Error::Connect(refused) = &connect else {
        panic!("a connect error: {connect:?}")
    };
    assert_eq!(refused.step(), ConnectStep::TcpRefused);
    // The message names the gateway (never the signed query) and the step.
    let origin = url.trim_end_matches("/gateway.do");
    assert_eq!(
        connect.to_string(),
        format!("could not connect to the Alipay gateway {origin}: TCP connection refused")
    );
    check("connect", &connect);

    let html = ScriptedGateway::start(200, "<html>maintenance</html>").await;
    let not_json = client_for(&html.url).send(query()).await.expect_err("html");
    assert!(
        matches!(
            not_json,
            alipay::Error::Response(alipay::ResponseError::NotJson(_))
        ),
        "{not_json:?}"
    );
    check("not json", &not_json);

    let mistyped = ScriptedGateway::start(
        200,
        signed_answer(
            "alipay_trade_query_response",
            r#"{"code":"10000","msg":"Success","trade_no":{"a":1},"out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}"#,
        ),
    )
    .await;
    let decode = client_for(&mistyped.url)
        .send(query())
        .await
        .expect_err("mistyped");
    assert!(matches!(decode, alipay::Error::Decode { .. }), "{decode:?}");
    let report = check("decode", &decode);
    assert!(report.contains("line 1"), "the JSON position: {report}");

    let client = client_for(&html.url);
    let notification = client.verify_notification(b"a=%ZZ").expect_err("malformed");
    check("notification", &notification);
}
