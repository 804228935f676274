//! What a browser sees: the cashier of page pay, WAP pay and precreate QR codes, the certify
//! page, and the HTML error pages of these flows.
//!
//! Page pay: the merchant's page POSTs the SDK's form to the gateway; the sandbox opens the trade
//! and answers a cashier page whose form POSTs to `/sandbox/cashier/<token>/pay`; that pays the
//! trade, delivers the notification, and redirects (302) to the `return_url` with Alipay's
//! signed synchronous return parameters.

use std::fmt::Write as _;

use bytes::Bytes;
use http::header::LOCATION;
use http::{HeaderValue, Method as HttpMethod, Response, StatusCode};
use http_body_util::Full;

use super::api::{Biz, Method};
use super::html::escape as html_escape;
use super::server::{HTML_CONTENT_TYPE, respond};
use super::trade::{self, NewTrade};
use super::wire::{Failure, yuan};
use super::{SandboxError, Shared, TradeSnapshot, lock};
use super::{clock, random};
use crate::crypto::Signer as _;
use crate::wire::{form_decode, form_encode, notify_sign_content};

/// What opened a cashier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `alipay.trade.page.pay`.
    Page,
    /// `alipay.trade.wap.pay`.
    Wap,
    /// The `qr_code` of `alipay.trade.precreate`, "scanned".
    QrCode,
}

impl Kind {
    /// The `method` of the synchronous return parameters.
    fn return_method(self) -> &'static str {
        match self {
            Self::Page => "alipay.trade.page.pay.return",
            Self::Wap => "alipay.trade.wap.pay.return",
            Self::QrCode => "alipay.trade.precreate.return",
        }
    }
}

/// A cashier session: which trade it pays, and where the buyer goes afterwards.
#[derive(Debug, Clone)]
pub(crate) struct Cashier {
    app_id: String,
    out_trade_no: String,
    kind: Kind,
    return_url: Option<String>,
    quit_url: Option<String>,
}

/// Registers a cashier for a trade; returns its token.
pub(crate) fn open_cashier(
    shared: &Shared,
    trade: &TradeSnapshot,
    kind: Kind,
    quit_url: Option<&str>,
) -> String {
    let token = random::random_alnum(32);
    lock(&shared.cashiers).insert(
        token.clone(),
        Cashier {
            app_id: trade.app_id.clone(),
            out_trade_no: trade.out_trade_no.clone(),
            kind,
            return_url: match kind {
                Kind::QrCode => None,
                Kind::Page | Kind::Wap => trade.return_url.clone(),
            },
            quit_url: quit_url.map(str::to_owned),
        },
    );
    token
}

/// The cashier page's URL (what a precreate `qr_code` encodes).
pub(crate) fn cashier_url(shared: &Shared, token: &str) -> String {
    format!("{}/sandbox/cashier/{token}", shared.base_url())
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(title)
    )
}

/// An error page as Alipay shows it to a browser (HTTP 200), with the `sub_code` to assert on.
pub(crate) fn error_page(failure: &Failure) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<div class=\"error\">\n<h1>支付宝沙箱 - 出错了</h1>\n\
         <p>错误代码 <span id=\"sub_code\">{}</span></p>\n\
         <p>错误原因 <span id=\"sub_msg\">{}</span></p>\n\
         <p>网关返回码 <span id=\"code\">{}</span> {}</p>\n</div>\n",
        html_escape(failure.sub_code),
        html_escape(&failure.sub_msg),
        html_escape(failure.code),
        html_escape(failure.msg),
    );
    page("支付宝 - 错误", &body)
}

fn cashier_page(token: &str, trade: &TradeSnapshot, quit_url: Option<&str>) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<div class=\"cashier\">\n<h1>支付宝沙箱收银台</h1>\n\
         <p>商品 <span id=\"subject\">{}</span></p>\n\
         <p>金额 <span id=\"total_amount\">{}</span> 元</p>\n\
         <p>商户订单号 <span id=\"out_trade_no\">{}</span></p>\n\
         <p>支付宝交易号 <span id=\"trade_no\">{}</span></p>\n\
         <form method=\"post\" action=\"/sandbox/cashier/{}/pay\">\n\
         <button type=\"submit\">确认付款</button>\n</form>\n",
        html_escape(&trade.subject),
        yuan(trade.total_amount.cents()),
        html_escape(&trade.out_trade_no),
        html_escape(&trade.trade_no),
        html_escape(token),
    );
    if let Some(quit) = quit_url {
        let _ = writeln!(
            body,
            "<p><a id=\"quit\" href=\"{}\">放弃付款</a></p>",
            html_escape(quit)
        );
    }
    body.push_str("</div>\n");
    page("支付宝 - 收银台", &body)
}

fn paid_page(trade: &TradeSnapshot) -> String {
    let body = format!(
        "<div class=\"paid\">\n<h1>支付成功</h1>\n\
         <p>商品 <span id=\"subject\">{}</span></p>\n\
         <p>金额 <span id=\"total_amount\">{}</span> 元</p>\n\
         <p>交易状态 <span id=\"trade_status\">{}</span></p>\n</div>\n",
        html_escape(&trade.subject),
        yuan(trade.total_amount.cents()),
        html_escape(&trade.status),
    );
    page("支付宝 - 支付成功", &body)
}

fn certify_page(certify_id: &str, cert_name: &str) -> String {
    let id = html_escape(certify_id);
    let body = format!(
        "<div class=\"certify\">\n<h1>支付宝沙箱 - 身份认证</h1>\n\
         <p>认证人 <span id=\"cert_name\">{}</span></p>\n\
         <form method=\"post\" action=\"/sandbox/certify/{id}?passed=T\">\n\
         <button type=\"submit\">认证通过</button>\n</form>\n\
         <form method=\"post\" action=\"/sandbox/certify/{id}?passed=F\">\n\
         <button type=\"submit\">认证失败</button>\n</form>\n</div>\n",
        html_escape(cert_name),
    );
    page("支付宝 - 身份认证", &body)
}

pub(crate) fn is_http_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Answers a verified request of a page method with the page the browser shows.
pub(crate) fn open_page(
    shared: &Shared,
    method: Method,
    params: &[(String, String)],
    app_id: &str,
    biz: Biz<'_>,
) -> String {
    let result = match method {
        Method::PagePay => pay_page(shared, params, app_id, &biz, Kind::Page),
        Method::WapPay => pay_page(shared, params, app_id, &biz, Kind::Wap),
        Method::Certify => certify_start(shared, app_id, &biz),
        Method::AgreementPageSign => super::agreement::page_sign(shared, params, app_id, &biz),
        _ => Err(Failure::invalid("isv.invalid-method", "不存在的方法名")),
    };
    result.unwrap_or_else(|failure| error_page(&failure))
}

fn pay_page(
    shared: &Shared,
    params: &[(String, String)],
    app_id: &str,
    biz: &Biz<'_>,
    kind: Kind,
) -> Result<String, Failure> {
    let get = |key: &str| super::decode::param(params, key);
    let product = match kind {
        Kind::Wap => "QUICK_WAP_WAY",
        Kind::Page | Kind::QrCode => "FAST_INSTANT_TRADE_PAY",
    };
    let return_url = get("return_url");
    for (key, url) in [
        ("return_url", return_url),
        ("notify_url", get("notify_url")),
    ] {
        if url.is_some_and(|u| !is_http_url(u)) {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                format!("{key}必须是http或https开头的地址"),
            ));
        }
    }
    let quit_url = match kind {
        Kind::Wap => biz.text("quit_url")?,
        Kind::Page | Kind::QrCode => None,
    };
    let new =
        NewTrade::read(biz, get("notify_url"), Some(product), true)?.with_return_url(return_url);
    let mut trade = trade::open_trade(shared, app_id, new)?;
    // The same order opened again keeps its first trade, but this page returns to this URL.
    trade.return_url = return_url.map(str::to_owned);
    let token = open_cashier(shared, &trade, kind, quit_url.as_deref());
    Ok(cashier_page(&token, &trade, quit_url.as_deref()))
}

fn certify_start(shared: &Shared, app_id: &str, biz: &Biz<'_>) -> Result<String, Failure> {
    let certify_id = biz.required("certify_id")?;
    let certification = lock(&shared.certifications)
        .of_app(app_id, &certify_id)
        .filter(|c| c.passed.is_none())
        .ok_or_else(super::member::expired)?;
    Ok(certify_page(
        &certification.certify_id,
        &certification.cert_name,
    ))
}

pub(crate) fn html(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    respond(status, HTML_CONTENT_TYPE, body)
}

pub(crate) fn redirect(location: &str) -> Response<Full<Bytes>> {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = html(StatusCode::FOUND, String::new());
            response.headers_mut().insert(LOCATION, value);
            response
        }
        Err(_) => html(
            StatusCode::OK,
            error_page(&Failure::invalid(
                "isv.invalid-parameter",
                "return_url不是合法的地址",
            )),
        ),
    }
}

/// A URL with every byte outside visible ASCII percent-encoded, so it fits a header.
fn header_safe(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if (0x21..0x7F).contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `url` with `query` appended (before any fragment).
fn append_query(url: &str, query: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Alipay's synchronous return parameters, signed like a notification (all but `sign` and
/// `sign_type`, sorted, empty values kept).
pub(crate) fn return_params(
    shared: &Shared,
    trade: &TradeSnapshot,
    kind: Kind,
) -> Result<Vec<(&'static str, String)>, Failure> {
    let seller_id = shared
        .app(&trade.app_id)
        .map(|app| app.seller_id.clone())
        .unwrap_or_default();
    let mut params = vec![
        ("charset", "utf-8".to_owned()),
        ("out_trade_no", trade.out_trade_no.clone()),
        ("method", kind.return_method().to_owned()),
        ("total_amount", yuan(trade.total_amount.cents())),
        ("trade_no", trade.trade_no.clone()),
        ("auth_app_id", trade.app_id.clone()),
        ("version", "1.0".to_owned()),
        ("app_id", trade.app_id.clone()),
        ("sign_type", "RSA2".to_owned()),
        ("seller_id", seller_id),
        ("timestamp", clock::now_text()),
    ];
    let content = notify_sign_content(params.iter().map(|(k, v)| (*k, v.as_str())));
    let sign = shared
        .alipay_signer(&trade.app_id)
        .0
        .sign(content.as_bytes())
        .map_err(|_| Failure::unavailable())?;
    // Alipay writes `sign` after `total_amount`.
    params.insert(4, ("sign", sign));
    Ok(params)
}

/// `GET /sandbox/cashier/<token>` shows the cashier (or the paid page);
/// `POST /sandbox/cashier/<token>/pay` pays.
pub(crate) async fn cashier_route(
    shared: &Shared,
    method: &HttpMethod,
    rest: &str,
) -> Response<Full<Bytes>> {
    let (token, pay) = match rest.strip_suffix("/pay") {
        Some(token) => (token, true),
        None => (rest, false),
    };
    let Some(cashier) = lock(&shared.cashiers).get(token).cloned() else {
        return html(
            StatusCode::NOT_FOUND,
            error_page(&Failure::invalid(
                "isv.invalid-parameter",
                "收银台不存在或已过期",
            )),
        );
    };
    let expected = if pay {
        HttpMethod::POST
    } else {
        HttpMethod::GET
    };
    if *method != expected {
        return html(
            StatusCode::METHOD_NOT_ALLOWED,
            error_page(&Failure::invalid(
                "isv.invalid-parameter",
                format!("请使用{expected}"),
            )),
        );
    }
    if !pay {
        let Some(trade) = lock(&shared.trades).snapshot(&cashier.app_id, &cashier.out_trade_no)
        else {
            return html(
                StatusCode::OK,
                error_page(&Failure::business("ACQ.TRADE_NOT_EXIST", "交易不存在")),
            );
        };
        let body = if trade.status == "WAIT_BUYER_PAY" {
            cashier_page(token, &trade, cashier.quit_url.as_deref())
        } else {
            paid_page(&trade)
        };
        return html(StatusCode::OK, body);
    }
    let paid = match super::pay(shared, &cashier.app_id, &cashier.out_trade_no).await {
        Ok(paid) => paid,
        Err(SandboxError::WrongState { status, .. }) => {
            let failure = if status == "TRADE_CLOSED" {
                Failure::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            } else {
                Failure::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            };
            return html(StatusCode::OK, error_page(&failure));
        }
        Err(SandboxError::State(_)) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                error_page(&Failure::unavailable()),
            );
        }
        Err(_) => {
            return html(
                StatusCode::OK,
                error_page(&Failure::business("ACQ.TRADE_NOT_EXIST", "交易不存在")),
            );
        }
    };
    let Some(return_url) = &cashier.return_url else {
        return html(StatusCode::OK, paid_page(&paid));
    };
    match return_params(shared, &paid, cashier.kind) {
        Ok(params) => {
            let query = form_encode(params.iter().map(|(k, v)| (*k, v.as_str())));
            redirect(&append_query(&header_safe(return_url), &query))
        }
        Err(failure) => html(StatusCode::OK, error_page(&failure)),
    }
}

/// `POST /sandbox/certify/<certify_id>?passed=T|F`: the user passes or fails; then back to the
/// `merchant_config.return_url` (302) or a done page.
pub(crate) fn certify_route(
    shared: &Shared,
    method: &HttpMethod,
    certify_id: &str,
    query: &str,
) -> Response<Full<Bytes>> {
    if method != HttpMethod::POST {
        return html(
            StatusCode::METHOD_NOT_ALLOWED,
            error_page(&Failure::invalid("isv.invalid-parameter", "请使用POST")),
        );
    }
    let passed = match form_decode(query.as_bytes()) {
        Ok(params) => match super::decode::param(&params, "passed") {
            Some("T") => Some(true),
            Some("F") => Some(false),
            _ => None,
        },
        Err(_) => None,
    };
    let Some(passed) = passed else {
        return html(
            StatusCode::BAD_REQUEST,
            error_page(&Failure::invalid(
                "isv.invalid-parameter",
                "参数passed只能是T或F",
            )),
        );
    };
    let done = match lock(&shared.certifications).complete(certify_id, passed) {
        Ok(done) => done,
        Err(_) => return html(StatusCode::OK, error_page(&super::member::expired())),
    };
    match &done.return_url {
        Some(url) => redirect(&header_safe(url)),
        None => {
            let verdict = if passed {
                "认证通过"
            } else {
                "认证未通过"
            };
            let body = format!(
                "<div class=\"certified\">\n<h1 id=\"passed\" data-passed=\"{}\">{verdict}</h1>\n</div>\n",
                if passed { "T" } else { "F" }
            );
            html(StatusCode::OK, page("支付宝 - 身份认证", &body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(append_query("http://m/r", "a=1"), "http://m/r?a=1");
        assert_eq!(append_query("http://m/r?x=2", "a=1"), "http://m/r?x=2&a=1");
        assert_eq!(append_query("http://m/r?", "a=1"), "http://m/r?a=1");
        assert_eq!(append_query("http://m/r#top", "a=1"), "http://m/r?a=1#top");
        assert_eq!(header_safe("http://m/中 x"), "http://m/%E4%B8%AD%20x");
        assert!(is_http_url("HTTPS://x"));
        assert!(is_http_url("http://x"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(!is_http_url("ftp://x"));
        assert!(!is_http_url("中文"));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
