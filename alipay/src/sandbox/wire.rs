//! The JSON of the gateway's answers: nodes written with serde_json in Alipay's field order
//! (`code` and `msg` first), the failures a call is refused with, amounts in yuan.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

/// A JSON object whose fields keep the order they were added in, as in Alipay's answers (a
/// `serde_json::Map` would sort them). Each value is written by serde_json.
#[derive(Debug)]
pub(crate) struct Node {
    fields: Vec<(String, Box<RawValue>)>,
}

impl Node {
    /// `{"code":"10000","msg":"Success"` and the fields that follow.
    pub(crate) fn success() -> Self {
        let mut node = Self::empty();
        node.str("code", "10000").str("msg", "Success");
        node
    }

    /// An object with no field yet.
    pub(crate) fn empty() -> Self {
        Self { fields: Vec::new() }
    }

    /// The node of a failure: `code`, `msg`, `sub_code`, `sub_msg`.
    pub(crate) fn failure(failure: &Failure) -> Self {
        let mut node = Self::empty();
        node.str("code", failure.code)
            .str("msg", failure.msg)
            .str("sub_code", failure.sub_code)
            .str("sub_msg", &failure.sub_msg);
        node
    }

    /// Adds a field of any value serde_json writes (strings, numbers, booleans, lists and
    /// structs of them, whose fields keep their declared order).
    pub(crate) fn value<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        // Serializing these values cannot fail (no map with non-string keys).
        let raw =
            serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned());
        self.fields.push((key.to_owned(), raw));
        self
    }

    /// Adds a string field.
    pub(crate) fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.value(key, value)
    }

    /// Adds a string field when the value is present.
    pub(crate) fn opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    /// Adds a JSON number field.
    pub(crate) fn num(&mut self, key: &str, value: u64) -> &mut Self {
        self.value(key, &value)
    }

    /// Adds a JSON boolean field.
    pub(crate) fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.value(key, &value)
    }

    /// Adds a JSON array of strings.
    pub(crate) fn str_list(&mut self, key: &str, values: &[&str]) -> &mut Self {
        self.value(key, values)
    }

    /// The finished JSON text.
    pub(crate) fn finish(self) -> String {
        serde_json::to_string(&self).unwrap_or_else(|_| "{}".to_owned())
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (key, value) in &self.fields {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// `{"<key>":<node>[,"alipay_cert_sn":"…"][,"sign":"…"]}`: an answer's envelope, the node's
/// bytes kept exactly as they are (they are what is signed). `None` if `node` is not JSON.
pub(crate) fn envelope(
    key: &str,
    node: &str,
    cert_sn: Option<&str>,
    sign: Option<&str>,
) -> Option<String> {
    struct Envelope<'a> {
        key: &'a str,
        node: &'a RawValue,
        cert_sn: Option<&'a str>,
        sign: Option<&'a str>,
    }
    impl Serialize for Envelope<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry(self.key, self.node)?;
            if let Some(cert_sn) = self.cert_sn {
                map.serialize_entry("alipay_cert_sn", cert_sn)?;
            }
            if let Some(sign) = self.sign {
                map.serialize_entry("sign", sign)?;
            }
            map.end()
        }
    }
    let node = serde_json::from_str::<&RawValue>(node).ok()?;
    serde_json::to_string(&Envelope {
        key,
        node,
        cert_sn,
        sign,
    })
    .ok()
}

/// A refused call: the gateway `code`/`msg` and the `sub_code`/`sub_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) msg: &'static str,
    pub(crate) sub_code: &'static str,
    pub(crate) sub_msg: String,
}

impl Failure {
    /// `40001 Missing Required Arguments`.
    pub(crate) fn missing(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40001",
            msg: "Missing Required Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `40002 Invalid Arguments`.
    pub(crate) fn invalid(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40002",
            msg: "Invalid Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `40004 Business Failed`.
    pub(crate) fn business(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40004",
            msg: "Business Failed",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `20000 Service Currently Unavailable` (the sandbox itself failed, e.g. to sign).
    pub(crate) fn unavailable() -> Self {
        Self {
            code: "20000",
            msg: "Service Currently Unavailable",
            sub_code: "isp.unknow-error",
            sub_msg: "系统繁忙".to_owned(),
        }
    }

    /// `20001 Insufficient Token Permissions`: an `app_auth_token` (or `auth_token`) that is
    /// not valid for the call.
    pub(crate) fn token(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "20001",
            msg: "Insufficient Token Permissions",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// A required `biz_content` field is absent or empty.
    pub(crate) fn missing_field(field: &str) -> Self {
        Self::invalid("isv.missing-parameter", format!("缺少必选参数{field}"))
    }
}

/// Cents written as yuan with two decimals: `8880` → `88.80`.
pub(crate) fn yuan(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nodes_keep_field_order_and_escape() {
        let mut node = Node::success();
        node.str("sub", "a\"b\\c\n中\u{1}");
        node.value("list", &[1]);
        let text = node.finish();
        assert_eq!(
            text,
            "{\"code\":\"10000\",\"msg\":\"Success\",\"sub\":\"a\\\"b\\\\c\\n中\\u0001\",\"list\":[1]}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["sub"], "a\"b\\c\n中\u{1}");
        assert_eq!(Node::empty().finish(), "{}");
    }

    #[test]
    fn nodes_write_numbers_booleans_and_lists() {
        let mut node = Node::empty();
        node.num("n", 7).bool("b", true).str_list("l", &["x", "\""]);
        assert_eq!(node.finish(), r#"{"n":7,"b":true,"l":["x","\""]}"#);
    }

    #[test]
    fn yuan_has_two_decimals() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(8880), "88.80");
        assert_eq!(yuan(1), "0.01");
    }

    #[test]
    fn envelopes_keep_the_node_bytes() {
        let node = r#"{"code":"10000","msg":"Success","z":"中","a":1}"#;
        assert_eq!(
            envelope("k_response", node, Some("sn"), Some("s+/=")).unwrap(),
            format!(r#"{{"k_response":{node},"alipay_cert_sn":"sn","sign":"s+/="}}"#)
        );
        assert_eq!(
            envelope("error_response", node, None, None).unwrap(),
            format!(r#"{{"error_response":{node}}}"#)
        );
        assert_eq!(envelope("k", "{\"a\":", None, None), None);
    }
}
