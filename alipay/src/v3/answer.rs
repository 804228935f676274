//! Verifying a v3 answer from its status, headers and raw body, before anything in it is used:
//! a pure function, so any transport (or a recorded answer) can be checked the same way.
//!
//! See <https://opendocs.alipay.com/open-v3/054d0z> (v3 验签规则).

use http::HeaderMap;

use super::error::V3Error;
use crate::error::{Error, VerifyError};

/// The answer header with the signing time.
pub const TIMESTAMP_HEADER: &str = "alipay-timestamp";
/// The answer header with the signing nonce.
pub const NONCE_HEADER: &str = "alipay-nonce";
/// The answer header with the base64 signature.
pub const SIGNATURE_HEADER: &str = "alipay-signature";
/// The answer header naming the Alipay certificate that signed (certificate mode).
pub const SN_HEADER: &str = "alipay-sn";
/// The answer header naming the exchange, quoted to Alipay's support.
pub const TRACE_ID_HEADER: &str = "alipay-trace-id";

/// The longest body snippet kept in [`Error::V3Unsigned`].
const SNIPPET: usize = 256;

/// The content an answer is signed over: `timestamp\nnonce\nbody\n` (an empty body leaves an
/// empty line).
pub fn answer_content(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    out.extend_from_slice(timestamp.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(nonce.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(body);
    out.push(b'\n');
    out
}

/// A header's value as text; `Ok(None)` when absent, an error when it is not visible ASCII.
fn header<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<Option<&'h str>, Error> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(Some)
            .map_err(|_| VerifyError::MalformedHeader(name).into()),
    }
}

/// Verifies a v3 answer and returns its body, now trusted.
///
/// `verify(sn, content, signature)` checks `signature` over `content` with the key of the
/// certificate `sn` (the `alipay-sn` header, certificate mode) or with the Alipay public key.
///
/// - 2xx: the answer must be signed (`alipay-signature`, `alipay-timestamp`, `alipay-nonce`),
///   empty bodies included, else [`VerifyError::MissingSign`] /
///   [`VerifyError::MissingHeader`]; a signature that does not verify is
///   [`VerifyError::Mismatch`] (or [`VerifyError::BadEncoding`]).
/// - other statuses, signed: verified the same way, then [`Error::V3`] with the error body.
/// - other statuses, unsigned: [`Error::V3Unsigned`], whose content is not to be trusted.
pub fn verify_answer<'b>(
    status: u16,
    headers: &HeaderMap,
    body: &'b [u8],
    verify: impl FnOnce(Option<&str>, &[u8], &str) -> Result<(), VerifyError>,
) -> Result<&'b [u8], Error> {
    let success = (200..300).contains(&status);
    let trace_id = header(headers, TRACE_ID_HEADER)
        .ok()
        .flatten()
        .map(|t| t.chars().take(128).collect::<String>());
    let Some(signature) = header(headers, SIGNATURE_HEADER)? else {
        if success {
            return Err(VerifyError::MissingSign.into());
        }
        let end = body.len().min(SNIPPET);
        return Err(Error::V3Unsigned {
            status,
            snippet: String::from_utf8_lossy(&body[..end]).into_owned(),
            trace_id,
        });
    };
    let timestamp =
        header(headers, TIMESTAMP_HEADER)?.ok_or(VerifyError::MissingHeader(TIMESTAMP_HEADER))?;
    let nonce = header(headers, NONCE_HEADER)?.ok_or(VerifyError::MissingHeader(NONCE_HEADER))?;
    let sn = header(headers, SN_HEADER)?;
    verify(sn, &answer_content(timestamp, nonce, body), signature)?;
    if success {
        return Ok(body);
    }
    match V3Error::parse(status, body, trace_id) {
        Some(error) => Err(Error::V3(error)),
        None => Err(crate::ResponseError::Malformed(format!(
            "the signed v3 error answer (HTTP {status}) is not a JSON object with a `code`"
        ))
        .into()),
    }
}
