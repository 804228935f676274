//! Member capabilities (会员能力): Alipay identity verification.
//!
//! | Easy SDK call | request | Alipay method |
//! |---|---|---|
//! | `Identification.init` | [`identification::CertifyInitialize`] | `alipay.user.certify.open.initialize` |
//! | `Identification.certify` | [`identification::Certify`] (rendered locally) | `alipay.user.certify.open.certify` |
//! | `Identification.query` | [`identification::CertifyQuery`] | `alipay.user.certify.open.query` |

pub mod identification;
