//! A payment and what follows it: the signed notification delivered to the merchant, a failed
//! delivery recorded, the `/sandbox/pay` control endpoint, and the bill that lists the paid
//! trade.

use super::*;

#[tokio::test]
async fn payment_notification_is_signed_and_delivered() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    let (merchant, mut received) = merchant_listener().await;
    let notify_url = format!("http://{merchant}/alipay/notify");
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "测试 商品&=+", "out_trade_no": "T-NOTIFY", "total_amount": "0.1", "buyer_id": "2088000000000042"}),
        &[("notify_url", &notify_url)],
    )
    .await;
    assert_success(&node);
    assert_eq!(
        sandbox
            .trade(&app.app_id, "T-NOTIFY")
            .unwrap()
            .notify_url
            .as_deref(),
        Some(notify_url.as_str())
    );

    let paid = sandbox.pay(&app.app_id, "T-NOTIFY").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    let (content_type, body) = received.try_recv().expect("delivered before pay returned");
    assert_eq!(
        content_type,
        "application/x-www-form-urlencoded; charset=utf-8"
    );
    let form = form_decode(&body).unwrap();
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key}"))
    };
    let content = notify_sign_content(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    sandbox
        .alipay_public_key()
        .verify(content.as_bytes(), get("sign"))
        .unwrap();
    assert_eq!(get("notify_type"), "trade_status_sync");
    assert_eq!(get("trade_status"), "TRADE_SUCCESS");
    assert_eq!(get("out_trade_no"), "T-NOTIFY");
    assert_eq!(get("trade_no"), paid.trade_no);
    assert_eq!(get("app_id"), app.app_id);
    assert_eq!(get("total_amount"), "0.10");
    assert_eq!(get("receipt_amount"), "0.10");
    assert_eq!(get("subject"), "测试 商品&=+");
    assert_eq!(get("buyer_id"), "2088000000000042");
    assert_eq!(get("sign_type"), "RSA2");
    assert_eq!(get("charset"), "utf-8");
    assert_eq!(get("version"), "1.0");
    assert!(get("seller_id").starts_with("2088"));
    assert_eq!(get("gmt_payment"), paid.gmt_payment.as_deref().unwrap());
    let bills: Value = serde_json::from_str(get("fund_bill_list")).unwrap();
    assert_eq!(bills[0]["amount"], "0.10");
    assert_eq!(get("notify_id").len(), 34);

    let records = sandbox.notifications();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert!(record.acknowledged(), "{record:?}");
    assert_eq!(record.url, notify_url);
    assert_eq!(record.body.as_bytes(), &body[..]);
    assert_eq!(record.response_body.as_deref(), Some("success"));

    // Paying twice is refused; a trade nobody knows is unknown.
    assert!(matches!(
        sandbox.pay(&app.app_id, "T-NOTIFY").await,
        Err(SandboxError::WrongState { .. })
    ));
    assert!(matches!(
        sandbox.pay(&app.app_id, "NOPE").await,
        Err(SandboxError::UnknownTrade { .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn failed_delivery_is_recorded() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    // A port nobody listens on: bind, read the port, close.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}/notify");
    call_with(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "x", "out_trade_no": "T-LOST", "total_amount": "1.00"}),
        &[("notify_url", &url)],
    )
    .await;
    let paid = sandbox.pay(&app.app_id, "T-LOST").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    let records = sandbox.notifications();
    assert_eq!(records.len(), 1);
    assert!(!records[0].acknowledged());
    assert_eq!(records[0].status, None);
    assert!(records[0].error.is_some(), "{:?}", records[0]);
}

#[tokio::test]
async fn control_endpoint_pays() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    create(&sandbox, &app, "T-CTL", "9.99").await;
    let target = format!("/sandbox/pay?app_id={}&out_trade_no=T-CTL", app.app_id);
    let answer = http(sandbox.addr(), "POST", &target, None, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let trade: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(trade["status"], "TRADE_SUCCESS");
    assert_eq!(trade["total_amount"], "9.99");
    assert_eq!(trade["out_trade_no"], "T-CTL");
    let again = http(sandbox.addr(), "POST", &target, None, "").await;
    assert_eq!(again.status, 409, "{}", again.body);
    let unknown = format!("/sandbox/pay?app_id={}&out_trade_no=NOPE", app.app_id);
    assert_eq!(
        http(sandbox.addr(), "POST", &unknown, None, "")
            .await
            .status,
        404
    );
    assert_eq!(
        http(sandbox.addr(), "POST", "/sandbox/pay", None, "")
            .await
            .status,
        400
    );
    assert_eq!(
        http(sandbox.addr(), "GET", &target, None, "").await.status,
        405
    );
}

#[tokio::test]
async fn bill_download_url_serves_a_zip_of_gbk_csv() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    let created = create(&sandbox, &app, "T-BILL", "12.34").await;
    sandbox.pay(&app.app_id, "T-BILL").await.unwrap();
    let today = &now()[..10];
    let node = call(
        &sandbox,
        &app,
        "alipay.data.dataservice.bill.downloadurl.query",
        json!({"bill_type": "trade", "bill_date": today}),
    )
    .await;
    assert_success(&node);
    let url = node["bill_download_url"].as_str().unwrap();
    let prefix = format!("http://{}/bill/", sandbox.addr());
    assert!(url.starts_with(&prefix) && url.ends_with(".zip"), "{url}");
    let answer = http(sandbox.addr(), "GET", &url[prefix.len() - 6..], None, "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/zip");
    let archive = crate::bill::BillArchive::open(&answer.bytes).unwrap();
    assert!(archive.entry_names()[0].ends_with("_业务明细.csv"));
    let rows: Vec<_> = archive
        .detail()
        .trade_rows()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].trade_no, created["trade_no"].as_str().unwrap());
    assert_eq!(rows[0].out_trade_no, "T-BILL");
    assert_eq!(rows[0].receipt_amount.as_ref().unwrap().as_str(), "12.34");

    let node = call(
        &sandbox,
        &app,
        "alipay.data.dataservice.bill.downloadurl.query",
        json!({"bill_type": "trade_zft_merchant", "bill_date": today}),
    )
    .await;
    assert_fails(&node, "40002", "isv.missing-parameter");
    for (bill_type, bill_date) in [
        ("trade", "2026-02-30"),
        ("other", "2026-01"),
        ("trade", "20260101"),
    ] {
        let node = call(
            &sandbox,
            &app,
            "alipay.data.dataservice.bill.downloadurl.query",
            json!({"bill_type": bill_type, "bill_date": bill_date}),
        )
        .await;
        assert_fails(&node, "40002", "isv.invalid-parameter");
    }
    assert_eq!(
        http(sandbox.addr(), "GET", "/bill/nope.zip", None, "")
            .await
            .status,
        404
    );
}
