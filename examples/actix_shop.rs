//! A shop on actix-web (feature `actix-web` of the examples), offline against the embedded
//! sandbox.
//!
//! ```text
//! cargo run -p alipay-examples --features actix-web --example actix_shop
//! ```
//!
//! The shop serves `GET /checkout/{order}` (creates the order, answers the page pay form,
//! `alipay::web::PageForm`) and `POST /alipay/notify` (the `VerifiedNotification` extractor
//! with the `web::Data<Client>` of the app, the order store's checks, then `Ack`). The example
//! plays the buyer with the sandbox's browser: it loads the checkout page, pays in the sandbox
//! cashier, and the sandbox POSTs the signed notification to the shop's own route over
//! loopback. It prints what happened and exits 0 once the order is paid and Alipay got
//! `success`.

use actix_web::{App, HttpServer, error, web};
use alipay::payment::page::TradePagePay;
use alipay::sandbox::Sandbox;
use alipay::web::{Ack, NotificationRejection, PageForm, VerifiedNotification};
use alipay::{Amount, Client};
use alipay_examples::shop::{OrderStore, buy};

/// `GET /checkout/{order}`: the order is created, the browser gets the auto-submitting form.
async fn checkout(
    client: web::Data<Client>,
    orders: web::Data<OrderStore>,
    out_trade_no: web::Path<String>,
) -> Result<PageForm, actix_web::Error> {
    let total = Amount::new("88.80").map_err(error::ErrorInternalServerError)?;
    orders.create(&out_trade_no, total.clone());
    PageForm::new(
        client.render(
            TradePagePay::builder()
                .out_trade_no(out_trade_no.into_inner())
                .total_amount(total)
                .subject("Iced tea")
                .build(),
        ),
    )
    .map_err(error::ErrorInternalServerError)
}

/// `POST /alipay/notify`: verified by the extractor; `success` only once the order is stored.
async fn notify(
    orders: web::Data<OrderStore>,
    trade: VerifiedNotification,
) -> Result<Ack, NotificationRejection> {
    let outcome = orders.handle(&trade)?;
    println!(
        "notify    {} {} (notify_id {}): {outcome:?}",
        trade.out_trade_no, trade.trade_status, trade.notify_id
    );
    Ok(Ack)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let app = sandbox.create_app()?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let site = format!("http://{}", listener.local_addr()?);
    let client = web::Data::new(
        sandbox
            .client_builder(&app)
            .notify_url(format!("{site}/alipay/notify"))
            .build()?,
    );
    let orders = web::Data::new(OrderStore::default());
    let server = {
        let (client, orders) = (client.clone(), orders.clone());
        HttpServer::new(move || {
            App::new()
                .app_data(client.clone())
                .app_data(orders.clone())
                .route("/checkout/{order}", web::get().to(checkout))
                .route("/alipay/notify", web::post().to(notify))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run()
    };
    let handle = server.handle();
    actix_web::rt::spawn(server);
    println!("shop      {site} (actix-web)");
    println!("gateway   {} (embedded sandbox)", sandbox.gateway_url());

    let paid = buy(&sandbox, &site, &orders, "ACTIX-1001").await;
    handle.stop(true).await;
    sandbox.shutdown().await;
    paid
}
