//! Prepare, the first stage of a call: the request encoded, the per-call options applied,
//! `biz_content` encrypted when asked, the system parameters added, everything signed, and the
//! HTTP request (a form body, or multipart parts for files).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::{CallOptions, Client, SDK_NAME};
use crate::BoxError;
use crate::crypto::{AesKey, AsyncSigner, Signer};
use crate::error::{ConfigError, Error};
use crate::request::{Method, Params, Request};
use crate::response::Charset;
use crate::{encrypt, wire};

/// What signs a client's requests.
#[derive(Clone)]
pub(super) enum AppSigner {
    /// A key or signer that answers at once: called inline, nothing boxed.
    Local(Arc<dyn Signer>),
    /// A signer that awaits (a KMS, a signing service).
    Remote(Arc<dyn AsyncSigner>),
}

/// Why a call's signature is missing, for [`Error::Sign`].
#[derive(Debug, thiserror::Error)]
enum SignFailure {
    #[error("the async signer did not answer within {0:?}; the request was not sent")]
    Timeout(Duration),
    #[error(
        "rendering (page form, order string) signs synchronously and this client's signer is \
         async-only (ClientBuilder::async_signer); render with a client built with a Signer"
    )]
    AsyncOnly,
}

impl AppSigner {
    /// Signs `content` without awaiting: a [`Signer`] only.
    fn sign_now(&self, content: &[u8]) -> Result<String, Error> {
        match self {
            AppSigner::Local(signer) => signer.sign(content).map_err(Error::Sign),
            AppSigner::Remote(_) => Err(Error::Sign(Box::new(SignFailure::AsyncOnly))),
        }
    }

    /// Signs `content`; an async signer must answer by `deadline` (and the duration reported if
    /// it does not).
    pub(super) async fn sign(
        &self,
        content: &[u8],
        deadline: (Instant, Duration),
    ) -> Result<String, Error> {
        match self {
            AppSigner::Local(signer) => signer.sign(content).map_err(Error::Sign),
            AppSigner::Remote(signer) => {
                match tokio::time::timeout_at(deadline.0, signer.sign(content)).await {
                    Ok(result) => result.map_err(Error::Sign),
                    Err(_) => Err(Error::Sign(
                        Box::new(SignFailure::Timeout(deadline.1)) as BoxError
                    )),
                }
            }
        }
    }
}

impl fmt::Debug for AppSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppSigner::Local(_) => "AppSigner::Local",
            AppSigner::Remote(_) => "AppSigner::Remote",
        })
    }
}

/// A request's parameters before the signature: what [`Unsigned::content`] covers.
struct Unsigned {
    query: Vec<(String, String)>,
    biz_content: Option<String>,
    files: Vec<(String, crate::request::FilePart)>,
}

impl Unsigned {
    /// The sign content (待签名字符串).
    fn content(&self) -> String {
        wire::sign_content(
            self.query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain(self.biz_content.as_deref().map(|b| ("biz_content", b))),
        )
    }

    fn signed(self, signature: String) -> (Signed, Vec<(String, crate::request::FilePart)>) {
        let Unsigned {
            mut query,
            biz_content,
            files,
        } = self;
        query.push(("sign".to_owned(), signature));
        query.sort_by(|a, b| a.0.cmp(&b.0));
        (Signed { query, biz_content }, files)
    }
}

/// A signed request's parameters.
pub(super) struct Signed {
    /// System and text parameters plus `sign`, sorted by key.
    pub(super) query: Vec<(String, String)>,
    pub(super) biz_content: Option<String>,
}

impl Signed {
    pub(super) fn query_sorted(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub(super) fn all_sorted(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self.query_sorted().collect();
        if let Some(biz) = &self.biz_content {
            all.push(("biz_content", biz));
        }
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }
}

impl Client {
    /// The content encryption key of a call that encrypts, `None` for one that does not.
    pub(super) fn call_content_key(&self, options: &CallOptions) -> Result<Option<&AesKey>, Error> {
        if !options.encrypt.unwrap_or(self.inner.encrypt_content) {
            return Ok(None);
        }
        match &self.inner.aes_key {
            Some(key) => Ok(Some(key)),
            None => Err(ConfigError::new(
                "aes_key",
                "is not set: an encrypted call (Call::encrypt(true)) needs the AES key",
            )
            .into()),
        }
    }

    /// The HTTP request for a call: system and text parameters and `sign` in the query string,
    /// `biz_content` in a form body (or multipart parts when the request has files). An async
    /// signer must answer by `deadline`.
    pub(super) async fn http_request<R: Request>(
        &self,
        request: &R,
        options: &CallOptions,
        deadline: (Instant, Duration),
    ) -> Result<http::Request<Bytes>, Error> {
        let content_key = self.call_content_key(options)?;
        let unsigned = self.unsigned(request, options, content_key)?;
        let signature = self
            .inner
            .signer
            .sign(unsigned.content().as_bytes(), deadline)
            .await?;
        let (signed, files) = unsigned.signed(signature);
        let uri = format!(
            "{}?{}",
            self.inner.gateway,
            wire::form_encode(signed.query_sorted())
        );
        let builder = http::Request::post(uri);
        let request = if files.is_empty() {
            let body = match &signed.biz_content {
                Some(biz) => wire::form_encode([("biz_content", biz.as_str())]),
                None => String::new(),
            };
            builder
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded;charset=utf-8",
                )
                .body(Bytes::from(body))
        } else {
            let boundary = format!("alipay{:016x}", crate::crypto::random_u64());
            let body = multipart_body(&boundary, &signed, &files);
            builder
                .header(
                    http::header::CONTENT_TYPE,
                    format!("multipart/form-data;charset=utf-8;boundary={boundary}"),
                )
                .body(body)
        };
        request.map_err(|e| Error::Encode(crate::EncodeError::new(e.to_string())))
    }

    pub(super) fn sign_request<M: Method + ?Sized>(
        &self,
        request: &M,
        options: &CallOptions,
    ) -> Result<Signed, Error> {
        let unsigned = self.unsigned(request, options, None)?;
        let signature = self.inner.signer.sign_now(unsigned.content().as_bytes())?;
        Ok(unsigned.signed(signature).0)
    }

    /// Encodes a request, applies the per-call options, encrypts `biz_content` with
    /// `content_key` if given, and adds the system parameters: everything the signature covers.
    fn unsigned<M: Method + ?Sized>(
        &self,
        request: &M,
        options: &CallOptions,
        content_key: Option<&AesKey>,
    ) -> Result<Unsigned, Error> {
        let mut params = Params::new();
        request.encode(&mut params)?;
        options.apply(&mut params, self.inner.notify_url.as_deref());
        let biz_content = if params.biz_params().is_empty() {
            None
        } else {
            Some(serde_json::to_string(params.biz_params()).map_err(crate::EncodeError::json)?)
        };
        // Encrypted first, then signed (先加密后加签).
        let (biz_content, encrypted) = match (biz_content, content_key) {
            (Some(json), Some(key)) => (Some(encrypt::encrypt_biz_content(key, &json)), true),
            (biz, _) => (biz, false),
        };
        let mut extra: Vec<(&str, &str)> = Vec::with_capacity(EXTRA_SYSTEM_KEYS.len());
        if let Some(cert) = &self.inner.cert {
            extra.push(("app_cert_sn", &cert.app_cert_sn));
            extra.push(("alipay_root_cert_sn", &cert.alipay_root_cert_sn));
        }
        if encrypted {
            extra.push(("encrypt_type", encrypt::ENCRYPT_TYPE_AES));
        }
        let timestamp = wire::beijing_timestamp((self.inner.clock)());
        let system: [(&str, &str); SYSTEM_KEYS.len()] = [
            ("app_id", &self.inner.app_id),
            ("method", request.method()),
            ("format", "JSON"),
            ("charset", REQUEST_CHARSET.param()),
            ("sign_type", "RSA2"),
            ("timestamp", &timestamp),
            ("version", "1.0"),
            ("alipay_sdk", SDK_NAME),
        ];
        let mut query: Vec<(String, String)> = system
            .iter()
            .chain(&extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        for (key, value) in params.text_params() {
            let reserved = key == "sign"
                || key == "biz_content"
                || system.iter().any(|(k, _)| k == key)
                || EXTRA_SYSTEM_KEYS.contains(&key.as_str());
            if !reserved && !value.is_empty() {
                query.push((key.clone(), value.clone()));
            }
        }
        Ok(Unsigned {
            query,
            biz_content,
            files: params.files().to_vec(),
        })
    }
}

/// The character set every request declares (its `charset` parameter), and so the one its answer
/// is read in.
pub(crate) const REQUEST_CHARSET: Charset = Charset::Utf8;

/// The system parameters every call carries, in the order they are built.
const SYSTEM_KEYS: [&str; 8] = [
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "timestamp",
    "version",
    "alipay_sdk",
];

/// The system parameters of certificate mode and content encryption, when they apply.
const EXTRA_SYSTEM_KEYS: [&str; 3] = ["app_cert_sn", "alipay_root_cert_sn", "encrypt_type"];

/// A multipart body: a text part for every text parameter (and `biz_content` when present),
/// then the files. System parameters and `sign` travel in the query string only. Byte layout as
/// Alipay's own SDKs write it.
fn multipart_body(
    boundary: &str,
    signed: &Signed,
    files: &[(String, crate::request::FilePart)],
) -> Bytes {
    let mut body =
        Vec::with_capacity(files.iter().map(|(_, f)| f.content().len()).sum::<usize>() + 1024);
    let text_parts = signed
        .query
        .iter()
        .filter(|(k, _)| {
            k != "sign"
                && !SYSTEM_KEYS.contains(&k.as_str())
                && !EXTRA_SYSTEM_KEYS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(signed.biz_content.as_deref().map(|b| ("biz_content", b)));
    for (key, value) in text_parts {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition:form-data;name=\"{key}\"\r\nContent-Type:text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
    }
    for (name, file) in files {
        let filename = file.filename().replace(['"', '\r', '\n'], "_");
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition:form-data;name=\"{name}\";filename=\"{filename}\"\r\nContent-Type:application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.content());
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Bytes::from(body)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::*;
    use crate::client::tests::{APP_PUBLIC, Probe, client};
    use crate::crypto::{PublicKey, Verifier as _};

    fn params(signed: &Signed) -> BTreeMap<String, String> {
        signed.query.iter().cloned().collect()
    }

    #[test]
    fn signs_system_text_and_biz_params_in_beijing_time() {
        let client = client(None);
        let signed = client
            .sign_request(&Probe, &CallOptions::default())
            .expect("signed");
        let query = params(&signed);
        assert_eq!(query["timestamp"], "2020-03-20 12:00:00");
        assert_eq!(query["method"], "alipay.test.probe");
        assert_eq!(query["app_id"], "2021000000000001");
        assert_eq!(query["return_url"], "https://m.example/return?a=1&b=2");
        assert!(!query.contains_key("biz_content"));
        let biz = signed.biz_content.clone().expect("biz_content");
        let content = wire::sign_content(
            query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain([("biz_content", biz.as_str())]),
        );
        let app_public = PublicKey::parse(APP_PUBLIC).expect("key");
        app_public
            .verify(content.as_bytes(), &query["sign"])
            .expect("the signature covers every parameter but sign");
    }

    #[test]
    fn options_apply_with_the_documented_precedence() {
        let client = client(Some("https://m.example/configured"));
        let mut options = CallOptions::default();
        let signed = client.sign_request(&Probe, &options).expect("signed");
        assert_eq!(
            params(&signed)["notify_url"],
            "https://m.example/configured"
        );

        options.set_text("notify_url", "https://m.example/per-call".into());
        options.set_text("app_auth_token", "token".into());
        options
            .biz
            .push(("subject".into(), Value::from("overridden?")));
        options.biz.push(("extra".into(), Value::from(1)));
        let signed = client.sign_request(&Probe, &options).expect("signed");
        let query = params(&signed);
        assert_eq!(query["notify_url"], "https://m.example/per-call");
        assert_eq!(query["app_auth_token"], "token");
        let biz: Value =
            serde_json::from_str(signed.biz_content.as_deref().unwrap_or("{}")).expect("json");
        assert_eq!(
            biz["subject"], "<b>tea & \"cake\"</b>",
            "request arguments win"
        );
        assert_eq!(biz["extra"], 1);
    }
}
