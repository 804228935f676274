//! Calling Alipay methods this crate does not ship.
//!
//! ```text
//! cargo run --example generic_call
//! ```
//!
//! 1. The generic call, [`Client::execute`](alipay::Client::execute): a method name, text
//!    parameters and `biz_content` fields at run time, the answer as verified JSON. Here
//!    `alipay.trade.query`, after a trade is created with the typed API.
//! 2. A typed request of your own with `#[derive(Request)]`, for a method the sandbox does not
//!    know: its refusal (`isv.invalid-method`) is handled as an error value.
//!
//! Offline it runs against the embedded sandbox; with `ALIPAY_*` variables set (see the
//! quickstart), against that gateway.

use std::time::{SystemTime, UNIX_EPOCH};

use alipay::payment::common::TradeCreate;
use alipay::{Amount, Error};
use serde_json::{Map, Value};

/// The answer to [`CashCampaignCreate`].
#[derive(Debug, serde::Deserialize)]
struct CashCampaignCreateResponse {
    /// The campaign's id.
    #[allow(dead_code)]
    crowd_no: String,
}

/// `alipay.marketing.campaign.cash.create`, declared here rather than in the SDK.
#[derive(Debug, Clone, alipay::Request)]
#[alipay(
    method = "alipay.marketing.campaign.cash.create",
    response = CashCampaignCreateResponse
)]
struct CashCampaignCreate {
    /// The campaign's name.
    coupon_name: String,
    /// The prize type: `fixed` or `random`.
    prize_type: String,
    /// The total budget.
    total_money: Amount,
    /// How many prizes.
    total_num: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _target) = alipay_examples::connect(None).await?;

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let out_trade_no = format!("GEN{stamp}");
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no.clone())
                .total_amount(Amount::new("5.00")?)
                .subject("Generic call demo")
                .maybe_buyer_id(std::env::var("ALIPAY_BUYER_ID").ok())
                .build(),
        )
        .await?;

    // 1. The generic call.
    let mut biz = Map::new();
    biz.insert("out_trade_no".into(), Value::from(out_trade_no.clone()));
    let answer = client
        .execute("alipay.trade.query", None::<(String, String)>, biz)
        .await?;
    println!(
        "execute   alipay.trade.query code={} msg={}",
        answer.code, answer.msg
    );
    println!(
        "          trade_status={} total_amount={}",
        answer
            .get("trade_status")
            .and_then(Value::as_str)
            .unwrap_or("-"),
        answer
            .get("total_amount")
            .and_then(Value::as_str)
            .unwrap_or("-")
    );

    // 2. A derived request for a method the gateway refuses.
    let campaign = CashCampaignCreate::builder()
        .coupon_name("Spring cash")
        .prize_type("fixed")
        .total_money(Amount::new("100.00")?)
        .total_num("10")
        .build();
    match client.send(campaign).await {
        Ok(created) => println!("derived   created: {created:?}"),
        Err(Error::Gateway(e) | Error::Api(e)) => println!(
            "derived   refused as expected: {} ({})",
            e.sub_code.as_deref().unwrap_or("-"),
            e.sub_msg.as_deref().unwrap_or("-")
        ),
        Err(other) => return Err(other.into()),
    }
    println!("done");
    Ok(())
}
