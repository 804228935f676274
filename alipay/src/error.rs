//! The SDK's error type.

use std::fmt;
use std::time::Duration;

/// A boxed error from a lower layer (HTTP, TLS, I/O), kept as the [`source`](std::error::Error::source).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when configuring the client, calling Alipay or checking what
/// Alipay sent.
///
/// Transport variants say whether the request may have reached Alipay: when it may have, a
/// payment call may have taken effect, so query the trade before retrying it.
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
    #[error("failed to sign the request")]
    Sign(#[source] BoxError),

    /// The connection to the gateway could not be made (DNS, TCP, TLS handshake). The request
    /// was **not** sent.
    #[error("could not connect to the Alipay gateway")]
    Connect(#[source] BoxError),

    /// The connection failed after the request started to be written: the request **may have
    /// reached Alipay**.
    #[error("the HTTP exchange with the Alipay gateway failed")]
    Transport(#[source] BoxError),

    /// No complete answer arrived within the deadline: the request **may have reached Alipay**.
    #[error("no answer from the Alipay gateway within {0:?}")]
    Timeout(Duration),

    /// The gateway answered with an HTTP error status and a body that is not an Alipay answer
    /// (e.g. a load balancer's HTML page). The request **may have reached Alipay**.
    #[error("the gateway answered HTTP {status}: {snippet}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The beginning of the body, for the log (at most 256 bytes, lossily decoded).
        snippet: String,
    },

    /// The answer was larger than the configured limit; it was not read further.
    #[error("the gateway's answer is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// The answer is not the JSON document Alipay sends, or has no node for the method.
    #[error(transparent)]
    Response(#[from] ResponseError),

    /// The answer's signature is missing or does not verify: its content must not be trusted.
    #[error(transparent)]
    Verify(#[from] VerifyError),

    /// An asynchronous notification was refused.
    #[error(transparent)]
    Notify(#[from] crate::notify::NotifyError),

    /// The gateway refused the request with an **unsigned** `error_response` (e.g. an unknown app
    /// id or a bad request signature). Alipay does not sign these, so they are reported as they
    /// are: the request reached Alipay and was not executed.
    #[error("the Alipay gateway refused the request: {0}")]
    Gateway(ApiError),

    /// Alipay executed the request and answered with a **signed** business failure
    /// (`code` other than `10000`).
    #[error("Alipay answered with an error: {0}")]
    Api(ApiError),

    /// The verified answer could not be parsed into the response type.
    #[error("the verified answer does not match the response type: {source}")]
    Decode {
        /// The JSON error, with its position in the answer node.
        #[source]
        source: serde_json::Error,
    },

    /// AES encryption or decryption failed (see [`Client::aes_decrypt`](crate::Client::aes_decrypt)).
    #[error(transparent)]
    Aes(#[from] crate::crypto::AesError),

    /// Local rendering is not possible for this request (e.g. an upload rendered as a page).
    #[error("{0}")]
    Unsupported(&'static str),

    /// Certificate mode: an answer was signed with an Alipay certificate the client did not
    /// know, and the certificate downloaded for it (`alipay.open.app.alipaycert.download`)
    /// cannot be trusted: it does not chain to a configured root, is not valid now, or is not
    /// the certificate asked for. The answer was not used.
    #[error("the new Alipay certificate is refused: {0}")]
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
#[derive(Debug, thiserror::Error)]
#[error("invalid `{field}`: {reason}")]
pub struct ConfigError {
    /// The configuration field, e.g. `app_private_key`.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
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

    /// A JSON serialization error.
    pub fn json(source: serde_json::Error) -> Self {
        Self {
            message: source.to_string(),
            source: Some(source),
        }
    }
}

/// An answer that is not shaped like an Alipay answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The body is not a JSON object (e.g. an HTML page or truncated JSON).
    #[error("the answer is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The body is JSON but has neither the method's node nor `error_response`.
    #[error("the answer has neither `{0}` nor `error_response`")]
    MissingNode(String),
    /// The method's node (or `error_response`) appears more than once: a forged body may try to
    /// have one copy verified and another parsed, so the answer is refused.
    #[error("the answer contains `{0}` more than once")]
    DuplicateNode(String),
    /// The node is not valid JSON, or its `code` fields are missing.
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
    #[error("the encrypted answer cannot be decrypted: {0}")]
    Decrypt(#[source] crate::crypto::AesError),
}

/// Why a signature check failed.
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
