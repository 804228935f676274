//! Recurring debit (周期扣款 / 商家扣款): the user signs a debit agreement once, then the merchant
//! charges them with `alipay.trade.pay` against the agreement, without asking again.
//!
//! The signing request, [`AgreementPageSign`], is rendered locally: as a page URL for a browser
//! ([`Render::page_url`](crate::Render::page_url)) or as a signed string for the merchant's
//! mobile app to hand to the Alipay app ([`Render::order_string`](crate::Render::order_string)).
//! Alipay then sends the `dut_user_sign` notification
//! ([`Kind::AgreementSigned`](crate::notify::Kind::AgreementSigned)) with the `agreement_no` to
//! debit with [`AgreementPay`]; unsigning sends `dut_user_unsign`.
//!
//! ```no_run
//! use alipay::{Amount, Client};
//! use alipay::payment::agreement::{AccessParams, AgreementPageSign, AgreementPay, AgreementParams};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let sign_url = client
//!     .render(
//!         AgreementPageSign::builder()
//!             .personal_product_code("CYCLE_PAY_AUTH_P")
//!             .sign_scene("INDUSTRY|DIGITAL_MEDIA")
//!             .external_agreement_no("SUB-1001")
//!             .access_params(AccessParams::channel("ALIPAYAPP"))
//!             .build(),
//!     )
//!     .async_notify("https://m.example/agreement")
//!     .page_url()?;
//! // Send the user to `sign_url`; the notification then brings the agreement number.
//! # let _ = sign_url;
//! let paid = client
//!     .send(
//!         AgreementPay::builder()
//!             .out_trade_no("SUB-1001-2026-12")
//!             .total_amount(Amount::new("15.00")?)
//!             .subject("Monthly plan, December")
//!             .agreement_params(AgreementParams::new("20265302123456789012"))
//!             .build(),
//!     )
//!     .await?;
//! println!("debited {}", paid.total_amount);
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::payment::face_to_face::TradePayResponse;
use crate::response::EmptyResponse;
use crate::time::Timestamp;

crate::code_enum! {
    /// An agreement's status (`status`).
    pub enum AgreementStatus {
        /// `TEMP`: created, not signed yet.
        Temp = "TEMP",
        /// `NORMAL`: signed and active: it can be debited.
        Normal = "NORMAL",
        /// `STOP`: suspended.
        Stop = "STOP",
        /// `UNSIGN`: cancelled by the user or the merchant.
        Unsign = "UNSIGN",
    }
}

impl AgreementStatus {
    /// Whether the agreement can be debited (`NORMAL`).
    pub fn is_active(&self) -> bool {
        matches!(self, AgreementStatus::Normal)
    }
}

/// Where the user signs (`access_params`): set exactly one of the fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct AccessParams {
    /// The signing channel: `ALIPAYAPP` (the Alipay app, from a page or the merchant's app),
    /// `QRCODE` (a QR code to scan) or `QRCODEORSMS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl AccessParams {
    /// Signing in the given channel, e.g. `ALIPAYAPP`.
    pub fn channel(channel: impl Into<String>) -> Self {
        Self {
            channel: Some(channel.into()),
        }
    }
}

/// The debit schedule of a periodic agreement (`period_rule_params`), which the user sees and
/// agrees to when signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PeriodRuleParams {
    /// `DAY` or `MONTH`.
    pub period_type: String,
    /// The number of `period_type` units between two debits (at least 7 for `DAY`).
    pub period: u32,
    /// The first debit's date, `yyyy-MM-dd`.
    pub execute_time: String,
    /// The most one debit may take.
    pub single_amount: Amount,
    /// The most all debits together may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Amount>,
    /// The most debits there may be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_payments: Option<u32>,
}

impl PeriodRuleParams {
    /// A schedule of one debit of at most `single_amount` every `period` `period_type` units
    /// (`DAY` or `MONTH`), the first on `execute_time` (`yyyy-MM-dd`).
    pub fn new(
        period_type: impl Into<String>,
        period: u32,
        execute_time: impl Into<String>,
        single_amount: Amount,
    ) -> Self {
        Self {
            period_type: period_type.into(),
            period,
            execute_time: execute_time.into(),
            single_amount,
            total_amount: None,
            total_payments: None,
        }
    }
}

/// `alipay.user.agreement.page.sign`: the page where the user signs a debit agreement.
/// Rendered locally with [`Client::render`](crate::Client::render), as a page URL
/// ([`page_url`](crate::Render::page_url)) or as the signed string the merchant's app passes
/// to the Alipay app ([`order_string`](crate::Render::order_string)); it cannot be sent.
///
/// Set the notification URL with [`async_notify`](crate::Render::async_notify): the
/// `dut_user_sign` notification carries the new `agreement_no`.
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.agreement.page.sign>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::agreement::{AccessParams, AgreementPageSign, PeriodRuleParams};
/// # fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let request = AgreementPageSign::builder()
///     .personal_product_code("CYCLE_PAY_AUTH_P")
///     .product_code("CYCLE_PAY_AUTH")
///     .sign_scene("INDUSTRY|DIGITAL_MEDIA")
///     .external_agreement_no("SUB-1001")
///     .access_params(AccessParams::channel("ALIPAYAPP"))
///     .period_rule_params(PeriodRuleParams::new("MONTH", 1, "2026-12-05", Amount::new("15.00")?))
///     .build();
/// // For the merchant's mobile app: the string to hand to the Alipay app.
/// let for_the_app = client.render(request.clone()).order_string()?;
/// // For a browser: the URL of the signing page.
/// let for_a_browser = client.render(request).page_url()?;
/// # let _ = (for_the_app, for_a_browser);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.agreement.page.sign")]
#[alipay(method = "alipay.user.agreement.page.sign", local)]
#[must_use]
#[non_exhaustive]
pub struct AgreementPageSign {
    /// The personal product code agreed with Alipay, e.g. `CYCLE_PAY_AUTH_P` (periodic debit)
    /// or `GENERAL_WITHHOLDING_P` (merchant debit).
    pub personal_product_code: String,
    /// Where the user signs.
    pub access_params: AccessParams,
    /// The merchant product code, e.g. `CYCLE_PAY_AUTH` or `GENERAL_WITHHOLDING`.
    pub product_code: Option<String>,
    /// The signing scene agreed with Alipay, e.g. `INDUSTRY|DIGITAL_MEDIA`.
    pub sign_scene: Option<String>,
    /// The merchant's own agreement number, unique per app.
    pub external_agreement_no: Option<String>,
    /// The user's account at the merchant, shown on the signing page.
    pub external_logon_id: Option<String>,
    /// The debit schedule, for periodic debits.
    pub period_rule_params: Option<PeriodRuleParams>,
    /// Where the user's browser goes after signing (a top-level text parameter).
    #[alipay(text)]
    pub return_url: Option<String>,
}

/// `alipay.user.agreement.query`: one agreement, by `agreement_no`, or by
/// `external_agreement_no` with the product code and scene.
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.agreement.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::agreement::AgreementQuery;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let agreement = client
///     .send(AgreementQuery::builder().agreement_no("20265302123456789012").build())
///     .await?;
/// println!("{} is {}", agreement.agreement_no, agreement.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.agreement.query")]
#[alipay(
    method = "alipay.user.agreement.query",
    v3 = "GET /v3/alipay/user/agreement/query",
    response = AgreementQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct AgreementQuery {
    /// Alipay's agreement number (wins over the other keys).
    pub agreement_no: Option<String>,
    /// The merchant's agreement number.
    pub external_agreement_no: Option<String>,
    /// The personal product code the agreement was signed with.
    pub personal_product_code: Option<String>,
    /// The signing scene.
    pub sign_scene: Option<String>,
    /// The user's Alipay user id.
    pub alipay_user_id: Option<String>,
}

/// The answer to [`AgreementQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AgreementQueryResponse {
    /// Alipay's agreement number.
    pub agreement_no: String,
    /// The agreement's status.
    pub status: AgreementStatus,
    /// The merchant's agreement number.
    pub external_agreement_no: Option<String>,
    /// The personal product code.
    pub personal_product_code: Option<String>,
    /// The signing scene.
    pub sign_scene: Option<String>,
    /// When the user signed (`yyyy-MM-dd HH:mm:ss`).
    pub sign_time: Option<Timestamp>,
    /// When the agreement became valid.
    pub valid_time: Option<Timestamp>,
    /// When the agreement ends.
    pub invalid_time: Option<Timestamp>,
    /// The signer's Alipay user id.
    pub principal_id: Option<String>,
    /// The signer's masked login id.
    pub alipay_logon_id: Option<String>,
    /// The user's account at the merchant.
    pub external_logon_id: Option<String>,
    /// The most one debit may take.
    pub single_quota: Option<Amount>,
    /// The next planned debit date (`yyyy-MM-dd`), for periodic debits.
    pub next_deduct_time: Option<String>,
}

/// `alipay.user.agreement.unsign`: cancels an agreement (Alipay then sends `dut_user_unsign`).
/// Identify it by `agreement_no`, or by `external_agreement_no` with the product code and scene.
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.agreement.unsign>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::agreement::AgreementUnsign;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// client
///     .send(AgreementUnsign::builder().agreement_no("20265302123456789012").build())
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.agreement.unsign")]
#[alipay(method = "alipay.user.agreement.unsign", v3 = "POST /v3/alipay/user/agreement/unsign", response = EmptyResponse)]
#[must_use]
#[non_exhaustive]
pub struct AgreementUnsign {
    /// Alipay's agreement number.
    pub agreement_no: Option<String>,
    /// The merchant's agreement number.
    pub external_agreement_no: Option<String>,
    /// The personal product code the agreement was signed with.
    pub personal_product_code: Option<String>,
    /// The signing scene.
    pub sign_scene: Option<String>,
    /// The user's Alipay user id.
    pub alipay_user_id: Option<String>,
}

/// `alipay.user.agreement.executionplan.modify`: moves the next debit of a periodic agreement
/// to another date.
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.agreement.executionplan.modify>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::payment::agreement::AgreementExecutionplanModify;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let plan = client
///     .send(
///         AgreementExecutionplanModify::builder()
///             .agreement_no("20265302123456789012")
///             .deduct_time("2027-01-10")
///             .memo("the user asked for a later date")
///             .build(),
///     )
///     .await?;
/// println!("next debit on {}", plan.deduct_time);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.agreement.executionplan.modify")]
#[alipay(
    method = "alipay.user.agreement.executionplan.modify", v3 = "POST /v3/alipay/user/agreement/executionplan/modify",
    response = AgreementExecutionplanModifyResponse
)]
#[must_use]
#[non_exhaustive]
pub struct AgreementExecutionplanModify {
    /// Alipay's agreement number.
    pub agreement_no: String,
    /// The new date of the next debit, `yyyy-MM-dd`.
    pub deduct_time: String,
    /// Why it moves.
    pub memo: Option<String>,
}

/// The answer to [`AgreementExecutionplanModify`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AgreementExecutionplanModifyResponse {
    /// Alipay's agreement number.
    pub agreement_no: String,
    /// The date of the next debit, `yyyy-MM-dd`.
    pub deduct_time: String,
}

/// The agreement a debit is made against (`agreement_params`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgreementParams {
    /// Alipay's agreement number, from the `dut_user_sign` notification or
    /// [`AgreementQuery`].
    pub agreement_no: String,
    /// The confirmation number of a debit that needed the user's confirmation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_confirm_no: Option<String>,
}

impl AgreementParams {
    /// A debit against `agreement_no`.
    pub fn new(agreement_no: impl Into<String>) -> Self {
        Self {
            agreement_no: agreement_no.into(),
            auth_confirm_no: None,
        }
    }
}

/// `alipay.trade.pay` against a signed agreement: charges the user without asking (周期扣款 /
/// 商家扣款). The agreement must be active (`NORMAL`): one that is not, or does not exist, is
/// refused (`Error::Api`, `ACQ.AGREEMENT_STATUS_NOT_NORMAL`, `ACQ.AGREEMENT_NOT_EXIST`).
///
/// This is `alipay.trade.pay` without a payment code, so it is its own request rather than
/// [`TradePay`](super::face_to_face::TradePay) (whose `auth_code` and `scene=bar_code` a debit
/// must not send); the answer is the same.
///
/// <https://opendocs.alipay.com/apis/api_1/alipay.trade.pay>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::agreement::{AgreementParams, AgreementPay};
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let paid = client
///     .send(
///         AgreementPay::builder()
///             .out_trade_no("SUB-1001-2026-12")
///             .total_amount(Amount::new("15.00")?)
///             .subject("Monthly plan, December")
///             .product_code("CYCLE_PAY_AUTH")
///             .agreement_params(AgreementParams::new("20265302123456789012"))
///             .build(),
///     )
///     .await?;
/// println!("{} paid", paid.trade_no);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.pay")]
#[alipay(method = "alipay.trade.pay", v3 = "POST /v3/alipay/trade/pay", response = TradePayResponse)]
#[must_use]
#[non_exhaustive]
pub struct AgreementPay {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The amount to debit, in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// The agreement to debit.
    pub agreement_params: AgreementParams,
    /// The product code agreed with Alipay: `CYCLE_PAY_AUTH` (periodic) or
    /// `GENERAL_WITHHOLDING` (merchant debit).
    pub product_code: Option<String>,
    /// The order description.
    pub body: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Params};

    #[test]
    fn a_debit_sends_the_agreement_and_no_payment_code() {
        let request = AgreementPay::builder()
            .out_trade_no("T")
            .total_amount(Amount::new("1").unwrap())
            .subject("s")
            .agreement_params(AgreementParams::new("A1"))
            .build();
        let mut params = Params::new();
        request.encode(&mut params).unwrap();
        assert_eq!(
            params.biz_params()["agreement_params"],
            serde_json::json!({"agreement_no": "A1"})
        );
        assert!(!params.biz_params().contains_key("scene"));
        assert!(!params.biz_params().contains_key("auth_code"));
    }
}
