//! The life of a trade over the gateway: created (the same order twice), queried, refunded in
//! part, again and in full, its refunds queried; a refund without a request number; close and
//! cancel.

use super::*;

#[tokio::test]
async fn trade_lifecycle_with_refunds() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    assert_eq!(app.app_id.len(), 16);
    assert!(app.app_id.starts_with("2021"));

    let created = create(&sandbox, &app, "T-LIFE", "88.80").await;
    assert_eq!(created["out_trade_no"], "T-LIFE");
    let trade_no = created["trade_no"].as_str().unwrap().to_owned();
    assert_eq!(trade_no.len(), 28);
    assert!(trade_no.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(&trade_no[8..13], "22001");

    // The same order again while unpaid: the same trade; another amount: refused.
    let again = create(&sandbox, &app, "T-LIFE", "88.80").await;
    assert_eq!(again["trade_no"], trade_no.as_str());
    let changed = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "iPhone6 16G", "out_trade_no": "T-LIFE", "total_amount": "1.00"}),
    )
    .await;
    assert_fails(&changed, "40004", "ACQ.CONTEXT_INCONSISTENT");

    let unpaid = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "T-LIFE"}),
    )
    .await;
    assert_success(&unpaid);
    assert_eq!(unpaid["trade_status"], "WAIT_BUYER_PAY");
    assert!(unpaid.get("buyer_logon_id").is_none());
    // Refunding an unpaid trade is refused.
    let early = call(
        &sandbox,
        &app,
        "alipay.trade.refund",
        json!({"out_trade_no": "T-LIFE", "refund_amount": "1.00"}),
    )
    .await;
    assert_fails(&early, "40004", "ACQ.TRADE_STATUS_ERROR");

    let paid = sandbox.pay(&app.app_id, "T-LIFE").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    assert!(paid.gmt_payment.is_some());
    assert!(
        sandbox.notifications().is_empty(),
        "no notify_url, no notification"
    );

    let query = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"trade_no": trade_no}),
    )
    .await;
    assert_success(&query);
    assert_eq!(query["trade_status"], "TRADE_SUCCESS");
    assert_eq!(query["out_trade_no"], "T-LIFE");
    assert_eq!(query["total_amount"], "88.80");
    assert_eq!(query["buyer_pay_amount"], "88.80");
    assert_eq!(query["receipt_amount"], "88.80");
    assert_eq!(query["point_amount"], "0.00");
    assert_eq!(query["buyer_logon_id"], "tes***@sandbox.com");
    assert_eq!(query["subject"], "iPhone6 16G");
    assert!(query["send_pay_date"].is_string());
    assert_eq!(query["fund_bill_list"][0]["amount"], "88.80");

    // A partial refund, then the same request again: answered, not refunded twice.
    let refund = |amount: &str, request_no: &str| json!({"out_trade_no": "T-LIFE", "refund_amount": amount, "out_request_no": request_no});
    let first = call(&sandbox, &app, "alipay.trade.refund", refund("30.00", "R1")).await;
    assert_success(&first);
    assert_eq!(first["fund_change"], "Y");
    assert_eq!(first["refund_fee"], "30.00");
    assert_eq!(first["trade_no"], trade_no.as_str());
    assert!(first["gmt_refund_pay"].is_string());
    let repeat = call(&sandbox, &app, "alipay.trade.refund", refund("30.00", "R1")).await;
    assert_success(&repeat);
    assert_eq!(repeat["fund_change"], "N");
    assert_eq!(repeat["refund_fee"], "30.00");
    assert_eq!(
        sandbox.trade(&app.app_id, "T-LIFE").unwrap().refunded_cents,
        3000
    );
    let discordant = call(&sandbox, &app, "alipay.trade.refund", refund("31.00", "R1")).await;
    assert_fails(&discordant, "40004", "ACQ.DISCORDANT_REPEAT_REQUEST");
    let over = call(&sandbox, &app, "alipay.trade.refund", refund("58.81", "R2")).await;
    assert_fails(&over, "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
    let bad_amount = call(&sandbox, &app, "alipay.trade.refund", refund("1.001", "R2")).await;
    assert_fails(&bad_amount, "40002", "isv.invalid-parameter");

    let refund_query =
        |request_no: &str| json!({"out_trade_no": "T-LIFE", "out_request_no": request_no});
    let found = call(
        &sandbox,
        &app,
        "alipay.trade.fastpay.refund.query",
        refund_query("R1"),
    )
    .await;
    assert_success(&found);
    assert_eq!(found["refund_status"], "REFUND_SUCCESS");
    assert_eq!(found["refund_amount"], "30.00");
    assert_eq!(found["total_amount"], "88.80");
    assert_eq!(found["out_request_no"], "R1");
    let missing = call(
        &sandbox,
        &app,
        "alipay.trade.fastpay.refund.query",
        refund_query("R9"),
    )
    .await;
    assert_success(&missing);
    assert!(missing.get("refund_amount").is_none(), "{missing}");
    assert_eq!(missing["out_request_no"], "R9");

    // The rest: the trade is fully refunded and closed.
    let rest = call(&sandbox, &app, "alipay.trade.refund", refund("58.80", "R2")).await;
    assert_success(&rest);
    assert_eq!(rest["refund_fee"], "88.80");
    let closed = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "T-LIFE"}),
    )
    .await;
    assert_eq!(closed["trade_status"], "TRADE_CLOSED");
    let snapshot = sandbox.trade(&app.app_id, "T-LIFE").unwrap();
    assert_eq!(snapshot.status, "TRADE_CLOSED");
    assert_eq!(snapshot.refunded_cents, 8880);
    assert_eq!(snapshot.refunds.len(), 2);
    // Repeating a refund of a closed trade is still answered idempotently.
    let late_repeat = call(&sandbox, &app, "alipay.trade.refund", refund("30.00", "R1")).await;
    assert_eq!(late_repeat["fund_change"], "N");
    let late_new = call(&sandbox, &app, "alipay.trade.refund", refund("0.01", "R3")).await;
    assert_fails(&late_new, "40004", "ACQ.TRADE_STATUS_ERROR");

    // Another app does not see this trade.
    let other = sandbox.create_app().expect("app key");
    let foreign = call(
        &sandbox,
        &other,
        "alipay.trade.query",
        json!({"out_trade_no": "T-LIFE"}),
    )
    .await;
    assert_fails(&foreign, "40004", "ACQ.TRADE_NOT_EXIST");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refund_without_request_number_is_the_trade_itself() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    create(&sandbox, &app, "T-FULL", "10").await;
    sandbox.pay(&app.app_id, "T-FULL").await.unwrap();
    let biz = json!({"out_trade_no": "T-FULL", "refund_amount": "10.00"});
    let first = call(&sandbox, &app, "alipay.trade.refund", biz.clone()).await;
    assert_eq!(first["fund_change"], "Y");
    assert_eq!(first["refund_fee"], "10.00");
    let again = call(&sandbox, &app, "alipay.trade.refund", biz).await;
    assert_eq!(again["fund_change"], "N");
    let found = call(
        &sandbox,
        &app,
        "alipay.trade.fastpay.refund.query",
        json!({"out_trade_no": "T-FULL", "out_request_no": "T-FULL"}),
    )
    .await;
    assert_eq!(found["refund_amount"], "10.00");
    assert_eq!(
        sandbox.trade(&app.app_id, "T-FULL").unwrap().status,
        "TRADE_CLOSED"
    );
}

#[tokio::test]
async fn close_and_cancel() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");

    create(&sandbox, &app, "T-CLOSE", "1.00").await;
    let closed = call(
        &sandbox,
        &app,
        "alipay.trade.close",
        json!({"out_trade_no": "T-CLOSE"}),
    )
    .await;
    assert_success(&closed);
    assert_eq!(closed["out_trade_no"], "T-CLOSE");
    assert!(closed["trade_no"].is_string());
    assert_eq!(
        sandbox.trade(&app.app_id, "T-CLOSE").unwrap().status,
        "TRADE_CLOSED"
    );
    let twice = call(
        &sandbox,
        &app,
        "alipay.trade.close",
        json!({"out_trade_no": "T-CLOSE"}),
    )
    .await;
    assert_fails(&twice, "40004", "ACQ.TRADE_STATUS_ERROR");
    assert!(matches!(
        sandbox.pay(&app.app_id, "T-CLOSE").await,
        Err(SandboxError::WrongState { .. })
    ));
    let recreate = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "x", "out_trade_no": "T-CLOSE", "total_amount": "1.00"}),
    )
    .await;
    assert_fails(&recreate, "40004", "ACQ.TRADE_HAS_CLOSE");

    create(&sandbox, &app, "T-PAID", "2.50").await;
    sandbox.pay(&app.app_id, "T-PAID").await.unwrap();
    let refused = call(
        &sandbox,
        &app,
        "alipay.trade.close",
        json!({"out_trade_no": "T-PAID"}),
    )
    .await;
    assert_fails(&refused, "40004", "ACQ.TRADE_STATUS_ERROR");

    // Cancel of a paid trade refunds it in full.
    let cancel = call(
        &sandbox,
        &app,
        "alipay.trade.cancel",
        json!({"out_trade_no": "T-PAID"}),
    )
    .await;
    assert_success(&cancel);
    assert_eq!(cancel["action"], "refund");
    assert_eq!(cancel["retry_flag"], "N");
    let snapshot = sandbox.trade(&app.app_id, "T-PAID").unwrap();
    assert_eq!(snapshot.status, "TRADE_CLOSED");
    assert_eq!(snapshot.refunded_cents, 250);
    let repeated = call(
        &sandbox,
        &app,
        "alipay.trade.cancel",
        json!({"out_trade_no": "T-PAID"}),
    )
    .await;
    assert_eq!(repeated["action"], "refund");

    // Cancel of an unpaid trade closes it.
    create(&sandbox, &app, "T-CANCEL", "3.00").await;
    let cancel = call(
        &sandbox,
        &app,
        "alipay.trade.cancel",
        json!({"out_trade_no": "T-CANCEL"}),
    )
    .await;
    assert_success(&cancel);
    assert_eq!(cancel["action"], "close");
    assert_eq!(
        sandbox.trade(&app.app_id, "T-CANCEL").unwrap().status,
        "TRADE_CLOSED"
    );

    let unknown = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "NOPE"}),
    )
    .await;
    assert_fails(&unknown, "40004", "ACQ.TRADE_NOT_EXIST");
    assert_eq!(unknown["sub_msg"], "交易不存在");
    let neither = call(&sandbox, &app, "alipay.trade.close", json!({})).await;
    assert_fails(&neither, "40004", "ACQ.INVALID_PARAMETER");
    let missing = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"out_trade_no": "X"}),
    )
    .await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
    let bad_amount = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "x", "out_trade_no": "X", "total_amount": "0"}),
    )
    .await;
    assert_fails(&bad_amount, "40002", "isv.invalid-parameter");
}
