//! App payment (`alipay.trade.app.pay`): the server signs an order string; the Alipay app pays.
//!
//! ```text
//! cargo run --example app_pay
//! ```
//!
//! Offline, the embedded sandbox plays the Alipay app: [`Sandbox::app_pay`] checks the order
//! string as the app would and the buyer pays at once. With `ALIPAY_*` variables set (see the
//! quickstart) the example prints the order string for a mobile app to use.
//!
//! [`Sandbox::app_pay`]: alipay::sandbox::Sandbox::app_pay

use std::time::{SystemTime, UNIX_EPOCH};

use alipay::Amount;
use alipay::payment::app::TradeAppPay;
use alipay::payment::common::TradeQuery;
use alipay_examples::{NotifyEndpoint, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let (client, target) = alipay_examples::connect(Some(&endpoint.url)).await?;
    endpoint.serve(listener, client.clone());

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let out_trade_no = format!("APP{stamp}");
    let order_string = client
        .render(
            TradeAppPay::builder()
                .out_trade_no(out_trade_no.clone())
                .total_amount(Amount::new("0.10")?)
                .subject("iPhone6 16G")
                .timeout_express("30m")
                .build(),
        )
        .order_string()?;
    println!("order string (hand it to the Alipay app SDK):\n{order_string}\n");

    let Target::Sandbox { sandbox, .. } = &target else {
        return Ok(());
    };
    let paid = sandbox.app_pay(&order_string).await?;
    println!(
        "app pay   {} trade_no={} status={}",
        paid.out_trade_no, paid.trade_no, paid.status
    );
    let notification = endpoint.next().await.ok_or("notify endpoint stopped")??;
    println!(
        "notify    verified: trade_status={}",
        notification.get("trade_status").unwrap_or("-")
    );
    let trade = client
        .send(TradeQuery::builder().out_trade_no(out_trade_no).build())
        .await?;
    println!("query     trade_status={}", trade.trade_status);
    if !trade.trade_status.is_paid() {
        return Err("the trade is not paid".into());
    }
    println!("done");
    Ok(())
}
