//! Pre-authorisation (预授权 / 免押): funds of the payer are frozen (a deposit), then part of
//! them is paid to the merchant with `alipay.trade.pay` and the rest unfrozen.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::fund::preauth::{AuthConfirmMode, FreezePay, FundAuthOrderFreeze, FundAuthOrderUnfreeze};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let frozen = client
//!     .send(
//!         FundAuthOrderFreeze::builder()
//!             .auth_code("289821051157962364")
//!             .out_order_no("RENT-1")
//!             .out_request_no("RENT-1-F")
//!             .order_title("Power bank deposit")
//!             .amount(Amount::new("99.00")?)
//!             .build(),
//!     )
//!     .await?;
//! client
//!     .send(
//!         FreezePay::builder()
//!             .out_trade_no("RENT-1-PAY")
//!             .total_amount(Amount::new("6.00")?)
//!             .subject("Power bank, 3 hours")
//!             .auth_no(frozen.auth_no.clone())
//!             .auth_confirm_mode(AuthConfirmMode::NotComplete)
//!             .build(),
//!     )
//!     .await?;
//! client
//!     .send(
//!         FundAuthOrderUnfreeze::builder()
//!             .auth_no(frozen.auth_no)
//!             .out_request_no("RENT-1-U")
//!             .amount(Amount::new("93.00")?)
//!             .remark("returned")
//!             .build(),
//!     )
//!     .await?;
//! # Ok(()) }
//! ```

use serde::Deserialize;

use crate::Amount;
use crate::payment::face_to_face::TradePayResponse;
use crate::time::Timestamp;

crate::code_enum! {
    /// The status of a freeze or unfreeze operation (`status`).
    pub enum OperationStatus {
        /// `INIT`: waiting for the payer (a voucher not scanned yet).
        Init = "INIT",
        /// `SUCCESS`: done.
        Success = "SUCCESS",
        /// `CLOSED`: cancelled or expired.
        Closed = "CLOSED",
    }
}

crate::code_enum! {
    /// The status of an authorisation order (`order_status`).
    pub enum AuthOrderStatus {
        /// `INIT`: not frozen yet.
        Init = "INIT",
        /// `AUTHORIZED`: funds are frozen.
        Authorized = "AUTHORIZED",
        /// `FINISH`: nothing is frozen any more (all paid or unfrozen).
        Finish = "FINISH",
        /// `CLOSED`: cancelled.
        Closed = "CLOSED",
    }
}

crate::code_enum! {
    /// What an operation did (`operation_type`).
    pub enum OperationType {
        /// `FREEZE`.
        Freeze = "FREEZE",
        /// `UNFREEZE`.
        Unfreeze = "UNFREEZE",
        /// `PAY`: paid to the merchant with `alipay.trade.pay`.
        Pay = "PAY",
    }
}

crate::code_enum! {
    /// What a payment from a freeze does with the rest (`auth_confirm_mode`).
    pub enum AuthConfirmMode {
        /// `COMPLETE`: the rest is unfrozen at once: the order is finished.
        Complete = "COMPLETE",
        /// `NOT_COMPLETE`: the rest stays frozen for more payments or an unfreeze.
        NotComplete = "NOT_COMPLETE",
    }
}

/// The answer to a freeze or an unfreeze.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundAuthOperationResponse {
    /// Alipay's authorisation number, to pay from or unfreeze.
    pub auth_no: String,
    /// The merchant's authorisation order number.
    pub out_order_no: String,
    /// Alipay's operation number.
    pub operation_id: String,
    /// The merchant's operation number.
    pub out_request_no: String,
    /// The amount of the operation.
    pub amount: Amount,
    /// The operation's status.
    pub status: OperationStatus,
    /// When it was done.
    pub gmt_trans: Option<Timestamp>,
    /// The payer's Alipay user id.
    pub payer_user_id: Option<String>,
    /// The payer's masked login id.
    pub payer_logon_id: Option<String>,
}

/// `alipay.fund.auth.order.freeze`: freezes funds of the payer whose payment code was scanned.
///
/// <https://opendocs.alipay.com/apis/api_28/alipay.fund.auth.order.freeze>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::preauth::FundAuthOrderFreeze;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let frozen = client
///     .send(
///         FundAuthOrderFreeze::builder()
///             .auth_code("289821051157962364")
///             .out_order_no("RENT-1")
///             .out_request_no("RENT-1-F")
///             .order_title("Deposit")
///             .amount(Amount::new("99.00")?)
///             .build(),
///     )
///     .await?;
/// println!("{} frozen as {}", frozen.amount, frozen.auth_no);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.auth.order.freeze")]
#[alipay(
    method = "alipay.fund.auth.order.freeze", v3 = "POST /v3/alipay/fund/auth/order/freeze",
    response = FundAuthOperationResponse,
    fixed_biz(auth_code_type = "bar_code")
)]
#[must_use]
#[non_exhaustive]
pub struct FundAuthOrderFreeze {
    /// The payer's payment code.
    pub auth_code: String,
    /// The merchant's authorisation order number, unique per app.
    pub out_order_no: String,
    /// The merchant's operation number, unique per app.
    pub out_request_no: String,
    /// The title shown to the payer.
    pub order_title: String,
    /// The amount to freeze.
    pub amount: Amount,
    /// The product code (Alipay's default, `PRE_AUTH`, when not set).
    pub product_code: Option<String>,
    /// The payee's Alipay user id, when it is not the app's owner.
    pub payee_user_id: Option<String>,
}

/// `alipay.fund.auth.order.app.freeze`: a freeze the payer confirms in the Alipay app, rendered
/// locally as an order string ([`Render::order_string`](crate::Render::order_string)), like app
/// pay; it cannot be sent.
///
/// <https://opendocs.alipay.com/apis/api_28/alipay.fund.auth.order.app.freeze>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::preauth::FundAuthOrderAppFreeze;
/// # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let order_string = client
///     .render(
///         FundAuthOrderAppFreeze::builder()
///             .out_order_no("RENT-2")
///             .out_request_no("RENT-2-F")
///             .order_title("Deposit")
///             .amount(Amount::new("99.00")?)
///             .product_code("PREAUTH_PAY")
///             .build(),
///     )
///     .order_string()?;
/// # let _ = order_string;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.auth.order.app.freeze")]
#[alipay(method = "alipay.fund.auth.order.app.freeze", local)]
#[must_use]
#[non_exhaustive]
pub struct FundAuthOrderAppFreeze {
    /// The merchant's authorisation order number, unique per app.
    pub out_order_no: String,
    /// The merchant's operation number, unique per app.
    pub out_request_no: String,
    /// The title shown to the payer.
    pub order_title: String,
    /// The amount to freeze.
    pub amount: Amount,
    /// The product code, `PREAUTH_PAY`.
    pub product_code: String,
    /// The payee's Alipay user id, when it is not the app's owner.
    pub payee_user_id: Option<String>,
    /// The latest time to confirm, relative (`15m`, `2h`).
    pub timeout_express: Option<String>,
}

/// `alipay.fund.auth.order.voucher.create`: a QR code the payer scans to confirm a freeze.
///
/// <https://opendocs.alipay.com/apis/api_28/alipay.fund.auth.order.voucher.create>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::preauth::FundAuthOrderVoucherCreate;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let voucher = client
///     .send(
///         FundAuthOrderVoucherCreate::builder()
///             .out_order_no("RENT-3")
///             .out_request_no("RENT-3-F")
///             .order_title("Deposit")
///             .amount(Amount::new("99.00")?)
///             .build(),
///     )
///     .await?;
/// println!("show {}", voucher.code_value);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.auth.order.voucher.create")]
#[alipay(
    method = "alipay.fund.auth.order.voucher.create", v3 = "POST /v3/alipay/fund/auth/order/voucher/create",
    response = FundAuthOrderVoucherCreateResponse
)]
#[must_use]
#[non_exhaustive]
pub struct FundAuthOrderVoucherCreate {
    /// The merchant's authorisation order number, unique per app.
    pub out_order_no: String,
    /// The merchant's operation number, unique per app.
    pub out_request_no: String,
    /// The title shown to the payer.
    pub order_title: String,
    /// The amount to freeze.
    pub amount: Amount,
    /// The product code (Alipay's default, `PRE_AUTH`, when not set).
    pub product_code: Option<String>,
    /// The payee's Alipay user id, when it is not the app's owner.
    pub payee_user_id: Option<String>,
}

/// The answer to [`FundAuthOrderVoucherCreate`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundAuthOrderVoucherCreateResponse {
    /// The merchant's authorisation order number.
    pub out_order_no: String,
    /// The merchant's operation number.
    pub out_request_no: String,
    /// What `code_value` is, `barCode` or a URL for a QR code.
    pub code_type: Option<String>,
    /// The content of the QR code to show.
    pub code_value: String,
}

/// `alipay.fund.auth.order.unfreeze`: gives part or all of the rest of a freeze back.
///
/// <https://opendocs.alipay.com/apis/api_28/alipay.fund.auth.order.unfreeze>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::preauth::FundAuthOrderUnfreeze;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// client
///     .send(
///         FundAuthOrderUnfreeze::builder()
///             .auth_no("2026120210002001")
///             .out_request_no("RENT-1-U")
///             .amount(Amount::new("93.00")?)
///             .remark("returned")
///             .build(),
///     )
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.auth.order.unfreeze")]
#[alipay(
    method = "alipay.fund.auth.order.unfreeze", v3 = "POST /v3/alipay/fund/auth/order/unfreeze",
    response = FundAuthOperationResponse
)]
#[must_use]
#[non_exhaustive]
pub struct FundAuthOrderUnfreeze {
    /// Alipay's authorisation number.
    pub auth_no: String,
    /// The merchant's operation number, unique per app.
    pub out_request_no: String,
    /// The amount to unfreeze, at most what is still frozen.
    pub amount: Amount,
    /// Why, shown to the payer.
    pub remark: String,
}

/// `alipay.fund.auth.operation.cancel`: cancels a freeze whose outcome is unknown (e.g. timed
/// out): closed if it had not succeeded, unfrozen if it had.
///
/// <https://opendocs.alipay.com/apis/api_28/alipay.fund.auth.operation.cancel>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::preauth::FundAuthOperationCancel;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let cancelled = client
///     .send(
///         FundAuthOperationCancel::builder()
///             .out_order_no("RENT-1")
///             .out_request_no("RENT-1-F")
///             .remark("timeout")
///             .build(),
///     )
///     .await?;
/// println!("{:?}", cancelled.action);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.auth.operation.cancel")]
#[alipay(
    method = "alipay.fund.auth.operation.cancel", v3 = "POST /v3/alipay/fund/auth/operation/cancel",
    response = FundAuthOperationCancelResponse
)]
#[must_use]
#[non_exhaustive]
pub struct FundAuthOperationCancel {
    /// The merchant's operation number of the freeze.
    pub out_request_no: String,
    /// The merchant's authorisation order number.
    pub out_order_no: Option<String>,
    /// Alipay's authorisation number.
    pub auth_no: Option<String>,
    /// Why.
    pub remark: String,
}

crate::code_enum! {
    /// What a [`FundAuthOperationCancel`] did with the money (`action`).
    pub enum CancelAction {
        /// `close`: the operation is closed; nothing had been frozen, nothing is unfrozen.
        Close = "close",
        /// `unfreeze`: the frozen funds are given back to the payer.
        Unfreeze = "unfreeze",
    }
}

/// The answer to [`FundAuthOperationCancel`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundAuthOperationCancelResponse {
    /// Alipay's authorisation number.
    pub auth_no: Option<String>,
    /// The merchant's authorisation order number.
    pub out_order_no: Option<String>,
    /// The merchant's operation number.
    pub out_request_no: Option<String>,
    /// What the cancel did with the money.
    pub action: Option<CancelAction>,
}

/// `alipay.fund.auth.operation.detail.query`: an authorisation order and one of its operations
/// (by default the freeze).
///
/// <https://opendocs.alipay.com/apis/api_28/alipay.fund.auth.operation.detail.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::preauth::FundAuthOperationDetailQuery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let detail = client
///     .send(FundAuthOperationDetailQuery::builder().auth_no("2026120210002001").build())
///     .await?;
/// println!("{} still frozen", detail.rest_amount);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.auth.operation.detail.query")]
#[alipay(
    method = "alipay.fund.auth.operation.detail.query", v3 = "POST /v3/alipay/fund/auth/operation/detail/query",
    response = FundAuthOperationDetailQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct FundAuthOperationDetailQuery {
    /// Alipay's authorisation number.
    pub auth_no: Option<String>,
    /// The merchant's authorisation order number.
    pub out_order_no: Option<String>,
    /// The merchant's operation number (the freeze's when not set).
    pub out_request_no: Option<String>,
}

/// The answer to [`FundAuthOperationDetailQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundAuthOperationDetailQueryResponse {
    /// Alipay's authorisation number.
    pub auth_no: String,
    /// The merchant's authorisation order number.
    pub out_order_no: String,
    /// The order's status.
    pub order_status: AuthOrderStatus,
    /// All that was frozen.
    pub total_freeze_amount: Amount,
    /// What is still frozen.
    pub rest_amount: Amount,
    /// All that was paid to the merchant.
    pub total_pay_amount: Amount,
    /// All that was unfrozen.
    pub total_unfreeze_amount: Option<Amount>,
    /// The order's title.
    pub order_title: Option<String>,
    /// Alipay's number of the operation shown.
    pub operation_id: String,
    /// The merchant's number of the operation shown.
    pub out_request_no: String,
    /// The operation's amount.
    pub amount: Amount,
    /// What the operation did.
    pub operation_type: OperationType,
    /// The operation's status.
    pub status: OperationStatus,
    /// When the operation was done.
    pub gmt_trans: Option<Timestamp>,
    /// The payer's Alipay user id.
    pub payer_user_id: Option<String>,
}

/// `alipay.trade.pay` from a freeze (`auth_no`, `product_code=PREAUTH_PAY`): pays part or all
/// of what is frozen to the merchant; `auth_confirm_mode` says whether the rest is unfrozen at
/// once. Paying more than is still frozen is refused.
///
/// Its own request rather than [`TradePay`](crate::payment::face_to_face::TradePay), whose
/// payment code and `scene=bar_code` a payment from a freeze must not send; the answer is the
/// same.
///
/// <https://opendocs.alipay.com/apis/api_1/alipay.trade.pay>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::preauth::{AuthConfirmMode, FreezePay};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let paid = client
///     .send(
///         FreezePay::builder()
///             .out_trade_no("RENT-1-PAY")
///             .total_amount(Amount::new("6.00")?)
///             .subject("Power bank, 3 hours")
///             .auth_no("2026120210002001")
///             .auth_confirm_mode(AuthConfirmMode::Complete)
///             .build(),
///     )
///     .await?;
/// println!("{} paid", paid.total_amount);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.pay")]
#[alipay(
    method = "alipay.trade.pay", v3 = "POST /v3/alipay/trade/pay",
    response = TradePayResponse,
    fixed_biz(product_code = "PREAUTH_PAY")
)]
#[must_use]
#[non_exhaustive]
pub struct FreezePay {
    /// The merchant's order number, unique per app.
    pub out_trade_no: String,
    /// The amount to pay from the freeze.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// Alipay's authorisation number of the freeze.
    pub auth_no: String,
    /// What happens to the rest (Alipay's default, `NOT_COMPLETE`, when not set).
    pub auth_confirm_mode: Option<AuthConfirmMode>,
    /// The payer's Alipay user id.
    pub buyer_id: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
}

/// `alipay.trade.orderinfo.sync`: tells Alipay how a credit (免押) order ended, e.g. that the
/// rented item came back (`biz_type=CREDIT_AUTH`, `order_biz_info={"status":"COMPLETE"}`).
///
/// <https://opendocs.alipay.com/apis/api_1/alipay.trade.orderinfo.sync>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::preauth::TradeOrderinfoSync;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// client
///     .send(
///         TradeOrderinfoSync::builder()
///             .trade_no("2026120222001000000000000001")
///             .out_request_no("RENT-1-SYNC")
///             .biz_type("CREDIT_AUTH")
///             .order_biz_info(r#"{"status":"COMPLETE"}"#)
///             .build(),
///     )
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.orderinfo.sync")]
#[alipay(
    method = "alipay.trade.orderinfo.sync", v3 = "POST /v3/alipay/trade/orderinfo/sync",
    response = TradeOrderinfoSyncResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradeOrderinfoSync {
    /// Alipay's trade number.
    pub trade_no: String,
    /// The merchant's sync request number.
    pub out_request_no: String,
    /// What is synced, e.g. `CREDIT_AUTH`.
    pub biz_type: String,
    /// The outcome, as a JSON string, e.g. `{"status":"COMPLETE"}`.
    pub order_biz_info: Option<String>,
}

/// The answer to [`TradeOrderinfoSync`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradeOrderinfoSyncResponse {
    /// Alipay's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The buyer's Alipay user id.
    pub buyer_user_id: Option<String>,
}
