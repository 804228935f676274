//! The order store of the web shop examples (`axum_shop`, `actix_shop`): orders by
//! `out_trade_no`, and the one rule of a notification route: check the notification against
//! the order, store the payment once (whatever the number of deliveries), and only then answer
//! `success`.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use alipay::Amount;
use alipay::notify::{NotifyError, TradeNotification};
use alipay::sandbox::{Sandbox, browse};
use http::Method;

/// An order of the shop.
#[derive(Debug, Clone)]
pub struct Order {
    /// The order's amount.
    pub total: Amount,
    /// Alipay's trade number, once paid.
    pub paid_as: Option<String>,
}

/// What a notification did to the store.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The order is now paid.
    Paid,
    /// The order was already paid (a repeated delivery, or `TRADE_FINISHED` after
    /// `TRADE_SUCCESS`): nothing changed.
    AlreadyHandled,
    /// Not a payment (e.g. a refund or a close): recorded, nothing to ship.
    NotAPayment,
}

/// The shop's orders, in memory (a database in a real shop).
#[derive(Debug, Default)]
pub struct OrderStore {
    orders: Mutex<HashMap<String, Order>>,
    notify_ids: Mutex<HashSet<String>>,
}

impl OrderStore {
    /// Creates an order.
    pub fn create(&self, out_trade_no: &str, total: Amount) {
        if let Ok(mut orders) = self.orders.lock() {
            orders.insert(
                out_trade_no.to_owned(),
                Order {
                    total,
                    paid_as: None,
                },
            );
        }
    }

    /// An order.
    pub fn get(&self, out_trade_no: &str) -> Option<Order> {
        self.orders.lock().ok()?.get(out_trade_no).cloned()
    }

    /// Handles a verified notification: it must be one of our orders with its amount
    /// (`check_order`); it is stored once per `notify_id` and once per order.
    pub fn handle(&self, trade: &TradeNotification) -> Result<Outcome, NotifyError> {
        let order = self
            .get(&trade.out_trade_no)
            .ok_or_else(|| NotifyError::OrderMismatch {
                field: "out_trade_no",
                expected: "one of the shop's orders".to_owned(),
                received: trade.out_trade_no.clone(),
            })?;
        trade.check_order(&trade.out_trade_no, &order.total)?;
        let first_delivery = self
            .notify_ids
            .lock()
            .map(|mut seen| seen.insert(trade.notify_id.clone()))
            .unwrap_or(false);
        if !first_delivery {
            return Ok(Outcome::AlreadyHandled);
        }
        if !trade.trade_status.is_paid() {
            return Ok(Outcome::NotAPayment);
        }
        let mut orders = self
            .orders
            .lock()
            .map_err(|_| NotifyError::Fields("the order store is unavailable".to_owned()))?;
        match orders.get_mut(&trade.out_trade_no) {
            Some(order) if order.paid_as.is_none() => {
                order.paid_as = Some(trade.trade_no.clone());
                Ok(Outcome::Paid)
            }
            _ => Ok(Outcome::AlreadyHandled),
        }
    }
}

/// Plays the buyer of `out_trade_no` against the shop at `site`: loads its checkout page, pays
/// in the sandbox's cashier (the sandbox notifies the shop's route before the payment
/// returns), and checks that the order is stored as paid and that Alipay was answered
/// `success`. Prints each step.
pub async fn buy(
    sandbox: &Sandbox,
    site: &str,
    orders: &OrderStore,
    out_trade_no: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let page = browse(
        Method::GET,
        &format!("{site}/checkout/{out_trade_no}"),
        None,
        b"",
    )
    .await?;
    println!(
        "checkout  HTTP {} {}",
        page.status,
        page.header("content-type").unwrap_or("-")
    );
    let visit = sandbox.pay_in_cashier(&page.text()).await?;
    println!(
        "cashier   HTTP {}, paid: HTTP {}",
        visit.cashier.status, visit.paid.status
    );
    let order = orders.get(out_trade_no).ok_or("the order is gone")?;
    let delivered = sandbox
        .notifications()
        .into_iter()
        .find(|n| n.out_trade_no == out_trade_no)
        .ok_or("no notification was sent")?;
    println!(
        "alipay    attempt {} to {}: HTTP {:?} {:?}",
        delivered.attempt,
        delivered.url,
        delivered.status,
        delivered.response_body.as_deref().unwrap_or("-")
    );
    match (&order.paid_as, delivered.response_body.as_deref()) {
        (Some(trade_no), Some("success")) => {
            println!("order     {out_trade_no} paid as {trade_no}");
            Ok(())
        }
        _ => Err(format!("the order is not paid: {order:?}").into()),
    }
}
