//! Round trips of the seven trade methods and the payment notification against the embedded
//! sandbox, over loopback, with real keys on both sides.

use alipay::payment::common::CancelAction;
use alipay::payment::common::{
    BillDownloadUrlQuery, TradeCancel, TradeClose, TradeCreate, TradeFastpayRefundQuery,
    TradeQuery, TradeRefund, TradeStatus,
};
use alipay::{Amount, Client, Error};
use alipay_tests::{NotifySink, sandbox_client, sandbox_client_for};

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

async fn create(client: &Client, out_trade_no: &str, total: &str) -> String {
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no)
                .total_amount(amount(total))
                .subject("test order")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("trade created")
        .trade_no
}

async fn status(client: &Client, out_trade_no: &str) -> TradeStatus {
    client
        .send(TradeQuery::builder().out_trade_no(out_trade_no).build())
        .await
        .expect("trade found")
        .trade_status
}

fn sub_code(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Api(e)) => e.sub_code.unwrap_or_default(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn create_pay_notify_query_refund_refund_query() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));

    let trade_no = create(&client, "T-1", "88.80").await;
    assert_eq!(status(&client, "T-1").await, TradeStatus::WaitBuyerPay);

    sandbox.pay(&app.app_id, "T-1").await.expect("buyer pays");
    let body = sink.next().await;
    let notification = client
        .verify_notification(&body)
        .expect("genuine notification");
    let trade = notification.trade().expect("trade notification");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    assert_eq!(trade.out_trade_no, "T-1");
    assert_eq!(trade.trade_no, trade_no);
    assert_eq!(
        trade.total_amount.as_ref().map(Amount::as_str),
        Some("88.80")
    );
    // The same body altered by one byte does not verify.
    let mut forged = body.clone();
    let at = forged
        .windows(5)
        .position(|w| w == b"88.80")
        .expect("amount in body");
    forged[at] = b'9';
    assert!(client.verify_notification(&forged).is_err());

    let queried = client
        .send(TradeQuery::builder().trade_no(trade_no.clone()).build())
        .await
        .expect("query by trade_no");
    assert_eq!(queried.trade_status, TradeStatus::TradeSuccess);
    assert_eq!(queried.total_amount.as_str(), "88.80");
    assert_eq!(queried.out_trade_no, "T-1");

    let refund = || {
        TradeRefund::builder()
            .out_trade_no("T-1")
            .refund_amount(amount("10.00"))
            .out_request_no("R-1")
            .build()
    };
    let first = client.send(refund()).await.expect("partial refund");
    assert!(first.fund_changed());
    assert_eq!(first.refund_fee.as_ref().map(Amount::cents), Some(1000));
    let again = client.send(refund()).await.expect("repeated refund");
    assert_eq!(
        again.fund_change,
        Some(false),
        "a repeated out_request_no moves no money (fund_change=N)"
    );
    assert_eq!(again.refund_fee.as_ref().map(Amount::cents), Some(1000));

    let too_much = client
        .send(
            TradeRefund::builder()
                .out_trade_no("T-1")
                .refund_amount(amount("78.81"))
                .out_request_no("R-2")
                .build(),
        )
        .await;
    assert_eq!(sub_code(too_much), "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");

    let found = client
        .send(
            TradeFastpayRefundQuery::builder()
                .out_trade_no("T-1")
                .out_request_no("R-1")
                .build(),
        )
        .await
        .expect("refund query");
    assert!(found.is_refunded());
    assert_eq!(
        found.refund_amount.as_ref().map(Amount::as_str),
        Some("10.00")
    );
    let missing = client
        .send(
            TradeFastpayRefundQuery::builder()
                .out_trade_no("T-1")
                .out_request_no("R-404")
                .build(),
        )
        .await
        .expect("refund query of an unknown refund");
    assert!(!missing.is_refunded());

    // Refunding the rest closes the trade.
    client
        .send(
            TradeRefund::builder()
                .trade_no(trade_no)
                .refund_amount(amount("78.80"))
                .out_request_no("R-3")
                .build(),
        )
        .await
        .expect("refund of the rest");
    assert_eq!(status(&client, "T-1").await, TradeStatus::TradeClosed);
}

#[tokio::test]
async fn close_only_before_payment() {
    let (sandbox, app, client) = sandbox_client().await;
    create(&client, "C-1", "1.00").await;
    let closed = client
        .send(TradeClose::builder().out_trade_no("C-1").build())
        .await
        .expect("close unpaid");
    assert_eq!(closed.out_trade_no.as_deref(), Some("C-1"));
    assert_eq!(status(&client, "C-1").await, TradeStatus::TradeClosed);

    create(&client, "C-2", "1.00").await;
    sandbox.pay(&app.app_id, "C-2").await.expect("pay");
    let refused = client
        .send(TradeClose::builder().out_trade_no("C-2").build())
        .await;
    assert_eq!(sub_code(refused), "ACQ.TRADE_STATUS_ERROR");
}

#[tokio::test]
async fn cancel_closes_unpaid_and_refunds_paid_trades() {
    let (sandbox, app, client) = sandbox_client().await;
    create(&client, "X-1", "5.00").await;
    let cancelled = client
        .send(TradeCancel::builder().out_trade_no("X-1").build())
        .await
        .expect("cancel unpaid");
    assert_eq!(cancelled.action, Some(CancelAction::Close));

    create(&client, "X-2", "5.00").await;
    sandbox.pay(&app.app_id, "X-2").await.expect("pay");
    let cancelled = client
        .send(TradeCancel::builder().out_trade_no("X-2").build())
        .await
        .expect("cancel paid");
    assert_eq!(cancelled.action, Some(CancelAction::Refund));
    assert_eq!(cancelled.retry_flag, Some(false), "retry_flag=N");
    assert_eq!(status(&client, "X-2").await, TradeStatus::TradeClosed);
}

#[tokio::test]
async fn unknown_trades_and_unpaid_refunds_are_business_failures() {
    let (_sandbox, _app, client) = sandbox_client().await;
    let missing = client
        .send(TradeQuery::builder().out_trade_no("nope").build())
        .await;
    assert_eq!(sub_code(missing), "ACQ.TRADE_NOT_EXIST");

    create(&client, "U-1", "1.00").await;
    let unpaid = client
        .send(
            TradeRefund::builder()
                .out_trade_no("U-1")
                .refund_amount(amount("1.00"))
                .build(),
        )
        .await;
    assert_eq!(sub_code(unpaid), "ACQ.TRADE_STATUS_ERROR");
}

#[tokio::test]
async fn bill_download_url_points_at_a_statement() {
    let (_sandbox, _app, client) = sandbox_client().await;
    let bill = client
        .send(
            BillDownloadUrlQuery::builder()
                .bill_type("trade")
                .bill_date("2026-11-25")
                .build(),
        )
        .await
        .expect("bill url");
    assert!(
        bill.bill_download_url.starts_with("http://127.0.0.1:"),
        "{}",
        bill.bill_download_url
    );
}

#[tokio::test]
async fn per_call_options_reach_the_gateway() {
    let (sandbox, app, client) = sandbox_client().await;
    // The sandbox accepts only an `app_auth_token` it issued to the calling app.
    let code = sandbox.issue_app_auth_code(&app.app_id, "2088000000000005", "2021000000000005");
    let agent_token = client
        .send(alipay::isv::OpenAuthTokenApp::builder().code(code).build())
        .await
        .expect("token")
        .app_auth_token;
    client
        .send(
            TradeCreate::builder()
                .out_trade_no("O-1")
                .total_amount(amount("2.00"))
                .subject("options")
                .build(),
        )
        .agent(agent_token.clone())
        .async_notify("http://127.0.0.1:9/per-call")
        .optional("timeout_express", "10m")
        .optional("subject", "must not override the request's subject")
        .batch_optional([("store_id", "S1"), ("terminal_id", "T9")])
        .await
        .expect("created with options");
    let received = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method.as_deref() == Some("alipay.trade.create"))
        .expect("recorded");
    assert_eq!(received.params.get("app_auth_token"), Some(&agent_token));
    assert_eq!(
        received.params.get("notify_url").map(String::as_str),
        Some("http://127.0.0.1:9/per-call")
    );
    let biz = received.biz_content.expect("biz_content");
    assert_eq!(biz["timeout_express"], "10m");
    assert_eq!(biz["subject"], "options");
    assert_eq!(biz["store_id"], "S1");
    assert_eq!(biz["terminal_id"], "T9");
    assert!(
        biz.get("buyer_id").is_none(),
        "unset optional fields are left out"
    );
}

#[tokio::test]
async fn a_wrong_app_key_is_refused_by_the_gateway_with_a_signed_answer() {
    let (sandbox, app, _) = sandbox_client().await;
    let stranger = alipay::PrivateKey::generate().expect("key");
    let client = Client::builder()
        .app_id(app.app_id.clone())
        .app_private_key_parsed(stranger)
        .alipay_public_key_parsed(sandbox.alipay_public_key())
        .gateway_url(sandbox.gateway_url())
        .build()
        .expect("config");
    let refused = client
        .send(TradeQuery::builder().out_trade_no("any").build())
        .await;
    assert_eq!(sub_code(refused), "isv.invalid-signature");
}

#[tokio::test]
async fn an_unknown_app_id_is_an_unsigned_gateway_error() {
    let (sandbox, app, _) = sandbox_client().await;
    let client = Client::builder()
        .app_id("2021999999999999")
        .app_private_key_parsed(app.private_key.clone())
        .alipay_public_key_parsed(sandbox.alipay_public_key())
        .gateway_url(sandbox.gateway_url())
        .build()
        .expect("config");
    match client
        .send(TradeQuery::builder().out_trade_no("any").build())
        .await
    {
        Err(Error::Gateway(e)) => assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-app-id")),
        other => panic!("expected a gateway error, got {other:?}"),
    }
}

#[tokio::test]
async fn both_backends_talk_to_the_sandbox() {
    let (sandbox, app, _) = sandbox_client().await;
    let pem = app.private_key.to_pkcs8_pem();
    for backend in [alipay::Backend::AwsLc, alipay::Backend::RustCrypto] {
        let client = Client::builder()
            .backend(backend)
            .app_id(app.app_id.clone())
            .app_private_key(pem.as_str())
            .alipay_public_key(sandbox.alipay_public_key().to_base64())
            .gateway_url(sandbox.gateway_url())
            .build()
            .expect("config");
        let out_trade_no = format!("B-{backend:?}");
        create(&client, &out_trade_no, "3.00").await;
        assert_eq!(
            status(&client, &out_trade_no).await,
            TradeStatus::WaitBuyerPay
        );
    }
}
