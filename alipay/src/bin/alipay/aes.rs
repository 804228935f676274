//! `aes encrypt` and `aes decrypt`: content encryption as Alipay does it.

use std::process::ExitCode;

use alipay::crypto::AesKey;
use clap::{Args, Subcommand};

use crate::fatal::{Context, Fatal};
use crate::{files, output};

/// `alipay aes`.
#[derive(Debug, Subcommand)]
pub(crate) enum AesCommand {
    /// Encrypt stdin byte for byte, print the base64 ciphertext and a newline
    Encrypt(KeyArg),
    /// Decrypt the base64 ciphertext on stdin, write the plaintext bytes as they are
    Decrypt(KeyArg),
}

/// The content encryption key.
#[derive(Debug, Args)]
pub(crate) struct KeyArg {
    /// The content encryption key from the Alipay console (base64 of 16, 24 or 32 bytes)
    #[arg(
        long,
        value_name = "B64",
        env = "ALIPAY_AES_KEY",
        hide_env_values = true
    )]
    key: String,
}

pub(crate) fn run(command: &AesCommand) -> Result<ExitCode, Fatal> {
    let (KeyArg { key }, encrypt) = match command {
        AesCommand::Encrypt(key) => (key, true),
        AesCommand::Decrypt(key) => (key, false),
    };
    let key = AesKey::from_base64(key.trim()).context(|| "`--key`".to_owned())?;
    let input = files::stdin()?;
    if encrypt {
        output::line(&key.encrypt(&input))
    } else {
        let text =
            std::str::from_utf8(&input).map_err(|_| Fatal::usage("stdin is not base64 text"))?;
        output::bytes(&key.decrypt(text)?)
    }?;
    Ok(ExitCode::SUCCESS)
}
