//! Payouts (转账) against the sandbox over loopback: what each call sends and the typed
//! answer, the balance and overdrafts, payee checks, idempotency on `out_biz_no` (and retries
//! that rely on it), transfer refunds, e-receipts, and the `alipay.fund.trans.order.changed`
//! message notification verified and typed.

use alipay::fund::payouts::{
    BizScene, DataBillEreceiptApply, DataBillEreceiptQuery, FundAccountQuery, FundTransCommonQuery,
    FundTransOrderChanged, FundTransRefund, FundTransUniTransfer, Payee, ProductCode,
    ReceiptStatus, ReceiptType, TransferStatus,
};
use alipay::notify::{Kind, MessageBody};
use alipay::retry::{Jitter, RetryPolicy};
use alipay::sandbox::{
    Fault, FaultRule, NotificationKind, ReceivedRequest, Sandbox, Scope, browse,
};
use alipay::util::generic::Generic;
use alipay::wire::{form_decode, form_encode};
use alipay::{Amount, Client, NotifyError};
use alipay_tests::{NotifySink, sandbox_client, sandbox_client_for, sub_code};
use serde_json::json;

/// The sandbox buyer, a payee every sandbox knows.
const BUYER_ID: &str = "2088102177846880";
const BUYER_LOGON: &str = "test_buyer@sandbox.com";
const BUYER_NAME: &str = "沙箱买家";

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

fn transfer(out_biz_no: &str, yuan: &str, payee: Payee) -> FundTransUniTransfer {
    FundTransUniTransfer::builder()
        .out_biz_no(out_biz_no)
        .trans_amount(amount(yuan))
        .product_code(ProductCode::TransAccountNoPwd)
        .biz_scene(BizScene::DirectTransfer)
        .order_title("Cashback")
        .payee_info(payee)
        .build()
}

async fn status_of(client: &Client, order_id: &str) -> TransferStatus {
    client
        .send(FundTransCommonQuery::builder().order_id(order_id).build())
        .await
        .expect("transfer found")
        .status
}

#[tokio::test]
async fn transfer_sends_payee_info_and_pays_from_the_balance() {
    let (sandbox, app, client) = sandbox_client().await;
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000);
    let paid = client
        .send(
            FundTransUniTransfer::builder()
                .out_biz_no("P-1")
                .trans_amount(amount("12.34"))
                .product_code(ProductCode::TransAccountNoPwd)
                .biz_scene(BizScene::DirectTransfer)
                .order_title("Cashback")
                .payee_info(Payee::logon_id(BUYER_LOGON, BUYER_NAME))
                .remark("thanks")
                .build(),
        )
        .await
        .expect("paid");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.fund.trans.uni.transfer")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({
            "out_biz_no": "P-1", "trans_amount": "12.34",
            "product_code": "TRANS_ACCOUNT_NO_PWD", "biz_scene": "DIRECT_TRANSFER",
            "order_title": "Cashback",
            "payee_info": {
                "identity": BUYER_LOGON, "identity_type": "ALIPAY_LOGON_ID", "name": BUYER_NAME
            },
            "remark": "thanks"
        }))
    );
    assert_eq!(paid.out_biz_no, "P-1");
    assert_eq!(paid.status, TransferStatus::Success);
    assert_eq!(paid.order_id.len(), 32, "{}", paid.order_id);
    assert!(paid.trans_date.is_some());
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000 - 1234);
}

#[tokio::test]
async fn common_query_and_account_query_send_their_keys() {
    let (sandbox, app, client) = sandbox_client().await;
    let paid = client
        .send(transfer("P-Q", "5.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("paid");

    let by_out = client
        .send(
            FundTransCommonQuery::builder()
                .out_biz_no("P-Q")
                .product_code(ProductCode::TransAccountNoPwd)
                .biz_scene(BizScene::DirectTransfer)
                .build(),
        )
        .await
        .expect("found by out_biz_no");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "out_biz_no": "P-Q", "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER"
        }))
    );
    assert_eq!(by_out.order_id.as_deref(), Some(paid.order_id.as_str()));
    assert_eq!(by_out.trans_amount, Some(amount("5.00")));
    assert_eq!(by_out.status, TransferStatus::Success);
    let missing = client
        .send(
            FundTransCommonQuery::builder()
                .order_id("1".repeat(32))
                .build(),
        )
        .await;
    assert_eq!(sub_code(missing), "ORDER_NOT_EXIST");

    let seller_id = sandbox.seller_id(&app.app_id).expect("registered app");
    let account = client
        .send(
            FundAccountQuery::builder()
                .alipay_user_id(seller_id.clone())
                .account_type("ACCTRANS_ACCOUNT")
                .build(),
        )
        .await
        .expect("own account");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"alipay_user_id": seller_id, "account_type": "ACCTRANS_ACCOUNT"}))
    );
    assert_eq!(account.available_amount, amount("9995.00"));
    // Another merchant's account is not this app's to read.
    let other = client
        .send(FundAccountQuery::builder().alipay_user_id(BUYER_ID).build())
        .await;
    assert_eq!(sub_code(other), "INVALID_PARAMETER");
}

/// The whole payout: transfer → the message notification arrives and verifies → query →
/// an overdraft is refused and moves nothing.
#[tokio::test]
async fn payout_end_to_end_transfer_notification_query_overdraft() {
    let mut sink = NotifySink::start().await;
    let sandbox = Sandbox::builder()
        .fund_balance_cents(10_000)
        .start()
        .await
        .expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));

    let paid = client
        .send(transfer(
            "E2E-1",
            "60.00",
            Payee::user_id(BUYER_ID).with_name(BUYER_NAME),
        ))
        .await
        .expect("within the balance");
    assert_eq!(last(&sandbox).params["notify_url"], sink.url);

    let body = sink.next().await;
    let notification = client
        .verify_notification(&body)
        .expect("signed by the sandbox's Alipay key");
    for key in [
        "utc_timestamp",
        "version",
        "notify_id",
        "charset",
        "sign_type",
    ] {
        assert!(notification.get(key).is_some(), "{key} missing");
    }
    assert_eq!(notification.get("app_id"), Some(app.app_id.as_str()));
    let changed = FundTransOrderChanged::from_notification(&notification).expect("typed body");
    assert_eq!(changed.out_biz_no, "E2E-1");
    assert_eq!(changed.order_id, paid.order_id);
    assert_eq!(changed.status, TransferStatus::Success);
    assert_eq!(changed.trans_amount, amount("60.00"));
    assert_eq!(changed.biz_scene, Some(BizScene::DirectTransfer));
    assert_eq!(changed.product_code, Some(ProductCode::TransAccountNoPwd));
    // The same message, read by kind as every notification is.
    match notification.kind().expect("a known kind") {
        Kind::Message(message) => match message.body().expect("typed") {
            MessageBody::FundTransOrderChanged(by_kind) => assert_eq!(by_kind, changed),
            other => panic!("not typed as a transfer change: {other:?}"),
        },
        other => panic!("not a message notification: {other:?}"),
    }
    // The attempt is recorded once the sink's answer is read.
    let mut records = sandbox.notifications();
    for _ in 0..200 {
        if !records.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        records = sandbox.notifications();
    }
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, NotificationKind::Transfer);
    assert_eq!(records[0].out_trade_no, "E2E-1");
    assert!(records[0].acknowledged());

    assert_eq!(
        status_of(&client, &paid.order_id).await,
        TransferStatus::Success
    );
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 4_000);

    // 40.00 is left: 40.01 is an overdraft, refused as Alipay does, and nothing moves.
    let overdraft = client
        .send(transfer("E2E-2", "40.01", Payee::user_id(BUYER_ID)))
        .await;
    assert_eq!(sub_code(overdraft), "PAYER_BALANCE_NOT_ENOUGH");
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 4_000);
    let never = client
        .send(FundTransCommonQuery::builder().out_biz_no("E2E-2").build())
        .await;
    assert_eq!(sub_code(never), "ORDER_NOT_EXIST");
    // The positive control: exactly what is left goes through.
    client
        .send(transfer("E2E-3", "40.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("exactly the balance");
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 0);
}

/// A forged message notification (its `biz_content` changed to another amount) does not
/// verify; the genuine one next to it does.
#[tokio::test]
async fn a_forged_transfer_notification_is_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    client
        .send(transfer("F-1", "1.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("paid");
    let body = sink.next().await;
    client.verify_notification(&body).expect("genuine");

    let pairs = form_decode(&body).expect("a form");
    let forged: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v = if k == "biz_content" {
                v.replace("\"1.00\"", "\"9999.00\"")
            } else {
                v
            };
            (k, v)
        })
        .collect();
    let forged = form_encode(forged.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert_ne!(forged.as_bytes(), body.as_slice(), "the amount was changed");
    assert!(client.verify_notification(forged.as_bytes()).is_err());

    // A trade notification is not a transfer message, even when genuine.
    let mut trade_sink = NotifySink::start().await;
    let trade_client = sandbox_client_for(&sandbox, &app, Some(&trade_sink.url));
    trade_client
        .send(
            alipay::payment::common::TradeCreate::builder()
                .out_trade_no("T-1")
                .total_amount(amount("1.00"))
                .subject("tea")
                .build(),
        )
        .await
        .expect("created");
    sandbox.pay(&app.app_id, "T-1").await.expect("paid");
    let trade = client
        .verify_notification(&trade_sink.next().await)
        .expect("genuine trade notification");
    assert!(matches!(
        FundTransOrderChanged::from_notification(&trade),
        Err(NotifyError::Fields(_))
    ));
}

#[tokio::test]
async fn payees_are_checked() {
    let (sandbox, _app, client) = sandbox_client().await;
    let unknown = client
        .send(transfer("PY-1", "1.00", Payee::user_id("2088000000009999")))
        .await;
    assert_eq!(sub_code(unknown), "PAYEE_NOT_EXIST");
    let wrong_name = client
        .send(transfer(
            "PY-2",
            "1.00",
            Payee::logon_id(BUYER_LOGON, "Someone Else"),
        ))
        .await;
    assert_eq!(sub_code(wrong_name), "PAYEE_USER_INFO_ERROR");
    let wrong_name_by_id = client
        .send(transfer(
            "PY-3",
            "1.00",
            Payee::user_id(BUYER_ID).with_name("Someone Else"),
        ))
        .await;
    assert_eq!(sub_code(wrong_name_by_id), "PAYEE_USER_INFO_ERROR");
    // A login without a name cannot be typed; sent by hand, the gateway refuses it.
    let by_hand = Generic::new("alipay.fund.trans.uni.transfer")
        .biz(&json!({
            "out_biz_no": "PY-4", "trans_amount": "1.00", "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER", "order_title": "x",
            "payee_info": {"identity": BUYER_LOGON, "identity_type": "ALIPAY_LOGON_ID"}
        }))
        .expect("an object");
    assert_eq!(
        sub_code(client.send(by_hand).await),
        "isv.missing-parameter"
    );

    // Positive controls: the right name, and a payee the test added.
    client
        .send(transfer(
            "PY-5",
            "1.00",
            Payee::logon_id(BUYER_LOGON, BUYER_NAME),
        ))
        .await
        .expect("the right name");
    sandbox.add_payee("2088000000001234", "li@example.com", "Li Si");
    client
        .send(transfer(
            "PY-6",
            "1.00",
            Payee::logon_id("li@example.com", "Li Si"),
        ))
        .await
        .expect("an added payee");
}

#[tokio::test]
async fn a_transfer_is_idempotent_on_out_biz_no_and_retried_safely() {
    let (sandbox, app, client) = sandbox_client().await;
    let first = client
        .send(transfer("ID-1", "2.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("paid");
    let again = client
        .send(transfer("ID-1", "2.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("the same transfer again");
    assert_eq!(again.order_id, first.order_id);
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000 - 200);
    let changed = client
        .send(transfer("ID-1", "3.00", Payee::user_id(BUYER_ID)))
        .await;
    assert_eq!(sub_code(changed), "INVALID_PARAMETER");

    // The answer of the first attempt is lost (truncated after the transfer ran): the retry
    // policy sends it again, and the money moves once.
    let retrying = sandbox
        .client_builder(&app)
        .retry(
            RetryPolicy::new(2)
                .backoff(
                    std::time::Duration::from_millis(10),
                    std::time::Duration::from_millis(10),
                )
                .jitter(Jitter::None),
        )
        .build()
        .expect("client");
    sandbox.inject_rule(
        FaultRule::new(
            Fault::TruncatedJson,
            Scope::Method("alipay.fund.trans.uni.transfer".into()),
        )
        .times(1),
    );
    let before = sandbox.requests().len();
    let paid = retrying
        .send(transfer("ID-2", "5.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("retried after the lost answer");
    assert_eq!(sandbox.requests().len() - before, 2, "sent twice");
    assert_eq!(paid.status, TransferStatus::Success);
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000 - 700);
}

#[tokio::test]
async fn a_transfer_refund_returns_money_once_and_not_more() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let paid = client
        .send(transfer("RF-1", "10.00", Payee::user_id(BUYER_ID)))
        .await
        .expect("paid");
    sink.next().await;
    let refund = |no: &str, yuan: &str| {
        FundTransRefund::builder()
            .order_id(paid.order_id.clone())
            .out_request_no(no)
            .refund_amount(amount(yuan))
            .remark("returned")
            .build()
    };
    let back = client.send(refund("R1", "4.00")).await.expect("partial");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "order_id": paid.order_id, "out_request_no": "R1", "refund_amount": "4.00",
            "remark": "returned"
        }))
    );
    assert_eq!(back.status, TransferStatus::Success);
    assert_eq!(back.refund_amount, amount("4.00"));
    assert_eq!(back.order_id, paid.order_id);
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000 - 600);
    let repeated = client.send(refund("R1", "4.00")).await.expect("idempotent");
    assert_eq!(repeated.refund_order_id, back.refund_order_id);
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000 - 600);
    let too_much = client.send(refund("R2", "6.01")).await;
    assert_eq!(sub_code(too_much), "REFUND_AMOUNT_EXCEED");
    assert_eq!(
        status_of(&client, &paid.order_id).await,
        TransferStatus::Success
    );

    client.send(refund("R3", "6.00")).await.expect("the rest");
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), 1_000_000);
    assert_eq!(
        status_of(&client, &paid.order_id).await,
        TransferStatus::Refund
    );
    let notification = client
        .verify_notification(&sink.next().await)
        .expect("genuine");
    let changed = FundTransOrderChanged::from_notification(&notification).expect("typed");
    assert_eq!(changed.status, TransferStatus::Refund);
    assert_eq!(changed.action_type.as_deref(), Some("REFUND"));
}

#[tokio::test]
async fn an_ereceipt_is_applied_for_queried_and_downloaded() {
    let (sandbox, _app, client) = sandbox_client().await;
    let paid = client
        .send(transfer("ER-1", "8.88", Payee::user_id(BUYER_ID)))
        .await
        .expect("paid");
    let applied = client
        .send(
            DataBillEreceiptApply::builder()
                .receipt_type(ReceiptType::FundDetail)
                .key(paid.order_id.clone())
                .build(),
        )
        .await
        .expect("applied");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"type": "FUND_DETAIL", "key": paid.order_id}))
    );
    let receipt = client
        .send(
            DataBillEreceiptQuery::builder()
                .file_id(applied.file_id.clone())
                .build(),
        )
        .await
        .expect("queried");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"file_id": applied.file_id}))
    );
    assert_eq!(receipt.status, ReceiptStatus::Success);
    let url = receipt.download_url.expect("a download URL");
    let file = browse(http::Method::GET, &url, None, b"")
        .await
        .expect("served");
    assert_eq!(file.status, 200);
    let text = file.text();
    assert!(
        text.contains(&paid.order_id) && text.contains("8.88"),
        "{text}"
    );

    let unknown = client
        .send(
            DataBillEreceiptApply::builder()
                .receipt_type(ReceiptType::FundDetail)
                .key("1".repeat(32))
                .build(),
        )
        .await;
    assert_eq!(sub_code(unknown), "ORDER_NOT_EXIST");
    let no_file = client
        .send(DataBillEreceiptQuery::builder().file_id("nope").build())
        .await;
    assert_eq!(sub_code(no_file), "FILE_NOT_EXIST");
}
