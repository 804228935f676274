//! Agreement notifications (`notify_type=dut_user_sign` / `dut_user_unsign`) of recurring debit
//! ([`payment::agreement`](crate::payment::agreement)).

use crate::payment::agreement::AgreementStatus;
use crate::time::Timestamp;

/// A debit agreement was signed (`dut_user_sign`) or cancelled (`dut_user_unsign`), read with
/// [`Notification::kind`](super::Notification::kind).
///
/// As for trades, verification proves Alipay sent it, not that the agreement is one the
/// merchant asked for: match `external_agreement_no` with your own records before debiting.
///
/// ```
/// # fn run(client: &alipay::Client, body: &[u8]) -> Result<(), alipay::Error> {
/// use alipay::notify::Kind;
///
/// if let Kind::AgreementSigned(signed) = client.verify_notification(body)?.kind()? {
///     println!("{:?} signed as {}", signed.external_agreement_no, signed.agreement_no);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct AgreementNotification {
    /// When Alipay sent the notification (`yyyy-MM-dd HH:mm:ss`, Beijing time).
    pub notify_time: Timestamp,
    /// `dut_user_sign` or `dut_user_unsign`.
    pub notify_type: String,
    /// The notification's id: the same id is sent again on retries.
    pub notify_id: String,
    /// The app the agreement belongs to.
    pub app_id: Option<String>,
    /// Alipay's agreement number, to debit with
    /// [`AgreementPay`](crate::payment::agreement::AgreementPay).
    pub agreement_no: String,
    /// The agreement's status after the change: `NORMAL` once signed, `UNSIGN` once
    /// cancelled.
    pub status: AgreementStatus,
    /// The merchant's agreement number, as given when signing.
    pub external_agreement_no: Option<String>,
    /// The personal product code, e.g. `CYCLE_PAY_AUTH_P`.
    pub personal_product_code: Option<String>,
    /// The signing scene.
    pub sign_scene: Option<String>,
    /// When the user signed.
    pub sign_time: Option<Timestamp>,
    /// When the agreement became valid.
    pub valid_time: Option<Timestamp>,
    /// When the agreement ends.
    pub invalid_time: Option<Timestamp>,
    /// When it was cancelled (`dut_user_unsign`).
    pub unsign_time: Option<Timestamp>,
    /// The signer's Alipay user id.
    pub alipay_user_id: Option<String>,
    /// The signer's masked login id.
    pub alipay_logon_id: Option<String>,
    /// The user's account at the merchant.
    pub external_logon_id: Option<String>,
}
