//! [`CertConfig`]: the three certificate files of certificate mode (公钥证书模式), read and
//! checked once, with the SNs every request sends.

use std::path::Path;

use super::{CertError, Certificate, cert_sn, parse_pem_bundle, rsa_roots, verify_chain};
use crate::crypto::{Backend, PublicKey};

/// What certificate mode needs, read from the three certificate files Alipay gives: the app
/// certificate (`appCertPublicKey_<app id>.crt`), the Alipay certificate
/// (`alipayCertPublicKey_RSA2.crt`) and the Alipay root bundle (`alipayRootCert.crt`).
///
/// Building it computes `app_cert_sn`, `alipay_root_cert_sn` and the Alipay public key with
/// its SN; like Alipay's SDKs it checks no validity period or chain (see
/// [`CertConfig::verify_alipay_chain`] for that).
#[derive(Debug, Clone)]
pub struct CertConfig {
    /// The app certificate (the first of its file).
    pub(super) app_cert: Certificate,
    pub(super) app_cert_sn: String,
    pub(super) alipay_root_cert_sn: String,
    /// The Alipay public keys by SN; the first is the configured certificate's.
    pub(super) alipay_keys: Vec<(String, PublicKey)>,
    /// The configured Alipay certificate's key and SN (the first of `alipay_keys`).
    pub(super) alipay_key: (String, PublicKey),
    /// The configured Alipay certificate, then the intermediates that followed it in its file.
    pub(super) alipay_chain: Vec<Certificate>,
    /// The RSA roots of the root bundle.
    pub(super) roots: Vec<Certificate>,
    /// Issuing CAs pinned with [`CertConfig::with_alipay_issuer`].
    pub(super) pinned_issuers: Vec<Certificate>,
}

impl CertConfig {
    /// Reads the three certificates' PEM text, with the default backend.
    ///
    /// Only the **first** certificate of `alipay_cert_pem` is the Alipay certificate; the
    /// others (the "Class 2" intermediate in Alipay's file) are kept as its chain. Only the
    /// first certificate of `app_cert_pem` is used.
    pub fn from_pems(
        app_cert_pem: &str,
        alipay_cert_pem: &str,
        alipay_root_bundle_pem: &str,
    ) -> Result<Self, CertError> {
        Self::from_pems_with(
            app_cert_pem,
            alipay_cert_pem,
            alipay_root_bundle_pem,
            Backend::default(),
        )
    }

    /// [`CertConfig::from_pems`] with the Alipay public key on the given backend.
    pub fn from_pems_with(
        app_cert_pem: &str,
        alipay_cert_pem: &str,
        alipay_root_bundle_pem: &str,
        backend: Backend,
    ) -> Result<Self, CertError> {
        Self::read_pems(
            app_cert_pem,
            alipay_cert_pem,
            alipay_root_bundle_pem,
            backend,
        )
        .map_err(|(_, error)| error)
    }

    /// Reads the three certificate files (PEM), with the default backend. Errors name the file.
    pub fn from_paths(
        app_cert: impl AsRef<Path>,
        alipay_cert: impl AsRef<Path>,
        alipay_root_bundle: impl AsRef<Path>,
    ) -> Result<Self, CertError> {
        Self::read_paths(
            app_cert.as_ref(),
            alipay_cert.as_ref(),
            alipay_root_bundle.as_ref(),
            Backend::default(),
        )
        .map_err(|(_, error)| error)
    }

    /// [`CertConfig::from_paths`] for a backend; the error says which input it is about.
    pub(crate) fn read_paths(
        app: &Path,
        alipay: &Path,
        root: &Path,
        backend: Backend,
    ) -> Result<Self, (CertPart, CertError)> {
        let read = |part: CertPart, path: &Path| {
            std::fs::read_to_string(path).map_err(|source| {
                (
                    part,
                    CertError::Io {
                        path: path.to_owned(),
                        source,
                    },
                )
            })
        };
        let app_label = format!("the app certificate `{}`", app.display());
        let alipay_label = format!("the Alipay certificate `{}`", alipay.display());
        let root_label = format!("the Alipay root certificate `{}`", root.display());
        Self::build(
            (&app_label, &read(CertPart::App, app)?),
            (&alipay_label, &read(CertPart::Alipay, alipay)?),
            (&root_label, &read(CertPart::Root, root)?),
            backend,
        )
    }

    /// [`CertConfig::from_pems_with`]; the error says which input it is about.
    pub(crate) fn read_pems(
        app_cert_pem: &str,
        alipay_cert_pem: &str,
        alipay_root_bundle_pem: &str,
        backend: Backend,
    ) -> Result<Self, (CertPart, CertError)> {
        Self::build(
            ("the app certificate", app_cert_pem),
            ("the Alipay certificate", alipay_cert_pem),
            ("the Alipay root certificate", alipay_root_bundle_pem),
            backend,
        )
    }

    fn build(
        (app_label, app_pem): (&str, &str),
        (alipay_label, alipay_pem): (&str, &str),
        (root_label, root_pem): (&str, &str),
        backend: Backend,
    ) -> Result<Self, (CertPart, CertError)> {
        let app_cert = Certificate::from_pem(app_pem)
            .map_err(|e| (CertPart::App, CertError::input(app_label)(e)))?;
        let app_cert_sn = app_cert.sn();
        let alipay_error = |e| (CertPart::Alipay, CertError::input(alipay_label)(e));
        let mut alipay_chain = Vec::new();
        for (index, cert) in parse_pem_bundle(alipay_pem).into_iter().enumerate() {
            match cert {
                Ok(cert) => alipay_chain.push(cert),
                // The intermediates are only needed for the chain check: a broken one does not
                // prevent using the Alipay key, but a broken first certificate does.
                Err(error) if index == 0 => return Err(alipay_error(error)),
                Err(_) => {}
            }
        }
        let Some(alipay_cert) = alipay_chain.first() else {
            return Err(alipay_error(CertError::NotPem));
        };
        let key = alipay_cert.public_key(backend).map_err(alipay_error)?;
        let alipay_key = (alipay_cert.sn(), key);
        let roots =
            rsa_roots(root_pem).map_err(|e| (CertPart::Root, CertError::input(root_label)(e)))?;
        let alipay_root_cert_sn = roots.iter().map(cert_sn).collect::<Vec<_>>().join("_");
        Ok(Self {
            app_cert,
            app_cert_sn,
            alipay_root_cert_sn,
            alipay_keys: vec![alipay_key.clone()],
            alipay_key,
            alipay_chain,
            roots,
            pinned_issuers: Vec::new(),
        })
    }

    /// The app certificate (`appCertPublicKey_<app id>.crt`): its public key must be the app
    /// private key's.
    pub fn app_certificate(&self) -> &Certificate {
        &self.app_cert
    }

    /// The configured Alipay certificate, then the intermediates that followed it in its file.
    pub fn alipay_chain(&self) -> &[Certificate] {
        &self.alipay_chain
    }

    /// The `app_cert_sn` request parameter.
    pub fn app_cert_sn(&self) -> &str {
        &self.app_cert_sn
    }

    /// The `alipay_root_cert_sn` request parameter.
    pub fn alipay_root_cert_sn(&self) -> &str {
        &self.alipay_root_cert_sn
    }

    /// The SN of the configured Alipay certificate.
    pub fn alipay_cert_sn(&self) -> &str {
        &self.alipay_key.0
    }

    /// The configured Alipay certificate's public key.
    pub fn alipay_public_key(&self) -> &PublicKey {
        &self.alipay_key.1
    }

    /// The Alipay public key for the `alipay_cert_sn` of an answer, if it is one of the known
    /// certificates.
    pub fn key_for_sn(&self, sn: &str) -> Option<&PublicKey> {
        self.alipay_keys
            .iter()
            .find(|(known, _)| known == sn)
            .map(|(_, key)| key)
    }

    /// The known Alipay certificates' SNs and public keys, the configured one first.
    pub fn alipay_keys(&self) -> impl Iterator<Item = (&str, &PublicKey)> {
        self.alipay_keys.iter().map(|(sn, key)| (sn.as_str(), key))
    }

    /// The RSA roots of the root bundle, in file order.
    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    /// Checks that the configured Alipay certificate chains, through the intermediates of its
    /// file, to an RSA root of the bundle, and that it is valid at `now` (Unix seconds; see
    /// [`unix_now`](super::unix_now)). See [`verify_chain`].
    pub fn verify_alipay_chain(&self, now: i64) -> Result<(), CertError> {
        match self.alipay_chain.split_first() {
            Some((leaf, intermediates)) => verify_chain(leaf, intermediates, &self.roots, now),
            None => Err(CertError::NotPem),
        }
    }
}

/// Which input of a [`CertConfig`] an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CertPart {
    /// The app certificate.
    App,
    /// The Alipay certificate.
    Alipay,
    /// The Alipay root bundle.
    Root,
}
