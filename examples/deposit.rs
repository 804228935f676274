//! Pre-authorisation (预授权): a deposit frozen when a power bank is rented, the rental fee paid
//! from it when it comes back, and the rest given back.
//!
//! ```text
//! cargo run --example deposit
//! ```
//!
//! Offline against the embedded sandbox, the shop scans the customer's payment code to freeze
//! the deposit (`alipay.fund.auth.order.freeze`), pays the fee from the freeze
//! (`alipay.trade.pay` with `auth_no`), unfreezes the rest, and checks the balances. With
//! `ALIPAY_*` variables set (see the quickstart) it only prints the app freeze order string:
//! a real freeze needs a real customer.

use std::time::{SystemTime, UNIX_EPOCH};

use alipay::fund::preauth::{
    AuthConfirmMode, FreezePay, FundAuthOperationDetailQuery, FundAuthOrderAppFreeze,
    FundAuthOrderFreeze, FundAuthOrderUnfreeze,
};
use alipay::notify::Kind;
use alipay::{Amount, Error};
use alipay_examples::{NotifyEndpoint, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let (client, target) = alipay_examples::connect(Some(&endpoint.url)).await?;
    endpoint.serve(listener, client.clone());
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let rental = format!("RENT{stamp}");
    let deposit = Amount::new("99.00")?;

    let Target::Sandbox { .. } = &target else {
        let order_string = client
            .render(
                FundAuthOrderAppFreeze::builder()
                    .out_order_no(rental.clone())
                    .out_request_no(format!("{rental}-F"))
                    .order_title("Power bank deposit")
                    .amount(deposit)
                    .product_code("PREAUTH_PAY")
                    .build(),
            )
            .order_string()?;
        println!("Hand this to the Alipay app to freeze the deposit:\n{order_string}");
        return Ok(());
    };

    // The customer shows their payment code; the shop freezes the deposit.
    let frozen = client
        .send(
            FundAuthOrderFreeze::builder()
                .auth_code("289821051157962364")
                .out_order_no(rental.clone())
                .out_request_no(format!("{rental}-F"))
                .order_title("Power bank deposit")
                .amount(deposit.clone())
                .build(),
        )
        .await?;
    println!(
        "Deposit of {} yuan frozen on the customer's account (authorisation {}).",
        frozen.amount, frozen.auth_no
    );

    // The power bank comes back after 3 hours: 6.00 yuan is paid from the deposit.
    let pay = |total: &str, suffix: &str| -> Result<FreezePay, alipay::AmountError> {
        Ok(FreezePay::builder()
            .out_trade_no(format!("{rental}-{suffix}"))
            .total_amount(Amount::new(total)?)
            .subject("Power bank, 3 hours")
            .auth_no(frozen.auth_no.clone())
            .auth_confirm_mode(AuthConfirmMode::NotComplete)
            .build())
    };
    match client.send(pay("120.00", "TOO-MUCH")?).await {
        Err(Error::Api(refused)) => println!(
            "Charging 120.00 is refused: only {deposit} is frozen ({}).",
            refused.sub_code.as_deref().unwrap_or("")
        ),
        Ok(_) => return Err("paid more than the deposit".into()),
        Err(e) => return Err(e.into()),
    }
    let paid = client.send(pay("6.00", "FEE")?).await?;
    println!(
        "The rental fee of {} yuan was paid from the deposit (trade {}).",
        paid.total_amount, paid.trade_no
    );
    let notification = endpoint.next().await.ok_or("no notification")??;
    if let Kind::Trade(trade) = notification.kind()? {
        println!("Alipay confirmed the fee: {}.", trade.trade_status);
    }

    // The rest goes back to the customer.
    let status = client
        .send(
            FundAuthOperationDetailQuery::builder()
                .auth_no(frozen.auth_no.clone())
                .build(),
        )
        .await?;
    println!("Still frozen: {} yuan.", status.rest_amount);
    client
        .send(
            FundAuthOrderUnfreeze::builder()
                .auth_no(frozen.auth_no.clone())
                .out_request_no(format!("{rental}-U"))
                .amount(status.rest_amount.clone())
                .remark("power bank returned")
                .build(),
        )
        .await?;
    let status = client
        .send(
            FundAuthOperationDetailQuery::builder()
                .auth_no(frozen.auth_no)
                .build(),
        )
        .await?;
    println!(
        "Deposit settled: {} paid, {} given back, {} still frozen; the authorisation is {}.",
        status.total_pay_amount,
        status
            .total_unfreeze_amount
            .map(|a| a.to_string())
            .unwrap_or_default(),
        status.rest_amount,
        status.order_status
    );
    Ok(())
}
