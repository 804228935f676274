//! Payment common (通用支付): create, query, refund (and asynchronous refund), close, cancel,
//! refund query and bill download, the calls every integration needs.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::common::{TradeCreate, TradeQuery, TradeRefund};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let created = client
//!     .send(
//!         TradeCreate::builder()
//!             .out_trade_no("T20261126001")
//!             .total_amount(Amount::new("88.80")?)
//!             .subject("Iced tea")
//!             .buyer_id("2088000000000000")
//!             .build(),
//!     )
//!     .await?;
//! let trade = client
//!     .send(TradeQuery::builder().trade_no(created.trade_no).build())
//!     .await?;
//! if trade.trade_status.is_paid() {
//!     client
//!         .send(
//!             TradeRefund::builder()
//!                 .out_trade_no("T20261126001")
//!                 .refund_amount(Amount::new("8.80")?)
//!                 .out_request_no("R1")
//!                 .build(),
//!         )
//!         .await?;
//! }
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::time::Timestamp;

crate::code_enum! {
    /// A trade's status (`trade_status`).
    pub enum TradeStatus {
        /// `WAIT_BUYER_PAY`: created, waiting for the buyer to pay.
        WaitBuyerPay = "WAIT_BUYER_PAY",
        /// `TRADE_CLOSED`: closed unpaid, or fully refunded.
        TradeClosed = "TRADE_CLOSED",
        /// `TRADE_SUCCESS`: paid; refunds are still possible.
        TradeSuccess = "TRADE_SUCCESS",
        /// `TRADE_FINISHED`: paid and final; no more refunds.
        TradeFinished = "TRADE_FINISHED",
    }
}

impl TradeStatus {
    /// Whether the buyer has paid (`TRADE_SUCCESS` or `TRADE_FINISHED`).
    pub fn is_paid(&self) -> bool {
        matches!(self, TradeStatus::TradeSuccess | TradeStatus::TradeFinished)
    }
}

crate::code_enum! {
    /// The channel that paid or was refunded (`fund_channel` of a [`TradeFundBill`]): Alipay's
    /// list of payment channels (支付渠道列表).
    pub enum FundChannel {
        /// `ALIPAYACCOUNT`: the buyer's Alipay balance (支付宝余额).
        AlipayAccount = "ALIPAYACCOUNT",
        /// `BANKCARD`: a bank card (银行卡); [`TradeFundBill::fund_type`] says which kind.
        BankCard = "BANKCARD",
        /// `PCREDIT`: Huabei (蚂蚁花呗).
        Pcredit = "PCREDIT",
        /// `FINANCEACCOUNT`: Yu'e Bao (余额宝).
        FinanceAccount = "FINANCEACCOUNT",
        /// `COUPON`: an Alipay red packet (支付宝红包).
        Coupon = "COUPON",
        /// `POINT`: Jifenbao points (集分宝).
        Point = "POINT",
        /// `DISCOUNT`: a discount coupon (折扣券).
        Discount = "DISCOUNT",
        /// `PCARD`: a prepaid card (预付卡).
        Pcard = "PCARD",
        /// `MCARD`: the merchant's stored-value card (商家储值卡).
        Mcard = "MCARD",
        /// `MDISCOUNT`: a merchant coupon (商户优惠券).
        Mdiscount = "MDISCOUNT",
        /// `MCOUPON`: a merchant red packet (商户红包).
        Mcoupon = "MCOUPON",
    }
}

crate::code_enum! {
    /// The kind of bank card of a [`FundChannel::BankCard`] channel (`fund_type`).
    pub enum FundType {
        /// `DEBIT_CARD`: a debit card (借记卡).
        DebitCard = "DEBIT_CARD",
        /// `CREDIT_CARD`: a credit card (信用卡).
        CreditCard = "CREDIT_CARD",
        /// `MIXED_CARD`: a card that is both (借贷合一卡).
        MixedCard = "MIXED_CARD",
    }
}

crate::code_enum! {
    /// The kind of buyer (`buyer_user_type`).
    pub enum BuyerUserType {
        /// `PRIVATE`: a person (个人用户).
        Private = "PRIVATE",
        /// `CORPORATE`: a company (企业用户).
        Corporate = "CORPORATE",
    }
}

/// A funding channel of a payment or refund (`TradeFundBill`). Read from answers, whose keys
/// are snake case (`fund_channel`), and from notifications, whose `fund_bill_list` has camel
/// case keys (`fundChannel`); written in snake case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TradeFundBill {
    /// The channel, e.g. [`FundChannel::AlipayAccount`], [`FundChannel::Pcredit`] (Huabei).
    #[serde(alias = "fundChannel")]
    pub fund_channel: Option<FundChannel>,
    /// The bank code, for bank cards.
    #[serde(alias = "bankCode")]
    pub bank_code: Option<String>,
    /// The amount paid with this channel.
    pub amount: Option<Amount>,
    /// The amount actually paid by the channel.
    #[serde(alias = "realAmount")]
    pub real_amount: Option<Amount>,
    /// The kind of bank card, for [`FundChannel::BankCard`].
    #[serde(alias = "fundType")]
    pub fund_type: Option<FundType>,
}

/// `alipay.trade.create`: creates a trade for a known buyer (e.g. inside a mini program), which
/// the buyer then pays in Alipay.
///
/// <https://opendocs.alipay.com/open/02ekfj>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.create")]
#[alipay(
    method = "alipay.trade.create",
    v3 = "POST /v3/alipay/trade/create",
    response = TradeCreateResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeCreate {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// The buyer's Alipay user id (`2088…`).
    pub buyer_id: Option<String>,
    /// The buyer's open id (for apps that use open ids instead of user ids).
    pub buyer_open_id: Option<String>,
    /// The order description.
    pub body: Option<String>,
    /// The product code agreed with Alipay, e.g. `JSAPI_PAY`.
    pub product_code: Option<String>,
    /// The seller's Alipay user id, when it is not the app's owner.
    pub seller_id: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
    /// The merchant's operator id.
    pub operator_id: Option<String>,
    /// The merchant's terminal id.
    pub terminal_id: Option<String>,
    /// Business extensions, e.g. [`ExtendParams::royalty_freeze`] to settle the trade later.
    pub extend_params: Option<ExtendParams>,
}

/// The `extend_params` of a trade: what the trade allows beyond a plain payment.
///
/// ```
/// use alipay::payment::common::ExtendParams;
///
/// let params = ExtendParams::royalty_freeze();
/// assert_eq!(params.royalty_freeze.as_deref(), Some("true"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExtendParams {
    /// `"true"`: the paid money stays frozen for settlement (分账,
    /// [`TradeOrderSettle`](super::settle::TradeOrderSettle)) until it is settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub royalty_freeze: Option<String>,
    /// The ISV's partner id, for rebates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sys_service_provider_id: Option<String>,
}

impl ExtendParams {
    /// `royalty_freeze=true`: the trade can be settled to bound receivers
    /// ([`settle`](super::settle)).
    pub fn royalty_freeze() -> Self {
        Self {
            royalty_freeze: Some("true".to_owned()),
            sys_service_provider_id: None,
        }
    }
}

/// The answer to [`TradeCreate`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeCreateResponse {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Alipay's trade number.
    pub trade_no: String,
}

/// `alipay.trade.query`: a trade's status and amounts, by `out_trade_no` or `trade_no` (set
/// one).
///
/// <https://opendocs.alipay.com/open/02ekfh>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.query")]
#[alipay(
    method = "alipay.trade.query",
    v3 = "POST /v3/alipay/trade/query",
    response = TradeQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeQuery {
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// Alipay's trade number (wins if both are set).
    pub trade_no: Option<String>,
    /// Extra fields to return, e.g. `["trade_settle_info"]`.
    pub query_options: Option<Vec<String>>,
}

/// The answer to [`TradeQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeQueryResponse {
    /// Alipay's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The trade's status.
    pub trade_status: TradeStatus,
    /// The order amount.
    pub total_amount: Amount,
    /// The buyer's masked login id.
    pub buyer_logon_id: Option<String>,
    /// The buyer's Alipay user id.
    pub buyer_user_id: Option<String>,
    /// The buyer's user type.
    pub buyer_user_type: Option<BuyerUserType>,
    /// The buyer's name (only for some merchants).
    pub buyer_user_name: Option<String>,
    /// The currency of the order, for foreign currency orders.
    pub trans_currency: Option<String>,
    /// The settlement currency.
    pub settle_currency: Option<String>,
    /// The settled amount.
    pub settle_amount: Option<Amount>,
    /// The currency the buyer paid in.
    pub pay_currency: Option<String>,
    /// What the buyer paid, in `pay_currency`.
    pub pay_amount: Option<Amount>,
    /// The settlement exchange rate.
    pub settle_trans_rate: Option<String>,
    /// The payment exchange rate.
    pub trans_pay_rate: Option<String>,
    /// What the buyer paid.
    pub buyer_pay_amount: Option<Amount>,
    /// Paid with points.
    pub point_amount: Option<Amount>,
    /// The invoiceable amount.
    pub invoice_amount: Option<Amount>,
    /// When the buyer paid.
    pub send_pay_date: Option<Timestamp>,
    /// What the merchant received.
    pub receipt_amount: Option<Amount>,
    /// The merchant's store id.
    pub store_id: Option<String>,
    /// The merchant's terminal id.
    pub terminal_id: Option<String>,
    /// The funding channels.
    #[serde(default)]
    pub fund_bill_list: Vec<TradeFundBill>,
    /// The store's name.
    pub store_name: Option<String>,
    /// The service charge.
    pub charge_amount: Option<Amount>,
    /// The charge flags.
    pub charge_flags: Option<String>,
    /// The settlement id.
    pub settlement_id: Option<String>,
    /// Settlement details; the gateway sends an object where older docs said a list, so it is
    /// kept as JSON.
    pub trade_settle_info: Option<serde_json::Value>,
    /// The pre-authorisation payment mode.
    pub auth_trade_pay_mode: Option<String>,
    /// Merchant discount.
    pub mdiscount_amount: Option<Amount>,
    /// Platform discount.
    pub discount_amount: Option<Amount>,
    /// The order title.
    pub subject: Option<String>,
    /// The order description.
    pub body: Option<String>,
    /// The sub-merchant id.
    pub alipay_sub_merchant_id: Option<String>,
    /// Extra information, as a JSON string.
    pub ext_infos: Option<String>,
}

/// `alipay.trade.refund`: refunds all or part of a paid trade. Set `out_request_no` for partial
/// refunds: a repeated call with the same `out_request_no` is idempotent.
///
/// <https://opendocs.alipay.com/open/02ekfk>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.refund")]
#[alipay(
    method = "alipay.trade.refund",
    v3 = "POST /v3/alipay/trade/refund",
    response = TradeRefundResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeRefund {
    /// The amount to refund.
    pub refund_amount: Amount,
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// The refund request number, unique per trade; required for partial refunds.
    pub out_request_no: Option<String>,
    /// Why the trade is refunded.
    pub refund_reason: Option<String>,
    /// Extra fields to return, e.g. `["refund_detail_item_list"]`.
    pub query_options: Option<Vec<String>>,
}

/// The answer to [`TradeRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeRefundResponse {
    /// Alipay's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The buyer's masked login id.
    pub buyer_logon_id: Option<String>,
    /// Whether this call moved money (`fund_change=Y`); `false` (`N`) when it repeated an
    /// earlier refund.
    #[serde(default, deserialize_with = "crate::flag::yn::option::deserialize")]
    pub fund_change: Option<bool>,
    /// The total refunded on this trade so far.
    pub refund_fee: Option<Amount>,
    /// The refund currency.
    pub refund_currency: Option<String>,
    /// When the refund was paid.
    pub gmt_refund_pay: Option<Timestamp>,
    /// The channels refunded.
    #[serde(default)]
    pub refund_detail_item_list: Vec<TradeFundBill>,
    /// The store's name.
    pub store_name: Option<String>,
    /// The buyer's Alipay user id.
    pub buyer_user_id: Option<String>,
    /// The refund settlement id.
    pub refund_settlement_id: Option<String>,
    /// Refunded to the buyer.
    pub present_refund_buyer_amount: Option<Amount>,
    /// Platform discount refunded.
    pub present_refund_discount_amount: Option<Amount>,
    /// Merchant discount refunded.
    pub present_refund_mdiscount_amount: Option<Amount>,
}

impl TradeRefundResponse {
    /// Whether this call moved money (`fund_change` is `Y`); `false` when Alipay left the flag
    /// out.
    pub fn fund_changed(&self) -> bool {
        self.fund_change == Some(true)
    }
}

crate::code_enum! {
    /// Where a refund is (`refund_status` of [`TradeRefundApplyResponse`] and
    /// [`TradeFastpayRefundQueryResponse`]).
    pub enum RefundStatus {
        /// `REFUND_PROCESSING`: accepted; the refund notification (or
        /// [`TradeFastpayRefundQuery`]) tells the outcome.
        RefundProcessing = "REFUND_PROCESSING",
        /// `REFUND_SUCCESS`: refunded.
        RefundSuccess = "REFUND_SUCCESS",
        /// `REFUND_FAIL`: not refunded.
        RefundFail = "REFUND_FAIL",
    }
}

/// `alipay.trade.refund.apply`: refunds all or part of a paid trade asynchronously (异步退款):
/// Alipay accepts the request (`REFUND_PROCESSING`), then sends the refund notification
/// (`trade_status_sync` with `refund_fee`, `gmt_refund`, `out_biz_no`) to the call's
/// `notify_url`; [`TradeFastpayRefundQuery`] tells the outcome too. Idempotent on
/// `out_request_no` (required), so the retry policy may send it again.
///
/// <https://opendocs.alipay.com/pre-apis/api_pre/alipay.trade.refund.apply>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::common::{RefundStatus, TradeRefundApply};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let accepted = client
///     .send(
///         TradeRefundApply::builder()
///             .out_trade_no("T20261126001")
///             .refund_amount(Amount::new("8.80")?)
///             .out_request_no("RA1")
///             .build(),
///     )
///     .await?;
/// if accepted.refund_status == RefundStatus::RefundProcessing {
///     println!("wait for the refund notification");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.refund.apply")]
#[alipay(method = "alipay.trade.refund.apply", v3 = "POST /v3/alipay/trade/refund/apply", response = TradeRefundApplyResponse)]
#[must_use]
#[non_exhaustive]
pub struct TradeRefundApply {
    /// The amount to refund.
    pub refund_amount: Amount,
    /// The refund request number, unique per trade: the idempotency key.
    pub out_request_no: String,
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// Why the trade is refunded.
    pub refund_reason: Option<String>,
    /// The merchant's operator id.
    pub operator_id: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
    /// The merchant's terminal id.
    pub terminal_id: Option<String>,
}

/// The answer to [`TradeRefundApply`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeRefundApplyResponse {
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// The refund request number.
    pub out_request_no: String,
    /// The amount of this refund.
    pub refund_amount: Amount,
    /// Where the refund is.
    pub refund_status: RefundStatus,
}

/// `alipay.trade.close`: closes an unpaid trade.
///
/// <https://opendocs.alipay.com/open/02ekfl>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.close")]
#[alipay(
    method = "alipay.trade.close",
    v3 = "POST /v3/alipay/trade/close",
    response = TradeCloseResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeClose {
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// The merchant's operator id.
    pub operator_id: Option<String>,
}

/// The answer to [`TradeClose`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeCloseResponse {
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
}

/// `alipay.trade.cancel`: cancels a trade whatever its state: an unpaid trade is closed, a paid
/// one fully refunded (for payments whose outcome is unknown, e.g. a timed-out bar code
/// payment).
///
/// <https://opendocs.alipay.com/open/02ekfi>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.cancel")]
#[alipay(
    method = "alipay.trade.cancel",
    v3 = "POST /v3/alipay/trade/cancel",
    response = TradeCancelResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeCancel {
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// Alipay's trade number.
    pub trade_no: Option<String>,
}

crate::code_enum! {
    /// What a [`TradeCancel`] did (`action`).
    pub enum CancelAction {
        /// `close`: the trade was unpaid and is closed; nothing refunded.
        Close = "close",
        /// `refund`: the trade was paid and is refunded in full.
        Refund = "refund",
    }
}

/// The answer to [`TradeCancel`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeCancelResponse {
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Whether the cancel must be retried (`retry_flag=Y`).
    #[serde(default, deserialize_with = "crate::flag::yn::option::deserialize")]
    pub retry_flag: Option<bool>,
    /// What the cancel did; absent when Alipay found no trade.
    pub action: Option<CancelAction>,
    /// When the refund was paid, for `refund`.
    pub gmt_refund_pay: Option<Timestamp>,
    /// The refund settlement id.
    pub refund_settlement_id: Option<String>,
}

/// `alipay.trade.fastpay.refund.query`: the outcome of one refund request. An answer without
/// `refund_amount` means there is no such refund.
///
/// <https://opendocs.alipay.com/open/02ekfm>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.fastpay.refund.query")]
#[alipay(
    method = "alipay.trade.fastpay.refund.query",
    v3 = "POST /v3/alipay/trade/fastpay/refund/query",
    response = TradeFastpayRefundQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeFastpayRefundQuery {
    /// The refund request number (the trade's `out_trade_no` for a refund sent without one).
    pub out_request_no: String,
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// Extra fields to return, e.g. `["gmt_refund_pay"]`.
    pub query_options: Option<Vec<String>>,
}

/// The answer to [`TradeFastpayRefundQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeFastpayRefundQueryResponse {
    /// Alipay's trade number.
    pub trade_no: Option<String>,
    /// The merchant's order number.
    pub out_trade_no: Option<String>,
    /// The refund request number.
    pub out_request_no: Option<String>,
    /// The trade's amount.
    pub total_amount: Option<Amount>,
    /// The refunded amount; absent when the refund does not exist.
    pub refund_amount: Option<Amount>,
    /// [`RefundStatus::RefundSuccess`] when the refund went through (the only value Alipay
    /// documents here).
    pub refund_status: Option<RefundStatus>,
    /// The refund reason.
    pub refund_reason: Option<String>,
    /// When the refund was paid.
    pub gmt_refund_pay: Option<Timestamp>,
    /// The channels refunded.
    #[serde(default)]
    pub refund_detail_item_list: Vec<TradeFundBill>,
    /// The refund settlement id.
    pub refund_settlement_id: Option<String>,
    /// Refunded to the buyer.
    pub present_refund_buyer_amount: Option<Amount>,
    /// Platform discount refunded.
    pub present_refund_discount_amount: Option<Amount>,
    /// Merchant discount refunded.
    pub present_refund_mdiscount_amount: Option<Amount>,
    /// The refunded service charge.
    pub refund_charge_amount: Option<Amount>,
    /// The fee sent back.
    pub send_back_fee: Option<Amount>,
    /// Industry-specific details, as JSON.
    pub industry_sepc_detail: Option<String>,
    /// The error code of a failed refund.
    pub error_code: Option<String>,
}

impl TradeFastpayRefundQueryResponse {
    /// Whether the refund exists and succeeded.
    pub fn is_refunded(&self) -> bool {
        self.refund_amount.is_some()
            && self
                .refund_status
                .as_ref()
                .is_none_or(|status| *status == RefundStatus::RefundSuccess)
    }
}

/// `alipay.data.dataservice.bill.downloadurl.query`: a short-lived URL to download a statement.
/// [`Client::download_bill`](crate::Client::download_bill) asks for it and fetches the file.
///
/// <https://opendocs.alipay.com/open/02e7gr>
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.data.dataservice.bill.downloadurl.query")]
#[alipay(
    method = "alipay.data.dataservice.bill.downloadurl.query",
    v3 = "GET /v3/alipay/data/dataservice/bill/downloadurl/query",
    response = BillDownloadUrlQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct BillDownloadUrlQuery {
    /// `trade` (the merchant's trades), `signcustomer` (account movements) or
    /// `trade_zft_merchant` (a secondary merchant's trades, with `smid`).
    pub bill_type: String,
    /// The day (`yyyy-MM-dd`) or month (`yyyy-MM`).
    pub bill_date: String,
    /// The secondary merchant (直付通二级商户) of a `trade_zft_merchant` bill.
    pub smid: Option<String>,
}

/// The answer to [`BillDownloadUrlQuery`]. Its `Debug` does not show the URL, which grants
/// access to the file to whoever holds it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BillDownloadUrlQueryResponse {
    /// Where to download the statement (valid for 30 seconds; secret-bearing: do not log it).
    pub bill_download_url: String,
    /// The file's code, when Alipay sends one.
    pub bill_file_code: Option<String>,
}

impl std::fmt::Debug for BillDownloadUrlQueryResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillDownloadUrlQueryResponse")
            .field("bill_download_url", &"<redacted>")
            .field("bill_file_code", &self.bill_file_code)
            .finish()
    }
}
