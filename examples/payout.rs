//! Payout: paying a customer from the merchant's Alipay balance, offline against the embedded
//! sandbox.
//!
//! ```text
//! cargo run --example payout
//! ```
//!
//! The merchant's balance starts at 100.00 yuan. The example pays a customer 60.00 (a
//! cashback), receives and verifies Alipay's `alipay.fund.trans.order.changed` notification,
//! looks the transfer up, asks for its e-receipt, checks the balance, sends the same transfer
//! again (it is not paid twice), and tries to pay more than is left, which Alipay refuses.
//! Payouts move real money, so this example never runs against a configured gateway.

use alipay::fund::payouts::{
    BizScene, DataBillEreceiptApply, DataBillEreceiptQuery, FundAccountQuery, FundTransCommonQuery,
    FundTransOrderChanged, FundTransUniTransfer, Payee, ProductCode, ReceiptType,
};
use alipay::sandbox::Sandbox;
use alipay::{Amount, AmountError, Error};
use alipay_examples::NotifyEndpoint;

/// The sandbox's customer account: its login and the holder's real name.
const CUSTOMER_LOGIN: &str = "test_buyer@sandbox.com";
const CUSTOMER_NAME: &str = "沙箱买家";

fn cashback(out_biz_no: &str, yuan: &str) -> Result<FundTransUniTransfer, AmountError> {
    Ok(FundTransUniTransfer::builder()
        .out_biz_no(out_biz_no)
        .trans_amount(Amount::new(yuan)?)
        .product_code(ProductCode::TransAccountNoPwd)
        .biz_scene(BizScene::DirectTransfer)
        .order_title("Cashback")
        .payee_info(Payee::logon_id(CUSTOMER_LOGIN, CUSTOMER_NAME))
        .remark("thank you for your order")
        .build())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder()
        .fund_balance_cents(10_000)
        .start()
        .await?;
    let app = sandbox.create_app()?;
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let client = sandbox
        .client_builder(&app)
        .notify_url(&endpoint.url)
        .build()?;
    endpoint.serve(listener, client.clone());
    let seller_id = sandbox
        .seller_id(&app.app_id)
        .ok_or("the app has no seller")?;
    println!(
        "Merchant {seller_id} (app {}), on the embedded sandbox.",
        app.app_id
    );

    let balance = |client: alipay::Client, seller_id: String| async move {
        client
            .send(
                FundAccountQuery::builder()
                    .alipay_user_id(seller_id)
                    .build(),
            )
            .await
            .map(|a| a.available_amount)
    };
    println!(
        "1. The balance is {} yuan.",
        balance(client.clone(), seller_id.clone()).await?
    );

    let paid = client.send(cashback("PAYOUT-1", "60.00")?).await?;
    println!(
        "2. Paid 60.00 yuan to {CUSTOMER_NAME} ({CUSTOMER_LOGIN}): transfer {} is {}.",
        paid.order_id, paid.status
    );

    let notification = endpoint
        .next()
        .await
        .ok_or("the notify endpoint stopped")??;
    let changed = FundTransOrderChanged::from_notification(&notification)?;
    println!(
        "3. Alipay's notification arrived and its signature verified: transfer {} of {} yuan is {}.",
        changed.out_biz_no, changed.trans_amount, changed.status
    );

    let order = client
        .send(
            FundTransCommonQuery::builder()
                .order_id(paid.order_id.clone())
                .build(),
        )
        .await?;
    println!(
        "4. Looked up: {} yuan, {}, paid at {}.",
        order.trans_amount.as_ref().map_or("-", Amount::as_str),
        order.status,
        order.pay_date.as_deref().unwrap_or("-")
    );

    let applied = client
        .send(
            DataBillEreceiptApply::builder()
                .receipt_type(ReceiptType::FundDetail)
                .key(paid.order_id.clone())
                .build(),
        )
        .await?;
    let receipt = client
        .send(
            DataBillEreceiptQuery::builder()
                .file_id(applied.file_id)
                .build(),
        )
        .await?;
    println!(
        "5. The e-receipt is {}: {}",
        receipt.status,
        receipt.download_url.as_deref().unwrap_or("-")
    );

    let again = client.send(cashback("PAYOUT-1", "60.00")?).await?;
    println!(
        "6. Sent the same transfer again (same out_biz_no): the same transfer {} came back, nothing was paid twice.",
        again.order_id
    );
    println!(
        "7. The balance is now {} yuan.",
        balance(client.clone(), seller_id.clone()).await?
    );

    match client.send(cashback("PAYOUT-2", "50.00")?).await {
        Err(Error::Api(e)) if e.sub_code.as_deref() == Some("PAYER_BALANCE_NOT_ENOUGH") => {
            println!(
                "8. Paying 50.00 more was refused: the balance is too low ({}).",
                e.sub_msg.as_deref().unwrap_or("PAYER_BALANCE_NOT_ENOUGH")
            );
        }
        other => return Err(format!("expected an overdraft refusal, got {other:?}").into()),
    }
    println!(
        "9. The balance is still {} yuan. Done.",
        balance(client.clone(), seller_id).await?
    );
    sandbox.shutdown().await;
    Ok(())
}
