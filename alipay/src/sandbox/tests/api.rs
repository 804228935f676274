//! End-to-end tests of the methods beyond common payment: OAuth, QR codes, uploads and risk
//! detection; the life account, passes and template messages; identification; face to face and
//! Huabei. This module holds what they share: calls with text parameters, answers checked
//! whatever their node, and the paths of served URLs; each submodule holds the methods of one
//! part of the sandbox.

use super::*;

mod marketing;
mod member;
mod open;
mod trade;

/// Checks `{"<method>_response":NODE,"sign":"…"}` is signed by the sandbox, whatever the node
/// starts with (OAuth answers have no `code`); returns the node.
fn verified_any(sandbox: &Sandbox, method: &str, answer: &Answer) -> Value {
    assert_eq!(answer.status, 200);
    let raw = &answer.body;
    let prefix = format!("{{\"{}\":", response_key_of(method));
    assert!(raw.starts_with(&prefix), "{raw}");
    let sign_at = raw.rfind(",\"sign\":\"").unwrap();
    let node = &raw[prefix.len()..sign_at];
    sandbox
        .alipay_public_key()
        .verify(node.as_bytes(), &raw[sign_at + 9..raw.len() - 2])
        .unwrap_or_else(|e| panic!("answer signature: {e}: {raw}"));
    serde_json::from_str(node).unwrap()
}

/// A signed call with top-level text parameters and no `biz_content`.
async fn call_text(
    sandbox: &Sandbox,
    app: &SandboxApp,
    method: &str,
    text: &[(&str, &str)],
) -> Value {
    let params = signed_params(&app.app_id, &app.private_key, method, None, text);
    verified_any(sandbox, method, &post(sandbox, &params).await)
}

/// The path of a URL served by the sandbox.
fn path_of<'a>(sandbox: &Sandbox, url: &'a str) -> &'a str {
    let prefix = format!("http://{}", sandbox.addr());
    assert!(url.starts_with(&prefix), "{url}");
    &url[prefix.len()..]
}
