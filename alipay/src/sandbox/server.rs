//! HTTP serving: the accept loop (with hyper-util's graceful shutdown), the routes of every
//! endpoint, request bodies and the response bodies (whole, or cut short by a fault).

use std::convert::Infallible;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::shared::Shared;
use super::{control, fund, gateway, marketing, open, pages, trade};

/// The largest request body the sandbox reads (Alipay's own limit is of this order).
pub(crate) const MAX_BODY: usize = 4 * 1024 * 1024;

/// How long the requests in flight may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a connection cut by a fault stays open after the partial body, so the client has
/// read it before the connection drops.
const CUT_PAUSE: Duration = Duration::from_millis(50);

/// The gateway's answers (Alipay's own content type for JSON answers).
pub(crate) const GATEWAY_CONTENT_TYPE: &str = "text/html;charset=utf-8";
pub(crate) const HTML_CONTENT_TYPE: &str = "text/html;charset=utf-8";
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
pub(crate) const TEXT_CONTENT_TYPE: &str = "text/plain;charset=utf-8";

/// Accepts connections until `shutdown` fires (or its sender is dropped), then lets every open
/// connection finish its request in flight (idle keep-alive connections close at once), and
/// returns once all are closed, or after [`SHUTDOWN_GRACE`], when the stalled ones are dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // e.g. too many open files: back off instead of spinning.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let service = service_fn(move |req| {
                    let shared = Arc::clone(&shared);
                    async move { Ok::<_, Infallible>(with_body(route(&shared, req).await)) }
                });
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                connections.spawn(async move {
                    let _ = conn.await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    // A client stalled mid-request must not hold the shutdown forever.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
}

/// Marks a response whose connection is to be dropped after `at` bytes of the body (the body is
/// carried here; the response's own body is empty).
#[derive(Debug, Clone)]
pub(crate) struct CutAfter {
    pub(crate) body: Bytes,
    pub(crate) at: usize,
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

/// A response with a whole body of `content_type`.
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

/// `405 use GET` for a file route asked with another method than `GET` or `HEAD`.
pub(crate) fn get_only(method: &hyper::Method) -> Option<Response<Full<Bytes>>> {
    (method != hyper::Method::GET && method != hyper::Method::HEAD).then(|| {
        respond(
            StatusCode::METHOD_NOT_ALLOWED,
            TEXT_CONTENT_TYPE,
            "use GET\n",
        )
    })
}

/// `{"error":"…"}` with `status`, as the control endpoints refuse a request.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "error": message }).to_string();
    respond(status, JSON_CONTENT_TYPE, body)
}

pub(crate) fn json_ok(body: String) -> Response<Full<Bytes>> {
    respond(StatusCode::OK, JSON_CONTENT_TYPE, body)
}

async fn route(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path();
    if path == "/gateway.do" {
        gateway::gateway(shared, req).await
    } else if path.starts_with("/v3/") {
        super::v3::v3_gateway(shared, req).await
    } else if path == "/sandbox/pay" {
        control::control_pay(shared, req).await
    } else if path == "/sandbox/notifications" {
        control::control_notifications(shared, req.method())
    } else if path == "/sandbox/faults" {
        control::control_faults(shared, req).await
    } else if let Some(rest) = path.strip_prefix("/sandbox/cashier/") {
        let rest = rest.to_owned();
        pages::cashier_route(shared, req.method(), &rest).await
    } else if path == "/oauth2/appToAppAuth.htm" {
        let query = req.uri().query().unwrap_or("").to_owned();
        super::isv::app_to_app_route(shared, &query)
    } else if let Some(rest) = path.strip_prefix("/sandbox/agreement/") {
        let rest = rest.to_owned();
        super::agreement::sign_route(shared, req.method(), &rest).await
    } else if let Some(certify_id) = path.strip_prefix("/sandbox/certify/") {
        let certify_id = certify_id.to_owned();
        let query = req.uri().query().unwrap_or("").to_owned();
        pages::certify_route(shared, req.method(), &certify_id, &query)
    } else if let Some(image_id) = path.strip_prefix("/images/") {
        let image_id = image_id.to_owned();
        open::image_route(shared, req.method(), &image_id)
    } else if let Some(id) = path
        .strip_prefix("/qrcode/")
        .and_then(|rest| rest.strip_suffix(".png"))
    {
        let id = id.to_owned();
        open::qrcode_route(shared, req.method(), &id)
    } else if let Some(id) = path.strip_prefix("/life/content/") {
        let id = id.to_owned();
        marketing::content_route(shared, req.method(), &id)
    } else if let Some(token) = path
        .strip_prefix("/bill/")
        .and_then(|rest| rest.strip_suffix(".zip"))
    {
        let token = token.to_owned();
        trade::bill_route(shared, req.method(), &token)
    } else if let Some(file_id) = path
        .strip_prefix("/ereceipt/")
        .and_then(|rest| rest.strip_suffix(".txt"))
    {
        let file_id = file_id.to_owned();
        fund::ereceipt_route(shared, req.method(), &file_id)
    } else {
        respond(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "not found\n")
    }
}

/// Reads a body of at most [`MAX_BODY`] bytes.
pub(crate) async fn read_body(req: Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
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
