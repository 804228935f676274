//! Pre-authorisation against the sandbox over loopback: freeze (payment code, app order string,
//! voucher), pay from the freeze, unfreeze the rest, cancel, detail query and order info sync;
//! the sandbox refuses paying or unfreezing more than is frozen.

use alipay::fund::preauth::{
    AuthConfirmMode, AuthOrderStatus, FreezePay, FundAuthOperationCancel,
    FundAuthOperationDetailQuery, FundAuthOrderAppFreeze, FundAuthOrderFreeze,
    FundAuthOrderUnfreeze, FundAuthOrderVoucherCreate, OperationStatus, OperationType,
    TradeOrderinfoSync,
};
use alipay::payment::common::TradeStatus;
use alipay::sandbox::{ReceivedRequest, Sandbox, SandboxError};
use alipay::{Amount, Client};
use alipay_tests::{NotifySink, sandbox_client, sandbox_client_for, sub_code};
use serde_json::json;

const PAYMENT_CODE: &str = "289821051157962364";

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

fn freeze(out_order_no: &str, total: &str) -> FundAuthOrderFreeze {
    FundAuthOrderFreeze::builder()
        .auth_code(PAYMENT_CODE)
        .out_order_no(out_order_no)
        .out_request_no(format!("{out_order_no}-F"))
        .order_title("Power bank deposit")
        .amount(amount(total))
        .build()
}

fn pay_from(auth_no: &str, out_trade_no: &str, total: &str) -> FreezePay {
    FreezePay::builder()
        .out_trade_no(out_trade_no)
        .total_amount(amount(total))
        .subject("Power bank rental")
        .auth_no(auth_no)
        .auth_confirm_mode(AuthConfirmMode::NotComplete)
        .build()
}

async fn detail(
    client: &Client,
    auth_no: &str,
) -> alipay::fund::preauth::FundAuthOperationDetailQueryResponse {
    client
        .send(
            FundAuthOperationDetailQuery::builder()
                .auth_no(auth_no)
                .build(),
        )
        .await
        .expect("detail")
}

#[tokio::test]
async fn freeze_pay_from_it_then_unfreeze_the_rest() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));

    // 1. Freeze 99.00 with the payer's payment code.
    let frozen = client
        .send(freeze("RENT-1", "99.00"))
        .await
        .expect("frozen");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "auth_code": PAYMENT_CODE,
            "auth_code_type": "bar_code",
            "out_order_no": "RENT-1",
            "out_request_no": "RENT-1-F",
            "order_title": "Power bank deposit",
            "amount": "99.00"
        }))
    );
    assert_eq!(frozen.out_order_no, "RENT-1");
    assert_eq!(frozen.amount, amount("99.00"));
    assert_eq!(frozen.status, OperationStatus::Success);

    // 2. Pay 6.00 of it; more than is frozen is refused.
    let over = client
        .send(pay_from(&frozen.auth_no, "RENT-1-P0", "99.01"))
        .await;
    assert_eq!(sub_code(over), "ACQ.TOTAL_FEE_EXCEED");
    let paid = client
        .send(pay_from(&frozen.auth_no, "RENT-1-P1", "6.00"))
        .await
        .expect("paid from the freeze");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "out_trade_no": "RENT-1-P1",
            "total_amount": "6.00",
            "subject": "Power bank rental",
            "auth_no": frozen.auth_no,
            "auth_confirm_mode": "NOT_COMPLETE",
            "product_code": "PREAUTH_PAY"
        }))
    );
    assert_eq!(paid.total_amount, amount("6.00"));
    let trade = client
        .verify_notification(&sink.next().await)
        .expect("genuine")
        .trade()
        .expect("trade");
    assert_eq!(trade.out_trade_no, "RENT-1-P1");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    let state = detail(&client, &frozen.auth_no).await;
    assert_eq!(state.total_freeze_amount, amount("99.00"));
    assert_eq!(state.total_pay_amount, amount("6.00"));
    assert_eq!(state.rest_amount, amount("93.00"));
    assert_eq!(state.order_status, AuthOrderStatus::Authorized);
    assert_eq!(state.operation_type, OperationType::Freeze);

    // 3. Unfreeze the rest; more than the rest is refused.
    let unfreeze = |no: &str, total: &str| {
        FundAuthOrderUnfreeze::builder()
            .auth_no(frozen.auth_no.clone())
            .out_request_no(no)
            .amount(amount(total))
            .remark("returned")
            .build()
    };
    let over = client.send(unfreeze("RENT-1-U0", "93.01")).await;
    assert_eq!(sub_code(over), "UNFREEZE_AMOUNT_EXCEED");
    let unfrozen = client
        .send(unfreeze("RENT-1-U1", "93.00"))
        .await
        .expect("unfrozen");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "auth_no": frozen.auth_no,
            "out_request_no": "RENT-1-U1",
            "amount": "93.00",
            "remark": "returned"
        }))
    );
    assert_eq!(unfrozen.amount, amount("93.00"));
    assert_eq!(unfrozen.out_request_no, "RENT-1-U1");
    let state = client
        .send(
            FundAuthOperationDetailQuery::builder()
                .out_order_no("RENT-1")
                .out_request_no("RENT-1-U1")
                .build(),
        )
        .await
        .expect("detail");
    assert_eq!(state.order_status, AuthOrderStatus::Finish);
    assert_eq!(state.rest_amount.cents(), 0);
    assert_eq!(state.total_unfreeze_amount, Some(amount("93.00")));
    assert_eq!(state.operation_type, OperationType::Unfreeze);
    // Nothing is left to pay from.
    let after = client
        .send(pay_from(&frozen.auth_no, "RENT-1-P2", "0.01"))
        .await;
    assert_eq!(sub_code(after), "ACQ.AUTH_NO_ERROR");

    // 4. The credit order is synced.
    let synced = client
        .send(
            TradeOrderinfoSync::builder()
                .trade_no(paid.trade_no.clone())
                .out_request_no("RENT-1-SYNC")
                .biz_type("CREDIT_AUTH")
                .order_biz_info(r#"{"status":"COMPLETE"}"#)
                .build(),
        )
        .await
        .expect("synced");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "trade_no": paid.trade_no,
            "out_request_no": "RENT-1-SYNC",
            "biz_type": "CREDIT_AUTH",
            "order_biz_info": "{\"status\":\"COMPLETE\"}"
        }))
    );
    assert_eq!(synced.out_trade_no, "RENT-1-P1");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn complete_mode_unfreezes_the_rest_and_codes_are_checked() {
    let (sandbox, _, client) = sandbox_client().await;
    let mut bad = freeze("RENT-2", "50.00");
    bad.auth_code = "123".to_owned();
    assert_eq!(sub_code(client.send(bad).await), "PAYER_AUTH_CODE_INVALID");
    let frozen = client
        .send(freeze("RENT-2", "50.00"))
        .await
        .expect("frozen");
    let again = client.send(freeze("RENT-2", "50.00")).await;
    assert_eq!(sub_code(again), "ORDER_ALREADY_EXIST");
    let mut complete = pay_from(&frozen.auth_no, "RENT-2-P", "20.00");
    complete.auth_confirm_mode = Some(AuthConfirmMode::Complete);
    client.send(complete).await.expect("paid");
    let state = detail(&client, &frozen.auth_no).await;
    assert_eq!(state.order_status, AuthOrderStatus::Finish);
    assert_eq!(state.total_pay_amount, amount("20.00"));
    assert_eq!(state.total_unfreeze_amount, Some(amount("30.00")));
    // Another app cannot pay from this freeze.
    let other_app = sandbox.create_app().expect("app");
    let other = sandbox_client_for(&sandbox, &other_app, None);
    let foreign = other.send(pay_from(&frozen.auth_no, "X-1", "1.00")).await;
    assert_eq!(sub_code(foreign), "ACQ.AUTH_NO_ERROR");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn app_freeze_string_and_voucher_then_cancel() {
    let (sandbox, app, client) = sandbox_client().await;
    let order_string = client
        .render(
            FundAuthOrderAppFreeze::builder()
                .out_order_no("RENT-3")
                .out_request_no("RENT-3-F")
                .order_title("Deposit")
                .amount(amount("80.00"))
                .product_code("PREAUTH_PAY")
                .build(),
        )
        .order_string()
        .expect("rendered");
    // Forged amount: refused; genuine: frozen.
    let forged = order_string.replace("80.00", "0.01");
    assert!(matches!(
        sandbox.app_freeze(&forged),
        Err(SandboxError::InvalidSignature)
    ));
    let auth_no = sandbox
        .app_freeze(&order_string)
        .expect("frozen in the app");
    assert_eq!(detail(&client, &auth_no).await.rest_amount, amount("80.00"));

    let voucher = client
        .send(
            FundAuthOrderVoucherCreate::builder()
                .out_order_no("RENT-4")
                .out_request_no("RENT-4-F")
                .order_title("Deposit")
                .amount(amount("40.00"))
                .build(),
        )
        .await
        .expect("voucher");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "out_order_no": "RENT-4",
            "out_request_no": "RENT-4-F",
            "order_title": "Deposit",
            "amount": "40.00"
        }))
    );
    assert_eq!(voucher.out_order_no, "RENT-4");
    let before = client
        .send(
            FundAuthOperationDetailQuery::builder()
                .out_order_no("RENT-4")
                .build(),
        )
        .await
        .expect("detail");
    assert_eq!(before.order_status, AuthOrderStatus::Init);
    assert_eq!(before.status, OperationStatus::Init);
    let voucher_auth_no = sandbox
        .confirm_freeze(&app.app_id, &voucher.code_value)
        .expect("scanned");
    assert!(
        sandbox
            .confirm_freeze(&app.app_id, &voucher.code_value)
            .is_err()
    );
    assert_eq!(
        detail(&client, &voucher_auth_no).await.rest_amount,
        amount("40.00")
    );

    // Cancel the app freeze: everything is given back.
    let cancelled = client
        .send(
            FundAuthOperationCancel::builder()
                .out_order_no("RENT-3")
                .out_request_no("RENT-3-F")
                .remark("timeout")
                .build(),
        )
        .await
        .expect("cancelled");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"out_order_no": "RENT-3", "out_request_no": "RENT-3-F", "remark": "timeout"}))
    );
    assert_eq!(
        cancelled.action,
        Some(alipay::fund::preauth::CancelAction::Unfreeze)
    );
    let state = detail(&client, &auth_no).await;
    assert_eq!(state.order_status, AuthOrderStatus::Closed);
    assert_eq!(state.rest_amount.cents(), 0);
    let after = client.send(pay_from(&auth_no, "RENT-3-P", "1.00")).await;
    assert_eq!(sub_code(after), "ACQ.AUTH_NO_ERROR");
    sandbox.shutdown().await;
}
