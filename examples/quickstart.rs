//! Quickstart: a trade from creation to a partial refund.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no configuration it starts the embedded sandbox (a local Alipay gateway) and walks a
//! trade through create → the buyer pays → the notification arrives and is verified → query →
//! partial refund → refund query. With `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY`,
//! `ALIPAY_PUBLIC_KEY` and `ALIPAY_GATEWAY` set (keys as text or file paths) it runs the calls
//! against that gateway; there the buyer has to pay in the Alipay app, so the example stops
//! after the query if the trade is unpaid and closes it.
//!
//! `ALIPAY_PROTOCOL=v3` makes the same calls over OpenAPI v3 (`POST /v3/alipay/trade/create`,
//! …), on the same sandbox:
//!
//! ```text
//! ALIPAY_PROTOCOL=v3 cargo run --example quickstart
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use alipay::payment::common::{
    TradeClose, TradeCreate, TradeFastpayRefundQuery, TradeQuery, TradeRefund,
};
use alipay::{Amount, Error};
use alipay_examples::{NotifyEndpoint, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let (client, target) = alipay_examples::connect(Some(&endpoint.url)).await?;
    endpoint.serve(listener, client.clone());
    match &target {
        Target::Sandbox { sandbox, .. } => {
            println!("gateway   {} (embedded sandbox)", sandbox.gateway_url());
        }
        Target::Configured => println!("gateway   {}", client.gateway_url()),
    }
    println!("app       {}", client.app_id());
    println!("protocol  {:?}", alipay_examples::protocol_from_env()?);

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let out_trade_no = format!("QS{stamp}");

    // 1. Create the trade.
    let created = client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no.clone())
                .total_amount(Amount::new("88.80")?)
                .subject("Quickstart: iced tea")
                .maybe_buyer_id(std::env::var("ALIPAY_BUYER_ID").ok())
                .build(),
        )
        .await?;
    println!(
        "create    out_trade_no={} trade_no={}",
        created.out_trade_no, created.trade_no
    );

    // 2. The buyer pays: in the sandbox, by a sandbox control.
    let Target::Sandbox { sandbox, app_id } = &target else {
        let trade = client
            .send(
                TradeQuery::builder()
                    .out_trade_no(out_trade_no.clone())
                    .build(),
            )
            .await?;
        println!("query     trade_status={}", trade.trade_status);
        if !trade.trade_status.is_paid() {
            client
                .send(TradeClose::builder().out_trade_no(out_trade_no).build())
                .await?;
            println!("close     the buyer has not paid; trade closed");
        }
        return Ok(());
    };
    sandbox.pay(app_id, &out_trade_no).await?;
    println!("pay       the buyer paid in the sandbox");

    // 3. The notification arrives at our notify endpoint and is verified.
    let notification = endpoint
        .next()
        .await
        .ok_or("the notify endpoint stopped")??;
    let trade_notice = notification.trade()?;
    println!(
        "notify    verified: trade_status={} total_amount={} notify_id={}",
        trade_notice.trade_status,
        trade_notice
            .total_amount
            .as_ref()
            .map_or("-", Amount::as_str),
        trade_notice.notify_id
    );

    // 4. Query.
    let trade = client
        .send(
            TradeQuery::builder()
                .out_trade_no(out_trade_no.clone())
                .build(),
        )
        .await?;
    println!(
        "query     trade_status={} total_amount={}",
        trade.trade_status, trade.total_amount
    );

    // 5. Partial refund, idempotent on out_request_no.
    let refund = client
        .send(
            TradeRefund::builder()
                .out_trade_no(out_trade_no.clone())
                .refund_amount(Amount::new("10.00")?)
                .out_request_no("R1")
                .refund_reason("partial refund")
                .build(),
        )
        .await?;
    println!(
        "refund    fund_changed={} refund_fee={}",
        refund.fund_changed(),
        refund.refund_fee.as_ref().map_or("-", Amount::as_str)
    );

    // 6. Refund query.
    let refunded = client
        .send(
            TradeFastpayRefundQuery::builder()
                .out_trade_no(out_trade_no.clone())
                .out_request_no("R1")
                .build(),
        )
        .await?;
    println!(
        "refund?   refund_status={} refund_amount={}",
        refunded
            .refund_status
            .as_ref()
            .map_or("-", |status| status.as_str()),
        refunded.refund_amount.as_ref().map_or("-", Amount::as_str)
    );

    // A business failure is a typed error: refunding more than what is left.
    let too_much = client
        .send(
            TradeRefund::builder()
                .out_trade_no(out_trade_no)
                .refund_amount(Amount::new("100.00")?)
                .out_request_no("R2")
                .build(),
        )
        .await;
    match too_much {
        Err(Error::Api(e)) => println!("refund    refused as expected: {e}"),
        // Over v3 the refusal is a signed v3 error (HTTP status, code, message, trace id).
        Err(Error::V3(e)) => println!("refund    refused as expected: {e}"),
        other => return Err(format!("expected a refused refund, got {other:?}").into()),
    }
    println!("done");
    Ok(())
}
