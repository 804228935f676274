//! The gateway's answers: a page, or the JSON envelope `{"<method>_response":<node>,"sign":"…"}`
//! signed for the calling app (with `alipay_cert_sn` in certificate mode), or an unsigned
//! `error_response`.

use super::notify::Notice;
use super::server::{GATEWAY_CONTENT_TYPE, HTML_CONTENT_TYPE};
use super::shared::Shared;
use super::wire::{self, Failure, Node};
use crate::crypto::Signer as _;

/// What the gateway answers, and the notifications of the call.
pub(crate) struct Reply {
    pub(crate) content_type: &'static str,
    pub(crate) body: ReplyBody,
    pub(crate) notices: Vec<Notice>,
}

/// The body of an answer, kept apart so a fault can rebuild it.
pub(crate) enum ReplyBody {
    /// A page (browser flows).
    Html(String),
    /// `{"<key>":<node>}`, with `sign` when `signed` (by the key that signs for `app_id`).
    Json {
        key: String,
        node: String,
        signed: bool,
        app_id: String,
    },
}

impl Reply {
    /// An unsigned `error_response`, as Alipay answers before it knows whom to sign for.
    pub(crate) fn error(failure: &Failure) -> Self {
        Self {
            content_type: GATEWAY_CONTENT_TYPE,
            body: ReplyBody::Json {
                key: "error_response".to_owned(),
                node: Node::failure(failure).finish(),
                signed: false,
                app_id: String::new(),
            },
            notices: Vec::new(),
        }
    }

    /// A page.
    pub(crate) fn html(body: String) -> Self {
        Self {
            content_type: HTML_CONTENT_TYPE,
            body: ReplyBody::Html(body),
            notices: Vec::new(),
        }
    }

    /// The body as sent.
    pub(crate) fn render(&self, shared: &Shared) -> String {
        match &self.body {
            ReplyBody::Html(html) => html.clone(),
            ReplyBody::Json {
                key,
                node,
                signed: true,
                app_id,
            } => signed(shared, app_id, key, node),
            ReplyBody::Json { key, node, .. } => unsigned(key, node),
        }
    }
}

/// `{"error_response":{…}}`, unsigned, as Alipay answers before it knows whom to sign for.
pub(crate) fn error_response(failure: &Failure) -> String {
    unsigned("error_response", &Node::failure(failure).finish())
}

/// `{"<key>":<node>}`; a `20000` failure if `node` is not JSON (a bug).
fn unsigned(key: &str, node: &str) -> String {
    wire::envelope(key, node, None, None).unwrap_or_else(|| {
        let failure = Failure::unavailable();
        serde_json::json!({ "error_response": {
            "code": failure.code,
            "msg": failure.msg,
            "sub_code": failure.sub_code,
            "sub_msg": failure.sub_msg,
        }})
        .to_string()
    })
}

/// `{"<key>":<node>,"sign":"…"}` with the node signed by the sandbox's Alipay key (for a
/// certificate app: the current Alipay certificate's, named in `alipay_cert_sn`).
pub(crate) fn signed(shared: &Shared, app_id: &str, key: &str, node: &str) -> String {
    let (signer, cert_sn) = shared.alipay_signer(app_id);
    signer
        .sign(node.as_bytes())
        .ok()
        .and_then(|sign| wire::envelope(key, node, cert_sn.as_deref(), Some(&sign)))
        .unwrap_or_else(|| error_response(&Failure::unavailable()))
}
