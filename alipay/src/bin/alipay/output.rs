//! Writing to stdout and stderr without panicking: a reader that went away (a closed pipe,
//! `alipay … | head -c0`) drops what is left to write, quietly, and the command keeps its own
//! exit code; any other write failure is an error.

use std::io::{ErrorKind, Write};

use crate::fatal::Fatal;

/// Writes `bytes` to stdout as they are.
pub(crate) fn bytes(bytes: &[u8]) -> Result<(), Fatal> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Fatal::usage(format!("cannot write stdout: {e}"))),
    }
}

/// Writes `text` and a newline to stdout.
pub(crate) fn line(text: &str) -> Result<(), Fatal> {
    bytes(format!("{text}\n").as_bytes())
}

/// Writes `text` and a newline to stderr; a failure is ignored (there is nowhere left to say it).
pub(crate) fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}").and_then(|()| stderr.flush());
}
