//! End-to-end tests of the sandbox over real HTTP, with a hand-written client.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::*;
use crate::crypto::{PrivateKey, Signer, Verifier};
use crate::request::response_key_of;
use crate::wire::{beijing_timestamp, form_decode, form_encode, notify_sign_content, sign_content};

mod api;
mod browser;

/// The `(name, value)` pairs of the query of a URL.
fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_decode(query.as_bytes()).unwrap()
}

/// The value of `key` in `pairs` (which must have it).
fn pair<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {pairs:?}"))
}

/// What the test client got back.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    /// The `Location` header, if any.
    location: Option<String>,
    /// The body as text (lossy).
    body: String,
    /// The body as received.
    bytes: Bytes,
}

/// One request over a fresh HTTP/1 connection.
async fn http(
    addr: SocketAddr,
    method: &str,
    target: &str,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut request = Request::builder()
        .method(method)
        .uri(target)
        .header("host", addr.to_string());
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = sender
        .send_request(request.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

fn now() -> String {
    beijing_timestamp(SystemTime::now())
}

/// The system parameters of a call, plus `extra`, signed with `key`.
fn signed_params(
    app_id: &str,
    key: &PrivateKey,
    method: &str,
    biz: Option<&Value>,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = vec![
        ("app_id".into(), app_id.into()),
        ("method".into(), method.into()),
        ("format".into(), "json".into()),
        ("charset".into(), "utf-8".into()),
        ("sign_type".into(), "RSA2".into()),
        ("timestamp".into(), now()),
        ("version".into(), "1.0".into()),
    ];
    if let Some(biz) = biz {
        params.push(("biz_content".into(), biz.to_string()));
    }
    for (k, v) in extra {
        params.retain(|(key, _)| key != k);
        params.push(((*k).into(), (*v).into()));
    }
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let sign = key.sign(content.as_bytes()).unwrap();
    params.push(("sign".into(), sign));
    params
}

/// POSTs like the Easy SDK: everything but `biz_content` in the query, `biz_content` in the body.
async fn post(sandbox: &Sandbox, params: &[(String, String)]) -> Answer {
    let query = form_encode(
        params
            .iter()
            .filter(|(k, _)| k != "biz_content")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let body = form_encode(
        params
            .iter()
            .filter(|(k, _)| k == "biz_content")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    http(
        sandbox.addr(),
        "POST",
        &format!("/gateway.do?{query}"),
        Some("application/x-www-form-urlencoded;charset=utf-8"),
        body,
    )
    .await
}

/// Checks the answer is `{"<method>_response":NODE,"sign":"…"}` signed by the sandbox; returns
/// the node.
fn verified_node(sandbox: &Sandbox, method: &str, answer: &Answer) -> Value {
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "text/html;charset=utf-8");
    let raw = &answer.body;
    let prefix = format!("{{\"{}\":", response_key_of(method));
    assert!(raw.starts_with(&prefix), "{raw}");
    let sign_at = raw.rfind(",\"sign\":\"").unwrap();
    let node = &raw[prefix.len()..sign_at];
    let sign = &raw[sign_at + 9..raw.len() - 2];
    assert!(raw.ends_with("\"}"), "{raw}");
    sandbox
        .alipay_public_key()
        .verify(node.as_bytes(), sign)
        .unwrap_or_else(|e| panic!("answer signature: {e}: {raw}"));
    assert!(node.starts_with("{\"code\":"), "code comes first: {node}");
    serde_json::from_str(node).unwrap()
}

/// A signed call of `app`; returns the verified node.
async fn call(sandbox: &Sandbox, app: &SandboxApp, method: &str, biz: Value) -> Value {
    call_with(sandbox, app, method, biz, &[]).await
}

async fn call_with(
    sandbox: &Sandbox,
    app: &SandboxApp,
    method: &str,
    biz: Value,
    extra: &[(&str, &str)],
) -> Value {
    let params = signed_params(&app.app_id, &app.private_key, method, Some(&biz), extra);
    let answer = post(sandbox, &params).await;
    verified_node(sandbox, method, &answer)
}

fn assert_fails(node: &Value, code: &str, sub_code: &str) {
    assert_eq!(node["code"], code, "{node}");
    assert_eq!(node["sub_code"], sub_code, "{node}");
    assert!(
        node["sub_msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{node}"
    );
}

fn assert_success(node: &Value) {
    assert_eq!(node["code"], "10000", "{node}");
    assert_eq!(node["msg"], "Success", "{node}");
}

async fn create(sandbox: &Sandbox, app: &SandboxApp, out_trade_no: &str, amount: &str) -> Value {
    let node = call(
        sandbox,
        app,
        "alipay.trade.create",
        json!({"subject": "iPhone6 16G", "out_trade_no": out_trade_no, "total_amount": amount}),
    )
    .await;
    assert_success(&node);
    node
}

#[tokio::test]
async fn trade_lifecycle_with_refunds() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    assert_eq!(app.app_id.len(), 16);
    assert!(app.app_id.starts_with("2021"));

    let created = create(&sandbox, &app, "T-LIFE", "88.80").await;
    assert_eq!(created["out_trade_no"], "T-LIFE");
    let trade_no = created["trade_no"].as_str().unwrap().to_owned();
    assert_eq!(trade_no.len(), 28);
    assert!(trade_no.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(&trade_no[8..13], "22001");

    // The same order again while unpaid: the same trade; another amount: refused.
    let again = create(&sandbox, &app, "T-LIFE", "88.80").await;
    assert_eq!(again["trade_no"], trade_no.as_str());
    let changed = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "iPhone6 16G", "out_trade_no": "T-LIFE", "total_amount": "1.00"}),
    )
    .await;
    assert_fails(&changed, "40004", "ACQ.CONTEXT_INCONSISTENT");

    let unpaid = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "T-LIFE"}),
    )
    .await;
    assert_success(&unpaid);
    assert_eq!(unpaid["trade_status"], "WAIT_BUYER_PAY");
    assert!(unpaid.get("buyer_logon_id").is_none());
    // Refunding an unpaid trade is refused.
    let early = call(
        &sandbox,
        &app,
        "alipay.trade.refund",
        json!({"out_trade_no": "T-LIFE", "refund_amount": "1.00"}),
    )
    .await;
    assert_fails(&early, "40004", "ACQ.TRADE_STATUS_ERROR");

    let paid = sandbox.pay(&app.app_id, "T-LIFE").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    assert!(paid.gmt_payment.is_some());
    assert!(
        sandbox.notifications().is_empty(),
        "no notify_url, no notification"
    );

    let query = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"trade_no": trade_no}),
    )
    .await;
    assert_success(&query);
    assert_eq!(query["trade_status"], "TRADE_SUCCESS");
    assert_eq!(query["out_trade_no"], "T-LIFE");
    assert_eq!(query["total_amount"], "88.80");
    assert_eq!(query["buyer_pay_amount"], "88.80");
    assert_eq!(query["receipt_amount"], "88.80");
    assert_eq!(query["point_amount"], "0.00");
    assert_eq!(query["buyer_logon_id"], "tes***@sandbox.com");
    assert_eq!(query["subject"], "iPhone6 16G");
    assert!(query["send_pay_date"].is_string());
    assert_eq!(query["fund_bill_list"][0]["amount"], "88.80");

    // A partial refund, then the same request again: answered, not refunded twice.
    let refund = |amount: &str, request_no: &str| json!({"out_trade_no": "T-LIFE", "refund_amount": amount, "out_request_no": request_no});
    let first = call(&sandbox, &app, "alipay.trade.refund", refund("30.00", "R1")).await;
    assert_success(&first);
    assert_eq!(first["fund_change"], "Y");
    assert_eq!(first["refund_fee"], "30.00");
    assert_eq!(first["trade_no"], trade_no.as_str());
    assert!(first["gmt_refund_pay"].is_string());
    let repeat = call(&sandbox, &app, "alipay.trade.refund", refund("30.00", "R1")).await;
    assert_success(&repeat);
    assert_eq!(repeat["fund_change"], "N");
    assert_eq!(repeat["refund_fee"], "30.00");
    assert_eq!(
        sandbox.trade(&app.app_id, "T-LIFE").unwrap().refunded_cents,
        3000
    );
    let discordant = call(&sandbox, &app, "alipay.trade.refund", refund("31.00", "R1")).await;
    assert_fails(&discordant, "40004", "ACQ.DISCORDANT_REPEAT_REQUEST");
    let over = call(&sandbox, &app, "alipay.trade.refund", refund("58.81", "R2")).await;
    assert_fails(&over, "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
    let bad_amount = call(&sandbox, &app, "alipay.trade.refund", refund("1.001", "R2")).await;
    assert_fails(&bad_amount, "40002", "isv.invalid-parameter");

    let refund_query =
        |request_no: &str| json!({"out_trade_no": "T-LIFE", "out_request_no": request_no});
    let found = call(
        &sandbox,
        &app,
        "alipay.trade.fastpay.refund.query",
        refund_query("R1"),
    )
    .await;
    assert_success(&found);
    assert_eq!(found["refund_status"], "REFUND_SUCCESS");
    assert_eq!(found["refund_amount"], "30.00");
    assert_eq!(found["total_amount"], "88.80");
    assert_eq!(found["out_request_no"], "R1");
    let missing = call(
        &sandbox,
        &app,
        "alipay.trade.fastpay.refund.query",
        refund_query("R9"),
    )
    .await;
    assert_success(&missing);
    assert!(missing.get("refund_amount").is_none(), "{missing}");
    assert_eq!(missing["out_request_no"], "R9");

    // The rest: the trade is fully refunded and closed.
    let rest = call(&sandbox, &app, "alipay.trade.refund", refund("58.80", "R2")).await;
    assert_success(&rest);
    assert_eq!(rest["refund_fee"], "88.80");
    let closed = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "T-LIFE"}),
    )
    .await;
    assert_eq!(closed["trade_status"], "TRADE_CLOSED");
    let snapshot = sandbox.trade(&app.app_id, "T-LIFE").unwrap();
    assert_eq!(snapshot.status, "TRADE_CLOSED");
    assert_eq!(snapshot.refunded_cents, 8880);
    assert_eq!(snapshot.refunds.len(), 2);
    // Repeating a refund of a closed trade is still answered idempotently.
    let late_repeat = call(&sandbox, &app, "alipay.trade.refund", refund("30.00", "R1")).await;
    assert_eq!(late_repeat["fund_change"], "N");
    let late_new = call(&sandbox, &app, "alipay.trade.refund", refund("0.01", "R3")).await;
    assert_fails(&late_new, "40004", "ACQ.TRADE_STATUS_ERROR");

    // Another app does not see this trade.
    let other = sandbox.create_app().expect("app key");
    let foreign = call(
        &sandbox,
        &other,
        "alipay.trade.query",
        json!({"out_trade_no": "T-LIFE"}),
    )
    .await;
    assert_fails(&foreign, "40004", "ACQ.TRADE_NOT_EXIST");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refund_without_request_number_is_the_trade_itself() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    create(&sandbox, &app, "T-FULL", "10").await;
    sandbox.pay(&app.app_id, "T-FULL").await.unwrap();
    let biz = json!({"out_trade_no": "T-FULL", "refund_amount": "10.00"});
    let first = call(&sandbox, &app, "alipay.trade.refund", biz.clone()).await;
    assert_eq!(first["fund_change"], "Y");
    assert_eq!(first["refund_fee"], "10.00");
    let again = call(&sandbox, &app, "alipay.trade.refund", biz).await;
    assert_eq!(again["fund_change"], "N");
    let found = call(
        &sandbox,
        &app,
        "alipay.trade.fastpay.refund.query",
        json!({"out_trade_no": "T-FULL", "out_request_no": "T-FULL"}),
    )
    .await;
    assert_eq!(found["refund_amount"], "10.00");
    assert_eq!(
        sandbox.trade(&app.app_id, "T-FULL").unwrap().status,
        "TRADE_CLOSED"
    );
}

#[tokio::test]
async fn close_and_cancel() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");

    create(&sandbox, &app, "T-CLOSE", "1.00").await;
    let closed = call(
        &sandbox,
        &app,
        "alipay.trade.close",
        json!({"out_trade_no": "T-CLOSE"}),
    )
    .await;
    assert_success(&closed);
    assert_eq!(closed["out_trade_no"], "T-CLOSE");
    assert!(closed["trade_no"].is_string());
    assert_eq!(
        sandbox.trade(&app.app_id, "T-CLOSE").unwrap().status,
        "TRADE_CLOSED"
    );
    let twice = call(
        &sandbox,
        &app,
        "alipay.trade.close",
        json!({"out_trade_no": "T-CLOSE"}),
    )
    .await;
    assert_fails(&twice, "40004", "ACQ.TRADE_STATUS_ERROR");
    assert!(matches!(
        sandbox.pay(&app.app_id, "T-CLOSE").await,
        Err(SandboxError::WrongState { .. })
    ));
    let recreate = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "x", "out_trade_no": "T-CLOSE", "total_amount": "1.00"}),
    )
    .await;
    assert_fails(&recreate, "40004", "ACQ.TRADE_HAS_CLOSE");

    create(&sandbox, &app, "T-PAID", "2.50").await;
    sandbox.pay(&app.app_id, "T-PAID").await.unwrap();
    let refused = call(
        &sandbox,
        &app,
        "alipay.trade.close",
        json!({"out_trade_no": "T-PAID"}),
    )
    .await;
    assert_fails(&refused, "40004", "ACQ.TRADE_STATUS_ERROR");

    // Cancel of a paid trade refunds it in full.
    let cancel = call(
        &sandbox,
        &app,
        "alipay.trade.cancel",
        json!({"out_trade_no": "T-PAID"}),
    )
    .await;
    assert_success(&cancel);
    assert_eq!(cancel["action"], "refund");
    assert_eq!(cancel["retry_flag"], "N");
    let snapshot = sandbox.trade(&app.app_id, "T-PAID").unwrap();
    assert_eq!(snapshot.status, "TRADE_CLOSED");
    assert_eq!(snapshot.refunded_cents, 250);
    let repeated = call(
        &sandbox,
        &app,
        "alipay.trade.cancel",
        json!({"out_trade_no": "T-PAID"}),
    )
    .await;
    assert_eq!(repeated["action"], "refund");

    // Cancel of an unpaid trade closes it.
    create(&sandbox, &app, "T-CANCEL", "3.00").await;
    let cancel = call(
        &sandbox,
        &app,
        "alipay.trade.cancel",
        json!({"out_trade_no": "T-CANCEL"}),
    )
    .await;
    assert_success(&cancel);
    assert_eq!(cancel["action"], "close");
    assert_eq!(
        sandbox.trade(&app.app_id, "T-CANCEL").unwrap().status,
        "TRADE_CLOSED"
    );

    let unknown = call(
        &sandbox,
        &app,
        "alipay.trade.query",
        json!({"out_trade_no": "NOPE"}),
    )
    .await;
    assert_fails(&unknown, "40004", "ACQ.TRADE_NOT_EXIST");
    assert_eq!(unknown["sub_msg"], "交易不存在");
    let neither = call(&sandbox, &app, "alipay.trade.close", json!({})).await;
    assert_fails(&neither, "40004", "ACQ.INVALID_PARAMETER");
    let missing = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"out_trade_no": "X"}),
    )
    .await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
    let bad_amount = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "x", "out_trade_no": "X", "total_amount": "0"}),
    )
    .await;
    assert_fails(&bad_amount, "40002", "isv.invalid-parameter");
}

#[tokio::test]
async fn gateway_refusals_match_alipay() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    let biz = json!({"out_trade_no": "T1"});

    // Unknown app id: unsigned error_response.
    let stranger = PrivateKey::generate().unwrap();
    let params = signed_params(
        "2021999999999999",
        &stranger,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let answer = post(&sandbox, &params).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "text/html;charset=utf-8");
    assert_eq!(
        answer.body,
        r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}"#
    );

    // Missing app id.
    let answer = http(
        sandbox.addr(),
        "GET",
        "/gateway.do?method=alipay.trade.query",
        None,
        "",
    )
    .await;
    assert_eq!(
        answer.body,
        r#"{"error_response":{"code":"40001","msg":"Missing Required Arguments","sub_code":"isv.missing-app-id","sub_msg":"缺少AppID参数"}}"#
    );

    // Missing and unknown method.
    let answer = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?app_id={}", app.app_id),
        None,
        "",
    )
    .await;
    assert!(
        answer.body.contains("\"isv.missing-method\""),
        "{}",
        answer.body
    );
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.nothing",
        None,
        &[],
    );
    let answer = post(&sandbox, &params).await;
    assert!(
        answer.body.starts_with("{\"error_response\":"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("\"isv.invalid-method\""));
    assert!(!answer.body.contains("\"sign\""));

    // A signature by another key: a signed 40002 isv.invalid-signature.
    let params = signed_params(
        &app.app_id,
        &stranger,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-signature");
    assert!(node["sub_msg"].as_str().unwrap().starts_with("验签出错"));
    assert!(node["sub_msg"].as_str().unwrap().contains("app_id="));

    // A parameter changed after signing.
    let mut params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    for (k, v) in &mut params {
        if k == "biz_content" {
            *v = r#"{"out_trade_no":"T2"}"#.into();
        }
    }
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-signature");

    // Missing sign, wrong sign_type, stale timestamp, bad charset.
    let mut params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    params.retain(|(k, _)| k != "sign");
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40001", "isv.missing-signature");
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[("sign_type", "RSA")],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-signature-type");
    let stale = beijing_timestamp(SystemTime::now() - Duration::from_secs(16 * 60));
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[("timestamp", &stale)],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-timestamp");
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[("timestamp", "2026/01/01 00:00:00")],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-timestamp");
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[("charset", "GBK")],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-charset");

    // biz_content that is not a JSON object.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        None,
        &[("biz_content", "[1,2]")],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_fails(&node, "40002", "isv.invalid-parameter");

    // A duplicated parameter: unsigned, nothing executed.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let query = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = http(
        sandbox.addr(),
        "POST",
        &format!("/gateway.do?{query}"),
        Some("application/x-www-form-urlencoded"),
        "biz_content=%7B%7D",
    )
    .await;
    assert!(
        answer.body.starts_with("{\"error_response\":"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("\"isv.invalid-parameter\""));

    // Bad encodings do not break anything.
    for target in [
        "/gateway.do?app_id=%zz",
        "/gateway.do?app_id=%e4",
        "/gateway.do?&&=&a",
    ] {
        let answer = http(sandbox.addr(), "GET", target, None, "").await;
        assert_eq!(answer.status, 200);
        assert!(
            answer.body.starts_with("{\"error_response\":"),
            "{}",
            answer.body
        );
    }
    let answer = http(
        sandbox.addr(),
        "POST",
        "/gateway.do",
        Some("application/json"),
        "{}",
    )
    .await;
    assert!(
        answer.body.contains("isv.invalid-content-type"),
        "{}",
        answer.body
    );
    let answer = http(sandbox.addr(), "PUT", "/gateway.do", None, "").await;
    assert_eq!(answer.status, 405);
    let answer = http(sandbox.addr(), "GET", "/elsewhere", None, "").await;
    assert_eq!(answer.status, 404);

    // Requests are recorded without their sign.
    let requests = sandbox.requests();
    let first = &requests[0];
    assert_eq!(first.http_method, "POST");
    assert_eq!(first.method.as_deref(), Some("alipay.trade.query"));
    assert!(!first.params.contains_key("sign"));
    assert_eq!(first.params["app_id"], "2021999999999999");
    assert_eq!(first.biz_content, Some(biz.clone()));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn all_parameters_in_the_query_or_in_the_body() {
    let sandbox = Sandbox::builder()
        .timestamp_tolerance(None)
        .start()
        .await
        .unwrap();
    let app = sandbox.create_app().expect("app key");
    create(&sandbox, &app, "T-WHERE", "5.00").await;
    let biz = json!({"out_trade_no": "T-WHERE"});

    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[],
    );
    let all = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{all}"),
        None,
        "",
    )
    .await;
    let node = verified_node(&sandbox, "alipay.trade.query", &answer);
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");
    let answer = http(
        sandbox.addr(),
        "POST",
        "/gateway.do",
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        all,
    )
    .await;
    let node = verified_node(&sandbox, "alipay.trade.query", &answer);
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");

    // With no tolerance, an old (well-formed) timestamp is accepted.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.query",
        Some(&biz),
        &[("timestamp", "2020-03-20 12:00:00")],
    );
    let node = verified_node(
        &sandbox,
        "alipay.trade.query",
        &post(&sandbox, &params).await,
    );
    assert_success(&node);
}

/// A merchant's notify_url: records each POST (content type and body) and answers `success`.
async fn merchant_listener() -> (SocketAddr, mpsc::UnboundedReceiver<(String, Bytes)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let tx = tx.clone();
                    async move {
                        let ct = req.headers()["content-type"].to_str().unwrap().to_owned();
                        let body = req.into_body().collect().await?.to_bytes();
                        tx.send((ct, body)).unwrap();
                        Ok::<_, hyper::Error>(http::Response::new(Full::new(Bytes::from(
                            "success",
                        ))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn payment_notification_is_signed_and_delivered() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    let (merchant, mut received) = merchant_listener().await;
    let notify_url = format!("http://{merchant}/alipay/notify");
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "测试 商品&=+", "out_trade_no": "T-NOTIFY", "total_amount": "0.1", "buyer_id": "2088000000000042"}),
        &[("notify_url", &notify_url)],
    )
    .await;
    assert_success(&node);
    assert_eq!(
        sandbox
            .trade(&app.app_id, "T-NOTIFY")
            .unwrap()
            .notify_url
            .as_deref(),
        Some(notify_url.as_str())
    );

    let paid = sandbox.pay(&app.app_id, "T-NOTIFY").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    let (content_type, body) = received.try_recv().expect("delivered before pay returned");
    assert_eq!(
        content_type,
        "application/x-www-form-urlencoded; charset=utf-8"
    );
    let form = form_decode(&body).unwrap();
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key}"))
    };
    let content = notify_sign_content(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    sandbox
        .alipay_public_key()
        .verify(content.as_bytes(), get("sign"))
        .unwrap();
    assert_eq!(get("notify_type"), "trade_status_sync");
    assert_eq!(get("trade_status"), "TRADE_SUCCESS");
    assert_eq!(get("out_trade_no"), "T-NOTIFY");
    assert_eq!(get("trade_no"), paid.trade_no);
    assert_eq!(get("app_id"), app.app_id);
    assert_eq!(get("total_amount"), "0.10");
    assert_eq!(get("receipt_amount"), "0.10");
    assert_eq!(get("subject"), "测试 商品&=+");
    assert_eq!(get("buyer_id"), "2088000000000042");
    assert_eq!(get("sign_type"), "RSA2");
    assert_eq!(get("charset"), "utf-8");
    assert_eq!(get("version"), "1.0");
    assert!(get("seller_id").starts_with("2088"));
    assert_eq!(get("gmt_payment"), paid.gmt_payment.as_deref().unwrap());
    let bills: Value = serde_json::from_str(get("fund_bill_list")).unwrap();
    assert_eq!(bills[0]["amount"], "0.10");
    assert_eq!(get("notify_id").len(), 34);

    let records = sandbox.notifications();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert!(record.acknowledged(), "{record:?}");
    assert_eq!(record.url, notify_url);
    assert_eq!(record.body.as_bytes(), &body[..]);
    assert_eq!(record.response_body.as_deref(), Some("success"));

    // Paying twice is refused; a trade nobody knows is unknown.
    assert!(matches!(
        sandbox.pay(&app.app_id, "T-NOTIFY").await,
        Err(SandboxError::WrongState { .. })
    ));
    assert!(matches!(
        sandbox.pay(&app.app_id, "NOPE").await,
        Err(SandboxError::UnknownTrade { .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn failed_delivery_is_recorded() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    // A port nobody listens on: bind, read the port, close.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}/notify");
    call_with(
        &sandbox,
        &app,
        "alipay.trade.create",
        json!({"subject": "x", "out_trade_no": "T-LOST", "total_amount": "1.00"}),
        &[("notify_url", &url)],
    )
    .await;
    let paid = sandbox.pay(&app.app_id, "T-LOST").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    let records = sandbox.notifications();
    assert_eq!(records.len(), 1);
    assert!(!records[0].acknowledged());
    assert_eq!(records[0].status, None);
    assert!(records[0].error.is_some(), "{:?}", records[0]);
}

#[tokio::test]
async fn control_endpoint_pays() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    create(&sandbox, &app, "T-CTL", "9.99").await;
    let target = format!("/sandbox/pay?app_id={}&out_trade_no=T-CTL", app.app_id);
    let answer = http(sandbox.addr(), "POST", &target, None, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let trade: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(trade["status"], "TRADE_SUCCESS");
    assert_eq!(trade["total_amount"], "9.99");
    assert_eq!(trade["out_trade_no"], "T-CTL");
    let again = http(sandbox.addr(), "POST", &target, None, "").await;
    assert_eq!(again.status, 409, "{}", again.body);
    let unknown = format!("/sandbox/pay?app_id={}&out_trade_no=NOPE", app.app_id);
    assert_eq!(
        http(sandbox.addr(), "POST", &unknown, None, "")
            .await
            .status,
        404
    );
    assert_eq!(
        http(sandbox.addr(), "POST", "/sandbox/pay", None, "")
            .await
            .status,
        400
    );
    assert_eq!(
        http(sandbox.addr(), "GET", &target, None, "").await.status,
        405
    );
}

#[tokio::test]
async fn bill_download_url_serves_a_zip_of_gbk_csv() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().expect("app key");
    let created = create(&sandbox, &app, "T-BILL", "12.34").await;
    sandbox.pay(&app.app_id, "T-BILL").await.unwrap();
    let today = &now()[..10];
    let node = call(
        &sandbox,
        &app,
        "alipay.data.dataservice.bill.downloadurl.query",
        json!({"bill_type": "trade", "bill_date": today}),
    )
    .await;
    assert_success(&node);
    let url = node["bill_download_url"].as_str().unwrap();
    let prefix = format!("http://{}/bill/", sandbox.addr());
    assert!(url.starts_with(&prefix) && url.ends_with(".zip"), "{url}");
    let answer = http(sandbox.addr(), "GET", &url[prefix.len() - 6..], None, "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/zip");
    let archive = crate::bill::BillArchive::open(&answer.bytes).unwrap();
    assert!(archive.entry_names()[0].ends_with("_业务明细.csv"));
    let rows: Vec<_> = archive
        .detail()
        .trade_rows()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].trade_no, created["trade_no"].as_str().unwrap());
    assert_eq!(rows[0].out_trade_no, "T-BILL");
    assert_eq!(rows[0].receipt_amount.as_ref().unwrap().as_str(), "12.34");

    let node = call(
        &sandbox,
        &app,
        "alipay.data.dataservice.bill.downloadurl.query",
        json!({"bill_type": "trade_zft_merchant", "bill_date": today}),
    )
    .await;
    assert_fails(&node, "40002", "isv.missing-parameter");
    for (bill_type, bill_date) in [
        ("trade", "2026-02-30"),
        ("other", "2026-01"),
        ("trade", "20260101"),
    ] {
        let node = call(
            &sandbox,
            &app,
            "alipay.data.dataservice.bill.downloadurl.query",
            json!({"bill_type": bill_type, "bill_date": bill_date}),
        )
        .await;
        assert_fails(&node, "40002", "isv.invalid-parameter");
    }
    assert_eq!(
        http(sandbox.addr(), "GET", "/bill/nope.zip", None, "")
            .await
            .status,
        404
    );
}

/// Sends raw bytes and returns what came back until the server closed or 2 s passed.
async fn raw_exchange(addr: SocketAddr, head: String, body_len: usize) -> String {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < body_len {
            let n = chunk.len().min(body_len - sent);
            if write.write_all(&chunk[..n]).await.is_err() {
                break;
            }
            sent += n;
        }
        write
    });
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        match tokio::time::timeout_at(deadline, read.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        }
    }
    writer.abort();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn bodies_over_4_mib_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let declared = format!(
        "POST /gateway.do HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n",
        5 * 1024 * 1024
    );
    let answer = raw_exchange(sandbox.addr(), declared, 0).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let chunked =
        "POST /gateway.do HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n500001\r\n"
            .to_owned();
    let answer = raw_exchange(sandbox.addr(), chunked, 0x50_0001).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Garbage is answered by hyper, and the sandbox keeps serving.
    let answer = raw_exchange(sandbox.addr(), "\x00\x01 nonsense\r\n\r\n".to_owned(), 0).await;
    assert!(
        answer.starts_with("HTTP/1.1 400") || answer.is_empty(),
        "{answer}"
    );
    let ok = http(sandbox.addr(), "GET", "/gateway.do", None, "").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls() {
    let sandbox = std::sync::Arc::new(Sandbox::start().await.unwrap());
    let app = std::sync::Arc::new(sandbox.create_app().expect("app key"));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (sandbox, app) = (sandbox.clone(), app.clone());
        tasks.push(tokio::spawn(async move {
            let out_trade_no = format!("T-C{i}");
            create(&sandbox, &app, &out_trade_no, "1.00").await["trade_no"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut trade_nos = Vec::new();
    for task in tasks {
        trade_nos.push(task.await.unwrap());
    }
    trade_nos.sort();
    trade_nos.dedup();
    assert_eq!(trade_nos.len(), 16);
}

#[tokio::test]
async fn shutdown_closes_idle_keep_alive_connections() {
    let sandbox = Sandbox::start().await.unwrap();
    let addr = sandbox.addr();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let conn = tokio::spawn(conn);
    let request = Request::builder()
        .uri("/gateway.do")
        .header("host", "x")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    // The connection is open and idle; shutdown must not wait for the client to hang up.
    tokio::time::timeout(Duration::from_secs(5), sandbox.shutdown())
        .await
        .expect("shutdown finished");
    let _ = tokio::time::timeout(Duration::from_secs(5), conn)
        .await
        .expect("connection closed");
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn builder_options() {
    let key = PrivateKey::generate().unwrap();
    let sandbox = Sandbox::builder()
        .addr("127.0.0.1:0".parse().unwrap())
        .alipay_private_key(key.clone())
        .record_requests(false)
        .start()
        .await
        .unwrap();
    assert_eq!(sandbox.alipay_public_key(), key.public_key());
    assert_eq!(
        sandbox.gateway_url(),
        format!("http://127.0.0.1:{}/gateway.do", sandbox.addr().port())
    );
    let app_key = PrivateKey::generate().unwrap();
    sandbox.register_app("2021000000000999", app_key.public_key());
    let app = SandboxApp {
        app_id: "2021000000000999".into(),
        private_key: app_key.clone(),
        public_key: app_key.public_key(),
    };
    create(&sandbox, &app, "T-REG", "1.00").await;
    assert!(sandbox.requests().is_empty());
    let debug = format!("{app:?}");
    assert!(debug.contains("2021000000000999"));
    let pem = app_key.to_pkcs8_pem();
    let secret_line = pem.lines().nth(5).unwrap();
    assert!(!debug.contains(secret_line), "{debug}");
    drop(sandbox);
}
