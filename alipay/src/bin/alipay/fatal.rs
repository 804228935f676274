//! The one error path of the tool: what went wrong, its causes each printed once, and the exit
//! code it ends with.

use std::error::Error;
use std::process::ExitCode;

use alipay::error::Report;

use crate::output;

/// Exit code of a call or check that failed: Alipay answered an error, a notification is
/// `invalid`, the sandbox refused a payment.
pub(crate) const FAILED: u8 = 1;
/// Exit code of a usage or input error (flags, files, keys, configuration) or of a call that
/// got no verified answer (network, signature).
pub(crate) const USAGE: u8 = 2;

/// A failure that ends the program with a message on stderr.
#[derive(Debug)]
pub(crate) struct Fatal {
    code: u8,
    message: Option<String>,
    source: Option<Box<dyn Error + Send + Sync>>,
}

impl Fatal {
    /// A usage or input error (exit 2) described by `message`.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: Some(message.into()),
            source: None,
        }
    }

    /// A call or check that failed (exit 1), described by `message`.
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self {
            code: FAILED,
            ..Self::usage(message)
        }
    }

    /// A usage or input error (exit 2) that is `error` and its causes.
    pub(crate) fn boxed(error: Box<dyn Error + Send + Sync>) -> Self {
        Self {
            code: USAGE,
            message: None,
            source: Some(error),
        }
    }

    /// The exit code and the line `alipay: MESSAGE: CAUSE: CAUSE…`, each cause once (the
    /// SDK's [`Report`]).
    pub(crate) fn report(&self) -> (u8, String) {
        let mut text = self.message.clone().unwrap_or_default();
        if let Some(source) = &self.source {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&Report::new(source.as_ref()).to_string());
        }
        (self.code, format!("alipay: {text}"))
    }

    /// Prints the report on stderr and gives the exit code.
    pub(crate) fn exit(&self) -> ExitCode {
        let (code, line) = self.report();
        output::note(&line);
        ExitCode::from(code)
    }
}

impl<E: Error + Send + Sync + 'static> From<E> for Fatal {
    fn from(error: E) -> Self {
        Self {
            code: USAGE,
            message: None,
            source: Some(Box::new(error)),
        }
    }
}

/// Adds what was being done to an error.
pub(crate) trait Context<T> {
    /// The error, with `message` in front of its causes.
    fn context(self, message: impl FnOnce() -> String) -> Result<T, Fatal>;
}

impl<T, E: Error + Send + Sync + 'static> Context<T> for Result<T, E> {
    fn context(self, message: impl FnOnce() -> String) -> Result<T, Fatal> {
        self.map_err(|error| Fatal {
            code: USAGE,
            message: Some(message()),
            source: Some(Box::new(error)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused")]
    struct Root;

    /// Shows its source in its own message, as `#[error("…: {source}")]` does.
    #[derive(Debug, thiserror::Error)]
    #[error("the exchange failed: {source}")]
    struct Shows {
        source: Root,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("could not connect")]
    struct Hides(#[source] Shows);

    #[test]
    fn each_cause_is_printed_once() {
        let fatal = Err::<(), _>(Hides(Shows { source: Root })).context(|| "call".to_owned());
        let (code, line) = fatal.expect_err("an error").report();
        assert_eq!(code, USAGE);
        assert_eq!(
            line,
            "alipay: call: could not connect: the exchange failed: connection refused"
        );
    }

    #[test]
    fn failures_exit_1_without_causes() {
        let (code, line) = Fatal::failed("the trade is paid").report();
        assert_eq!((code, line.as_str()), (FAILED, "alipay: the trade is paid"));
    }
}
