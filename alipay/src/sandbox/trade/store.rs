//! The sandbox's trades in memory: their statuses and refunds, the store that opens, pays,
//! refunds and closes them, the bills written from them, and what a creation request says
//! about a new trade.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::Amount;
use crate::sandbox::api::Biz;
use crate::sandbox::shared::{Shared, lock};
use crate::sandbox::wire::Failure;
use crate::sandbox::{RefundSnapshot, SandboxError, TradeSnapshot, clock};

/// The buyer who pays every sandbox trade unless the trade names one (`buyer_id`).
pub(crate) const SANDBOX_BUYER_ID: &str = "2088102177846880";
/// The sandbox buyer's login, masked as Alipay shows it to merchants.
pub(crate) const SANDBOX_BUYER_LOGON_ID: &str = "tes***@sandbox.com";

/// A trade's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Status {
    WaitBuyerPay,
    Success,
    Closed,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::WaitBuyerPay => "WAIT_BUYER_PAY",
            Self::Success => "TRADE_SUCCESS",
            Self::Closed => "TRADE_CLOSED",
        }
    }
}

/// What `alipay.trade.cancel` did to a trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CancelAction {
    /// The unpaid trade was closed.
    Close,
    /// The paid trade was refunded in full.
    Refund,
}

impl CancelAction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Close => "close",
            Self::Refund => "refund",
        }
    }
}

/// A refund of a trade.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Refund {
    pub(crate) out_request_no: String,
    pub(crate) cents: u64,
    pub(crate) gmt_refund_pay: String,
}

/// A trade, as held in memory and saved in the state file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Trade {
    pub(crate) app_id: String,
    pub(crate) out_trade_no: String,
    pub(crate) trade_no: String,
    pub(crate) status: Status,
    pub(crate) total: Amount,
    pub(crate) subject: String,
    pub(crate) notify_url: Option<String>,
    pub(crate) buyer_id: Option<String>,
    pub(crate) gmt_create: String,
    pub(crate) gmt_payment: Option<String>,
    pub(crate) refunds: Vec<Refund>,
    pub(crate) refunded_cents: u64,
    /// What `alipay.trade.cancel` did, so a repeated cancel answers the same.
    pub(crate) cancel_action: Option<CancelAction>,
    pub(crate) cancel_refund_gmt: Option<String>,
    pub(crate) product_code: Option<String>,
    pub(crate) return_url: Option<String>,
    pub(crate) huabei: Option<Huabei>,
    /// `extend_params.royalty_freeze=true`: the paid money can be settled (分账).
    #[serde(default)]
    pub(crate) royalty_freeze: bool,
}

/// Huabei instalments of a trade (`extend_params`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Huabei {
    pub(crate) num: String,
    pub(crate) seller_percent: Option<String>,
}

impl Trade {
    pub(crate) fn paid(&self) -> bool {
        self.gmt_payment.is_some()
    }

    pub(crate) fn buyer_user_id(&self) -> Option<&str> {
        match &self.buyer_id {
            Some(id) => Some(id),
            None if self.paid() => Some(SANDBOX_BUYER_ID),
            None => None,
        }
    }

    pub(crate) fn buyer_logon_id(&self) -> Option<&str> {
        self.paid().then_some(SANDBOX_BUYER_LOGON_ID)
    }

    /// The buyer pays: `WAIT_BUYER_PAY` → `TRADE_SUCCESS`.
    pub(crate) fn mark_paid(&mut self) -> Result<(), SandboxError> {
        if self.status != Status::WaitBuyerPay {
            return Err(SandboxError::WrongState {
                out_trade_no: self.out_trade_no.clone(),
                status: self.status.as_str().to_owned(),
                expected: Status::WaitBuyerPay.as_str(),
            });
        }
        self.status = Status::Success;
        self.gmt_payment = Some(clock::now_text());
        Ok(())
    }

    pub(crate) fn snapshot(&self) -> TradeSnapshot {
        TradeSnapshot {
            app_id: self.app_id.clone(),
            out_trade_no: self.out_trade_no.clone(),
            trade_no: self.trade_no.clone(),
            status: self.status.as_str().to_owned(),
            total_amount: self.total.clone(),
            refunded_cents: self.refunded_cents,
            notify_url: self.notify_url.clone(),
            subject: self.subject.clone(),
            buyer_id: self.buyer_user_id().map(str::to_owned),
            buyer_logon_id: self.buyer_logon_id().map(str::to_owned),
            gmt_create: self.gmt_create.clone(),
            gmt_payment: self.gmt_payment.clone(),
            product_code: self.product_code.clone(),
            return_url: self.return_url.clone(),
            hb_fq_num: self.huabei.as_ref().map(|h| h.num.clone()),
            hb_fq_seller_percent: self.huabei.as_ref().and_then(|h| h.seller_percent.clone()),
            royalty_freeze: self.royalty_freeze,
            refunds: self
                .refunds
                .iter()
                .filter_map(|r| {
                    Some(RefundSnapshot {
                        out_request_no: r.out_request_no.clone(),
                        refund_amount: Amount::from_cents(r.cents).ok()?,
                        gmt_refund_pay: r.gmt_refund_pay.clone(),
                    })
                })
                .collect(),
        }
    }
}

/// One app's trades, by `out_trade_no`, with `trade_no` indexed.
#[derive(Debug, Default)]
struct AppTrades {
    by_out: HashMap<String, Trade>,
    by_no: HashMap<String, String>,
}

/// Every trade of the sandbox.
#[derive(Debug, Default)]
pub(crate) struct Store {
    apps: HashMap<String, AppTrades>,
    /// The sequence number of the last trade number handed out (trade numbers are unique in
    /// the sandbox).
    last_seq: u64,
}

/// A bill whose download URL was handed out.
#[derive(Debug, Clone)]
pub(crate) struct BillRequest {
    pub(crate) app_id: String,
    pub(crate) bill_type: String,
    pub(crate) bill_date: String,
}

impl Store {
    /// A store holding `trades` (as read from a state file).
    pub(crate) fn from_trades(trades: Vec<Trade>) -> Self {
        let mut store = Self::default();
        for trade in trades {
            // Trade numbers handed out from now on must not collide with the loaded ones.
            if let Some(seq) = trade
                .trade_no
                .get(trade.trade_no.len().saturating_sub(15)..)
                .and_then(|digits| digits.parse::<u64>().ok())
            {
                store.last_seq = store.last_seq.max(seq);
            }
            let app = store.apps.entry(trade.app_id.clone()).or_default();
            app.by_no
                .insert(trade.trade_no.clone(), trade.out_trade_no.clone());
            app.by_out.insert(trade.out_trade_no.clone(), trade);
        }
        store
    }

    /// Every trade, in a stable order (app, creation time, order number), to be saved.
    pub(crate) fn trades(&self) -> Vec<&Trade> {
        let mut trades: Vec<&Trade> = self.apps.values().flat_map(|a| a.by_out.values()).collect();
        trades.sort_by(|a, b| {
            (&a.app_id, &a.gmt_create, &a.out_trade_no).cmp(&(
                &b.app_id,
                &b.gmt_create,
                &b.out_trade_no,
            ))
        });
        trades
    }

    /// A snapshot of one trade.
    pub(crate) fn snapshot(&self, app_id: &str, out_trade_no: &str) -> Option<TradeSnapshot> {
        self.apps
            .get(app_id)?
            .by_out
            .get(out_trade_no)
            .map(Trade::snapshot)
    }

    /// The buyer pays: `WAIT_BUYER_PAY` → `TRADE_SUCCESS`.
    pub(crate) fn pay(
        &mut self,
        app_id: &str,
        out_trade_no: &str,
    ) -> Result<TradeSnapshot, SandboxError> {
        let unknown = || SandboxError::UnknownTrade {
            app_id: app_id.to_owned(),
            out_trade_no: out_trade_no.to_owned(),
        };
        let trade = self
            .apps
            .get_mut(app_id)
            .and_then(|a| a.by_out.get_mut(out_trade_no))
            .ok_or_else(unknown)?;
        trade.mark_paid()?;
        Ok(trade.snapshot())
    }

    /// The trade `new` describes: a new one `WAIT_BUYER_PAY`, or the same order again while it
    /// is unpaid and of the same amount (Alipay's idempotent creation).
    pub(crate) fn open(&mut self, app_id: &str, new: NewTrade) -> Result<&mut Trade, Failure> {
        if new.out_trade_no.len() > 64 {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                "商户订单号out_trade_no长度不能超过64",
            ));
        }
        let app = self.apps.entry(app_id.to_owned()).or_default();
        if let Some(existing) = app.by_out.get(&new.out_trade_no) {
            match existing.status {
                Status::WaitBuyerPay if existing.total.cents() == new.total.cents() => {}
                Status::WaitBuyerPay => {
                    return Err(Failure::business(
                        "ACQ.CONTEXT_INCONSISTENT",
                        "交易信息被篡改",
                    ));
                }
                Status::Success => {
                    return Err(Failure::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"));
                }
                Status::Closed => {
                    return Err(Failure::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"));
                }
            }
        } else {
            let now = clock::now_text();
            self.last_seq += 1;
            let seq = self.last_seq;
            let date: String = clock::compact_digits(&now).chars().take(8).collect();
            let trade_no = format!("{date}22001{:015}", seq % 1_000_000_000_000_000);
            let trade = Trade {
                app_id: app_id.to_owned(),
                out_trade_no: new.out_trade_no.clone(),
                trade_no: trade_no.clone(),
                status: Status::WaitBuyerPay,
                total: new.total,
                subject: new.subject,
                notify_url: new.notify_url,
                buyer_id: new.buyer_id,
                gmt_create: now,
                gmt_payment: None,
                refunds: Vec::new(),
                refunded_cents: 0,
                cancel_action: None,
                cancel_refund_gmt: None,
                product_code: new.product_code,
                return_url: new.return_url,
                huabei: new.huabei,
                royalty_freeze: new.royalty_freeze,
            };
            app.by_no.insert(trade_no, new.out_trade_no.clone());
            app.by_out.insert(new.out_trade_no.clone(), trade);
        }
        app.by_out
            .get_mut(&new.out_trade_no)
            .ok_or_else(|| Failure::business("ACQ.TRADE_NOT_EXIST", "交易不存在"))
    }

    /// Finds a trade of `app_id` by `trade_no` (preferred, as Alipay does) or `out_trade_no`.
    pub(crate) fn find(
        &mut self,
        app_id: &str,
        out_trade_no: Option<&str>,
        trade_no: Option<&str>,
    ) -> Result<&mut Trade, Failure> {
        let not_exist = || Failure::business("ACQ.TRADE_NOT_EXIST", "交易不存在");
        let app = self.apps.get_mut(app_id).ok_or_else(not_exist)?;
        let out = match (trade_no, out_trade_no) {
            (Some(no), out) => {
                let found = app.by_no.get(no).ok_or_else(not_exist)?;
                if out.is_some_and(|out| out != found) {
                    return Err(not_exist());
                }
                found.clone()
            }
            (None, Some(out)) => out.to_owned(),
            (None, None) => {
                return Err(Failure::business(
                    "ACQ.INVALID_PARAMETER",
                    "参数无效: out_trade_no和trade_no不能同时为空",
                ));
            }
        };
        app.by_out.get_mut(&out).ok_or_else(not_exist)
    }

    /// The payments and refunds of a bill's app whose time falls in the bill's day or month,
    /// in time order.
    pub(crate) fn bill_movements(&self, bill: &BillRequest) -> Vec<Movement> {
        let mut rows = Vec::new();
        let Some(app) = self.apps.get(&bill.app_id) else {
            return rows;
        };
        for trade in app.by_out.values() {
            let movement =
                |kind, created: &str, done: &str, cents: i64, request_no: &str| Movement {
                    trade_no: trade.trade_no.clone(),
                    out_trade_no: trade.out_trade_no.clone(),
                    subject: trade.subject.clone(),
                    kind,
                    created: created.to_owned(),
                    done: done.to_owned(),
                    cents,
                    request_no: request_no.to_owned(),
                };
            if let Some(paid_at) = &trade.gmt_payment
                && paid_at.starts_with(&bill.bill_date)
            {
                let cents = i64::try_from(trade.total.cents()).unwrap_or(i64::MAX);
                rows.push(movement("交易", &trade.gmt_create, paid_at, cents, ""));
            }
            let refunded: u64 = trade.refunds.iter().map(|r| r.cents).sum();
            let cancel_refund = trade
                .cancel_refund_gmt
                .as_ref()
                .map(|gmt| (gmt, trade.total.cents().saturating_sub(refunded), ""));
            let refunds = trade
                .refunds
                .iter()
                .map(|r| (&r.gmt_refund_pay, r.cents, r.out_request_no.as_str()))
                .chain(cancel_refund);
            for (gmt, cents, request_no) in refunds {
                if gmt.starts_with(&bill.bill_date) {
                    let cents = -i64::try_from(cents).unwrap_or(i64::MAX);
                    rows.push(movement("退款", gmt, gmt, cents, request_no));
                }
            }
        }
        rows.sort_by(|a, b| (&a.done, &a.trade_no, a.cents).cmp(&(&b.done, &b.trade_no, b.cents)));
        rows
    }
}

/// A payment or refund, as a bill shows it.
#[derive(Debug, Clone)]
pub(crate) struct Movement {
    pub(crate) trade_no: String,
    pub(crate) out_trade_no: String,
    pub(crate) subject: String,
    /// `交易` or `退款`.
    pub(crate) kind: &'static str,
    pub(crate) created: String,
    pub(crate) done: String,
    /// Negative for a refund.
    pub(crate) cents: i64,
    pub(crate) request_no: String,
}

/// What a creation request says about a new trade.
#[derive(Debug)]
pub(crate) struct NewTrade {
    pub(crate) out_trade_no: String,
    pub(crate) subject: String,
    pub(crate) total: Amount,
    pub(crate) buyer_id: Option<String>,
    pub(crate) notify_url: Option<String>,
    pub(crate) return_url: Option<String>,
    pub(crate) product_code: Option<String>,
    pub(crate) huabei: Option<Huabei>,
    pub(crate) royalty_freeze: bool,
}

impl NewTrade {
    /// Reads `subject`, `out_trade_no`, `total_amount`, `buyer_id`, `product_code` (which must be
    /// `expected_product` when one is given and the field is present or `product_required`) and
    /// `extend_params` (Huabei, `royalty_freeze`).
    pub(crate) fn read(
        biz: &Biz<'_>,
        notify_url: Option<&str>,
        expected_product: Option<&str>,
        product_required: bool,
    ) -> Result<Self, Failure> {
        let out_trade_no = biz.required("out_trade_no")?.into_owned();
        let subject = biz.required("subject")?.into_owned();
        let total = biz.amount("total_amount", "订单总金额")?;
        let buyer_id = biz.text("buyer_id")?.map(Cow::into_owned);
        let product_code = biz.text("product_code")?.map(Cow::into_owned);
        if let Some(expected) = expected_product {
            match &product_code {
                None if product_required => return Err(Failure::missing_field("product_code")),
                Some(code) if code != expected => {
                    return Err(Failure::invalid(
                        "isv.invalid-parameter",
                        format!("产品码product_code不正确，应为{expected}"),
                    ));
                }
                _ => {}
            }
        }
        Ok(Self {
            out_trade_no,
            subject,
            total,
            buyer_id,
            notify_url: notify_url.map(str::to_owned),
            return_url: None,
            product_code,
            huabei: huabei(biz)?,
            royalty_freeze: royalty_freeze(biz)?,
        })
    }

    /// The page's `return_url` (page and WAP pay).
    pub(crate) fn with_return_url(mut self, return_url: Option<&str>) -> Self {
        self.return_url = return_url.map(str::to_owned);
        self
    }
}

/// The Huabei instalments of `extend_params`: `hb_fq_num` 3, 6 or 12 and `hb_fq_seller_percent`
/// 0 or 100. Other keys of `extend_params` are accepted and ignored.
fn huabei(biz: &Biz<'_>) -> Result<Option<Huabei>, Failure> {
    let Some(extend) = biz.object("extend_params")? else {
        return Ok(None);
    };
    let invalid =
        |msg: &str| Failure::business("ACQ.INVALID_PARAMETER", format!("参数无效: {msg}"));
    let num = extend.text("hb_fq_num")?;
    let percent = extend.text("hb_fq_seller_percent")?;
    if let Some(num) = &num
        && !matches!(&**num, "3" | "6" | "12")
    {
        return Err(invalid("花呗分期数hb_fq_num只能是3、6或12"));
    }
    if let Some(percent) = &percent
        && !matches!(&**percent, "0" | "100")
    {
        return Err(invalid(
            "卖家承担手续费比例hb_fq_seller_percent只能是0或100",
        ));
    }
    match (num, percent) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(invalid("指定hb_fq_seller_percent时必须指定hb_fq_num")),
        (Some(num), percent) => Ok(Some(Huabei {
            num: num.into_owned(),
            seller_percent: percent.map(Cow::into_owned),
        })),
    }
}

/// `extend_params.royalty_freeze`: `"true"` keeps the paid money for settlement; `"false"` or
/// absent does not; anything else is `ACQ.INVALID_PARAMETER`.
fn royalty_freeze(biz: &Biz<'_>) -> Result<bool, Failure> {
    let Some(extend) = biz.object("extend_params")? else {
        return Ok(false);
    };
    match extend.text("royalty_freeze")?.as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Failure::business(
            "ACQ.INVALID_PARAMETER",
            "参数无效: royalty_freeze只能是true或false",
        )),
    }
}

/// Opens the trade of a page, WAP or app pay request (or finds it again while unpaid).
pub(crate) fn open_trade(
    shared: &Shared,
    app_id: &str,
    new: NewTrade,
) -> Result<TradeSnapshot, Failure> {
    lock(&shared.trades).open(app_id, new).map(|t| t.snapshot())
}

/// Opens the trade of an app pay order string and pays it at once.
pub(crate) fn open_and_pay(
    shared: &Shared,
    app_id: &str,
    new: NewTrade,
) -> Result<TradeSnapshot, Failure> {
    let mut store = lock(&shared.trades);
    let trade = store.open(app_id, new)?;
    trade
        .mark_paid()
        .map_err(|_| Failure::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"))?;
    Ok(trade.snapshot())
}
