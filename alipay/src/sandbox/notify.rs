//! Asynchronous notifications: the signed `trade_status_sync` form the sandbox POSTs to a
//! trade's `notify_url` when the buyer pays.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::wire::{self, yuan};
use super::{NotificationRecord, Shared, TradeSnapshot, lock};
use crate::crypto::Signer as _;
use crate::sign::{form_encode, notify_sign_content};

/// How long one delivery may take, answer included.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of the merchant's answer is kept.
const MAX_ANSWER: usize = 64 * 1024;

/// Notification ids are unique in the process.
static NOTIFY_SEQ: AtomicU64 = AtomicU64::new(1);

/// The HTTP client that delivers notifications (plain HTTP, one connection per delivery).
#[derive(Clone)]
pub(crate) struct Notifier {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").finish_non_exhaustive()
    }
}

impl Notifier {
    pub(crate) fn new() -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build_http();
        Self { client }
    }

    /// POSTs `body` to `url`; returns the status and body received, or the error text.
    async fn post(&self, url: &str, body: String) -> Result<(u16, String), String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("invalid notify_url `{url}`: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "the sandbox delivers notifications over plain http only, not to `{url}`"
            ));
        }
        let mut request = Request::new(Full::new(Bytes::from(body)));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri;
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );
        let exchange = async {
            let response = self.client.request(request).await.map_err(error_text)?;
            let status = response.status().as_u16();
            let collected = Limited::new(response.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| format!("reading the answer failed: {e}"))?;
            let body = String::from_utf8_lossy(&collected.to_bytes()).into_owned();
            Ok((status, body))
        };
        match tokio::time::timeout(DELIVERY_TIMEOUT, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} s", DELIVERY_TIMEOUT.as_secs())),
        }
    }
}

/// An error and its sources, joined with `: `.
fn error_text(error: impl std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The notification parameters of a paid trade, without `sign`.
fn trade_paid_params(trade: &TradeSnapshot, seller_id: &str) -> Vec<(&'static str, String)> {
    let now = wire::now_text();
    let seq = NOTIFY_SEQ.fetch_add(1, Ordering::Relaxed);
    let digits = wire::compact_digits(&now);
    let notify_id = format!(
        "{}00222{}{:015}",
        digits.get(..8).unwrap_or("19700101"),
        digits.get(8..).unwrap_or("000000"),
        seq % 1_000_000_000_000_000
    );
    let total = yuan(trade.total_amount.cents());
    let mut fund_bill_list = String::from("[{\"amount\":");
    wire::push_json_str(&mut fund_bill_list, &total);
    fund_bill_list.push_str(",\"fundChannel\":\"ALIPAYACCOUNT\"}]");
    let buyer_id = trade
        .buyer_id
        .clone()
        .unwrap_or_else(|| super::trade::SANDBOX_BUYER_ID.to_owned());
    let buyer_logon_id = trade
        .buyer_logon_id
        .clone()
        .unwrap_or_else(|| super::trade::SANDBOX_BUYER_LOGON_ID.to_owned());
    let params = vec![
        ("gmt_create", trade.gmt_create.clone()),
        ("charset", "utf-8".to_owned()),
        ("seller_email", "sandbox_seller@sandbox.com".to_owned()),
        ("subject", trade.subject.clone()),
        ("buyer_id", buyer_id),
        ("invoice_amount", total.clone()),
        ("notify_id", notify_id),
        ("fund_bill_list", fund_bill_list),
        ("notify_type", "trade_status_sync".to_owned()),
        ("trade_status", trade.status.clone()),
        ("receipt_amount", total.clone()),
        ("buyer_pay_amount", total.clone()),
        ("app_id", trade.app_id.clone()),
        ("sign_type", "RSA2".to_owned()),
        ("seller_id", seller_id.to_owned()),
        ("gmt_payment", trade.gmt_payment.clone().unwrap_or_default()),
        ("notify_time", now),
        ("version", "1.0".to_owned()),
        ("out_trade_no", trade.out_trade_no.clone()),
        ("total_amount", total),
        ("trade_no", trade.trade_no.clone()),
        ("auth_app_id", trade.app_id.clone()),
        ("buyer_logon_id", buyer_logon_id),
        ("point_amount", "0.00".to_owned()),
    ];
    // The form encoding leaves empty values out, so none may be signed.
    params.into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

/// Signs and delivers the notification of a paid trade to `url`, and records the delivery.
pub(crate) async fn deliver_trade_paid(
    shared: &Shared,
    trade: &TradeSnapshot,
    url: &str,
    seller_id: &str,
) {
    let mut params = trade_paid_params(trade, seller_id);
    let notify_id = params
        .iter()
        .find(|(k, _)| *k == "notify_id")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let content = notify_sign_content(params.iter().map(|(k, v)| (*k, v.as_str())));
    let outcome = match shared
        .alipay_signer(&trade.app_id)
        .0
        .sign(content.as_bytes())
    {
        Ok(sign) => {
            params.push(("sign", sign));
            let body = form_encode(params.iter().map(|(k, v)| (*k, v.as_str())));
            let result = shared.notifier.post(url, body.clone()).await;
            (body, result)
        }
        Err(e) => (
            String::new(),
            Err(format!("signing the notification failed: {e}")),
        ),
    };
    let (body, result) = outcome;
    let (status, response_body, error) = match result {
        Ok((status, text)) => (Some(status), Some(text), None),
        Err(text) => (None, None, Some(text)),
    };
    lock(&shared.notifications).push(NotificationRecord {
        app_id: trade.app_id.clone(),
        out_trade_no: trade.out_trade_no.clone(),
        notify_id,
        url: url.to_owned(),
        params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        body,
        status,
        response_body,
        error,
    });
}
