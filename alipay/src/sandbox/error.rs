//! [`SandboxError`]: why the sandbox could not start or carry out an action.

use crate::crypto::KeyError;

use super::wire;
#[cfg(doc)]
use super::{Sandbox, SandboxBuilder};

/// Why the sandbox could not start or carry out an action.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// Binding the listening socket failed.
    #[error("the sandbox could not listen")]
    Io(#[from] std::io::Error),
    /// No trade with this `out_trade_no` for this app.
    #[error("no trade `{out_trade_no}` for app `{app_id}` in the sandbox")]
    UnknownTrade {
        /// The app id asked for.
        app_id: String,
        /// The merchant's order number asked for.
        out_trade_no: String,
    },
    /// The trade is not in the status the action needs (e.g. paying a closed trade).
    #[error("trade `{out_trade_no}` is {status}, not {expected}")]
    WrongState {
        /// The merchant's order number.
        out_trade_no: String,
        /// The trade's current status, e.g. `TRADE_CLOSED`.
        status: String,
        /// The status the action needs, e.g. `WAIT_BUYER_PAY`.
        expected: &'static str,
    },
    /// A key pair could not be generated.
    #[error("the sandbox could not generate a key")]
    Key(#[from] KeyError),
    /// The signature of an order string (see [`Sandbox::app_pay`]) does not verify with the
    /// app's public key.
    #[error("the signature does not verify with the app's public key")]
    InvalidSignature,
    /// The request was refused as the gateway would refuse it, e.g. an unknown app id, a stale
    /// timestamp, a missing field or a trade already paid.
    #[error("refused: {code} {sub_code}: {sub_msg}")]
    Refused {
        /// The gateway code, e.g. `40002`.
        code: String,
        /// Alipay's `sub_code`, e.g. `isv.invalid-app-id`.
        sub_code: String,
        /// Alipay's `sub_msg`.
        sub_msg: String,
    },
    /// No app with this id is registered.
    #[error("no app `{0}` is registered in the sandbox")]
    UnknownApp(String),
    /// No certification with this `certify_id`.
    #[error("no certification `{certify_id}` in the sandbox")]
    UnknownCertification {
        /// The id asked for.
        certify_id: String,
    },
    /// The certification was already completed (passed or failed).
    #[error("certification `{certify_id}` is already completed")]
    CertificationCompleted {
        /// The id asked for.
        certify_id: String,
    },
    /// The state file (see [`SandboxBuilder::state_file`]) could not be read or written. When
    /// writing failed, the change is made in memory but is not saved.
    #[error("{0}")]
    State(String),
    /// A builder option is out of range (e.g. a negative notification time scale).
    #[error("invalid sandbox option: {0}")]
    InvalidOption(String),
    /// A certificate could not be issued (certificate mode).
    #[error("the sandbox could not issue a certificate: {0}")]
    Certificate(String),
    /// The buyer's browser ([`browse`](super::browse), [`Sandbox::pay_in_cashier`]) could not
    /// fetch a page, or the page was not the one expected (e.g. an error page instead of the
    /// cashier).
    #[error("browser: {0}")]
    Browser(String),
}

impl SandboxError {
    /// A gateway refusal as an error of a control method.
    pub(crate) fn refused(failure: wire::Failure) -> Self {
        if failure.sub_code == "isv.invalid-signature" {
            return Self::InvalidSignature;
        }
        Self::Refused {
            code: failure.code.to_owned(),
            sub_code: failure.sub_code.to_owned(),
            sub_msg: failure.sub_msg,
        }
    }
}
