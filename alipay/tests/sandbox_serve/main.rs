//! `alipay sandbox serve` as a child process: driven with the SDK client, with raw HTTP requests
//! built by hand (every parameter encoding real clients use), and with `alipay call`; stopped
//! with SIGTERM; restarted on its `--state` file. This file holds what the tests share: the
//! server under test, the SDK calls, the raw HTTP requests and the commands they run; each
//! module holds one concern.
#![cfg(all(feature = "cli", unix))]

use std::future::IntoFuture;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use alipay::payment::common::{TradeCreate, TradeQuery, TradeRefund, TradeStatus};
use alipay::{Amount, Client, Error, PrivateKey, PublicKey, Signer, Verifier, VerifyError};
use serde_json::Value;

#[path = "../support/mod.rs"]
mod support;

mod call;
mod cert_mode;
mod clients;
mod control;
mod flags;
mod lifecycle;
mod node_sdk;
mod proxy;

const BIN: &str = env!("CARGO_BIN_EXE_alipay");
const APP_ID: &str = "2021000000000001";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

fn app_key() -> PrivateKey {
    PrivateKey::parse(&std::fs::read_to_string(fixture("app_private_pkcs8.pem")).expect("key"))
        .expect("fixture key")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alipay-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A running `alipay sandbox serve`; killed if the test fails before stopping it.
struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT/gateway.do`.
    url: String,
    /// `127.0.0.1:PORT`.
    addr: String,
    /// The printed Alipay public key (bare base64).
    alipay_key_text: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let next = || {
            received
                .recv_timeout(Duration::from_secs(60))
                .expect("the sandbox prints a line")
        };
        let url = next();
        let alipay_key_text = next();
        let addr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/gateway.do"))
            .unwrap_or_else(|| panic!("a gateway URL: {url}"))
            .to_owned();
        Server {
            child: Some(child),
            url,
            addr,
            alipay_key_text,
        }
    }

    fn alipay_key(&self) -> PublicKey {
        PublicKey::parse(&self.alipay_key_text).expect("the printed key parses")
    }

    fn client(&self) -> Client {
        Client::builder()
            .app_id(APP_ID)
            .app_private_key_parsed(app_key())
            .alipay_public_key(self.alipay_key_text.clone())
            .gateway_url(self.url.clone())
            .build()
            .expect("client")
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits (at most 20 s) for the process to exit; returns its status and stderr.
    fn wait(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                return (status, stderr);
            }
            assert!(Instant::now() < deadline, "the sandbox did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then a clean exit; returns what it wrote to stderr.
    fn stop(self) -> String {
        self.signal("-TERM");
        let (status, stderr) = self.wait();
        assert!(
            status.success(),
            "clean exit on SIGTERM: {status:?} {stderr}"
        );
        stderr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs a call (or any future) to completion.
fn block<F: IntoFuture>(call: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(call.into_future())
}

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("amount")
}

fn create(client: &Client, out_trade_no: &str, notify_url: Option<&str>) {
    let call = client.send(
        TradeCreate::builder()
            .out_trade_no(out_trade_no)
            .total_amount(amount("18.80"))
            .subject("raw tea")
            .buyer_id("2088000000000001")
            .build(),
    );
    let call = match notify_url {
        Some(url) => call.async_notify(url),
        None => call,
    };
    block(call).expect("trade created");
}

fn status(client: &Client, out_trade_no: &str) -> TradeStatus {
    block(client.send(TradeQuery::builder().out_trade_no(out_trade_no).build()))
        .expect("trade found")
        .trade_status
}

/// `alipay call` without the caller's proxy settings.
fn call_command() -> Command {
    let mut command = Command::new(BIN);
    command.arg("call");
    for name in support::PROXY_VARIABLES {
        command.env_remove(name);
    }
    command
}

fn alipay_call(server: &Server, args: &[&str], gateway: Option<&str>) -> Output {
    call_command()
        .args(args)
        .env("ALIPAY_APP_ID", APP_ID)
        .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
        .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
        .env("ALIPAY_GATEWAY", gateway.unwrap_or(&server.url))
        .output()
        .expect("the binary runs")
}

/// `alipay` with `args`, without the caller's `ALIPAY_*` settings.
fn alipay(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    for name in [
        "ALIPAY_APP_ID",
        "ALIPAY_PRIVATE_KEY",
        "ALIPAY_PUBLIC_KEY",
        "ALIPAY_APP_CERT",
        "ALIPAY_CERT",
        "ALIPAY_ROOT_CERT",
        "ALIPAY_AES_KEY",
        "ALIPAY_GATEWAY",
    ] {
        command.env_remove(name);
    }
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---- Raw HTTP, by hand -------------------------------------------------------------------

/// Sends `request` as is (it must ask for `Connection: close`); returns the status and body.
fn raw(addr: &str, request: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head")
        + 4;
    let head = String::from_utf8_lossy(&answer[..head_end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, answer[head_end..].to_vec())
}

fn raw_post(addr: &str, target: &str, content_type: Option<&str>, body: &str) -> (u16, Vec<u8>) {
    let mut request = format!("POST {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(content_type) = content_type {
        request.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    raw(addr, request.as_bytes())
}

fn raw_get(addr: &str, target: &str) -> (u16, Vec<u8>) {
    raw(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}
