//! What an injected [`Fault`] does to an answer of the gateway: the deliberately broken bytes
//! (truncated JSON, a wrong signature, a duplicated node, GBK text, …) are written here by hand.

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;

use super::fault::{self, Fault};
use super::reply::{Reply, ReplyBody, error_response};
use super::server::{CutAfter, GATEWAY_CONTENT_TYPE, respond};
use super::shared::Shared;
use super::wire::Failure;
use crate::crypto::Signer as _;
use crate::request::response_key_of;

/// The answer of a call a fault stops before it runs ([`Fault::skips_call`]).
pub(crate) fn skipped_call_answer(
    shared: &Shared,
    fault: &Fault,
    method: Option<&str>,
) -> Response<Full<Bytes>> {
    match fault {
        Fault::GbkSubMsg => {
            let key = method.map_or_else(|| "error_response".to_owned(), response_key_of);
            let mut node = Vec::with_capacity(160);
            node.extend_from_slice(
                br#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":""#,
            );
            node.extend_from_slice(&fault::gbk_busy_message());
            node.extend_from_slice(b"\"}");
            let Ok(sign) = shared.signer.sign(&node) else {
                return respond(
                    StatusCode::OK,
                    GATEWAY_CONTENT_TYPE,
                    error_response(&Failure::unavailable()),
                );
            };
            let mut body = Vec::with_capacity(node.len() + sign.len() + key.len() + 16);
            body.extend_from_slice(b"{\"");
            body.extend_from_slice(key.as_bytes());
            body.extend_from_slice(b"\":");
            body.extend_from_slice(&node);
            body.extend_from_slice(b",\"sign\":\"");
            body.extend_from_slice(sign.as_bytes());
            body.extend_from_slice(b"\"}");
            respond(StatusCode::OK, "text/html;charset=GBK", body)
        }
        Fault::HttpStatus(status) => {
            let status = StatusCode::from_u16(*status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::BAD_GATEWAY);
            let page = fault::error_page(
                status.as_u16(),
                status.canonical_reason().unwrap_or("Server Error"),
            );
            respond(status, "text/html", page)
        }
        _ => respond(
            StatusCode::OK,
            GATEWAY_CONTENT_TYPE,
            error_response(&Failure::unavailable()),
        ),
    }
}

/// The answer of a call that ran, spoiled by `fault`.
pub(crate) fn spoiled(shared: &Shared, fault: &Fault, reply: &Reply) -> Response<Full<Bytes>> {
    let whole = || respond(StatusCode::OK, reply.content_type, reply.render(shared));
    let ReplyBody::Json { key, node, .. } = &reply.body else {
        // A page: only a reset applies.
        return match fault {
            Fault::ConnectionReset => cut(whole(), reply.render(shared)),
            _ => whole(),
        };
    };
    let sign = || shared.signer.sign(node.as_bytes()).unwrap_or_default();
    let body = match fault {
        Fault::Latency(_) | Fault::HttpStatus(_) | Fault::GbkSubMsg => return whole(),
        Fault::ConnectionReset => return cut(whole(), reply.render(shared)),
        Fault::TruncatedJson => {
            let full = reply.render(shared);
            let mut at = full.len() / 2;
            while !full.is_char_boundary(at) {
                at -= 1;
            }
            full[..at].to_owned()
        }
        Fault::WrongSignature => {
            let forged = shared
                .signer
                .sign(format!("{node} ").as_bytes())
                .unwrap_or_default();
            envelope(key, node, Some(&forged), "")
        }
        Fault::Unsigned => envelope(key, node, None, ""),
        Fault::DuplicateNode => {
            let mut doubled = String::with_capacity(node.len() + key.len() + 4);
            doubled.push_str(node);
            doubled.push_str(",\"");
            doubled.push_str(key);
            doubled.push_str("\":");
            doubled.push_str(node);
            envelope(key, &doubled, Some(&sign()), "")
        }
        Fault::Oversize(size) => {
            let sign = sign();
            let base = envelope(key, node, Some(&sign), ",\"padding\":\"\"");
            let size = (*size).min(fault::MAX_OVERSIZE);
            let padding = "x".repeat(size.saturating_sub(base.len()));
            envelope(
                key,
                node,
                Some(&sign),
                &format!(",\"padding\":\"{padding}\""),
            )
        }
    };
    respond(StatusCode::OK, reply.content_type, body)
}

/// `response`, whose body `body` is sent only half before the connection drops.
pub(crate) fn cut(
    mut response: Response<Full<Bytes>>,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let body: Bytes = body.into();
    let at = body.len() / 2;
    *response.body_mut() = Full::new(Bytes::new());
    response.extensions_mut().insert(CutAfter { body, at });
    response
}

/// `{"<key>":<node>[,"sign":"…"]<extra>}`, written by hand: `node` may be broken on purpose.
fn envelope(key: &str, node: &str, sign: Option<&str>, extra: &str) -> String {
    let mut out = String::with_capacity(key.len() + node.len() + 400 + extra.len());
    out.push_str("{\"");
    out.push_str(key);
    out.push_str("\":");
    out.push_str(node);
    if let Some(sign) = sign {
        out.push_str(",\"sign\":\"");
        out.push_str(sign);
        out.push('"');
    }
    out.push_str(extra);
    out.push('}');
    out
}
