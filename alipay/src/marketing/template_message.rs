//! Mini program template messages (小程序模板消息).
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::marketing::template_message::MiniTemplateMessageSend;
//! use serde_json::json;
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! let request = MiniTemplateMessageSend::builder()
//!     .to_user_id("2088102122458832")
//!     .form_id("2017010100000000580012345678")
//!     .user_template_id("MDI4YzIxMDE2M2I5YTQzYjUxNWE4MjA4NmU1MTIyYmM=")
//!     .page("page/component/index")
//!     .data(json!({"keyword1": {"value": "12:00"}, "keyword2": {"value": "20180808"}}).to_string())
//!     .build();
//! client.send(request).await?;
//! # Ok(()) }
//! ```

use crate::response::EmptyResponse;

/// `alipay.open.app.mini.templatemessage.send`: sends a template message to a user of the mini
/// program (Easy SDK `TemplateMessage.send`).
///
/// <https://opendocs.alipay.com/mini/02cth2>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::template_message::MiniTemplateMessageSend;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let request = MiniTemplateMessageSend::builder()
///     .to_user_id("2088102122458832")
///     .form_id("form-1")
///     .user_template_id("tpl-1")
///     .page("pages/index/index")
///     .data(serde_json::json!({"keyword1": {"value": "Paid"}}).to_string())
///     .build();
/// client.send(request).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.app.mini.templatemessage.send")]
#[alipay(
    method = "alipay.open.app.mini.templatemessage.send",
    v3 = "POST /v3/alipay/open/app/mini/templatemessage/send",
    response = EmptyResponse
)]
#[must_use]
#[non_exhaustive]
pub struct MiniTemplateMessageSend {
    /// The user's Alipay user id.
    pub to_user_id: String,
    /// The trade number or form id that allows the message.
    pub form_id: String,
    /// The template's id.
    pub user_template_id: String,
    /// The mini program page a tap opens, e.g. `page/component/index`.
    pub page: String,
    /// The placeholders' values, a JSON object as a string, e.g.
    /// `{"keyword1": {"value": "12:00"}}`.
    pub data: String,
}
