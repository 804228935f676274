//! `alipay sandbox serve` as a child process: driven with the SDK client, with raw HTTP requests
//! built by hand (every parameter encoding real clients use), and with `alipay call`; stopped
//! with SIGTERM; restarted on its `--state` file.
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

mod support;

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

/// Percent-encodes for a form: unreserved bytes as they are, a space as `+` or `%20`.
fn encode(text: &str, space_as_plus: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' if space_as_plus => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn form(pairs: &[(String, String)], space_as_plus: bool) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k, space_as_plus), encode(v, space_as_plus)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Alipay's sign content: sorted by key, `sign` left out, empty values skipped.
fn sign_content(pairs: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .collect();
    kept.sort();
    kept.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Beijing time now, `yyyy-MM-dd HH:mm:ss`.
fn beijing_now() -> String {
    alipay::time::beijing_timestamp(SystemTime::now())
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

/// The node of a signed answer, verified by hand with the printed Alipay key.
fn verified_node(server: &Server, body: &[u8], response_key: &str) -> Value {
    let body = std::str::from_utf8(body).expect("UTF-8 answer");
    let prefix = format!("{{\"{response_key}\":");
    assert!(body.starts_with(&prefix), "{body}");
    let sign_at = body.rfind(",\"sign\":\"").expect("signed");
    let node = &body[prefix.len()..sign_at];
    let sign = &body[sign_at + 9..body.len() - 2];
    server
        .alipay_key()
        .verify(node.as_bytes(), sign)
        .unwrap_or_else(|e| panic!("the answer verifies ({e}): {body}"));
    serde_json::from_str(node).expect("JSON node")
}

/// How a client lays out one call.
struct Layout {
    name: &'static str,
    get: bool,
    /// Which parameters travel in the query string (the rest in the form body).
    in_query: fn(&str) -> bool,
    space_as_plus: bool,
    content_type: Option<&'static str>,
}

/// `alipay.trade.query` of `out_trade_no` with these system parameters, laid out by `layout`
/// and signed by hand.
fn query_call(
    server: &Server,
    layout: &Layout,
    system: &[(String, String)],
    out_trade_no: &str,
) -> (u16, Vec<u8>) {
    let mut params = vec![
        pair("app_id", APP_ID),
        pair("method", "alipay.trade.query"),
        pair("sign_type", "RSA2"),
        pair("timestamp", &beijing_now()),
        pair("version", "1.0"),
        pair(
            "biz_content",
            &format!("{{\"out_trade_no\":\"{out_trade_no}\",\"query_options\":[\"x y\"]}}"),
        ),
    ];
    params.extend_from_slice(system);
    let sign = app_key()
        .sign(sign_content(&params).as_bytes())
        .expect("sign");
    params.push(pair("sign", &sign));
    let (query, body): (Vec<_>, Vec<_>) = params
        .into_iter()
        .partition(|(k, _)| layout.get || (layout.in_query)(k));
    let query = form(&query, layout.space_as_plus);
    let body = form(&body, layout.space_as_plus);
    let target = if query.is_empty() {
        "/gateway.do".to_owned()
    } else {
        format!("/gateway.do?{query}")
    };
    if layout.get {
        raw_get(&server.addr, &target)
    } else {
        raw_post(&server.addr, &target, layout.content_type, &body)
    }
}

#[test]
fn serve_answers_the_sdk_and_every_real_client_encoding_then_stops_on_sigterm() {
    let dir = temp_dir("clients");
    // A second app, registered alongside the fixture app.
    let second = PrivateKey::generate().expect("key");
    let second_key_file = dir.join("second.pem");
    std::fs::write(&second_key_file, second.public_key().to_pem()).expect("write");
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
        "--app-id",
        "2021000000000002",
        "--app-public-key",
        second_key_file.to_str().expect("path"),
    ]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert!(!server.alipay_key_text.contains("BEGIN"), "bare base64");

    // The SDK client, configured with what the sandbox printed.
    let client = server.client();
    create(&client, "S-1", None);
    assert_eq!(status(&client, "S-1"), TradeStatus::WaitBuyerPay);
    let (code, _) = raw_post(
        &server.addr,
        &format!("/sandbox/pay?app_id={APP_ID}&out_trade_no=S-1"),
        None,
        "",
    );
    assert_eq!(code, 200);
    assert_eq!(status(&client, "S-1"), TradeStatus::TradeSuccess);
    block(
        client.send(
            TradeRefund::builder()
                .out_trade_no("S-1")
                .refund_amount(amount("1.00"))
                .out_request_no("S-1-R1")
                .build(),
        ),
    )
    .expect("refund");

    // The second app is registered too.
    let second_client = Client::builder()
        .app_id("2021000000000002")
        .app_private_key_parsed(second)
        .alipay_public_key(server.alipay_key_text.clone())
        .gateway_url(server.url.clone())
        .build()
        .expect("client");
    create(&second_client, "S-2", None);

    // Raw HTTP, laid out as real clients lay it out.
    let system = |charset: Option<&str>, format: Option<&str>, sdk: Option<&str>| {
        let mut params = Vec::new();
        if let Some(charset) = charset {
            params.push(pair("charset", charset));
        }
        if let Some(format) = format {
            params.push(pair("format", format));
        }
        if let Some(sdk) = sdk {
            params.push(pair("alipay_sdk", sdk));
        }
        params
    };
    let not_biz: fn(&str) -> bool = |k| k != "biz_content";
    let url_args: fn(&str) -> bool = |k| !matches!(k, "biz_content" | "alipay_sdk");
    let nothing: fn(&str) -> bool = |_| false;
    let everything: fn(&str) -> bool = |_| true;
    let cases = [
        (
            // Java / PHP / Python official SDKs: system parameters in the query, biz_content in
            // the body, `UTF-8`, `json`.
            Layout {
                name: "query + form body, %20",
                get: false,
                in_query: not_biz,
                space_as_plus: false,
                content_type: Some("application/x-www-form-urlencoded;charset=UTF-8"),
            },
            system(
                Some("UTF-8"),
                Some("json"),
                Some("alipay-sdk-java-4.39.0.ALL"),
            ),
        ),
        (
            // Go clients: everything in the form body, `+` for spaces, no alipay_sdk.
            Layout {
                name: "all in the body, +",
                get: false,
                in_query: nothing,
                space_as_plus: true,
                content_type: Some("application/x-www-form-urlencoded; charset=utf-8"),
            },
            system(Some("utf-8"), Some("JSON"), None),
        ),
        (
            // Node SDK: URL arguments in the query, biz_content and alipay_sdk in the body.
            Layout {
                name: "node layout",
                get: false,
                in_query: url_args,
                space_as_plus: true,
                content_type: Some("application/x-www-form-urlencoded"),
            },
            system(Some("utf-8"), Some("JSON"), Some("alipay-sdk-nodejs-3.6.1")),
        ),
        (
            // Everything in the query of a POST without a body; no format, no charset.
            Layout {
                name: "all in the query, POST",
                get: false,
                in_query: everything,
                space_as_plus: false,
                content_type: None,
            },
            system(None, None, None),
        ),
        (
            // A GET with biz_content in the query.
            Layout {
                name: "GET",
                get: true,
                in_query: everything,
                space_as_plus: true,
                content_type: None,
            },
            system(Some("utf-8"), None, Some("alipay-sdk-python-3.7.4")),
        ),
        (
            // A form body without a Content-Type, and an empty parameter (not signed).
            Layout {
                name: "no content type, empty value",
                get: false,
                in_query: not_biz,
                space_as_plus: false,
                content_type: None,
            },
            {
                let mut params = system(Some("utf-8"), Some("JSON"), None);
                params.push(pair("app_auth_token", ""));
                params
            },
        ),
    ];
    for (layout, system) in &cases {
        let (code, body) = query_call(&server, layout, system, "S-1");
        assert_eq!(code, 200, "{}", layout.name);
        let node = verified_node(&server, &body, "alipay_trade_query_response");
        assert_eq!(node["code"], "10000", "{}: {node}", layout.name);
        assert_eq!(node["trade_status"], "TRADE_SUCCESS", "{}", layout.name);
    }

    // The check is Alipay's: a signature over content without sign_type does not verify.
    let mut params = vec![
        pair("app_id", APP_ID),
        pair("method", "alipay.trade.query"),
        pair("charset", "utf-8"),
        pair("timestamp", &beijing_now()),
        pair("version", "1.0"),
        pair("biz_content", "{\"out_trade_no\":\"S-1\"}"),
    ];
    let without_sign_type = app_key()
        .sign(sign_content(&params).as_bytes())
        .expect("sign");
    params.push(pair("sign_type", "RSA2"));
    params.push(pair("sign", &without_sign_type));
    let (_, body) = raw_post(
        &server.addr,
        "/gateway.do",
        Some("application/x-www-form-urlencoded"),
        &form(&params, true),
    );
    let node = verified_node(&server, &body, "alipay_trade_query_response");
    assert_eq!(node["sub_code"], "isv.invalid-signature", "{node}");

    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn notifications_and_faults_are_controlled_over_http_and_flags() {
    // A merchant endpoint that answers `success`.
    let merchant = TcpListener::bind("127.0.0.1:0").expect("bind");
    let notify_url = format!("http://{}/notify", merchant.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in merchant.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buffer = [0u8; 16 * 1024];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nsuccess",
            );
        }
    });
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
        "--notify-scale",
        "0.001",
        "--fault",
        "5xx=503:alipay.trade.cancel",
    ]);
    let client = server.client();
    create(&client, "N-1", Some(&notify_url));
    let (code, _) = raw_post(
        &server.addr,
        &format!("/sandbox/pay?app_id={APP_ID}&out_trade_no=N-1"),
        None,
        "",
    );
    assert_eq!(code, 200);
    let (code, body) = raw_get(&server.addr, "/sandbox/notifications");
    assert_eq!(code, 200);
    let records: Value = serde_json::from_slice(&body).expect("JSON");
    let record = &records[0];
    assert_eq!(record["out_trade_no"], "N-1", "{records}");
    assert_eq!(record["kind"], "payment");
    assert_eq!(record["attempt"], 1);
    assert_eq!(record["status"], 200);
    assert_eq!(record["response_body"], "success");
    assert_eq!(record["next_attempt_in_ms"], Value::Null);

    // The fault given on the command line.
    let cancel = block(
        client.send(
            alipay::payment::common::TradeCancel::builder()
                .out_trade_no("N-1")
                .build(),
        ),
    );
    assert!(
        matches!(cancel, Err(Error::HttpStatus { status: 503, .. })),
        "{cancel:?}"
    );

    // A one-shot fault injected over HTTP.
    let (code, body) = raw_post(
        &server.addr,
        "/sandbox/faults",
        Some("application/json"),
        r#"{"fault":"unsigned","method":"alipay.trade.query","times":1}"#,
    );
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&body));
    let rules: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(rules.as_array().map(Vec::len), Some(2), "{rules}");
    let spoiled = block(client.send(TradeQuery::builder().out_trade_no("N-1").build()));
    assert!(
        matches!(spoiled, Err(Error::Verify(VerifyError::MissingSign))),
        "{spoiled:?}"
    );
    assert_eq!(status(&client, "N-1"), TradeStatus::TradeSuccess);

    // The GBK failure, through `alipay call` (which declares `charset=utf-8`): refused as an
    // answer in another character set than the request declared, exit 2.
    let (code, _) = raw_post(
        &server.addr,
        "/sandbox/faults",
        Some("application/json"),
        r#"{"fault":"gbk","method":"alipay.trade.query","times":1}"#,
    );
    assert_eq!(code, 200);
    let out = alipay_call(
        &server,
        &["alipay.trade.query", "--biz", r#"{"out_trade_no":"N-1"}"#],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not UTF-8 text, the character set the request declared"),
        "{stderr}"
    );

    let (code, _) = raw_post(
        &server.addr,
        "/sandbox/faults",
        Some("application/json"),
        r#"{"fault":"explode"}"#,
    );
    assert_eq!(code, 400);
    let (code, body) = raw(
        &server.addr,
        format!(
            "DELETE /sandbox/faults HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!((code, body), (200, b"[]".to_vec()));
    server.stop();
}

#[test]
fn state_survives_a_restart_and_a_crash() {
    let dir = temp_dir("state");
    let state = dir.join("sandbox.json");
    let state_arg = state.to_str().expect("path");
    let key_arg = fixture("app_public.b64");
    let key_arg = key_arg.to_str().expect("path");

    let first = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        key_arg,
        "--state",
        state_arg,
    ]);
    let client = first.client();
    create(&client, "P-1", None);
    let (code, _) = raw_post(
        &first.addr,
        &format!("/sandbox/pay?app_id={APP_ID}&out_trade_no=P-1"),
        None,
        "",
    );
    assert_eq!(code, 200);
    let first_key = first.alipay_key_text.clone();
    first.stop();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state)
            .expect("state file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the state file holds a private key");
    }

    // Restarted without registering the app again: app, trade and Alipay key are back.
    let second = Server::start(&["--state", state_arg]);
    assert_eq!(second.alipay_key_text, first_key, "the same Alipay key");
    let client = second.client();
    assert_eq!(status(&client, "P-1"), TradeStatus::TradeSuccess);
    create(&client, "P-2", None);
    // A crash right after an acknowledged change loses nothing.
    second.signal("-KILL");
    let (status_code, _) = second.wait();
    assert!(!status_code.success());

    let third = Server::start(&["--state", state_arg]);
    let client = third.client();
    assert_eq!(status(&client, "P-2"), TradeStatus::WaitBuyerPay);
    assert_eq!(status(&client, "P-1"), TradeStatus::TradeSuccess);
    third.stop();
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("sandbox.json")]);
    let _ = std::fs::remove_dir_all(dir);
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

#[test]
fn alipay_call_prints_the_verified_answer() {
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let out = alipay_call(
        &server,
        &[
            "alipay.trade.create",
            "--biz",
            r#"{"out_trade_no":"CLI-1","total_amount":"9.90","subject":"cli","buyer_id":"2088000000000001"}"#,
            "--text",
            "notify_url=http://127.0.0.1:9/notify",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let out = alipay_call(
        &server,
        &["alipay.trade.query", "--biz", r#"{"out_trade_no":"CLI-1"}"#],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(stdout.contains("\n  \""), "pretty JSON: {stdout}");
    let node: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(node["out_trade_no"], "CLI-1");
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(node["total_amount"], "9.90");
    assert_eq!(node["code"], "10000");

    // An API error: its fields as JSON on stdout, exit 1.
    let out = alipay_call(
        &server,
        &["alipay.trade.query", "--biz", r#"{"out_trade_no":"NOPE"}"#],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let error: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(error["code"], "40004");
    assert_eq!(error["sub_code"], "ACQ.TRADE_NOT_EXIST");

    // Transport and configuration errors: exit 2 with a message.
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let out = alipay_call(
        &server,
        &["alipay.trade.query", "--biz", "{}"],
        Some(&format!("http://{closed}/gateway.do")),
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("connect"), "{stderr}");
    // One line: the error and each of its causes, once.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let parts: Vec<&str> = stderr.trim_end().split(": ").collect();
    assert!(parts.len() >= 3, "the causes are shown: {stderr}");
    let mut unique = parts.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), parts.len(), "each cause once: {stderr}");
    let out = alipay_call(&server, &["alipay.trade.query", "--biz", "[1]"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN)
        .args(["call", "alipay.trade.query"])
        .env_remove("ALIPAY_APP_ID")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ALIPAY_APP_ID"));
    server.stop();
}

#[test]
fn alipay_call_v3_prints_the_verified_body() {
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let out = alipay_call(
        &server,
        &[
            "--v3",
            "POST /v3/alipay/trade/create",
            "--body",
            r#"{"out_trade_no":"CLI-V3","total_amount":"3.30","subject":"cli v3","buyer_id":"2088000000000001"}"#,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = alipay_call(
        &server,
        &[
            "--v3",
            "POST /v3/alipay/trade/query",
            "--body",
            r#"{"out_trade_no":"CLI-V3"}"#,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let body: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(body["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(body["total_amount"], "3.30");
    assert!(body.get("code").is_none(), "a v3 body has no code: {body}");
    // The same trade over v2.
    let out = alipay_call(
        &server,
        &[
            "alipay.trade.query",
            "--biz",
            r#"{"out_trade_no":"CLI-V3"}"#,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // GET with a query written in the route.
    let out = alipay_call(
        &server,
        &[
            "--v3",
            "GET /v3/alipay/data/dataservice/bill/downloadurl/query?bill_type=trade&bill_date=2026-12-01",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let body: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        body["bill_download_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://"))
    );
    // A v3 error: on stderr, exit 1.
    let out = alipay_call(
        &server,
        &[
            "--v3",
            "POST /v3/alipay/trade/query",
            "--body",
            r#"{"out_trade_no":"NOPE"}"#,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ACQ.TRADE_NOT_EXIST"));
    assert!(out.stdout.is_empty());
    // A genuine answer checked with another key (as a foreign-signed one is): exit 1.
    let out = Command::new(BIN)
        .args([
            "call",
            "--v3",
            "POST /v3/alipay/trade/query",
            "--body",
            r#"{"out_trade_no":"CLI-V3"}"#,
        ])
        .env("ALIPAY_APP_ID", APP_ID)
        .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
        .env("ALIPAY_PUBLIC_KEY", fixture("alipay_public.b64"))
        .env("ALIPAY_GATEWAY", &server.url)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature does not match"));
    // An unsigned answer from another endpoint (ALIPAY_ENDPOINT wins over the gateway): exit 1.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            use std::io::{Read as _, Write as _};
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let body = r#"{"code":"SYSTEM_ERROR","message":"forged"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 500 X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let out = Command::new(BIN)
        .args([
            "call",
            "--v3",
            "POST /v3/alipay/trade/query",
            "--body",
            "{}",
        ])
        .env("ALIPAY_APP_ID", APP_ID)
        .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
        .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
        .env("ALIPAY_GATEWAY", &server.url)
        .env("ALIPAY_ENDPOINT", &endpoint)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("without a signature"));
    // A route that is not one: a usage error.
    let out = alipay_call(&server, &["--v3", "FETCH /v3/alipay/trade/query"], None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    server.stop();
}

/// `--cert-mode DIR`: the app given is held to certificate mode, its files land in DIR, and both
/// the SDK (configured from those files) and `alipay call` (from the certificate variables) get
/// verified answers; a client in public key mode is refused.
#[test]
fn cert_mode_writes_the_certificates_and_serves_certificate_clients() {
    let dir = temp_dir("cert");
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
        "--cert-mode",
        dir.to_str().expect("path"),
    ]);
    let app_cert = dir.join(format!("appCertPublicKey_{APP_ID}.crt"));
    let alipay_cert = dir.join("alipayCertPublicKey_RSA2.crt");
    let root_cert = dir.join("alipayRootCert.crt");
    let aes_key = dir.join(format!("aesKey_{APP_ID}.txt"));
    let read = |path: &Path| std::fs::read_to_string(path).expect("written");
    // The app certificate is for the app's own key; the Alipay certificate for the printed key.
    let certified = alipay::cert::Certificate::from_pem(&read(&app_cert))
        .expect("app certificate")
        .public_key(alipay::Backend::AwsLc)
        .expect("RSA key");
    assert!(certified.same_key(&app_key().public_key()));
    let alipay = alipay::cert::Certificate::from_pem(&read(&alipay_cert))
        .expect("Alipay certificate")
        .public_key(alipay::Backend::AwsLc)
        .expect("RSA key");
    assert!(alipay.same_key(&server.alipay_key()));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&aes_key)
            .expect("aes key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the AES key is the owner's only");
    }

    let client = Client::builder()
        .app_id(APP_ID)
        .app_private_key_parsed(app_key())
        .certificate_paths(&app_cert, &alipay_cert, &root_cert)
        .aes_key(read(&aes_key).trim())
        .gateway_url(server.url.clone())
        .build()
        .expect("certificate mode client");
    create(&client, "CERT-1", None);
    assert_eq!(status(&client, "CERT-1"), TradeStatus::WaitBuyerPay);
    let encrypted = block(
        client
            .send(TradeQuery::builder().out_trade_no("CERT-1").build())
            .encrypt(true),
    )
    .expect("an encrypted call");
    assert_eq!(encrypted.out_trade_no, "CERT-1");

    // Public key mode is refused for a certificate app.
    match block(
        server
            .client()
            .send(TradeQuery::builder().out_trade_no("CERT-1").build()),
    ) {
        Err(Error::Api(error) | Error::Gateway(error)) => {
            assert_eq!(error.sub_code.as_deref(), Some("isv.missing-app-cert-sn"));
        }
        other => panic!("expected the missing app_cert_sn refusal, got {other:?}"),
    }

    // `alipay call` in certificate mode.
    let call = |extra: &[(&str, &Path)]| {
        let mut command = Command::new(BIN);
        command
            .args([
                "call",
                "alipay.trade.query",
                "--biz",
                r#"{"out_trade_no":"CERT-1"}"#,
            ])
            .env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
            .env("ALIPAY_APP_CERT", &app_cert)
            .env("ALIPAY_CERT", &alipay_cert)
            .env("ALIPAY_ROOT_CERT", &root_cert)
            .env("ALIPAY_GATEWAY", &server.url)
            .env_remove("ALIPAY_PUBLIC_KEY");
        for (name, value) in extra {
            command.env(name, value);
        }
        command.output().expect("the binary runs")
    };
    let out = call(&[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let node: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(node["out_trade_no"], "CERT-1");
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");
    let out = call(&[("ALIPAY_PUBLIC_KEY", fixture("app_public.b64").as_path())]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not both"));
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["sandbox", "serve", "--app-id", APP_ID][..],
        &["sandbox", "serve", "--addr", "nowhere"],
        &["sandbox", "serve", "--notify-scale", "-1"],
        &["sandbox", "serve", "--fault", "boom"],
        &["sandbox", "serve", "--cert-mode"],
        &["sandbox", "stop"],
    ] {
        let out = Command::new(BIN).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
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

#[test]
fn apps_are_given_as_id_equals_keyfile_or_as_the_older_pairs() {
    let dir = temp_dir("apps");
    let second = PrivateKey::generate().expect("key");
    let second_key_file = dir.join("second.pem");
    std::fs::write(&second_key_file, second.public_key().to_pem()).expect("write");
    let app = format!("--app={APP_ID}={}", fixture("app_public.pem").display());
    let server = Server::start(&[
        &app,
        "--app-id",
        "2021000000000002",
        "--app-public-key",
        second_key_file.to_str().expect("path"),
    ]);
    create(&server.client(), "A-1", None);
    let second_client = Client::builder()
        .app_id("2021000000000002")
        .app_private_key_parsed(second)
        .alipay_public_key(server.alipay_key_text.clone())
        .gateway_url(server.url.clone())
        .build()
        .expect("client");
    create(&second_client, "A-2", None);
    let url = server.url.clone();
    let stderr = server.stop();
    // Labelled lines for a person on stderr; stdout had only the URL and the key.
    for line in [
        format!("alipay sandbox: gateway       {url}"),
        format!("alipay sandbox: apps          {APP_ID}, 2021000000000002"),
        "alipay sandbox: stop          Ctrl-C (SIGINT) or SIGTERM".to_owned(),
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn keys_and_pairs_that_do_not_fit_are_refused_with_what_is_wanted() {
    let private = fixture("app_private_pkcs8.pem");
    let private = private.to_str().expect("path");
    let public = fixture("app_public.pem");
    let public = public.to_str().expect("path");
    let private_key_line = std::fs::read_to_string(private)
        .expect("fixture")
        .lines()
        .nth(1)
        .expect("a base64 line")
        .to_owned();
    let as_app = format!("{APP_ID}={private}");
    let old_pair = ["--app-id", APP_ID, "--app-public-key", private];
    for (args, message) in [
        (
            vec!["--app", as_app.as_str()],
            "is a private key: the sandbox wants the app's public key",
        ),
        (
            old_pair.to_vec(),
            "is a private key: the sandbox wants the app's public key",
        ),
        (
            vec!["--alipay-private-key", public],
            "is a public key: `--alipay-private-key` wants the private key",
        ),
        // Out of order: the key of the first app given after the second app id.
        (
            vec![
                "--app-id",
                APP_ID,
                "--app-id",
                "2021000000000002",
                "--app-public-key",
                public,
                "--app-public-key",
                public,
            ],
            "right after its `--app-id ID`",
        ),
        (
            vec!["--app-public-key", public, "--app-id", APP_ID],
            "right after its `--app-id ID`",
        ),
        (vec!["--app-id", APP_ID], "right after its `--app-id ID`"),
        (vec!["--app", APP_ID], "use ID=KEYFILE"),
        (
            vec![
                "--app",
                &format!("{APP_ID}={public}"),
                "--app-id",
                APP_ID,
                "--app-public-key",
                public,
            ],
            "given twice",
        ),
    ] {
        let mut full = vec!["sandbox", "serve"];
        full.extend(&args);
        let out = alipay(&full).stdin(Stdio::null()).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing announced");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            !stderr.contains(&private_key_line),
            "no key material: {stderr}"
        );
    }
}

#[test]
fn addr_takes_host_names() {
    let app = format!("--app={APP_ID}={}", fixture("app_public.b64").display());
    let server = Server::start(&["--addr", "localhost:0", &app]);
    assert!(
        server.url.starts_with("http://127.0.0.1:") || server.url.starts_with("http://[::1]:"),
        "{}",
        server.url
    );
    create(&server.client(), "L-1", None);
    assert_eq!(status(&server.client(), "L-1"), TradeStatus::WaitBuyerPay);
    server.stop();
    let out = alipay(&["sandbox", "serve", "--addr", "localhost"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("use HOST:PORT"), "{out:?}");
}

#[test]
fn sandbox_pay_makes_the_buyer_pay_or_says_why_not() {
    let app = format!("--app={APP_ID}={}", fixture("app_public.b64").display());
    let server = Server::start(&[app.as_str()]);
    let client = server.client();
    create(&client, "PAY-1", None);
    assert_eq!(status(&client, "PAY-1"), TradeStatus::WaitBuyerPay);
    let pay = |out_trade_no: &str| {
        alipay(&[
            "sandbox",
            "pay",
            "--gateway",
            &server.url,
            "--app-id",
            APP_ID,
            "--out-trade-no",
            out_trade_no,
        ])
        .output()
        .expect("runs")
    };
    let out = pay("PAY-1");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let trade: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(trade["status"], "TRADE_SUCCESS", "{trade}");
    assert_eq!(trade["out_trade_no"], "PAY-1");
    assert_eq!(status(&client, "PAY-1"), TradeStatus::TradeSuccess);

    // Paid already, unknown: refused by the sandbox, exit 1 with its reason.
    for (out_trade_no, reason) in [("PAY-1", "HTTP 409"), ("NOPE", "HTTP 404")] {
        let out = pay(out_trade_no);
        assert_eq!(out.status.code(), Some(1), "{out_trade_no}: {out:?}");
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("refused the payment") && stderr.contains(reason),
            "{stderr}"
        );
    }

    // From the environment, `--flag=value`.
    create(&client, "PAY-2", None);
    let out = alipay(&["sandbox", "pay", "--out-trade-no=PAY-2"])
        .env("ALIPAY_GATEWAY", &server.url)
        .env("ALIPAY_APP_ID", APP_ID)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(status(&client, "PAY-2"), TradeStatus::TradeSuccess);

    // Nothing listening, or not a URL: usage errors.
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    for gateway in [
        format!("http://{closed}/gateway.do"),
        "gateway.do".to_owned(),
    ] {
        let out = alipay(&[
            "sandbox",
            "pay",
            "--gateway",
            &gateway,
            "--app-id",
            APP_ID,
            "--out-trade-no",
            "PAY-3",
        ])
        .output()
        .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{gateway}: {out:?}");
    }
    server.stop();
}

#[test]
fn alipay_call_never_picks_the_production_gateway_by_itself() {
    let app = format!("--app={APP_ID}={}", fixture("app_public.b64").display());
    let server = Server::start(&[app.as_str()]);
    let call = |args: &[&str], private_key: PathBuf| {
        let mut full = vec![
            "call",
            "alipay.trade.query",
            "--biz",
            r#"{"out_trade_no":"X"}"#,
        ];
        full.extend(args);
        alipay(&full)
            .env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", private_key)
            .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
            .output()
            .expect("runs")
    };
    // No gateway named: refused before anything is sent.
    let out = call(&[], fixture("app_private_pkcs8.pem"));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no gateway") && stderr.contains("--production"),
        "{stderr}"
    );
    let out = call(
        &["--production", "--gateway", &server.url],
        fixture("app_private_pkcs8.pem"),
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(text(&out.stderr).contains("give one"), "{out:?}");
    // `--production` is a gateway: what fails next is the (wrong) key, before any call.
    let out = call(&["--production"], fixture("app_public.pem"));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        text(&out.stderr).contains("app private key is expected"),
        "{out:?}"
    );
    // The gateway as a flag.
    let flag = format!("--gateway={}", server.url);
    let out = call(&[&flag], fixture("app_private_pkcs8.pem"));
    assert_eq!(out.status.code(), Some(1), "an answered error: {out:?}");
    let error: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(error["sub_code"], "ACQ.TRADE_NOT_EXIST");
    server.stop();
}

/// A pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

#[test]
fn serve_keeps_serving_when_nobody_reads_its_output() {
    let app = format!("--app={APP_ID}={}", fixture("app_public.b64").display());
    // Stderr closed: the two lines, then serving as usual.
    let mut child = alipay(&["sandbox", "serve", &app])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .spawn()
        .expect("runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = lines.next().expect("line 1").expect("text");
    let key = lines.next().expect("line 2").expect("text");
    let client = |url: &str, key: &str| {
        Client::builder()
            .app_id(APP_ID)
            .app_private_key_parsed(app_key())
            .alipay_public_key(key.to_owned())
            .gateway_url(url.to_owned())
            .build()
            .expect("client")
    };
    create(&client(&url, &key), "Q-1", None);
    let stop = |child: &mut Child| {
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let status = child.wait().expect("exits");
        assert_eq!(status.code(), Some(0), "{status:?}");
    };
    stop(&mut child);

    // Stdout closed: the URL is on stderr's labelled lines; the key is the state file's.
    let dir = temp_dir("closed-stdout");
    let state = dir.join("sandbox.json");
    let state = state.to_str().expect("path");
    let first = Server::start(&[&app, "--state", state]);
    let key = first.alipay_key_text.clone();
    first.stop();
    let mut child = alipay(&["sandbox", "serve", "--state", state])
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut notes = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let url = notes
        .find_map(|line| {
            line.ok()?
                .strip_prefix("alipay sandbox: gateway")
                .map(|rest| rest.trim().to_owned())
        })
        .expect("the gateway line");
    create(&client(&url, &key), "Q-2", None);
    stop(&mut child);
    let _ = std::fs::remove_dir_all(dir);
}

/// Where the official Node SDK (npm `alipay-sdk` 4.x) is installed: `ALIPAY_NODE_SDK_DIR`, a
/// directory holding `node_modules/alipay-sdk` (`.ci/run` installs it there). `None`, with the
/// reason, when it or `node` is missing; with `ALIPAY_REQUIRE_NODE_SDK=1` (CI) that is a failure.
fn node_sdk() -> Option<PathBuf> {
    let reason = match std::env::var_os("ALIPAY_NODE_SDK_DIR") {
        None => "ALIPAY_NODE_SDK_DIR is not set".to_owned(),
        Some(dir) => {
            let modules = PathBuf::from(dir).join("node_modules");
            let node = Command::new("node").arg("--version").output();
            if !modules.join("alipay-sdk/package.json").is_file() {
                format!("{} has no alipay-sdk", modules.display())
            } else if !node.is_ok_and(|o| o.status.success()) {
                "`node` is not on PATH".to_owned()
            } else {
                return Some(modules);
            }
        }
    };
    let message = format!(
        "the official Node SDK test is skipped: {reason} (run `npm install --prefix DIR \
         alipay-sdk@4` and set ALIPAY_NODE_SDK_DIR=DIR)"
    );
    assert!(
        std::env::var_os("ALIPAY_REQUIRE_NODE_SDK").is_none(),
        "{message}"
    );
    eprintln!("{message}");
    None
}

/// The official Node SDK's v3 `curl()` works against `alipay sandbox serve` unchanged, run in
/// China's time zone like a server there: create, query (also as an ISV with an
/// `app_auth_token`), a GET with a query string, a signed error; and the trade it created is
/// the same one this SDK then queries over v2.
#[test]
fn the_official_node_sdk_curl_works_against_serve() {
    let Some(modules) = node_sdk() else { return };
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let endpoint = server.url.trim_end_matches("/gateway.do").to_owned();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/node/curl.js");
    let private_key =
        std::fs::read_to_string(fixture("app_private_pkcs8.pem")).expect("the app key");
    let out = Command::new("node")
        .arg(script)
        .env("TZ", "Asia/Shanghai")
        .env("NODE_PATH", &modules)
        .env("APP_ID", APP_ID)
        .env("APP_PRIVATE_KEY", private_key)
        .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
        .env("ENDPOINT", &endpoint)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{out:?}");
    let seen: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(seen["created"]["out_trade_no"], "NODE-1");
    assert_eq!(seen["queried"]["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(seen["queried"]["subject"], "节点 tea & 茶");
    assert_eq!(seen["agent"]["total_amount"], "1.23");
    assert!(
        seen["bill"]["bill_download_url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&endpoint))
    );
    assert_eq!(seen["refused"]["code"], "ACQ.TRADE_NOT_EXIST");
    assert_eq!(seen["refused"]["status"], 422);
    // The trade the Node SDK created over v3, queried by this SDK over v2.
    assert_eq!(
        status(&server.client(), "NODE-1"),
        TradeStatus::WaitBuyerPay
    );
    server.stop();
}

/// A one-thread HTTP forward proxy on loopback: it records each request head and either
/// forwards the connection to the absolute-form target (`forward`) or answers `407`.
fn forward_proxy(forward: bool) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (heads, received) = mpsc::channel();
    std::thread::spawn(move || {
        for inbound in listener.incoming() {
            let Ok(mut inbound) = inbound else { return };
            let mut reader = BufReader::new(inbound.try_clone().expect("clone"));
            let mut head = String::new();
            while !head.ends_with("\r\n\r\n") {
                if reader.read_line(&mut head).unwrap_or(0) == 0 {
                    break;
                }
            }
            let _ = heads.send(head.clone());
            if !forward {
                let _ = inbound.write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n",
                );
                continue;
            }
            let target = head
                .split(' ')
                .nth(1)
                .and_then(|uri| uri.strip_prefix("http://"))
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default()
                .to_owned();
            let Ok(mut outbound) = TcpStream::connect(&target) else {
                continue;
            };
            // The origin accepts the absolute form: the bytes go on unchanged.
            let _ = outbound.write_all(head.as_bytes());
            let mut back = outbound.try_clone().expect("clone");
            let mut to_client = inbound.try_clone().expect("clone");
            std::thread::spawn(move || std::io::copy(&mut back, &mut to_client));
            std::thread::spawn(move || std::io::copy(&mut reader, &mut outbound));
        }
    });
    (addr, received)
}

#[test]
fn alipay_call_goes_through_the_proxy_of_alipay_proxy_or_proxy() {
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let query = [
        "alipay.trade.query",
        "--biz",
        r#"{"out_trade_no":"CLI-PROXY"}"#,
    ];
    let password = "cli-Pr0xy-Secret";
    let (proxy, heads) = forward_proxy(true);
    let out = call_command()
        .args(query)
        .env("ALIPAY_APP_ID", APP_ID)
        .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
        .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
        .env("ALIPAY_GATEWAY", &server.url)
        .env("ALIPAY_PROXY", format!("http://alice:{password}@{proxy}"))
        .output()
        .expect("the binary runs");
    // The verified answer (an unknown trade) came back through the proxy.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let head = heads.recv_timeout(Duration::from_secs(5)).expect("proxied");
    assert!(head.starts_with(&format!("POST {}?", server.url)), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authorization: basic "),
        "{head}"
    );

    // `--proxy` (here a proxy that refuses the credentials): exit 2, the password not shown.
    let (refusing, heads) = forward_proxy(false);
    let mut args = query.to_vec();
    let flag = format!("--proxy=http://alice:{password}@{refusing}");
    args.push(&flag);
    let out = alipay_call(&server, &args, None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        heads.recv_timeout(Duration::from_secs(5)).is_ok(),
        "proxied"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("407"), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
}

#[test]
fn alipay_call_without_proxy_honours_http_proxy_and_no_proxy_from_the_environment() {
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let (proxy, heads) = forward_proxy(true);
    let call = |no_proxy: Option<&str>| {
        let mut command = call_command();
        command
            .args([
                "alipay.trade.query",
                "--biz",
                r#"{"out_trade_no":"CLI-ENV-PROXY"}"#,
            ])
            .env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
            .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
            .env("ALIPAY_GATEWAY", &server.url)
            .env("HTTP_PROXY", format!("http://{proxy}"));
        if let Some(hosts) = no_proxy {
            command.env("NO_PROXY", hosts);
        }
        command.output().expect("the binary runs")
    };
    // HTTP_PROXY (the gateway is http://): the verified answer came through the proxy.
    let out = call(None);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let head = heads.recv_timeout(Duration::from_secs(5)).expect("proxied");
    assert!(head.starts_with(&format!("POST {}?", server.url)), "{head}");
    // NO_PROXY naming the gateway's host: the same call goes straight to the gateway.
    let out = call(Some("127.0.0.1"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        heads.recv_timeout(Duration::from_millis(300)).is_err(),
        "NO_PROXY is honoured"
    );
}
