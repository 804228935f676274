//! Alipay passes (支付宝卡包): pass templates and the pass instances issued from them.
//!
//! `tpl_content`, `tpl_params` and `recognition_info` are JSON documents that Alipay expects as
//! JSON **strings** inside `biz_content`; the fields are `String`s, and the `*_json` helpers
//! serialize a [`serde_json::Value`] into them.
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::marketing::pass::{PassInstanceAdd, PassTemplateAdd};
//! use serde_json::json;
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let template = client
//!     .send(PassTemplateAdd::from_json("tpl-2026-001", &json!({"logo": "https://img.example/l.png"})))
//!     .await?;
//! let tpl_id = template.result_json()?["tpl_id"].as_str().unwrap_or_default().to_owned();
//! let instance = client
//!     .send(
//!         PassInstanceAdd::builder()
//!             .tpl_id(tpl_id)
//!             .tpl_params(json!({"title": "Coupon"}).to_string())
//!             .recognition_type("1")
//!             .recognition_info(json!({"partner_id": "2088", "out_trade_no": "T1"}).to_string())
//!             .build(),
//!     )
//!     .await?;
//! # let _ = instance;
//! # Ok(()) }
//! ```

use serde::Deserialize;
use serde_json::Value;

/// `alipay.pass.template.add`: creates a pass template (Easy SDK `Pass.createTemplate`).
///
/// <https://opendocs.alipay.com/apis/api_24/alipay.pass.template.add>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::pass::PassTemplateAdd;
/// # async fn run(client: Client, tpl_content: String) -> Result<(), alipay::Error> {
/// let created = client
///     .send(PassTemplateAdd::builder().unique_id("tpl-2026-001").tpl_content(tpl_content).build())
///     .await?;
/// println!("{} {}", created.success, created.result);
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.pass.template.add")]
#[alipay(method = "alipay.pass.template.add", response = PassResponse)]
#[must_use]
#[non_exhaustive]
pub struct PassTemplateAdd {
    /// The merchant's unique id of the template (a timestamp will do).
    pub unique_id: String,
    /// The template, a JSON document as a string (see Alipay's `tpl_content`).
    pub tpl_content: String,
}

impl PassTemplateAdd {
    /// A template creation from the template as JSON.
    ///
    /// ```
    /// use alipay::marketing::pass::PassTemplateAdd;
    ///
    /// let request = PassTemplateAdd::from_json("u1", &serde_json::json!({"logo": "l"}));
    /// assert_eq!(request.tpl_content, r#"{"logo":"l"}"#);
    /// ```
    pub fn from_json(unique_id: impl Into<String>, tpl_content: &Value) -> Self {
        Self {
            unique_id: unique_id.into(),
            tpl_content: tpl_content.to_string(),
        }
    }
}

/// `alipay.pass.template.update`: replaces a pass template's content (Easy SDK
/// `Pass.updateTemplate`).
///
/// The template is named by its `tpl_id` (from [`PassTemplateAdd`]'s answer), as the gateway
/// expects; the Easy SDK's documentation calls the argument `uniqueId`, its code sends `tpl_id`.
///
/// <https://opendocs.alipay.com/apis/api_24/alipay.pass.template.update>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::pass::PassTemplateUpdate;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let updated = client
///     .send(PassTemplateUpdate::from_json("2020012014534017917956080", &serde_json::json!({"logo": "l2"})))
///     .await?;
/// # let _ = updated;
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.pass.template.update")]
#[alipay(method = "alipay.pass.template.update", response = PassResponse)]
#[must_use]
#[non_exhaustive]
pub struct PassTemplateUpdate {
    /// The template's id.
    pub tpl_id: String,
    /// The new template, a JSON document as a string.
    pub tpl_content: String,
}

impl PassTemplateUpdate {
    /// A template update from the template as JSON.
    pub fn from_json(tpl_id: impl Into<String>, tpl_content: &Value) -> Self {
        Self {
            tpl_id: tpl_id.into(),
            tpl_content: tpl_content.to_string(),
        }
    }
}

/// `alipay.pass.instance.add`: issues a pass from a template to a user (Easy SDK
/// `Pass.addInstance`).
///
/// <https://opendocs.alipay.com/apis/api_24/alipay.pass.instance.add>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::pass::PassInstanceAdd;
/// use serde_json::json;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let request = PassInstanceAdd::builder()
///     .tpl_id("2020012014534017917956080")
///     .tpl_params(json!({"title": "Coupon"}).to_string())
///     .recognition_type("1")
///     .recognition_info(json!({"partner_id": "2088102114633762", "out_trade_no": "T1"}).to_string())
///     .build();
/// let issued = client.send(request).await?;
/// # let _ = issued;
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.pass.instance.add")]
#[alipay(method = "alipay.pass.instance.add", response = PassResponse)]
#[must_use]
#[non_exhaustive]
pub struct PassInstanceAdd {
    /// The template's id.
    pub tpl_id: String,
    /// The values of the template's `$variables$`, a JSON object as a string.
    pub tpl_params: String,
    /// How the user is recognised: `1` for an order (`partner_id` + `out_trade_no`).
    pub recognition_type: String,
    /// The user's recognition info, a JSON object as a string.
    pub recognition_info: String,
}

impl PassInstanceAdd {
    /// An instance from JSON values, serialized into the string fields.
    ///
    /// ```
    /// use alipay::marketing::pass::PassInstanceAdd;
    /// use serde_json::json;
    ///
    /// let request = PassInstanceAdd::from_json("tpl", &json!({"a": 1}), "1", &json!({"b": 2}));
    /// assert_eq!(request.tpl_params, r#"{"a":1}"#);
    /// assert_eq!(request.recognition_info, r#"{"b":2}"#);
    /// ```
    pub fn from_json(
        tpl_id: impl Into<String>,
        tpl_params: &Value,
        recognition_type: impl Into<String>,
        recognition_info: &Value,
    ) -> Self {
        Self {
            tpl_id: tpl_id.into(),
            tpl_params: tpl_params.to_string(),
            recognition_type: recognition_type.into(),
            recognition_info: recognition_info.to_string(),
        }
    }
}

/// `alipay.pass.instance.update`: changes an issued pass, e.g. marks it used (Easy SDK
/// `Pass.updateInstance`).
///
/// <https://opendocs.alipay.com/apis/api_24/alipay.pass.instance.update>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::pass::PassInstanceUpdate;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let request = PassInstanceUpdate::builder()
///     .serial_number("SN001")
///     .channel_id("2021000000000000")
///     .status("USED")
///     .verify_code("8612231273")
///     .verify_type("qrcode")
///     .build();
/// client.send(request).await?;
/// # Ok(()) }
/// ```
///
/// Exists only on OpenAPI v2, so it is always sent there, whatever
/// [`Protocol`](crate::Protocol) the client uses (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.pass.instance.update")]
#[alipay(method = "alipay.pass.instance.update", response = PassResponse)]
#[must_use]
#[non_exhaustive]
pub struct PassInstanceUpdate {
    /// The pass's unique serial number (the template's `fileInfo.serialNumber`).
    pub serial_number: String,
    /// The merchant's PID or app id (for agents updating on a merchant's behalf).
    pub channel_id: String,
    /// New values of the template's `$variables$`, a JSON object as a string.
    pub tpl_params: Option<String>,
    /// The new status: `USED` or `CLOSED`.
    pub status: Option<String>,
    /// The verification code, with `status = USED` (the template's operation `message`).
    pub verify_code: Option<String>,
    /// The verification type (the template's operation `format`); set with `verify_code`.
    pub verify_type: Option<String>,
}

/// The answer to the pass requests.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PassResponse {
    /// Whether the operation succeeded (sent as a boolean, as `"true"` or as `"T"`).
    #[serde(deserialize_with = "crate::flag::tf::deserialize")]
    pub success: bool,
    /// The result, a JSON document as a string (e.g. `{"tpl_id": …, "tpl_params": […]}`).
    #[serde(default)]
    pub result: String,
}

impl PassResponse {
    /// [`result`](Self::result) parsed as JSON.
    pub fn result_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.result)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::request::{Method, Params};

    #[test]
    fn json_fields_are_strings_in_biz_content() {
        let mut params = Params::new();
        PassInstanceAdd::from_json("t", &json!({"k": "v"}), "1", &json!({"u": 1}))
            .encode(&mut params)
            .unwrap();
        assert_eq!(params.biz_params()["tpl_params"], json!("{\"k\":\"v\"}"));
        assert_eq!(params.biz_params()["recognition_info"], json!("{\"u\":1}"));
    }

    #[test]
    fn answers_with_string_or_bool_success() {
        let a: PassResponse =
            serde_json::from_str(r#"{"success":"true","result":"{\"tpl_id\":\"1\"}"}"#).unwrap();
        assert!(a.success);
        assert_eq!(a.result_json().unwrap()["tpl_id"], "1");
        let b: PassResponse = serde_json::from_str(r#"{"success":false}"#).unwrap();
        assert!(!b.success);
        assert!(b.result_json().is_err());
    }
}
