//! Member methods: the identity certification flow (`alipay.user.certify.open.*`).

use super::*;

#[tokio::test]
async fn certification_flow() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let init = |outer: &str, return_url: Option<&str>| {
        let mut merchant = json!({});
        if let Some(url) = return_url {
            merchant["return_url"] = json!(url);
        }
        json!({"outer_order_no": outer, "biz_code": "FACE",
               "identity_param": {"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD", "cert_name": "张三", "cert_no": "110101199003071234"},
               "merchant_config": merchant})
    };
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        init("ZGYD201809132323000001234", None),
    )
    .await;
    assert_success(&node);
    let certify_id = node["certify_id"].as_str().unwrap().to_owned();
    let query = |id: &str| json!({"certify_id": id});
    let before = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(&certify_id),
    )
    .await;
    assert_success(&before);
    assert_eq!(before["passed"], "F");

    // The certify URL, as Render::page_url builds it: every parameter in the query.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.user.certify.open.certify",
        Some(&query(&certify_id)),
        &[],
    );
    let url = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let action = format!("/sandbox/certify/{certify_id}?passed=T");
    assert!(page.body.contains(&action), "{}", page.body);
    assert!(page.body.contains("张三"));
    let done = http(sandbox.addr(), "POST", &action, None, "").await;
    assert_eq!(done.status, 200, "{}", done.body);
    let after = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(&certify_id),
    )
    .await;
    assert_eq!(after["passed"], "T");
    let identity: Value = serde_json::from_str(after["identity_info"].as_str().unwrap()).unwrap();
    assert_eq!(identity["cert_name"], "张三");
    let material: Value = serde_json::from_str(after["material_info"].as_str().unwrap()).unwrap();
    assert!(material.is_object());
    // Completed: the page and the buttons are gone.
    let again = http(sandbox.addr(), "POST", &action, None, "").await;
    assert!(again.body.contains("CERTIFY_ID_EXPIRED"), "{}", again.body);
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert!(page.body.contains("CERTIFY_ID_EXPIRED"), "{}", page.body);

    // With a return_url, the user goes back there; the control method completes too.
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        init("ZGYD2", Some("https://merchant.example/certified?o=2")),
    )
    .await;
    let second = node["certify_id"].as_str().unwrap();
    let back = http(
        sandbox.addr(),
        "POST",
        &format!("/sandbox/certify/{second}?passed=F"),
        None,
        "",
    )
    .await;
    assert_eq!(back.status, 302);
    assert_eq!(
        back.location.as_deref(),
        Some("https://merchant.example/certified?o=2")
    );
    assert_eq!(sandbox.certification(second).unwrap().passed, Some(false));
    let failed = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(second),
    )
    .await;
    assert_eq!(failed["passed"], "F");
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        init("ZGYD3", None),
    )
    .await;
    let third = node["certify_id"].as_str().unwrap();
    sandbox.complete_certification(third, true).await.unwrap();
    assert!(matches!(
        sandbox.complete_certification(third, true).await,
        Err(SandboxError::CertificationCompleted { .. })
    ));
    assert!(matches!(
        sandbox.complete_certification("nope", true).await,
        Err(SandboxError::UnknownCertification { .. })
    ));
    let passed = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(third),
    )
    .await;
    assert_eq!(passed["passed"], "T");

    // Unknown ids; missing identity fields.
    let unknown = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query("nope"),
    )
    .await;
    assert_fails(&unknown, "40004", "CERTIFY_ID_EXPIRED");
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.user.certify.open.certify",
        Some(&query("nope")),
        &[],
    );
    let url = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("CERTIFY_ID_EXPIRED"), "{}", page.body);
    let mut incomplete = init("ZGYD4", None);
    incomplete["identity_param"]
        .as_object_mut()
        .unwrap()
        .remove("cert_no");
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        incomplete,
    )
    .await;
    assert_fails(&node, "40002", "isv.missing-parameter");
    assert!(
        node["sub_msg"]
            .as_str()
            .unwrap()
            .contains("identity_param.cert_no")
    );
}
