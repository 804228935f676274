//! Identity verification (支付宝身份认证): initialise a verification, send the user to the
//! verification page, then query the outcome.
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::member::identification::{
//!     UserCertifyOpenCertify, UserCertifyOpenInitialize, UserCertifyOpenQuery, IdentityParam, MerchantConfig,
//! };
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! let init = client
//!     .send(
//!         UserCertifyOpenInitialize::builder()
//!             .outer_order_no("ZGYD201809132323000001234")
//!             .biz_code("FACE")
//!             .identity_param(IdentityParam::identity_card("张三", "320107199001011234"))
//!             .merchant_config(MerchantConfig::new("https://m.example/certified"))
//!             .build(),
//!     )
//!     .await?;
//! // Send the user's browser to this URL.
//! let url = client
//!     .render(UserCertifyOpenCertify::builder().certify_id(init.certify_id.clone()).build())
//!     .page_url()?;
//! # let _ = url;
//! // Once the user is back on the return URL:
//! let outcome = client
//!     .send(UserCertifyOpenQuery::builder().certify_id(init.certify_id).build())
//!     .await?;
//! println!("passed: {}", outcome.is_passed());
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};

/// The identity to verify.
///
/// ```
/// use alipay::member::identification::IdentityParam;
///
/// let identity = IdentityParam::identity_card("张三", "320107199001011234");
/// assert_eq!(identity.identity_type, "CERT_INFO");
/// assert_eq!(identity.cert_type, "IDENTITY_CARD");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct IdentityParam {
    /// The kind of identity information: `CERT_INFO`.
    pub identity_type: String,
    /// The certificate type: `IDENTITY_CARD`.
    pub cert_type: String,
    /// The person's real name.
    pub cert_name: String,
    /// The certificate number.
    pub cert_no: String,
}

impl IdentityParam {
    /// A Chinese resident identity card (`CERT_INFO`, `IDENTITY_CARD`).
    pub fn identity_card(cert_name: impl Into<String>, cert_no: impl Into<String>) -> Self {
        Self {
            identity_type: "CERT_INFO".to_owned(),
            cert_type: "IDENTITY_CARD".to_owned(),
            cert_name: cert_name.into(),
            cert_no: cert_no.into(),
        }
    }
}

// Personal data: the certificate number and name are not printed.
impl std::fmt::Debug for IdentityParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityParam")
            .field("identity_type", &self.identity_type)
            .field("cert_type", &self.cert_type)
            .finish_non_exhaustive()
    }
}

/// The merchant's settings of a verification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MerchantConfig {
    /// Where the user returns after the verification, usually a page of the merchant.
    pub return_url: String,
}

impl MerchantConfig {
    /// Settings with the return URL.
    pub fn new(return_url: impl Into<String>) -> Self {
        Self {
            return_url: return_url.into(),
        }
    }
}

crate::code_enum! {
    /// How the person is verified (`biz_code` of [`UserCertifyOpenInitialize`]).
    pub enum BizCode {
        /// `FACE`: a face scan (多因子人脸认证).
        Face = "FACE",
        /// `CERT_PHOTO`: a photo of the certificate (多因子证照认证).
        CertPhoto = "CERT_PHOTO",
        /// `CERT_PHOTO_FACE`: a photo of the certificate, then a face scan (多因子证照和人脸认证).
        CertPhotoFace = "CERT_PHOTO_FACE",
        /// `SMART_FACE`: a face scan with a fallback when the face cannot be verified
        /// (多因子快捷认证).
        SmartFace = "SMART_FACE",
    }
}

/// `alipay.user.certify.open.initialize`: starts a verification and returns its `certify_id`
/// (Easy SDK `Identification.init`).
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.certify.open.initialize>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::member::identification::{UserCertifyOpenInitialize, IdentityParam, MerchantConfig};
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let init = client
///     .send(
///         UserCertifyOpenInitialize::builder()
///             .outer_order_no("ZGYD201809132323000001234")
///             .biz_code("FACE")
///             .identity_param(IdentityParam::identity_card("张三", "320107199001011234"))
///             .merchant_config(MerchantConfig::new("https://m.example/certified"))
///             .build(),
///     )
///     .await?;
/// println!("certify_id = {}", init.certify_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.certify.open.initialize")]
#[alipay(
    method = "alipay.user.certify.open.initialize",
    v3 = "POST /v3/alipay/user/certify/open/initialize",
    response = UserCertifyOpenInitializeResponse
)]
#[must_use]
#[non_exhaustive]
pub struct UserCertifyOpenInitialize {
    /// The merchant's unique request number (32 letters and digits).
    pub outer_order_no: String,
    /// The verification scene (`.biz_code("FACE")` works too).
    pub biz_code: BizCode,
    /// Who to verify.
    pub identity_param: IdentityParam,
    /// The merchant's settings.
    pub merchant_config: MerchantConfig,
}

/// The answer to [`UserCertifyOpenInitialize`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct UserCertifyOpenInitializeResponse {
    /// The verification's id, for [`UserCertifyOpenCertify`] and [`UserCertifyOpenQuery`].
    pub certify_id: String,
}

/// `alipay.user.certify.open.certify`: the verification page the user opens (Easy SDK
/// `Identification.certify`). Rendered locally as a signed GET URL with
/// [`Render::page_url`](crate::Render::page_url); it is not sent.
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.certify.open.certify>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::member::identification::UserCertifyOpenCertify;
/// # fn run(client: Client) -> Result<(), alipay::Error> {
/// let url = client
///     .render(UserCertifyOpenCertify::builder().certify_id("OC201809253000000393900404029253").build())
///     .page_url()?;
/// println!("redirect the user to {url}");
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.certify.open.certify")]
#[alipay(method = "alipay.user.certify.open.certify", local)]
#[must_use]
#[non_exhaustive]
pub struct UserCertifyOpenCertify {
    /// The verification's id, from [`UserCertifyOpenInitialize`].
    pub certify_id: String,
}

/// `alipay.user.certify.open.query`: the outcome of a verification (Easy SDK
/// `Identification.query`).
///
/// <https://opendocs.alipay.com/apis/api_2/alipay.user.certify.open.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::member::identification::UserCertifyOpenQuery;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let outcome = client
///     .send(UserCertifyOpenQuery::builder().certify_id("OC201809253000000393900404029253").build())
///     .await?;
/// if outcome.is_passed() {
///     println!("verified");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.user.certify.open.query")]
#[alipay(
    method = "alipay.user.certify.open.query",
    v3 = "GET /v3/alipay/user/certify/open/query",
    response = UserCertifyOpenQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct UserCertifyOpenQuery {
    /// The verification's id.
    pub certify_id: String,
}

/// The answer to [`UserCertifyOpenQuery`]. `Debug` leaves out the personal data (`identity_info`,
/// `material_info`).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct UserCertifyOpenQueryResponse {
    /// Whether the verification passed (`passed=T`); `false` (`F`) otherwise, including not
    /// finished yet.
    #[serde(deserialize_with = "crate::flag::tf::deserialize")]
    pub passed: bool,
    /// The verified identity, a JSON document as a string, when Alipay shares it.
    pub identity_info: Option<String>,
    /// The verification material (e.g. the face image), a JSON document as a string.
    pub material_info: Option<String>,
    /// Why it did not pass, when Alipay says.
    pub fail_reason: Option<String>,
}

impl std::fmt::Debug for UserCertifyOpenQueryResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCertifyOpenQueryResponse")
            .field("passed", &self.passed)
            .field("has_identity_info", &self.identity_info.is_some())
            .field("has_material_info", &self.material_info.is_some())
            .field("fail_reason", &self.fail_reason)
            .finish_non_exhaustive()
    }
}

impl UserCertifyOpenQueryResponse {
    /// Whether the verification passed (`passed` is `T`): [`passed`](Self::passed).
    pub fn is_passed(&self) -> bool {
        self.passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Params};

    #[test]
    fn personal_data_is_not_printed() {
        let identity = IdentityParam::identity_card("张三", "320107199001011234");
        let debug = format!("{identity:?}");
        assert!(
            !debug.contains("张三") && !debug.contains("3201"),
            "{debug}"
        );
        let answer: UserCertifyOpenQueryResponse = serde_json::from_str(
            r#"{"passed":"T","identity_info":"{\"cert_no\":\"320107199001011234\"}"}"#,
        )
        .unwrap();
        assert!(answer.is_passed());
        let debug = format!("{answer:?}");
        assert!(!debug.contains("3201"), "{debug}");
    }

    #[test]
    fn certify_is_one_biz_field() {
        let mut params = Params::new();
        UserCertifyOpenCertify::builder()
            .certify_id("c1")
            .build()
            .encode(&mut params)
            .unwrap();
        assert_eq!(params.biz_params().len(), 1);
        assert_eq!(params.biz_params()["certify_id"], "c1");
    }
}
