//! The generic call (Easy SDK `Generic`): any Alipay method by name, with text parameters and
//! `biz_content` parameters given at run time, signed and verified like every typed request.
//!
//! - [`Generic`] is sent with [`Client::send`] (or [`Client::execute`]) and answers a
//!   [`GenericResponse`], the verified answer node as JSON. With [`Generic::file`] it is sent as
//!   `multipart/form-data` (Easy SDK `fileExecute`).
//! - [`GenericLocal`] is rendered locally with [`Client::render`] (an order string, a page form
//!   or a URL; Easy SDK `sdkExecute`), or with [`Client::sdk_execute`].
//!
//! A method used often deserves a typed request: `#[derive(Request)]` (see
//! [`Request`](derive@crate::Request)).
//!
//! ```no_run
//! use alipay::Client;
//! use serde_json::json;
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! let transfer = client
//!     .execute(
//!         "alipay.fund.trans.uni.transfer",
//!         [("app_auth_token", "201909BBbbdf6b1a0d7d4de8a4a1f5d8ab8a3X09")],
//!         json!({
//!             "out_biz_no": "TR20261126001",
//!             "trans_amount": "1.00",
//!             "product_code": "TRANS_ACCOUNT_NO_PWD",
//!             "biz_scene": "DIRECT_TRANSFER",
//!             "payee_info": {"identity": "2088123412341234", "identity_type": "ALIPAY_USER_ID"}
//!         })
//!         .as_object()
//!         .cloned()
//!         .unwrap_or_default(),
//!     )
//!     .await?;
//! println!("{:?}", transfer.get("order_id"));
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::error::{EncodeError, Error};
use crate::request::{FilePart, LocalRequest, Method, Params, Request};
use crate::{Call, Client};

/// The parameters shared by [`Generic`] and [`GenericLocal`].
#[derive(Debug, Clone, Default)]
struct Parts {
    method: String,
    text: BTreeMap<String, String>,
    biz: Map<String, Value>,
}

impl Parts {
    fn encode(&self, params: &mut Params) {
        for (key, value) in &self.text {
            params.text(key.clone(), value.clone());
        }
        for (key, value) in &self.biz {
            params.biz_value(key.clone(), value.clone());
        }
    }

    fn biz_serialize<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let mut params = Params::new();
        params.biz(value)?;
        self.biz.extend(params.biz_params().clone());
        Ok(())
    }
}

/// Setters shared by [`Generic`] and [`GenericLocal`].
macro_rules! parts_setters {
    () => {
        /// Sets a top-level text parameter (e.g. `app_auth_token`). Empty values are left out
        /// of the request; system parameters (`app_id`, `method`, `sign`, …) cannot be
        /// overridden and are ignored.
        pub fn text_param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.parts.text.insert(key.into(), value.into());
            self
        }

        /// [`text_param`](Self::text_param) for every pair.
        pub fn text_params<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
        where
            K: Into<String>,
            V: Into<String>,
        {
            for (key, value) in params {
                self.parts.text.insert(key.into(), value.into());
            }
            self
        }

        /// Sets a `biz_content` field.
        pub fn biz_param(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
            self.parts.biz.insert(key.into(), value.into());
            self
        }

        /// [`biz_param`](Self::biz_param) for every pair (a [`serde_json::Map`] is such an
        /// iterator).
        pub fn biz_params<K, V>(mut self, params: impl IntoIterator<Item = (K, V)>) -> Self
        where
            K: Into<String>,
            V: Into<Value>,
        {
            for (key, value) in params {
                self.parts.biz.insert(key.into(), value.into());
            }
            self
        }

        /// Merges the fields of `value`, which must serialize to a JSON object, into
        /// `biz_content`.
        pub fn biz<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, EncodeError> {
            self.parts.biz_serialize(value)?;
            Ok(self)
        }

        /// The top-level text parameters set so far.
        pub fn text_param_map(&self) -> &BTreeMap<String, String> {
            &self.parts.text
        }

        /// The `biz_content` fields set so far.
        pub fn biz_param_map(&self) -> &Map<String, Value> {
            &self.parts.biz
        }
    };
}

/// A call of any Alipay method, named at run time (Easy SDK `Generic.execute`, and
/// `Generic.fileExecute` with [`file`](Generic::file)). Sent with [`Client::send`], it is signed,
/// and its answer verified, like any request; its answer is the whole verified node
/// ([`GenericResponse`]). A business failure is [`Error::Api`], as for typed requests.
///
/// This type implements [`Method`] and [`Request`] by hand: the method name is a run-time
/// value, which the derive cannot express.
///
/// ```no_run
/// use alipay::Client;
/// use alipay::util::generic::Generic;
///
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let answer = client
///     .send(Generic::new("alipay.trade.query").biz_param("out_trade_no", "T1"))
///     .await?;
/// println!("{:?}", answer.get("trade_status"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Generic {
    parts: Parts,
    files: Vec<(String, FilePart)>,
}

impl Generic {
    /// A call of `method` (e.g. `alipay.trade.query`) without parameters yet.
    pub fn new(method: impl Into<String>) -> Self {
        Self {
            parts: Parts {
                method: method.into(),
                ..Parts::default()
            },
            files: Vec::new(),
        }
    }

    parts_setters!();

    /// Adds a file part under the form field `name`: the call is then sent as
    /// `multipart/form-data` (Easy SDK `Generic.fileExecute`). Text parameters and
    /// `biz_content` travel as text parts too; file parts are not signed.
    ///
    /// ```no_run
    /// use alipay::Client;
    /// use alipay::request::FilePart;
    /// use alipay::util::generic::Generic;
    ///
    /// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let upload = Generic::new("alipay.offline.material.image.upload")
    ///     .text_param("image_type", "png")
    ///     .text_param("image_name", "Logo")
    ///     .file("image_content", FilePart::from_path("logo.png")?);
    /// let answer = client.send(upload).await?;
    /// println!("{:?}", answer.get("image_url"));
    /// # Ok(()) }
    /// ```
    pub fn file(mut self, name: impl Into<String>, part: FilePart) -> Self {
        self.files.push((name.into(), part));
        self
    }

    /// The file parts added so far.
    pub fn files(&self) -> &[(String, FilePart)] {
        &self.files
    }
}

impl Method for Generic {
    fn method(&self) -> &str {
        &self.parts.method
    }

    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        self.parts.encode(params);
        for (name, part) in &self.files {
            params.file(name.clone(), part.clone());
        }
        Ok(())
    }
}

impl Request for Generic {
    type Response = GenericResponse;
}

/// A method rendered locally, named at run time (Easy SDK `Generic.sdkExecute`): an order
/// string for the Alipay app SDK ([`Render::order_string`](crate::Render::order_string)), or a
/// page form or URL for a browser. Implements [`Method`] and [`LocalRequest`] by hand.
///
/// ```no_run
/// use alipay::Client;
/// use alipay::util::generic::GenericLocal;
///
/// # fn run(client: Client) -> Result<(), alipay::Error> {
/// let order_string = client
///     .render(
///         GenericLocal::new("alipay.trade.app.pay")
///             .biz_param("out_trade_no", "APP1")
///             .biz_param("total_amount", "0.10")
///             .biz_param("subject", "iPhone6 16G"),
///     )
///     .order_string()?;
/// # let _ = order_string;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct GenericLocal {
    parts: Parts,
}

impl GenericLocal {
    /// A locally rendered `method` (e.g. `alipay.trade.app.pay`) without parameters yet.
    pub fn new(method: impl Into<String>) -> Self {
        Self {
            parts: Parts {
                method: method.into(),
                ..Parts::default()
            },
        }
    }

    parts_setters!();
}

impl Method for GenericLocal {
    fn method(&self) -> &str {
        &self.parts.method
    }

    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        self.parts.encode(params);
        Ok(())
    }
}

impl LocalRequest for GenericLocal {}

/// The answer to a [`Generic`] call: Alipay's status fields and the whole verified answer node.
///
/// ```
/// use alipay::util::generic::GenericResponse;
///
/// let answer: GenericResponse = serde_json::from_str(
///     r#"{"code":"10000","msg":"Success","trade_no":"2026","total_amount":"1.00"}"#,
/// )?;
/// assert_eq!(answer.code, "10000");
/// assert_eq!(answer.get("trade_no").and_then(|v| v.as_str()), Some("2026"));
///
/// #[derive(serde::Deserialize)]
/// struct Trade { trade_no: String }
/// assert_eq!(answer.parse::<Trade>()?.trade_no, "2026");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GenericResponse {
    /// The gateway code: `10000` for success (also when the node has no `code`, as
    /// `alipay.system.oauth.token` answers).
    pub code: String,
    /// The gateway message (empty when absent).
    pub msg: String,
    /// The business code, if any.
    pub sub_code: Option<String>,
    /// The business message, if any.
    pub sub_msg: Option<String>,
    /// The whole verified answer node, status fields included.
    pub node: Map<String, Value>,
}

impl GenericResponse {
    /// A field of the answer node.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.node.get(key)
    }

    /// The answer node parsed into a type (unknown fields are ignored unless `T` refuses
    /// them).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(Value::Object(self.node.clone()))
    }
}

impl<'de> Deserialize<'de> for GenericResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let node = Map::<String, Value>::deserialize(deserializer)?;
        let text = |key: &str| match node.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        Ok(Self {
            code: text("code").unwrap_or_else(|| "10000".to_owned()),
            msg: text("msg").unwrap_or_default(),
            sub_code: text("sub_code"),
            sub_msg: text("sub_msg"),
            node,
        })
    }
}

impl Client {
    /// Calls any method by name (Easy SDK `Generic.execute`): `text_params` become top-level
    /// parameters, `biz_params` the `biz_content` fields. Returns the [`Call`], so per-call
    /// options (e.g. [`agent`](Call::agent)) can still be added before `.await`.
    ///
    /// ```no_run
    /// use alipay::Client;
    /// use serde_json::{Map, Value};
    ///
    /// # async fn run(client: Client) -> Result<(), alipay::Error> {
    /// let mut biz = Map::new();
    /// biz.insert("out_trade_no".into(), Value::from("T1"));
    /// let answer = client
    ///     .execute("alipay.trade.query", None::<(String, String)>, biz)
    ///     .await?;
    /// println!("{:?}", answer.get("trade_status"));
    /// # Ok(()) }
    /// ```
    pub fn execute<TK, TV, BK, BV>(
        &self,
        method: impl Into<String>,
        text_params: impl IntoIterator<Item = (TK, TV)>,
        biz_params: impl IntoIterator<Item = (BK, BV)>,
    ) -> Call<'_, Generic>
    where
        TK: Into<String>,
        TV: Into<String>,
        BK: Into<String>,
        BV: Into<Value>,
    {
        self.send(
            Generic::new(method)
                .text_params(text_params)
                .biz_params(biz_params),
        )
    }

    /// Renders any method by name as a signed order string for the Alipay app SDK (Easy SDK
    /// `Generic.sdkExecute`). For per-call options, render a [`GenericLocal`] with
    /// [`Client::render`] instead.
    ///
    /// ```no_run
    /// # fn run(client: alipay::Client) -> Result<(), alipay::Error> {
    /// let order_string = client.sdk_execute(
    ///     "alipay.trade.app.pay",
    ///     None::<(String, String)>,
    ///     [("out_trade_no", "APP1"), ("total_amount", "0.10"), ("subject", "Tea")],
    /// )?;
    /// # let _ = order_string;
    /// # Ok(()) }
    /// ```
    pub fn sdk_execute<TK, TV, BK, BV>(
        &self,
        method: impl Into<String>,
        text_params: impl IntoIterator<Item = (TK, TV)>,
        biz_params: impl IntoIterator<Item = (BK, BV)>,
    ) -> Result<String, Error>
    where
        TK: Into<String>,
        TV: Into<String>,
        BK: Into<String>,
        BV: Into<Value>,
    {
        self.render(
            GenericLocal::new(method)
                .text_params(text_params)
                .biz_params(biz_params),
        )
        .order_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn encodes_text_biz_and_files() {
        let generic = Generic::new("alipay.x.y")
            .text_param("a", "1")
            .biz_param("b", json!({"c": [1, 2]}))
            .biz(&json!({"d": true}))
            .unwrap()
            .file("f", FilePart::from_bytes("f.bin", &b"xyz"[..]));
        let mut params = Params::new();
        generic.encode(&mut params).unwrap();
        assert_eq!(params.text_params()["a"], "1");
        assert_eq!(params.biz_params()["b"], json!({"c": [1, 2]}));
        assert_eq!(params.biz_params()["d"], true);
        assert_eq!(params.files().len(), 1);
        assert_eq!(generic.response_key(), "alipay_x_y_response");
        assert!(Generic::new("m").biz(&"not an object").is_err());
    }

    #[test]
    fn the_answer_keeps_the_node() {
        let answer: GenericResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":10}"#).unwrap();
        assert_eq!(answer.code, "10000");
        assert_eq!(answer.msg, "");
        assert_eq!(answer.get("expires_in"), Some(&json!(10)));
        let failed: GenericResponse =
            serde_json::from_str(r#"{"code":40004,"msg":"x","sub_code":null}"#).unwrap();
        assert_eq!(failed.code, "40004");
        assert_eq!(failed.sub_code, None);
        assert!(serde_json::from_str::<GenericResponse>("[1]").is_err());
    }
}
