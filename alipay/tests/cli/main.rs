//! The `alipay` command line tool, driven as a built binary. This file holds what the tests
//! share: the binary run without the caller's settings, what it prints, the signing input and
//! the vectors; each module holds one command group or one concern of the whole tool.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use alipay::{PrivateKey, PublicKey, Verifier};

#[path = "../support/mod.rs"]
mod support;

mod aes;
mod bill;
mod certs;
mod keys;
mod pipes;
mod usage;

const BIN: &str = env!("CARGO_BIN_EXE_alipay");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const PARAMS: &str = r#"{"app_id":"2021000000000001","method":"alipay.trade.query","biz_content":"{\"out_trade_no\":\"T 1\"}","charset":"utf-8","empty":"","sign":"dropped","timestamp":"2026-11-26 12:00:00"}"#;
const CONTENT: &str = r#"app_id=2021000000000001&biz_content={"out_trade_no":"T 1"}&charset=utf-8&method=alipay.trade.query&timestamp=2026-11-26 12:00:00"#;

fn notify_vector() -> (String, String) {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/vectors/vectors.json"))
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

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("../../../tests/fixtures/vectors/vectors.json"))
        .expect("vectors")
}
