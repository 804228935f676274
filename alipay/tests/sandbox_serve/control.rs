//! The sandbox controlled from outside the SDK: notifications and faults over its HTTP control
//! endpoints and its flags, and the buyer's payment made with `alipay sandbox pay`.

use super::*;

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
