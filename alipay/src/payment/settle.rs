//! Settlement (分账): splitting a paid trade's money with receivers bound to the merchant.
//!
//! Bind the receivers first ([`TradeRoyaltyRelationBind`]), create the trade with
//! [`ExtendParams::royalty_freeze`](super::common::ExtendParams::royalty_freeze) so its money
//! stays available for settlement, then settle ([`TradeOrderSettle`]) up to what is left of
//! it: what was paid, minus refunds, minus what was already settled
//! ([`TradeOrderOnsettleQuery`] tells).
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::common::{ExtendParams, TradeCreate};
//! use alipay::payment::settle::{
//!     RoyaltyParameter, RoyaltyReceiver, TradeOrderSettle, TradeRoyaltyRelationBind,
//! };
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! client
//!     .send(
//!         TradeRoyaltyRelationBind::builder()
//!             .receiver_list(vec![RoyaltyReceiver::user_id("2088000000000002")])
//!             .out_request_no("B1")
//!             .build(),
//!     )
//!     .await?;
//! let created = client
//!     .send(
//!         TradeCreate::builder()
//!             .out_trade_no("T1")
//!             .total_amount(Amount::new("100.00")?)
//!             .subject("Marketplace order")
//!             .buyer_id("2088000000000001")
//!             .extend_params(ExtendParams::royalty_freeze())
//!             .build(),
//!     )
//!     .await?;
//! // … once the buyer has paid:
//! let settled = client
//!     .send(
//!         TradeOrderSettle::builder()
//!             .out_request_no("S1")
//!             .trade_no(created.trade_no)
//!             .royalty_parameters(vec![RoyaltyParameter::to_user_id(
//!                 "2088000000000002",
//!                 Amount::new("30.00")?,
//!             )])
//!             .build(),
//!     )
//!     .await?;
//! println!("settle_no {}", settled.settle_no);
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::time::Timestamp;

crate::code_enum! {
    /// How a settlement receiver or payer is named (`type`, `trans_in_type`, `trans_out_type`).
    pub enum AccountType {
        /// `userId`: the Alipay user id (`2088…`).
        UserId = "userId",
        /// `loginName`: the Alipay login.
        LoginName = "loginName",
        /// `openId`: the user's open id for this app.
        OpenId = "openId",
    }
}

crate::code_enum! {
    /// What a settlement does (`royalty_type`).
    pub enum RoyaltyType {
        /// `transfer`: pays a receiver (the default).
        Transfer = "transfer",
        /// `replenish`: a subsidy paid to the trade's seller.
        Replenish = "replenish",
    }
}

crate::code_enum! {
    /// The state of one settlement detail (`state`).
    pub enum SettleState {
        /// `PROCESSING`: being paid.
        Processing = "PROCESSING",
        /// `SUCCESS`: paid to the receiver.
        Success = "SUCCESS",
        /// `FAIL`: not paid; `error_code` and `error_desc` say why.
        Fail = "FAIL",
    }
}

/// A settlement receiver (分账接收方), bound with [`TradeRoyaltyRelationBind`], unbound with
/// [`TradeRoyaltyRelationUnbind`], and listed by [`TradeRoyaltyRelationBatchquery`].
///
/// ```
/// use alipay::payment::settle::RoyaltyReceiver;
///
/// let receiver = RoyaltyReceiver::login_name("shop@example.com", "Wang Wu").memo("supplier");
/// assert_eq!(receiver.account, "shop@example.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoyaltyReceiver {
    /// How `account` names the receiver.
    #[serde(rename = "type")]
    pub account_type: AccountType,
    /// The receiver's user id, login or open id.
    pub account: String,
    /// The receiver's real name (required for a login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the receiver is to the merchant, e.g. `supplier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

impl RoyaltyReceiver {
    /// A receiver by Alipay user id (`userId`).
    pub fn user_id(user_id: impl Into<String>) -> Self {
        Self {
            account_type: AccountType::UserId,
            account: user_id.into(),
            name: None,
            memo: None,
        }
    }

    /// A receiver by login (`loginName`), with the holder's real name.
    pub fn login_name(login: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            account_type: AccountType::LoginName,
            account: login.into(),
            name: Some(name.into()),
            memo: None,
        }
    }

    /// The same receiver with a memo.
    pub fn memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = Some(memo.into());
        self
    }
}

/// `alipay.trade.royalty.relation.bind`: binds settlement receivers to the merchant; only a
/// bound receiver can be settled to.
///
/// <https://opendocs.alipay.com/open/02c7hq>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::settle::{RoyaltyReceiver, TradeRoyaltyRelationBind};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let bound = client
///     .send(
///         TradeRoyaltyRelationBind::builder()
///             .receiver_list(vec![RoyaltyReceiver::user_id("2088000000000002")])
///             .out_request_no("B1")
///             .build(),
///     )
///     .await?;
/// assert_eq!(bound.result_code, "SUCCESS");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.royalty.relation.bind")]
#[alipay(
    method = "alipay.trade.royalty.relation.bind", v3 = "POST /v3/alipay/trade/royalty/relation/bind",
    response = RoyaltyRelationResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeRoyaltyRelationBind {
    /// The receivers to bind (at most 20 per call).
    pub receiver_list: Vec<RoyaltyReceiver>,
    /// The request number, unique per call.
    pub out_request_no: String,
}

/// `alipay.trade.royalty.relation.unbind`: unbinds settlement receivers; they can no longer
/// be settled to.
///
/// <https://opendocs.alipay.com/open/02c7hr>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::settle::{RoyaltyReceiver, TradeRoyaltyRelationUnbind};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// client
///     .send(
///         TradeRoyaltyRelationUnbind::builder()
///             .receiver_list(vec![RoyaltyReceiver::user_id("2088000000000002")])
///             .out_request_no("U1")
///             .build(),
///     )
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.royalty.relation.unbind")]
#[alipay(
    method = "alipay.trade.royalty.relation.unbind", v3 = "POST /v3/alipay/trade/royalty/relation/unbind",
    response = RoyaltyRelationResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeRoyaltyRelationUnbind {
    /// The receivers to unbind.
    pub receiver_list: Vec<RoyaltyReceiver>,
    /// The request number, unique per call.
    pub out_request_no: String,
}

/// The answer to [`TradeRoyaltyRelationBind`] and [`TradeRoyaltyRelationUnbind`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RoyaltyRelationResponse {
    /// `SUCCESS` when every receiver was bound (unbound).
    pub result_code: String,
}

/// `alipay.trade.royalty.relation.batchquery`: the bound settlement receivers, a page at a
/// time.
///
/// <https://opendocs.alipay.com/open/02c7hs>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::settle::TradeRoyaltyRelationBatchquery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let page = client
///     .send(
///         TradeRoyaltyRelationBatchquery::builder()
///             .out_request_no("Q1")
///             .page_num(1u32)
///             .page_size(20u32)
///             .build(),
///     )
///     .await?;
/// for receiver in page.receiver_list {
///     println!("{} {}", receiver.account_type, receiver.account);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.royalty.relation.batchquery")]
#[alipay(
    method = "alipay.trade.royalty.relation.batchquery", v3 = "POST /v3/alipay/trade/royalty/relation/batchquery",
    response = TradeRoyaltyRelationBatchqueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeRoyaltyRelationBatchquery {
    /// The page, from 1 (1 by default).
    pub page_num: Option<u32>,
    /// The page size (at most 100; 20 by default).
    pub page_size: Option<u32>,
    /// The request number.
    pub out_request_no: String,
}

/// The answer to [`TradeRoyaltyRelationBatchquery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeRoyaltyRelationBatchqueryResponse {
    /// `SUCCESS`.
    pub result_code: Option<String>,
    /// The receivers of this page.
    #[serde(default)]
    pub receiver_list: Vec<RoyaltyReceiver>,
    /// The number of pages.
    pub total_page_num: Option<u32>,
    /// The number of receivers bound.
    pub total_record_num: Option<u32>,
    /// This page's number.
    pub current_page_num: Option<u32>,
    /// This page's size.
    pub current_page_size: Option<u32>,
}

/// One payment of a settlement (`royalty_parameters`): an amount to a bound receiver.
///
/// ```
/// use alipay::Amount;
/// use alipay::payment::settle::RoyaltyParameter;
///
/// let part = RoyaltyParameter::to_user_id("2088000000000002", Amount::new("30.00")?)
///     .desc("supplier share");
/// assert_eq!(part.trans_in, "2088000000000002");
/// # Ok::<(), alipay::AmountError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoyaltyParameter {
    /// What it does (`transfer` by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub royalty_type: Option<RoyaltyType>,
    /// Who pays (the trade's seller by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_out: Option<String>,
    /// How `trans_out` names the payer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_out_type: Option<AccountType>,
    /// How `trans_in` names the receiver.
    pub trans_in_type: AccountType,
    /// The receiver: a bound receiver's user id or login.
    pub trans_in: String,
    /// The receiver's real name (checked for a login).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_in_name: Option<String>,
    /// The amount.
    pub amount: Amount,
    /// What the payment is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
}

impl RoyaltyParameter {
    /// Pays `amount` to the bound receiver with this Alipay user id.
    pub fn to_user_id(user_id: impl Into<String>, amount: Amount) -> Self {
        Self {
            royalty_type: None,
            trans_out: None,
            trans_out_type: None,
            trans_in_type: AccountType::UserId,
            trans_in: user_id.into(),
            trans_in_name: None,
            amount,
            desc: None,
        }
    }

    /// Pays `amount` to the bound receiver with this login and real name.
    pub fn to_login_name(
        login: impl Into<String>,
        name: impl Into<String>,
        amount: Amount,
    ) -> Self {
        Self {
            trans_in_type: AccountType::LoginName,
            trans_in: login.into(),
            trans_in_name: Some(name.into()),
            ..Self::to_user_id(String::new(), amount)
        }
    }

    /// The same payment with a description.
    pub fn desc(mut self, desc: impl Into<String>) -> Self {
        self.desc = Some(desc.into());
        self
    }
}

/// The `extend_params` of a settlement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SettleExtendParams {
    /// `"true"`: this is the trade's last settlement; what is left goes to the seller and the
    /// trade can no longer be settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub royalty_finish: Option<String>,
}

impl SettleExtendParams {
    /// `royalty_finish=true`: the last settlement of the trade.
    pub fn finish() -> Self {
        Self {
            royalty_finish: Some("true".to_owned()),
        }
    }
}

/// `alipay.trade.order.settle`: pays parts of a paid trade (created with
/// [`ExtendParams::royalty_freeze`]) to bound receivers. The amounts together may not exceed
/// what is left: paid, minus refunded, minus already settled.
///
/// <https://opendocs.alipay.com/open/02j2bt>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::settle::{RoyaltyParameter, SettleExtendParams, TradeOrderSettle};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let settled = client
///     .send(
///         TradeOrderSettle::builder()
///             .out_request_no("S1")
///             .trade_no("2026120222001000000000000001")
///             .royalty_parameters(vec![RoyaltyParameter::to_user_id(
///                 "2088000000000002",
///                 Amount::new("30.00")?,
///             )])
///             .extend_params(SettleExtendParams::finish())
///             .build(),
///     )
///     .await?;
/// println!("{}", settled.settle_no);
/// # Ok(()) }
/// ```
///
/// [`ExtendParams::royalty_freeze`]: super::common::ExtendParams::royalty_freeze
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.order.settle")]
#[alipay(method = "alipay.trade.order.settle", v3 = "POST /v3/alipay/trade/order/settle", response = TradeOrderSettleResponse)]
#[must_use]
#[non_exhaustive]
pub struct TradeOrderSettle {
    /// The settlement's request number, unique per trade.
    pub out_request_no: String,
    /// Alipay's trade number.
    pub trade_no: String,
    /// The payments.
    pub royalty_parameters: Vec<RoyaltyParameter>,
    /// The merchant's operator id.
    pub operator_id: Option<String>,
    /// `royalty_finish`.
    pub extend_params: Option<SettleExtendParams>,
}

/// The answer to [`TradeOrderSettle`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeOrderSettleResponse {
    /// Alipay's trade number.
    pub trade_no: String,
    /// Alipay's settlement number, for [`TradeOrderSettleQuery`].
    pub settle_no: String,
}

/// `alipay.trade.order.settle.query`: a settlement's details, by `settle_no`, or by
/// `out_request_no` and `trade_no`.
///
/// <https://opendocs.alipay.com/open/02pj6l>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::settle::TradeOrderSettleQuery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let settlement = client
///     .send(TradeOrderSettleQuery::builder().settle_no("S20261202001").build())
///     .await?;
/// for detail in settlement.royalty_detail_list {
///     println!("{} {} {}", detail.trans_in.unwrap_or_default(), detail.amount, detail.state);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.order.settle.query")]
#[alipay(
    method = "alipay.trade.order.settle.query", v3 = "GET /v3/alipay/trade/order/settle/query",
    response = TradeOrderSettleQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeOrderSettleQuery {
    /// Alipay's settlement number.
    pub settle_no: Option<String>,
    /// The settlement's request number (with `trade_no`).
    pub out_request_no: Option<String>,
    /// Alipay's trade number (with `out_request_no`).
    pub trade_no: Option<String>,
}

crate::code_enum! {
    /// What one payment of a settlement was (`operation_type` of a [`RoyaltyDetail`]).
    pub enum RoyaltyOperationType {
        /// `transfer`: a share paid to a receiver (分账).
        Transfer = "transfer",
        /// `transfer_refund`: a share taken back on a refund (退分账).
        TransferRefund = "transfer_refund",
        /// `replenish`: a top-up of a subsidy (补差).
        Replenish = "replenish",
        /// `replenish_refund`: a top-up taken back on a refund (退补差).
        ReplenishRefund = "replenish_refund",
    }
}

/// One payment of a settlement, as [`TradeOrderSettleQuery`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RoyaltyDetail {
    /// What the payment was.
    pub operation_type: Option<RoyaltyOperationType>,
    /// When it was paid.
    pub execute_dt: Option<Timestamp>,
    /// Who paid.
    pub trans_out: Option<String>,
    /// How `trans_out` names the payer.
    pub trans_out_type: Option<AccountType>,
    /// Who received.
    pub trans_in: Option<String>,
    /// How `trans_in` names the receiver.
    pub trans_in_type: Option<AccountType>,
    /// The amount.
    pub amount: Amount,
    /// Whether it was paid.
    pub state: SettleState,
    /// Alipay's detail number.
    pub detail_id: Option<String>,
    /// Why it failed, for `FAIL`.
    pub error_code: Option<String>,
    /// Why it failed, in words.
    pub error_desc: Option<String>,
}

/// The answer to [`TradeOrderSettleQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeOrderSettleQueryResponse {
    /// The settlement's request number.
    pub out_request_no: Option<String>,
    /// When it was asked for.
    pub operation_dt: Option<Timestamp>,
    /// Its payments.
    #[serde(default)]
    pub royalty_detail_list: Vec<RoyaltyDetail>,
}

/// `alipay.trade.order.onsettle.query`: how much of a trade can still be settled.
///
/// <https://opendocs.alipay.com/open/d87dc009_alipay.trade.order.onsettle.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::settle::TradeOrderOnsettleQuery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let left = client
///     .send(
///         TradeOrderOnsettleQuery::builder()
///             .trade_no("2026120222001000000000000001")
///             .build(),
///     )
///     .await?;
/// println!("still to settle: {}", left.unsettled_amount);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.order.onsettle.query")]
#[alipay(
    method = "alipay.trade.order.onsettle.query",
    response = TradeOrderOnsettleQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeOrderOnsettleQuery {
    /// Alipay's trade number.
    pub trade_no: String,
}

/// The answer to [`TradeOrderOnsettleQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeOrderOnsettleQueryResponse {
    /// What can still be settled (may be `0.00`).
    pub unsettled_amount: Amount,
}

/// `alipay.trade.royalty.rate.query`: the largest share of a trade the merchant may settle to
/// receivers.
///
/// <https://opendocs.alipay.com/open/6f314ee9_alipay.trade.royalty.rate.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::settle::TradeRoyaltyRateQuery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let rate = client
///     .send(TradeRoyaltyRateQuery::builder().out_request_no("R1").build())
///     .await?;
/// println!("at most {}%", rate.max_ratio.unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.royalty.rate.query")]
#[alipay(
    method = "alipay.trade.royalty.rate.query", v3 = "GET /v3/alipay/trade/royalty/rate/query",
    response = TradeRoyaltyRateQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeRoyaltyRateQuery {
    /// The request number.
    pub out_request_no: String,
}

/// The answer to [`TradeRoyaltyRateQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeRoyaltyRateQueryResponse {
    /// The merchant's user id.
    pub user_id: Option<String>,
    /// The largest share, in percent (e.g. `30`).
    pub max_ratio: Option<u32>,
}
