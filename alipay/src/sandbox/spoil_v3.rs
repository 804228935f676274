//! What an injected [`Fault`] does to an answer of the v3 gateway (`/v3/...`), the counterpart
//! of [`spoil`](super::spoil) for `/gateway.do`: the signature headers left out or forged, the
//! body cut, doubled or padded, GBK text.
//!
//! With AES (the request was encrypted, so the answer is), the body is spoiled before it is
//! encrypted: the client decrypts, then finds the JSON broken.

use bytes::Bytes;
use http::{HeaderMap, Response};
use http_body_util::Full;
use serde_json::{Map, Value};

use super::fault::{self, Fault};
use super::shared::Shared;
use super::spoil;
use super::v3::{Answer, header, render, signed_response, status_of};
use super::wire::Failure;
use crate::v3::sign::Authorization;

/// The answer of a v3 call a fault stops before it runs ([`Fault::skips_call`]); the request
/// is not checked.
pub(crate) fn skipped_call_answer(
    shared: &Shared,
    fault: &Fault,
    headers: &HeaderMap,
) -> Response<Full<Bytes>> {
    match fault {
        Fault::GbkSubMsg => {
            // The app named by the request, read only to choose the signing key.
            let app_id = header(headers, "authorization")
                .and_then(|value| Authorization::parse(value).ok())
                .map(|auth| auth.app_id)
                .filter(|app_id| shared.app(app_id).is_some());
            let mut body = Vec::with_capacity(96);
            body.extend_from_slice(br#"{"code":"ACQ.SYSTEM_ERROR","message":""#);
            body.extend_from_slice(&fault::gbk_busy_message());
            body.extend_from_slice(b"\"}");
            let failure = Failure::business("ACQ.SYSTEM_ERROR", "");
            signed_response(
                shared,
                status_of(&failure),
                "text/html;charset=GBK",
                body,
                app_id.as_deref(),
                None,
            )
        }
        _ => spoil::skipped_call_answer(shared, fault, None),
    }
}

/// The answer of a v3 call that ran, spoiled by `fault`.
pub(crate) fn spoiled(shared: &Shared, fault: &Fault, answer: &Answer) -> Response<Full<Bytes>> {
    let signer = answer.signer.as_deref();
    let send = |json: &str, signer: Option<&str>, signed_over: Option<&[u8]>| {
        signed_response(
            shared,
            answer.status,
            answer.content_type(),
            answer.wire(json).into_bytes(),
            signer,
            signed_over,
        )
    };
    match fault {
        Fault::Latency(_) | Fault::HttpStatus(_) | Fault::GbkSubMsg => render(shared, answer),
        Fault::ConnectionReset => {
            let body = answer.wire(&answer.body);
            spoil::cut(send(&answer.body, signer, None), body)
        }
        Fault::TruncatedJson => send(half(&answer.body), signer, None),
        Fault::WrongSignature => {
            let other = format!("{} ", answer.wire(&answer.body));
            send(&answer.body, signer, Some(other.as_bytes()))
        }
        Fault::Unsigned => send(&answer.body, None, None),
        Fault::DuplicateNode => send(&doubled(&answer.body), signer, None),
        Fault::Oversize(size) => send(&padded(&answer.body, *size), signer, None),
    }
}

/// The first half of `json`, cut at a character boundary.
fn half(json: &str) -> &str {
    let mut at = json.len() / 2;
    while !json.is_char_boundary(at) {
        at -= 1;
    }
    &json[..at]
}

/// The JSON object `json` with its first field (in key order) written again at the end, with
/// the same value; `{}` and anything but an object are left as they are.
fn doubled(json: &str) -> String {
    let Ok(map) = serde_json::from_str::<Map<String, Value>>(json) else {
        return json.to_owned();
    };
    let (Some((key, value)), Some(head)) = (map.iter().next(), json.trim_end().strip_suffix('}'))
    else {
        return json.to_owned();
    };
    format!("{head},{}:{value}}}", Value::String(key.clone()))
}

/// The JSON object `json` with a `padding` field of `x`s making it `size` bytes long (at most
/// [`fault::MAX_OVERSIZE`]).
fn padded(json: &str, size: usize) -> String {
    let head = json.trim_end().strip_suffix('}').unwrap_or(json);
    let separator = if head.trim_end().ends_with('{') {
        ""
    } else {
        ","
    };
    let frame = head.len() + separator.len() + r#""padding":""}"#.len();
    let padding = "x".repeat(size.min(fault::MAX_OVERSIZE).saturating_sub(frame));
    format!("{head}{separator}\"padding\":\"{padding}\"}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_spoiled_as_documented() {
        assert_eq!(doubled(r#"{"b":2,"a":[1]}"#), r#"{"b":2,"a":[1],"a":[1]}"#);
        assert_eq!(doubled("{}"), "{}");
        assert_eq!(padded("{}", 20), r#"{"padding":"xxxxxx"}"#);
        assert_eq!(padded(r#"{"a":1}"#, 24).len(), 24);
        assert_eq!(half("{\"a\":\"系统\"}"), "{\"a\":\"");
    }
}
