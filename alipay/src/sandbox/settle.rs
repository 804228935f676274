//! Settlement (分账): each app's bound receivers and the settlements of its trades. A trade
//! created with `extend_params.royalty_freeze=true` can be settled, once paid, to bound
//! receivers, up to what was paid minus refunds minus what was already settled.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::api::{Biz, Call};
use super::clock;
use super::shared::lock;
use super::trade::{Status, Trade};
use super::wire::{Failure, Node, yuan};

/// A bound receiver.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
struct Receiver {
    #[serde(rename = "type")]
    account_type: String,
    account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memo: Option<String>,
}

/// One payment of a settlement.
#[derive(Debug, Clone)]
struct Detail {
    trans_in_type: String,
    trans_in: String,
    cents: u64,
    detail_id: String,
}

/// A settlement of a trade.
#[derive(Debug, Clone)]
struct Settlement {
    settle_no: String,
    trade_no: String,
    out_request_no: String,
    operation_dt: String,
    details: Vec<Detail>,
}

impl Settlement {
    fn cents(&self) -> u64 {
        self.details.iter().map(|d| d.cents).sum()
    }
}

/// Every app's receivers and settlements.
#[derive(Debug, Default)]
pub(crate) struct State {
    receivers: HashMap<String, Vec<Receiver>>,
    settlements: HashMap<String, Vec<Settlement>>,
    /// (`app_id`, `trade_no`) of trades whose settlement was finished (`royalty_finish`).
    finished: HashSet<(String, String)>,
    last_seq: u64,
}

impl State {
    fn settled_cents(&self, app_id: &str, trade_no: &str) -> u64 {
        self.settlements
            .get(app_id)
            .map(|all| {
                all.iter()
                    .filter(|s| s.trade_no == trade_no)
                    .map(Settlement::cents)
                    .sum()
            })
            .unwrap_or(0)
    }

    /// What can still be settled of a trade.
    fn unsettled_cents(&self, app_id: &str, trade: &Trade) -> u64 {
        let settleable = trade.royalty_freeze
            && trade.status == Status::Success
            && !self
                .finished
                .contains(&(app_id.to_owned(), trade.trade_no.clone()));
        if !settleable {
            return 0;
        }
        trade
            .total
            .cents()
            .saturating_sub(trade.refunded_cents)
            .saturating_sub(self.settled_cents(app_id, &trade.trade_no))
    }

    fn new_id(&mut self) -> String {
        self.last_seq += 1;
        let date: String = clock::today_digits().chars().take(8).collect();
        format!("{date}{:012}", self.last_seq % 1_000_000_000_000)
    }
}

/// The objects of an array field, e.g. `receiver_list`.
fn objects<'a>(biz: &Biz<'a>, key: &str) -> Result<Vec<Biz<'a>>, Failure> {
    match biz.0.get(key) {
        None | Some(Value::Null) => Err(Failure::missing_field(key)),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Value::Object(map) => Ok(Biz(map)),
                _ => Err(Failure::invalid(
                    "isv.invalid-parameter",
                    format!("参数{key}的元素必须是对象"),
                )),
            })
            .collect(),
        Some(_) => Err(Failure::invalid(
            "isv.invalid-parameter",
            format!("参数{key}必须是非空数组"),
        )),
    }
}

/// The receivers of `receiver_list`: `type` `userId` or `loginName` (with `name`).
fn receivers(biz: &Biz<'_>) -> Result<Vec<Receiver>, Failure> {
    objects(biz, "receiver_list")?
        .iter()
        .map(|item| {
            let account_type = item.required("type")?;
            let name = item.text("name")?.map(Cow::into_owned);
            match &*account_type {
                "userId" => {}
                "loginName" if name.is_some() => {}
                "loginName" => return Err(Failure::missing_field("receiver_list.name")),
                _ => {
                    return Err(Failure::invalid(
                        "isv.invalid-parameter",
                        "receiver_list.type只支持userId或loginName",
                    ));
                }
            }
            Ok(Receiver {
                account_type: account_type.into_owned(),
                account: item.required("account")?.into_owned(),
                name,
                memo: item.text("memo")?.map(Cow::into_owned),
            })
        })
        .collect()
}

fn relation_result() -> Node {
    let mut node = Node::success();
    node.str("result_code", "SUCCESS");
    node
}

/// `alipay.trade.royalty.relation.bind`.
pub(crate) fn bind(call: &mut Call<'_>) -> Result<Node, Failure> {
    call.biz.required("out_request_no")?;
    let new = receivers(&call.biz)?;
    let mut state = lock(&call.shared.settlements);
    let bound = state.receivers.entry(call.app_id.to_owned()).or_default();
    for receiver in new {
        bound.retain(|r| {
            !(r.account_type == receiver.account_type && r.account == receiver.account)
        });
        bound.push(receiver);
    }
    Ok(relation_result())
}

/// `alipay.trade.royalty.relation.unbind`: receivers that are not bound are ignored.
pub(crate) fn unbind(call: &mut Call<'_>) -> Result<Node, Failure> {
    call.biz.required("out_request_no")?;
    let gone = receivers(&call.biz)?;
    let mut state = lock(&call.shared.settlements);
    if let Some(bound) = state.receivers.get_mut(call.app_id) {
        bound.retain(|r| {
            !gone
                .iter()
                .any(|g| g.account_type == r.account_type && g.account == r.account)
        });
    }
    Ok(relation_result())
}

/// A page number or size: a positive integer, as a number or text.
fn page_param(biz: &Biz<'_>, key: &str, default: u64, max: u64) -> Result<u64, Failure> {
    match biz.text(key)? {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Failure::invalid(
                    "isv.invalid-parameter",
                    format!("参数{key}必须是1到{max}之间的整数"),
                )
            }),
    }
}

/// `alipay.trade.royalty.relation.batchquery`.
pub(crate) fn batchquery(call: &mut Call<'_>) -> Result<Node, Failure> {
    call.biz.required("out_request_no")?;
    let page_num = page_param(&call.biz, "page_num", 1, u64::from(u32::MAX))?;
    let page_size = page_param(&call.biz, "page_size", 20, 100)?;
    let state = lock(&call.shared.settlements);
    let bound = state
        .receivers
        .get(call.app_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let total = bound.len() as u64;
    let start = usize::try_from((page_num - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let page: Vec<&Receiver> = bound
        .iter()
        .skip(start)
        .take(usize::try_from(page_size).unwrap_or(100))
        .collect();
    let mut node = Node::success();
    node.str("result_code", "SUCCESS")
        .value("receiver_list", &page)
        .num("total_page_num", total.div_ceil(page_size))
        .num("total_record_num", total)
        .num("current_page_num", page_num)
        .num("current_page_size", page.len() as u64);
    Ok(node)
}

/// `alipay.trade.order.settle`.
pub(crate) fn settle(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let out_request_no = biz.required("out_request_no")?;
    let trade_no = biz.required("trade_no")?;
    let mut details = Vec::new();
    for item in objects(&biz, "royalty_parameters")? {
        if item.text("royalty_type")?.is_some_and(|t| t != "transfer") {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                "沙箱只支持royalty_type=transfer",
            ));
        }
        let trans_in_type = item
            .text("trans_in_type")?
            .map_or_else(|| "userId".to_owned(), Cow::into_owned);
        let trans_in = item.required("trans_in")?.into_owned();
        let amount = item.amount("amount", "分账金额")?;
        details.push((trans_in_type, trans_in, amount.cents()));
    }
    let finish = biz
        .object("extend_params")?
        .map(|e| e.text("royalty_finish"))
        .transpose()?
        .flatten()
        .is_some_and(|f| f == "true");
    let app_id = call.app_id;
    // Trades before settlements, always: the lock order.
    let mut trades = lock(&call.shared.trades);
    let trade = trades.find(app_id, None, Some(&trade_no))?;
    let mut state = lock(&call.shared.settlements);
    let requested: u64 = details.iter().map(|d| d.2).sum();
    if let Some(previous) = state.settlements.get(app_id).and_then(|all| {
        all.iter()
            .find(|s| s.trade_no == *trade_no && s.out_request_no == *out_request_no)
    }) {
        if previous.cents() != requested {
            return Err(Failure::business(
                "ACQ.DISCORDANT_REPEAT_REQUEST",
                "分账请求号已使用，且本次分账金额与原请求不一致",
            ));
        }
        return Ok(settle_node(&trade.trade_no, &previous.settle_no));
    }
    if trade.status != Status::Success {
        return Err(Failure::business(
            "ACQ.TRADE_STATUS_ERROR",
            "交易状态不合法",
        ));
    }
    if !trade.royalty_freeze {
        return Err(Failure::business(
            "ACQ.TRADE_SETTLE_ERROR",
            "交易创建时未指定extend_params.royalty_freeze=true，不能分账",
        ));
    }
    if state
        .finished
        .contains(&(app_id.to_owned(), trade.trade_no.clone()))
    {
        return Err(Failure::business(
            "ACQ.TRADE_SETTLE_ERROR",
            "交易的分账已完结",
        ));
    }
    let bound = state
        .receivers
        .get(app_id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (trans_in_type, trans_in, _) in &details {
        if !bound
            .iter()
            .any(|r| r.account_type == *trans_in_type && r.account == *trans_in)
        {
            return Err(Failure::business(
                "ACQ.ROYALTY_RECEIVER_NOT_BIND",
                format!("分账收入方{trans_in}未绑定分账关系"),
            ));
        }
    }
    let left = state.unsettled_cents(app_id, trade);
    if requested > left {
        return Err(Failure::business(
            "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR",
            format!("分账金额超过可分账金额{}元", yuan(left)),
        ));
    }
    let settle_no = state.new_id();
    let mut settled = Vec::with_capacity(details.len());
    for (trans_in_type, trans_in, cents) in details {
        let detail_id = state.new_id();
        settled.push(Detail {
            trans_in_type,
            trans_in,
            cents,
            detail_id,
        });
    }
    let settlement = Settlement {
        settle_no: settle_no.clone(),
        trade_no: trade.trade_no.clone(),
        out_request_no: out_request_no.into_owned(),
        operation_dt: clock::now_text(),
        details: settled,
    };
    state
        .settlements
        .entry(app_id.to_owned())
        .or_default()
        .push(settlement);
    if finish {
        state
            .finished
            .insert((app_id.to_owned(), trade.trade_no.clone()));
    }
    Ok(settle_node(&trade.trade_no, &settle_no))
}

fn settle_node(trade_no: &str, settle_no: &str) -> Node {
    let mut node = Node::success();
    node.str("trade_no", trade_no).str("settle_no", settle_no);
    node
}

/// `alipay.trade.order.settle.query`: by `settle_no`, or `out_request_no` and `trade_no`.
pub(crate) fn settle_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = call.biz;
    let settle_no = biz.text("settle_no")?;
    let out_request_no = biz.text("out_request_no")?;
    let trade_no = biz.text("trade_no")?;
    if settle_no.is_none() && (out_request_no.is_none() || trade_no.is_none()) {
        return Err(Failure::missing_field("settle_no"));
    }
    let state = lock(&call.shared.settlements);
    let seller_id = &call.app.seller_id;
    let found = state.settlements.get(call.app_id).and_then(|all| {
        all.iter().find(|s| match &settle_no {
            Some(no) => s.settle_no == **no,
            None => {
                Some(s.out_request_no.as_str()) == out_request_no.as_deref()
                    && Some(s.trade_no.as_str()) == trade_no.as_deref()
            }
        })
    });
    let Some(settlement) = found else {
        return Err(Failure::business("ACQ.SETTLE_NOT_EXIST", "分账单据不存在"));
    };
    let details: Vec<Value> = settlement
        .details
        .iter()
        .map(|d| {
            serde_json::json!({
                "operation_type": "transfer",
                "execute_dt": settlement.operation_dt,
                "trans_out": seller_id,
                "trans_out_type": "userId",
                "trans_in": d.trans_in,
                "trans_in_type": d.trans_in_type,
                "amount": yuan(d.cents),
                "state": "SUCCESS",
                "detail_id": d.detail_id,
            })
        })
        .collect();
    let mut node = Node::success();
    node.str("out_request_no", &settlement.out_request_no)
        .str("operation_dt", &settlement.operation_dt)
        .value("royalty_detail_list", &details);
    Ok(node)
}

/// `alipay.trade.order.onsettle.query`.
pub(crate) fn onsettle_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let trade_no = call.biz.required("trade_no")?;
    let mut trades = lock(&call.shared.trades);
    let trade = trades.find(call.app_id, None, Some(&trade_no))?;
    let left = lock(&call.shared.settlements).unsettled_cents(call.app_id, trade);
    let mut node = Node::success();
    node.str("unsettled_amount", &yuan(left));
    Ok(node)
}

/// `alipay.trade.royalty.rate.query`: the sandbox lets a merchant settle all of a trade.
pub(crate) fn rate_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    call.biz.required("out_request_no")?;
    let mut node = Node::success();
    node.str("user_id", &call.app.seller_id)
        .num("max_ratio", 100);
    Ok(node)
}
