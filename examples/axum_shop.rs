//! A shop on axum (feature `axum` of the examples), offline against the embedded sandbox.
//!
//! ```text
//! cargo run -p alipay-examples --features axum --example axum_shop
//! ```
//!
//! The shop serves `GET /checkout/{order}` (creates the order, answers the page pay form,
//! `alipay::web::PageForm`) and `POST /alipay/notify` (the `VerifiedNotification` extractor,
//! the order store's checks, then `Ack`). The example plays the buyer with the sandbox's
//! browser: it loads the checkout page, pays in the sandbox cashier, and the sandbox POSTs the
//! signed notification to the shop's own route over loopback. It prints what happened and exits
//! 0 once the order is paid and Alipay got `success`.

use std::sync::Arc;

use alipay::payment::page::TradePagePay;
use alipay::sandbox::Sandbox;
use alipay::web::{Ack, NotificationRejection, PageForm, VerifiedNotification};
use alipay::{Amount, Client};
use alipay_examples::shop::{OrderStore, buy};
use axum::Router;
use axum::extract::{FromRef, Path, State};
use axum::routing::{get, post};

/// The shop's state: the client (found by the extractor through `FromRef`) and the orders.
#[derive(Clone)]
struct Shop {
    client: Client,
    orders: Arc<OrderStore>,
}

impl FromRef<Shop> for Client {
    fn from_ref(shop: &Shop) -> Client {
        shop.client.clone()
    }
}

/// `GET /checkout/{order}`: the order is created, the browser gets the auto-submitting form.
async fn checkout(
    State(shop): State<Shop>,
    Path(out_trade_no): Path<String>,
) -> Result<PageForm, String> {
    let total = Amount::new("88.80").map_err(|e| e.to_string())?;
    shop.orders.create(&out_trade_no, total.clone());
    PageForm::new(
        shop.client.render(
            TradePagePay::builder()
                .out_trade_no(out_trade_no)
                .total_amount(total)
                .subject("Iced tea")
                .build(),
        ),
    )
    .map_err(|e| e.to_string())
}

/// `POST /alipay/notify`: verified by the extractor; `success` only once the order is stored.
async fn notify(
    State(shop): State<Shop>,
    trade: VerifiedNotification,
) -> Result<Ack, NotificationRejection> {
    let outcome = shop.orders.handle(&trade)?;
    println!(
        "notify    {} {} (notify_id {}): {outcome:?}",
        trade.out_trade_no, trade.trade_status, trade.notify_id
    );
    Ok(Ack)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let app = sandbox.create_app()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = format!("http://{}", listener.local_addr()?);
    let client = sandbox
        .client_builder(&app)
        .notify_url(format!("{site}/alipay/notify"))
        .build()?;
    let orders = Arc::new(OrderStore::default());
    let router = Router::new()
        .route("/checkout/{order}", get(checkout))
        .route("/alipay/notify", post(notify))
        .with_state(Shop {
            client,
            orders: Arc::clone(&orders),
        });
    tokio::spawn(async move { axum::serve(listener, router).await });
    println!("shop      {site} (axum)");
    println!("gateway   {} (embedded sandbox)", sandbox.gateway_url());

    buy(&sandbox, &site, &orders, "AXUM-1001").await?;
    sandbox.shutdown().await;
    Ok(())
}
