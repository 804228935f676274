//! Text risk detection (文本风险识别): checks a text (a comment, a nickname) for prohibited
//! content.
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::security::text_risk::RiskContentDetect;
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! let verdict = client
//!     .send(RiskContentDetect::builder().content("A comment to publish").build())
//!     .await?;
//! if !verdict.is_passed() {
//!     println!("refused, keywords: {:?}", verdict.keywords);
//! }
//! # Ok(()) }
//! ```

use serde::Deserialize;

/// `alipay.security.risk.content.detect`: whether a text may be published (Easy SDK
/// `TextRisk.detect`).
///
/// <https://opendocs.alipay.com/apis/api_49/alipay.security.risk.content.detect>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::security::text_risk::RiskContentDetect;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let verdict = client.send(RiskContentDetect::builder().content("hello").build()).await?;
/// println!("{} ({})", verdict.action, verdict.unique_id);
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.security.risk.content.detect")]
#[alipay(
    method = "alipay.security.risk.content.detect",
    response = RiskContentDetectResponse
)]
#[must_use]
#[non_exhaustive]
pub struct RiskContentDetect {
    /// The text to check.
    pub content: String,
}

crate::code_enum! {
    /// What Alipay found in a text (`action` of [`RiskContentDetectResponse`]).
    pub enum RiskAction {
        /// `PASSED`: no risk found; the text may be published.
        Passed = "PASSED",
        /// `REJECTED`: risky content found (see the `keywords`).
        Rejected = "REJECTED",
        /// `CONFIRMED`: the text needs a human review.
        Confirmed = "CONFIRMED",
    }
}

/// The answer to [`RiskContentDetect`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RiskContentDetectResponse {
    /// The verdict.
    pub action: RiskAction,
    /// The risky keywords found, if any.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The detection's id at Alipay.
    pub unique_id: String,
}

impl RiskContentDetectResponse {
    /// Whether the text may be published (`action` is `PASSED`).
    pub fn is_passed(&self) -> bool {
        self.action == RiskAction::Passed
    }
}
