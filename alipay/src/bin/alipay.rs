//! `alipay`: the command line tool for the chores of an Alipay integration.
//!
//! ```text
//! alipay sign --private-key FILE [--content]     stdin: JSON object of string params
//! alipay verify-notify --alipay-public-key FILE  stdin: raw notification form body
//! alipay keygen --out-dir DIR                    writes app_private_key.pem, app_public_key.pem
//! alipay cert-sn FILE                            prints the SN of the first certificate in FILE
//! alipay root-cert-sn FILE                       prints the alipay_root_cert_sn of a root bundle
//! alipay aes encrypt --key B64                   stdin: plaintext; prints base64 ciphertext
//! alipay aes decrypt --key B64                   stdin: base64 ciphertext; writes the plaintext
//! alipay call METHOD [--biz JSON] [--text K=V]...  calls the gateway, prints the verified node
//! alipay sandbox serve [OPTIONS]                 runs the local gateway in the foreground
//! ```
//!
//! `call` is configured from the environment: `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY` (the app
//! private key: a file path or the key itself), `ALIPAY_PUBLIC_KEY` (the Alipay public key: a
//! path or the key) and `ALIPAY_GATEWAY` (default: production). In certificate mode,
//! `ALIPAY_APP_CERT`, `ALIPAY_CERT` and `ALIPAY_ROOT_CERT` (`appCertPublicKey_<app id>.crt`,
//! `alipayCertPublicKey_RSA2.crt`, `alipayRootCert.crt`: paths or PEM) replace
//! `ALIPAY_PUBLIC_KEY`. `ALIPAY_AES_KEY` is the content encryption key, used with `--encrypt`.
//! It prints the verified answer node as pretty JSON and exits 0; an error answered by Alipay
//! prints `code`, `msg`, `sub_code` and `sub_msg` as JSON on stdout and exits 1; anything else
//! (configuration, network, an answer that does not verify) exits 2 with a message on stderr.
//!
//! `sandbox serve` options (see `alipay help`):
//!
//! ```text
//! --addr HOST:PORT              where to listen (default 127.0.0.1:0, a free port)
//! --app-id ID                   an app to register (repeatable) ...
//! --app-public-key FILE         ... with its public key (paired with the --app-id in order)
//! --alipay-private-key FILE     the key the sandbox signs with (default: generated)
//! --notify-scale F              factor on Alipay's notification retry schedule (default 1)
//! --fault KIND[=ARG][:METHOD]   inject a fault (repeatable), e.g. reset:alipay.trade.query
//! --state FILE                  keep apps and trades in FILE across restarts
//! --cert-mode DIR               certificate mode: the apps given are held to it, and their
//!                               certificates are written into DIR (created if needed)
//! ```
//!
//! It prints the gateway URL on the first line and the Alipay public key (bare base64 SPKI)
//! clients must configure on the second, then serves until SIGINT or SIGTERM and exits 0.
//!
//! With `--cert-mode DIR` the sandbox is its own certificate authority (new certificates at each
//! start): it writes `alipayRootCert.crt`, `alipayCertPublicKey_RSA2.crt` (the certificate of the
//! key printed on the second line), and for each `--app-id` an `appCertPublicKey_<app id>.crt`
//! issued for its public key and `aesKey_<app id>.txt` (its content encryption key, owner-only),
//! before printing the two lines. Requests of those apps must then carry `app_cert_sn` and
//! `alipay_root_cert_sn`, and answers name the Alipay certificate in `alipay_cert_sn`.
//!
//! `cert-sn` gives the `app_cert_sn` of an app certificate (`appCertPublicKey_<app id>.crt`)
//! or the SN of an Alipay certificate; `root-cert-sn` the `alipay_root_cert_sn` of
//! `alipayRootCert.crt`. The AES commands use the content encryption key from Alipay's
//! console (AES-CBC, zero IV, PKCS#7): `encrypt` encrypts stdin byte for byte and prints the
//! base64 and a newline, `decrypt` writes the decrypted bytes as they are.
//!
//! Exit codes: 0 success (`valid`), 1 `invalid` notification or an error answered by Alipay,
//! 2 bad usage, malformed input, or a failed call.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay::cert::{self, Certificate};
use alipay::crypto::{AesKey, PrivateKey, PublicKey, Signer};
use alipay::notify::{self, NotifyError};
use alipay::request::{Method, Params, Request};
use alipay::sandbox::{FaultRule, Sandbox};
use alipay::{Client, EncodeError, Error};
use serde_json::{Map, Value};

const USAGE: &str = "\
usage:
  alipay sign --private-key FILE [--content]      sign the JSON object of string params on stdin
  alipay verify-notify --alipay-public-key FILE   check the notification form body on stdin
  alipay keygen --out-dir DIR                      write a new RSA-2048 app key pair
  alipay cert-sn FILE                              print the SN of the first certificate in FILE
  alipay root-cert-sn FILE                         print the alipay_root_cert_sn of a root bundle
  alipay aes encrypt --key B64                     encrypt stdin, print the base64 ciphertext
  alipay aes decrypt --key B64                     decrypt the base64 on stdin, write the bytes
  alipay call METHOD [--biz JSON] [--text K=V]... [--encrypt]
                                                   call the gateway, print the verified answer
        (env: ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY, ALIPAY_GATEWAY, and ALIPAY_PUBLIC_KEY, or in
        certificate mode ALIPAY_APP_CERT, ALIPAY_CERT, ALIPAY_ROOT_CERT; ALIPAY_AES_KEY)
  alipay sandbox serve [--addr HOST:PORT] [--app-id ID --app-public-key FILE]...
        [--alipay-private-key FILE] [--notify-scale F] [--fault KIND[=ARG][:METHOD]]...
        [--state FILE] [--cert-mode DIR]         run the local gateway until SIGINT/SIGTERM
";

/// A failure that ends the program with exit code 2 and a message on stderr.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(Fatal(message)) => {
            eprintln!("alipay: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, Fatal> {
    let Some((command, rest)) = args.split_first() else {
        return Err(Fatal(format!("missing command\n{USAGE}")));
    };
    match command.as_str() {
        "sign" => sign(&Flags::parse(rest, &["--private-key"], &["--content"])?),
        "verify-notify" => verify_notify(&Flags::parse(rest, &["--alipay-public-key"], &[])?),
        "keygen" => keygen(&Flags::parse(rest, &["--out-dir"], &[])?),
        "cert-sn" => cert_sn(one_file(command, rest)?),
        "root-cert-sn" => root_cert_sn(one_file(command, rest)?),
        "aes" => aes(rest),
        "call" => call(rest),
        "sandbox" => sandbox(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Fatal(format!("unknown command `{other}`\n{USAGE}"))),
    }
}

/// Parsed `--flag VALUE` options (in order, repeatable) and `--switch`es.
struct Flags {
    values: Vec<(String, String)>,
    switches: Vec<String>,
}

impl Flags {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Self, Fatal> {
        let mut flags = Flags {
            values: Vec::new(),
            switches: Vec::new(),
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if with_value.contains(&arg.as_str()) {
                let value = iter
                    .next()
                    .ok_or_else(|| Fatal(format!("`{arg}` needs a value")))?;
                flags.values.push((arg.clone(), value.clone()));
            } else if switches.contains(&arg.as_str()) {
                flags.switches.push(arg.clone());
            } else {
                return Err(Fatal(format!("unexpected argument `{arg}`\n{USAGE}")));
            }
        }
        Ok(flags)
    }

    /// The last value of `name`, if given.
    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn required(&self, name: &str) -> Result<&str, Fatal> {
        self.get(name)
            .ok_or_else(|| Fatal(format!("`{name}` is required\n{USAGE}")))
    }

    fn has(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }
}

fn read_file(path: &str) -> Result<String, Fatal> {
    std::fs::read_to_string(path).map_err(|e| Fatal(format!("cannot read `{path}`: {e}")))
}

fn read_stdin() -> Result<Vec<u8>, Fatal> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| Fatal(format!("cannot read stdin: {e}")))?;
    Ok(input)
}

fn sign(flags: &Flags) -> Result<ExitCode, Fatal> {
    let path = flags.required("--private-key")?;
    let key = PrivateKey::parse(&read_file(path)?).map_err(|e| Fatal(format!("`{path}`: {e}")))?;
    let input = read_stdin()?;
    let params: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&input)
        .map_err(|e| Fatal(format!("stdin is not a JSON object: {e}")))?;
    let mut pairs = Vec::with_capacity(params.len());
    for (key, value) in params {
        match value {
            serde_json::Value::String(text) => pairs.push((key, text)),
            other => {
                return Err(Fatal(format!(
                    "parameter `{key}` is {other}, not a string (send every value as a JSON string)"
                )));
            }
        }
    }
    let content = alipay::sign::sign_content(pairs);
    let output = if flags.has("--content") {
        content
    } else {
        key.sign(content.as_bytes())?
    };
    println!("{output}");
    Ok(ExitCode::SUCCESS)
}

fn verify_notify(flags: &Flags) -> Result<ExitCode, Fatal> {
    let path = flags.required("--alipay-public-key")?;
    let key = PublicKey::parse(&read_file(path)?).map_err(|e| Fatal(format!("`{path}`: {e}")))?;
    let mut body = read_stdin()?;
    while body.last().is_some_and(|b| b.is_ascii_whitespace()) {
        body.pop();
    }
    match notify::verify_body(&body, &key) {
        Ok(_) => {
            println!("valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(NotifyError::Verify(_) | NotifyError::MissingSign) => {
            println!("invalid");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(Fatal(e.to_string())),
    }
}

fn keygen(flags: &Flags) -> Result<ExitCode, Fatal> {
    let dir = PathBuf::from(flags.required("--out-dir")?);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Fatal(format!("cannot create `{}`: {e}", dir.display())))?;
    let private_path = dir.join("app_private_key.pem");
    let public_path = dir.join("app_public_key.pem");
    for path in [&private_path, &public_path] {
        if path.exists() {
            return Err(Fatal(format!(
                "`{}` already exists; not overwriting a key",
                path.display()
            )));
        }
    }
    let key = PrivateKey::generate()?;
    write_file(&private_path, key.to_pkcs8_pem().as_bytes(), true)?;
    write_file(&public_path, key.public_key().to_pem().as_bytes(), false)?;
    println!("{}", private_path.display());
    println!("{}", public_path.display());
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, content: &[u8], secret: bool) -> Result<(), Fatal> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options
        .open(path)
        .map_err(|e| Fatal(format!("cannot write `{}`: {e}", path.display())))?;
    file.write_all(content)
        .map_err(|e| Fatal(format!("cannot write `{}`: {e}", path.display())))?;
    Ok(())
}

/// [`write_file`], replacing a file left by an earlier run (the sandbox issues new
/// certificates at each start).
fn rewrite_file(path: &Path, content: &[u8], secret: bool) -> Result<(), Fatal> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Fatal(format!("cannot replace `{}`: {e}", path.display()))),
    }
    write_file(path, content, secret)
}

/// The single FILE argument of `command`.
fn one_file<'a>(command: &str, rest: &'a [String]) -> Result<&'a str, Fatal> {
    match rest {
        [file] if !file.starts_with("--") => Ok(file),
        [] => Err(Fatal(format!("`{command}` needs a FILE\n{USAGE}"))),
        _ => Err(Fatal(format!(
            "`{command}` takes exactly one FILE argument\n{USAGE}"
        ))),
    }
}

fn cert_sn(path: &str) -> Result<ExitCode, Fatal> {
    let bytes = std::fs::read(path).map_err(|e| Fatal(format!("cannot read `{path}`: {e}")))?;
    // PEM (or base64) text, or a binary DER certificate.
    let certificate = match std::str::from_utf8(&bytes) {
        Ok(text) => Certificate::from_pem(text),
        Err(_) => Certificate::from_der(&bytes),
    }
    .map_err(|e| Fatal(format!("`{path}`: {e}")))?;
    println!("{}", certificate.sn());
    Ok(ExitCode::SUCCESS)
}

fn root_cert_sn(path: &str) -> Result<ExitCode, Fatal> {
    let sn = cert::root_cert_sn(&read_file(path)?).map_err(|e| Fatal(format!("`{path}`: {e}")))?;
    println!("{sn}");
    Ok(ExitCode::SUCCESS)
}

fn aes(args: &[String]) -> Result<ExitCode, Fatal> {
    let Some((direction, rest)) = args.split_first() else {
        return Err(Fatal(format!(
            "`aes` needs `encrypt` or `decrypt`\n{USAGE}"
        )));
    };
    let encrypt = match direction.as_str() {
        "encrypt" => true,
        "decrypt" => false,
        other => {
            return Err(Fatal(format!(
                "unknown `aes` command `{other}`: use `encrypt` or `decrypt`\n{USAGE}"
            )));
        }
    };
    let flags = Flags::parse(rest, &["--key"], &[])?;
    let key = AesKey::from_base64(flags.required("--key")?)
        .map_err(|e| Fatal(format!("`--key`: {e}")))?;
    let input = read_stdin()?;
    let mut stdout = std::io::stdout().lock();
    let written = if encrypt {
        writeln!(stdout, "{}", key.encrypt(&input))
    } else {
        let text = std::str::from_utf8(&input)
            .map_err(|_| Fatal("stdin is not base64 text".to_owned()))?;
        stdout.write_all(&key.decrypt(text)?)
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| Fatal(format!("cannot write stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// A call of any method, named at run time: `biz_content` fields and top-level text
/// parameters as given; the answer node is kept as JSON.
struct RuntimeCall {
    method: String,
    biz: Map<String, Value>,
    text: Vec<(String, String)>,
}

impl Method for RuntimeCall {
    fn method(&self) -> &str {
        &self.method
    }

    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        for (key, value) in &self.biz {
            params.biz_value(key.clone(), value.clone());
        }
        for (key, value) in &self.text {
            params.text(key.clone(), value.clone());
        }
        Ok(())
    }
}

impl Request for RuntimeCall {
    type Response = Map<String, Value>;
}

/// The variables of certificate mode: the app certificate, the Alipay certificate and the root
/// bundle (each a file path or the PEM itself).
const CERT_VARS: [&str; 3] = ["ALIPAY_APP_CERT", "ALIPAY_CERT", "ALIPAY_ROOT_CERT"];

/// An environment variable that must be set.
fn env_required(name: &str) -> Result<String, Fatal> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(Fatal(format!("`{name}` is not set"))),
    }
}

/// A key or certificate given in an environment variable: a file path, or the key itself (PEM
/// or base64).
fn env_key(name: &str) -> Result<String, Fatal> {
    let value = env_required(name)?;
    let path = Path::new(value.trim());
    if !value.contains("-----BEGIN") && path.is_file() {
        return std::fs::read_to_string(path)
            .map_err(|e| Fatal(format!("`{name}`: cannot read `{}`: {e}", path.display())));
    }
    Ok(value)
}

/// An error and its sources, joined with `: `.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Fatal(format!("cannot start the async runtime: {e}")))
}

fn call(args: &[String]) -> Result<ExitCode, Fatal> {
    let Some((method, rest)) = args.split_first() else {
        return Err(Fatal(format!("`call` needs a METHOD\n{USAGE}")));
    };
    if method.starts_with('-') {
        return Err(Fatal(format!(
            "`call` needs a METHOD first, e.g. `alipay call alipay.trade.query --biz '{{...}}'`\n{USAGE}"
        )));
    }
    let flags = Flags::parse(rest, &["--biz", "--text"], &["--encrypt"])?;
    let biz = match flags.get("--biz") {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(Fatal("`--biz` must be a JSON object".to_owned())),
            Err(e) => return Err(Fatal(format!("`--biz` is not JSON: {e}"))),
        },
    };
    let mut text = Vec::new();
    for pair in flags.all("--text") {
        let Some((key, value)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(Fatal(format!("`--text {pair}`: use KEY=VALUE")));
        };
        text.push((key.to_owned(), value.to_owned()));
    }
    let mut builder = Client::builder()
        .app_id(env_required("ALIPAY_APP_ID")?.trim())
        .app_private_key(env_key("ALIPAY_PRIVATE_KEY")?);
    builder = if CERT_VARS
        .iter()
        .any(|name| std::env::var_os(name).is_some())
    {
        if std::env::var_os("ALIPAY_PUBLIC_KEY").is_some() {
            return Err(Fatal(
                "set either `ALIPAY_PUBLIC_KEY` (public key mode) or `ALIPAY_APP_CERT`, \
                 `ALIPAY_CERT` and `ALIPAY_ROOT_CERT` (certificate mode), not both"
                    .to_owned(),
            ));
        }
        builder.certificates(
            env_key(CERT_VARS[0])?,
            env_key(CERT_VARS[1])?,
            env_key(CERT_VARS[2])?,
        )
    } else {
        builder.alipay_public_key(env_key("ALIPAY_PUBLIC_KEY")?)
    };
    if let Ok(key) = std::env::var("ALIPAY_AES_KEY")
        && !key.trim().is_empty()
    {
        builder = builder.content_encryption_key(key.trim());
    }
    if let Ok(gateway) = std::env::var("ALIPAY_GATEWAY")
        && !gateway.trim().is_empty()
    {
        builder = builder.gateway_url(gateway.trim());
    }
    let client = builder.build()?;
    let request = RuntimeCall {
        method: method.clone(),
        biz,
        text,
    };
    let encrypt = flags.has("--encrypt");
    let result = runtime()?.block_on(async { client.send(request).encrypt(encrypt).await });
    match result {
        Ok(node) => {
            println!("{}", serde_json::to_string_pretty(&node)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Api(error) | Error::Gateway(error)) => {
            println!("{}", serde_json::to_string_pretty(&error)?);
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(Fatal(error_chain(&e))),
    }
}

fn sandbox(args: &[String]) -> Result<ExitCode, Fatal> {
    match args.split_first() {
        Some((command, rest)) if command == "serve" => serve(&Flags::parse(
            rest,
            &[
                "--addr",
                "--app-id",
                "--app-public-key",
                "--alipay-private-key",
                "--cert-mode",
                "--notify-scale",
                "--fault",
                "--state",
            ],
            &[],
        )?),
        Some((other, _)) => Err(Fatal(format!(
            "unknown `sandbox` command `{other}`: use `serve`\n{USAGE}"
        ))),
        None => Err(Fatal(format!("`sandbox` needs `serve`\n{USAGE}"))),
    }
}

fn serve(flags: &Flags) -> Result<ExitCode, Fatal> {
    let cert_dir = flags.get("--cert-mode").map(PathBuf::from);
    let addr: SocketAddr = flags
        .get("--addr")
        .unwrap_or("127.0.0.1:0")
        .parse()
        .map_err(|e| {
            Fatal(format!(
                "`--addr`: {e} (use HOST:PORT, e.g. 127.0.0.1:8080)"
            ))
        })?;
    let app_ids = flags.all("--app-id");
    let app_keys = flags.all("--app-public-key");
    if app_ids.len() != app_keys.len() {
        return Err(Fatal(format!(
            "{} `--app-id` but {} `--app-public-key`: give them in pairs",
            app_ids.len(),
            app_keys.len()
        )));
    }
    let mut builder = Sandbox::builder().addr(addr);
    for (app_id, path) in app_ids.iter().zip(&app_keys) {
        if app_id.trim().is_empty() {
            return Err(Fatal("`--app-id` is empty".to_owned()));
        }
        let key =
            PublicKey::parse(&read_file(path)?).map_err(|e| Fatal(format!("`{path}`: {e}")))?;
        builder = builder.app(app_id.trim(), key);
    }
    if let Some(path) = flags.get("--alipay-private-key") {
        let key =
            PrivateKey::parse(&read_file(path)?).map_err(|e| Fatal(format!("`{path}`: {e}")))?;
        builder = builder.alipay_private_key(key);
    }
    if let Some(scale) = flags.get("--notify-scale") {
        let scale: f64 = scale
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| Fatal(format!("`--notify-scale {scale}`: use a number ≥ 0")))?;
        builder = builder.notify_time_scale(scale);
    }
    for fault in flags.all("--fault") {
        builder = builder.fault(FaultRule::parse_cli(fault)?);
    }
    if let Some(path) = flags.get("--state") {
        builder = builder.state_file(path);
    }
    if let Some(dir) = &cert_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Fatal(format!("`--cert-mode {}`: {e}", dir.display())))?;
        builder = builder.cert_mode(true);
    }
    runtime()?.block_on(async move {
        // Listen for the signals before announcing the URL: a supervisor may signal at once.
        let stop = Signals::new()?;
        let sandbox = builder.start().await?;
        if let Some(dir) = &cert_dir {
            write_cert_files(&sandbox, dir, &app_ids)?;
        }
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", sandbox.gateway_url())?;
        writeln!(stdout, "{}", sandbox.alipay_public_key().to_base64())?;
        stdout.flush()?;
        drop(stdout);
        eprintln!(
            "alipay sandbox: {} app(s) registered; SIGINT or SIGTERM stops it",
            app_ids.len()
        );
        stop.wait().await;
        sandbox.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Certificate mode: moves each app to certificate mode and writes what its client needs into
/// `dir`: `alipayRootCert.crt`, `alipayCertPublicKey_RSA2.crt`, and per app
/// `appCertPublicKey_<app id>.crt` and `aesKey_<app id>.txt` (secret: owner-only).
fn write_cert_files(sandbox: &Sandbox, dir: &Path, app_ids: &[&str]) -> Result<(), Fatal> {
    rewrite_file(
        &dir.join("alipayCertPublicKey_RSA2.crt"),
        sandbox.alipay_cert_pem()?.as_bytes(),
        false,
    )?;
    rewrite_file(
        &dir.join("alipayRootCert.crt"),
        sandbox.alipay_root_cert_pem()?.as_bytes(),
        false,
    )?;
    for app_id in app_ids {
        let app_id = app_id.trim();
        let files = sandbox.certify_app(app_id)?;
        rewrite_file(
            &dir.join(format!("appCertPublicKey_{app_id}.crt")),
            files.app_cert_pem.as_bytes(),
            false,
        )?;
        rewrite_file(
            &dir.join(format!("aesKey_{app_id}.txt")),
            files.aes_key.as_bytes(),
            true,
        )?;
    }
    eprintln!(
        "alipay sandbox: certificate mode, certificates written to {}",
        dir.display()
    );
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
            let listen =
                |kind| signal(kind).map_err(|e| Fatal(format!("cannot listen for signals: {e}")));
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
