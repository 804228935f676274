//! Answer, the last stage of a call: the HTTP status, the envelope split, the signature
//! verified with the right key, the content decrypted, the gateway status and the typed
//! response parsed.

use std::borrow::Cow;

use super::Client;
use super::cert_mode::AlipayKeys;
use crate::crypto::{AesKey, PublicKey, Verifier};
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

    /// The answer half of a call with [`verify_answer`]: the keys of the client's mode, its
    /// content encryption key, then the typed response from the verified content.
    pub(super) fn read_answer<R: Request>(
        &self,
        request: &R,
        status: u16,
        body: &[u8],
        declared: Charset,
    ) -> Result<R::Response, Error> {
        let keys = match &self.inner.cert {
            // Certificate mode: the key of the certificate the answer names.
            Some(cert) => Keys::Certificates(&cert.keys),
            None => Keys::Verifier(self.inner.verifier.as_ref()),
        };
        let key = request.response_key();
        let aes_key = self.inner.aes_key.as_ref();
        match verify_answer(status, body, &key, declared, keys, aes_key)? {
            Verified::Content(content) => {
                serde_json::from_str(&content).map_err(|source| Error::Decode { source })
            }
            Verified::SignedByNew(pending) => {
                Err(VerifyError::UnknownCertificate(pending.sn.to_owned()).into())
            }
        }
    }
}

/// The keys an answer may be verified with.
pub(super) enum Keys<'k> {
    /// The Alipay public key, or a custom verifier.
    Verifier(&'k dyn Verifier),
    /// Certificate mode: the key of the certificate the answer names
    /// ([`VerifyError::UnknownCertificate`] when the client does not know it).
    Certificates(&'k AlipayKeys),
    /// The download of certificate `sn`: a known certificate's key, or `sn` itself, whose
    /// signature can only be checked once the certificate it carries is trusted.
    Download {
        /// The known certificates.
        keys: &'k AlipayKeys,
        /// The certificate being downloaded.
        sn: &'k str,
    },
}

/// The content of an answer that passed [`verify_answer`].
pub(super) enum Verified<'b, 'k> {
    /// Verified and decrypted: the content of a successful answer.
    Content(Cow<'b, str>),
    /// Only with [`Keys::Download`]: signed by the certificate being downloaded. Nothing from
    /// it may be used before that certificate is trusted and [`Pending::verify`] passed.
    SignedByNew(Pending<'b, 'k>),
}

/// A successful answer whose signature is still to be checked; see [`Verified::SignedByNew`].
pub(super) struct Pending<'b, 'k> {
    /// The certificate that signed the answer, the one being downloaded.
    pub(super) sn: &'k str,
    /// The node's content, unverified.
    pub(super) content: Cow<'b, str>,
    signed: &'b [u8],
    signature: String,
}

impl Pending<'_, '_> {
    /// Checks the answer's signature with the key of the (now trusted) certificate.
    pub(super) fn verify(&self, key: &PublicKey) -> Result<(), Error> {
        Ok(key.verify(self.signed, &self.signature)?)
    }
}

/// The one routine every answer goes through, calls and certificate downloads alike: the HTTP
/// status, the envelope split in the `declared` character set, the signature verified with
/// `keys` over the exact node bytes, the node decrypted with `aes_key` (only once verified),
/// then the gateway status: a failure is [`Error::Gateway`] (unsigned `error_response`) or
/// [`Error::Api`].
pub(super) fn verify_answer<'b, 'k>(
    status: u16,
    body: &'b [u8],
    response_key: &str,
    declared: Charset,
    keys: Keys<'k>,
    aes_key: Option<&AesKey>,
) -> Result<Verified<'b, 'k>, Error> {
    let body = answer_body(status, body)?;
    let envelope = response::split_declared(body, response_key, declared)?;
    let Some(signature) = envelope.sign else {
        return match envelope.node {
            Node::Error => Err(Error::Gateway(parse_status(&envelope.content)?)),
            Node::Method => Err(VerifyError::MissingSign.into()),
        };
    };
    let signer_sn = envelope.alipay_cert_sn.as_deref();
    match keys {
        Keys::Verifier(verifier) => verifier.verify(envelope.signed, &signature)?,
        Keys::Certificates(keys) => keys
            .key_for(signer_sn)?
            .verify(envelope.signed, &signature)?,
        Keys::Download { keys, sn } => match keys.get(signer_sn) {
            Some(known) => known.verify(envelope.signed, &signature)?,
            // Only the certificate being downloaded may sign its own download.
            None if signer_sn == Some(sn) => {
                // Read before the signature is checked: a failure cannot be believed, and
                // nothing else from it is used until the certificate is trusted.
                let status = parse_status(&envelope.content)?;
                if envelope.node == Node::Error || status.code != "10000" {
                    return Err(VerifyError::UnknownCertificate(sn.to_owned()).into());
                }
                return Ok(Verified::SignedByNew(Pending {
                    sn,
                    content: envelope.content,
                    signed: envelope.signed,
                    signature,
                }));
            }
            None => {
                return Err(VerifyError::UnknownCertificate(
                    signer_sn.unwrap_or_default().to_owned(),
                )
                .into());
            }
        },
    }
    // An encrypted node is decrypted only now that its signature (over the quoted
    // ciphertext) verified.
    let decrypted = match encrypt::decrypt_node(aes_key, &envelope.content)? {
        Cow::Borrowed(_) => None,
        Cow::Owned(text) => Some(text),
    };
    let content = decrypted.map_or(envelope.content, Cow::Owned);
    let status = parse_status(&content)?;
    if envelope.node == Node::Error || status.code != "10000" {
        return Err(Error::Api(status));
    }
    Ok(Verified::Content(content))
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
        return Err(Error::HttpStatus {
            status,
            snippet: crate::redact::snippet(body),
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
    let status: Status = serde_json::from_str(content).map_err(|e| {
        let reason = format!("the answer node is not an object: {e}");
        ResponseError::Malformed(crate::redact::text(&reason).into_owned())
    })?;
    let mut error = ApiError::new(
        status.code.unwrap_or_else(|| "10000".to_owned()),
        status.msg,
    );
    error.sub_code = status.sub_code;
    error.sub_msg = status.sub_msg;
    Ok(crate::redact::api_error(error))
}
