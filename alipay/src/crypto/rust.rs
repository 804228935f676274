//! The optional pure-Rust backend: the RustCrypto `rsa` crate (feature `rsa`).
//!
//! **Security note:** the RustSec advisory
//! [RUSTSEC-2023-0071](https://rustsec.org/advisories/RUSTSEC-2023-0071) (the "Marvin attack",
//! a timing side channel that can leak the private key to an attacker who can time many private
//! key operations) is still listed against the `rsa` crate, with no fixed release. Signing here
//! uses the crate's random blinding, which mitigates but does not remove the leak. The default
//! backend, aws-lc-rs ([`Backend::AwsLc`](super::Backend::AwsLc)), is constant-time: prefer it
//! for keys that sign in production.

use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::rand_core::OsRng;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Verifier as _};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

use super::KeyError;

/// The largest modulus the `rsa` crate accepts for public keys.
pub(super) const MAX_BITS: usize = RsaPublicKey::MAX_SIZE;

/// A parsed RSA private key, ready to sign.
pub(super) struct RustSigner {
    key: SigningKey<Sha256>,
}

impl RustSigner {
    /// Parses a PKCS#1 `RSAPrivateKey` DER (already checked to be well-formed).
    pub(super) fn from_pkcs1(pkcs1: &[u8]) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs1_der(pkcs1).map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            key: SigningKey::new(key),
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `content` (deterministic; the random number
    /// generator only blinds the private key operation).
    pub(super) fn sign(&self, content: &[u8]) -> Result<Vec<u8>, rsa::signature::Error> {
        let signature = self.key.try_sign_with_rng(&mut OsRng, content)?;
        Ok(signature.to_vec())
    }
}

/// A parsed RSA public key, ready to verify.
pub(super) struct RustVerifier {
    key: VerifyingKey<Sha256>,
}

impl RustVerifier {
    /// Parses a PKCS#1 `RSAPublicKey` DER.
    pub(super) fn from_pkcs1(pkcs1_public: &[u8]) -> Result<Self, KeyError> {
        let key = RsaPublicKey::from_pkcs1_der(pkcs1_public).map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            key: VerifyingKey::new(key),
        })
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `content`.
    pub(super) fn verify(&self, content: &[u8], signature: &[u8]) -> bool {
        Signature::try_from(signature)
            .and_then(|signature| self.key.verify(content, &signature))
            .is_ok()
    }
}
