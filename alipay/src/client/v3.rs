//! The OpenAPI v3 halves of a call: the request prepared and signed with [`crate::v3`]'s
//! recipe (instead of the v2 form), and the answer checked with
//! [`v3::verify_answer`](crate::v3::verify_answer) (instead of the v2 envelope); the exchange in
//! between (deadlines, retries, tracing) is the one of v2. Plus the builder and call options
//! that choose the protocol.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};

use super::answer::Checked;
use super::{CallOptions, Client};
use crate::crypto::Verifier as _;
use crate::error::{ConfigError, Error, VerifyError};
use crate::request::{Params, Request};
use crate::transport::HttpResponse;
use crate::v3::{self, Protocol, Route, sign};

/// The protocol settings of a [`ClientBuilder`].
#[derive(Debug, Clone, Default)]
pub(super) struct V3Options {
    pub(super) protocol: Protocol,
    pub(super) endpoint: Option<String>,
}

impl V3Options {
    /// Checks the settings; `gateway` is the v2 gateway URL, whose origin is the default v3
    /// endpoint.
    pub(super) fn build(self, gateway: &str) -> Result<V3Settings, ConfigError> {
        let endpoint = match self.endpoint {
            Some(endpoint) => {
                super::builder::check_url("v3_endpoint", &endpoint)?;
                let trimmed = endpoint.trim_end_matches('/');
                let uri: http::Uri = trimmed
                    .parse()
                    .map_err(|e| ConfigError::new("v3_endpoint", format!("{e}")))?;
                if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
                    return Err(ConfigError::new(
                        "v3_endpoint",
                        "must be a scheme, host and port only, e.g. `https://openapi.alipay.com`",
                    ));
                }
                trimmed.to_owned()
            }
            None => origin_of(gateway)
                .ok_or_else(|| ConfigError::new("gateway", "has no scheme and host"))?,
        };
        Ok(V3Settings {
            protocol: self.protocol,
            endpoint,
        })
    }
}

/// The protocol settings of a built client.
#[derive(Debug)]
pub(super) struct V3Settings {
    protocol: Protocol,
    endpoint: String,
}

/// The multipart body of a v3 upload: the part `data` (the signed JSON, or its AES ciphertext,
/// of content type `data_type`), then the files, as Alipay's v3 SDKs write it.
fn multipart_body(
    boundary: &str,
    data: &str,
    data_type: &str,
    files: &[(String, crate::request::FilePart)],
) -> Bytes {
    let size = files.iter().map(|(_, f)| f.content().len()).sum::<usize>() + data.len() + 512;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"data\"\r\n\
             Content-Type: {data_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data.as_bytes());
    for (name, file) in files {
        let filename = file.filename().replace(['"', '\r', '\n'], "_");
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.content());
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Bytes::from(body)
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

impl Client {
    /// The v3 endpoint of this client (scheme, host and port).
    pub fn v3_endpoint(&self) -> &str {
        &self.inner.v3.endpoint
    }

    /// The v3 route of a call, when it goes over v3.
    pub(super) fn v3_route<R: Request>(&self, request: &R, options: &CallOptions) -> Option<Route> {
        match options.protocol.unwrap_or(self.inner.v3.protocol) {
            Protocol::V3 => request.v3(),
            Protocol::V2 => None,
        }
    }

    /// The signed v3 HTTP request of a call along `route`.
    pub(super) async fn v3_request<R: Request>(
        &self,
        route: &Route,
        request: &R,
        options: &CallOptions,
        deadline: (tokio::time::Instant, std::time::Duration),
    ) -> Result<http::Request<Bytes>, Error> {
        let mut params = Params::new();
        request.encode(&mut params)?;
        options.apply(&mut params, self.inner.notify_url.as_deref());
        let mut prepared = route.prepare(&params)?;
        let content_key = self.call_content_key(options)?;
        if let Some(key) = content_key
            && !prepared.body.is_empty()
        {
            // Encrypted first, then signed: the ciphertext is the signed body.
            prepared.body = key.encrypt(prepared.body.as_bytes());
        }
        let timestamp_ms = (self.inner.clock)()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default();
        let (nonce, request_id) = sign::random_id_pair();
        let cert = self.inner.cert.as_ref();
        let auth = sign::auth_string(
            &self.inner.app_id,
            cert.map(|c| c.app_cert_sn.as_str()),
            &nonce,
            timestamp_ms,
            None,
        );
        let signature = self
            .inner
            .signer
            .sign(sign::sign_content(&auth, &prepared).as_bytes(), deadline)
            .await?;
        let encrypted = content_key.is_some() && !prepared.body.is_empty();
        let mut builder = http::Request::builder()
            .method(prepared.verb.http_method())
            .uri(format!("{}{}", self.inner.v3.endpoint, prepared.uri))
            .header(
                http::header::AUTHORIZATION,
                sign::authorization(&auth, &signature),
            )
            .header(HeaderName::from_static(sign::REQUEST_ID_HEADER), request_id)
            .header(
                http::header::ACCEPT,
                HeaderValue::from_static("application/json"),
            )
            .header(
                HeaderName::from_static("alipay-sdk-version"),
                HeaderValue::from_static(super::SDK_NAME),
            );
        if encrypted {
            builder = builder.header(
                HeaderName::from_static("alipay-encrypt-type"),
                HeaderValue::from_static(crate::encrypt::ENCRYPT_TYPE_AES),
            );
        }
        let data_type = if encrypted {
            "text/plain"
        } else {
            "application/json"
        };
        let body = if params.files().is_empty() {
            if !prepared.body.is_empty() {
                builder = builder.header(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static(data_type),
                );
            }
            Bytes::from(prepared.body)
        } else {
            let boundary = format!("alipay{:016x}", crate::crypto::random_u64());
            builder = builder.header(
                http::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            multipart_body(&boundary, &prepared.body, data_type, params.files())
        };
        if let Some(token) = &prepared.app_auth_token {
            builder = builder.header(HeaderName::from_static(sign::APP_AUTH_TOKEN_HEADER), token);
        }
        if let Some(cert) = cert {
            builder = builder.header(
                HeaderName::from_static(sign::ROOT_CERT_SN_HEADER),
                &cert.alipay_root_cert_sn,
            );
        }
        builder
            .body(body)
            .map_err(|e| Error::Encode(crate::EncodeError::new(e.to_string())))
    }

    /// Checks a v3 answer, keeping one signed with an unknown Alipay certificate (certificate
    /// mode) for after the certificate is learned.
    pub(super) fn v3_check<R: Request>(
        &self,
        options: &CallOptions,
        answer: &HttpResponse,
    ) -> Result<Checked<R::Response>, Error> {
        match self.v3_read::<R>(options, answer) {
            Err(Error::Verify(VerifyError::UnknownCertificate(sn)))
                if self.inner.cert.is_some() =>
            {
                Ok(Checked::NewCertificate {
                    sn,
                    answer: answer.clone(),
                })
            }
            other => other.map(Checked::Done),
        }
    }

    /// Verifies a v3 answer, decrypts it if the call was encrypted, and parses it (an empty
    /// verified body parses as `{}`). A verified body that is not JSON is
    /// [`ResponseError::NotJson`](crate::ResponseError::NotJson), one with a key twice in an
    /// object [`ResponseError::DuplicateNode`](crate::ResponseError::DuplicateNode) (two
    /// parsers may read different copies), one that does not fit the response type
    /// [`Error::Decode`].
    pub(super) fn v3_read<R: Request>(
        &self,
        options: &CallOptions,
        answer: &HttpResponse,
    ) -> Result<R::Response, Error> {
        let body = v3::verify_answer(
            answer.status,
            &answer.headers,
            &answer.body,
            |sn, content, signature| match &self.inner.cert {
                Some(cert) => cert.keys.key_for(sn)?.verify(content, signature),
                None => self.inner.verifier.verify(content, signature),
            },
        )?;
        let decrypted;
        let body = match self.call_content_key(options)? {
            Some(key) if !body.is_empty() => {
                let text = std::str::from_utf8(body)
                    .map_err(|_| crate::ResponseError::Decrypt(crate::crypto::AesError))?;
                decrypted = key
                    .decrypt(text.trim())
                    .map_err(crate::ResponseError::Decrypt)?;
                &decrypted[..]
            }
            _ => body,
        };
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            &b"{}"[..]
        } else {
            body
        };
        match v3::answer::duplicate_key(body) {
            Err(e) => return Err(crate::ResponseError::NotJson(e).into()),
            Ok(Some(key)) => return Err(crate::ResponseError::DuplicateNode(key).into()),
            Ok(None) => {}
        }
        serde_json::from_slice(body).map_err(|source| Error::Decode { source })
    }
}
