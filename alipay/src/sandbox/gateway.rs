//! The gateway endpoint, `/gateway.do`: a request is decoded ([`decode`](super::decode)),
//! checked in Alipay's order ([`check`](super::check)), run by the method's domain module
//! ([`api`](super::api)) and answered ([`reply`](super::reply)), unless a fault spoils it
//! ([`spoil`](super::spoil)). Every request is recorded.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Method as HttpMethod, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use serde_json::{Map, Value};

use super::api::{self, Biz, Call, Method};
use super::check::check;
use super::decode::{Decoded, decode_params, param};
use super::fault::Fault;
use super::reply::{Reply, ReplyBody};
use super::server::{GATEWAY_CONTENT_TYPE, TEXT_CONTENT_TYPE, read_body, respond};
use super::shared::{Shared, lock};
use super::wire::{Failure, Node};
use super::{ReceivedFile, ReceivedRequest, certs, pages, spoil};
use crate::request::response_key_of;

/// `GET`/`POST /gateway.do`.
pub(crate) async fn gateway(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let http_method = req.method().clone();
    if http_method != HttpMethod::GET && http_method != HttpMethod::POST {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            TEXT_CONTENT_TYPE,
            "the gateway accepts GET and POST\n",
        );
    }
    let query = req.uri().query().unwrap_or("").to_owned();
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match read_body(req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let decoded = decode_params(&query, content_type.as_deref(), &body);
    let content_type = content_type.as_deref().unwrap_or("");
    let method_name = decoded
        .as_ref()
        .ok()
        .and_then(|d| param(&d.params, "method"))
        .map(str::to_owned);
    let page = method_name
        .as_deref()
        .and_then(Method::parse)
        .is_some_and(Method::is_page);
    let fault = if page {
        None
    } else {
        lock(&shared.faults).take(method_name.as_deref())
    };
    if let Some(fault) = fault.as_ref().filter(|f| f.skips_call()) {
        if let Ok(decoded) = &decoded {
            record_decoded(shared, http_method.as_str(), content_type, decoded);
        }
        return spoil::skipped_call_answer(shared, fault, method_name.as_deref());
    }
    let mut reply = answer(shared, http_method.as_str(), content_type, decoded);
    // Saved before answering: what the client sees acknowledged survives a crash.
    if let Err(e) = shared.persist() {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT_CONTENT_TYPE,
            format!("{e}\n"),
        );
    }
    // A payment's first attempt is made before answering, so a test sees the notification as
    // soon as the call returns; refunds and closes are notified in the background.
    super::deliver(shared, std::mem::take(&mut reply.notices)).await;
    let response = match &fault {
        None => respond(StatusCode::OK, reply.content_type, reply.render(shared)),
        Some(fault) => spoil::spoiled(shared, fault, &reply),
    };
    if let Some(Fault::Latency(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    response
}

/// The gateway's answer to one request, checked in Alipay's order. Page methods (page and WAP
/// pay, certify) are answered with HTML pages, errors included, as a browser sees them.
pub(crate) fn answer(
    shared: &Shared,
    http_method: &str,
    content_type: &str,
    decoded: Result<Decoded, Failure>,
) -> Reply {
    let Decoded { params, files } = match decoded {
        Ok(decoded) => decoded,
        Err(failure) => {
            record(shared, http_method, &[], None, content_type, Vec::new());
            return Reply::error(&failure);
        }
    };
    let get = |key: &str| param(&params, key);
    // Decrypted when `encrypt_type=AES` (used only after the signature check).
    let biz_text = certs::plain_biz_content(shared, &params);
    let biz_value: Option<Value> = biz_text.and_then(|text| serde_json::from_str(&text).ok());
    record(
        shared,
        http_method,
        &params,
        biz_value.as_ref(),
        content_type,
        files.clone(),
    );
    let page = get("method")
        .and_then(Method::parse)
        .is_some_and(Method::is_page);
    let refuse = |failure: Failure| {
        if page {
            Reply::html(pages::error_page(&failure))
        } else {
            Reply::error(&failure)
        }
    };

    let Some(app_id) = get("app_id") else {
        return refuse(Failure::missing("isv.missing-app-id", "缺少AppID参数"));
    };
    let Some(app) = shared.app(app_id) else {
        return refuse(Failure::invalid("isv.invalid-app-id", "无效的AppID参数"));
    };
    let Some(method_name) = get("method") else {
        return refuse(Failure::missing("isv.missing-method", "缺少方法名参数"));
    };
    let Some(method) = Method::parse(method_name) else {
        return refuse(Failure::invalid("isv.invalid-method", "不存在的方法名"));
    };
    let empty = Map::new();
    let checked = check(shared, &params, &app, biz_value.as_ref());
    if method.is_page() {
        let html = match checked {
            Ok(biz) => {
                pages::open_page(shared, method, &params, app_id, Biz(biz.unwrap_or(&empty)))
            }
            Err(failure) => pages::error_page(&failure),
        };
        return Reply::html(html);
    }
    let key = response_key_of(method_name);
    let mut notices = Vec::new();
    let result = checked.and_then(|biz| {
        if let Some(token) = get("app_auth_token") {
            super::isv::check_agent(shared, app_id, token)?;
        }
        let mut call = Call {
            shared,
            app_id,
            app: &app,
            params: &params,
            biz: Biz(biz.unwrap_or(&empty)),
            files: &files,
            notices: Vec::new(),
        };
        let node = api::execute(&mut call, method);
        notices = call.notices;
        node
    });
    let node = match result {
        Ok(node) => node.finish(),
        Err(failure) => {
            notices.clear();
            Node::failure(&failure).finish()
        }
    };
    let node = certs::answer_node(shared, &params, node);
    Reply {
        content_type: GATEWAY_CONTENT_TYPE,
        body: ReplyBody::Json {
            key,
            node,
            signed: true,
            app_id: app_id.to_owned(),
        },
        notices,
    }
}

/// Records a decoded request that is answered without running.
fn record_decoded(shared: &Shared, http_method: &str, content_type: &str, decoded: &Decoded) {
    let biz: Option<Value> =
        param(&decoded.params, "biz_content").and_then(|text| serde_json::from_str(text).ok());
    record(
        shared,
        http_method,
        &decoded.params,
        biz.as_ref(),
        content_type,
        decoded.files.clone(),
    );
}

/// Records a request for [`Sandbox::requests`](super::Sandbox::requests) (unless recording
/// is off).
fn record(
    shared: &Shared,
    http_method: &str,
    params: &[(String, String)],
    biz_content: Option<&Value>,
    content_type: &str,
    files: Vec<ReceivedFile>,
) {
    if !shared.record_requests {
        return;
    }
    let params: BTreeMap<String, String> = params
        .iter()
        .filter(|(k, _)| k != "sign")
        .cloned()
        .collect();
    let method = params.get("method").cloned();
    lock(&shared.requests).push(ReceivedRequest {
        http_method: http_method.to_owned(),
        method,
        params,
        biz_content: biz_content.cloned(),
        content_type: content_type.to_owned(),
        files,
    });
}
