//! Reconcile: match the day's Alipay bill against the merchant's own orders.
//!
//! ```text
//! cargo run --example reconcile
//! ```
//!
//! Against the embedded sandbox (offline): four orders are created and three paid, one is
//! refunded in part, then the day's `trade` bill is downloaded
//! (`Client::download_bill`), unpacked and read row by row, and every row is matched against
//! the merchant's order book, which (on purpose) has a few mistakes. The differences are printed
//! in words. With `ALIPAY_*` set it downloads that merchant's bill of yesterday and only prints
//! its rows' totals, as there is no order book to match.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use alipay::bill::{BillDate, BillType, TradeRow};
use alipay::payment::common::{TradeCreate, TradeRefund};
use alipay::{Amount, Client};
use alipay_examples::Target;

/// What the merchant's own database says about an order.
#[derive(Debug, Clone)]
struct Order {
    /// What the buyer was charged, in cents.
    paid: i64,
    /// What the merchant refunded, in cents.
    refunded: i64,
}

/// What the bill says about an order.
#[derive(Debug, Default)]
struct Billed {
    paid: i64,
    refunded: i64,
    fees: i64,
}

fn yuan(cents: i64) -> String {
    Amount::from_signed_cents(cents).to_string()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, target) = alipay_examples::connect(None).await?;
    let Target::Sandbox { sandbox, app_id } = &target else {
        let yesterday = SystemTime::now() - Duration::from_secs(86_400);
        let day: BillDate = alipay::time::beijing_timestamp(yesterday)[..10].parse()?;
        let bill = client
            .download_bill(BillType::Trade, day)
            .await?
            .archive()?;
        let rows = bill.detail().trade_rows().collect::<Result<Vec<_>, _>>()?;
        let net: i64 = rows.iter().map(received).sum();
        println!(
            "{day}: {} rows, merchant received {} yuan",
            rows.len(),
            yuan(net)
        );
        return Ok(());
    };

    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_millis();
    let order = |n: u32| format!("RC{stamp}-{n}");
    // The shop's sales today: (order, price, paid by the buyer, refund).
    let sales = [
        (order(1), "88.80", true, Some("8.80")),
        (order(2), "19.90", true, None),
        (order(3), "5.00", true, None),
        (order(4), "12.00", false, None),
    ];
    for (out_trade_no, price, pays, refund) in &sales {
        create(&client, out_trade_no, price).await?;
        if *pays {
            sandbox.pay(app_id, out_trade_no).await?;
        }
        if let Some(refund) = refund {
            client
                .send(
                    TradeRefund::builder()
                        .out_trade_no(out_trade_no.clone())
                        .refund_amount(Amount::new(*refund)?)
                        .out_request_no(format!("{out_trade_no}-R1"))
                        .build(),
                )
                .await?;
        }
    }

    // The merchant's book, with the mistakes a real one has: order 3 was never recorded, order 4
    // is recorded as paid although the buyer walked away, order 1's refund was booked twice and
    // order 2's price was typed wrong.
    let mut book: BTreeMap<String, Order> = BTreeMap::new();
    book.insert(
        order(1),
        Order {
            paid: 8880,
            refunded: 1760,
        },
    );
    book.insert(
        order(2),
        Order {
            paid: 1900,
            refunded: 0,
        },
    );
    book.insert(
        order(4),
        Order {
            paid: 1200,
            refunded: 0,
        },
    );

    let today: BillDate = alipay::time::beijing_timestamp(SystemTime::now())[..10].parse()?;
    let download = client.download_bill(BillType::Trade, today).await?;
    let archive = download.archive()?;
    let detail = archive.detail();
    println!(
        "bill      {} for account {}: {} bytes",
        today,
        detail.metadata().account.as_deref().unwrap_or("?"),
        download.bytes().len()
    );

    let mut billed: BTreeMap<String, Billed> = BTreeMap::new();
    let mut rows = detail.trade_rows();
    for row in rows.by_ref() {
        let row = row?;
        let entry = billed.entry(row.out_trade_no.clone()).or_default();
        let amount = row.receipt_amount.as_ref().map_or(0, Amount::signed_cents);
        if row.is_refund() {
            entry.refunded -= amount;
        } else {
            entry.paid += amount;
        }
        entry.fees += row.service_fee.as_ref().map_or(0, Amount::signed_cents);
    }
    println!(
        "rows      {} read; the footer's {} totals agree with them",
        rows.records().rows_read(),
        rows.records().totals_checked()
    );

    let mut differences = 0;
    for (out_trade_no, alipay) in &billed {
        match book.get(out_trade_no) {
            None => {
                differences += 1;
                println!(
                    "- {out_trade_no}: Alipay took {} yuan for it, but it is not in your orders",
                    yuan(alipay.paid)
                );
            }
            Some(ours) => {
                if ours.paid != alipay.paid {
                    differences += 1;
                    println!(
                        "- {out_trade_no}: you recorded {} yuan paid, Alipay says {}",
                        yuan(ours.paid),
                        yuan(alipay.paid)
                    );
                }
                if ours.refunded != alipay.refunded {
                    differences += 1;
                    println!(
                        "- {out_trade_no}: you recorded {} yuan refunded, Alipay refunded {}",
                        yuan(ours.refunded),
                        yuan(alipay.refunded)
                    );
                }
            }
        }
    }
    for (out_trade_no, ours) in &book {
        if !billed.contains_key(out_trade_no) {
            differences += 1;
            println!(
                "- {out_trade_no}: you recorded {} yuan paid, but the bill has no payment for it \
                 (was it paid? query the trade)",
                yuan(ours.paid)
            );
        }
    }
    let net: i64 = billed.values().map(|b| b.paid - b.refunded + b.fees).sum();
    println!(
        "result    {} orders in the bill, {differences} differences, merchant received {} yuan net",
        billed.len(),
        yuan(net)
    );
    if differences != 4 {
        return Err(format!("expected the 4 planted differences, found {differences}").into());
    }
    Ok(())
}

/// What the merchant received for a row (negative for a refund), fees included.
fn received(row: &TradeRow) -> i64 {
    let cents = |a: &Option<Amount>| a.as_ref().map_or(0, Amount::signed_cents);
    cents(&row.receipt_amount) + cents(&row.service_fee)
}

async fn create(
    client: &Client,
    out_trade_no: &str,
    price: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no)
                .total_amount(Amount::new(price)?)
                .subject("Reconcile: tea shop")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await?;
    Ok(())
}
