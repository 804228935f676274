//! Member capabilities (会员能力): Alipay identity verification.
//!
//! | Easy SDK call | request | Alipay method |
//! |---|---|---|
//! | `Identification.init` | [`identification::UserCertifyOpenInitialize`] | `alipay.user.certify.open.initialize` |
//! | `Identification.certify` | [`identification::UserCertifyOpenCertify`] (rendered locally) | `alipay.user.certify.open.certify` |
//! | `Identification.query` | [`identification::UserCertifyOpenQuery`] | `alipay.user.certify.open.query` |

pub mod identification;
