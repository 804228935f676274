//! Certificate mode in the client: the configuration, the Alipay keys by certificate SN, and
//! learning a rotated Alipay certificate.
//!
//! # What trusts a downloaded certificate
//!
//! When an answer names an `alipay_cert_sn` the client does not know, the client downloads
//! that certificate with `alipay.open.app.alipaycert.download`. Alipay signs that answer with
//! the **new** certificate, so its signature cannot be checked with a key the client already
//! has. The certificate is therefore trusted because it chains to a configured root (and is
//! valid now, and has the SN asked for), never because of the answer that carried it; only then
//! is the download answer's own signature checked, with the new certificate's key. A download
//! answer signed with a certificate the client knows is checked with that key first. Anything
//! else is refused before the certificate is cached.
//!
//! Concurrent calls that meet the same unknown SN make one download: the first one downloads,
//! the others wait for it and use its result.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{CallOptions, Client, parse_status};
use crate::cert::{CertConfig, CertError, CertPart};
use crate::crypto::{Backend, PrivateKey, PublicKey, Verifier};
use crate::error::{ConfigError, EncodeError, Error, ResponseError, VerifyError};
use crate::request::{Method, Params, Request};
use crate::response::{self, Node};
use crate::transport::HttpResponse;

/// The method that downloads an Alipay certificate by SN.
pub(super) const DOWNLOAD_METHOD: &str = "alipay.open.app.alipaycert.download";

/// The certificates given to the builder, not yet checked.
pub(super) enum CertInput {
    /// PEM text: app certificate, Alipay certificate, Alipay root bundle.
    Pems(String, String, String),
    /// File paths, in the same order.
    Paths(PathBuf, PathBuf, PathBuf),
    /// An already built configuration.
    Config(Box<CertConfig>),
}

/// The builder field of each certificate input, for configuration errors.
fn field(part: CertPart) -> &'static str {
    match part {
        CertPart::App => "app_cert",
        CertPart::Alipay => "alipay_cert",
        CertPart::Root => "alipay_root_cert",
    }
}

/// Checks the certificates against the app private key (when there is one) and builds the
/// certificate mode state.
pub(super) fn build(
    input: CertInput,
    backend: Backend,
    private_key: Option<&PrivateKey>,
) -> Result<CertMode, ConfigError> {
    let config = match input {
        CertInput::Pems(app, alipay, root) => CertConfig::read_pems(&app, &alipay, &root, backend),
        CertInput::Paths(app, alipay, root) => {
            CertConfig::read_paths(&app, &alipay, &root, backend)
        }
        CertInput::Config(config) => Ok(*config),
    }
    .map_err(|(part, error)| ConfigError::new(field(part), error.to_string()))?;
    if let Some(private) = private_key {
        let own = private.public_key();
        let app_key = config
            .app_certificate()
            .public_key(backend)
            .map_err(|e| ConfigError::new("app_cert", e.to_string()))?;
        if !app_key.same_key(&own) {
            return Err(ConfigError::new(
                "app_cert",
                "the app certificate's public key does not match app_private_key (the \
                 certificate of another app, or of an older key?)",
            ));
        }
        if config.alipay_public_key().same_key(&own) {
            return Err(ConfigError::new(
                "alipay_cert",
                "this is the app's own certificate (its key matches app_private_key); configure \
                 the Alipay certificate (alipayCertPublicKey_RSA2.crt)",
            ));
        }
    }
    Ok(CertMode {
        app_cert_sn: config.app_cert_sn().to_owned(),
        alipay_root_cert_sn: config.alipay_root_cert_sn().to_owned(),
        keys: Arc::new(AlipayKeys {
            config,
            backend,
            learned: RwLock::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
        }),
    })
}

/// The certificate mode state of a client.
pub(super) struct CertMode {
    /// The `app_cert_sn` system parameter.
    pub(super) app_cert_sn: String,
    /// The `alipay_root_cert_sn` system parameter.
    pub(super) alipay_root_cert_sn: String,
    /// The Alipay keys; also the client's verifier of notifications.
    pub(super) keys: Arc<AlipayKeys>,
}

/// A download in progress for one SN: `None` until it ends, then whether it succeeded.
type Flight = Arc<tokio::sync::Mutex<Option<bool>>>;

/// The Alipay public keys by certificate SN: the configured certificate's, then the ones
/// learned from downloads.
pub(super) struct AlipayKeys {
    config: CertConfig,
    backend: Backend,
    learned: RwLock<HashMap<String, PublicKey>>,
    in_flight: Mutex<HashMap<String, Flight>>,
}

impl AlipayKeys {
    /// The key of an answer's `alipay_cert_sn` (the configured certificate's when there is
    /// none), if the client knows it.
    fn get(&self, sn: Option<&str>) -> Option<PublicKey> {
        let Some(sn) = sn.filter(|sn| !sn.is_empty()) else {
            return Some(self.config.alipay_public_key().clone());
        };
        if let Some(key) = self.config.key_for_sn(sn) {
            return Some(key.clone());
        }
        self.learned
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(sn)
            .cloned()
    }

    /// The key for an answer's `alipay_cert_sn`, or [`VerifyError::UnknownCertificate`].
    pub(super) fn key_for(&self, sn: Option<&str>) -> Result<PublicKey, VerifyError> {
        self.get(sn)
            .ok_or_else(|| VerifyError::UnknownCertificate(sn.unwrap_or_default().to_owned()))
    }

    fn learn(&self, sn: String, key: PublicKey) {
        self.learned
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sn, key);
    }

    /// The download gate of `sn`, created if no download is in flight.
    fn flight(&self, sn: &str) -> Flight {
        let mut flights = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(flights.entry(sn.to_owned()).or_default())
    }

    /// Forgets the gate of `sn` (if it is still `flight`), so a later call may try again.
    fn land(&self, sn: &str, flight: &Flight) {
        let mut flights = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if flights.get(sn).is_some_and(|f| Arc::ptr_eq(f, flight)) {
            flights.remove(sn);
        }
    }
}

/// Notifications in certificate mode: the configured Alipay certificate's key, then the learned
/// ones.
impl Verifier for AlipayKeys {
    fn verify(&self, content: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
        match self
            .config
            .alipay_public_key()
            .verify(content, signature_b64)
        {
            Err(VerifyError::Mismatch) => {}
            other => return other,
        }
        let learned: Vec<PublicKey> = self
            .learned
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        if learned
            .iter()
            .any(|key| key.verify(content, signature_b64).is_ok())
        {
            Ok(())
        } else {
            Err(VerifyError::Mismatch)
        }
    }
}

/// `alipay.open.app.alipaycert.download` with `{"alipay_cert_sn": sn}`.
struct Download<'a> {
    sn: &'a str,
}

impl Method for Download<'_> {
    fn method(&self) -> &str {
        DOWNLOAD_METHOD
    }

    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        params.biz_value("alipay_cert_sn", self.sn);
        Ok(())
    }
}

impl Request for Download<'_> {
    type Response = serde_json::Value;
}

impl Client {
    /// Certificate mode: makes sure the client knows the Alipay certificate `sn`, downloading
    /// and checking it if needed (once for concurrent callers).
    pub(super) async fn learn_alipay_certificate(
        &self,
        sn: &str,
        options: &CallOptions,
    ) -> Result<(), Error> {
        let Some(cert) = &self.inner.cert else {
            return Err(VerifyError::UnknownCertificate(sn.to_owned()).into());
        };
        let keys = &cert.keys;
        if keys.get(Some(sn)).is_some() {
            return Ok(());
        }
        let flight = keys.flight(sn);
        let mut outcome = flight.lock().await;
        // Someone else may have learned it, or failed to, while this call waited.
        if keys.get(Some(sn)).is_some() {
            return Ok(());
        }
        if *outcome == Some(false) {
            return Err(VerifyError::UnknownCertificate(sn.to_owned()).into());
        }
        let download_options = CallOptions {
            timeout: options.timeout,
            encrypt: Some(false),
            ..CallOptions::default()
        };
        let result = self
            .exchange(&Download { sn }, &download_options, |answer| {
                self.check_download(sn, answer)
            })
            .await;
        let learned = match result {
            Ok(key) => {
                keys.learn(sn.to_owned(), key);
                Ok(())
            }
            Err(error) => Err(error),
        };
        *outcome = Some(learned.is_ok());
        keys.land(sn, &flight);
        learned
    }

    /// Checks the answer of a download of certificate `sn` and returns its key: see the module
    /// documentation for the order of the checks.
    fn check_download(&self, sn: &str, answer: &HttpResponse) -> Result<PublicKey, Error> {
        let Some(cert) = &self.inner.cert else {
            return Err(VerifyError::UnknownCertificate(sn.to_owned()).into());
        };
        let keys = &cert.keys;
        let body = super::answer_body(answer.status, &answer.body)?;
        let key = crate::request::response_key_of(DOWNLOAD_METHOD);
        let envelope = response::split_declared(body, &key, super::REQUEST_CHARSET)?;
        let Some(signature) = &envelope.sign else {
            return match envelope.node {
                Node::Error => Err(Error::Gateway(parse_status(&envelope.content)?)),
                Node::Method => Err(VerifyError::MissingSign.into()),
            };
        };
        let signer_sn = envelope.alipay_cert_sn.as_deref();
        let known = keys.get(signer_sn);
        match &known {
            Some(known) => known.verify(envelope.signed, signature)?,
            // Only the certificate being downloaded may sign its own download.
            None if signer_sn != Some(sn) => {
                return Err(VerifyError::UnknownCertificate(
                    signer_sn.unwrap_or_default().to_owned(),
                )
                .into());
            }
            None => {}
        }
        // Read before the signature is checked when the signer is the new certificate: nothing
        // from it is used until the certificate is trusted and the signature verified.
        let status = parse_status(&envelope.content)?;
        if envelope.node == Node::Error || status.code != "10000" {
            return Err(match known {
                Some(_) => Error::Api(status),
                None => VerifyError::UnknownCertificate(sn.to_owned()).into(),
            });
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            alipay_cert_content: Option<String>,
        }
        let answer: Answer =
            serde_json::from_str(&envelope.content).map_err(|source| Error::Decode { source })?;
        let content = answer.alipay_cert_content.unwrap_or_default();
        let pem = certificate_text(&content).ok_or_else(|| {
            ResponseError::Malformed(
                "`alipay_cert_content` is not the base64 of a PEM certificate".to_owned(),
            )
        })?;
        let now = unix_seconds((self.inner.clock)());
        let downloaded = keys
            .config
            .trust_alipay_certificate(&pem, now)
            .map_err(Error::Certificate)?;
        let actual = downloaded.sn();
        if actual != sn {
            return Err(Error::Certificate(CertError::SnMismatch {
                expected: sn.to_owned(),
                actual,
            }));
        }
        let new_key = downloaded
            .public_key(keys.backend)
            .map_err(Error::Certificate)?;
        if known.is_none() {
            new_key.verify(envelope.signed, signature)?;
        }
        Ok(new_key)
    }
}

/// The certificate text of `alipay_cert_content`: the base64 of a PEM file (as Alipay sends
/// it), or PEM text itself.
fn certificate_text(content: &str) -> Option<String> {
    let content = content.trim();
    if content.contains("-----BEGIN") {
        return Some(content.to_owned());
    }
    let compact: String = content.split_ascii_whitespace().collect();
    let bytes = STANDARD.decode(compact).ok()?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("-----BEGIN")
    {
        return Some(text.to_owned());
    }
    // The base64 of a DER certificate: rewrap it as PEM.
    crate::cert::Certificate::from_der(&bytes)
        .ok()
        .map(|cert| cert.to_pem())
}

fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
