//! OpenAPI v3: the REST + JSON protocol Alipay recommends for new integrations
//! (`https://openapi.alipay.com/v3/...`, see <https://opendocs.alipay.com/open-v3/>), beside
//! the v2 gateway (`gateway.do`).
//!
//! The same request struct serves both protocols: `#[alipay(method = "alipay.trade.query",
//! v3 = "POST /v3/alipay/trade/query")]` gives it its v3 [`Route`], and the same response struct
//! parses both answers (a v3 body carries the business fields directly, without the
//! `*_response` node and without `code`/`msg`). A client picks its protocol with
//! [`ClientBuilder::protocol`](crate::ClientBuilder::protocol) (v2 by default), and one call can
//! override it with [`Call::protocol`](crate::Call::protocol). A request without a v3 route
//! always goes over v2: the page, WAP and app payments, the agreement page sign, the certify
//! URL, the certificate download, passes and content risk exist only there.
//!
//! # The recipe, byte for byte
//!
//! **Request** ([`sign`]):
//!
//! 1. `authString` = `app_id=<APPID>[,app_cert_sn=<SN>],nonce=<random>,timestamp=<epoch ms>`
//!    `[,expired_seconds=<n>]`, comma-joined, no spaces (`app_cert_sn` in certificate mode).
//! 2. The content signed is `authString\nMETHOD\npath?query\nbody\n`, plus `app_auth_token\n`
//!    when the call is made for a merchant (the token also goes in the `alipay-app-auth-token`
//!    header). Every line ends with `\n`, the last one too; an empty body leaves an empty line.
//! 3. `path?query` is exactly what is sent: the path with its `{field}` placeholders filled
//!    (percent-encoded) and, for `GET` and `DELETE`, the business fields as the query string,
//!    encoded once ([`route`]); those same bytes are sent and signed.
//! 4. `sign = base64(SHA256withRSA(content))`; the header is
//!    `Authorization: ALIPAY-SHA256withRSA {authString},sign={sign}`.
//! 5. Headers: `alipay-request-id` (a fresh random id), `alipay-root-cert-sn` in certificate
//!    mode, `Content-Type: application/json`, `Accept: application/json`.
//! 6. Encrypted calls (`alipay-encrypt-type: AES`): the body is the base64 AES ciphertext of
//!    the JSON (`Content-Type: text/plain`), encrypted first, then signed: the ciphertext is
//!    the body line.
//! 7. Uploads (requests with file parts): the body is `multipart/form-data`, its part `data`
//!    the JSON (`Content-Type: application/json`; with AES the ciphertext, `text/plain`), then
//!    the file parts. The body line of the signed content is the `data` part's text, not the
//!    multipart bytes; the files are not signed.
//!
//! **Answer** ([`answer`]): every answer with a 2xx status is verified over
//! `alipay-timestamp\nalipay-nonce\nraw body\n` with the `alipay-signature` header, an empty
//! body included; in certificate mode the key is the one of the certificate `alipay-sn` names.
//! A missing or malformed signature header is an error, never a panic. A non-2xx answer that is
//! signed is verified, then becomes [`Error::V3`](crate::Error::V3) (`code`, `message`, `links`,
//! the HTTP status and `alipay-trace-id`); one that is not signed is
//! [`Error::V3Unsigned`](crate::Error::V3Unsigned), which says so.

pub mod answer;
pub mod error;
pub mod route;
pub mod sign;

pub use answer::verify_answer;
pub use error::{V3Error, V3Link};
pub use route::{Prepared, Route, Verb};

/// The production host of OpenAPI v3.
pub const PRODUCTION_ENDPOINT: &str = "https://openapi.alipay.com";

/// Which protocol a call goes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// The v2 gateway (`gateway.do`, form-encoded, `sign` parameter): the default, and the only
    /// protocol of requests without a v3 route.
    #[default]
    V2,
    /// OpenAPI v3 (`/v3/...`, JSON, `Authorization` header) for requests that have a v3 route;
    /// the others still go over v2.
    V3,
}
