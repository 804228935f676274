//! The HTTP side of the sandbox: the accept loop, routing, and the gateway's checks.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method as HttpMethod, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use super::api::{self, Biz, Call, Method};
use super::fault::{self, Fault, RuleSpec};
use super::multipart;
use super::notify::Notice;
use super::wire::{self, Failure, Node};
use super::{ReceivedFile, ReceivedRequest, SandboxError, Shared, TradeSnapshot, lock};
use crate::crypto::{Signer as _, Verifier as _};
use crate::request::response_key_of;
use crate::sign::{FormError, form_decode, sign_content};

/// The largest request body the sandbox reads (Alipay's own limit is of this order).
pub(crate) const MAX_BODY: usize = 4 * 1024 * 1024;

/// How long a request in flight may take to finish once shutdown starts.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a connection cut by [`Fault::ConnectionReset`] stays open after the partial body,
/// so the client has read it before the connection drops.
const CUT_PAUSE: Duration = Duration::from_millis(50);

const GATEWAY_CONTENT_TYPE: &str = "text/html;charset=utf-8";
pub(crate) const HTML_CONTENT_TYPE: &str = "text/html;charset=utf-8";
const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
pub(crate) const TEXT_CONTENT_TYPE: &str = "text/plain;charset=utf-8";

/// Accepts connections until `shutdown` fires (or its sender is dropped), then lets every open
/// connection finish its request in flight and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Every connection task holds a clone of `alive`; `recv` returns `None` once all are gone.
    let (alive, mut all_closed) = mpsc::channel::<Infallible>(1);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // e.g. too many open files: back off instead of spinning.
                    Err(_) => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let mut shutdown = shutdown.clone();
                let alive = alive.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(with_body(route(&shared, req).await)) }
                    });
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = shutdown.changed() => {
                            conn.as_mut().graceful_shutdown();
                            // A client stalled mid-request must not hold the shutdown forever.
                            let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                        }
                    }
                    drop(alive);
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    drop(alive);
    let _ = all_closed.recv().await;
}

/// Marks a response whose connection is to be dropped after `at` bytes of the body (the body is
/// carried here; the response's own body is empty).
#[derive(Debug, Clone)]
struct CutAfter {
    body: Bytes,
    at: usize,
}

/// A response body: whole, or cut short by dropping the connection.
pub(crate) enum Body {
    Full(Full<Bytes>),
    /// Announces `total` bytes, sends `head`, waits a little, then fails: hyper drops the
    /// connection mid-body.
    Cut {
        head: Option<Bytes>,
        total: u64,
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Body::Full(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            Body::Cut { head, pause, .. } => {
                if let Some(head) = head.take() {
                    return Poll::Ready(Some(Ok(Frame::data(head))));
                }
                let pause = pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(CUT_PAUSE)));
                ready!(pause.as_mut().poll(cx));
                Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "connection dropped mid-body by an injected fault",
                ))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(full) => full.is_end_stream(),
            Body::Cut { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(full) => full.size_hint(),
            Body::Cut { total, .. } => SizeHint::with_exact(*total),
        }
    }
}

/// The body hyper sends for a routed response.
fn with_body(response: Response<Full<Bytes>>) -> Response<Body> {
    let cut = response.extensions().get::<CutAfter>().cloned();
    response.map(|full| match cut {
        None => Body::Full(full),
        Some(CutAfter { body, at }) => Body::Cut {
            total: body.len() as u64,
            head: Some(body.slice(..at.min(body.len()))),
            pause: None,
        },
    })
}

pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn json_error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let mut body = String::from("{\"error\":");
    wire::push_json_str(&mut body, message);
    body.push('}');
    respond(status, JSON_CONTENT_TYPE, body)
}

fn json_ok(body: String) -> Response<Full<Bytes>> {
    respond(StatusCode::OK, JSON_CONTENT_TYPE, body)
}

async fn route(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path();
    if path == "/gateway.do" {
        gateway(shared, req).await
    } else if path == "/sandbox/pay" {
        control_pay(shared, req).await
    } else if path == "/sandbox/notifications" {
        control_notifications(shared, req.method())
    } else if path == "/sandbox/faults" {
        control_faults(shared, req).await
    } else if let Some(rest) = path.strip_prefix("/sandbox/cashier/") {
        let rest = rest.to_owned();
        super::pages::cashier_route(shared, req.method(), &rest).await
    } else if let Some(certify_id) = path.strip_prefix("/sandbox/certify/") {
        let certify_id = certify_id.to_owned();
        let query = req.uri().query().unwrap_or("").to_owned();
        super::pages::certify_route(shared, req.method(), &certify_id, &query)
    } else if let Some(image_id) = path.strip_prefix("/images/") {
        let image_id = image_id.to_owned();
        super::open::image_route(shared, req.method(), &image_id)
    } else if let Some(id) = path
        .strip_prefix("/qrcode/")
        .and_then(|rest| rest.strip_suffix(".png"))
    {
        let id = id.to_owned();
        super::open::qrcode_route(shared, req.method(), &id)
    } else if let Some(id) = path.strip_prefix("/life/content/") {
        let id = id.to_owned();
        super::marketing::content_route(shared, req.method(), &id)
    } else if let Some(token) = path
        .strip_prefix("/bill/")
        .and_then(|rest| rest.strip_suffix(".csv"))
    {
        let token = token.to_owned();
        bill(shared, req.method(), &token)
    } else {
        respond(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "not found\n")
    }
}

/// Reads a body of at most [`MAX_BODY`] bytes.
async fn read_body(req: Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
    let too_large = || {
        respond(
            StatusCode::PAYLOAD_TOO_LARGE,
            TEXT_CONTENT_TYPE,
            "request body larger than 4 MiB\n",
        )
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(too_large());
    }
    match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(respond(
            StatusCode::BAD_REQUEST,
            TEXT_CONTENT_TYPE,
            "unreadable request body\n",
        )),
    }
}

async fn gateway(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
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
        return skipped_call_answer(shared, fault, method_name.as_deref());
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
        Some(fault) => spoiled(shared, fault, &reply),
    };
    if let Some(Fault::Latency(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    response
}

/// The answer of a call a fault stops before it runs ([`Fault::skips_call`]).
fn skipped_call_answer(
    shared: &Shared,
    fault: &Fault,
    method: Option<&str>,
) -> Response<Full<Bytes>> {
    match fault {
        Fault::GbkSubMsg => {
            let key = method.map_or_else(|| "error_response".to_owned(), response_key_of);
            let mut node = Vec::with_capacity(160);
            node.extend_from_slice(
                br#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":""#,
            );
            node.extend_from_slice(&fault::gbk_busy_message());
            node.extend_from_slice(b"\"}");
            let Ok(sign) = shared.signer.sign(&node) else {
                return respond(
                    StatusCode::OK,
                    GATEWAY_CONTENT_TYPE,
                    error_response(&Failure::unavailable()),
                );
            };
            let mut body = Vec::with_capacity(node.len() + sign.len() + key.len() + 16);
            body.extend_from_slice(b"{\"");
            body.extend_from_slice(key.as_bytes());
            body.extend_from_slice(b"\":");
            body.extend_from_slice(&node);
            body.extend_from_slice(b",\"sign\":\"");
            body.extend_from_slice(sign.as_bytes());
            body.extend_from_slice(b"\"}");
            respond(StatusCode::OK, "text/html;charset=GBK", body)
        }
        Fault::HttpStatus(status) => {
            let status = StatusCode::from_u16(*status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::BAD_GATEWAY);
            let page = fault::error_page(
                status.as_u16(),
                status.canonical_reason().unwrap_or("Server Error"),
            );
            respond(status, "text/html", page)
        }
        _ => respond(
            StatusCode::OK,
            GATEWAY_CONTENT_TYPE,
            error_response(&Failure::unavailable()),
        ),
    }
}

/// The answer of a call that ran, spoiled by `fault`.
fn spoiled(shared: &Shared, fault: &Fault, reply: &Reply) -> Response<Full<Bytes>> {
    let whole = || respond(StatusCode::OK, reply.content_type, reply.render(shared));
    let ReplyBody::Json { key, node, .. } = &reply.body else {
        // A page: only a reset applies.
        return match fault {
            Fault::ConnectionReset => cut(whole(), reply.render(shared)),
            _ => whole(),
        };
    };
    let sign = || shared.signer.sign(node.as_bytes()).unwrap_or_default();
    let body = match fault {
        Fault::Latency(_) | Fault::HttpStatus(_) | Fault::GbkSubMsg => return whole(),
        Fault::ConnectionReset => return cut(whole(), reply.render(shared)),
        Fault::TruncatedJson => {
            let full = reply.render(shared);
            let mut at = full.len() / 2;
            while !full.is_char_boundary(at) {
                at -= 1;
            }
            full[..at].to_owned()
        }
        Fault::WrongSignature => {
            let forged = shared
                .signer
                .sign(format!("{node} ").as_bytes())
                .unwrap_or_default();
            envelope(key, node, Some(&forged), "")
        }
        Fault::Unsigned => envelope(key, node, None, ""),
        Fault::DuplicateNode => {
            let mut doubled = String::with_capacity(node.len() + key.len() + 4);
            doubled.push_str(node);
            doubled.push_str(",\"");
            doubled.push_str(key);
            doubled.push_str("\":");
            doubled.push_str(node);
            envelope(key, &doubled, Some(&sign()), "")
        }
        Fault::Oversize(size) => {
            let sign = sign();
            let base = envelope(key, node, Some(&sign), ",\"padding\":\"\"");
            let size = (*size).min(fault::MAX_OVERSIZE);
            let padding = "x".repeat(size.saturating_sub(base.len()));
            envelope(
                key,
                node,
                Some(&sign),
                &format!(",\"padding\":\"{padding}\""),
            )
        }
    };
    respond(StatusCode::OK, reply.content_type, body)
}

/// `{"<key>":<node>[,"sign":"…"]<extra>}`.
fn envelope(key: &str, node: &str, sign: Option<&str>, extra: &str) -> String {
    let mut out = String::with_capacity(key.len() + node.len() + 400 + extra.len());
    out.push_str("{\"");
    out.push_str(key);
    out.push_str("\":");
    out.push_str(node);
    if let Some(sign) = sign {
        out.push_str(",\"sign\":\"");
        out.push_str(sign);
        out.push('"');
    }
    out.push_str(extra);
    out.push('}');
    out
}

/// `response`, whose body `body` is sent only half before the connection drops.
fn cut(mut response: Response<Full<Bytes>>, body: String) -> Response<Full<Bytes>> {
    let body = Bytes::from(body);
    let at = body.len() / 2;
    *response.body_mut() = Full::new(Bytes::new());
    response.extensions_mut().insert(CutAfter { body, at });
    response
}

/// A decoded request: its parameters (`sign` included) and its file parts.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) files: Vec<ReceivedFile>,
}

/// Query parameters, then body parameters (a form, or the text parts of a multipart body). A key
/// in both the query and a form body is a duplicate; a multipart text part may repeat a query
/// parameter with the same value.
fn decode_params(
    query: &str,
    content_type: Option<&str>,
    body: &Bytes,
) -> Result<Decoded, Failure> {
    let mut params = form_decode(query.as_bytes()).map_err(form_failure)?;
    let boundary = match content_type.map(multipart::boundary_of) {
        Some(Ok(boundary)) => boundary,
        Some(Err(e)) => return Err(multipart_failure(&e)),
        None => None,
    };
    if let Some(boundary) = boundary {
        let parts = multipart::parse(&boundary, body).map_err(|e| multipart_failure(&e))?;
        return merge_parts(params, parts);
    }
    if body.is_empty() {
        return Ok(Decoded {
            params,
            files: Vec::new(),
        });
    }
    let is_form = content_type.is_none_or(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form {
        return Err(Failure::invalid(
            "isv.invalid-content-type",
            "不支持的Content-Type，请使用application/x-www-form-urlencoded或multipart/form-data",
        ));
    }
    for (key, value) in form_decode(body).map_err(form_failure)? {
        if params.iter().any(|(existing, _)| *existing == key) {
            return Err(form_failure(FormError::DuplicateKey(key)));
        }
        params.push((key, value));
    }
    Ok(Decoded {
        params,
        files: Vec::new(),
    })
}

/// Adds the text parts of a multipart body to the query parameters and keeps the files.
fn merge_parts(
    mut params: Vec<(String, String)>,
    parts: Vec<multipart::Part>,
) -> Result<Decoded, Failure> {
    let query_len = params.len();
    let mut files = Vec::new();
    for part in parts {
        if let Some(filename) = part.filename {
            files.push(ReceivedFile {
                field: part.name,
                filename,
                content: part.content,
            });
            continue;
        }
        let Ok(value) = String::from_utf8(part.content.to_vec()) else {
            return Err(form_failure(FormError::NotUtf8(part.name)));
        };
        match params.iter().position(|(k, _)| *k == part.name) {
            // The same parameter in the query and in a part, with the same value: one parameter.
            Some(i) if i < query_len && params.get(i).is_some_and(|(_, v)| *v == value) => {}
            Some(i) if i < query_len => {
                return Err(Failure::invalid(
                    "isv.invalid-parameter",
                    format!("参数{}在URL和multipart中的值不一致", part.name),
                ));
            }
            Some(_) => return Err(form_failure(FormError::DuplicateKey(part.name))),
            None => params.push((part.name, value)),
        }
    }
    Ok(Decoded { params, files })
}

fn multipart_failure(error: &multipart::MultipartError) -> Failure {
    Failure::invalid(
        "isv.invalid-parameter",
        format!("multipart/form-data格式错误: {error}"),
    )
}

fn form_failure(error: FormError) -> Failure {
    match error {
        FormError::DuplicateKey(key) => {
            Failure::invalid("isv.invalid-parameter", format!("参数{key}重复出现"))
        }
        FormError::NotUtf8(key) => Failure::invalid(
            "isv.invalid-charset",
            format!("字符集错误，参数{key}不是UTF-8编码"),
        ),
        FormError::BadPercent(key) => {
            Failure::invalid("isv.invalid-parameter", format!("参数{key}的URL编码不正确"))
        }
    }
}

/// `{"error_response":{…}}`, unsigned, as Alipay answers before it knows whom to sign for.
fn error_response(failure: &Failure) -> String {
    let node = Node::failure(failure).finish();
    format!("{{\"error_response\":{node}}}")
}

/// `{"<key>":<node>,"sign":"…"}` with the node signed by the sandbox's Alipay key (for a
/// certificate app: the current Alipay certificate's, named in `alipay_cert_sn`).
fn signed(shared: &Shared, app_id: &str, key: &str, node: &str) -> String {
    let (signer, cert_sn) = shared.alipay_signer(app_id);
    match signer.sign(node.as_bytes()) {
        Ok(sign) => {
            let mut out = String::with_capacity(key.len() + node.len() + sign.len() + 64);
            out.push_str("{\"");
            out.push_str(key);
            out.push_str("\":");
            out.push_str(node);
            if let Some(cert_sn) = cert_sn {
                out.push_str(",\"alipay_cert_sn\":");
                wire::push_json_str(&mut out, &cert_sn);
            }
            out.push_str(",\"sign\":\"");
            out.push_str(&sign);
            out.push_str("\"}");
            out
        }
        Err(_) => error_response(&Failure::unavailable()),
    }
}

/// What the gateway answers, and the notifications of the call.
pub(crate) struct Reply {
    pub(crate) content_type: &'static str,
    pub(crate) body: ReplyBody,
    pub(crate) notices: Vec<Notice>,
}

/// The body of an answer, kept apart so a fault can rebuild it.
pub(crate) enum ReplyBody {
    /// A page (browser flows).
    Html(String),
    /// `{"<key>":<node>}`, with `sign` when `signed` (by the key that signs for `app_id`).
    Json {
        key: String,
        node: String,
        signed: bool,
        app_id: String,
    },
}

impl Reply {
    /// An unsigned `error_response`, as Alipay answers before it knows whom to sign for.
    fn error(failure: &Failure) -> Self {
        Self {
            content_type: GATEWAY_CONTENT_TYPE,
            body: ReplyBody::Json {
                key: "error_response".to_owned(),
                node: Node::failure(failure).finish(),
                signed: false,
                app_id: String::new(),
            },
            notices: Vec::new(),
        }
    }

    fn html(body: String) -> Self {
        Self {
            content_type: HTML_CONTENT_TYPE,
            body: ReplyBody::Html(body),
            notices: Vec::new(),
        }
    }

    /// The body as sent.
    pub(crate) fn render(&self, shared: &Shared) -> String {
        match &self.body {
            ReplyBody::Html(html) => html.clone(),
            ReplyBody::Json {
                key,
                node,
                signed: true,
                app_id,
            } => signed(shared, app_id, key, node),
            ReplyBody::Json { key, node, .. } => envelope(key, node, None, ""),
        }
    }
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
    let biz_text = super::certs::plain_biz_content(shared, &params);
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
            Reply::html(super::pages::error_page(&failure))
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
                super::pages::open_page(shared, method, &params, app_id, Biz(biz.unwrap_or(&empty)))
            }
            Err(failure) => super::pages::error_page(&failure),
        };
        return Reply::html(html);
    }
    let key = response_key_of(method_name);
    let mut notices = Vec::new();
    let result = checked.and_then(|biz| {
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
    let node = super::certs::answer_node(shared, &params, node);
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

/// A non-empty parameter.
pub(crate) fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The checks after the app and the method are known (answered in the method's signed node):
/// signature type, charset, format, timestamp, signature, then `biz_content` (`None` when the
/// request has none).
pub(crate) fn check<'v>(
    shared: &Shared,
    params: &[(String, String)],
    app: &super::App,
    biz_value: Option<&'v Value>,
) -> Result<Option<&'v Map<String, Value>>, Failure> {
    let get = |key: &str| param(params, key);
    let Some(sign) = get("sign") else {
        return Err(Failure::missing("isv.missing-signature", "缺少签名参数"));
    };
    match get("sign_type") {
        None => {
            return Err(Failure::missing(
                "isv.missing-signature-type",
                "缺少签名类型参数",
            ));
        }
        Some("RSA2") => {}
        Some(_) => {
            return Err(Failure::invalid(
                "isv.invalid-signature-type",
                "无效的签名类型，沙箱只支持RSA2",
            ));
        }
    }
    if get("charset").is_some_and(|c| !c.eq_ignore_ascii_case("utf-8")) {
        return Err(Failure::invalid("isv.invalid-charset", "字符集错误"));
    }
    if get("format").is_some_and(|f| !f.eq_ignore_ascii_case("json")) {
        return Err(Failure::invalid("isv.invalid-format", "无效的数据格式"));
    }
    let Some(timestamp) = get("timestamp") else {
        return Err(Failure::missing("isv.missing-timestamp", "缺少时间戳参数"));
    };
    let Some(sent_at) = wire::parse_beijing_timestamp(timestamp) else {
        return Err(Failure::invalid(
            "isv.invalid-timestamp",
            "非法的时间戳参数",
        ));
    };
    if let Some(tolerance) = shared.tolerance {
        let skew = wire::unix_now().abs_diff(sent_at);
        if skew > tolerance.as_secs() {
            return Err(Failure::invalid(
                "isv.invalid-timestamp",
                "非法的时间戳参数",
            ));
        }
    }
    super::certs::check_request(shared, params)?;
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if app.public_key.verify(content.as_bytes(), sign).is_err() {
        return Err(Failure::invalid(
            "isv.invalid-signature",
            format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{content}"
            ),
        ));
    }
    super::certs::check_encryption(shared, params)?;
    match (get("biz_content"), biz_value) {
        (None, _) => Ok(None),
        (Some(_), Some(Value::Object(map))) => Ok(Some(map)),
        (Some(_), _) => Err(Failure::invalid(
            "isv.invalid-parameter",
            "biz_content不是合法的JSON对象",
        )),
    }
}

/// The order string of `alipay.trade.app.pay`, checked like a request, opens a trade that is
/// paid at once. The caller delivers the notification.
pub(crate) fn app_pay(shared: &Shared, order_string: &str) -> Result<TradeSnapshot, Failure> {
    let params = form_decode(order_string.trim().as_bytes()).map_err(form_failure)?;
    let get = |key: &str| param(&params, key);
    let Some(app_id) = get("app_id") else {
        return Err(Failure::missing("isv.missing-app-id", "缺少AppID参数"));
    };
    let Some(app) = shared.app(app_id) else {
        return Err(Failure::invalid("isv.invalid-app-id", "无效的AppID参数"));
    };
    match get("method") {
        None => return Err(Failure::missing("isv.missing-method", "缺少方法名参数")),
        Some("alipay.trade.app.pay") => {}
        Some(_) => {
            return Err(Failure::invalid(
                "isv.invalid-method",
                "订单串的方法名必须是alipay.trade.app.pay",
            ));
        }
    }
    let biz_value: Option<Value> = get("biz_content").and_then(|t| serde_json::from_str(t).ok());
    let empty = Map::new();
    let biz = Biz(check(shared, &params, &app, biz_value.as_ref())?.unwrap_or(&empty));
    let new =
        super::trade::NewTrade::read(&biz, get("notify_url"), Some("QUICK_MSECURITY_PAY"), false)?;
    super::trade::open_and_pay(shared, app_id, new)
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

/// `POST /sandbox/pay?app_id=…&out_trade_no=…`: the buyer pays, for tools outside the process.
async fn control_pay(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() != HttpMethod::POST {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    let params = match form_decode(req.uri().query().unwrap_or("").as_bytes()) {
        Ok(params) => params,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let get = |key: &str| param(&params, key);
    let (Some(app_id), Some(out_trade_no)) = (get("app_id"), get("out_trade_no")) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "app_id and out_trade_no are required query parameters",
        );
    };
    match super::pay(shared, app_id, out_trade_no).await {
        Ok(snapshot) => match serde_json::to_string(&snapshot) {
            Ok(json) => respond(StatusCode::OK, JSON_CONTENT_TYPE, json),
            Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Err(e @ SandboxError::UnknownTrade { .. }) => {
            json_error(StatusCode::NOT_FOUND, &e.to_string())
        }
        Err(e @ SandboxError::WrongState { .. }) => {
            json_error(StatusCode::CONFLICT, &e.to_string())
        }
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `GET /sandbox/notifications`: every delivery attempt, as JSON.
fn control_notifications(shared: &Shared, method: &HttpMethod) -> Response<Full<Bytes>> {
    if method != HttpMethod::GET {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "use GET");
    }
    let records = lock(&shared.notifications).clone();
    match serde_json::to_string(&records) {
        Ok(json) => json_ok(json),
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `/sandbox/faults`: `GET` lists the rules, `POST` adds one (a JSON object
/// `{"fault":"KIND[=ARG]","method":"…","times":N}`, `method` and `times` optional) or several
/// (an array of them), `DELETE` removes them all. Every answer is the list of rules in force.
async fn control_faults(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    if method == HttpMethod::POST {
        let body = match read_body(req).await {
            Ok(body) => body,
            Err(response) => return response,
        };
        let value: Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => return json_error(StatusCode::BAD_REQUEST, &format!("not JSON: {e}")),
        };
        let specs = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        let mut rules = Vec::with_capacity(specs.len());
        for spec in specs {
            let rule = serde_json::from_value::<RuleSpec>(spec)
                .map_err(|e| e.to_string())
                .and_then(|spec| spec.into_rule().map_err(|e| e.to_string()));
            match rule {
                Ok(rule) => rules.push(rule),
                Err(e) => return json_error(StatusCode::BAD_REQUEST, &e),
            }
        }
        let mut faults = lock(&shared.faults);
        for rule in rules {
            faults.add(rule);
        }
    } else if method == HttpMethod::DELETE {
        lock(&shared.faults).clear();
    } else if method != HttpMethod::GET {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "use GET, POST or DELETE");
    }
    let rules = lock(&shared.faults).list();
    let items: Vec<String> = rules.iter().map(fault::FaultRule::to_json).collect();
    json_ok(format!("[{}]", items.join(",")))
}

/// `GET /bill/<token>.csv`: a bill handed out by `bill.downloadurl.query`.
fn bill(shared: &Shared, method: &HttpMethod, token: &str) -> Response<Full<Bytes>> {
    if method != HttpMethod::GET && method != HttpMethod::HEAD {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            TEXT_CONTENT_TYPE,
            "use GET\n",
        );
    }
    let Some(request) = lock(&shared.bills).get(token).cloned() else {
        return respond(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "no such bill\n");
    };
    let seller_id = shared
        .app(&request.app_id)
        .map(|app| app.seller_id.clone())
        .unwrap_or_default();
    let csv = lock(&shared.trades).bill_csv(&request, &seller_id);
    respond(StatusCode::OK, "text/csv;charset=utf-8", csv)
}
