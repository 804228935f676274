//! The OpenAPI v3 side of the gateway: `/v3/...` on the same host and port as `/gateway.do`,
//! over the same state (a trade created over v3 is queried over v2 and the other way round) and
//! the same method handlers ([`api`](super::api)).
//!
//! A request is checked as Alipay does: the `Authorization` header (`ALIPAY-SHA256withRSA`), the
//! app, in certificate mode its `app_cert_sn` and the `alipay-root-cert-sn` header, the timestamp
//! (within `expired_seconds` when given, else the sandbox's timestamp tolerance), the signature
//! over `authString\nMETHOD\npath?query\nbody\n[app_auth_token\n]`, then the nonce (a nonce
//! seen before is refused as a replay). `alipay-encrypt-type: AES` bodies are decrypted with
//! the app's AES key and answered encrypted. A `multipart/form-data` body (an upload) is its
//! part `data`, signed and decrypted as a whole body is, and its file parts, unsigned. Answers
//! are signed over `alipay-timestamp\nalipay-nonce\nbody\n` once the app is known (errors
//! included, with `{"code","message","links"}`); before that they are unsigned errors. Faults
//! apply as on `/gateway.do` ([`spoil_v3`](super::spoil_v3)).

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use serde_json::{Map, Value};

use super::api::{self, Biz, Call, Method};
use super::fault::Fault;
use super::server::{JSON_CONTENT_TYPE, TEXT_CONTENT_TYPE, read_body, respond};
use super::shared::{Shared, lock};
use super::wire::Failure;
use super::{ReceivedFile, ReceivedRequest, multipart, notify, spoil_v3};
use crate::crypto::{AesKey, Signer as _, Verifier as _};
use crate::v3::Verb;
use crate::v3::answer::{
    NONCE_HEADER, SIGNATURE_HEADER, SN_HEADER, TIMESTAMP_HEADER, TRACE_ID_HEADER, answer_content,
};
use crate::v3::sign::{self, APP_AUTH_TOKEN_HEADER, Authorization, ROOT_CERT_SN_HEADER};

/// The methods the sandbox serves over v3, with their verbs (their paths are `/v3/` and the
/// method name with `.` turned into `/`).
const ROUTES: [(Verb, &str); 46] = [
    (Verb::Post, "alipay.trade.create"),
    (Verb::Post, "alipay.trade.query"),
    (Verb::Post, "alipay.trade.refund"),
    (Verb::Post, "alipay.trade.fastpay.refund.query"),
    (Verb::Post, "alipay.trade.close"),
    (Verb::Post, "alipay.trade.cancel"),
    (Verb::Post, "alipay.trade.pay"),
    (Verb::Post, "alipay.trade.precreate"),
    (Verb::Get, "alipay.data.dataservice.bill.downloadurl.query"),
    (Verb::Post, "alipay.system.oauth.token"),
    (Verb::Post, "alipay.open.app.qrcode.create"),
    (Verb::Post, "alipay.open.public.message.content.create"),
    (Verb::Post, "alipay.open.public.message.content.modify"),
    (Verb::Post, "alipay.open.public.message.total.send"),
    (Verb::Post, "alipay.open.public.message.single.send"),
    (Verb::Post, "alipay.open.public.life.msg.recall"),
    (
        Verb::Post,
        "alipay.open.public.template.message.industry.modify",
    ),
    (Verb::Get, "alipay.open.public.setting.category.query"),
    (Verb::Post, "alipay.open.app.mini.templatemessage.send"),
    (Verb::Post, "alipay.user.certify.open.initialize"),
    (Verb::Get, "alipay.user.certify.open.query"),
    (Verb::Get, "alipay.data.bill.ereceipt.query"),
    (Verb::Get, "alipay.fund.account.query"),
    (Verb::Get, "alipay.fund.trans.common.query"),
    (Verb::Get, "alipay.open.auth.token.app.query"),
    (Verb::Get, "alipay.trade.order.settle.query"),
    (Verb::Get, "alipay.trade.royalty.rate.query"),
    (Verb::Post, "alipay.data.bill.ereceipt.apply"),
    (Verb::Post, "alipay.fund.auth.operation.cancel"),
    (Verb::Post, "alipay.fund.auth.operation.detail.query"),
    (Verb::Post, "alipay.fund.auth.order.freeze"),
    (Verb::Post, "alipay.fund.auth.order.unfreeze"),
    (Verb::Post, "alipay.fund.auth.order.voucher.create"),
    (Verb::Post, "alipay.fund.trans.refund"),
    (Verb::Post, "alipay.fund.trans.uni.transfer"),
    (Verb::Post, "alipay.open.auth.token.app"),
    (Verb::Post, "alipay.trade.order.settle"),
    (Verb::Post, "alipay.trade.orderinfo.sync"),
    (Verb::Post, "alipay.trade.refund.apply"),
    (Verb::Post, "alipay.trade.royalty.relation.batchquery"),
    (Verb::Post, "alipay.trade.royalty.relation.bind"),
    (Verb::Post, "alipay.trade.royalty.relation.unbind"),
    (Verb::Post, "alipay.user.agreement.executionplan.modify"),
    (Verb::Post, "alipay.user.agreement.unsign"),
    (Verb::Get, "alipay.user.agreement.query"),
    (Verb::Post, "alipay.offline.material.image.upload"),
];

/// How long a nonce is remembered when the request gives no `expired_seconds` and the sandbox
/// has no timestamp tolerance.
const NONCE_MEMORY_MS: u64 = 15 * 60 * 1000;

/// The nonces seen, per app, with when they may be forgotten (Unix ms).
#[derive(Debug, Default)]
pub(crate) struct Nonces(HashMap<(String, String), u64>);

impl Nonces {
    /// Records `nonce` of `app_id` until `until`; `false` if it was seen and is still
    /// remembered (a replay). Forgets expired nonces as it goes.
    fn first_use(&mut self, app_id: &str, nonce: &str, now: u64, until: u64) -> bool {
        if self.0.len() > 4096 {
            self.0.retain(|_, expiry| *expiry > now);
        }
        let key = (app_id.to_owned(), nonce.to_owned());
        match self.0.get(&key) {
            Some(expiry) if *expiry > now => false,
            _ => {
                self.0.insert(key, until);
                true
            }
        }
    }
}

/// A v3 answer before it is encrypted and signed.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    /// The body in plain text (JSON).
    pub(super) body: String,
    /// The app whose Alipay key signs the answer; `None`: unsigned.
    pub(super) signer: Option<String>,
    /// The app's AES key, when the request was encrypted: the answer is too.
    pub(super) aes: Option<AesKey>,
    notices: Vec<notify::Notice>,
}

impl Answer {
    /// `json` as sent: itself, or its AES ciphertext when the answer is encrypted.
    pub(super) fn wire(&self, json: &str) -> String {
        match &self.aes {
            Some(key) => key.encrypt(json.as_bytes()),
            None => json.to_owned(),
        }
    }

    /// The content type of the body as sent.
    pub(super) fn content_type(&self) -> &'static str {
        if self.aes.is_some() {
            TEXT_CONTENT_TYPE
        } else {
            JSON_CONTENT_TYPE
        }
    }
}

impl Answer {
    fn error(status: StatusCode, failure: &Failure, signer: Option<&str>) -> Self {
        let body = serde_json::json!({
            "code": failure.sub_code,
            "message": failure.sub_msg,
            "links": [{
                "link": "https://opendocs.alipay.com/open-v3/common-errors",
                "desc": "错误码说明",
            }],
        })
        .to_string();
        Self {
            status,
            body,
            signer: signer.map(str::to_owned),
            aes: None,
            notices: Vec::new(),
        }
    }
}

/// The HTTP status of a refusal, by its gateway code.
pub(super) fn status_of(failure: &Failure) -> StatusCode {
    match failure.code {
        "20000" => StatusCode::INTERNAL_SERVER_ERROR,
        "40006" => StatusCode::FORBIDDEN,
        "40004" => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// `/v3/...`.
pub(crate) async fn v3_gateway(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let verb = req.method().as_str().to_owned();
    let uri = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let headers = req.headers().clone();
    let body = match read_body(req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let fault = lock(&shared.faults).take(Some(&method_of(&uri)));
    if let Some(fault) = fault.as_ref().filter(|f| f.skips_call()) {
        record_unchecked(shared, &verb, &uri, &headers, &body);
        return spoil_v3::skipped_call_answer(shared, fault, &headers);
    }
    let mut answer = answer(shared, &verb, &uri, &headers, &body);
    if let Err(e) = shared.persist() {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT_CONTENT_TYPE,
            format!("{e}\n"),
        );
    }
    super::deliver(shared, std::mem::take(&mut answer.notices)).await;
    let response = match &fault {
        None => render(shared, &answer),
        Some(fault) => spoil_v3::spoiled(shared, fault, &answer),
    };
    if let Some(Fault::Latency(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    response
}

/// The method name of a v3 path: `/v3/alipay/trade/query` is `alipay.trade.query`.
fn method_of(uri: &str) -> String {
    let path = uri.split_once('?').map_or(uri, |(path, _)| path);
    path.strip_prefix("/v3/")
        .unwrap_or_default()
        .replace('/', ".")
}

/// The signed (or, before the app is known, unsigned) HTTP answer.
pub(super) fn render(shared: &Shared, answer: &Answer) -> Response<Full<Bytes>> {
    let body = answer.wire(&answer.body);
    signed_response(
        shared,
        answer.status,
        answer.content_type(),
        body.into_bytes(),
        answer.signer.as_deref(),
        None,
    )
}

/// An answer with `body`, signed with the Alipay key of `signer` (none: unsigned) over
/// `timestamp\nnonce\nX\n`, `X` being `signed_over` (a fault's other content) or else the body.
pub(super) fn signed_response(
    shared: &Shared,
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    signer: Option<&str>,
    signed_over: Option<&[u8]>,
) -> Response<Full<Bytes>> {
    let mut headers: Vec<(&'static str, String)> = vec![(TRACE_ID_HEADER, sign::random_id())];
    if let Some(app_id) = signer {
        let (signer, sn) = shared.alipay_signer(app_id);
        let timestamp = unix_ms().to_string();
        let nonce = sign::random_id();
        let content = answer_content(&timestamp, &nonce, signed_over.unwrap_or(&body));
        if let Ok(signature) = signer.sign(&content) {
            headers.push((TIMESTAMP_HEADER, timestamp));
            headers.push((NONCE_HEADER, nonce));
            headers.push((SIGNATURE_HEADER, signature));
            if let Some(sn) = sn {
                headers.push((SN_HEADER, sn));
            }
        }
    }
    let mut response = respond(status, content_type, body);
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::try_from(value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

pub(super) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks and runs one v3 request.
fn answer(shared: &Shared, verb: &str, uri: &str, headers: &HeaderMap, body: &Bytes) -> Answer {
    let path = uri.split_once('?').map_or(uri, |(path, _)| path);
    let query = uri.split_once('?').map_or("", |(_, query)| query);
    let method_name = method_of(path);
    let route = ROUTES.iter().find(|(_, name)| *name == method_name);
    let Some((expected, _)) = route else {
        let failure = Failure::invalid("NOT_FOUND", format!("沙箱没有v3接口{path}"));
        return Answer::error(StatusCode::NOT_FOUND, &failure, None);
    };
    if expected.as_str() != verb {
        let failure = Failure::invalid(
            "METHOD_NOT_ALLOWED",
            format!("{path}只接受{}", expected.as_str()),
        );
        return Answer::error(StatusCode::METHOD_NOT_ALLOWED, &failure, None);
    }
    let unauthorized = |sub_code, msg: String| Failure::invalid(sub_code, msg);
    let Some(authorization) = header(headers, "authorization") else {
        let failure = unauthorized("isv.missing-signature", "缺少Authorization头".to_owned());
        return Answer::error(StatusCode::UNAUTHORIZED, &failure, None);
    };
    let auth = match Authorization::parse(authorization) {
        Ok(auth) => auth,
        Err(reason) => {
            let failure = unauthorized("isv.invalid-signature", reason);
            return Answer::error(StatusCode::UNAUTHORIZED, &failure, None);
        }
    };
    let Some(app) = shared.app(&auth.app_id) else {
        let failure = unauthorized("isv.invalid-app-id", "无效的AppID参数".to_owned());
        return Answer::error(StatusCode::UNAUTHORIZED, &failure, None);
    };
    let app_id = auth.app_id.as_str();
    let refuse = |status, failure: Failure| Answer::error(status, &failure, Some(app_id));
    if let Err(failure) = super::certs::check_v3_request(
        shared,
        app_id,
        auth.app_cert_sn.as_deref(),
        header(headers, ROOT_CERT_SN_HEADER),
    ) {
        return refuse(StatusCode::UNAUTHORIZED, failure);
    }
    let now = unix_ms();
    let window_ms = auth
        .expired_seconds
        .map(|s| s.saturating_mul(1000))
        .or(shared
            .tolerance
            .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)));
    if let Some(window) = window_ms
        && now.abs_diff(auth.timestamp_ms) > window
    {
        return refuse(
            StatusCode::UNAUTHORIZED,
            unauthorized(
                "isv.invalid-timestamp",
                "请求已过期或时间戳不正确".to_owned(),
            ),
        );
    }
    let (data, files) = match split_upload(header(headers, "content-type"), body) {
        Ok(split) => split,
        Err(failure) => return refuse(StatusCode::BAD_REQUEST, failure),
    };
    let Ok(body_text) = std::str::from_utf8(&data) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            Failure::invalid("isv.invalid-parameter", "请求体不是UTF-8文本"),
        );
    };
    let token = header(headers, APP_AUTH_TOKEN_HEADER);
    let content = sign::content(&auth.auth_string, verb, uri, body_text, token);
    if app
        .public_key
        .verify(content.as_bytes(), &auth.sign)
        .is_err()
    {
        return refuse(
            StatusCode::UNAUTHORIZED,
            unauthorized(
                "isv.invalid-signature",
                format!("验签出错，网关生成的验签字符串为：{content}"),
            ),
        );
    }
    let until = auth
        .timestamp_ms
        .saturating_add(window_ms.unwrap_or(NONCE_MEMORY_MS))
        .max(now.saturating_add(1000));
    if !lock(&shared.v3_nonces).first_use(app_id, &auth.nonce, now, until) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            unauthorized(
                "isv.nonce-replayed",
                "nonce已被使用，请求被视为重放".to_owned(),
            ),
        );
    }
    let encrypted = header(headers, "alipay-encrypt-type").is_some();
    let aes = shared.certs.aes_key(app_id);
    let plain = if encrypted {
        let decrypted = match (header(headers, "alipay-encrypt-type"), &aes) {
            (Some(crate::encrypt::ENCRYPT_TYPE_AES), Some(key)) => {
                key.decrypt_text(body_text.trim()).ok()
            }
            _ => None,
        };
        match decrypted {
            Some(text) => text,
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    Failure::invalid(
                        "isv.decryption-error",
                        "解密出错：未知的加密类型、未设置密钥或密文不正确",
                    ),
                );
            }
        }
    } else {
        body_text.to_owned()
    };
    let fields = match read_fields(verb, query, &plain) {
        Ok(fields) => fields,
        Err(failure) => return refuse(StatusCode::BAD_REQUEST, failure),
    };
    let params = params_of(Some(app_id), &method_name, token, &fields);
    record(
        shared,
        verb,
        &params,
        &fields,
        header(headers, "content-type"),
        &files,
    );
    let Some(method) = Method::parse(&method_name) else {
        return refuse(
            StatusCode::NOT_FOUND,
            Failure::invalid("isv.invalid-method", "不存在的方法名"),
        );
    };
    let mut call = Call {
        shared,
        app_id,
        app: &app,
        params: &params,
        biz: Biz(&fields),
        files: &files,
        notices: Vec::new(),
    };
    let node = api::execute(&mut call, method);
    let notices = call.notices;
    match node {
        Ok(node) => {
            let body = match serde_json::from_str::<Map<String, Value>>(&node.finish()) {
                Ok(mut map) => {
                    map.remove("code");
                    map.remove("msg");
                    Value::Object(map).to_string()
                }
                Err(_) => "{}".to_owned(),
            };
            Answer {
                status: StatusCode::OK,
                body,
                signer: Some(app_id.to_owned()),
                aes: aes.filter(|_| encrypted),
                notices,
            }
        }
        Err(failure) => refuse(status_of(&failure), failure),
    }
}

/// The business fields: the JSON body of `POST`, `PUT` and `PATCH` (empty: none), the query
/// string of `GET` and `DELETE`.
fn read_fields(verb: &str, query: &str, body: &str) -> Result<Map<String, Value>, Failure> {
    if verb == "GET" || verb == "DELETE" {
        return Ok(form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect());
    }
    if body.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Failure::invalid(
            "isv.invalid-parameter",
            "请求体不是合法的JSON对象",
        )),
    }
}

/// A v3 request's parameters as `/gateway.do` would have them: `app_id`, `method`,
/// `app_auth_token` and the business fields that are strings.
fn params_of(
    app_id: Option<&str>,
    method_name: &str,
    token: Option<&str>,
    fields: &Map<String, Value>,
) -> Vec<(String, String)> {
    let mut params = Vec::with_capacity(fields.len() + 3);
    if let Some(app_id) = app_id {
        params.push(("app_id".to_owned(), app_id.to_owned()));
    }
    params.push(("method".to_owned(), method_name.to_owned()));
    if let Some(token) = token {
        params.push(("app_auth_token".to_owned(), token.to_owned()));
    }
    for (key, value) in fields {
        if let Value::String(text) = value {
            params.push((key.clone(), text.clone()));
        }
    }
    params
}

/// Records a request that a fault answers without running it, as `/gateway.do` does: what can
/// be read without checking it (the method of its path, the app its `Authorization` names, the
/// business fields of a plain body; an encrypted body is recorded without them).
fn record_unchecked(shared: &Shared, verb: &str, uri: &str, headers: &HeaderMap, body: &Bytes) {
    if !shared.record_requests {
        return;
    }
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let app_id = header(headers, "authorization")
        .and_then(|value| Authorization::parse(value).ok())
        .map(|auth| auth.app_id);
    let content_type = header(headers, "content-type");
    let (data, files) = split_upload(content_type, body).unwrap_or_default();
    let fields = match std::str::from_utf8(&data) {
        Ok(text) if header(headers, "alipay-encrypt-type").is_none() => {
            read_fields(verb, query, text).unwrap_or_default()
        }
        _ => Map::new(),
    };
    let token = header(headers, APP_AUTH_TOKEN_HEADER);
    let params = params_of(app_id.as_deref(), &method_of(path), token, &fields);
    record(shared, verb, &params, &fields, content_type, &files);
}

/// Records a v3 request for [`Sandbox::requests`](super::Sandbox::requests), its fields as
/// `biz_content`.
fn record(
    shared: &Shared,
    verb: &str,
    params: &[(String, String)],
    fields: &Map<String, Value>,
    content_type: Option<&str>,
    files: &[ReceivedFile],
) {
    if !shared.record_requests {
        return;
    }
    lock(&shared.requests).push(ReceivedRequest {
        http_method: verb.to_owned(),
        method: params
            .iter()
            .find(|(k, _)| k == "method")
            .map(|(_, v)| v.clone()),
        params: params.iter().cloned().collect(),
        biz_content: Some(Value::Object(fields.clone())),
        content_type: content_type.unwrap_or_default().to_owned(),
        files: files.to_vec(),
    });
}

/// The signed body of a request and its file parts: the whole body, or for a
/// `multipart/form-data` body (an upload) its part `data` (the JSON, or its AES ciphertext) and
/// the file parts. Any other text part is refused.
fn split_upload(
    content_type: Option<&str>,
    body: &Bytes,
) -> Result<(Bytes, Vec<ReceivedFile>), Failure> {
    let malformed = |reason: String| {
        Failure::invalid(
            "isv.invalid-parameter",
            format!("multipart/form-data格式错误: {reason}"),
        )
    };
    let boundary = match content_type.map(multipart::boundary_of) {
        Some(Ok(Some(boundary))) => boundary,
        Some(Err(e)) => return Err(malformed(e.to_string())),
        Some(Ok(None)) | None => return Ok((body.clone(), Vec::new())),
    };
    let mut data = None;
    let mut files = Vec::new();
    for part in multipart::parse(&boundary, body).map_err(|e| malformed(e.to_string()))? {
        match (part.filename, part.name.as_str()) {
            (Some(filename), _) => files.push(ReceivedFile {
                field: part.name,
                filename,
                content: part.content,
            }),
            (None, "data") if data.is_none() => data = Some(part.content),
            (None, name) => {
                return Err(Failure::invalid(
                    "isv.invalid-parameter",
                    format!("multipart中不应有文本部分{name}：业务参数放在data部分"),
                ));
            }
        }
    }
    let data = data.ok_or_else(|| Failure::missing("isv.missing-data", "multipart缺少data部分"))?;
    Ok((data, files))
}
