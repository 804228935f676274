//! How the client treats what a gateway answers: each bad answer gets its own typed error, and
//! nothing unverified is returned as data. The gateway here is a real HTTP server on loopback
//! that answers crafted bodies, signed with the committed test "Alipay" key where they should be.

use alipay::payment::common::TradeQuery;
use alipay::response::Charset;
use alipay::{Error, ResponseError, VerifyError};
use alipay_tests::{Reply, ScriptedGateway, client_for, signed_answer};

const NODE: &str = "alipay_trade_query_response";
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.80","url":"https:\/\/example.com\/a","unknown_field":{"kept":"ignored"}}"#;

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("T1").build()
}

async fn answer(
    status: u16,
    body: impl Into<Vec<u8>>,
) -> Result<alipay::payment::common::TradeQueryResponse, Error> {
    let gateway = ScriptedGateway::start(status, body).await;
    client_for(&gateway.url).send(query()).await
}

#[tokio::test]
async fn a_signed_success_is_parsed_from_the_verified_bytes() {
    let body = signed_answer(NODE, SUCCESS);
    let trade = answer(200, body).await.expect("verified answer");
    assert_eq!(trade.out_trade_no, "T1");
    assert_eq!(trade.total_amount.as_str(), "88.80");
    assert!(trade.trade_status.is_paid());
}

#[tokio::test]
async fn the_request_carries_the_system_params_and_biz_content() {
    let gateway = ScriptedGateway::start(200, signed_answer(NODE, SUCCESS)).await;
    client_for(&gateway.url)
        .send(query())
        .await
        .expect("verified");
    let received = gateway.received();
    assert_eq!(received.len(), 1);
    let head = &received[0].head;
    let request_line = head.lines().next().expect("request line");
    assert!(
        request_line.starts_with("POST /gateway.do?"),
        "{request_line}"
    );
    for needle in [
        "app_id=2021000000000001",
        "method=alipay.trade.query",
        "charset=utf-8",
        "sign_type=RSA2",
        "version=1.0",
        "format=JSON",
        "sign=",
        "timestamp=",
    ] {
        assert!(
            request_line.contains(needle),
            "{needle} missing in {request_line}"
        );
    }
    assert!(
        !request_line.contains("biz_content"),
        "biz_content belongs in the body"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/x-www-form-urlencoded;charset=utf-8")
    );
    assert_eq!(
        String::from_utf8_lossy(&received[0].body),
        "biz_content=%7B%22out_trade_no%22%3A%22T1%22%7D"
    );
}

#[tokio::test]
async fn a_tampered_answer_fails_verification() {
    let body = signed_answer(NODE, SUCCESS).replace("88.80", "0.01");
    assert!(matches!(
        answer(200, body).await,
        Err(Error::Verify(VerifyError::Mismatch))
    ));
}

#[tokio::test]
async fn a_re_serialized_answer_fails_verification() {
    // Same JSON value, different bytes (the `\/` escapes undone): the signature covers bytes.
    let body = signed_answer(NODE, SUCCESS).replace(r"\/", "/");
    assert!(matches!(
        answer(200, body).await,
        Err(Error::Verify(VerifyError::Mismatch))
    ));
}

#[tokio::test]
async fn a_duplicated_node_is_refused() {
    let signed = signed_answer(NODE, SUCCESS);
    let forged = format!(
        "{},\"{NODE}\":{}}}",
        &signed[..signed.len() - 1],
        SUCCESS.replace("88.80", "0.01")
    );
    assert!(matches!(
        answer(200, forged).await,
        Err(Error::Response(ResponseError::DuplicateNode(node))) if node == NODE
    ));
}

#[tokio::test]
async fn an_unsigned_success_is_a_verification_error() {
    let body = format!(r#"{{"{NODE}":{SUCCESS}}}"#);
    assert!(matches!(
        answer(200, body).await,
        Err(Error::Verify(VerifyError::MissingSign))
    ));
}

#[tokio::test]
async fn an_unsigned_error_response_is_the_gateways_error() {
    let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}"#;
    match answer(200, body).await {
        Err(Error::Gateway(e)) => {
            assert_eq!(e.code, "40002");
            assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-app-id"));
        }
        other => panic!("expected a gateway error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_business_failure_is_an_api_error() {
    let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
    match answer(200, signed_answer(NODE, node)).await {
        Err(Error::Api(e)) => {
            assert!(e.is_business_failure());
            assert_eq!(e.sub_code.as_deref(), Some("ACQ.TRADE_NOT_EXIST"));
            assert_eq!(e.sub_msg.as_deref(), Some("交易不存在"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrongly_signed_business_failure_is_a_verification_error() {
    let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST"}"#;
    let body = signed_answer(NODE, node).replace("TRADE_NOT_EXIST", "SYSTEM_ERROR");
    assert!(matches!(
        answer(200, body).await,
        Err(Error::Verify(VerifyError::Mismatch))
    ));
}

#[tokio::test]
async fn a_non_json_body_is_a_response_error() {
    assert!(matches!(
        answer(200, "<html><body>maintenance</body></html>").await,
        Err(Error::Response(ResponseError::NotJson(_)))
    ));
}

#[tokio::test]
async fn a_truncated_body_is_a_response_error() {
    let body = signed_answer(NODE, SUCCESS);
    let truncated = body[..body.len() / 2].to_owned();
    assert!(matches!(
        answer(200, truncated).await,
        Err(Error::Response(ResponseError::NotJson(_)))
    ));
}

#[tokio::test]
async fn http_502_with_html_is_an_http_status_error() {
    match answer(502, "<html><body><h1>502 Bad Gateway</h1></body></html>").await {
        Err(Error::HttpStatus { status, snippet }) => {
            assert_eq!(status, 502);
            assert!(snippet.contains("Bad Gateway"));
        }
        other => panic!("expected an HTTP status error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_over_size_body_is_refused() {
    let big = format!(
        r#"{{"{NODE}":{{"code":"10000","pad":"{}"}},"sign":"x"}}"#,
        "a".repeat(64 * 1024)
    );
    let gateway = ScriptedGateway::start(200, big).await;
    let client = alipay::Client::builder()
        .app_id("2021000000000001")
        .app_private_key(alipay_tests::keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(alipay_tests::keys::ALIPAY_PUBLIC_B64)
        .gateway_url(&gateway.url)
        .max_body_size(16 * 1024)
        .build()
        .expect("config");
    assert!(matches!(
        client.send(query()).await,
        Err(Error::BodyTooLarge { limit: 16384 })
    ));
}

#[tokio::test]
async fn an_over_size_body_without_content_length_is_refused_while_reading() {
    // Announce a small length but the limit still applies to what is read; here the announced
    // length is above the limit and the client refuses before reading.
    let gateway = ScriptedGateway::start_raw(200, vec![b' '; 1024], Some(10 * 1024 * 1024)).await;
    let client = client_for(&gateway.url);
    assert!(matches!(
        client.send(query()).await,
        Err(Error::BodyTooLarge { .. })
    ));
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
    drop(listener);
    assert!(matches!(
        client_for(&url).send(query()).await,
        Err(Error::Connect(_))
    ));
}

#[tokio::test]
async fn a_hung_gateway_is_a_timeout_after_the_request_was_sent() {
    let gateway = ScriptedGateway::start_hanging().await;
    let client = client_for(&gateway.url);
    let deadline = std::time::Duration::from_millis(300);
    let started = std::time::Instant::now();
    let result = client.send(query()).timeout(deadline).await;
    assert!(
        matches!(result, Err(Error::Timeout(d)) if d == deadline),
        "{result:?}"
    );
    // The deadline is respected (generously bounded: this is a correctness check, not a timing).
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(
        gateway.received().len(),
        1,
        "the request reached the gateway"
    );
}

/// The charset an answer is read in is the one the request declared (`charset=utf-8`), not one
/// the path chooses: a node Alipay signed as UTF-8, sent with `Content-Type: …charset=GBK` or
/// with GBK bytes injected outside the node, is never decoded as GBK (which would verify, the
/// signature being over the bytes, and turn its Chinese text into mojibake).
#[tokio::test]
async fn the_charset_is_the_one_the_request_declared_not_the_answers() {
    let name = "测试用户";
    let node = SUCCESS.replace(
        r#""total_amount":"88.80""#,
        &format!(r#""total_amount":"88.80","buyer_user_name":"{name}""#),
    );
    // The attack would work: these UTF-8 bytes are also GBK text, of other characters.
    let as_gbk = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(name.as_bytes())
        .expect("the UTF-8 bytes are GBK too");
    assert_ne!(as_gbk, name);
    let body = signed_answer(NODE, &node);
    let send = |replies: Vec<Reply>| async move {
        let gateway = ScriptedGateway::start_script(replies).await;
        client_for(&gateway.url).send(query()).await
    };
    let with_type = |body: Vec<u8>, content_type: &str| Reply::Answer {
        status: 200,
        body,
        headers: vec![format!("content-type: {content_type}")],
        delay: std::time::Duration::ZERO,
    };
    // Positive control: as Alipay sends it.
    let trade = send(vec![with_type(
        body.clone().into_bytes(),
        "text/html;charset=utf-8",
    )])
    .await
    .expect("verified");
    assert_eq!(trade.buyer_user_name.as_deref(), Some(name));
    // The header says GBK: ignored, the text is what Alipay signed.
    for content_type in ["text/html;charset=GBK", "application/json; charset=gb18030"] {
        let trade = send(vec![with_type(body.clone().into_bytes(), content_type)])
            .await
            .expect("verified");
        assert_eq!(
            trade.buyer_user_name.as_deref(),
            Some(name),
            "{content_type}"
        );
    }
    // A GBK character (B5 A1) injected outside the node, header GBK or not: the body is not the
    // UTF-8 the request declared, so it is refused, not read as GBK.
    let injected = body
        .replacen(",\"sign\":", ",\"x\":\"@@\",\"sign\":", 1)
        .into_bytes();
    let at = injected
        .windows(2)
        .position(|w| w == b"@@")
        .expect("marker");
    let mut injected = injected;
    injected[at..at + 2].copy_from_slice(&[0xB5, 0xA1]);
    assert!(
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&injected)
            .is_some(),
        "the whole body is GBK text"
    );
    for content_type in ["text/html;charset=GBK", "text/html;charset=utf-8"] {
        match send(vec![with_type(injected.clone(), content_type)]).await {
            Err(Error::Response(ResponseError::Charset { declared })) => {
                assert_eq!(declared, Charset::Utf8);
            }
            other => panic!("expected a charset mismatch ({content_type}), got {other:?}"),
        }
    }
}
