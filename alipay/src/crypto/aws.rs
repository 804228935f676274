//! The default backend: aws-lc-rs (AWS-LC), constant-time RSA.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use zeroize::Zeroizing;

use super::KeyError;

/// The largest modulus AWS-LC accepts for RSA keys.
pub(super) const MAX_BITS: usize = 8192;

/// A parsed RSA key pair, ready to sign.
pub(super) struct AwsSigner {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl AwsSigner {
    /// Parses a PKCS#8 `PrivateKeyInfo` DER (already checked to hold an RSA key).
    pub(super) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyError> {
        let key = RsaKeyPair::from_pkcs8(pkcs8).map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            key,
            rng: SystemRandom::new(),
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `content`.
    pub(super) fn sign(&self, content: &[u8]) -> Result<Vec<u8>, aws_lc_rs::error::Unspecified> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, content, &mut signature)?;
        Ok(signature)
    }
}

/// A parsed RSA public key, ready to verify.
pub(super) struct AwsVerifier {
    key: ParsedPublicKey,
}

impl AwsVerifier {
    /// Parses a PKCS#1 `RSAPublicKey` DER.
    pub(super) fn from_pkcs1(pkcs1_public: &[u8]) -> Result<Self, KeyError> {
        let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1_public)
            .parse()
            .map_err(|_| KeyError::Rejected)?;
        Ok(Self { key })
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `content`.
    pub(super) fn verify(&self, content: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(content, signature).is_ok()
    }
}

/// A new RSA-2048 key, as PKCS#8 DER.
pub(super) fn generate_pkcs8() -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let key = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
    // The returned buffer zeroizes itself on drop.
    let der = key.as_der().map_err(|_| KeyError::Generate)?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}
