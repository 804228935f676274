//! Pre-authorisation: authorisation orders with what is frozen, unfrozen and paid
//! (`alipay.fund.auth.*`), `alipay.trade.pay` from a freeze, and `alipay.trade.orderinfo.sync`.

use super::api::{Biz, Call};
use super::trade::{self, NewTrade};
use super::wire::{Failure, Node, yuan};
use super::{Sandbox, SandboxError, Shared, check, clock, lock, random};
use crate::Amount;

/// One freeze, unfreeze or payment of an order.
#[derive(Debug, Clone)]
struct Operation {
    operation_id: String,
    out_request_no: String,
    /// `FREEZE`, `UNFREEZE` or `PAY`.
    kind: &'static str,
    cents: u64,
    /// `INIT`, `SUCCESS` or `CLOSED`.
    status: &'static str,
    gmt_trans: String,
}

/// An authorisation order.
#[derive(Debug, Clone)]
struct Order {
    app_id: String,
    auth_no: String,
    out_order_no: String,
    title: String,
    /// `INIT`, `AUTHORIZED`, `FINISH` or `CLOSED`.
    status: &'static str,
    frozen: u64,
    unfrozen: u64,
    paid: u64,
    operations: Vec<Operation>,
}

impl Order {
    /// What is still frozen.
    fn rest(&self) -> u64 {
        self.frozen
            .saturating_sub(self.unfrozen)
            .saturating_sub(self.paid)
    }

    fn add(&mut self, out_request_no: &str, kind: &'static str, cents: u64, status: &'static str) {
        self.operations.push(Operation {
            operation_id: format!("{}{}", clock::today_digits(), random::random_digits(12)),
            out_request_no: out_request_no.to_owned(),
            kind,
            cents,
            status,
            gmt_trans: clock::now_text(),
        });
    }

    /// Finished once nothing is frozen any more.
    fn settle(&mut self) {
        if self.status == "AUTHORIZED" && self.rest() == 0 {
            self.status = "FINISH";
        }
    }

    /// The answer to a freeze or an unfreeze: the order and its last operation.
    fn operation_node(&self) -> Node {
        let mut node = Node::success();
        node.str("auth_no", &self.auth_no)
            .str("out_order_no", &self.out_order_no);
        if let Some(op) = self.operations.last() {
            node.str("operation_id", &op.operation_id)
                .str("out_request_no", &op.out_request_no)
                .str("amount", &yuan(op.cents))
                .str("status", op.status)
                .str("gmt_trans", &op.gmt_trans);
        }
        node.str("payer_user_id", trade::SANDBOX_BUYER_ID)
            .str("payer_logon_id", trade::SANDBOX_BUYER_LOGON_ID);
        node
    }
}

/// The authorisation orders.
#[derive(Debug, Default)]
pub(crate) struct State {
    orders: Vec<Order>,
}

impl State {
    fn find(&mut self, app_id: &str, biz: &Biz<'_>) -> Result<&mut Order, Failure> {
        let auth_no = biz.text("auth_no")?;
        let out_order_no = biz.text("out_order_no")?;
        if auth_no.is_none() && out_order_no.is_none() {
            return Err(Failure::missing_field("auth_no"));
        }
        self.orders
            .iter_mut()
            .filter(|o| o.app_id == app_id)
            .find(|o| match (&auth_no, &out_order_no) {
                (Some(no), _) => o.auth_no == **no,
                (None, Some(out)) => o.out_order_no == **out,
                (None, None) => false,
            })
            .ok_or_else(|| Failure::business("AUTH_ORDER_NOT_EXIST", "支付宝资金授权订单不存在"))
    }

    /// Opens an order for a freeze request (`INIT` or frozen at once).
    fn open(&mut self, app_id: &str, biz: &Biz<'_>, frozen: bool) -> Result<&mut Order, Failure> {
        let out_order_no = biz.required("out_order_no")?.into_owned();
        let out_request_no = biz.required("out_request_no")?.into_owned();
        let title = biz.required("order_title")?.into_owned();
        let amount: Amount = biz.amount("amount", "冻结金额")?;
        if amount.cents() == 0 {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                "冻结金额amount必须大于0",
            ));
        }
        if self
            .orders
            .iter()
            .any(|o| o.app_id == app_id && o.out_order_no == out_order_no)
        {
            return Err(Failure::business(
                "ORDER_ALREADY_EXIST",
                "商户授权订单号out_order_no已存在",
            ));
        }
        let mut order = Order {
            app_id: app_id.to_owned(),
            auth_no: format!(
                "{}10002001{}",
                clock::today_digits(),
                random::random_digits(12)
            ),
            out_order_no,
            title,
            status: if frozen { "AUTHORIZED" } else { "INIT" },
            frozen: if frozen { amount.cents() } else { 0 },
            unfrozen: 0,
            paid: 0,
            operations: Vec::new(),
        };
        let status = if frozen { "SUCCESS" } else { "INIT" };
        order.add(&out_request_no, "FREEZE", amount.cents(), status);
        self.orders.push(order);
        self.orders.last_mut().ok_or_else(Failure::unavailable)
    }
}

/// `alipay.fund.auth.order.freeze`: a valid payment code freezes at once.
pub(crate) fn freeze(call: &mut Call<'_>) -> Result<Node, Failure> {
    let auth_code = call.biz.required("auth_code")?;
    if call.biz.required("auth_code_type")? != "bar_code" {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "auth_code_type只支持bar_code",
        ));
    }
    if !trade::valid_auth_code(&auth_code) {
        return Err(Failure::business(
            "PAYER_AUTH_CODE_INVALID",
            "付款码无效，请刷新付款码后重试",
        ));
    }
    let mut state = lock(&call.shared.preauth);
    let order = state.open(call.app_id, &call.biz, true)?;
    Ok(order.operation_node())
}

/// `alipay.fund.auth.order.voucher.create`: an `INIT` order the payer confirms by scanning
/// ([`Sandbox::confirm_freeze`]).
pub(crate) fn voucher_create(call: &mut Call<'_>) -> Result<Node, Failure> {
    let base = call.shared.base_url();
    let mut state = lock(&call.shared.preauth);
    let order = state.open(call.app_id, &call.biz, false)?;
    let code = format!("{base}/sandbox/freeze/{}", order.auth_no);
    let mut node = Node::success();
    node.str("out_order_no", &order.out_order_no)
        .opt(
            "out_request_no",
            order.operations.last().map(|op| op.out_request_no.as_str()),
        )
        .str("code_type", "qrCode")
        .str("code_value", &code);
    Ok(node)
}

/// `alipay.fund.auth.order.unfreeze`: at most what is still frozen.
pub(crate) fn unfreeze(call: &mut Call<'_>) -> Result<Node, Failure> {
    let out_request_no = call.biz.required("out_request_no")?;
    let amount = call.biz.amount("amount", "解冻金额")?;
    call.biz.required("remark")?;
    let mut state = lock(&call.shared.preauth);
    let order = state.find(call.app_id, &call.biz)?;
    if order.status != "AUTHORIZED" {
        return Err(Failure::business(
            "ORDER_STATUS_NOT_AUTHORIZED",
            "授权订单状态不是已授权",
        ));
    }
    if amount.cents() == 0 || amount.cents() > order.rest() {
        return Err(Failure::business(
            "UNFREEZE_AMOUNT_EXCEED",
            format!("解冻金额超过剩余冻结金额{}", yuan(order.rest())),
        ));
    }
    order.unfrozen += amount.cents();
    order.add(&out_request_no, "UNFREEZE", amount.cents(), "SUCCESS");
    order.settle();
    Ok(order.operation_node())
}

/// `alipay.fund.auth.operation.cancel`: a freeze with nothing paid is closed (`close`) or
/// given back in full (`unfreeze`).
pub(crate) fn cancel(call: &mut Call<'_>) -> Result<Node, Failure> {
    let out_request_no = call.biz.required("out_request_no")?;
    call.biz.required("remark")?;
    let mut state = lock(&call.shared.preauth);
    let order = state.find(call.app_id, &call.biz)?;
    if !order
        .operations
        .iter()
        .any(|op| op.kind == "FREEZE" && op.out_request_no == *out_request_no)
    {
        return Err(Failure::business(
            "AUTH_OPERATION_NOT_EXIST",
            "授权操作不存在",
        ));
    }
    if order.paid > 0 {
        return Err(Failure::business(
            "ORDER_ALREADY_PAID",
            "授权订单已有支付，不能撤销",
        ));
    }
    let action = if order.status == "INIT" {
        "close"
    } else {
        order.unfrozen = order.frozen;
        "unfreeze"
    };
    order.status = "CLOSED";
    for op in &mut order.operations {
        if op.status == "INIT" {
            op.status = "CLOSED";
        }
    }
    let mut node = Node::success();
    node.str("auth_no", &order.auth_no)
        .str("out_order_no", &order.out_order_no)
        .str("out_request_no", &out_request_no)
        .str("action", action);
    Ok(node)
}

/// `alipay.fund.auth.operation.detail.query`.
pub(crate) fn detail_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let out_request_no = call.biz.text("out_request_no")?;
    let mut state = lock(&call.shared.preauth);
    let order = state.find(call.app_id, &call.biz)?;
    let op = match &out_request_no {
        Some(no) => order.operations.iter().find(|op| op.out_request_no == **no),
        None => order.operations.first(),
    }
    .ok_or_else(|| Failure::business("AUTH_OPERATION_NOT_EXIST", "授权操作不存在"))?;
    let mut node = Node::success();
    node.str("auth_no", &order.auth_no)
        .str("out_order_no", &order.out_order_no)
        .str("order_status", order.status)
        .str("total_freeze_amount", &yuan(order.frozen))
        .str("rest_amount", &yuan(order.rest()))
        .str("total_pay_amount", &yuan(order.paid))
        .str("total_unfreeze_amount", &yuan(order.unfrozen))
        .str("order_title", &order.title)
        .str("operation_id", &op.operation_id)
        .str("out_request_no", &op.out_request_no)
        .str("amount", &yuan(op.cents))
        .str("operation_type", op.kind)
        .str("status", op.status)
        .str("gmt_trans", &op.gmt_trans)
        .str("payer_user_id", trade::SANDBOX_BUYER_ID);
    Ok(node)
}

/// `alipay.trade.pay` with `auth_no`: pays at most what is still frozen; `COMPLETE` unfreezes
/// the rest.
pub(crate) fn pay(call: &mut Call<'_>) -> Result<Node, Failure> {
    let auth_no = call.biz.required("auth_no")?.into_owned();
    let complete = match call.biz.text("auth_confirm_mode")?.as_deref() {
        None | Some("NOT_COMPLETE") => false,
        Some("COMPLETE") => true,
        Some(_) => {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                "auth_confirm_mode只能是COMPLETE或NOT_COMPLETE",
            ));
        }
    };
    let mut new = NewTrade::read(
        &call.biz,
        call.text("notify_url"),
        Some("PREAUTH_PAY"),
        true,
    )?;
    let out_trade_no = new.out_trade_no.clone();
    {
        let mut state = lock(&call.shared.preauth);
        let order = state
            .orders
            .iter_mut()
            .find(|o| o.app_id == call.app_id && o.auth_no == auth_no)
            .ok_or_else(|| Failure::business("ACQ.AUTH_NO_ERROR", "预授权号错误或状态不对"))?;
        if order.status != "AUTHORIZED" {
            return Err(Failure::business(
                "ACQ.AUTH_NO_ERROR",
                "预授权号错误或状态不对",
            ));
        }
        if new.total.cents() > order.rest() {
            return Err(Failure::business(
                "ACQ.TOTAL_FEE_EXCEED",
                format!("支付金额超过剩余冻结金额{}", yuan(order.rest())),
            ));
        }
        order.paid += new.total.cents();
        order.add(&out_trade_no, "PAY", new.total.cents(), "SUCCESS");
        if complete {
            order.unfrozen += order.rest();
        }
        order.settle();
        new.buyer_id
            .get_or_insert_with(|| trade::SANDBOX_BUYER_ID.to_owned());
    }
    trade::pay_at_once(call, new, "PREAUTH_PAY")
}

/// `alipay.trade.orderinfo.sync`: a trade of the app, by `trade_no`.
pub(crate) fn orderinfo_sync(call: &mut Call<'_>) -> Result<Node, Failure> {
    let trade_no = call.biz.required("trade_no")?;
    call.biz.required("out_request_no")?;
    call.biz.required("biz_type")?;
    let mut store = lock(&call.shared.trades);
    let trade = store.find(call.app_id, None, Some(&trade_no))?;
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .opt("buyer_user_id", trade.buyer_user_id());
    Ok(node)
}

/// Freezes an `INIT` order (the payer confirmed); returns its `auth_no`.
fn confirm(shared: &Shared, app_id: &str, auth_no: &str) -> Result<String, Failure> {
    let mut state = lock(&shared.preauth);
    let order = state
        .orders
        .iter_mut()
        .find(|o| o.app_id == app_id && o.auth_no == auth_no)
        .ok_or_else(|| Failure::business("AUTH_ORDER_NOT_EXIST", "支付宝资金授权订单不存在"))?;
    if order.status != "INIT" {
        return Err(Failure::business(
            "ORDER_STATUS_INVALID",
            "授权订单已确认或已关闭",
        ));
    }
    let Some(op) = order.operations.first_mut() else {
        return Err(Failure::unavailable());
    };
    op.status = "SUCCESS";
    op.gmt_trans = clock::now_text();
    order.frozen = op.cents;
    order.status = "AUTHORIZED";
    Ok(order.auth_no.clone())
}

impl Sandbox {
    /// What the payer's Alipay app does with the order string of
    /// `alipay.fund.auth.order.app.freeze` (as rendered by
    /// [`Render::order_string`](crate::Render::order_string)): checks it as the gateway checks
    /// a request, and the payer confirms at once: the amount is frozen. Returns the `auth_no`.
    ///
    /// Errors: [`SandboxError::InvalidSignature`] when the signature does not verify;
    /// [`SandboxError::Refused`] with the `sub_code` for any other refusal (e.g.
    /// `ORDER_ALREADY_EXIST`).
    pub fn app_freeze(&self, order_string: &str) -> Result<String, SandboxError> {
        let shared = &self.shared;
        let order = check::order_string(shared, order_string, "alipay.fund.auth.order.app.freeze")
            .map_err(SandboxError::refused)?;
        let biz = Biz(&order.biz);
        if biz
            .required("product_code")
            .map_err(SandboxError::refused)?
            != "PREAUTH_PAY"
        {
            return Err(SandboxError::refused(Failure::invalid(
                "isv.invalid-parameter",
                "产品码product_code应为PREAUTH_PAY",
            )));
        }
        let mut state = lock(&shared.preauth);
        let opened = state
            .open(&order.app_id, &biz, true)
            .map_err(SandboxError::refused)?;
        Ok(opened.auth_no.clone())
    }

    /// The payer scans the QR code of `alipay.fund.auth.order.voucher.create` (its
    /// `code_value`) and confirms: the order of `app_id` is frozen. Returns the `auth_no`.
    ///
    /// Errors: [`SandboxError::Refused`] when the code is not one of the app's waiting orders.
    pub fn confirm_freeze(&self, app_id: &str, code_value: &str) -> Result<String, SandboxError> {
        let auth_no = code_value.rsplit('/').next().unwrap_or_default();
        confirm(&self.shared, app_id, auth_no).map_err(SandboxError::refused)
    }
}
