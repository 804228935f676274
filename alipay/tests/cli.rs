//! The `alipay` command line tool, driven as a built binary.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use alipay::{PrivateKey, PublicKey, Verifier};

const BIN: &str = env!("CARGO_BIN_EXE_alipay");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

mod support;

/// The variables the tool reads its own settings from; cleared, with the proxy's, so the
/// caller's shell cannot change a test.
const SETTINGS: [&str; 9] = [
    "ALIPAY_APP_ID",
    "ALIPAY_PRIVATE_KEY",
    "ALIPAY_PUBLIC_KEY",
    "ALIPAY_APP_CERT",
    "ALIPAY_CERT",
    "ALIPAY_ROOT_CERT",
    "ALIPAY_AES_KEY",
    "ALIPAY_GATEWAY",
    "ALIPAY_PROXY",
];

/// The binary with `args`, without the caller's `ALIPAY_*` settings.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    for name in SETTINGS.into_iter().chain(support::PROXY_VARIABLES) {
        command.env_remove(name);
    }
    command
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The child may exit (e.g. on a bad flag) before reading its input: a broken pipe here is
    // part of the behaviour under test, not a failure.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("the binary exits")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alipay-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const PARAMS: &str = r#"{"app_id":"2021000000000001","method":"alipay.trade.query","biz_content":"{\"out_trade_no\":\"T 1\"}","charset":"utf-8","empty":"","sign":"dropped","timestamp":"2026-11-26 12:00:00"}"#;
const CONTENT: &str = r#"app_id=2021000000000001&biz_content={"out_trade_no":"T 1"}&charset=utf-8&method=alipay.trade.query&timestamp=2026-11-26 12:00:00"#;

#[test]
fn sign_content_prints_the_canonical_string() {
    let key = fixture("app_private_pkcs8.pem");
    let out = run(
        &[
            "sign",
            "--private-key",
            key.to_str().expect("path"),
            "--content",
        ],
        PARAMS.as_bytes(),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim_end(), CONTENT);
}

#[test]
fn sign_prints_a_signature_that_verifies_in_every_key_format() {
    let public =
        PublicKey::parse(&std::fs::read_to_string(fixture("app_public.b64")).expect("fixture"))
            .expect("public key");
    let mut signatures = Vec::new();
    for name in [
        "app_private_pkcs8.pem",
        "app_private_pkcs1.pem",
        "app_private_pkcs8.b64",
        "app_private_pkcs1.b64",
    ] {
        let key = fixture(name);
        let out = run(
            &["sign", "--private-key", key.to_str().expect("path")],
            PARAMS.as_bytes(),
        );
        assert!(out.status.success(), "{name}: {out:?}");
        let signature = stdout(&out).trim_end().to_owned();
        public
            .verify(CONTENT.as_bytes(), &signature)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        signatures.push(signature);
    }
    signatures.dedup();
    assert_eq!(
        signatures.len(),
        1,
        "PKCS#1 v1.5 signatures are deterministic"
    );
}

#[test]
fn sign_refuses_non_string_values_and_bad_keys() {
    let key = fixture("app_private_pkcs8.pem");
    let key = key.to_str().expect("path");
    let out = run(&["sign", "--private-key", key], br#"{"a":1}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a string"));
    let out = run(&["sign", "--private-key", key], b"not json");
    assert_eq!(out.status.code(), Some(2));
    let public = fixture("app_public.b64");
    let out = run(
        &["sign", "--private-key", public.to_str().expect("path")],
        b"{}",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["sign", "--private-key", "/nonexistent/key.pem"], b"{}");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["sign"], b"{}");
    assert_eq!(out.status.code(), Some(2));
}

fn notify_vector() -> (String, String) {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/vectors/vectors.json"))
            .expect("vectors");
    let notify = &vectors["notify"];
    (
        notify["alipay_public_key"]
            .as_str()
            .expect("key")
            .to_owned(),
        notify["form_body"].as_str().expect("body").to_owned(),
    )
}

#[test]
fn verify_notify_says_valid_invalid_or_malformed() {
    let (key, body) = notify_vector();
    let dir = temp_dir("verify");
    std::fs::create_dir_all(&dir).expect("dir");
    let key_path = dir.join("alipay_public_key.txt");
    std::fs::write(&key_path, key).expect("write key");
    let key_path = key_path.to_str().expect("path");

    let out = run(
        &["verify-notify", "--alipay-public-key", key_path],
        body.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), "valid\n");

    let tampered = body.replace("total_price=0.01", "total_price=0.02");
    let out = run(
        &["verify-notify", "--alipay-public-key", key_path],
        tampered.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "invalid\n");

    let out = run(
        &["verify-notify", "--alipay-public-key", key_path],
        b"a=%zz&sign=x",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());

    let out = run(
        &["verify-notify", "--alipay-public-key", "/nonexistent"],
        body.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keygen_writes_a_working_pair_and_never_overwrites() {
    let dir = temp_dir("keygen");
    let dir_str = dir.to_str().expect("path");
    let out = run(&["keygen", "--out-dir", dir_str], b"");
    assert!(out.status.success(), "{out:?}");
    let private_pem = std::fs::read_to_string(dir.join("app_private_key.pem")).expect("private");
    let public_pem = std::fs::read_to_string(dir.join("app_public_key.pem")).expect("public");
    // PKCS#8 and SPKI, as OpenSSL writes them (the fixtures' first lines).
    let first_line = |name: &str| {
        let text = std::fs::read_to_string(fixture(name)).expect("fixture");
        text.lines().next().expect("a line").to_owned()
    };
    assert!(private_pem.starts_with(&first_line("app_private_pkcs8.pem")));
    assert!(public_pem.starts_with(&first_line("app_public.pem")));
    let private = PrivateKey::parse(&private_pem).expect("PKCS#8 parses");
    let public = PublicKey::parse(&public_pem).expect("SPKI parses");
    assert!(private.public_key().same_key(&public));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("app_private_key.pem"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key is readable by its owner only"
        );
    }
    let again = run(&["keygen", "--out-dir", dir_str], b"");
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("app_private_key.pem")).expect("still there"),
        private_pem
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_commands_exit_2() {
    assert_eq!(run(&["frobnicate"], b"").status.code(), Some(2));
    assert_eq!(run(&[], b"").status.code(), Some(2));
}

fn vector_cert(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/vectors")
        .join(name)
}

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/fixtures/vectors/vectors.json"))
        .expect("vectors")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn cert_sn_prints_the_sn_of_the_first_certificate() {
    let vectors = vectors();
    let entries = vectors["cert_sn"].as_object().expect("cert_sn");
    for (name, expected) in entries {
        let sn = expected["app_cert_sn"]
            .as_str()
            .or_else(|| expected["first_cert_sn"].as_str())
            .expect("an SN");
        let path = vector_cert(name);
        let out = run(&["cert-sn", path.to_str().expect("path")], b"");
        assert!(out.status.success(), "{name}: {out:?}");
        assert_eq!(stdout(&out), format!("{sn}\n"), "{name}");
    }
    // A binary DER file works too.
    let pem = std::fs::read_to_string(vector_cert("certs/appCertPublicKey_2021002177673029.crt"))
        .expect("fixture");
    let cert = alipay::cert::Certificate::from_pem(&pem).expect("certificate");
    let dir = temp_dir("cert-sn-der");
    std::fs::create_dir_all(&dir).expect("dir");
    let der_path = dir.join("app.cer");
    std::fs::write(&der_path, cert.der()).expect("write DER");
    let out = run(&["cert-sn", der_path.to_str().expect("path")], b"");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "e1b085ae86cbbba54fe9dc6cdf82b65a\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn root_cert_sn_prints_the_root_sn_of_both_bundles() {
    let vectors = vectors();
    let entries = vectors["root_cert_sn"].as_object().expect("root_cert_sn");
    assert!(entries.len() >= 2);
    for (name, expected) in entries {
        let sn = expected["alipay_root_cert_sn"].as_str().expect("SN");
        let path = vector_cert(name);
        let out = run(&["root-cert-sn", path.to_str().expect("path")], b"");
        assert!(out.status.success(), "{name}: {out:?}");
        assert_eq!(stdout(&out), format!("{sn}\n"), "{name}");
    }
}

#[test]
fn cert_commands_refuse_bad_input_with_exit_2() {
    let not_a_cert = vector_cert("vectors.json");
    let not_a_cert = not_a_cert.to_str().expect("path");
    let app = vector_cert("certs/appCertPublicKey_2021002177673029.crt");
    let app = app.to_str().expect("path");
    for (args, message) in [
        (vec!["cert-sn", not_a_cert], "no certificate found"),
        (vec!["root-cert-sn", not_a_cert], "no certificate found"),
        (vec!["cert-sn", "/nonexistent/cert.crt"], "cannot read"),
        (vec!["root-cert-sn", "/nonexistent/root.crt"], "cannot read"),
        (
            vec!["cert-sn"],
            "required arguments were not provided:\n  <FILE>",
        ),
        (
            vec!["root-cert-sn"],
            "required arguments were not provided:\n  <FILE>",
        ),
        (vec!["cert-sn", app, app], "unexpected argument"),
    ] {
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    // A bundle whose only certificate is broken.
    let dir = temp_dir("cert-bad");
    std::fs::create_dir_all(&dir).expect("dir");
    let broken = dir.join("broken.crt");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0B\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    for command in ["cert-sn", "root-cert-sn"] {
        let out = run(&[command, broken.to_str().expect("path")], b"");
        assert_eq!(out.status.code(), Some(2), "{command}: {out:?}");
        assert!(
            stderr(&out).contains("malformed"),
            "{command}: {}",
            stderr(&out)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn aes_vector() -> (String, String, String) {
    let vectors = vectors();
    let aes = &vectors["aes"];
    let field = |key: &str| aes[key].as_str().expect("AES vector").to_owned();
    (
        field("key_b64"),
        field("plaintext"),
        field("ciphertext_b64"),
    )
}

#[test]
fn aes_encrypt_and_decrypt_the_vector() {
    let (key, plaintext, ciphertext) = aes_vector();
    let out = run(&["aes", "encrypt", "--key", &key], plaintext.as_bytes());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), format!("{ciphertext}\n"));

    for input in [
        ciphertext.clone(),
        format!("{ciphertext}\n"),
        format!("  {ciphertext}\r\n"),
    ] {
        let out = run(&["aes", "decrypt", "--key", &key], input.as_bytes());
        assert!(out.status.success(), "{out:?}");
        assert_eq!(out.stdout, plaintext.as_bytes(), "no newline is added");
    }

    // Arbitrary bytes round trip.
    let bytes: Vec<u8> = (0..=255u8).chain("支付宝\n".bytes()).collect();
    let out = run(&["aes", "encrypt", "--key", &key], &bytes);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["aes", "decrypt", "--key", &key], &out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, bytes);
}

#[test]
fn aes_refuses_bad_keys_and_ciphertexts_with_exit_2() {
    let (key, _, ciphertext) = aes_vector();
    let other_key = "AAAAAAAAAAAAAAAAAAAAAA==";
    for (args, stdin, message) in [
        (
            vec!["aes", "encrypt", "--key", "not base64!"],
            &b""[..],
            "not valid base64",
        ),
        (vec!["aes", "decrypt", "--key", "AAAA"], b"", "3 bytes"),
        (
            vec!["aes", "encrypt"],
            b"",
            "required arguments were not provided:\n  --key <B64>",
        ),
        (vec!["aes", "encrypt", "--key"], b"", "a value is required"),
        (vec!["aes"], b"", "Usage: alipay aes <COMMAND>"),
        (
            vec!["aes", "scramble", "--key", &key],
            b"",
            "unrecognized subcommand 'scramble'",
        ),
        // Every failure of a ciphertext from outside gives one error (no padding oracle).
        (
            vec!["aes", "decrypt", "--key", &key],
            b"***",
            "cannot be decrypted",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"AAAA",
            "cannot be decrypted",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"",
            "cannot be decrypted",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"\xff\xfe",
            "stdin is not base64 text",
        ),
        (
            vec!["aes", "decrypt", "--key", other_key],
            ciphertext.as_bytes(),
            "cannot be decrypted",
        ),
    ] {
        let out = run(&args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn usage_lists_the_new_commands() {
    let out = run(&["help"], b"");
    assert!(out.status.success());
    let usage = stdout(&out);
    for command in ["cert-sn", "root-cert-sn", "aes"] {
        assert!(
            usage.contains(&format!("\n  {command} ")),
            "{command}: {usage}"
        );
    }
    for (args, line) in [
        (&["help", "cert-sn"][..], "Usage: alipay cert-sn <FILE>"),
        (
            &["help", "root-cert-sn"],
            "Usage: alipay root-cert-sn <FILE>",
        ),
        (
            &["help", "aes", "encrypt"],
            "Usage: alipay aes encrypt --key <B64>",
        ),
        (
            &["help", "aes", "decrypt"],
            "Usage: alipay aes decrypt --key <B64>",
        ),
    ] {
        let out = run(args, b"");
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert!(stdout(&out).contains(line), "{args:?}: {}", stdout(&out));
    }
}

/// The commands listed under `Commands:` in a help text (`help` left out).
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command that runs something (`sandbox serve`, not `sandbox`), found by walking the
/// `--help` texts; each `--help` and `help COMMAND` exits 0 with its usage.
fn leaf_commands() -> Vec<Vec<String>> {
    let mut leaves = Vec::new();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let help = stdout(&out);
        let usage = format!(
            "Usage: {}",
            ["alipay"]
                .into_iter()
                .chain(args[..args.len() - 1].iter().copied())
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(help.contains(&usage), "{args:?}: {help}");
        if !path.is_empty() {
            let mut by_help = vec!["help"];
            by_help.extend(&args[..args.len() - 1]);
            let out = run(&by_help, b"");
            assert_eq!(out.status.code(), Some(0), "{by_help:?}: {out:?}");
            assert_eq!(stdout(&out), help, "`alipay help …` is `--help`");
        }
        let children = listed_commands(&help);
        if children.is_empty() {
            leaves.push(path);
        } else {
            for child in children.into_iter().rev() {
                let mut next = path.clone();
                next.push(child);
                pending.push(next);
            }
        }
    }
    leaves
}

/// The README's command table, as `-h` tells it: usage, then the first line.
fn command_table(leaves: &[Vec<String>]) -> String {
    let mut table = String::from("| command | what it does |\n|---|---|\n");
    for path in leaves {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("-h");
        let help = stdout(&run(&args, b""));
        let about = help.lines().next().expect("a first line");
        let usage = help
            .lines()
            .find_map(|line| line.strip_prefix("Usage: "))
            .expect("a usage line");
        table.push_str(&format!("| `{usage}` | {about} |\n"));
    }
    table
}

#[test]
fn every_command_has_help_and_the_readme_table_is_its_usage() {
    let leaves = leaf_commands();
    let names: Vec<String> = leaves.iter().map(|p| p.join(" ")).collect();
    for expected in [
        "sign",
        "verify-notify",
        "keygen",
        "cert-sn",
        "root-cert-sn",
        "aes encrypt",
        "aes decrypt",
        "call",
        "bill parse",
        "bill download",
        "sandbox serve",
        "sandbox pay",
        "completions",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    let table = command_table(&leaves);
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&table),
        "README.md's command table must be exactly:\n{table}"
    );
    // The top-level help documents the exit codes.
    let help = stdout(&run(&["--help"], b""));
    for code in ["0  success", "1  the call or check failed", "2  usage"] {
        assert!(help.contains(code), "{code}: {help}");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_command() {
    let leaves = leaf_commands();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], b"");
        assert_eq!(out.status.code(), Some(0), "{shell}: {out:?}");
        let script = stdout(&out);
        for path in &leaves {
            let last = path.last().expect("a name");
            assert!(script.contains(last.as_str()), "{shell}: {last}");
        }
        assert!(script.contains("out-trade-no"), "{shell}: flags too");
    }
    // The bash script is valid bash.
    let dir = temp_dir("completions");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("alipay.bash");
    std::fs::write(&file, run(&["completions", "bash"], b"").stdout).expect("write");
    if let Ok(status) = Command::new("bash").arg("-n").arg(&file).status() {
        assert!(status.success(), "bash -n");
    }
    let out = run(&["completions", "tcsh"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn version_help_and_suggestions() {
    let out = run(&["--version"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!("alipay {}\n", env!("CARGO_PKG_VERSION"))
    );
    // A mistyped flag: a usage error naming the right one.
    let out = run(&["sign", "--privte-key", "k.pem"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a similar argument exists: '--private-key'"),
        "{}",
        stderr(&out)
    );
    let out = run(&["verify-notfy"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("verify-notify"), "{}", stderr(&out));
}

#[test]
fn flags_take_their_value_after_a_space_or_an_equals_sign_or_from_the_environment() {
    let key = fixture("app_private_pkcs8.pem");
    let key = key.to_str().expect("path");
    let joined = format!("--private-key={key}");
    for args in [
        vec!["sign", "--private-key", key, "--content"],
        vec!["sign", joined.as_str(), "--content"],
    ] {
        let out = run(&args, PARAMS.as_bytes());
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(stdout(&out).trim_end(), CONTENT);
    }
    let from_env = |value: &str, args: &[&str]| {
        let mut child = command(args)
            .env("ALIPAY_PRIVATE_KEY", value)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(PARAMS.as_bytes());
        child.wait_with_output().expect("exits")
    };
    // The variable holds a path, or the key itself.
    let key_text = std::fs::read_to_string(fixture("app_private_pkcs8.pem")).expect("fixture");
    let expected = stdout(&run(&["sign", "--private-key", key], PARAMS.as_bytes()));
    for value in [key, key_text.as_str()] {
        let out = from_env(value, &["sign"]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(stdout(&out), expected);
    }
    // `--help` names the variable but never shows its value.
    let out = from_env(&key_text, &["sign", "--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    assert!(help.contains("[env: ALIPAY_PRIVATE_KEY]"), "{help}");
    let body_line = key_text.lines().nth(1).expect("a base64 line");
    assert!(!help.contains(body_line), "the key is not shown: {help}");
}

/// A pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

/// Runs with stdout, stderr or both on a closed pipe.
fn run_closed(args: &[&str], stdin: &[u8], close_stdout: bool, close_stderr: bool) -> Output {
    let mut command = command(args);
    command.stdin(Stdio::piped());
    if close_stdout {
        command.stdout(closed_pipe());
    } else {
        command.stdout(Stdio::piped());
    }
    if close_stderr {
        command.stderr(closed_pipe());
    } else {
        command.stderr(Stdio::piped());
    }
    let mut child = command.spawn().expect("runs");
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("exits")
}

#[test]
fn a_closed_pipe_ends_the_command_quietly_with_its_own_exit_code() {
    let key = fixture("app_private_pkcs8.pem");
    let key = key.to_str().expect("path");
    let (notify_key, body) = notify_vector();
    let dir = temp_dir("pipes");
    std::fs::create_dir_all(&dir).expect("dir");
    let key_path = dir.join("alipay_public_key.txt");
    std::fs::write(&key_path, notify_key).expect("write key");
    let key_path = key_path.to_str().expect("path");
    let tampered = body.replace("total_price=0.01", "total_price=0.02");
    for (args, stdin, code) in [
        (
            vec!["sign", "--private-key", key, "--content"],
            PARAMS.as_bytes(),
            0,
        ),
        (vec!["sign", "--private-key", key], PARAMS.as_bytes(), 0),
        (vec!["--help"], b"", 0),
        (vec!["help", "sandbox", "serve"], b"", 0),
        (vec!["--version"], b"", 0),
        (vec!["completions", "bash"], b"", 0),
        (
            vec!["verify-notify", "--alipay-public-key", key_path],
            tampered.as_bytes(),
            1,
        ),
        (vec!["sign", "--private-key", key], b"not json", 2),
        (vec!["cert-sn", "/nonexistent/cert.crt"], b"", 2),
        (vec!["frobnicate"], b"", 2),
    ] {
        let out = run_closed(&args, stdin, true, false);
        assert_eq!(
            out.status.code(),
            Some(code),
            "stdout closed, {args:?}: {out:?}"
        );
        if code == 0 {
            assert_eq!(stderr(&out), "", "quietly: {args:?}");
        }
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        let out = run_closed(&args, stdin, false, true);
        assert_eq!(
            out.status.code(),
            Some(code),
            "stderr closed, {args:?}: {out:?}"
        );
        let out = run_closed(&args, stdin, true, true);
        assert_eq!(
            out.status.code(),
            Some(code),
            "both closed, {args:?}: {out:?}"
        );
    }
    // The report of the issue, as a shell runs it.
    let script = format!(
        "'{BIN}' cert-sn /nonexistent 2>&1 >/dev/null | true; '{BIN}' cert-sn /nonexistent 2>&1 >/dev/null | (exec 0<&-; sleep 0); echo done"
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("sh");
    assert_eq!(stdout(&out), "done\n", "{out:?}");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_help_explains_every_fault_kind_and_the_control_endpoints() {
    let out = run(&["sandbox", "serve", "--help"], b"");
    assert!(out.status.success(), "{out:?}");
    let help = stdout(&out);
    let kinds: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Fault kinds"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(kinds.len(), 9, "{help}");
    for kind in kinds {
        // `latency[=MS]` is read as `latency` and as `latency=1`.
        let (bare, with_arg) = match kind.split_once("[=") {
            Some((bare, _)) => (bare, Some(format!("{bare}=1"))),
            None => (kind, None),
        };
        for text in std::iter::once(bare.to_owned()).chain(with_arg) {
            let text = if text == "5xx=1" {
                "5xx=503".to_owned()
            } else {
                text
            };
            alipay::sandbox::FaultRule::parse_cli(&text)
                .unwrap_or_else(|e| panic!("`{text}` in --help is a fault: {e}"));
        }
    }
    for endpoint in [
        "POST   /sandbox/pay?app_id=ID&out_trade_no=T",
        "GET    /sandbox/notifications",
        "GET    /sandbox/faults",
        "POST   /sandbox/faults",
        "DELETE /sandbox/faults",
    ] {
        assert!(help.contains(endpoint), "{endpoint}: {help}");
    }
    // Line 1 and 2 of stdout are documented as scripts read them.
    assert!(help.contains("Line 1 of stdout is the gateway URL, line 2 the Alipay public key"));
}

#[test]
fn bill_parse_prints_json_lines_and_a_summary() {
    let dir = temp_dir("bill");
    std::fs::create_dir_all(&dir).expect("dir");
    let bill = |footer: &str| {
        let text = format!(
            "#支付宝业务明细查询\r\n#账号：[2088000000000001]\r\n支付宝交易号,商户订单号,业务类型,商家实收（元）\r\n\
             2026120122001\t,T-1\t,交易,10.00\r\n2026120122001\t,T-1\t,退款,-2.50\r\n{footer}"
        );
        encoding_rs::GBK.encode(&text).0.into_owned()
    };
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        bill("#交易合计：1笔，商家实收共10.00元\r\n#退款合计：1笔，商家实收共-2.50元\r\n"),
    )
    .expect("write");
    let out = run(&["bill", "parse", good.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["商户订单号"], "T-1");
    assert_eq!(lines[1]["商家实收（元）"], "-2.50");
    assert_eq!(lines[2]["summary"]["rows"], 2);
    assert_eq!(lines[2]["summary"]["totals_checked"], 4);
    assert_eq!(
        lines[2]["summary"]["metadata"]["account"],
        "2088000000000001"
    );

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, bill("#交易合计：2笔，商家实收共10.00元\r\n")).expect("write");
    let out = run(&["bill", "parse", bad.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("footer says 交易 笔数 is 2"),
        "{out:?}"
    );
    let out = run(
        &[
            "bill",
            "parse",
            dir.join("missing.zip").to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
