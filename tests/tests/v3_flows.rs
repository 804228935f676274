//! The merchant flows over OpenAPI v3 against the sandbox: a payout (POST transfer, GET query
//! and balance) and a deposit (freeze, pay from it, unfreeze the rest), each request recorded as
//! a v3 one (JSON body, or GET for the queries), and its state seen by a v2 client of the same
//! app.

use alipay::fund::payouts::{
    BizScene, FundAccountQuery, FundTransCommonQuery, FundTransUniTransfer, Payee, ProductCode,
    TransferStatus,
};
use alipay::fund::preauth::{FreezePay, FundAuthOrderFreeze, FundAuthOrderUnfreeze};
use alipay::payment::common::{TradeQuery, TradeStatus};
use alipay::sandbox::{ReceivedRequest, Sandbox, SandboxApp};
use alipay::{Amount, Client, Protocol};

/// The sandbox buyer, a payee every sandbox knows.
const BUYER_ID: &str = "2088102177846880";
const PAYMENT_CODE: &str = "289821051157962364";

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

async fn clients() -> (Sandbox, SandboxApp, Client, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let v3 = sandbox
        .client_builder(&app)
        .protocol(Protocol::V3)
        .build()
        .expect("v3 client");
    let v2 = sandbox.client_builder(&app).build().expect("v2 client");
    (sandbox, app, v3, v2)
}

#[tokio::test]
async fn a_payout_over_v3_is_queried_over_both_protocols() {
    let (sandbox, app, v3, v2) = clients().await;
    let before = sandbox.fund_balance_cents(&app.app_id);
    let paid = v3
        .send(
            FundTransUniTransfer::builder()
                .out_biz_no("V3-P-1")
                .trans_amount(amount("12.50"))
                .product_code(ProductCode::TransAccountNoPwd)
                .biz_scene(BizScene::DirectTransfer)
                .order_title("Cashback")
                .payee_info(Payee::user_id(BUYER_ID))
                .build(),
        )
        .await
        .expect("transferred over v3");
    let sent = last(&sandbox);
    assert_eq!(sent.http_method, "POST");
    assert_eq!(
        sent.method.as_deref(),
        Some("alipay.fund.trans.uni.transfer")
    );
    assert!(
        sent.content_type.starts_with("application/json"),
        "{sent:?}"
    );
    assert_eq!(paid.status, TransferStatus::Success);
    assert_eq!(sandbox.fund_balance_cents(&app.app_id), before - 1250);

    let query = || {
        FundTransCommonQuery::builder()
            .order_id(paid.order_id.clone())
            .build()
    };
    let over_v3 = v3.send(query()).await.expect("queried over v3");
    let sent = last(&sandbox);
    assert_eq!(sent.http_method, "GET");
    assert_eq!(
        sent.method.as_deref(),
        Some("alipay.fund.trans.common.query")
    );
    assert_eq!(over_v3.status, TransferStatus::Success);
    let over_v2 = v2.send(query()).await.expect("queried over v2");
    assert_eq!(over_v2.trans_amount, Some(amount("12.50")));

    let seller_id = sandbox.seller_id(&app.app_id).expect("registered app");
    let balance = v3
        .send(
            FundAccountQuery::builder()
                .alipay_user_id(seller_id)
                .build(),
        )
        .await
        .expect("balance over v3");
    assert_eq!(last(&sandbox).http_method, "GET");
    assert_eq!(
        balance.available_amount.cents(),
        sandbox.fund_balance_cents(&app.app_id)
    );
}

#[tokio::test]
async fn a_deposit_over_v3_is_frozen_paid_from_and_given_back() {
    let (sandbox, _app, v3, v2) = clients().await;
    let frozen = v3
        .send(
            FundAuthOrderFreeze::builder()
                .auth_code(PAYMENT_CODE)
                .out_order_no("V3-D-1")
                .out_request_no("V3-D-1-F")
                .order_title("Power bank deposit")
                .amount(amount("99.00"))
                .build(),
        )
        .await
        .expect("frozen over v3");
    let sent = last(&sandbox);
    assert_eq!(
        sent.method.as_deref(),
        Some("alipay.fund.auth.order.freeze")
    );
    assert!(
        sent.content_type.starts_with("application/json"),
        "{sent:?}"
    );
    let paid = v3
        .send(
            FreezePay::builder()
                .out_trade_no("V3-D-1-PAY")
                .total_amount(amount("6.00"))
                .subject("Power bank rental")
                .auth_no(frozen.auth_no.clone())
                .build(),
        )
        .await
        .expect("paid from the freeze over v3");
    let sent = last(&sandbox);
    assert_eq!(sent.method.as_deref(), Some("alipay.trade.pay"));
    assert!(
        sent.content_type.starts_with("application/json"),
        "{sent:?}"
    );
    assert_eq!(paid.total_amount, amount("6.00"));
    let trade = v2
        .send(TradeQuery::builder().out_trade_no("V3-D-1-PAY").build())
        .await
        .expect("the v3 payment queried over v2");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    let back = v3
        .send(
            FundAuthOrderUnfreeze::builder()
                .auth_no(frozen.auth_no)
                .out_request_no("V3-D-1-U")
                .amount(amount("93.00"))
                .remark("returned")
                .build(),
        )
        .await
        .expect("the rest unfrozen over v3");
    assert_eq!(back.amount, amount("93.00"));
}
