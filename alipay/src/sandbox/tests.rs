//! End-to-end tests of the sandbox over real HTTP, with a hand-written client. This module holds
//! what the tests share: the client, signed calls and their verified answers, and a merchant's
//! notify_url; each submodule holds one concern.
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
mod gateway;
mod payments;
mod server;
mod trades;

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
