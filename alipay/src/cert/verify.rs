//! Certificate signatures and chains.
//!
//! # Why not `rustls-webpki`
//!
//! `rustls-webpki` (0.103, already in the tree through rustls) was evaluated for these checks
//! and is not used, because Alipay's chain and this crate's rules do not fit it:
//!
//! - **SHA-1.** The root bundle's RSA roots include a `sha1WithRSAEncryption` one, and
//!   [`CertConfig::trust_alipay_certificate`](super::CertConfig::trust_alipay_certificate)
//!   accepts SHA-1 only on the link signed by the root itself. webpki offers no RSA SHA-1
//!   algorithm (one would have to be written), and its algorithm list applies to every link of
//!   a path alike, so "SHA-1 only next to the anchor" cannot be said.
//! - **One anchor, not any.** A rotated Alipay certificate must chain to the *one* root that
//!   anchors the configured certificate, through its file's intermediates or a pinned issuer
//!   ([`CertConfig::with_alipay_issuer`](super::CertConfig::with_alipay_issuer)); the same
//!   Ant Financial root also issues every merchant's app certificate. webpki reports whether
//!   *some* path exists, not which anchor and intermediates it used, so the pin and the
//!   anchor would have to be re-checked here anyway.
//! - **Diagnostics.** Errors here say which certificate failed which check (expired
//!   intermediate, not a CA, path length, unsupported critical extension, the signature of
//!   which subject); webpki's `Error` is one variant (`UnknownIssuer`, `BadSignature`, …)
//!   for the whole path.
//! - **Versions and parsing.** webpki accepts only v3 end-entity and intermediate
//!   certificates (a v1 root only as an anchor) and parses each certificate again with its own
//!   parser; certificates this crate reads (and Alipay's SDKs use) could then fail there only.
//! - **Usage.** webpki's path check asks for an extended key usage to require; Alipay's
//!   certificates carry none, and their use (signing API answers) is not a TLS one.
//!
//! What webpki would add (name constraints) does not occur in Alipay's chain. The checks here
//! run over the `x509-cert` types (`BasicConstraints`, `KeyUsage`) and `spki`'s
//! `SubjectPublicKeyInfo`, with AWS-LC verifying the signatures.

use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_2048_8192_SHA384, RSA_PKCS1_2048_8192_SHA512, UnparsedPublicKey,
    VerificationAlgorithm,
};

use der::Decode as _;
use spki::SubjectPublicKeyInfoRef;

use super::{CertError, Certificate};
use crate::crypto::format::{self, KeyShape};

/// The most intermediates between a leaf and a root that are searched.
const MAX_INTERMEDIATES: usize = 6;

/// Checks that `issuer` issued `cert`: names and RSA PKCS#1 v1.5 signature.
pub(super) fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), CertError> {
    if cert.issuer.der() != issuer.subject.der() {
        return Err(CertError::IssuerMismatch {
            issuer: cert.issuer.rfc2253().to_owned(),
            candidate: issuer.subject.rfc2253().to_owned(),
        });
    }
    let algorithm: &'static dyn VerificationAlgorithm = match cert.signature_algorithm.as_str() {
        "1.2.840.113549.1.1.5" => &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        "1.2.840.113549.1.1.11" => &RSA_PKCS1_2048_8192_SHA256,
        "1.2.840.113549.1.1.12" => &RSA_PKCS1_2048_8192_SHA384,
        "1.2.840.113549.1.1.13" => &RSA_PKCS1_2048_8192_SHA512,
        other => {
            return Err(CertError::UnsupportedAlgorithm {
                oid: other.to_owned(),
            });
        }
    };
    // The issuer's key must be an RSA key (the diagnostics of `classify`); its PKCS#1
    // `RSAPublicKey` is the content of the SPKI's BIT STRING, which AWS-LC parses.
    match format::classify(&issuer.spki) {
        Ok(KeyShape::RsaPublic { .. }) => {}
        Ok(_) => {
            return Err(CertError::UnsupportedAlgorithm {
                oid: issuer.key_algorithm.clone(),
            });
        }
        Err(e) => return Err(CertError::Key(e)),
    }
    let spki =
        SubjectPublicKeyInfoRef::from_der(&issuer.spki).map_err(|e| CertError::Key(e.into()))?;
    UnparsedPublicKey::new(algorithm, spki.subject_public_key.raw_bytes())
        .verify(&cert.tbs, &cert.signature)
        .map_err(|_| CertError::BadSignature {
            subject: cert.subject.rfc2253().to_owned(),
            issuer: issuer.subject.rfc2253().to_owned(),
        })
}

/// Why `ca` cannot issue certificates in a path where `below` intermediates already follow it,
/// at `now`.
fn ca_problem(ca: &Certificate, below: usize, now: i64) -> Option<String> {
    if let Err(e) = ca.check_validity_at(now) {
        return Some(e.to_string());
    }
    if let Some(oid) = ca.extensions.unknown_critical.first() {
        return Some(format!(
            "`{}` has an unsupported critical extension {oid}",
            ca.subject
        ));
    }
    match &ca.extensions.basic_constraints {
        Some(constraints) if constraints.ca => {
            if constraints
                .path_len_constraint
                .is_some_and(|max| below > usize::from(max))
            {
                return Some(format!(
                    "`{}` allows fewer intermediate CAs below it",
                    ca.subject
                ));
            }
        }
        _ => return Some(format!("`{}` is not a CA certificate", ca.subject)),
    }
    if ca.extensions.key_cert_sign() == Some(false) {
        return Some(format!(
            "the key usage of `{}` does not allow signing certificates",
            ca.subject
        ));
    }
    None
}

/// A path found from a leaf to a root: the indices of the intermediates used, from the leaf's
/// issuer up, and the index of the root.
pub(super) struct Path {
    pub(super) intermediates: Vec<usize>,
    pub(super) root: usize,
}

/// See [`super::verify_chain`].
pub(super) fn chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    now: i64,
) -> Result<(), CertError> {
    leaf.check_validity_at(now)?;
    if roots.iter().any(|root| root.der == leaf.der) {
        return Ok(());
    }
    path(leaf, intermediates, roots, now).map(|_| ())
}

/// The path from `leaf` through `intermediates` to one of `roots` at `now`, with the checks of
/// [`super::verify_chain`] except the leaf's own validity period.
pub(super) fn path(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    now: i64,
) -> Result<Path, CertError> {
    let not_chained = |reason: String| CertError::NotChained {
        subject: leaf.subject.rfc2253().to_owned(),
        reason,
    };
    if let Some(oid) = leaf.extensions.unknown_critical.first() {
        return Err(not_chained(format!(
            "it has an unsupported critical extension {oid}"
        )));
    }
    let mut path = Vec::new();
    let mut problem = None;
    match build(leaf, intermediates, roots, now, &mut path, &mut problem) {
        Some(root) => Ok(Path {
            intermediates: path,
            root,
        }),
        None => Err(not_chained(problem.unwrap_or_else(|| {
            format!(
                "its issuer `{}` is neither a configured root nor one of the given \
                 intermediate certificates",
                leaf.issuer
            )
        }))),
    }
}

/// Depth-first search for a path from `cert` to a root; `path` holds the indices of the
/// intermediates used so far, `problem` the last reason a candidate was refused. The index of
/// the root reached, if any.
fn build(
    cert: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    now: i64,
    path: &mut Vec<usize>,
    problem: &mut Option<String>,
) -> Option<usize> {
    for (index, root) in roots.iter().enumerate() {
        if root.subject != cert.issuer {
            continue;
        }
        match signed_by(cert, root) {
            Ok(()) => return Some(index),
            Err(e) => *problem = Some(e.to_string()),
        }
    }
    if path.len() >= MAX_INTERMEDIATES {
        *problem = Some("the chain is too long".to_owned());
        return None;
    }
    for (index, ca) in intermediates.iter().enumerate() {
        if ca.subject != cert.issuer || path.contains(&index) {
            continue;
        }
        if let Some(why) = ca_problem(ca, path.len(), now) {
            *problem = Some(why);
            continue;
        }
        if let Err(e) = signed_by(cert, ca) {
            *problem = Some(e.to_string());
            continue;
        }
        path.push(index);
        if let Some(root) = build(ca, intermediates, roots, now, path, problem) {
            return Some(root);
        }
        path.pop();
    }
    None
}
