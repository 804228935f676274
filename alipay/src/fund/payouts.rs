//! Payouts (转账): transfers from the merchant's Alipay balance to an Alipay account, their
//! query and refund, the balance itself, and the e-receipt (电子回单) of a transfer.
//!
//! A transfer is idempotent on `out_biz_no`: Alipay moves the money once per `out_biz_no`, and
//! repeating the call answers the same order. The client's retry policy therefore treats
//! [`FundTransUniTransfer`] (and [`FundTransRefund`], idempotent on `out_request_no`) as
//! idempotent: with retries on ([`ClientBuilder::retry`](crate::ClientBuilder::retry)), a
//! transfer whose answer was lost is sent again, with the same `out_biz_no`, and cannot pay
//! twice. Keep `out_biz_no` stable across your own retries too.
//!
//! When the transfer's state changes, Alipay sends the `alipay.fund.trans.order.changed`
//! message notification; read it with [`FundTransOrderChanged::from_notification`] once
//! [`Client::verify_notification`](crate::Client::verify_notification) has verified it.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::fund::payouts::{
//!     BizScene, FundTransCommonQuery, FundTransUniTransfer, Payee, ProductCode,
//! };
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let paid = client
//!     .send(
//!         FundTransUniTransfer::builder()
//!             .out_biz_no("P20261202001")
//!             .trans_amount(Amount::new("12.00")?)
//!             .product_code(ProductCode::TransAccountNoPwd)
//!             .biz_scene(BizScene::DirectTransfer)
//!             .order_title("Cashback")
//!             .payee_info(Payee::logon_id("buyer@example.com", "Zhang San"))
//!             .build(),
//!     )
//!     .await?;
//! let order = client
//!     .send(FundTransCommonQuery::builder().order_id(paid.order_id).build())
//!     .await?;
//! println!("{}", order.status);
//! # Ok(()) }
//! ```

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::notify::{Notification, NotifyError};
use crate::time::Timestamp;

crate::code_enum! {
    /// What a transfer is for (`biz_scene`).
    pub enum BizScene {
        /// `DIRECT_TRANSFER`: a transfer to an Alipay account (单笔无密转账), with
        /// [`ProductCode::TransAccountNoPwd`].
        DirectTransfer = "DIRECT_TRANSFER",
        /// `PERSONAL_COLLECTION`: a red packet the payee collects, with
        /// [`ProductCode::StdRedPacket`].
        PersonalCollection = "PERSONAL_COLLECTION",
    }
}

crate::code_enum! {
    /// The product a transfer is made under (`product_code`), as signed with Alipay.
    pub enum ProductCode {
        /// `TRANS_ACCOUNT_NO_PWD`: transfer to an Alipay account without a password.
        TransAccountNoPwd = "TRANS_ACCOUNT_NO_PWD",
        /// `STD_RED_PACKET`: a cash red packet.
        StdRedPacket = "STD_RED_PACKET",
    }
}

crate::code_enum! {
    /// A transfer's status (`status`), also the status of a transfer refund.
    pub enum TransferStatus {
        /// `SUCCESS`: the money reached the payee (or, for a refund, came back).
        Success = "SUCCESS",
        /// `DEALING`: being processed; query again later.
        Dealing = "DEALING",
        /// `WAIT_PAY`: waiting to be paid.
        WaitPay = "WAIT_PAY",
        /// `FAIL`: failed; the money stays with the payer.
        Fail = "FAIL",
        /// `REFUND`: the transfer was refunded to the payer.
        Refund = "REFUND",
    }
}

crate::code_enum! {
    /// How a payee is named (`identity_type`).
    pub enum IdentityType {
        /// `ALIPAY_USER_ID`: the Alipay user id (`2088…`, 16 digits).
        AlipayUserId = "ALIPAY_USER_ID",
        /// `ALIPAY_LOGON_ID`: the login (e-mail or mobile number); the name is required.
        AlipayLogonId = "ALIPAY_LOGON_ID",
        /// `ALIPAY_OPEN_ID`: the user's open id for this app.
        AlipayOpenId = "ALIPAY_OPEN_ID",
    }
}

/// Who receives a transfer (`payee_info`): an Alipay account named by user id, open id or
/// login, and the account holder's real name, which Alipay checks when it is given and
/// requires for a login.
///
/// Serialized as `{"identity": …, "identity_type": …, "name": …}`.
///
/// ```
/// use alipay::fund::payouts::{IdentityType, Payee};
///
/// let payee = Payee::logon_id("buyer@example.com", "Zhang San");
/// assert_eq!(payee.identity_type(), IdentityType::AlipayLogonId);
/// assert_eq!(payee.name(), Some("Zhang San"));
/// let by_id = Payee::user_id("2088102177846880").with_name("Zhang San");
/// assert_eq!(by_id.identity(), "2088102177846880");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payee {
    /// `ALIPAY_USER_ID`: by user id, the name checked when given.
    UserId {
        /// The Alipay user id (`2088…`).
        user_id: String,
        /// The holder's real name, checked against the account when given.
        name: Option<String>,
    },
    /// `ALIPAY_LOGON_ID`: by login, with the holder's real name (required).
    LogonId {
        /// The login: an e-mail address or a mobile number.
        logon_id: String,
        /// The holder's real name.
        name: String,
    },
    /// `ALIPAY_OPEN_ID`: by open id, the name checked when given.
    OpenId {
        /// The user's open id for this app.
        open_id: String,
        /// The holder's real name, checked against the account when given.
        name: Option<String>,
    },
}

impl Payee {
    /// A payee by Alipay user id (`ALIPAY_USER_ID`), without a name.
    pub fn user_id(user_id: impl Into<String>) -> Self {
        Payee::UserId {
            user_id: user_id.into(),
            name: None,
        }
    }

    /// A payee by login (`ALIPAY_LOGON_ID`), with the holder's real name, which Alipay requires
    /// for a login.
    pub fn logon_id(logon_id: impl Into<String>, name: impl Into<String>) -> Self {
        Payee::LogonId {
            logon_id: logon_id.into(),
            name: name.into(),
        }
    }

    /// A payee by open id (`ALIPAY_OPEN_ID`), without a name.
    pub fn open_id(open_id: impl Into<String>) -> Self {
        Payee::OpenId {
            open_id: open_id.into(),
            name: None,
        }
    }

    /// The same payee with the holder's real name, which Alipay then checks.
    pub fn with_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        match self {
            Payee::UserId { user_id, .. } => Payee::UserId {
                user_id,
                name: Some(name),
            },
            Payee::LogonId { logon_id, .. } => Payee::LogonId { logon_id, name },
            Payee::OpenId { open_id, .. } => Payee::OpenId {
                open_id,
                name: Some(name),
            },
        }
    }

    /// The `identity`: the user id, login or open id.
    pub fn identity(&self) -> &str {
        match self {
            Payee::UserId { user_id: id, .. }
            | Payee::LogonId { logon_id: id, .. }
            | Payee::OpenId { open_id: id, .. } => id,
        }
    }

    /// The `identity_type`.
    pub fn identity_type(&self) -> IdentityType {
        match self {
            Payee::UserId { .. } => IdentityType::AlipayUserId,
            Payee::LogonId { .. } => IdentityType::AlipayLogonId,
            Payee::OpenId { .. } => IdentityType::AlipayOpenId,
        }
    }

    /// The holder's real name, if given.
    pub fn name(&self) -> Option<&str> {
        match self {
            Payee::UserId { name, .. } | Payee::OpenId { name, .. } => name.as_deref(),
            Payee::LogonId { name, .. } => Some(name),
        }
    }
}

impl Serialize for Payee {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let name = self.name();
        let mut map = serializer.serialize_map(Some(2 + usize::from(name.is_some())))?;
        map.serialize_entry("identity", self.identity())?;
        map.serialize_entry("identity_type", &self.identity_type())?;
        if let Some(name) = name {
            map.serialize_entry("name", name)?;
        }
        map.end()
    }
}

/// `alipay.fund.trans.uni.transfer`: transfers money from the merchant's balance to an Alipay
/// account (单笔转账). Idempotent on `out_biz_no`: a repeated call answers the first order and
/// moves no more money, so the retry policy may send it again (see the
/// [module documentation](self)).
///
/// Refusals are [`Error::Api`](crate::Error::Api) with Alipay's `sub_code`, e.g.
/// `PAYER_BALANCE_NOT_ENOUGH` (the balance is too low), `PAYEE_NOT_EXIST` (no such account),
/// `PAYEE_USER_INFO_ERROR` (the name does not match the account).
///
/// <https://opendocs.alipay.com/open/02byuo>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::payouts::{BizScene, FundTransUniTransfer, Payee, ProductCode};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let paid = client
///     .send(
///         FundTransUniTransfer::builder()
///             .out_biz_no("P20261202001")
///             .trans_amount(Amount::new("1.00")?)
///             .product_code(ProductCode::TransAccountNoPwd)
///             .biz_scene(BizScene::DirectTransfer)
///             .order_title("Refund of deposit")
///             .payee_info(Payee::user_id("2088102177846880"))
///             .build(),
///     )
///     .await?;
/// println!("{} {}", paid.order_id, paid.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.trans.uni.transfer")]
#[alipay(
    method = "alipay.fund.trans.uni.transfer", v3 = "POST /v3/alipay/fund/trans/uni/transfer",
    response = FundTransUniTransferResponse
)]
#[must_use]
#[non_exhaustive]
pub struct FundTransUniTransfer {
    /// The merchant's transfer number, unique per app: the idempotency key.
    pub out_biz_no: String,
    /// The amount in yuan (at least 0.10).
    pub trans_amount: Amount,
    /// The product signed with Alipay.
    pub product_code: ProductCode,
    /// What the transfer is for.
    pub biz_scene: BizScene,
    /// The transfer's title, shown to the payee.
    pub order_title: String,
    /// Who receives the money.
    pub payee_info: Payee,
    /// A note shown in the payee's bill.
    pub remark: Option<String>,
    /// Extra parameters, as a JSON object string (e.g. `{"payer_show_name_use_alias":"true"}`).
    pub business_params: Option<String>,
}

/// The answer to [`FundTransUniTransfer`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundTransUniTransferResponse {
    /// The merchant's transfer number.
    pub out_biz_no: String,
    /// Alipay's transfer order number.
    pub order_id: String,
    /// Alipay's fund order number.
    pub pay_fund_order_id: Option<String>,
    /// The transfer's status: `SUCCESS` once the money reached the payee.
    pub status: TransferStatus,
    /// When the transfer was made (`yyyy-MM-dd HH:mm:ss`).
    pub trans_date: Option<Timestamp>,
    /// The settlement serial number, when there is one.
    pub settle_serial_no: Option<String>,
}

/// `alipay.fund.trans.common.query`: a transfer's status, by `order_id`, `pay_fund_order_id`
/// or `out_biz_no` (with `product_code` and `biz_scene`).
///
/// <https://opendocs.alipay.com/open/02byup>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::payouts::{BizScene, FundTransCommonQuery, ProductCode};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let order = client
///     .send(
///         FundTransCommonQuery::builder()
///             .out_biz_no("P20261202001")
///             .product_code(ProductCode::TransAccountNoPwd)
///             .biz_scene(BizScene::DirectTransfer)
///             .build(),
///     )
///     .await?;
/// println!("{} {:?}", order.status, order.trans_amount);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.trans.common.query")]
#[alipay(
    method = "alipay.fund.trans.common.query", v3 = "GET /v3/alipay/fund/trans/common/query",
    response = FundTransCommonQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct FundTransCommonQuery {
    /// The product of the transfer (with `out_biz_no`).
    pub product_code: Option<ProductCode>,
    /// The scene of the transfer (with `out_biz_no`).
    pub biz_scene: Option<BizScene>,
    /// The merchant's transfer number.
    pub out_biz_no: Option<String>,
    /// Alipay's transfer order number.
    pub order_id: Option<String>,
    /// Alipay's fund order number.
    pub pay_fund_order_id: Option<String>,
}

/// The answer to [`FundTransCommonQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundTransCommonQueryResponse {
    /// Alipay's transfer order number.
    pub order_id: Option<String>,
    /// Alipay's fund order number.
    pub pay_fund_order_id: Option<String>,
    /// The merchant's transfer number.
    pub out_biz_no: Option<String>,
    /// The amount transferred.
    pub trans_amount: Option<Amount>,
    /// The transfer's status.
    pub status: TransferStatus,
    /// When the money reached the payee.
    pub pay_date: Option<Timestamp>,
    /// The latest time the money is expected to arrive.
    pub arrival_time_end: Option<Timestamp>,
    /// The fee charged.
    pub order_fee: Option<Amount>,
    /// The error code of a failed transfer.
    pub error_code: Option<String>,
    /// Why the transfer failed.
    pub fail_reason: Option<String>,
}

/// `alipay.fund.account.query`: the available balance of an Alipay account (the merchant's
/// own, by its `2088…` user id).
///
/// <https://opendocs.alipay.com/open/02byuq>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::payouts::FundAccountQuery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let account = client
///     .send(
///         FundAccountQuery::builder()
///             .alipay_user_id("2088000000000001")
///             .account_type("ACCTRANS_ACCOUNT")
///             .build(),
///     )
///     .await?;
/// println!("available: {}", account.available_amount);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.account.query")]
#[alipay(method = "alipay.fund.account.query", v3 = "GET /v3/alipay/fund/account/query", response = FundAccountQueryResponse)]
#[must_use]
#[non_exhaustive]
pub struct FundAccountQuery {
    /// The account's Alipay user id (`2088…`).
    pub alipay_user_id: String,
    /// The account type, `ACCTRANS_ACCOUNT` (the balance transfers are paid from).
    pub account_type: Option<String>,
}

/// The answer to [`FundAccountQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundAccountQueryResponse {
    /// What can be transferred now.
    pub available_amount: Amount,
    /// What is frozen.
    pub freeze_amount: Option<Amount>,
}

/// `alipay.fund.trans.refund`: returns all or part of a transfer to the merchant's balance
/// (资金退回). Idempotent on `out_request_no`, so the retry policy may send it again.
///
/// <https://opendocs.alipay.com/open/02byvd>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::fund::payouts::FundTransRefund;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let back = client
///     .send(
///         FundTransRefund::builder()
///             .order_id("20261202110070000006600000000001")
///             .out_request_no("RB1")
///             .refund_amount(Amount::new("1.00")?)
///             .build(),
///     )
///     .await?;
/// println!("{}", back.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.fund.trans.refund")]
#[alipay(method = "alipay.fund.trans.refund", v3 = "POST /v3/alipay/fund/trans/refund", response = FundTransRefundResponse)]
#[must_use]
#[non_exhaustive]
pub struct FundTransRefund {
    /// Alipay's transfer order number.
    pub order_id: String,
    /// The refund request number, unique per transfer: the idempotency key.
    pub out_request_no: String,
    /// The amount to return.
    pub refund_amount: Amount,
    /// Why the money is returned.
    pub remark: Option<String>,
}

/// The answer to [`FundTransRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundTransRefundResponse {
    /// Alipay's refund order number.
    pub refund_order_id: String,
    /// Alipay's transfer order number.
    pub order_id: String,
    /// The refund request number.
    pub out_request_no: String,
    /// The refund's status: `SUCCESS` once the money is back.
    pub status: TransferStatus,
    /// The amount returned.
    pub refund_amount: Amount,
    /// When the money came back.
    pub refund_date: Option<Timestamp>,
}

crate::code_enum! {
    /// What an e-receipt proves (`type` of [`DataBillEreceiptApply`]).
    pub enum ReceiptType {
        /// `FUND_DETAIL`: one fund movement, e.g. a transfer (`key` is its `order_id`).
        FundDetail = "FUND_DETAIL",
    }
}

crate::code_enum! {
    /// Where an e-receipt is (`status` of [`DataBillEreceiptQueryResponse`]).
    pub enum ReceiptStatus {
        /// `INIT`: applied for.
        Init = "INIT",
        /// `PROCESS`: being made.
        Process = "PROCESS",
        /// `SUCCESS`: ready; `download_url` is set.
        Success = "SUCCESS",
        /// `FAIL`: could not be made; `error_message` says why.
        Fail = "FAIL",
    }
}

/// `alipay.data.bill.ereceipt.apply`: applies for the e-receipt (电子回单) of a fund movement,
/// e.g. a transfer; the answer's `file_id` is then queried with [`DataBillEreceiptQuery`].
///
/// <https://opendocs.alipay.com/open/1aad1956_alipay.data.bill.ereceipt.apply>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::payouts::{DataBillEreceiptApply, DataBillEreceiptQuery, ReceiptType};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let applied = client
///     .send(
///         DataBillEreceiptApply::builder()
///             .receipt_type(ReceiptType::FundDetail)
///             .key("20261202110070000006600000000001")
///             .build(),
///     )
///     .await?;
/// let receipt = client
///     .send(DataBillEreceiptQuery::builder().file_id(applied.file_id).build())
///     .await?;
/// println!("{} {:?}", receipt.status, receipt.download_url);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.data.bill.ereceipt.apply")]
#[alipay(
    method = "alipay.data.bill.ereceipt.apply", v3 = "POST /v3/alipay/data/bill/ereceipt/apply",
    response = DataBillEreceiptApplyResponse
)]
#[must_use]
#[non_exhaustive]
pub struct DataBillEreceiptApply {
    /// What the receipt proves (sent as `type`).
    #[serde(rename = "type")]
    pub receipt_type: ReceiptType,
    /// Which movement: for [`ReceiptType::FundDetail`], the transfer's `order_id`.
    pub key: String,
}

/// The answer to [`DataBillEreceiptApply`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DataBillEreceiptApplyResponse {
    /// The application's id, for [`DataBillEreceiptQuery`].
    pub file_id: String,
}

/// `alipay.data.bill.ereceipt.query`: the state of an e-receipt applied for with
/// [`DataBillEreceiptApply`], and its download URL once ready (valid for 30 seconds; query
/// again for a fresh one).
///
/// <https://opendocs.alipay.com/open/30b94a2f_alipay.data.bill.ereceipt.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::fund::payouts::{DataBillEreceiptQuery, ReceiptStatus};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let receipt = client
///     .send(DataBillEreceiptQuery::builder().file_id("F1").build())
///     .await?;
/// if receipt.status == ReceiptStatus::Success {
///     println!("download {:?}", receipt.download_url);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.data.bill.ereceipt.query")]
#[alipay(
    method = "alipay.data.bill.ereceipt.query", v3 = "GET /v3/alipay/data/bill/ereceipt/query",
    response = DataBillEreceiptQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct DataBillEreceiptQuery {
    /// The `file_id` of [`DataBillEreceiptApplyResponse`].
    pub file_id: String,
}

/// The answer to [`DataBillEreceiptQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DataBillEreceiptQueryResponse {
    /// Where the receipt is.
    pub status: ReceiptStatus,
    /// The PDF's URL, once `SUCCESS` (valid for 30 seconds).
    pub download_url: Option<String>,
    /// Why it failed, for `FAIL`.
    pub error_message: Option<String>,
}

/// The body of the `alipay.fund.trans.order.changed` message notification (转账单据状态变更),
/// which Alipay sends when a transfer's state changes: the JSON of its `biz_content`.
///
/// The notification is a message-service notification (`msg_method`, `biz_content`,
/// `utc_timestamp`, `version`, `notify_id`, `app_id`, signed like any notification): verify it
/// with [`Client::verify_notification`](crate::Client::verify_notification) first, then read
/// it with [`from_notification`](Self::from_notification). Handle it idempotently (Alipay
/// repeats it until answered `success`), and confirm with [`FundTransCommonQuery`] before
/// acting on a status you did not expect.
///
/// <https://opendocs.alipay.com/mini/02d2y4>
///
/// ```no_run
/// # fn run(client: alipay::Client, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// use alipay::fund::payouts::{FundTransOrderChanged, TransferStatus};
///
/// let notification = client.verify_notification(body)?;
/// let changed = FundTransOrderChanged::from_notification(&notification)?;
/// if changed.status == TransferStatus::Success {
///     println!("{} reached the payee", changed.out_biz_no);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FundTransOrderChanged {
    /// What happened, e.g. `FINISH`.
    pub action_type: Option<String>,
    /// The transfer's scene.
    pub biz_scene: Option<BizScene>,
    /// Alipay's transfer order number.
    pub order_id: String,
    /// The method that created the transfer, e.g. `alipay.fund.trans.uni.transfer`.
    pub origin_interface: Option<String>,
    /// The merchant's transfer number.
    pub out_biz_no: String,
    /// When the money was paid.
    pub pay_date: Option<Timestamp>,
    /// Alipay's fund order number.
    pub pay_fund_order_id: Option<String>,
    /// The transfer's product.
    pub product_code: Option<ProductCode>,
    /// The transfer's new status.
    pub status: TransferStatus,
    /// The amount transferred.
    pub trans_amount: Amount,
    /// The error code of a failed transfer.
    pub error_code: Option<String>,
    /// Why the transfer failed.
    pub fail_reason: Option<String>,
}

impl FundTransOrderChanged {
    /// The message's `msg_method`.
    pub const MSG_METHOD: &'static str = "alipay.fund.trans.order.changed";

    /// Reads a verified notification as this message: its `msg_method` must be
    /// [`MSG_METHOD`](Self::MSG_METHOD) and its `biz_content` this JSON object, else
    /// [`NotifyError::Fields`] says what is wrong.
    pub fn from_notification(notification: &Notification) -> Result<Self, NotifyError> {
        match notification.get("msg_method") {
            Some(Self::MSG_METHOD) => {}
            other => {
                return Err(NotifyError::Fields(format!(
                    "`msg_method` is `{}`, not `{}`",
                    other.unwrap_or(""),
                    Self::MSG_METHOD
                )));
            }
        }
        let biz = notification
            .get("biz_content")
            .ok_or_else(|| NotifyError::Fields("there is no `biz_content`".to_owned()))?;
        serde_json::from_str(biz)
            .map_err(|e| NotifyError::Fields(format!("`biz_content` of {}: {e}", Self::MSG_METHOD)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payees_serialize_as_payee_info() {
        let json = |p: &Payee| serde_json::to_value(p).ok();
        assert_eq!(
            json(&Payee::logon_id("a@b.c", "Zhang San")),
            Some(serde_json::json!({
                "identity": "a@b.c", "identity_type": "ALIPAY_LOGON_ID", "name": "Zhang San"
            }))
        );
        assert_eq!(
            json(&Payee::user_id("2088102177846880")),
            Some(serde_json::json!({
                "identity": "2088102177846880", "identity_type": "ALIPAY_USER_ID"
            }))
        );
        let named =
            Payee::open_id("074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5").with_name("Li");
        assert_eq!(named.identity_type().as_str(), "ALIPAY_OPEN_ID");
        assert_eq!(named.name(), Some("Li"));
    }
}
