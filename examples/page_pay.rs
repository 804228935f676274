//! Computer website payment (`alipay.trade.page.pay`) end to end, offline.
//!
//! ```text
//! cargo run --example page_pay
//! ```
//!
//! A tiny merchant site on 127.0.0.1 renders the page pay form for `GET /checkout` and checks
//! Alipay's signed return parameters on `GET /return`. The example then plays the buyer's
//! browser with the sandbox's (`alipay::sandbox::browse`, `Sandbox::pay_in_cashier`): it loads
//! the checkout page, submits the form to the (sandbox) gateway, pays on the cashier page,
//! follows the redirect back to the merchant and prints what the merchant verified. The payment notification arrives at a notify endpoint too.
//!
//! With `ALIPAY_*` variables set (see the quickstart) it only prints the form: paying needs a
//! real buyer.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use alipay::payment::common::TradeQuery;
use alipay::payment::page::TradePagePay;
use alipay::sandbox::browse;
use alipay::{Amount, Client};
use alipay_examples::{NotifyEndpoint, Target, html};
use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut endpoint, listener) = NotifyEndpoint::bind().await?;
    let (client, target) = alipay_examples::connect(Some(&endpoint.url)).await?;
    endpoint.serve(listener, client.clone());

    let site = TcpListener::bind("127.0.0.1:0").await?;
    let site_url = format!("http://{}", site.local_addr()?);
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let out_trade_no = format!("PAGE{stamp}");
    let shop = Arc::new(Shop {
        client: client.clone(),
        out_trade_no: out_trade_no.clone(),
        return_url: format!("{site_url}/return"),
    });

    let Target::Sandbox { sandbox, .. } = &target else {
        println!("{}", shop.checkout_page()?);
        println!(
            "open this page in a browser to pay at {}",
            client.gateway_url()
        );
        return Ok(());
    };
    tokio::spawn(serve(site, shop));
    println!("merchant  {site_url}");
    println!("gateway   {} (embedded sandbox)", sandbox.gateway_url());

    // 1. The buyer opens the checkout page: an auto-submitting form.
    let checkout = browse(Method::GET, &format!("{site_url}/checkout"), None, b"").await?;
    let page = checkout.text();
    let action = html::attribute(&page, "<form", "action").ok_or("no form on the page")?;
    let biz_content = html::attribute(
        &page,
        "<input type=\"hidden\" name=\"biz_content\"",
        "value",
    )
    .ok_or("no biz_content field")?;
    println!(
        "checkout  form to {}",
        action.split('?').next().unwrap_or_default()
    );
    println!("          biz_content = {biz_content}");

    // 2. The browser submits it to the gateway (the cashier page) and the buyer pays: a
    //    redirect back to the merchant's return URL.
    let visit = sandbox.pay_in_cashier(&page).await?;
    println!("cashier   HTTP {}", visit.cashier.status);
    let location = visit
        .paid
        .header("location")
        .ok_or_else(|| format!("expected a redirect, got HTTP {}", visit.paid.status))?
        .to_owned();
    println!(
        "pay       HTTP {} to {}",
        visit.paid.status,
        location.split('?').next().unwrap_or_default()
    );

    // 3. The browser follows it; the merchant verifies the return parameters.
    let returned = browse(Method::GET, &location, None, b"").await?;
    println!(
        "return    HTTP {}: {}",
        returned.status,
        returned.text().trim()
    );
    if returned.status != 200 {
        return Err("the merchant refused the return parameters".into());
    }

    // 4. The notification, verified by the notify endpoint, then the trade itself.
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

/// The merchant's site.
struct Shop {
    client: Client,
    out_trade_no: String,
    return_url: String,
}

impl Shop {
    /// The checkout page: the SDK's auto-submitting page pay form.
    fn checkout_page(&self) -> Result<String, alipay::Error> {
        let total = Amount::new("88.80").map_err(|e| alipay::EncodeError::new(e.to_string()))?;
        let form = self
            .client
            .render(
                TradePagePay::builder()
                    .out_trade_no(self.out_trade_no.clone())
                    .total_amount(total)
                    .subject("Iced tea <large> & \"extra\" ice")
                    .return_url(self.return_url.clone())
                    .build(),
            )
            .page_form()?;
        Ok(format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Checkout</title></head>\n<body>\n{form}\n</body></html>\n"
        ))
    }

    /// The return page: the buyer's browser comes back with Alipay's signed parameters.
    fn return_page(&self, query: &str) -> (u16, String) {
        match self.client.verify_notification(query.as_bytes()) {
            Ok(params) => (
                200,
                format!(
                    "verified return: out_trade_no={} trade_no={} total_amount={}",
                    params.get("out_trade_no").unwrap_or("-"),
                    params.get("trade_no").unwrap_or("-"),
                    params.get("total_amount").unwrap_or("-"),
                ),
            ),
            Err(e) => (400, format!("refused return parameters: {e}")),
        }
    }
}

/// Serves the merchant's two pages.
async fn serve(listener: TcpListener, shop: Arc<Shop>) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let shop = Arc::clone(&shop);
        tokio::spawn(async move {
            let Some(target) = read_request_target(&mut stream).await else {
                return;
            };
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let (status, content_type, body) = match path {
                "/checkout" => match shop.checkout_page() {
                    Ok(page) => (200, "text/html;charset=utf-8", page),
                    Err(e) => (500, "text/plain;charset=utf-8", e.to_string()),
                },
                "/return" => {
                    let (status, text) = shop.return_page(query);
                    (status, "text/plain;charset=utf-8", text)
                }
                _ => (404, "text/plain;charset=utf-8", "not found".to_owned()),
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        });
    }
}

/// Reads a request's head and returns its target (`/path?query`).
async fn read_request_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buffer.len() > 64 * 1024 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buffer);
    head.lines().next()?.split(' ').nth(1).map(str::to_owned)
}
