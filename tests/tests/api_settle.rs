//! Settlement (分账) against the sandbox over loopback: what each call sends and the typed
//! answer, and the flow pay → bind → settle → over-settle refused → unbound refused.

use alipay::payment::common::{ExtendParams, TradeCreate, TradeRefund};
use alipay::payment::settle::{
    AccountType, RoyaltyParameter, RoyaltyReceiver, SettleExtendParams, SettleState,
    TradeOrderOnsettleQuery, TradeOrderSettle, TradeOrderSettleQuery, TradeRoyaltyRateQuery,
    TradeRoyaltyRelationBatchquery, TradeRoyaltyRelationBind, TradeRoyaltyRelationUnbind,
};
use alipay::sandbox::{ReceivedRequest, Sandbox, SandboxApp};
use alipay::{Amount, Client};
use alipay_tests::{sandbox_client, sub_code};
use serde_json::json;

const SUPPLIER: &str = "2088000000000002";
const COURIER: &str = "2088000000000003";

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

/// A paid trade of `total`, created with or without `royalty_freeze`; its `trade_no`.
async fn paid_trade(
    sandbox: &Sandbox,
    app: &SandboxApp,
    client: &Client,
    out_trade_no: &str,
    total: &str,
    freeze: bool,
) -> String {
    let builder = TradeCreate::builder()
        .out_trade_no(out_trade_no)
        .total_amount(amount(total))
        .subject("Marketplace order");
    let request = if freeze {
        builder
            .extend_params(ExtendParams::royalty_freeze())
            .build()
    } else {
        builder.build()
    };
    let created = client.send(request).await.expect("created");
    sandbox
        .pay(&app.app_id, out_trade_no)
        .await
        .expect("the buyer pays");
    created.trade_no
}

fn settle(trade_no: &str, out_request_no: &str, parts: Vec<RoyaltyParameter>) -> TradeOrderSettle {
    TradeOrderSettle::builder()
        .out_request_no(out_request_no)
        .trade_no(trade_no)
        .royalty_parameters(parts)
        .build()
}

async fn unsettled(client: &Client, trade_no: &str) -> Amount {
    client
        .send(
            TradeOrderOnsettleQuery::builder()
                .trade_no(trade_no)
                .build(),
        )
        .await
        .expect("queried")
        .unsettled_amount
}

#[tokio::test]
async fn a_trade_created_for_settlement_sends_royalty_freeze() {
    let (sandbox, app, client) = sandbox_client().await;
    client
        .send(
            TradeCreate::builder()
                .out_trade_no("RF-1")
                .total_amount(amount("10.00"))
                .subject("s")
                .extend_params(ExtendParams::royalty_freeze())
                .build(),
        )
        .await
        .expect("created");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "out_trade_no": "RF-1", "total_amount": "10.00", "subject": "s",
            "extend_params": {"royalty_freeze": "true"}
        }))
    );
    assert!(
        sandbox
            .trade(&app.app_id, "RF-1")
            .expect("trade")
            .royalty_freeze
    );
}

#[tokio::test]
async fn relations_are_bound_listed_and_unbound() {
    let (sandbox, _app, client) = sandbox_client().await;
    let bound = client
        .send(
            TradeRoyaltyRelationBind::builder()
                .receiver_list(vec![
                    RoyaltyReceiver::user_id(SUPPLIER).memo("supplier"),
                    RoyaltyReceiver::login_name("courier@example.com", "Wang Wu"),
                ])
                .out_request_no("B1")
                .build(),
        )
        .await
        .expect("bound");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.trade.royalty.relation.bind")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({
            "receiver_list": [
                {"type": "userId", "account": SUPPLIER, "memo": "supplier"},
                {"type": "loginName", "account": "courier@example.com", "name": "Wang Wu"}
            ],
            "out_request_no": "B1"
        }))
    );
    assert_eq!(bound.result_code, "SUCCESS");

    let page = client
        .send(
            TradeRoyaltyRelationBatchquery::builder()
                .out_request_no("Q1")
                .page_num(1u32)
                .page_size(1u32)
                .build(),
        )
        .await
        .expect("listed");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"page_num": 1, "page_size": 1, "out_request_no": "Q1"}))
    );
    assert_eq!(page.total_record_num, Some(2));
    assert_eq!(page.total_page_num, Some(2));
    assert_eq!(page.receiver_list.len(), 1);
    assert_eq!(page.receiver_list[0].account, SUPPLIER);
    assert_eq!(page.receiver_list[0].account_type, AccountType::UserId);

    let unbound = client
        .send(
            TradeRoyaltyRelationUnbind::builder()
                .receiver_list(vec![RoyaltyReceiver::user_id(SUPPLIER)])
                .out_request_no("U1")
                .build(),
        )
        .await
        .expect("unbound");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "receiver_list": [{"type": "userId", "account": SUPPLIER}], "out_request_no": "U1"
        }))
    );
    assert_eq!(unbound.result_code, "SUCCESS");
    let after = client
        .send(
            TradeRoyaltyRelationBatchquery::builder()
                .out_request_no("Q2")
                .build(),
        )
        .await
        .expect("listed");
    assert_eq!(after.total_record_num, Some(1));
    assert_eq!(after.receiver_list[0].account, "courier@example.com");
}

#[tokio::test]
async fn the_rate_query_names_the_merchant() {
    let (sandbox, app, client) = sandbox_client().await;
    let rate = client
        .send(
            TradeRoyaltyRateQuery::builder()
                .out_request_no("R1")
                .build(),
        )
        .await
        .expect("answered");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"out_request_no": "R1"}))
    );
    assert_eq!(rate.user_id, sandbox.seller_id(&app.app_id));
    assert_eq!(rate.max_ratio, Some(100));
}

/// The whole flow: pay → bind → settle → query → over-settle refused → unbound refused, with
/// a positive control next to each refusal.
#[tokio::test]
async fn settlement_end_to_end_pay_bind_settle_refusals() {
    let (sandbox, app, client) = sandbox_client().await;
    let trade_no = paid_trade(&sandbox, &app, &client, "M-1", "100.00", true).await;
    assert_eq!(unsettled(&client, &trade_no).await, amount("100.00"));
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"trade_no": trade_no}))
    );

    // Not bound yet: refused.
    let early = client
        .send(settle(
            &trade_no,
            "S0",
            vec![RoyaltyParameter::to_user_id(SUPPLIER, amount("1.00"))],
        ))
        .await;
    assert_eq!(sub_code(early), "ACQ.ROYALTY_RECEIVER_NOT_BIND");

    client
        .send(
            TradeRoyaltyRelationBind::builder()
                .receiver_list(vec![RoyaltyReceiver::user_id(SUPPLIER)])
                .out_request_no("B1")
                .build(),
        )
        .await
        .expect("bound");
    let settled = client
        .send(settle(
            &trade_no,
            "S1",
            vec![RoyaltyParameter::to_user_id(SUPPLIER, amount("30.00")).desc("supplier share")],
        ))
        .await
        .expect("settled");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "out_request_no": "S1", "trade_no": trade_no,
            "royalty_parameters": [{
                "trans_in_type": "userId", "trans_in": SUPPLIER, "amount": "30.00",
                "desc": "supplier share"
            }]
        }))
    );
    assert_eq!(settled.trade_no, trade_no);
    let again = client
        .send(settle(
            &trade_no,
            "S1",
            vec![RoyaltyParameter::to_user_id(SUPPLIER, amount("30.00"))],
        ))
        .await
        .expect("the same settlement again");
    assert_eq!(
        again.settle_no, settled.settle_no,
        "idempotent on out_request_no"
    );
    assert_eq!(unsettled(&client, &trade_no).await, amount("70.00"));

    let details = client
        .send(
            TradeOrderSettleQuery::builder()
                .settle_no(settled.settle_no.clone())
                .build(),
        )
        .await
        .expect("found");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"settle_no": settled.settle_no}))
    );
    assert_eq!(details.out_request_no.as_deref(), Some("S1"));
    assert_eq!(details.royalty_detail_list.len(), 1);
    let detail = &details.royalty_detail_list[0];
    assert_eq!(detail.trans_in.as_deref(), Some(SUPPLIER));
    assert_eq!(detail.amount, amount("30.00"));
    assert_eq!(detail.state, SettleState::Success);
    assert_eq!(detail.trans_out, sandbox.seller_id(&app.app_id));
    let by_request = client
        .send(
            TradeOrderSettleQuery::builder()
                .out_request_no("S1")
                .trade_no(trade_no.clone())
                .build(),
        )
        .await
        .expect("found by request number");
    assert_eq!(by_request, details);

    // A refund takes from what can be settled: 100 − 30 settled − 20 refunded = 50 left.
    client
        .send(
            TradeRefund::builder()
                .out_trade_no("M-1")
                .refund_amount(amount("20.00"))
                .out_request_no("RF1")
                .build(),
        )
        .await
        .expect("refunded");
    assert_eq!(unsettled(&client, &trade_no).await, amount("50.00"));
    let over = client
        .send(settle(
            &trade_no,
            "S2",
            vec![RoyaltyParameter::to_user_id(SUPPLIER, amount("50.01"))],
        ))
        .await;
    assert_eq!(sub_code(over), "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR");
    assert_eq!(unsettled(&client, &trade_no).await, amount("50.00"));

    // A receiver that was never bound is refused; the bound one, for the rest, is not.
    let unbound = client
        .send(settle(
            &trade_no,
            "S3",
            vec![RoyaltyParameter::to_user_id(COURIER, amount("1.00"))],
        ))
        .await;
    assert_eq!(sub_code(unbound), "ACQ.ROYALTY_RECEIVER_NOT_BIND");
    client
        .send(
            TradeOrderSettle::builder()
                .out_request_no("S4")
                .trade_no(trade_no.clone())
                .royalty_parameters(vec![RoyaltyParameter::to_user_id(
                    SUPPLIER,
                    amount("50.00"),
                )])
                .extend_params(SettleExtendParams::finish())
                .build(),
        )
        .await
        .expect("exactly what is left, finishing the settlement");
    assert_eq!(unsettled(&client, &trade_no).await.cents(), 0);
    let finished = client
        .send(settle(
            &trade_no,
            "S5",
            vec![RoyaltyParameter::to_user_id(SUPPLIER, amount("0.01"))],
        ))
        .await;
    assert_eq!(sub_code(finished), "ACQ.TRADE_SETTLE_ERROR");
}

#[tokio::test]
async fn only_paid_trades_created_for_settlement_settle() {
    let (sandbox, app, client) = sandbox_client().await;
    client
        .send(
            TradeRoyaltyRelationBind::builder()
                .receiver_list(vec![RoyaltyReceiver::user_id(SUPPLIER)])
                .out_request_no("B1")
                .build(),
        )
        .await
        .expect("bound");
    let part = || vec![RoyaltyParameter::to_user_id(SUPPLIER, amount("1.00"))];

    let plain = paid_trade(&sandbox, &app, &client, "P-1", "10.00", false).await;
    assert_eq!(
        sub_code(client.send(settle(&plain, "S1", part())).await),
        "ACQ.TRADE_SETTLE_ERROR"
    );
    assert_eq!(unsettled(&client, &plain).await.cents(), 0);

    let unpaid = client
        .send(
            TradeCreate::builder()
                .out_trade_no("P-2")
                .total_amount(amount("10.00"))
                .subject("s")
                .extend_params(ExtendParams::royalty_freeze())
                .build(),
        )
        .await
        .expect("created")
        .trade_no;
    assert_eq!(
        sub_code(client.send(settle(&unpaid, "S1", part())).await),
        "ACQ.TRADE_STATUS_ERROR"
    );

    // A receiver unbound after binding is refused again.
    let frozen = paid_trade(&sandbox, &app, &client, "P-3", "10.00", true).await;
    client
        .send(settle(&frozen, "S1", part()))
        .await
        .expect("bound receiver");
    client
        .send(
            TradeRoyaltyRelationUnbind::builder()
                .receiver_list(vec![RoyaltyReceiver::user_id(SUPPLIER)])
                .out_request_no("U1")
                .build(),
        )
        .await
        .expect("unbound");
    assert_eq!(
        sub_code(client.send(settle(&frozen, "S2", part())).await),
        "ACQ.ROYALTY_RECEIVER_NOT_BIND"
    );
}
