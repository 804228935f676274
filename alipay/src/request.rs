//! The request model: what an Alipay method is, how its parameters are encoded, and the two kinds
//! of call (sent over HTTP and verified, or rendered locally for a browser or the Alipay app).
//!
//! Most users never implement these traits by hand: `#[derive(Request)]` does it (see
//! [`crate::Request`](derive@crate::Request)). Implementing them by hand is supported too, for a
//! method whose parameters need code to encode:
//!
//! ```
//! use alipay::request::{Method, Params, Request};
//! use alipay::EncodeError;
//!
//! /// `alipay.trade.query` by hand.
//! struct MyQuery {
//!     out_trade_no: String,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct MyQueryResponse {
//!     trade_status: Option<String>,
//! }
//!
//! impl Method for MyQuery {
//!     fn method(&self) -> &str {
//!         "alipay.trade.query"
//!     }
//!     fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
//!         params.biz_value("out_trade_no", self.out_trade_no.clone());
//!         Ok(())
//!     }
//! }
//!
//! impl Request for MyQuery {
//!     type Response = MyQueryResponse;
//! }
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::EncodeError;

/// An Alipay gateway method: its name and how its parameters are encoded.
///
/// Every request implements it; [`Request`] (sent to the gateway) and [`LocalRequest`] (rendered
/// locally) build on it.
pub trait Method {
    /// The Alipay method name, e.g. `alipay.trade.refund`.
    fn method(&self) -> &str;

    /// Writes the request's parameters: `biz_content` fields with [`Params::biz`] or
    /// [`Params::biz_value`], top-level text parameters with [`Params::text`], and file parts with
    /// [`Params::file`].
    fn encode(&self, params: &mut Params) -> Result<(), EncodeError>;
}

/// A method called server to server over HTTP, whose signed JSON answer is verified and parsed
/// into [`Request::Response`]. Accepted by [`Client::send`](crate::Client::send).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a request sent to the Alipay gateway",
    label = "`{Self}` does not implement `alipay::request::Request`",
    note = "requests rendered locally (page pay, WAP pay, app pay, certify) go through `Client::render(..)`, not `Client::send(..)`",
    note = "a request of your own needs `#[alipay(method = \"...\", response = YourResponse)]`"
)]
pub trait Request: Method {
    /// The business fields of a successful answer (`code`, `msg`, `sub_code` and `sub_msg` are
    /// checked by the client and are not part of it). Unknown fields must be tolerated.
    type Response: DeserializeOwned;

    /// The JSON key that holds the answer: the method name with `.` replaced by `_`, followed by
    /// `_response` (e.g. `alipay_trade_refund_response`).
    fn response_key(&self) -> Cow<'_, str> {
        Cow::Owned(response_key_of(self.method()))
    }
}

/// A method that is not called by the server but rendered locally and handed to the payer: an
/// auto-submitting HTML form or a GET URL for a browser (`alipay.trade.page.pay`,
/// `alipay.trade.wap.pay`, `alipay.user.certify.open.certify`) or a signed order string for the
/// Alipay app (`alipay.trade.app.pay`).
///
/// Such requests do not implement [`Request`], so [`Client::send`](crate::Client::send) refuses
/// them at compile time.
pub trait LocalRequest: Method {}

/// The response key of a method name: `alipay.trade.query` → `alipay_trade_query_response`.
pub fn response_key_of(method: &str) -> String {
    let mut key = method.replace('.', "_");
    key.push_str("_response");
    key
}

/// The parameters of one request, as written by [`Method::encode`].
///
/// Text parameters are top-level (query string) parameters; biz parameters form the
/// `biz_content` JSON object; file parts are sent as `multipart/form-data` and are not signed.
#[derive(Debug, Clone, Default)]
pub struct Params {
    text: BTreeMap<String, String>,
    biz: Map<String, Value>,
    files: Vec<(String, FilePart)>,
}

impl Params {
    /// An empty parameter set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a top-level text parameter (e.g. `grant_type`, `return_url`). An empty value is
    /// left out of the request.
    pub fn text(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.text.insert(key.into(), value.into());
    }

    /// Sets a text parameter only when the value is present (see [`TextParam`]).
    pub fn text_opt<T: TextParam + ?Sized>(&mut self, key: &str, value: &T) {
        if let Some(value) = value.to_text_param() {
            self.text.insert(key.to_owned(), value);
        }
    }

    /// Merges the fields of `value`, which must serialize to a JSON object, into `biz_content`.
    pub fn biz<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        match serde_json::to_value(value).map_err(EncodeError::json)? {
            Value::Object(map) => {
                self.biz.extend(map);
                Ok(())
            }
            Value::Null => Ok(()),
            other => Err(EncodeError::new(format!(
                "biz_content must be a JSON object, got {}",
                json_kind(&other)
            ))),
        }
    }

    /// Sets one `biz_content` field.
    pub fn biz_value(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.biz.insert(key.into(), value.into());
    }

    /// Adds a file part under the form field `name` (e.g. `image_content`).
    pub fn file(&mut self, name: impl Into<String>, part: FilePart) {
        self.files.push((name.into(), part));
    }

    /// The top-level text parameters, sorted by key.
    pub fn text_params(&self) -> &BTreeMap<String, String> {
        &self.text
    }

    /// The `biz_content` fields.
    pub fn biz_params(&self) -> &Map<String, Value> {
        &self.biz
    }

    /// The file parts, with their form field names, in the order they were added.
    pub fn files(&self) -> &[(String, FilePart)] {
        &self.files
    }

    /// Adds a text parameter unless one with that key is already set.
    pub(crate) fn text_if_absent(&mut self, key: &str, value: &str) {
        if !self.text.contains_key(key) {
            self.text.insert(key.to_owned(), value.to_owned());
        }
    }

    /// Adds a biz parameter unless one with that key is already set.
    pub(crate) fn biz_if_absent(&mut self, key: &str, value: &Value) {
        if !self.biz.contains_key(key) {
            self.biz.insert(key.to_owned(), value.clone());
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value that can be sent as a top-level text parameter. `None` and empty strings are left
/// out of the request, as Alipay expects.
pub trait TextParam {
    /// The parameter's text, or `None` to leave it out.
    fn to_text_param(&self) -> Option<String>;
}

impl TextParam for str {
    fn to_text_param(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_owned())
    }
}

impl TextParam for String {
    fn to_text_param(&self) -> Option<String> {
        self.as_str().to_text_param()
    }
}

impl<T: TextParam + ?Sized> TextParam for &T {
    fn to_text_param(&self) -> Option<String> {
        (**self).to_text_param()
    }
}

impl<T: TextParam> TextParam for Option<T> {
    fn to_text_param(&self) -> Option<String> {
        self.as_ref().and_then(TextParam::to_text_param)
    }
}

impl TextParam for crate::Amount {
    fn to_text_param(&self) -> Option<String> {
        Some(self.as_str().to_owned())
    }
}

macro_rules! text_param_display {
    ($($t:ty),*) => {$(
        impl TextParam for $t {
            fn to_text_param(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
text_param_display!(bool, u8, u16, u32, u64, i8, i16, i32, i64, usize);

/// A file sent as one part of a `multipart/form-data` upload. File parts are never signed.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    filename: String,
    content: Bytes,
}

impl FilePart {
    /// A file part from bytes in memory. `filename` is the name Alipay sees; its extension tells
    /// the file type (e.g. `photo.png`).
    pub fn from_bytes(filename: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self {
            filename: filename.into(),
            content: content.into(),
        }
    }

    /// Reads a file from disk; the part's file name is the path's last component.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let content = std::fs::read(path)?;
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self::from_bytes(filename, content))
    }

    /// The file name sent in the part's `Content-Disposition`.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The file's extension in lower case (`png` for `a.PNG`), if it has one.
    pub fn extension(&self) -> Option<String> {
        Path::new(&self.filename)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
    }

    /// The file's bytes.
    pub fn content(&self) -> &Bytes {
        &self.content
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("filename", &self.filename)
            .field("len", &self.content.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_key_replaces_dots() {
        assert_eq!(
            response_key_of("alipay.trade.fastpay.refund.query"),
            "alipay_trade_fastpay_refund_query_response"
        );
    }

    #[test]
    fn biz_must_be_an_object() {
        let mut params = Params::new();
        let err = params.biz(&"text").unwrap_err();
        assert!(err.to_string().contains("a string"), "{err}");
        params.biz(&serde_json::json!({"a": 1})).unwrap();
        assert_eq!(params.biz_params()["a"], 1);
    }

    #[test]
    fn empty_text_params_are_left_out() {
        let mut params = Params::new();
        params.text_opt("a", &Some(String::new()));
        params.text_opt("b", &None::<String>);
        params.text_opt("c", "x");
        assert_eq!(params.text_params().len(), 1);
    }
}
