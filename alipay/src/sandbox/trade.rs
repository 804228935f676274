//! The trade methods of the gateway (common payment, Huabei, face to face, bills) and the
//! bill download endpoint; the trades themselves are in [`store`].

use std::borrow::Cow;

use bytes::Bytes;
use http::{Method as HttpMethod, Response, StatusCode};
use http_body_util::Full;

use super::api::{Biz, Call};
use super::clock;
use super::notify::{Event, Notice};
use super::server::{TEXT_CONTENT_TYPE, get_only, respond};
use super::shared::{Shared, lock};
use super::wire::{Failure, Node, yuan};
use crate::Amount;

mod bill;
mod store;

pub(crate) use self::store::{
    BillRequest, CancelAction, NewTrade, Refund, SANDBOX_BUYER_ID, SANDBOX_BUYER_LOGON_ID, Status,
    Store, Trade, open_and_pay, open_trade,
};

/// `out_trade_no` and `trade_no`, either of which may be absent.
type TradeIds<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

fn ids<'a>(biz: &Biz<'a>) -> Result<TradeIds<'a>, Failure> {
    Ok((biz.text("out_trade_no")?, biz.text("trade_no")?))
}

/// `alipay.trade.create` (with Huabei `extend_params` when given).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Node, Failure> {
    let new = NewTrade::read(&call.biz, call.text("notify_url"), None, false)?;
    let mut store = lock(&call.shared.trades);
    let trade = store.open(call.app_id, new)?;
    let mut node = Node::success();
    node.str("out_trade_no", &trade.out_trade_no)
        .str("trade_no", &trade.trade_no);
    Ok(node)
}

/// Whether a payment code is one the sandbox buyer's app would show: 16 to 24 digits starting
/// with 25 to 30.
pub(crate) fn valid_auth_code(code: &str) -> bool {
    (16..=24).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && matches!(code.get(..2), Some("25" | "26" | "27" | "28" | "29" | "30"))
}

/// A `fund_bill_list` entry of a face to face payment, fields in Alipay's order.
#[derive(serde::Serialize)]
struct FundBill<'a> {
    fund_channel: &'static str,
    amount: &'a str,
}

/// `alipay.trade.pay`: a debit against an agreement (`agreement_params`), a payment from a
/// freeze (`auth_no`), or face to face with a bar code.
pub(crate) fn pay(call: &mut Call<'_>) -> Result<Node, Failure> {
    if call.biz.object("agreement_params")?.is_some() {
        return super::agreement::debit(call);
    }
    if call.biz.text("auth_no")?.is_some() {
        return super::preauth::pay(call);
    }
    face_to_face_pay(call)
}

/// `alipay.trade.pay` (face to face, bar code): a valid payment code pays at once.
fn face_to_face_pay(call: &mut Call<'_>) -> Result<Node, Failure> {
    let new = NewTrade::read(&call.biz, call.text("notify_url"), None, false)?;
    let auth_code = call.biz.required("auth_code")?;
    let scene = call.biz.required("scene")?;
    if scene != "bar_code" {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "支付场景scene只支持bar_code",
        ));
    }
    if !valid_auth_code(&auth_code) {
        return Err(Failure::business(
            "ACQ.PAYMENT_AUTH_CODE_INVALID",
            "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款，如再次收款失败，请联系管理员处理。[SOUNDWAVE_PARSER_FAIL]",
        ));
    }
    pay_at_once(call, new, "FACE_TO_FACE_PAYMENT")
}

/// Opens a trade that is paid at once (`alipay.trade.pay`), with `product_code` when the request
/// has none, notifies it, and answers the payment.
pub(crate) fn pay_at_once(
    call: &mut Call<'_>,
    new: NewTrade,
    product_code: &str,
) -> Result<Node, Failure> {
    let mut store = lock(&call.shared.trades);
    let trade = store.open(call.app_id, new)?;
    if trade.product_code.is_none() {
        trade.product_code = Some(product_code.to_owned());
    }
    trade
        .mark_paid()
        .map_err(|_| Failure::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"))?;
    let total = yuan(trade.total.cents());
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .opt("buyer_logon_id", trade.buyer_logon_id())
        .str("total_amount", &total)
        .str("receipt_amount", &total)
        .str("buyer_pay_amount", &total)
        .str("point_amount", "0.00")
        .str("invoice_amount", &total)
        .opt("gmt_payment", trade.gmt_payment.as_deref());
    let fund_bill = FundBill {
        fund_channel: "ALIPAYACCOUNT",
        amount: &total,
    };
    node.value("fund_bill_list", &[fund_bill])
        .opt("buyer_user_id", trade.buyer_user_id());
    call.notices.push(Notice::paid(trade.snapshot()));
    Ok(node)
}

/// `alipay.trade.precreate`: the trade waits for the buyer to scan `qr_code` (a sandbox cashier
/// page) or for [`Sandbox::pay`](super::Sandbox::pay).
pub(crate) fn precreate(call: &mut Call<'_>) -> Result<Node, Failure> {
    let new = NewTrade::read(&call.biz, call.text("notify_url"), None, false)?;
    let snapshot = {
        let mut store = lock(&call.shared.trades);
        let trade = store.open(call.app_id, new)?;
        if trade.product_code.is_none() {
            trade.product_code = Some("FACE_TO_FACE_PAYMENT".to_owned());
        }
        trade.snapshot()
    };
    let token =
        super::pages::open_cashier(call.shared, &snapshot, super::pages::Kind::QrCode, None);
    let mut node = Node::success();
    node.str("out_trade_no", &snapshot.out_trade_no)
        .str("qr_code", &super::pages::cashier_url(call.shared, &token));
    Ok(node)
}

/// `alipay.trade.query`.
pub(crate) fn query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let (out_trade_no, trade_no) = ids(&call.biz)?;
    let mut store = lock(&call.shared.trades);
    let trade = store.find(call.app_id, out_trade_no.as_deref(), trade_no.as_deref())?;
    let total = yuan(trade.total.cents());
    let paid = if trade.paid() { total.as_str() } else { "0.00" };
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .opt("buyer_logon_id", trade.buyer_logon_id())
        .str("trade_status", trade.status.as_str())
        .str("total_amount", &total)
        .str("buyer_pay_amount", paid)
        .str("point_amount", "0.00")
        .str("invoice_amount", paid)
        .opt("send_pay_date", trade.gmt_payment.as_deref())
        .str("receipt_amount", paid)
        .opt("buyer_user_id", trade.buyer_user_id())
        .str("subject", &trade.subject);
    if trade.paid() {
        let fund_bills = serde_json::json!([{ "amount": total, "fund_channel": "ALIPAYACCOUNT" }]);
        node.value("fund_bill_list", &fund_bills);
    }
    Ok(node)
}

/// Refunds `amount` of `trade` under `request_no`, once: `(true, gmt)` for a new refund (its
/// notification pushed, to `notify_url` when given, else the trade's), `(false, gmt)` when the
/// same refund was made before.
fn apply_refund(
    trade: &mut Trade,
    request_no: &str,
    amount: &Amount,
    notify_url: Option<&str>,
    notices: &mut Vec<Notice>,
) -> Result<(bool, String), Failure> {
    if let Some(previous) = trade
        .refunds
        .iter()
        .find(|r| r.out_request_no == request_no)
    {
        if previous.cents == amount.cents() {
            return Ok((false, previous.gmt_refund_pay.clone()));
        }
        return Err(Failure::business(
            "ACQ.DISCORDANT_REPEAT_REQUEST",
            "退款请求号对应的退款金额与本次请求不一致",
        ));
    }
    if trade.status != Status::Success {
        return Err(Failure::business(
            "ACQ.TRADE_STATUS_ERROR",
            "交易状态不合法",
        ));
    }
    let left = trade.total.cents().saturating_sub(trade.refunded_cents);
    if amount.cents() > left {
        return Err(Failure::business(
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            "退款金额超限",
        ));
    }
    let (gmt, gmt_millis) = clock::now_texts();
    trade.refunds.push(Refund {
        out_request_no: request_no.to_owned(),
        cents: amount.cents(),
        gmt_refund_pay: gmt.clone(),
    });
    trade.refunded_cents += amount.cents();
    if trade.refunded_cents == trade.total.cents() {
        trade.status = Status::Closed;
    }
    let mut snapshot = trade.snapshot();
    if let Some(url) = notify_url {
        snapshot.notify_url = Some(url.to_owned());
    }
    notices.push(Notice::Trade {
        trade: Box::new(snapshot),
        event: Event::Refunded {
            out_biz_no: request_no.to_owned(),
            gmt_refund: gmt_millis,
        },
    });
    Ok((true, gmt))
}

/// `alipay.trade.refund`.
pub(crate) fn refund(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let amount = biz.amount("refund_amount", "退款金额")?;
    let (out_trade_no, trade_no) = ids(&biz)?;
    let out_request_no = biz.text("out_request_no")?;
    let mut store = lock(&call.shared.trades);
    let trade = store.find(call.app_id, out_trade_no.as_deref(), trade_no.as_deref())?;
    // Without out_request_no, Alipay takes the trade's own number: one full-identity refund.
    let request_no = out_request_no
        .as_deref()
        .unwrap_or(&trade.out_trade_no)
        .to_owned();
    let (moved, gmt) = apply_refund(trade, &request_no, &amount, None, &mut call.notices)?;
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .opt("buyer_logon_id", trade.buyer_logon_id())
        .str("fund_change", if moved { "Y" } else { "N" })
        .str("refund_fee", &yuan(trade.refunded_cents))
        .str("gmt_refund_pay", &gmt)
        .opt("buyer_user_id", trade.buyer_user_id());
    Ok(node)
}

/// `alipay.trade.refund.apply`: the asynchronous refund. The sandbox refunds at once, answers
/// `REFUND_PROCESSING` (`REFUND_SUCCESS` for a repeated request) and sends the refund
/// notification to the call's `notify_url` (else the trade's).
pub(crate) fn refund_apply(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let amount = biz.amount("refund_amount", "退款金额")?;
    let (out_trade_no, trade_no) = ids(&biz)?;
    let out_request_no = biz.required("out_request_no")?;
    let notify_url = call.text("notify_url");
    let mut store = lock(&call.shared.trades);
    let trade = store.find(call.app_id, out_trade_no.as_deref(), trade_no.as_deref())?;
    let (moved, _) = apply_refund(
        trade,
        &out_request_no,
        &amount,
        notify_url,
        &mut call.notices,
    )?;
    let status = if moved {
        "REFUND_PROCESSING"
    } else {
        "REFUND_SUCCESS"
    };
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .str("out_request_no", &out_request_no)
        .str("refund_amount", &yuan(amount.cents()))
        .str("refund_status", status);
    Ok(node)
}

/// `alipay.trade.fastpay.refund.query`.
pub(crate) fn refund_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let (out_trade_no, trade_no) = ids(biz)?;
    let (shared, app_id) = (call.shared, call.app_id);
    let out_request_no = biz.required("out_request_no")?;
    let mut store = lock(&shared.trades);
    let trade = store.find(app_id, out_trade_no.as_deref(), trade_no.as_deref())?;
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .str("out_request_no", &out_request_no);
    if let Some(refund) = trade
        .refunds
        .iter()
        .find(|r| r.out_request_no == *out_request_no)
    {
        node.str("total_amount", &yuan(trade.total.cents()))
            .str("refund_amount", &yuan(refund.cents))
            .str("refund_status", "REFUND_SUCCESS")
            .str("gmt_refund_pay", &refund.gmt_refund_pay);
    }
    Ok(node)
}

/// `alipay.trade.close`.
pub(crate) fn close(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let (out_trade_no, trade_no) = ids(&biz)?;
    let (shared, app_id) = (call.shared, call.app_id);
    let mut store = lock(&shared.trades);
    let trade = store.find(app_id, out_trade_no.as_deref(), trade_no.as_deref())?;
    if trade.status != Status::WaitBuyerPay {
        return Err(Failure::business(
            "ACQ.TRADE_STATUS_ERROR",
            "交易状态不合法",
        ));
    }
    trade.status = Status::Closed;
    call.notices.push(Notice::Trade {
        trade: Box::new(trade.snapshot()),
        event: Event::Closed {
            gmt_close: clock::now_text(),
        },
    });
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no);
    Ok(node)
}

/// `alipay.trade.cancel`.
pub(crate) fn cancel(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let (out_trade_no, trade_no) = ids(&biz)?;
    let (shared, app_id) = (call.shared, call.app_id);
    let mut store = lock(&shared.trades);
    let trade = store.find(app_id, out_trade_no.as_deref(), trade_no.as_deref())?;
    let action = match (trade.cancel_action, trade.status) {
        // A repeated cancel answers as the first one did.
        (Some(action), _) => action,
        (None, Status::WaitBuyerPay) => {
            trade.status = Status::Closed;
            call.notices.push(Notice::Trade {
                trade: Box::new(trade.snapshot()),
                event: Event::Closed {
                    gmt_close: clock::now_text(),
                },
            });
            CancelAction::Close
        }
        (None, Status::Success) => {
            let (gmt, gmt_millis) = clock::now_texts();
            trade.status = Status::Closed;
            trade.refunded_cents = trade.total.cents();
            trade.cancel_refund_gmt = Some(gmt);
            call.notices.push(Notice::Trade {
                trade: Box::new(trade.snapshot()),
                event: Event::Refunded {
                    out_biz_no: trade.out_trade_no.clone(),
                    gmt_refund: gmt_millis,
                },
            });
            CancelAction::Refund
        }
        (None, Status::Closed) => {
            return Err(Failure::business(
                "ACQ.TRADE_STATUS_ERROR",
                "交易状态不合法",
            ));
        }
    };
    trade.cancel_action = Some(action);
    let mut node = Node::success();
    node.str("trade_no", &trade.trade_no)
        .str("out_trade_no", &trade.out_trade_no)
        .str("retry_flag", "N")
        .str("action", action.as_str())
        .opt("gmt_refund_pay", trade.cancel_refund_gmt.as_deref());
    Ok(node)
}

/// `alipay.data.dataservice.bill.downloadurl.query`.
pub(crate) fn bill_url(call: &mut Call<'_>) -> Result<Node, Failure> {
    let (shared, app_id, app, biz) = (call.shared, call.app_id, call.app, &call.biz);
    let bill_type = biz.required("bill_type")?;
    let bill_date = biz.required("bill_date")?;
    if !matches!(&*bill_type, "trade" | "signcustomer" | "trade_zft_merchant") {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "账单类型bill_type只能是trade、signcustomer或trade_zft_merchant",
        ));
    }
    if bill_type == "trade_zft_merchant" && biz.text("smid")?.is_none_or(|s| s.trim().is_empty()) {
        return Err(Failure::invalid(
            "isv.missing-parameter",
            "直付通二级商户账单需要smid",
        ));
    }
    if !clock::valid_bill_date(&bill_date) {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "账单时间bill_date格式不正确，应为yyyy-MM-dd或yyyy-MM",
        ));
    }
    let seq = shared.ids.bill();
    let token = format!(
        "{}{}{seq:06}",
        &app.seller_id,
        clock::compact_digits(&clock::now_text())
    );
    lock(&shared.bills).insert(
        token.clone(),
        BillRequest {
            app_id: app_id.to_owned(),
            bill_type: bill_type.into_owned(),
            bill_date: bill_date.into_owned(),
        },
    );
    let url = format!("{}/bill/{token}.zip", shared.base_url());
    let mut node = Node::success();
    node.str("bill_download_url", &url);
    Ok(node)
}

/// `GET /bill/<token>.zip`: a bill handed out by `bill.downloadurl.query`.
pub(crate) fn bill_route(
    shared: &Shared,
    method: &HttpMethod,
    token: &str,
) -> Response<Full<Bytes>> {
    if let Some(refused) = get_only(method) {
        return refused;
    }
    let Some(request) = lock(&shared.bills).get(token).cloned() else {
        return respond(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "no such bill\n");
    };
    let seller_id = shared
        .app(&request.app_id)
        .map(|app| app.seller_id.clone())
        .unwrap_or_default();
    let movements = lock(&shared.trades).bill_movements(&request);
    let zip = bill::archive(&request, &seller_id, &movements);
    respond(StatusCode::OK, "application/zip", zip)
}
