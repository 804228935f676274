//! Answer, the last stage of a call: the HTTP status, the envelope split, the signature
//! verified with the right key, the content decrypted, the gateway status and the typed
//! response parsed.

use super::Client;
use crate::crypto::Verifier as _;
use crate::encrypt;
use crate::error::{ApiError, Error, ResponseError, VerifyError};
use crate::request::Request;
use crate::response::{self, Charset, Node};
use crate::transport::HttpResponse;

impl Client {
    /// [`Client::read_response`], except that an answer signed with an unknown Alipay
    /// certificate in certificate mode is kept for after the certificate is learned.
    pub(super) fn check_answer<R: Request>(
        &self,
        request: &R,
        answer: &HttpResponse,
    ) -> Result<Checked<R::Response>, Error> {
        match self.read_http_response(request, answer) {
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

    pub(super) fn read_answer<R: Request>(
        &self,
        request: &R,
        status: u16,
        body: &[u8],
        declared: Charset,
    ) -> Result<R::Response, Error> {
        let body = answer_body(status, body)?;
        let key = request.response_key();
        let envelope = response::split_declared(body, &key, declared)?;
        match (&envelope.sign, envelope.node) {
            (Some(signature), _) => match &self.inner.cert {
                // Certificate mode: the key of the certificate the answer names.
                Some(cert) => cert
                    .keys
                    .key_for(envelope.alipay_cert_sn.as_deref())?
                    .verify(envelope.signed, signature)?,
                None => self.inner.verifier.verify(envelope.signed, signature)?,
            },
            (None, Node::Error) => {
                return Err(Error::Gateway(parse_status(&envelope.content)?));
            }
            (None, Node::Method) => return Err(VerifyError::MissingSign.into()),
        }
        // An encrypted node is decrypted only now that its signature (over the quoted
        // ciphertext) verified.
        let content = encrypt::decrypt_node(self.inner.content_key.as_ref(), &envelope.content)?;
        let status = parse_status(&content)?;
        if envelope.node == Node::Error || status.code != "10000" {
            return Err(Error::Api(status));
        }
        serde_json::from_str(&content).map_err(|source| Error::Decode { source })
    }
}

/// What checking an answer gave: the response, or (certificate mode) an answer to verify once
/// the Alipay certificate it names is learned.
pub(super) enum Checked<T> {
    Done(T),
    NewCertificate { sn: String, answer: HttpResponse },
}

/// The body of a 2xx answer; an error status is [`Error::HttpStatus`].
pub(super) fn answer_body(status: u16, body: &[u8]) -> Result<&[u8], Error> {
    if !(200..300).contains(&status) {
        let end = body.len().min(256);
        return Err(Error::HttpStatus {
            status,
            snippet: String::from_utf8_lossy(&body[..end]).into_owned(),
        });
    }
    Ok(body)
}

/// Reads `code`, `msg`, `sub_code` and `sub_msg` from a node. A node without `code` is a success
/// (e.g. `alipay.system.oauth.token` answers carry no code).
pub(super) fn parse_status(content: &str) -> Result<ApiError, ResponseError> {
    #[derive(serde::Deserialize)]
    struct Status {
        code: Option<String>,
        #[serde(default)]
        msg: String,
        sub_code: Option<String>,
        sub_msg: Option<String>,
    }
    let status: Status = serde_json::from_str(content)
        .map_err(|e| ResponseError::Malformed(format!("the answer node is not an object: {e}")))?;
    let mut error = ApiError::new(
        status.code.unwrap_or_else(|| "10000".to_owned()),
        status.msg,
    );
    error.sub_code = status.sub_code;
    error.sub_msg = status.sub_msg;
    Ok(error)
}
