//! `alipay call` against the server: the verified v2 answer and v3 body, API, transport and
//! usage errors with their exit codes, and a gateway that is always named, never the production
//! one by default.

use super::*;

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
