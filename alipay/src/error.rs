//! The SDK's error type, and [`Report`], which prints an error with its causes.
//!
//! The convention every error of the SDK follows: its `Display` says what went wrong at its own
//! layer, never its cause; the cause is [`source()`](std::error::Error::source). A chain
//! reporter such as [`Report`] (or `anyhow`'s `{:#}`) joins them, each message once.
//!
//! What an error says about the answer depends on whether the answer was **verified**: only
//! [`Error::Api`] and [`Error::Decode`] come from an answer whose signature verified with
//! Alipay's key. Every other error about an answer ([`Error::Gateway`],
//! [`Error::HttpStatus`], [`Error::BodyTooLarge`], [`Error::Response`], [`Error::Verify`],
//! [`Error::Certificate`]) comes from bytes that anyone on the network path could have written:
//! it tells nothing about the trade. Query it again (e.g.
//! [`TradeQuery`](crate::payment::common::TradeQuery)) before acting on an outcome.

mod connect;

use std::fmt;
use std::time::Duration;

pub use connect::{ConnectError, ConnectStep, GatewayError, TransportError, TransportStep};

/// A boxed error from a lower layer (HTTP, TLS, I/O), kept as the [`source`](std::error::Error::source).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when configuring the client, calling Alipay or checking what
/// Alipay sent.
///
/// Transport variants say whether the request may have reached Alipay: when it may have, a
/// payment call may have taken effect, so query the trade before retrying it. Only
/// [`Api`](Self::Api) and [`Decode`](Self::Decode) come from a verified answer (see the
/// [module docs](self)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot work (a bad key, an empty app id, …). Nothing was sent.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The request could not be encoded (a `biz_content` that does not serialize, …). Nothing
    /// was sent.
    #[error(transparent)]
    Encode(#[from] EncodeError),

    /// The request could not be signed (e.g. a remote signer failed). Nothing was sent.
    #[error("failed to sign the request (nothing was sent)")]
    Sign(#[source] BoxError),

    /// The connection to the gateway could not be made (DNS, TCP, the proxy, the TLS
    /// handshake). The request was **not** sent. The message names the gateway and the step
    /// ([`ConnectError::step`]); the lower layer's error is the source.
    #[error(transparent)]
    Connect(ConnectError),

    /// The connection failed after the request started to be written: the request **may have
    /// reached Alipay**. The message names the gateway and the step; the lower layer's error
    /// is the source.
    #[error(transparent)]
    Transport(TransportError),

    /// No complete answer arrived within the deadline: the request **may have reached Alipay**.
    #[error("no answer from the Alipay gateway within {0:?}")]
    Timeout(Duration),

    /// The gateway answered with an HTTP error status and a body that is not an Alipay answer
    /// (e.g. a load balancer's HTML page). The request **may have reached Alipay**. Nothing
    /// in it is verified: the snippet is what the peer sent, with secret parameter values
    /// (tokens, OAuth codes) redacted in case it echoed the request.
    #[error("the gateway answered HTTP {status}: {snippet}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The beginning of the body, for the log (at most 256 bytes, lossily decoded, secret
        /// parameter values replaced by `[redacted]`).
        snippet: String,
    },

    /// The answer was larger than the configured limit; it was not read further. The request
    /// **may have reached Alipay**.
    #[error("the gateway's answer is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// The answer is not the JSON document Alipay sends, or has no node for the method. Not
    /// verified: the request **may have reached Alipay**, query again.
    #[error(transparent)]
    Response(#[from] ResponseError),

    /// The answer's signature is missing or does not verify: its content must not be trusted
    /// and is not returned. The request **may have reached Alipay** (a forger or a wrong key
    /// cannot be told apart): query again.
    #[error(transparent)]
    Verify(#[from] VerifyError),

    /// An asynchronous notification was refused.
    #[error(transparent)]
    Notify(#[from] crate::notify::NotifyError),

    /// The gateway answered with an **unsigned** `error_response` (e.g. an unknown app id or a
    /// bad request signature). Alipay does not sign these, so they are reported as they are,
    /// and **anyone on the network path can forge one** (a proxy, an `http://` gateway, a
    /// TLS-intercepting middlebox): it proves neither that the request reached Alipay nor that
    /// it was not executed. Conclude nothing about the trade from it: fix the configuration it
    /// names if it is plausible, and query the trade before retrying a payment. Its messages
    /// are the peer's, with secret parameter values redacted.
    #[error("the Alipay gateway refused the request: {0}")]
    Gateway(ApiError),

    /// Alipay executed the request and answered with a **signed** business failure
    /// (`code` other than `10000`): the signature verified, so this is Alipay's answer (e.g.
    /// `ACQ.TRADE_NOT_EXIST` means the trade does not exist).
    #[error("Alipay answered with an error: {0}")]
    Api(ApiError),

    /// The verified answer could not be parsed into the response type: Alipay answered, but
    /// with fields this SDK does not expect (the JSON error, the cause, says where).
    #[error("the verified answer does not match the response type")]
    Decode {
        /// The JSON error, with its position in the answer node.
        #[source]
        source: serde_json::Error,
    },

    /// AES encryption or decryption failed (see [`Client::aes_decrypt`](crate::Client::aes_decrypt)).
    #[error(transparent)]
    Aes(#[from] crate::crypto::AesError),

    /// Certificate mode: an answer was signed with an Alipay certificate the client did not
    /// know, and the certificate downloaded for it (`alipay.open.app.alipaycert.download`)
    /// cannot be trusted: it does not chain to a configured root, is not valid now, or is not
    /// the certificate asked for. The answer was not used, and since it is not verified it
    /// tells nothing about the trade: query again.
    #[error("the new Alipay certificate is refused")]
    Certificate(#[source] crate::cert::CertError),
    /// OpenAPI v3: Alipay refused the request with a **signed** error answer (a non-2xx status
    /// whose signature verified): `code`, `message`, `links`, the status and the trace id.
    #[error("Alipay answered with a v3 error: {0}")]
    V3(crate::v3::V3Error),
    /// OpenAPI v3: a non-2xx answer **without a signature** (a proxy's page, or a forgery):
    /// nothing in it can be trusted, so it is reported apart from [`Error::V3`]. The request
    /// may have reached Alipay.
    #[error("the v3 gateway answered HTTP {status} without a signature (not trusted): {snippet}")]
    V3Unsigned {
        /// The HTTP status code.
        status: u16,
        /// The beginning of the body, for the log (at most 256 bytes, lossily decoded).
        snippet: String,
        /// The `alipay-trace-id` header, if present (unsigned too).
        trace_id: Option<String>,
    },
}

/// Alipay's error fields: `code`, `msg`, `sub_code` and `sub_msg`.
#[derive(Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct ApiError {
    /// The gateway code, e.g. `40004` (business failure) or `40002` (invalid parameters).
    pub code: String,
    /// The gateway message, e.g. `Business Failed`.
    #[serde(default)]
    pub msg: String,
    /// The business code, e.g. `ACQ.TRADE_NOT_EXIST`.
    #[serde(default)]
    pub sub_code: Option<String>,
    /// The business message, e.g. `交易不存在`.
    #[serde(default)]
    pub sub_msg: Option<String>,
}

impl ApiError {
    /// An error with the given gateway code and message and no sub code.
    pub fn new(code: impl Into<String>, msg: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            msg: msg.into(),
            sub_code: None,
            sub_msg: None,
        }
    }

    /// Sets the sub code and sub message.
    pub fn with_sub(mut self, sub_code: impl Into<String>, sub_msg: impl Into<String>) -> Self {
        self.sub_code = Some(sub_code.into());
        self.sub_msg = Some(sub_msg.into());
        self
    }

    /// Whether this is a business failure (`40004`): the request was valid but could not be
    /// carried out (e.g. `ACQ.TRADE_NOT_EXIST`).
    pub fn is_business_failure(&self) -> bool {
        self.code == "40004"
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code)
            .field("msg", &self.msg)
            .field("sub_code", &self.sub_code)
            .field("sub_msg", &self.sub_msg)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.msg)?;
        if let Some(sub_code) = &self.sub_code {
            write!(f, " ({sub_code}")?;
            if let Some(sub_msg) = &self.sub_msg {
                write!(f, ": {sub_msg}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A configuration that cannot work, with the field at fault.
///
/// When a lower layer said why (a [`KeyError`](crate::crypto::KeyError) for a key, a
/// [`CertError`](crate::cert::CertError) for a certificate), that error is the
/// [`source()`](std::error::Error::source), to match on:
///
/// ```
/// use std::error::Error as _;
/// use alipay::crypto::KeyError;
///
/// // A password-protected app key (a test fixture).
/// let encrypted = include_str!(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/tests/fixtures/keys/app_private_encrypted.pem"
/// ));
/// let error = alipay::Client::builder()
///     .app_id("2021000000000000")
///     .app_private_key(encrypted)
///     .alipay_public_key("MIIB")
///     .build()
///     .unwrap_err();
/// let key_error = error.source().and_then(|e| e.downcast_ref::<KeyError>());
/// assert!(matches!(key_error, Some(KeyError::Encrypted)));
/// ```
#[derive(Debug, thiserror::Error)]
#[error("invalid `{field}`{}{reason}", if reason.is_empty() { "" } else { ": " })]
pub struct ConfigError {
    /// The configuration field, e.g. `app_private_key`.
    pub field: &'static str,
    /// What is wrong with it, when no lower layer says it (empty when [`source()`](std::error::Error::source)
    /// does).
    pub reason: String,
    /// The lower layer's error that says what is wrong.
    #[source]
    source: Option<BoxError>,
}

impl ConfigError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
            source: None,
        }
    }

    /// `field` is invalid because of `source`: a closure for `map_err`.
    pub(crate) fn caused<E: Into<BoxError>>(field: &'static str) -> impl FnOnce(E) -> Self {
        move |source| Self {
            field,
            reason: String::new(),
            source: Some(source.into()),
        }
    }
}

/// A request whose parameters cannot be encoded.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode the request: {message}")]
pub struct EncodeError {
    message: String,
    #[source]
    source: Option<serde_json::Error>,
}

impl EncodeError {
    /// An encoding error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A JSON serialization error (the [`source`](std::error::Error::source)).
    pub fn json(source: serde_json::Error) -> Self {
        Self {
            message: "a parameter does not serialize to JSON".to_owned(),
            source: Some(source),
        }
    }
}

/// An answer that is not shaped like an Alipay answer. Nothing in it is verified (see the
/// [module docs](self)): the request may have reached Alipay, query again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The body is not a JSON object (e.g. an HTML page or truncated JSON).
    #[error("the answer is not JSON")]
    NotJson(#[source] serde_json::Error),
    /// The body is JSON but has neither the method's node nor `error_response`.
    #[error("the answer has neither `{0}` nor `error_response`")]
    MissingNode(String),
    /// The method's node (or `error_response`) appears more than once: a forged body may try to
    /// have one copy verified and another parsed, so the answer is refused.
    #[error("the answer contains `{0}` more than once")]
    DuplicateNode(String),
    /// The node is not valid JSON, or its `code` fields are missing (the reason has secret
    /// parameter values redacted).
    #[error("the answer node is malformed: {0}")]
    Malformed(String),
    /// The body is not text in the character set the request declared (its `charset`
    /// parameter, UTF-8 for every request this client sends): e.g. a GBK answer to a UTF-8
    /// request, or a non-UTF-8 byte put outside the signed node. The answer is refused rather
    /// than read in another character set: nothing that names one (`Content-Type`, the bytes
    /// around the node) is signed, and a node Alipay signed as UTF-8 read as GBK would verify
    /// and yet turn every Chinese string into mojibake. Whatever the answer said is unknown:
    /// query again.
    #[error(
        "the answer is not {declared} text, the character set the request declared: refused \
         rather than read in another one"
    )]
    Charset {
        /// The character set the request declared.
        declared: crate::response::Charset,
    },
    /// The node is encrypted (`encrypt_type=AES`) and its verified content does not decrypt
    /// with the configured key (a wrong key, or content altered before it was signed).
    #[error("the encrypted answer cannot be decrypted")]
    Decrypt(#[source] crate::crypto::AesError),
}

/// Why a signature check failed: the answer (or notification) is not Alipay's as far as the
/// client can tell, and its content is not used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A successful answer (or a notification) came without a `sign`.
    #[error("the answer is not signed")]
    MissingSign,
    /// The `sign` is not valid base64.
    #[error("the signature is not valid base64")]
    BadEncoding,
    /// The signature does not match the content: the content was altered, or the wrong Alipay
    /// public key is configured.
    #[error("the signature does not match (tampered content or wrong Alipay public key)")]
    Mismatch,
    /// The signer's certificate (`alipay_cert_sn`) is not one the client trusts. In certificate
    /// mode the client downloads an unknown certificate before it gives up; this error means
    /// the download did not give a trusted certificate (calls that waited for another call's
    /// failed download get this error; the call that downloaded gets the reason).
    #[error("unknown Alipay certificate `{0}`")]
    UnknownCertificate(String),
    /// OpenAPI v3: a signed answer lacks a header its signature covers (`alipay-timestamp`,
    /// `alipay-nonce`).
    #[error("the v3 answer is signed but has no `{0}` header")]
    MissingHeader(&'static str),
    /// OpenAPI v3: a signature header is not visible ASCII text.
    #[error("the v3 answer's `{0}` header is not ASCII text")]
    MalformedHeader(&'static str),
}

/// An error and its causes on one line, `error: cause: cause…`, each message once: the chain
/// formatter for logs and command lines (the `alipay` tool prints its errors with it).
///
/// Errors of this SDK never repeat their cause in their own message (see the
/// [module docs](self)); a cause whose message the previous one already contains (a
/// third-party error that prints its cause) is skipped, so nothing shows twice.
///
/// ```
/// use alipay::error::Report;
///
/// let error = alipay::Client::builder()
///     .app_id("2021000000000000")
///     .app_private_key("not a key")
///     .alipay_public_key("MIIB")
///     .build()
///     .unwrap_err();
/// assert_eq!(
///     Report::new(&error).to_string(),
///     "invalid `app_private_key`: the key is neither PEM (`-----BEGIN ...-----`) nor base64 text"
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Report<'a>(&'a (dyn std::error::Error + 'static));

impl<'a> Report<'a> {
    /// The report of `error` and its [`source`](std::error::Error::source) chain.
    pub fn new(error: &'a (dyn std::error::Error + 'static)) -> Self {
        Self(error)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        for cause in chain(self.0).skip(1) {
            let text = cause.to_string();
            if text.is_empty() || shown.contains(&text) {
                continue;
            }
            if !shown.is_empty() {
                f.write_str(": ")?;
            }
            f.write_str(&text)?;
            shown = text;
        }
        Ok(())
    }
}

/// `error` and its causes, outermost first: `error`, its
/// [`source`](std::error::Error::source), that one's source, and so on.
pub fn chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| e.source())
}
