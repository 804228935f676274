//! Trade methods beyond common payment: face to face pay and precreate, and Huabei
//! instalments.

use super::*;

#[tokio::test]
async fn face_to_face_pay_and_precreate() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let (merchant, mut received) = merchant_listener().await;
    let notify_url = format!("http://{merchant}/notify");
    let pay = |out: &str, code: &str| json!({"subject": "iPhone6 16G", "out_trade_no": out, "total_amount": "0.10", "auth_code": code, "scene": "bar_code"});
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.pay",
        pay("F-1", "289821051157962364"),
        &[("notify_url", &notify_url)],
    )
    .await;
    assert_success(&node);
    assert_eq!(node["out_trade_no"], "F-1");
    assert_eq!(node["trade_no"].as_str().unwrap().len(), 28);
    assert_eq!(node["buyer_logon_id"], "tes***@sandbox.com");
    assert_eq!(node["total_amount"], "0.10");
    assert_eq!(node["receipt_amount"], "0.10");
    assert_eq!(node["buyer_pay_amount"], "0.10");
    assert!(node["gmt_payment"].is_string());
    assert_eq!(
        node["fund_bill_list"],
        json!([{"fund_channel": "ALIPAYACCOUNT", "amount": "0.10"}])
    );
    assert!(node["buyer_user_id"].as_str().unwrap().starts_with("2088"));
    let trade = sandbox.trade(&app.app_id, "F-1").unwrap();
    assert_eq!(trade.status, "TRADE_SUCCESS");
    assert_eq!(trade.product_code.as_deref(), Some("FACE_TO_FACE_PAYMENT"));
    // The notification was delivered before the answer.
    let (_, body) = received.try_recv().expect("notified");
    let form = form_decode(&body).unwrap();
    assert_eq!(pair(&form, "trade_status"), "TRADE_SUCCESS");
    assert_eq!(pair(&form, "out_trade_no"), "F-1");
    let again = call(
        &sandbox,
        &app,
        "alipay.trade.pay",
        pay("F-1", "289821051157962364"),
    )
    .await;
    assert_fails(&again, "40004", "ACQ.TRADE_HAS_SUCCESS");

    for code in [
        "123",
        "189821051157962364",
        "28982105115796236x",
        "2898210511579623641234567",
    ] {
        let node = call(&sandbox, &app, "alipay.trade.pay", pay("F-2", code)).await;
        assert_fails(&node, "40004", "ACQ.PAYMENT_AUTH_CODE_INVALID");
    }
    assert!(sandbox.trade(&app.app_id, "F-2").is_none());
    let mut wave = pay("F-3", "289821051157962364");
    wave["scene"] = json!("wave_code");
    let node = call(&sandbox, &app, "alipay.trade.pay", wave).await;
    assert_fails(&node, "40002", "isv.invalid-parameter");

    // Precreate: a QR code the buyer scans (a sandbox cashier page), then pays.
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.precreate",
        json!({"subject": "iPhone6 16G", "out_trade_no": "P-1", "total_amount": "1.00"}),
    )
    .await;
    assert_success(&node);
    assert_eq!(node["out_trade_no"], "P-1");
    let qr_code = node["qr_code"].as_str().unwrap();
    assert_eq!(
        sandbox.trade(&app.app_id, "P-1").unwrap().status,
        "WAIT_BUYER_PAY"
    );
    let cashier = http(sandbox.addr(), "GET", path_of(&sandbox, qr_code), None, "").await;
    assert_eq!(cashier.status, 200);
    assert!(cashier.body.contains("iPhone6 16G"));
    assert!(cashier.body.contains("1.00"));
    let paid = sandbox.pay(&app.app_id, "P-1").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    let cashier = http(sandbox.addr(), "GET", path_of(&sandbox, qr_code), None, "").await;
    assert!(cashier.body.contains("TRADE_SUCCESS"), "{}", cashier.body);
}

#[tokio::test]
async fn huabei_instalments() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let create = |out: &str, extend: Value| json!({"subject": "iPhone6 16G", "out_trade_no": out, "total_amount": "3000.00", "buyer_id": "2088002656718920", "extend_params": extend});
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        create(
            "H-1",
            json!({"hb_fq_num": "3", "hb_fq_seller_percent": "100"}),
        ),
    )
    .await;
    assert_success(&node);
    let trade = sandbox.trade(&app.app_id, "H-1").unwrap();
    assert_eq!(trade.hb_fq_num.as_deref(), Some("3"));
    assert_eq!(trade.hb_fq_seller_percent.as_deref(), Some("100"));
    assert_eq!(trade.buyer_id.as_deref(), Some("2088002656718920"));
    for extend in [
        json!({"hb_fq_num": "4", "hb_fq_seller_percent": "100"}),
        json!({"hb_fq_num": "6", "hb_fq_seller_percent": "50"}),
        json!({"hb_fq_seller_percent": "0"}),
    ] {
        let node = call(&sandbox, &app, "alipay.trade.create", create("H-2", extend)).await;
        assert_fails(&node, "40004", "ACQ.INVALID_PARAMETER");
    }
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        create("H-3", json!({"hb_fq_num": 12, "hb_fq_seller_percent": 0})),
    )
    .await;
    assert_success(&node);
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        create(
            "H-4",
            json!({"sys_service_provider_id": "2088511833207846"}),
        ),
    )
    .await;
    assert_success(&node);
    assert_eq!(sandbox.trade(&app.app_id, "H-4").unwrap().hb_fq_num, None);
}
