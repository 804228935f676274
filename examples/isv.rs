//! ISV authorisation (第三方应用授权): a service provider calls Alipay for two merchants and
//! receives both merchants' notifications on one URL.
//!
//! ```text
//! cargo run --example isv
//! ```
//!
//! Offline, the embedded sandbox plays the merchant who authorises on the app-to-app
//! authorisation page; the ISV exchanges the code for the merchant's token, creates a trade on
//! the merchant's behalf, and shows that a made-up token is refused. Then the notifications of
//! two apps arrive at one endpoint and [`Merchants`] hands each to the right client. With
//! `ALIPAY_*` variables set (see the quickstart) it only prints the authorisation URL.
//!
//! [`Merchants`]: alipay::isv::Merchants

use std::time::{SystemTime, UNIX_EPOCH};

use alipay::isv::{Merchants, OPENAUTH_HOST, OpenAuthTokenApp, app_to_app_auth_url};
use alipay::notify::Kind;
use alipay::payment::common::TradeCreate;
use alipay::sandbox::browse;
use alipay::wire::form_decode;
use alipay::{Amount, Error};
use alipay_examples::{NotifyEndpoint, Target};
use http::Method;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let (client, target) = alipay_examples::connect(Some(&endpoint.url)).await?;
    let redirect_uri = "https://isv.example/authorised";

    let Target::Sandbox { sandbox, .. } = &target else {
        let url = app_to_app_auth_url(OPENAUTH_HOST, client.app_id(), redirect_uri);
        println!("Send merchants to this page to authorise your app:\n  {url}");
        return Ok(());
    };
    let url = app_to_app_auth_url(&sandbox.openauth_url(), client.app_id(), redirect_uri);
    println!("The merchant opens our authorisation page:\n  {url}");

    // The merchant authorises; the browser comes back to us with a code.
    let back = browse(Method::GET, &url, None, b"").await?;
    let location = back.header("location").ok_or("no redirect")?;
    let (_, query) = location.split_once('?').ok_or("no query")?;
    let code = form_decode(query.as_bytes())?
        .into_iter()
        .find(|(k, _)| k == "app_auth_code")
        .map(|(_, v)| v)
        .ok_or("no app_auth_code")?;
    println!("The merchant authorised us; their browser brought an authorisation code.");

    let token = client
        .send(OpenAuthTokenApp::builder().code(code).build())
        .await?;
    println!(
        "We exchanged it for the token of merchant {} (their app {}), valid {} days.",
        token.user_id,
        token.auth_app_id,
        token.expires_in / 86_400
    );

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let order = |suffix: &str| {
        Ok::<_, alipay::AmountError>(
            TradeCreate::builder()
                .out_trade_no(format!("ISV{stamp}{suffix}"))
                .total_amount(Amount::new("25.00")?)
                .subject("Lunch set")
                .buyer_id("2088000000000001")
                .build(),
        )
    };
    let created = client
        .send(order("A")?)
        .agent(token.app_auth_token.clone())
        .await?;
    println!(
        "On the merchant's behalf we opened trade {} ({}).",
        created.trade_no, created.out_trade_no
    );
    match client.send(order("B")?).agent("made-up-token-0000").await {
        Err(Error::Api(refused)) => println!(
            "A made-up token is refused: {}.",
            refused.sub_code.as_deref().unwrap_or("")
        ),
        Ok(_) => return Err("a made-up token was accepted".into()),
        Err(e) => return Err(e.into()),
    }

    // Two apps, one notify URL: each notification goes to the client of its app.
    let second_app = sandbox.create_app()?;
    let second = sandbox
        .client_builder(&second_app)
        .notify_url(endpoint.url.clone())
        .build()?;
    let merchants = Merchants::new().with(client.clone()).with(second.clone());
    endpoint.serve_merchants(listener, merchants);
    for (who, app_client) in [("first", &client), ("second", &second)] {
        let out_trade_no = format!("ISV{stamp}{who}");
        app_client
            .send(
                TradeCreate::builder()
                    .out_trade_no(out_trade_no.clone())
                    .total_amount(Amount::new("8.00")?)
                    .subject("Coffee")
                    .buyer_id("2088000000000001")
                    .build(),
            )
            .await?;
        sandbox.pay(app_client.app_id(), &out_trade_no).await?;
        let notification = endpoint.next().await.ok_or("no notification")??;
        if let Kind::Trade(trade) = notification.kind()? {
            println!(
                "The notification for app {} ({who} app) was verified with that app's keys: {} is {}.",
                trade.app_id, trade.out_trade_no, trade.trade_status
            );
        }
    }
    Ok(())
}
