//! Settlement (分账): a marketplace splits a paid order with its supplier, offline against the
//! embedded sandbox.
//!
//! ```text
//! cargo run --example settlement
//! ```
//!
//! The marketplace binds its supplier as a settlement receiver, sells a 100.00 yuan order
//! created for settlement (`royalty_freeze`), the buyer pays, and the marketplace settles 30.00
//! to the supplier. It then checks what is left, sees an over-settlement and a settlement to a
//! partner it never bound refused, and settles the rest to finish. Settlements move real money,
//! so this example never runs against a configured gateway.

use alipay::payment::common::{ExtendParams, TradeCreate};
use alipay::payment::settle::{
    RoyaltyParameter, RoyaltyReceiver, SettleExtendParams, TradeOrderOnsettleQuery,
    TradeOrderSettle, TradeOrderSettleQuery, TradeRoyaltyRelationBind,
};
use alipay::sandbox::Sandbox;
use alipay::{Amount, AmountError, Client, Error};

const SUPPLIER: &str = "2088000000000002";
const STRANGER: &str = "2088000000000009";

fn settle(trade_no: &str, no: &str, to: &str, yuan: &str) -> Result<TradeOrderSettle, AmountError> {
    Ok(TradeOrderSettle::builder()
        .out_request_no(no)
        .trade_no(trade_no)
        .royalty_parameters(vec![
            RoyaltyParameter::to_user_id(to, Amount::new(yuan)?).desc("supplier share"),
        ])
        .build())
}

async fn left(client: &Client, trade_no: &str) -> Result<Amount, Error> {
    Ok(client
        .send(
            TradeOrderOnsettleQuery::builder()
                .trade_no(trade_no)
                .build(),
        )
        .await?
        .unsettled_amount)
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> Result<String, String> {
    match result {
        Err(Error::Api(e)) => Ok(format!(
            "{} ({})",
            e.sub_msg.unwrap_or_default(),
            e.sub_code.unwrap_or_default()
        )),
        other => Err(format!("expected a refusal, got {other:?}")),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let app = sandbox.create_app()?;
    let client = sandbox.client_builder(&app).build()?;
    println!("Marketplace app {}, on the embedded sandbox.", app.app_id);

    client
        .send(
            TradeRoyaltyRelationBind::builder()
                .receiver_list(vec![RoyaltyReceiver::user_id(SUPPLIER).memo("supplier")])
                .out_request_no("BIND-1")
                .build(),
        )
        .await?;
    println!("1. Bound the supplier {SUPPLIER} as a settlement receiver.");

    let created = client
        .send(
            TradeCreate::builder()
                .out_trade_no("ORDER-1")
                .total_amount(Amount::new("100.00")?)
                .subject("Handmade teapot")
                .extend_params(ExtendParams::royalty_freeze())
                .build(),
        )
        .await?;
    sandbox.pay(&app.app_id, "ORDER-1").await?;
    let trade_no = created.trade_no;
    println!(
        "2. The buyer paid order ORDER-1 (100.00 yuan, trade {trade_no}), kept for settlement."
    );

    let settled = client
        .send(settle(&trade_no, "SETTLE-1", SUPPLIER, "30.00")?)
        .await?;
    let details = client
        .send(
            TradeOrderSettleQuery::builder()
                .settle_no(settled.settle_no.clone())
                .build(),
        )
        .await?;
    for detail in &details.royalty_detail_list {
        println!(
            "3. Settled {} yuan to the supplier {}: {}.",
            detail.amount,
            detail.trans_in.as_deref().unwrap_or("-"),
            detail.state
        );
    }
    println!(
        "4. {} yuan of the order can still be settled.",
        left(&client, &trade_no).await?
    );

    let too_much = client
        .send(settle(&trade_no, "SETTLE-2", SUPPLIER, "80.00")?)
        .await;
    println!(
        "5. Settling 80.00 more was refused: {}.",
        refused(too_much)?
    );
    let stranger = client
        .send(settle(&trade_no, "SETTLE-3", STRANGER, "1.00")?)
        .await;
    println!(
        "6. Settling to {STRANGER}, never bound, was refused: {}.",
        refused(stranger)?
    );

    client
        .send(
            TradeOrderSettle::builder()
                .out_request_no("SETTLE-4")
                .trade_no(trade_no.clone())
                .royalty_parameters(vec![RoyaltyParameter::to_user_id(
                    SUPPLIER,
                    Amount::new("70.00")?,
                )])
                .extend_params(SettleExtendParams::finish())
                .build(),
        )
        .await?;
    println!(
        "7. Settled the remaining 70.00 and finished: {} yuan left to settle. Done.",
        left(&client, &trade_no).await?
    );
    sandbox.shutdown().await;
    Ok(())
}
