//! `sandbox serve`: the embedded gateway as a process of its own.

use std::collections::BTreeSet;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay::crypto::{KeyError, PrivateKey, PublicKey};
use alipay::sandbox::{FaultRule, Sandbox};
use clap::{ArgMatches, Args};

use crate::fatal::{Context, Fatal};
use crate::{files, output, runtime};

/// The `--help` text of `sandbox serve`.
pub(crate) const HELP: &str = "\
Run the local gateway in the foreground, for clients in any language.

Line 1 of stdout is the gateway URL, line 2 the Alipay public key (bare base64 SPKI) that
clients must configure; what else the sandbox has to say goes to stderr, on labelled lines.
It serves until SIGINT (Ctrl-C) or SIGTERM, then exits 0.";

const MORE: &str = "\
Fault kinds (--fault KIND[=ARG][:METHOD], repeatable; without :METHOD, every call):
  latency[=MS]      the answer comes MS milliseconds late (default 3000)
  5xx[=STATUS]      HTTP STATUS (500 to 599, default 502) with an HTML page; not carried out
  reset             the headers and half the body, then the connection is dropped
  truncated         the signed answer cut in the middle: not JSON
  bad-sign          a well-formed signature of other content
  unsigned          no `sign`
  duplicate         the method's node twice
  oversize[=BYTES]  padded to BYTES (default 5 MiB, at most 64 MiB)
  gbk               a signed 40004 ACQ.SYSTEM_ERROR, its sub_msg in GBK; not carried out
Other than 5xx and gbk, the call is carried out and only its answer spoiled, as in an outage.

Control endpoints, at the gateway's host and port (they do not exist at Alipay):
  POST   /sandbox/pay?app_id=ID&out_trade_no=T  the buyer pays (or: alipay sandbox pay) and
                                                the trade's notify_url is notified
  GET    /sandbox/notifications                 every notification attempt and its outcome
  GET    /sandbox/faults                        the fault rules in force
  POST   /sandbox/faults                        adds a rule, e.g. {\"fault\":\"reset\",
                                                \"method\":\"alipay.trade.query\",\"times\":1}
                                                (method and times optional; or an array)
  DELETE /sandbox/faults                        removes every rule
Each answers JSON.

Certificate mode (--cert-mode DIR): the sandbox is its own certificate authority (new
certificates at each start). It writes alipayRootCert.crt, alipayCertPublicKey_RSA2.crt (for
the key on line 2) and, per app, appCertPublicKey_<app id>.crt and aesKey_<app id>.txt (its
content encryption key, owner-only) into DIR before printing the two lines. Those apps must
then send app_cert_sn and alipay_root_cert_sn.

Example:
  alipay sandbox serve --addr localhost:8080 --app 2021000000000001=app_public_key.pem";

/// `alipay sandbox serve`.
#[derive(Debug, Args)]
#[command(after_long_help = MORE)]
pub(crate) struct ServeArgs {
    /// Where to listen, HOST:PORT: an address or a host name (port 0: a free port)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    addr: String,
    /// An app to register, with the file of the app's public key (repeatable)
    #[arg(long, value_name = "ID=KEYFILE", value_parser = parse_app)]
    app: Vec<AppArg>,
    /// The older form of --app: an app id, paired with the --app-public-key right after it
    #[arg(long, value_name = "ID")]
    app_id: Vec<String>,
    /// The older form of --app: the app's public key file for the --app-id just before
    #[arg(long, value_name = "FILE")]
    app_public_key: Vec<PathBuf>,
    /// The private key the sandbox signs with (default: generated, or the state file's)
    #[arg(long, value_name = "FILE")]
    alipay_private_key: Option<PathBuf>,
    /// Factor on Alipay's notification retry schedule, e.g. 0.001 (default 1)
    #[arg(long, value_name = "F", value_parser = parse_scale, allow_negative_numbers = true)]
    notify_scale: Option<f64>,
    /// Spoil answers on purpose (repeatable), e.g. reset:alipay.trade.query; kinds below
    #[arg(long, value_name = "KIND[=ARG][:METHOD]", value_parser = parse_fault)]
    fault: Vec<FaultArg>,
    /// Keep apps and trades in FILE across restarts
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Certificate mode: hold the apps given to it and write their certificates into DIR
    #[arg(long, value_name = "DIR")]
    cert_mode: Option<PathBuf>,
}

/// `--app ID=KEYFILE`.
#[derive(Debug, Clone)]
struct AppArg {
    id: String,
    key_file: PathBuf,
}

fn parse_app(text: &str) -> Result<AppArg, String> {
    match text.split_once('=') {
        Some((id, file)) if !id.trim().is_empty() && !file.is_empty() => Ok(AppArg {
            id: id.trim().to_owned(),
            key_file: PathBuf::from(file),
        }),
        _ => Err("use ID=KEYFILE, e.g. 2021000000000001=app_public_key.pem".to_owned()),
    }
}

/// `--fault`: the rule, and its text to show back.
#[derive(Debug, Clone)]
struct FaultArg {
    text: String,
    rule: FaultRule,
}

fn parse_fault(text: &str) -> Result<FaultArg, alipay::sandbox::ParseFaultError> {
    Ok(FaultArg {
        text: text.to_owned(),
        rule: FaultRule::parse_cli(text)?,
    })
}

fn parse_scale(text: &str) -> Result<f64, String> {
    text.parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| "use a number ≥ 0".to_owned())
}

/// HOST:PORT, an address or a host name; of a name's addresses, the first IPv4 one if any.
fn resolve(addr: &str) -> Result<SocketAddr, Fatal> {
    if let Ok(addr) = addr.parse() {
        return Ok(addr);
    }
    let hint = "use HOST:PORT, e.g. 127.0.0.1:8080 or localhost:8081";
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| Fatal::usage(format!("`--addr {addr}`: {e} ({hint})")))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| Fatal::usage(format!("`--addr {addr}`: no address found ({hint})")))
}

/// The apps of `--app` and of the older `--app-id`/`--app-public-key` pairs, each key file
/// given right after its id.
fn apps(args: &ServeArgs, matches: &ArgMatches) -> Result<Vec<AppArg>, Fatal> {
    let mut apps = args.app.clone();
    let indices =
        |id: &str| -> Vec<usize> { matches.indices_of(id).into_iter().flatten().collect() };
    let mut given: Vec<(usize, bool)> = indices("app_id").into_iter().map(|i| (i, true)).collect();
    given.extend(indices("app_public_key").into_iter().map(|i| (i, false)));
    given.sort_unstable();
    let order: Vec<bool> = given.into_iter().map(|(_, is_id)| is_id).collect();
    let paired = order.chunks(2).all(|pair| pair == [true, false]);
    if !paired {
        return Err(Fatal::usage(format!(
            "{} `--app-id` and {} `--app-public-key`: give each `--app-public-key FILE` right \
             after its `--app-id ID`, or use `--app ID=KEYFILE`",
            args.app_id.len(),
            args.app_public_key.len()
        )));
    }
    for (id, key_file) in args.app_id.iter().zip(&args.app_public_key) {
        if id.trim().is_empty() {
            return Err(Fatal::usage("`--app-id` is empty"));
        }
        apps.push(AppArg {
            id: id.trim().to_owned(),
            key_file: key_file.clone(),
        });
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = apps.iter().find(|app| !seen.insert(app.id.as_str())) {
        return Err(Fatal::usage(format!("app `{}` is given twice", twice.id)));
    }
    Ok(apps)
}

/// The app's public key from its file; a private key is refused with what is wanted instead.
fn app_key(app: &AppArg) -> Result<PublicKey, Fatal> {
    let path = app.key_file.display();
    match PublicKey::parse(&files::read(&app.key_file)?) {
        Ok(key) => Ok(key),
        Err(KeyError::ExpectedPublicKey) => Err(Fatal::usage(format!(
            "`{path}` (app `{}`) is a private key: the sandbox wants the app's public key \
             (`app_public_key.pem` of `alipay keygen`, the key uploaded to the Alipay console)",
            app.id
        ))),
        Err(e) => Err(e).context(|| format!("`{path}` (app `{}`)", app.id)),
    }
}

pub(crate) fn run(args: &ServeArgs, matches: &ArgMatches) -> Result<ExitCode, Fatal> {
    let addr = resolve(args.addr.trim())?;
    let apps = apps(args, matches)?;
    let mut builder = Sandbox::builder().addr(addr);
    for app in &apps {
        builder = builder.app(app.id.clone(), app_key(app)?);
    }
    if let Some(path) = &args.alipay_private_key {
        let key = match PrivateKey::parse(&files::read(path)?) {
            Ok(key) => key,
            Err(KeyError::ExpectedPrivateKey) => {
                return Err(Fatal::usage(format!(
                    "`{}` is a public key: `--alipay-private-key` wants the private key the \
                     sandbox signs with",
                    path.display()
                )));
            }
            Err(e) => return Err(e).context(|| format!("`{}`", path.display())),
        };
        builder = builder.alipay_private_key(key);
    }
    if let Some(scale) = args.notify_scale {
        builder = builder.notify_time_scale(scale);
    }
    for fault in &args.fault {
        builder = builder.fault(fault.rule.clone());
    }
    if let Some(path) = &args.state {
        builder = builder.state_file(path);
    }
    if let Some(dir) = &args.cert_mode {
        std::fs::create_dir_all(dir).context(|| format!("`--cert-mode {}`", dir.display()))?;
        builder = builder.cert_mode(true);
    }
    runtime()?.block_on(async move {
        // Listen for the signals before announcing the URL: a supervisor may signal at once.
        let stop = Signals::new()?;
        let sandbox = builder.start().await?;
        if let Some(dir) = &args.cert_mode {
            write_cert_files(&sandbox, dir, &apps)?;
        }
        output::line(&sandbox.gateway_url())?;
        output::line(&sandbox.alipay_public_key().to_base64())?;
        describe(args, &sandbox, &apps);
        stop.wait().await;
        sandbox.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The labelled lines on stderr, for a person reading the terminal.
fn describe(args: &ServeArgs, sandbox: &Sandbox, apps: &[AppArg]) {
    let note =
        |label: &str, text: &str| output::note(&format!("alipay sandbox: {label:<13} {text}"));
    let gateway = sandbox.gateway_url();
    note("gateway", &gateway);
    note(
        "Alipay key",
        "line 2 of stdout (bare base64 SPKI): configure it in the clients",
    );
    let ids: Vec<&str> = apps.iter().map(|a| a.id.as_str()).collect();
    let mut registered = if ids.is_empty() {
        "none given (--app ID=KEYFILE)".to_owned()
    } else {
        ids.join(", ")
    };
    if let Some(state) = &args.state {
        note("state file", &state.display().to_string());
        registered.push_str(" and those of the state file");
    }
    note("apps", &registered);
    if let Some(dir) = &args.cert_mode {
        note(
            "certificates",
            &format!("certificate mode, files in {}", dir.display()),
        );
    }
    for fault in &args.fault {
        note("fault", &fault.text);
    }
    let base = format!("http://{}", sandbox.addr());
    note(
        "buyer pays",
        &format!("alipay sandbox pay --gateway {gateway} --app-id ID --out-trade-no T"),
    );
    note(
        "notifications",
        &format!("GET {base}/sandbox/notifications"),
    );
    note(
        "faults",
        &format!("GET, POST or DELETE {base}/sandbox/faults"),
    );
    note("stop", "Ctrl-C (SIGINT) or SIGTERM");
}

/// Certificate mode: moves each app to certificate mode and writes what its client needs into
/// `dir`: `alipayRootCert.crt`, `alipayCertPublicKey_RSA2.crt`, and per app
/// `appCertPublicKey_<app id>.crt` and `aesKey_<app id>.txt` (secret: owner-only).
fn write_cert_files(sandbox: &Sandbox, dir: &Path, apps: &[AppArg]) -> Result<(), Fatal> {
    files::replace(
        &dir.join("alipayCertPublicKey_RSA2.crt"),
        sandbox.alipay_cert_pem()?.as_bytes(),
        false,
    )?;
    files::replace(
        &dir.join("alipayRootCert.crt"),
        sandbox.alipay_root_cert_pem()?.as_bytes(),
        false,
    )?;
    for app in apps {
        let certified = sandbox.certify_app(&app.id)?;
        files::replace(
            &dir.join(format!("appCertPublicKey_{}.crt", app.id)),
            certified.app_cert_pem.as_bytes(),
            false,
        )?;
        files::replace(
            &dir.join(format!("aesKey_{}.txt", app.id)),
            certified.aes_key.as_bytes(),
            true,
        )?;
    }
    Ok(())
}

/// SIGINT and SIGTERM (Ctrl-C only off Unix).
struct Signals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Self, Fatal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| signal(kind).context(|| "cannot listen for signals".to_owned());
            Ok(Self {
                terminate: listen(SignalKind::terminate())?,
                interrupt: listen(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
