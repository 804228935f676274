//! Certificate mode in the client: the configuration, the Alipay keys by certificate SN, and
//! learning a rotated Alipay certificate.
//!
//! # What trusts a downloaded certificate
//!
//! When an answer names an `alipay_cert_sn` the client does not know, the client downloads
//! that certificate with `alipay.open.app.alipaycert.download`. Alipay signs that answer with
//! the **new** certificate, so its signature cannot be checked with a key the client already
//! has. The certificate is therefore trusted because it is an Alipay certificate like the
//! configured one ([`CertConfig::trust_alipay_certificate`]), never because of the answer that
//! carried it; only then is the download answer's own signature checked, with the new
//! certificate's key. A download answer signed with a certificate the client knows is checked
//! with that key first. Anything else is refused before the certificate is cached.
//!
//! Against RFC 5280 path validation (§6.1), for the learned certificate (the leaf) and its
//! path:
//!
//! - trust anchor (§6.1.1 d): **only** the root of `alipayRootCert.crt` that anchors the
//!   configured Alipay certificate, not every root of the bundle (which holds third-party
//!   roots); intermediates come from the configured Alipay certificate's file, the pinned
//!   issuing CAs and the download answer, but cannot lead to another anchor;
//! - signatures (§6.1.3 a.1): every link verified, RSA PKCS#1 v1.5; the leaf's own signature
//!   SHA-256, SHA-384 or SHA-512; SHA-1 only on a certificate the anchor signed;
//! - validity (§6.1.3 a.2): the leaf and every intermediate valid at the client's clock
//!   ([`ClientBuilder::clock`](crate::ClientBuilder::clock)); the anchor's validity is not
//!   checked (a trust anchor's is not part of §6.1);
//! - name chaining (§6.1.3 a.4): issuer and subject names compared byte for byte (DER);
//! - basic constraints and path length (§6.1.4 k, l, m): every intermediate a CA, its
//!   `pathLenConstraint` respected; key usage (§6.1.4 n): `keyCertSign` when keyUsage is
//!   present;
//! - critical extensions (§6.1.4 o, §6.1.5 f): an unknown critical extension on the leaf or an
//!   intermediate refuses the path;
//! - beyond §6.1, as an Alipay policy: the leaf is issued by the configured Alipay
//!   certificate's issuer (same DER name) or a CA pinned with
//!   [`CertConfig::with_alipay_issuer`]; its subject has the configured certificate's C, O and
//!   OU values (attribute by attribute, not as a substring of the text); it is not the app
//!   certificate (subject or key); it is an end-entity certificate (not a CA, no
//!   `keyCertSign`, `digitalSignature` when keyUsage is present); and its SN is the one asked
//!   for.
//!
//! Deliberately not checked:
//!
//! - revocation (§6.1.3 a.3, CRL or OCSP): fetching them would be another network exchange an
//!   attacker on the path can block or answer, and Alipay documents none for these
//!   certificates; the issuer, organisation and anchor checks make a stolen app key useless
//!   instead, and a rotated-out Alipay key stops at its certificate's `notAfter`;
//! - name constraints (§6.1.3 b, c) and certificate policies (§6.1.3 d–f, §6.1.4 a–j): the
//!   issuer pinning and the organisation check are stricter than what they would express, and
//!   Alipay's CAs do not use them;
//! - extended key usage: Alipay's certificates carry none that would say "signs gateway
//!   answers".
//!
//! A learned key is used until its certificate's `notAfter` by the client's clock, for answers
//! and notifications alike; after that it is as unknown as before the download.
//!
//! # Downloads cannot be triggered for free
//!
//! An answer naming an unknown SN cannot be verified before the download, so anyone on the
//! path could otherwise make every call download. Concurrent calls that meet the same unknown
//! SN make one download: the first one downloads, the others wait for it and use its result.
//! A failed download of an SN is remembered for 30 s: calls meeting it fail at once with
//! [`CertError::DownloadRefused`] (a failure caused only by a call's own `total_timeout` is not
//! remembered). An SN is downloaded at most 3 times, and all SNs together at most 10 times, in
//! 10 minutes (by the client's clock). The call's
//! [`total_timeout`](crate::ClientBuilder::total_timeout) covers the download and the wait for
//! another call's download.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::answer::{Keys, Verified, verify_answer};
use super::prepare::REQUEST_CHARSET;
use super::{CallOptions, Client, Clock};
use crate::cert::{CertConfig, CertError, CertPart};
use crate::crypto::{Backend, PrivateKey, PublicKey, Verifier};
use crate::error::{ConfigError, EncodeError, Error, ResponseError, VerifyError};
use crate::request::{Method, Params, Request};
use crate::transport::HttpResponse;

/// The method that downloads an Alipay certificate by SN.
pub(super) const DOWNLOAD_METHOD: &str = "alipay.open.app.alipaycert.download";

/// How long a failed download of an SN is remembered: calls meeting that SN in this time fail
/// at once, without a download.
const FAILED_DOWNLOAD_TTL: Duration = Duration::from_secs(30);

/// The window of the download limits.
const DOWNLOAD_WINDOW: Duration = Duration::from_secs(600);

/// The most downloads of one SN in [`DOWNLOAD_WINDOW`].
const DOWNLOADS_PER_SN: usize = 3;

/// The most downloads of all SNs together in [`DOWNLOAD_WINDOW`].
const DOWNLOADS_PER_WINDOW: usize = 10;

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
    clock: Clock,
) -> Result<CertMode, ConfigError> {
    let config = match input {
        CertInput::Pems(app, alipay, root) => CertConfig::read_pems(&app, &alipay, &root, backend),
        CertInput::Paths(app, alipay, root) => {
            CertConfig::read_paths(&app, &alipay, &root, backend)
        }
        CertInput::Config(config) => Ok(*config),
    }
    .map_err(|(part, error)| ConfigError::caused(field(part))(error))?;
    if let Some(private) = private_key {
        let own = private.public_key();
        let app_key = config
            .app_certificate()
            .public_key(backend)
            .map_err(ConfigError::caused("app_cert"))?;
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
            clock,
            learned: RwLock::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            downloads: Mutex::new(Downloads::default()),
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

/// The turn to download one SN: concurrent callers wait on it, one at a time.
type Flight = Arc<tokio::sync::Mutex<()>>;

/// A key learned from a downloaded certificate, used until the certificate expires.
struct Learned {
    key: PublicKey,
    /// The certificate's `notAfter`, Unix seconds.
    not_after: i64,
}

/// The recent downloads, for the limits (see the module documentation).
#[derive(Default)]
struct Downloads {
    /// When each download of the window started, and its SN.
    started: Vec<(String, SystemTime)>,
    /// The SNs whose download failed within [`FAILED_DOWNLOAD_TTL`]: when, and why.
    failed: HashMap<String, (SystemTime, String)>,
}

/// The time from `then` to `now`; zero if the clock went back.
fn since(now: SystemTime, then: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or(Duration::ZERO)
}

impl Downloads {
    /// Records the start of a download of `sn` at `now`, or says why it must not start.
    fn admit(&mut self, sn: &str, now: SystemTime) -> Result<(), CertError> {
        self.started
            .retain(|(_, at)| since(now, *at) < DOWNLOAD_WINDOW);
        self.failed
            .retain(|_, (at, _)| since(now, *at) < FAILED_DOWNLOAD_TTL);
        let refuse = |reason: String| {
            Err(CertError::DownloadRefused {
                sn: sn.to_owned(),
                reason,
            })
        };
        if let Some((at, why)) = self.failed.get(sn) {
            return refuse(format!(
                "its download failed {} s ago ({why}); it is not tried again for {} s",
                since(now, *at).as_secs(),
                FAILED_DOWNLOAD_TTL.as_secs()
            ));
        }
        if self.started.iter().filter(|(known, _)| known == sn).count() >= DOWNLOADS_PER_SN {
            return refuse(format!(
                "it was already downloaded {DOWNLOADS_PER_SN} times in the last {} s",
                DOWNLOAD_WINDOW.as_secs()
            ));
        }
        if self.started.len() >= DOWNLOADS_PER_WINDOW {
            return refuse(format!(
                "{DOWNLOADS_PER_WINDOW} Alipay certificates were downloaded in the last {} s, \
                 the most allowed",
                DOWNLOAD_WINDOW.as_secs()
            ));
        }
        self.started.push((sn.to_owned(), now));
        Ok(())
    }

    /// Remembers that the download of `sn` failed at `now`.
    fn fail(&mut self, sn: &str, now: SystemTime, why: String) {
        self.failed.insert(sn.to_owned(), (now, why));
    }
}

/// The Alipay public keys by certificate SN: the configured certificate's, then the ones
/// learned from downloads.
pub(super) struct AlipayKeys {
    config: CertConfig,
    backend: Backend,
    /// The client's clock: learned keys expire with their certificates by it.
    clock: Clock,
    learned: RwLock<HashMap<String, Learned>>,
    in_flight: Mutex<HashMap<String, Flight>>,
    downloads: Mutex<Downloads>,
}

impl AlipayKeys {
    /// Now by the client's clock, Unix seconds.
    fn now(&self) -> i64 {
        unix_seconds((self.clock)())
    }

    /// The key of an answer's `alipay_cert_sn` (the configured certificate's when there is
    /// none), if the client knows it (a learned key only until its certificate expires).
    pub(super) fn get(&self, sn: Option<&str>) -> Option<PublicKey> {
        let Some(sn) = sn.filter(|sn| !sn.is_empty()) else {
            return Some(self.config.alipay_public_key().clone());
        };
        if let Some(key) = self.config.key_for_sn(sn) {
            return Some(key.clone());
        }
        let now = self.now();
        self.learned
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(sn)
            .filter(|learned| now <= learned.not_after)
            .map(|learned| learned.key.clone())
    }

    /// The key for an answer's `alipay_cert_sn`, or [`VerifyError::UnknownCertificate`].
    pub(super) fn key_for(&self, sn: Option<&str>) -> Result<PublicKey, VerifyError> {
        self.get(sn)
            .ok_or_else(|| VerifyError::UnknownCertificate(sn.unwrap_or_default().to_owned()))
    }

    fn learn(&self, sn: String, learned: Learned) {
        self.learned
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sn, learned);
    }

    fn downloads(&self) -> std::sync::MutexGuard<'_, Downloads> {
        self.downloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The download gate of `sn`, created if no download is in flight.
    fn flight(&self, sn: &str) -> Flight {
        let mut flights = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(flights.entry(sn.to_owned()).or_default())
    }

    /// Forgets the gate of `sn` (if it is still `flight`).
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
        let now = self.now();
        let learned: Vec<PublicKey> = self
            .learned
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|learned| now <= learned.not_after)
            .map(|learned| learned.key.clone())
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
        deadline: Option<(tokio::time::Instant, Duration)>,
    ) -> Result<(), Error> {
        let Some(cert) = &self.inner.cert else {
            return Err(VerifyError::UnknownCertificate(sn.to_owned()).into());
        };
        let keys = &cert.keys;
        if keys.get(Some(sn)).is_some() {
            return Ok(());
        }
        let flight = keys.flight(sn);
        let result = {
            let _turn = flight.lock().await;
            self.download_certificate(keys, sn, options, deadline).await
        };
        keys.land(sn, &flight);
        result
    }

    /// Downloads and checks certificate `sn` on this call's turn, unless another call learned
    /// it meanwhile or the download limits refuse it.
    async fn download_certificate(
        &self,
        keys: &AlipayKeys,
        sn: &str,
        options: &CallOptions,
        deadline: Option<(tokio::time::Instant, Duration)>,
    ) -> Result<(), Error> {
        // Someone else may have learned it, or failed to, while this call waited.
        if keys.get(Some(sn)).is_some() {
            return Ok(());
        }
        keys.downloads()
            .admit(sn, (self.inner.clock)())
            .map_err(Error::Certificate)?;
        let download_options = CallOptions {
            timeout: options.timeout,
            encrypt: Some(false),
            ..CallOptions::default()
        };
        let result = self
            .exchange(&Download { sn }, &download_options, deadline, |answer| {
                self.check_download(sn, answer)
            })
            .await;
        match result {
            Ok(learned) => {
                keys.learn(sn.to_owned(), learned);
                Ok(())
            }
            Err(error) => {
                // Running out of this call's own deadline says nothing about the certificate.
                let out_of_time = matches!(error, Error::Timeout(_))
                    && deadline.is_some_and(|(at, _)| tokio::time::Instant::now() >= at);
                if !out_of_time {
                    keys.downloads()
                        .fail(sn, (self.inner.clock)(), error.to_string());
                }
                Err(error)
            }
        }
    }

    /// Checks the answer of a download of certificate `sn` and returns its key: see the module
    /// documentation for the order of the checks.
    fn check_download(&self, sn: &str, answer: &HttpResponse) -> Result<Learned, Error> {
        let Some(cert) = &self.inner.cert else {
            return Err(VerifyError::UnknownCertificate(sn.to_owned()).into());
        };
        let keys = Keys::Download {
            keys: &cert.keys,
            sn,
        };
        let key = crate::request::response_key_of(DOWNLOAD_METHOD);
        // Sent unencrypted, so answered unencrypted: no content key.
        let verified = verify_answer(
            answer.status,
            &answer.body,
            &key,
            REQUEST_CHARSET,
            keys,
            None,
        )?;
        let (content, pending) = match verified {
            Verified::Content(content) => (content, None),
            Verified::SignedByNew(pending) => (pending.content.clone(), Some(pending)),
        };
        let keys = &cert.keys;
        #[derive(serde::Deserialize)]
        struct Answer {
            alipay_cert_content: Option<String>,
        }
        let answer: Answer =
            serde_json::from_str(&content).map_err(|source| Error::Decode { source })?;
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
        if let Some(pending) = pending {
            pending.verify(&new_key)?;
        }
        Ok(Learned {
            key: new_key,
            not_after: downloaded.not_after(),
        })
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
