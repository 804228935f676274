//! Payouts (转账): each app's balance, the transfers paid from it to the sandbox's payees, their
//! refunds and e-receipts, and the `alipay.fund.trans.order.changed` message notification of
//! each change; the `/ereceipt/<file_id>.txt` endpoint that serves the receipts.

use std::collections::HashMap;

use bytes::Bytes;
use http::{Method as HttpMethod, Response, StatusCode};
use http_body_util::Full;

use super::NotificationKind;
use super::api::{Biz, Call};
use super::clock;
use super::notify::{Family, FormNotice, Notice};
use super::server::{TEXT_CONTENT_TYPE, get_only, respond};
use super::shared::{Shared, lock};
use super::trade::SANDBOX_BUYER_ID;
use super::wire::{Failure, Node, yuan};

/// The balance every app starts with unless the builder says otherwise: 10 000.00 yuan.
pub(crate) const DEFAULT_BALANCE_CENTS: u64 = 1_000_000;
/// The sandbox buyer's full login, as a payee names it.
pub(crate) const SANDBOX_BUYER_LOGON: &str = "test_buyer@sandbox.com";
/// The sandbox buyer's real name.
pub(crate) const SANDBOX_BUYER_NAME: &str = "沙箱买家";
/// The smallest transfer Alipay accepts: 0.10 yuan.
const MIN_TRANSFER_CENTS: u64 = 10;
/// The message notification of a transfer's change.
const ORDER_CHANGED: &str = "alipay.fund.trans.order.changed";

/// An Alipay account money can be transferred to.
#[derive(Debug, Clone)]
struct Payee {
    user_id: String,
    logon_id: String,
    name: String,
}

/// A refund of a transfer.
#[derive(Debug, Clone)]
struct TransferRefund {
    out_request_no: String,
    refund_order_id: String,
    cents: u64,
    date: String,
}

/// A transfer paid from an app's balance.
#[derive(Debug, Clone)]
struct Transfer {
    out_biz_no: String,
    order_id: String,
    pay_fund_order_id: String,
    cents: u64,
    payee_user_id: String,
    trans_date: String,
    refunds: Vec<TransferRefund>,
}

impl Transfer {
    fn refunded_cents(&self) -> u64 {
        self.refunds.iter().map(|r| r.cents).sum()
    }

    /// `SUCCESS`, or `REFUND` once refunded in full.
    fn status(&self) -> &'static str {
        if self.refunded_cents() >= self.cents {
            "REFUND"
        } else {
            "SUCCESS"
        }
    }

    /// The `alipay.fund.trans.order.changed` message of its current state.
    fn changed(&self, app_id: &str, notify_url: Option<&str>, action: &str) -> Notice {
        let body = serde_json::json!({
            "action_type": action,
            "biz_scene": "DIRECT_TRANSFER",
            "order_id": self.order_id,
            "origin_interface": "alipay.fund.trans.uni.transfer",
            "out_biz_no": self.out_biz_no,
            "pay_date": self.trans_date,
            "pay_fund_order_id": self.pay_fund_order_id,
            "product_code": "TRANS_ACCOUNT_NO_PWD",
            "status": self.status(),
            "trans_amount": yuan(self.cents),
        });
        Notice::Form(FormNotice {
            app_id: app_id.to_owned(),
            notify_url: notify_url.map(str::to_owned),
            subject: self.out_biz_no.clone(),
            kind: NotificationKind::Transfer,
            family: Family::Message,
            fields: vec![
                ("app_id", app_id.to_owned()),
                ("version", "1.1".to_owned()),
                ("msg_method", ORDER_CHANGED.to_owned()),
                ("biz_content", body.to_string()),
                ("charset", "utf-8".to_owned()),
            ],
        })
    }
}

/// One app's money and transfers.
#[derive(Debug, Default)]
struct Account {
    balance_cents: u64,
    /// By `out_biz_no`.
    transfers: HashMap<String, Transfer>,
}

/// Every app's balance and transfers, the payees, and the e-receipts applied for.
#[derive(Debug)]
pub(crate) struct State {
    start_balance_cents: u64,
    accounts: HashMap<String, Account>,
    /// `order_id` → (`app_id`, `out_biz_no`).
    orders: HashMap<String, (String, String)>,
    payees: Vec<Payee>,
    /// `file_id` → (`app_id`, `order_id`).
    receipts: HashMap<String, (String, String)>,
    last_seq: u64,
}

impl State {
    /// Every app starts with `start_balance_cents`; the sandbox buyer is the one payee.
    pub(crate) fn new(start_balance_cents: u64) -> Self {
        Self {
            start_balance_cents,
            accounts: HashMap::new(),
            orders: HashMap::new(),
            payees: vec![Payee {
                user_id: SANDBOX_BUYER_ID.to_owned(),
                logon_id: SANDBOX_BUYER_LOGON.to_owned(),
                name: SANDBOX_BUYER_NAME.to_owned(),
            }],
            receipts: HashMap::new(),
            last_seq: 0,
        }
    }

    fn account(&mut self, app_id: &str) -> &mut Account {
        let start = self.start_balance_cents;
        self.accounts
            .entry(app_id.to_owned())
            .or_insert_with(|| Account {
                balance_cents: start,
                transfers: HashMap::new(),
            })
    }

    /// An app's balance, in cents.
    pub(crate) fn balance(&mut self, app_id: &str) -> u64 {
        self.account(app_id).balance_cents
    }

    /// Sets an app's balance, in cents.
    pub(crate) fn set_balance(&mut self, app_id: &str, cents: u64) {
        self.account(app_id).balance_cents = cents;
    }

    /// Adds (or replaces, by user id) a payee.
    pub(crate) fn add_payee(&mut self, user_id: String, logon_id: String, name: String) {
        self.payees.retain(|p| p.user_id != user_id);
        self.payees.push(Payee {
            user_id,
            logon_id,
            name,
        });
    }

    /// A new 32-digit order number: the date, `prefix` (8 digits) and a sequence number.
    fn new_id(&mut self, prefix: &str) -> String {
        self.last_seq += 1;
        let date: String = clock::today_digits().chars().take(8).collect();
        format!(
            "{date}{prefix}{:016}",
            self.last_seq % 10_000_000_000_000_000
        )
    }

    fn transfer_by_order(
        &mut self,
        app_id: &str,
        order_id: &str,
    ) -> Result<&mut Transfer, Failure> {
        let not_exist = || Failure::business("ORDER_NOT_EXIST", "转账订单不存在");
        let (owner, out_biz_no) = self.orders.get(order_id).cloned().ok_or_else(not_exist)?;
        if owner != app_id {
            return Err(not_exist());
        }
        self.account(app_id)
            .transfers
            .get_mut(&out_biz_no)
            .ok_or_else(not_exist)
    }
}

/// The payee `payee_info` names: known, and with the right name when one is given (a login
/// needs one).
fn resolve_payee<'s>(state: &'s State, info: &Biz<'_>) -> Result<&'s Payee, Failure> {
    let identity = info.required("identity")?;
    let identity_type = info.required("identity_type")?;
    let name = info.text("name")?;
    let by_login = match &*identity_type {
        "ALIPAY_USER_ID" => false,
        "ALIPAY_LOGON_ID" => true,
        _ => {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                "payee_info.identity_type只支持ALIPAY_USER_ID或ALIPAY_LOGON_ID",
            ));
        }
    };
    if by_login && name.is_none() {
        return Err(Failure::missing_field("payee_info.name"));
    }
    let payee = state
        .payees
        .iter()
        .find(|p| {
            if by_login {
                p.logon_id == *identity
            } else {
                p.user_id == *identity
            }
        })
        .ok_or_else(|| {
            Failure::business(
                "PAYEE_NOT_EXIST",
                "收款账号不存在或姓名有误，建议核实账号和姓名是否准确",
            )
        })?;
    if name.is_some_and(|name| *name != payee.name) {
        return Err(Failure::business(
            "PAYEE_USER_INFO_ERROR",
            "支付宝账号和姓名不匹配，请确认姓名是否正确",
        ));
    }
    Ok(payee)
}

/// `alipay.fund.trans.uni.transfer`: pays from the app's balance, once per `out_biz_no`.
pub(crate) fn transfer(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let out_biz_no = biz.required("out_biz_no")?;
    let amount = biz.amount("trans_amount", "转账金额")?;
    let product_code = biz.required("product_code")?;
    let biz_scene = biz.text("biz_scene")?;
    biz.required("order_title")?;
    let info = biz.required_object("payee_info")?;
    if product_code != "TRANS_ACCOUNT_NO_PWD"
        || biz_scene.as_deref().is_some_and(|s| s != "DIRECT_TRANSFER")
    {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "沙箱只支持product_code=TRANS_ACCOUNT_NO_PWD、biz_scene=DIRECT_TRANSFER",
        ));
    }
    if amount.cents() < MIN_TRANSFER_CENTS {
        return Err(Failure::business(
            "EXCEED_LIMIT_SM_MIN_AMOUNT",
            "单笔最低转账金额0.1元",
        ));
    }
    let mut state = lock(&call.shared.fund);
    let payee_user_id = resolve_payee(&state, &info)?.user_id.clone();
    let app_id = call.app_id;
    if let Some(previous) = state.account(app_id).transfers.get(&*out_biz_no) {
        // The same transfer again: the first answer, no more money moved.
        if previous.cents != amount.cents() || previous.payee_user_id != payee_user_id {
            return Err(Failure::business(
                "INVALID_PARAMETER",
                "out_biz_no已使用，且本次转账金额或收款方与原转账不一致",
            ));
        }
        return Ok(transfer_node(previous));
    }
    let account = state.account(app_id);
    if account.balance_cents < amount.cents() {
        return Err(Failure::business(
            "PAYER_BALANCE_NOT_ENOUGH",
            "付款方余额不足",
        ));
    }
    account.balance_cents -= amount.cents();
    let order_id = state.new_id("11007000");
    let pay_fund_order_id = state.new_id("11007001");
    let transfer = Transfer {
        out_biz_no: out_biz_no.into_owned(),
        order_id: order_id.clone(),
        pay_fund_order_id,
        cents: amount.cents(),
        payee_user_id,
        trans_date: clock::now_text(),
        refunds: Vec::new(),
    };
    let node = transfer_node(&transfer);
    call.notices
        .push(transfer.changed(app_id, call.text("notify_url"), "FINISH"));
    state
        .orders
        .insert(order_id, (app_id.to_owned(), transfer.out_biz_no.clone()));
    state
        .account(app_id)
        .transfers
        .insert(transfer.out_biz_no.clone(), transfer);
    Ok(node)
}

fn transfer_node(transfer: &Transfer) -> Node {
    let mut node = Node::success();
    node.str("out_biz_no", &transfer.out_biz_no)
        .str("order_id", &transfer.order_id)
        .str("pay_fund_order_id", &transfer.pay_fund_order_id)
        .str("status", "SUCCESS")
        .str("trans_date", &transfer.trans_date);
    node
}

/// `alipay.fund.trans.common.query`: by `order_id`, `pay_fund_order_id` or `out_biz_no`.
pub(crate) fn common_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let order_id = biz.text("order_id")?;
    let fund_order_id = biz.text("pay_fund_order_id")?;
    let out_biz_no = biz.text("out_biz_no")?;
    let not_exist = || Failure::business("ORDER_NOT_EXIST", "转账订单不存在");
    let mut state = lock(&call.shared.fund);
    let account = state.account(call.app_id);
    let transfer = match (&order_id, &fund_order_id, &out_biz_no) {
        (None, None, None) => {
            return Err(Failure::missing_field(
                "order_id、pay_fund_order_id或out_biz_no",
            ));
        }
        (Some(id), _, _) => account.transfers.values().find(|t| t.order_id == **id),
        (None, Some(id), _) => account
            .transfers
            .values()
            .find(|t| t.pay_fund_order_id == **id),
        (None, None, Some(no)) => account.transfers.get(&**no),
    }
    .ok_or_else(not_exist)?;
    let mut node = Node::success();
    node.str("order_id", &transfer.order_id)
        .str("pay_fund_order_id", &transfer.pay_fund_order_id)
        .str("out_biz_no", &transfer.out_biz_no)
        .str("trans_amount", &yuan(transfer.cents))
        .str("status", transfer.status())
        .str("pay_date", &transfer.trans_date)
        .str("order_fee", "0.00");
    Ok(node)
}

/// `alipay.fund.account.query`: the app's own balance (by its seller id).
pub(crate) fn account_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let user_id = call.biz.required("alipay_user_id")?;
    if *user_id != call.app.seller_id {
        return Err(Failure::business(
            "INVALID_PARAMETER",
            "只能查询本应用所属商户的账户",
        ));
    }
    let balance = lock(&call.shared.fund).balance(call.app_id);
    let mut node = Node::success();
    node.str("available_amount", &yuan(balance))
        .str("freeze_amount", "0.00");
    Ok(node)
}

/// `alipay.fund.trans.refund`: returns (part of) a transfer to the balance, once per
/// `out_request_no`.
pub(crate) fn refund(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let order_id = biz.required("order_id")?;
    let out_request_no = biz.required("out_request_no")?;
    let amount = biz.amount("refund_amount", "退回金额")?;
    let app_id = call.app_id;
    let mut state = lock(&call.shared.fund);
    let refund_order_id = state.new_id("11007002");
    let transfer = state.transfer_by_order(app_id, &order_id)?;
    let refund = match transfer
        .refunds
        .iter()
        .find(|r| r.out_request_no == *out_request_no)
    {
        Some(previous) if previous.cents == amount.cents() => previous.clone(),
        Some(_) => {
            return Err(Failure::business(
                "INVALID_PARAMETER",
                "out_request_no已使用，且本次退回金额与原请求不一致",
            ));
        }
        None => {
            if transfer.refunded_cents() + amount.cents() > transfer.cents {
                return Err(Failure::business(
                    "REFUND_AMOUNT_EXCEED",
                    "退回金额超过转账金额",
                ));
            }
            let refund = TransferRefund {
                out_request_no: out_request_no.into_owned(),
                refund_order_id,
                cents: amount.cents(),
                date: clock::now_text(),
            };
            transfer.refunds.push(refund.clone());
            if transfer.status() == "REFUND" {
                call.notices
                    .push(transfer.changed(app_id, call.text("notify_url"), "REFUND"));
            }
            state.account(app_id).balance_cents += amount.cents();
            refund
        }
    };
    let mut node = Node::success();
    node.str("refund_order_id", &refund.refund_order_id)
        .str("order_id", &order_id)
        .str("out_request_no", &refund.out_request_no)
        .str("status", "SUCCESS")
        .str("refund_amount", &yuan(refund.cents))
        .str("refund_date", &refund.date);
    Ok(node)
}

/// `alipay.data.bill.ereceipt.apply`: `type=FUND_DETAIL` with the `order_id` of a transfer.
pub(crate) fn ereceipt_apply(call: &mut Call<'_>) -> Result<Node, Failure> {
    let kind = call.biz.required("type")?;
    let key = call.biz.required("key")?;
    if kind != "FUND_DETAIL" {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "沙箱只支持type=FUND_DETAIL（key为转账的order_id）",
        ));
    }
    let mut state = lock(&call.shared.fund);
    state.transfer_by_order(call.app_id, &key)?;
    let file_id = state.new_id("20000000");
    state
        .receipts
        .insert(file_id.clone(), (call.app_id.to_owned(), key.into_owned()));
    let mut node = Node::success();
    node.str("file_id", &file_id);
    Ok(node)
}

/// `alipay.data.bill.ereceipt.query`: a receipt is ready at once.
pub(crate) fn ereceipt_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let file_id = call.biz.required("file_id")?;
    let state = lock(&call.shared.fund);
    match state.receipts.get(&*file_id) {
        Some((app_id, _)) if app_id == call.app_id => {}
        _ => {
            return Err(Failure::business("FILE_NOT_EXIST", "回单申请不存在"));
        }
    }
    let url = format!("{}/ereceipt/{file_id}.txt", call.shared.base_url());
    let mut node = Node::success();
    node.str("status", "SUCCESS").str("download_url", &url);
    Ok(node)
}

/// `GET /ereceipt/<file_id>.txt`: the receipt of a transfer, as text.
pub(crate) fn ereceipt_route(
    shared: &Shared,
    method: &HttpMethod,
    file_id: &str,
) -> Response<Full<Bytes>> {
    if let Some(refused) = get_only(method) {
        return refused;
    }
    let mut state = lock(&shared.fund);
    let Some((app_id, order_id)) = state.receipts.get(file_id).cloned() else {
        return respond(
            StatusCode::NOT_FOUND,
            TEXT_CONTENT_TYPE,
            "no such receipt\n",
        );
    };
    let Ok(transfer) = state.transfer_by_order(&app_id, &order_id) else {
        return respond(
            StatusCode::NOT_FOUND,
            TEXT_CONTENT_TYPE,
            "no such receipt\n",
        );
    };
    let text = format!(
        "支付宝电子回单（沙箱）\n转账订单号：{}\n商户转账单号：{}\n收款方：{}\n金额：{}元\n时间：{}\n状态：{}\n",
        transfer.order_id,
        transfer.out_biz_no,
        transfer.payee_user_id,
        yuan(transfer.cents),
        transfer.trans_date,
        transfer.status()
    );
    respond(StatusCode::OK, "text/plain;charset=utf-8", text)
}
