//! The buyer's browser: [`browse`] sends one plain HTTP/1.1 request as a browser does, and
//! [`Sandbox::pay_in_cashier`] plays the whole page pay visit (open the pay page, pay on the
//! cashier) for tests and examples.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::html;
use super::server::MAX_BODY;
use super::{Sandbox, SandboxError};
use crate::wire::form_encode;

/// An HTTP answer as a browser receives it (redirects are not followed).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BrowserAnswer {
    /// The status code, e.g. `200` or `302`.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (at most 4 MiB are read).
    pub body: Bytes,
}

impl BrowserAnswer {
    /// The first header with this name, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A visit of the buyer to the sandbox cashier: see [`Sandbox::pay_in_cashier`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CashierVisit {
    /// The cashier page, as the gateway (or the cashier URL) answered it.
    pub cashier: BrowserAnswer,
    /// The answer to the cashier's pay form: `302` to the trade's `return_url` with Alipay's
    /// signed return parameters in `Location` (not followed), or the "paid" page (`200`) when
    /// the trade has no `return_url`.
    pub paid: BrowserAnswer,
}

/// Sends one request as a browser does: `method` to an `http://` `url` over a fresh
/// HTTP/1.1 connection, with `body` of `content_type` when given, and reads the whole answer.
/// Redirects are not followed.
///
/// Errors: [`SandboxError::Browser`] when the URL is not `http://`, the server cannot be
/// reached, or the answer is not HTTP or is over 4 MiB.
pub async fn browse(
    method: Method,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<BrowserAnswer, SandboxError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        SandboxError::Browser(format!("{method} {url}: {what}: {e}"))
    };
    let uri: Uri = url.parse().map_err(|e| failed("not a URL", &e))?;
    let (Some("http"), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(SandboxError::Browser(format!(
            "{method} {url}: only http:// URLs are supported"
        )));
    };
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let stream = TcpStream::connect((authority.host(), authority.port_u16().unwrap_or(80)))
        .await
        .map_err(|e| failed("cannot connect", &e))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| failed("no HTTP connection", &e))?;
    let conn = tokio::spawn(conn);
    let mut request = Request::builder()
        .method(method.clone())
        .uri(target)
        .header(HOST, authority.as_str());
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body)))
        .map_err(|e| failed("invalid request", &e))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| failed("no answer", &e))?;
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, MAX_BODY)
        .collect()
        .await
        .map_err(|e| failed("unreadable body", &*e))?
        .to_bytes();
    drop(sender);
    conn.abort();
    Ok(BrowserAnswer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

/// `scheme://authority` of an absolute URL.
fn origin_of(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

/// Submits `form` of the page at `page_url` as a browser does: a POST form is sent
/// `application/x-www-form-urlencoded` in the body, a GET form in the query.
async fn submit(form: &html::Form, page_url: Option<&str>) -> Result<BrowserAnswer, SandboxError> {
    let action = if form.action.starts_with('/') {
        let origin = page_url.and_then(origin_of).ok_or_else(|| {
            SandboxError::Browser(format!("the form's action `{}` is relative", form.action))
        })?;
        format!("{origin}{}", form.action)
    } else {
        form.action.clone()
    };
    let fields = form_encode(form.inputs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if form.method == "POST" {
        let content_type = (!form.inputs.is_empty()).then_some("application/x-www-form-urlencoded");
        browse(Method::POST, &action, content_type, fields.as_bytes()).await
    } else {
        let separator = if action.contains('?') { '&' } else { '?' };
        let url = if fields.is_empty() {
            action
        } else {
            format!("{action}{separator}{fields}")
        };
        browse(Method::GET, &url, None, b"").await
    }
}

impl Sandbox {
    /// What the buyer's browser does to pay on the sandbox cashier: opens `entry`, which is
    /// either a URL (the [page URL](crate::Render::page_url) of `alipay.trade.page.pay` or
    /// `alipay.trade.wap.pay`, or the `qr_code` of `alipay.trade.precreate`: the browser GETs
    /// it) or a page holding a form (the SDK's [page form](crate::Render::page_form): the
    /// browser submits it to the gateway); the answer is the cashier page, whose pay form the
    /// buyer then submits. The trade is paid and its notification delivered (see
    /// [`Sandbox::pay`]).
    ///
    /// Returns both answers, e.g. to check the cashier page and to follow the redirect to the
    /// merchant's `return_url` with [`browse`].
    ///
    /// Errors: [`SandboxError::Browser`] when a page cannot be fetched, `entry` has no form,
    /// or the gateway answered an error page instead of the cashier (its `sub_code` is in the
    /// message).
    pub async fn pay_in_cashier(&self, entry: &str) -> Result<CashierVisit, SandboxError> {
        visit_and_submit(entry).await
    }
}

/// Opens `entry` (a URL to GET, or a page whose form is submitted) and submits the form of the
/// page answered: the buyer's two steps on a cashier or signing page.
pub(crate) async fn visit_and_submit(entry: &str) -> Result<CashierVisit, SandboxError> {
    let trimmed = entry.trim();
    let (cashier, cashier_url) = if trimmed.starts_with("http://") {
        let cashier = browse(Method::GET, trimmed, None, b"").await?;
        (cashier, trimmed.to_owned())
    } else {
        let form = html::first_form(entry).ok_or_else(|| {
            SandboxError::Browser("the page has no form with an action".to_owned())
        })?;
        let cashier = submit(&form, None).await?;
        (cashier, form.action)
    };
    let page = cashier.text();
    let pay_form = html::first_form(&page).ok_or_else(|| {
        let refusal = html::text_of_id(&page, "sub_code")
            .map_or_else(String::new, |sub_code| format!(", refused: {sub_code}"));
        SandboxError::Browser(format!(
            "no cashier at {cashier_url} (HTTP {}{refusal})",
            cashier.status
        ))
    })?;
    let paid = submit(&pay_form, Some(&cashier_url)).await?;
    Ok(CashierVisit { cashier, paid })
}
