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
//! ```
//!
//! `cert-sn` gives the `app_cert_sn` of an app certificate (`appCertPublicKey_<app id>.crt`)
//! or the SN of an Alipay certificate; `root-cert-sn` the `alipay_root_cert_sn` of
//! `alipayRootCert.crt`. The AES commands use the content encryption key from Alipay's
//! console (AES-CBC, zero IV, PKCS#7): `encrypt` encrypts stdin byte for byte and prints the
//! base64 and a newline, `decrypt` writes the decrypted bytes as they are.
//!
//! Exit codes: 0 success (`valid`), 1 `invalid` notification, 2 bad usage or malformed input.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay::cert::{self, Certificate};
use alipay::crypto::{AesKey, PrivateKey, PublicKey, Signer};
use alipay::notify::{self, NotifyError};

const USAGE: &str = "\
usage:
  alipay sign --private-key FILE [--content]      sign the JSON object of string params on stdin
  alipay verify-notify --alipay-public-key FILE   check the notification form body on stdin
  alipay keygen --out-dir DIR                      write a new RSA-2048 app key pair
  alipay cert-sn FILE                              print the SN of the first certificate in FILE
  alipay root-cert-sn FILE                         print the alipay_root_cert_sn of a root bundle
  alipay aes encrypt --key B64                     encrypt stdin, print the base64 ciphertext
  alipay aes decrypt --key B64                     decrypt the base64 on stdin, write the bytes
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
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Fatal(format!("unknown command `{other}`\n{USAGE}"))),
    }
}

/// Parsed `--flag VALUE` options and `--switch`es.
struct Flags {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Flags {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Self, Fatal> {
        let mut flags = Flags {
            values: BTreeMap::new(),
            switches: Vec::new(),
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if with_value.contains(&arg.as_str()) {
                let value = iter
                    .next()
                    .ok_or_else(|| Fatal(format!("`{arg}` needs a value")))?;
                flags.values.insert(arg.clone(), value.clone());
            } else if switches.contains(&arg.as_str()) {
                flags.switches.push(arg.clone());
            } else {
                return Err(Fatal(format!("unexpected argument `{arg}`\n{USAGE}")));
            }
        }
        Ok(flags)
    }

    fn required(&self, name: &str) -> Result<&str, Fatal> {
        self.values
            .get(name)
            .map(String::as_str)
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
