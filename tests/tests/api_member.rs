//! Identity verification against the sandbox over loopback: initialize, the certify URL rendered
//! locally and followed like a browser, then the query.

use alipay::member::identification::{
    IdentityParam, MerchantConfig, UserCertifyOpenCertify, UserCertifyOpenInitialize,
    UserCertifyOpenQuery,
};
use alipay::sandbox::browse;
use alipay_tests::{attribute, check_app_signature, html_unescape, sandbox_client, sub_code};
use http::Method;
use serde_json::json;

fn init(outer_order_no: &str) -> UserCertifyOpenInitialize {
    UserCertifyOpenInitialize::builder()
        .outer_order_no(outer_order_no)
        .biz_code("FACE")
        .identity_param(IdentityParam::identity_card("张三", "320107199001011234"))
        .merchant_config(MerchantConfig::new("https://m.example/certified?from=test"))
        .build()
}

#[tokio::test]
async fn initialize_certify_in_the_browser_then_query() {
    let (sandbox, app, client) = sandbox_client().await;
    let started = client
        .send(init("ZGYD201809132323000001234"))
        .await
        .expect("initialized");
    let received = sandbox.requests().pop().expect("a request");
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.user.certify.open.initialize")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({
            "outer_order_no": "ZGYD201809132323000001234",
            "biz_code": "FACE",
            "identity_param": {
                "identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD",
                "cert_name": "张三", "cert_no": "320107199001011234"
            },
            "merchant_config": {"return_url": "https://m.example/certified?from=test"}
        }))
    );

    // The certify URL: a GET URL with every signed parameter, biz_content included.
    let url = client
        .render(
            UserCertifyOpenCertify::builder()
                .certify_id(started.certify_id.clone())
                .build(),
        )
        .page_url()
        .expect("rendered");
    let gateway = sandbox.gateway_url();
    let query = url
        .strip_prefix(&format!("{gateway}?"))
        .expect("the gateway URL with a query");
    assert!(query.starts_with("alipay_sdk="), "{query}");
    let params = alipay::wire::form_decode(query.as_bytes()).expect("form encoded");
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("method"), Some("alipay.user.certify.open.certify"));
    assert_eq!(
        get("biz_content"),
        Some(format!(r#"{{"certify_id":"{}"}}"#, started.certify_id).as_str())
    );
    check_app_signature(&app.public_key, &params);

    // The browser opens it: the certify page, whose form passes the certification.
    let page = browse(Method::GET, &url, None, b"").await.expect("fetched");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("张三"), "{html}");
    let action = html_unescape(attribute(&html, "<form", "action").expect("a form"));
    assert_eq!(
        action,
        format!("/sandbox/certify/{}?passed=T", started.certify_id)
    );
    let base = gateway.trim_end_matches("/gateway.do");
    let done = browse(Method::POST, &format!("{base}{action}"), None, b"")
        .await
        .expect("fetched");
    assert_eq!(done.status, 302);
    assert_eq!(
        done.header("location"),
        Some("https://m.example/certified?from=test")
    );

    let outcome = client
        .send(
            UserCertifyOpenQuery::builder()
                .certify_id(started.certify_id.clone())
                .build(),
        )
        .await
        .expect("queried");
    let received = sandbox.requests().pop().expect("a request");
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.user.certify.open.query")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({"certify_id": started.certify_id}))
    );
    assert!(outcome.is_passed());
    let identity: serde_json::Value =
        serde_json::from_str(outcome.identity_info.as_deref().expect("identity_info"))
            .expect("JSON");
    assert_eq!(identity["cert_no"], "320107199001011234");
    assert!(outcome.material_info.is_some());

    // Once done, the certify URL shows an error page.
    let again = browse(Method::GET, &url, None, b"").await.expect("fetched");
    assert!(again.text().contains("CERTIFY_ID_EXPIRED"));
}

#[tokio::test]
async fn a_failed_certification_is_not_passed() {
    let (sandbox, _app, client) = sandbox_client().await;
    let started = client.send(init("ZGYD2")).await.expect("initialized");
    let pending = client
        .send(
            UserCertifyOpenQuery::builder()
                .certify_id(started.certify_id.clone())
                .build(),
        )
        .await
        .expect("queried");
    assert!(!pending.is_passed());
    sandbox
        .complete_certification(&started.certify_id, false)
        .await
        .expect("completed");
    let failed = client
        .send(
            UserCertifyOpenQuery::builder()
                .certify_id(started.certify_id)
                .build(),
        )
        .await
        .expect("queried");
    assert!(!failed.passed);
    assert_eq!(failed.identity_info, None);

    let unknown = client
        .send(UserCertifyOpenQuery::builder().certify_id("nope").build())
        .await;
    assert_eq!(sub_code(unknown), "CERTIFY_ID_EXPIRED");

    let bad_scene = UserCertifyOpenInitialize::builder()
        .outer_order_no("ZGYD3")
        .biz_code("VOICE")
        .identity_param(IdentityParam::identity_card("李四", "1"))
        .merchant_config(MerchantConfig::default())
        .build();
    assert_eq!(
        sub_code(client.send(bad_scene).await),
        "isv.invalid-parameter"
    );
}
