//! The gateway's refusals, as Alipay gives them: unknown apps and methods, signatures that do
//! not verify, bad system parameters, duplicated parameters and bad encodings; requests recorded
//! without their sign; and every parameter read from the query string or the body alike.

use super::*;

#[tokio::test]
async fn gateway_refusals_match_alipay() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    let biz = json!({"out_trade_no": "T1"});

    // Unknown app id: unsigned error_response.
    let stranger = PrivateKey::generate().unwrap();
    let params = signed_params(
        "2021999999999999",
        &stranger,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let answer = post(&sandbox, &params).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "text/html;charset=utf-8");
    assert_eq!(
        answer.body,
        r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}"#
    );

    // Missing app id.
    let answer = http(
        sandbox.addr(),
        "GET",
        "/gateway.do?method=alipay.trade.query",
        None,
        "",
    )
    .await;
    assert_eq!(
        answer.body,
        r#"{"error_response":{"code":"40001","msg":"Missing Required Arguments","sub_code":"isv.missing-app-id","sub_msg":"缺少AppID参数"}}"#
    );

    // Missing and unknown method.
    let answer = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?app_id={}", app.app_id),
        None,
        "",
    )
    .await;
    assert!(
        answer.body.contains("\"isv.missing-method\""),
        "{}",
        answer.body
    );
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.nothing",
        None,
        &[],
    );
    let answer = post(&sandbox, &params).await;
    assert!(
        answer.body.starts_with("{\"error_response\":"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("\"isv.invalid-method\""));
    assert!(!answer.body.contains("\"sign\""));

    // A signature by another key: a signed 40002 isv.invalid-signature.
    let params = signed_params(
        &app.app_id,
        &stranger,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-signature");
    assert!(node["sub_msg"].as_str().unwrap().starts_with("验签出错"));
    assert!(node["sub_msg"].as_str().unwrap().contains("app_id="));

    // A parameter changed after signing.
    let mut params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    for (k, v) in &mut params {
        if k == "biz_content" {
            *v = r#"{"out_trade_no":"T2"}"#.into();
        }
    }
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-signature");

    // Missing sign, wrong sign_type, stale timestamp, bad charset.
    let mut params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    params.retain(|(k, _)| k != "sign");
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40001", "isv.missing-signature");
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.query",
        biz.clone(),
        &[("sign_type", "RSA")],
    )
    .await;
    assert_fails(&node, "40002", "isv.invalid-signature-type");
    let stale = beijing_timestamp(SystemTime::now() - Duration::from_secs(16 * 60));
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.query",
        biz.clone(),
        &[("timestamp", &stale)],
    )
    .await;
    assert_fails(&node, "40002", "isv.invalid-timestamp");
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.query",
        biz.clone(),
        &[("timestamp", "2026/01/01 00:00:00")],
    )
    .await;
    assert_fails(&node, "40002", "isv.invalid-timestamp");
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.query",
        biz.clone(),
        &[("charset", "GBK")],
    )
    .await;
    assert_fails(&node, "40002", "isv.invalid-charset");

    // biz_content that is not a JSON object.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        None,
        &[("biz_content", "[1,2]")],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-parameter");

    // A duplicated parameter: unsigned, nothing executed.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let query = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = http(
        sandbox.addr(),
        "POST",
        &format!("/gateway.do?{query}"),
        Some("application/x-www-form-urlencoded"),
        "biz_content=%7B%7D",
    )
    .await;
    assert!(
        answer.body.starts_with("{\"error_response\":"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("\"isv.invalid-parameter\""));

    // Bad encodings do not break anything.
    for target in [
        "/gateway.do?app_id=%zz",
        "/gateway.do?app_id=%e4",
        "/gateway.do?&&=&a",
    ] {
        let answer = http(sandbox.addr(), "GET", target, None, "").await;
        assert_eq!(answer.status, 200);
        assert!(
            answer.body.starts_with("{\"error_response\":"),
            "{}",
            answer.body
        );
    }
    let answer = http(
        sandbox.addr(),
        "POST",
        "/gateway.do",
        Some("application/json"),
        "{}",
    )
    .await;
    assert!(
        answer.body.contains("isv.invalid-content-type"),
        "{}",
        answer.body
    );
    let answer = http(sandbox.addr(), "PUT", "/gateway.do", None, "").await;
    assert_eq!(answer.status, 405);
    let answer = http(sandbox.addr(), "GET", "/elsewhere", None, "").await;
    assert_eq!(answer.status, 404);

    // Requests are recorded without their sign.
    let requests = sandbox.requests();
    let first = &requests[0];
    assert_eq!(first.http_method, "POST");
    assert_eq!(first.method.as_deref(), Some("alipay.trade.query"));
    assert!(!first.params.contains_key("sign"));
    assert_eq!(first.params["app_id"], "2021999999999999");
    assert_eq!(first.biz_content, Some(biz.clone()));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn all_parameters_in_the_query_or_in_the_body() {
    let sandbox = Sandbox::builder()
        .timestamp_tolerance(None)
        .start()
        .await
        .unwrap();
    let app = sandbox.create_app().expect("app key");
    create(&sandbox, &app, "T-WHERE", "5.00").await;
    let biz = json!({"out_trade_no": "T-WHERE"});

    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let all = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{all}"),
        None,
        "",
    )
    .await;
    let node = verified_node(&sandbox, "alipay.trade.query", &answer);
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");
    let answer = http(
        sandbox.addr(),
        "POST",
        "/gateway.do",
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        all,
    )
    .await;
    let node = verified_node(&sandbox, "alipay.trade.query", &answer);
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");

    // With no tolerance, an old (well-formed) timestamp is accepted.
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.query",
        biz.clone(),
        &[("timestamp", "2020-03-20 12:00:00")],
    )
    .await;
    assert_success(&node);
}
