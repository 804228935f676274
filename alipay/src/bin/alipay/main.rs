//! `alipay`: the command line tool for the chores of an Alipay integration.
//!
//! Its usage text is its `--help` (`alipay help COMMAND` for one command); the README's command
//! table is checked against it by `tests/cli/usage.rs`. One file per command group: `keys` (`sign`,
//! `verify-notify`, `keygen`), `certs`, `aes`, `call`, `bill`, `sandbox` (`pay`) and `serve`.

mod aes;
mod bill;
mod call;
mod certs;
mod fatal;
mod files;
mod keys;
mod output;
mod sandbox;
mod serve;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::fatal::{Context, Fatal};

const AFTER_HELP: &str = "\
Exit codes:
  0  success (`valid`, a verified answer, a trade paid)
  1  the call or check failed: Alipay answered an error (its fields as JSON on stdout), the
     notification is `invalid`, the sandbox refused a payment
  2  usage: bad flags, an input, key or file that cannot be read, missing configuration, or a
     call that got no verified answer (network, signature); the reason is on stderr

Settings marked [env: ALIPAY_…] may be given in that environment variable instead.
`alipay help COMMAND` (or `alipay COMMAND --help`) tells more about each command.";

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "alipay",
    version,
    about = "The chores of an Alipay integration: keys, signatures, certificate SNs, content \
             encryption, calls, and a local gateway to test against",
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = true,
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Sign the JSON object of string parameters on stdin (prints the RSA2 signature)
    #[command(long_about = keys::SIGN_HELP)]
    Sign(keys::SignArgs),
    /// Check the signature of the raw notification form body on stdin (prints valid or invalid)
    #[command(long_about = keys::VERIFY_NOTIFY_HELP)]
    VerifyNotify(keys::VerifyNotifyArgs),
    /// Write a new RSA-2048 app key pair
    #[command(long_about = keys::KEYGEN_HELP)]
    Keygen(keys::KeygenArgs),
    /// Print the SN of the first certificate in FILE (app_cert_sn)
    #[command(long_about = certs::CERT_SN_HELP)]
    CertSn(certs::CertSnArgs),
    /// Print the SN of a root bundle (alipay_root_cert_sn)
    #[command(long_about = certs::ROOT_CERT_SN_HELP)]
    RootCertSn(certs::RootCertSnArgs),
    /// AES content encryption as Alipay does it (AES-CBC, zero IV, PKCS#7)
    #[command(subcommand)]
    Aes(aes::AesCommand),
    /// Call the gateway and print the verified answer node
    #[command(long_about = call::CALL_HELP)]
    Call(call::CallArgs),
    /// Bills: download one, print its rows
    #[command(subcommand)]
    Bill(bill::BillCommand),
    /// The local gateway: run it, make its buyer pay
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return clap_exit(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error),
    };
    match run(&cli.command, &matches) {
        Ok(code) => code,
        Err(fatal) => fatal.exit(),
    }
}

/// Prints clap's help, version or usage error (a closed pipe ignored) and gives its exit code:
/// 0 for help and version, 2 for usage errors.
fn clap_exit(error: &clap::Error) -> ExitCode {
    let _ = error.print();
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(fatal::USAGE))
}

fn run(command: &Command, matches: &clap::ArgMatches) -> Result<ExitCode, Fatal> {
    match command {
        Command::Sign(args) => keys::sign(args),
        Command::VerifyNotify(args) => keys::verify_notify(args),
        Command::Keygen(args) => keys::keygen(args),
        Command::CertSn(args) => certs::cert_sn(args),
        Command::RootCertSn(args) => certs::root_cert_sn(args),
        Command::Aes(command) => aes::run(command),
        Command::Call(args) => call::run(args),
        Command::Bill(command) => bill::run(command),
        Command::Sandbox(sandbox::SandboxCommand::Pay(args)) => sandbox::pay(args),
        Command::Sandbox(sandbox::SandboxCommand::Serve(args)) => {
            let serve = matches
                .subcommand_matches("sandbox")
                .and_then(|m| m.subcommand_matches("serve"))
                .ok_or_else(|| Fatal::usage("`sandbox serve` without its arguments"))?;
            serve::run(args, serve)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "alipay", &mut script);
            output::bytes(&script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The async runtime of `call`, `bill download`, `sandbox serve` and `sandbox pay`.
fn runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context(|| "cannot start the async runtime".to_owned())
}
