//! The SDK client and raw HTTP requests laid out as each real client lays them out (query
//! string or form body, `+` or `%20`, GET or POST, with or without a content type), all signed
//! by hand and answered with verified nodes; a second app registered alongside; a stop on
//! SIGTERM.

use super::*;

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
