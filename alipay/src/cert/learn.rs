//! Trusting a new Alipay certificate met at run time (a rotation): the checks a certificate
//! downloaded with `alipay.open.app.alipaycert.download` must pass before its key is used.
//!
//! The root bundle Alipay ships (`alipayRootCert.crt`) holds third-party commercial roots, and
//! its Ant Financial root also issues (through another intermediate) every merchant's app
//! certificate, whose private key every merchant holds. "Chains to a root of the bundle" is
//! therefore far from "is Alipay's": see [`CertConfig::trust_alipay_certificate`] for what is
//! required instead.

use super::{CertConfig, CertError, Certificate, parse_pem_bundle, verify};
use crate::crypto::Backend;

/// The subject attributes that say which organisation a certificate belongs to: countryName,
/// organizationName, organizationalUnitName.
const ORGANISATION_ATTRIBUTES: [(&str, &str); 3] =
    [("2.5.4.6", "C"), ("2.5.4.10", "O"), ("2.5.4.11", "OU")];

/// sha1WithRSAEncryption.
const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";

/// The signature algorithms accepted on a learned certificate: sha256, sha384 and sha512
/// WithRSAEncryption.
const STRONG_SIGNATURES: [&str; 3] = [
    "1.2.840.113549.1.1.11",
    "1.2.840.113549.1.1.12",
    "1.2.840.113549.1.1.13",
];

/// Learning rotated Alipay certificates.
impl CertConfig {
    /// Pins `issuer_pem` (one or more PEM CA certificates) as issuers of Alipay certificates,
    /// next to the issuer of the configured Alipay certificate.
    ///
    /// A downloaded Alipay certificate must have been issued by the same CA as the configured
    /// one (see [`CertConfig::trust_alipay_certificate`]). If Alipay announces that its
    /// certificates now come from a new issuing CA, either configure the new
    /// `alipayCertPublicKey_RSA2.crt` from the open platform console (the simplest), or pin
    /// the new issuing CA's certificate here (the second certificate of that new file) and
    /// pass the configuration to [`ClientBuilder::cert_config`](crate::ClientBuilder::cert_config):
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use alipay::cert::CertConfig;
    ///
    /// let new_ca = std::fs::read_to_string("new_alipay_issuing_ca.crt")?;
    /// let config = CertConfig::from_paths(
    ///     "appCertPublicKey_2021000000000001.crt",
    ///     "alipayCertPublicKey_RSA2.crt",
    ///     "alipayRootCert.crt",
    /// )?
    /// .with_alipay_issuer(&new_ca)?;
    /// # let _ = config; Ok(()) }
    /// ```
    ///
    /// A pinned CA must itself chain to the root that anchors the configured Alipay
    /// certificate when a certificate it issued is checked. Errors: [`CertError::NotPem`], a
    /// parse error, or [`CertError::NotAlipay`] for a certificate that is not a CA.
    pub fn with_alipay_issuer(mut self, issuer_pem: &str) -> Result<Self, CertError> {
        let mut pinned = Vec::new();
        for cert in parse_pem_bundle(issuer_pem.trim_start_matches('\u{feff}')) {
            let cert = cert?;
            if !cert.is_ca() {
                return Err(CertError::NotAlipay {
                    subject: cert.subject.rfc2253().to_owned(),
                    reason: "an issuing CA to pin must be a CA certificate (basicConstraints cA)"
                        .to_owned(),
                });
            }
            pinned.push(cert);
        }
        if pinned.is_empty() {
            return Err(CertError::NotPem);
        }
        self.pinned_issuers.extend(pinned);
        Ok(self)
    }

    /// The issuing CAs pinned with [`CertConfig::with_alipay_issuer`].
    pub fn pinned_alipay_issuers(&self) -> &[Certificate] {
        &self.pinned_issuers
    }

    /// Checks a new Alipay certificate (e.g. after Alipay rotated its certificate, downloaded
    /// with `alipay.open.app.alipaycert.download`) and returns it. The first certificate of
    /// `pem` is the candidate; the others may serve as intermediates. It is trusted only if it
    /// is an Alipay certificate like the configured one:
    ///
    /// - valid at `now` (Unix seconds);
    /// - signed with SHA-256, SHA-384 or SHA-512 with RSA;
    /// - an end-entity certificate: not a CA (basicConstraints), no `keyCertSign`, and
    ///   `digitalSignature` when it has a keyUsage extension;
    /// - issued by the issuer of the configured Alipay certificate (the same issuer name, by
    ///   DER) or by a CA pinned with [`CertConfig::with_alipay_issuer`];
    /// - with the same organisation in its subject as the configured Alipay certificate: the
    ///   same countryName, organizationName and organizationalUnitName values, compared
    ///   attribute by attribute;
    /// - not the app certificate (not its subject, not its key);
    /// - chaining, through the intermediates of the configured Alipay certificate's file, the
    ///   pinned CAs and the other certificates of `pem`, to the **one** root of the bundle that
    ///   anchors the configured Alipay certificate (not any root of the bundle), every
    ///   intermediate valid at `now` and a CA allowed to sign certificates; SHA-1 is accepted
    ///   only on a certificate signed by that root itself;
    /// - with a usable RSA key.
    ///
    /// Errors: [`CertError::Expired`] or [`CertError::NotYetValid`], [`CertError::NotAlipay`]
    /// naming the check that failed, [`CertError::NotChained`], or a parse or key error.
    pub fn trust_alipay_certificate(&self, pem: &str, now: i64) -> Result<Certificate, CertError> {
        let mut certs = Vec::new();
        for (index, cert) in parse_pem_bundle(pem.trim_start_matches('\u{feff}'))
            .into_iter()
            .enumerate()
        {
            match cert {
                Ok(cert) => certs.push(cert),
                Err(error) if index == 0 => return Err(error),
                Err(_) => {}
            }
        }
        if certs.is_empty() {
            return Err(CertError::NotPem);
        }
        let leaf = certs.remove(0);
        leaf.check_validity_at(now)?;
        self.check_alipay_leaf(&leaf)?;
        let root = self.alipay_anchor(now)?;
        // The download's own certificates come first: they may hold a renewed intermediate.
        certs.extend(self.alipay_chain.iter().skip(1).cloned());
        certs.extend(self.pinned_issuers.iter().cloned());
        let anchor = std::slice::from_ref(root);
        let path = verify::path(&leaf, &certs, anchor, now)?;
        // The last intermediate is the one the root signed.
        let below_root = path
            .intermediates
            .split_last()
            .map_or(&[][..], |(_, below)| below);
        if let Some(weak) = below_root
            .iter()
            .filter_map(|&index| certs.get(index))
            .find(|cert| cert.signature_algorithm == SHA1_WITH_RSA)
        {
            return Err(CertError::NotChained {
                subject: leaf.subject.rfc2253().to_owned(),
                reason: format!(
                    "`{}` is signed with SHA-1, which is accepted only on a certificate the \
                     root signed",
                    weak.subject
                ),
            });
        }
        leaf.public_key(Backend::default())?;
        Ok(leaf)
    }

    /// The checks of a learned certificate that need no chain: see
    /// [`CertConfig::trust_alipay_certificate`].
    fn check_alipay_leaf(&self, leaf: &Certificate) -> Result<(), CertError> {
        let refuse = |reason: String| {
            Err(CertError::NotAlipay {
                subject: leaf.subject.rfc2253().to_owned(),
                reason,
            })
        };
        if !STRONG_SIGNATURES.contains(&leaf.signature_algorithm.as_str()) {
            return refuse(format!(
                "its signature algorithm {} is not SHA-256, SHA-384 or SHA-512 with RSA",
                leaf.signature_algorithm
            ));
        }
        if leaf.is_ca() || leaf.extensions.key_cert_sign() == Some(true) {
            return refuse("it is a CA certificate, not an end-entity one".to_owned());
        }
        if leaf.extensions.digital_signature() == Some(false) {
            return refuse("its key usage does not allow digital signatures".to_owned());
        }
        let Some(configured) = self.alipay_chain.first() else {
            return Err(CertError::NotPem);
        };
        let issuer = leaf.issuer.der();
        let pinned = self
            .pinned_issuers
            .iter()
            .any(|ca| ca.subject.der() == issuer);
        if configured.issuer.der() != issuer && !pinned {
            return refuse(format!(
                "its issuer `{}` is neither the configured Alipay certificate's issuer `{}` nor a \
                 pinned issuing CA (see CertConfig::with_alipay_issuer)",
                leaf.issuer, configured.issuer
            ));
        }
        for (oid, label) in ORGANISATION_ATTRIBUTES {
            let mut expected = configured.subject.values_of(oid);
            let mut actual = leaf.subject.values_of(oid);
            expected.sort_unstable();
            actual.sort_unstable();
            if expected != actual {
                return refuse(format!(
                    "its subject's {label} is {actual:?}, the configured Alipay certificate's is \
                     {expected:?}"
                ));
            }
        }
        if leaf.subject == self.app_cert.subject || leaf.spki == self.app_cert.spki {
            return refuse("it is the app certificate (its subject or its key)".to_owned());
        }
        Ok(())
    }

    /// The root of the bundle that anchors the configured Alipay certificate at `now`.
    fn alipay_anchor(&self, now: i64) -> Result<&Certificate, CertError> {
        let Some((configured, intermediates)) = self.alipay_chain.split_first() else {
            return Err(CertError::NotPem);
        };
        if let Some(root) = self.roots.iter().find(|root| root.der == configured.der) {
            return Ok(root);
        }
        let mut candidates = intermediates.to_vec();
        candidates.extend(self.pinned_issuers.iter().cloned());
        let path = verify::path(configured, &candidates, &self.roots, now).map_err(|error| {
            CertError::NotChained {
                subject: configured.subject.rfc2253().to_owned(),
                reason: format!(
                    "the configured Alipay certificate must chain to a root of the bundle for a \
                     new one to be trusted: {error}"
                ),
            }
        })?;
        self.roots.get(path.root).ok_or(CertError::NotPem)
    }
}
