//! `cert-sn` and `root-cert-sn`: the serial numbers certificate mode sends.

use std::path::PathBuf;
use std::process::ExitCode;

use alipay::cert::{self, Certificate};
use clap::Args;

use crate::fatal::{Context, Fatal};
use crate::{files, output};

/// The `--help` text of `cert-sn`.
pub(crate) const CERT_SN_HELP: &str = "Print the SN of the first certificate in FILE.\n\n\
                  For an app certificate (`appCertPublicKey_<app id>.crt`) this is the \
                  `app_cert_sn` its requests carry; for an Alipay certificate, the \
                  `alipay_cert_sn` of the answers signed with it. FILE is PEM (or base64) text \
                  or binary DER.";

/// `alipay cert-sn`.
#[derive(Debug, Args)]
pub(crate) struct CertSnArgs {
    /// The certificate file
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// The `--help` text of `root-cert-sn`.
pub(crate) const ROOT_CERT_SN_HELP: &str = "Print the `alipay_root_cert_sn` of a root bundle \
                  (`alipayRootCert.crt`).\n\n\
                  The SNs of the bundle's RSA certificates, joined with `_`; certificates of \
                  other algorithms (SM2) are left out, as Alipay does.";

/// `alipay root-cert-sn`.
#[derive(Debug, Args)]
pub(crate) struct RootCertSnArgs {
    /// The root bundle file (PEM)
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub(crate) fn cert_sn(args: &CertSnArgs) -> Result<ExitCode, Fatal> {
    let path = &args.file;
    let bytes = std::fs::read(path).context(|| format!("cannot read `{}`", path.display()))?;
    // PEM (or base64) text, or a binary DER certificate.
    let certificate = match std::str::from_utf8(&bytes) {
        Ok(text) => Certificate::from_pem(text),
        Err(_) => Certificate::from_der(&bytes),
    }
    .context(|| format!("`{}`", path.display()))?;
    output::line(&certificate.sn())?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn root_cert_sn(args: &RootCertSnArgs) -> Result<ExitCode, Fatal> {
    let path = &args.file;
    let sn = cert::root_cert_sn(&files::read(path)?).context(|| format!("`{}`", path.display()))?;
    output::line(&sn)?;
    Ok(ExitCode::SUCCESS)
}
