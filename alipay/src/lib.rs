//! # Alipay Open Platform SDK for Rust
//!
//! Typed, async, verified requests to the Alipay Open Platform (支付宝开放平台) gateway, with a
//! local gateway (the [`sandbox`]) to test against offline.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[allow(unused_extern_crates)] // lets `::alipay` paths from the derive resolve inside this crate
extern crate self as alipay;

pub mod amount;
pub mod crypto;
pub mod error;
pub mod request;
pub mod response;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
pub mod sign;

pub use amount::{Amount, AmountError};
pub use crypto::{Backend, PrivateKey, PublicKey, Signer, Verifier};
pub use error::{ApiError, BoxError, ConfigError, EncodeError, Error, ResponseError, VerifyError};

/// Derives [`request::Method`] and either [`request::Request`] or [`request::LocalRequest`] for a
/// request struct, plus its builder.
pub use alipay_derive::Request;

#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;
}
