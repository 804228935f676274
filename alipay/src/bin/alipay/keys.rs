//! `sign`, `verify-notify` and `keygen`: the app key's chores.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use alipay::crypto::{PrivateKey, PublicKey, Signer};
use alipay::notify::{self, NotifyError};
use clap::Args;

use crate::fatal::{Context, FAILED, Fatal};
use crate::{files, output};

/// The `--help` text of `sign`.
pub(crate) const SIGN_HELP: &str = "Sign the JSON object of string parameters on stdin (prints \
                  the RSA2 signature).\n\n\
                  The sign content is Alipay's: every parameter but `sign`, sorted by name, \
                  empty values left out, joined as `k=v&k=v`. Every value must be a JSON string.";

/// `alipay sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The app private key: a file (PKCS#8 or PKCS#1, PEM or bare base64) or the key itself
    #[arg(
        long,
        value_name = "KEY",
        env = "ALIPAY_PRIVATE_KEY",
        hide_env_values = true
    )]
    private_key: String,
    /// Print the sign content instead of the signature
    #[arg(long)]
    content: bool,
}

/// The `--help` text of `verify-notify`.
pub(crate) const VERIFY_NOTIFY_HELP: &str = "Check the signature of the raw notification form \
                  body on stdin.\n\n\
                  Prints `valid` (exit 0) or `invalid` (exit 1); a body that is not a form is an \
                  input error (exit 2).";

/// `alipay verify-notify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyNotifyArgs {
    /// The Alipay public key: a file (PEM or bare base64) or the key itself
    #[arg(
        long,
        value_name = "KEY",
        env = "ALIPAY_PUBLIC_KEY",
        hide_env_values = true
    )]
    alipay_public_key: String,
}

/// The `--help` text of `keygen`.
pub(crate) const KEYGEN_HELP: &str = "Write a new RSA-2048 app key pair: `app_private_key.pem` \
                  (PKCS#8, owner-only) and \
                  `app_public_key.pem` (SPKI, to upload to the Alipay console).\n\n\
                  Existing files are never overwritten. Prints the two paths.";

/// `alipay keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// The directory to write the two files into (created if needed)
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

pub(crate) fn sign(args: &SignArgs) -> Result<ExitCode, Fatal> {
    let key = PrivateKey::parse(&files::key_or_path(&args.private_key)?)
        .context(|| "`--private-key`".to_owned())?;
    let params: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&files::stdin()?)
        .context(|| "stdin is not a JSON object".to_owned())?;
    let mut pairs = Vec::with_capacity(params.len());
    for (name, value) in params {
        match value {
            serde_json::Value::String(text) => pairs.push((name, text)),
            other => {
                return Err(Fatal::usage(format!(
                    "parameter `{name}` is {other}, not a string (send every value as a JSON \
                     string)"
                )));
            }
        }
    }
    let content = alipay::wire::sign_content(pairs);
    if args.content {
        output::line(&content)?;
    } else {
        output::line(&key.sign(content.as_bytes()).map_err(Fatal::boxed)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify_notify(args: &VerifyNotifyArgs) -> Result<ExitCode, Fatal> {
    let key = PublicKey::parse(&files::key_or_path(&args.alipay_public_key)?)
        .context(|| "`--alipay-public-key`".to_owned())?;
    let mut body = files::stdin()?;
    while body.last().is_some_and(|b| b.is_ascii_whitespace()) {
        body.pop();
    }
    match notify::verify_body(&body, &key) {
        Ok(_) => {
            output::line("valid")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(NotifyError::Verify(_) | NotifyError::MissingSign) => {
            output::line("invalid")?;
            Ok(ExitCode::from(FAILED))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn keygen(args: &KeygenArgs) -> Result<ExitCode, Fatal> {
    let dir = &args.out_dir;
    std::fs::create_dir_all(dir).context(|| format!("cannot create `{}`", dir.display()))?;
    let private_path = dir.join("app_private_key.pem");
    let public_path = dir.join("app_public_key.pem");
    for path in [&private_path, &public_path] {
        if path.exists() {
            return Err(Fatal::usage(format!(
                "`{}` already exists; not overwriting a key",
                path.display()
            )));
        }
    }
    let key = PrivateKey::generate()?;
    files::create(&private_path, key.to_pkcs8_pem().as_bytes(), true)?;
    files::create(&public_path, key.public_key().to_pem().as_bytes(), false)?;
    output::line(&private_path.display().to_string())?;
    output::line(&public_path.display().to_string())?;
    Ok(ExitCode::SUCCESS)
}
