//! Asynchronous notifications: the signed `trade_status_sync` form the sandbox POSTs to a
//! trade's `notify_url` after a payment, a refund or a close, and the other forms (agreement
//! `dut_user_sign`/`dut_user_unsign`, message-service messages such as a transfer's
//! `alipay.fund.trans.order.changed`), retried on Alipay's schedule until the merchant answers
//! `success`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{mpsc, oneshot, watch};

use super::clock;
use super::wire::yuan;
use super::{NotificationKind, NotificationRecord, Shared, TradeSnapshot, lock};
use crate::crypto::Signer as _;
use crate::wire::{form_encode, notify_sign_content};

/// How long one delivery may take, answer included.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of the merchant's answer is kept.
const MAX_ANSWER: usize = 64 * 1024;
/// Alipay's delays between attempts, in seconds: 4m, 10m, 10m, 1h, 2h, 6h, 15h (eight attempts
/// in all, about 25 hours).
pub(crate) const RETRY_DELAYS: [u64; 7] = [240, 600, 600, 3600, 7200, 21_600, 54_000];
/// The longest wait between two attempts, whatever the scale.
const MAX_DELAY: Duration = Duration::from_secs(365 * 86_400);

/// What happened to a trade.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// The buyer paid.
    Paid,
    /// A refund of `out_biz_no` was made; the snapshot's `refunded_cents` is the total so far.
    Refunded {
        out_biz_no: String,
        /// `yyyy-MM-dd HH:mm:ss.SSS`.
        gmt_refund: String,
    },
    /// The trade was closed unpaid.
    Closed { gmt_close: String },
}

/// A notification to deliver.
#[derive(Debug, Clone)]
pub(crate) enum Notice {
    /// `trade_status_sync`: the trade as it is after the event.
    Trade {
        trade: Box<TradeSnapshot>,
        event: Event,
    },
    /// Any other form (agreements, messages).
    Form(FormNotice),
}

/// Which family a [`FormNotice`] is of: what each attempt adds besides `notify_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `notify_type=…` forms: `notify_time` (Beijing time).
    Classic,
    /// `msg_method=…` forms: `utc_timestamp` (milliseconds).
    Message,
}

/// A notification that is not about a trade: its fixed fields, in the order sent.
#[derive(Debug, Clone)]
pub(crate) struct FormNotice {
    pub(crate) app_id: String,
    pub(crate) notify_url: Option<String>,
    /// What [`NotificationRecord::out_trade_no`] shows: the merchant's number of what is
    /// notified (e.g. `external_agreement_no`).
    pub(crate) subject: String,
    pub(crate) kind: NotificationKind,
    pub(crate) family: Family,
    /// Every field but `notify_id`, `notify_time`/`utc_timestamp` and `sign`.
    pub(crate) fields: Vec<(&'static str, String)>,
}

impl Notice {
    pub(crate) fn paid(trade: TradeSnapshot) -> Self {
        Self::Trade {
            trade: Box::new(trade),
            event: Event::Paid,
        }
    }

    pub(crate) fn kind(&self) -> NotificationKind {
        match self {
            Self::Trade { event, .. } => match event {
                Event::Paid => NotificationKind::Payment,
                Event::Refunded { .. } => NotificationKind::Refund,
                Event::Closed { .. } => NotificationKind::Close,
            },
            Self::Form(form) => form.kind,
        }
    }

    fn app_id(&self) -> &str {
        match self {
            Self::Trade { trade, .. } => &trade.app_id,
            Self::Form(form) => &form.app_id,
        }
    }

    fn subject(&self) -> &str {
        match self {
            Self::Trade { trade, .. } => &trade.out_trade_no,
            Self::Form(form) => &form.subject,
        }
    }

    fn notify_url(&self) -> Option<&str> {
        match self {
            Self::Trade { trade, .. } => trade.notify_url.as_deref(),
            Self::Form(form) => form.notify_url.as_deref(),
        }
    }

    /// The parameters of one attempt, without `sign`, in the order Alipay sends them.
    fn params(
        &self,
        seller_id: &str,
        notify_id: &str,
        notify_time: &str,
    ) -> Vec<(&'static str, String)> {
        match self {
            Self::Trade { trade, event } => {
                trade_params(trade, event, seller_id, notify_id, notify_time)
            }
            Self::Form(form) => {
                let mut params = form.fields.clone();
                match form.family {
                    Family::Classic => params.push(("notify_time", notify_time.to_owned())),
                    Family::Message => {
                        params.push(("utc_timestamp", clock::unix_millis().to_string()))
                    }
                }
                params.push(("notify_id", notify_id.to_owned()));
                params.push(("sign_type", "RSA2".to_owned()));
                params.into_iter().filter(|(_, v)| !v.is_empty()).collect()
            }
        }
    }
}

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

/// The wait before attempt `attempt + 1`, Alipay's schedule scaled by `scale`; `None` after
/// the last attempt.
pub(crate) fn retry_delay(attempt: u32, scale: f64) -> Option<Duration> {
    let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
    let secs = *RETRY_DELAYS.get(index)?;
    let scaled = Duration::try_from_secs_f64(secs as f64 * scale).unwrap_or(MAX_DELAY);
    Some(scaled.min(MAX_DELAY))
}

/// A new `notify_id`: the date, `00222`, the time and a sequence number (34 characters).
fn new_notify_id(seq: u64) -> String {
    let now = clock::now_text();
    let digits = clock::compact_digits(&now);
    format!(
        "{}00222{}{:015}",
        digits.get(..8).unwrap_or("19700101"),
        digits.get(8..).unwrap_or("000000"),
        seq % 1_000_000_000_000_000
    )
}

/// The parameters of a trade notification, without `sign`, in the order Alipay sends them.
fn trade_params(
    trade: &TradeSnapshot,
    event: &Event,
    seller_id: &str,
    notify_id: &str,
    notify_time: &str,
) -> Vec<(&'static str, String)> {
    let paid = trade.gmt_payment.is_some();
    let total = yuan(trade.total_amount.cents());
    let mut params = vec![
        ("gmt_create", trade.gmt_create.clone()),
        ("charset", "utf-8".to_owned()),
        ("seller_email", "sandbox_seller@sandbox.com".to_owned()),
        ("subject", trade.subject.clone()),
    ];
    let buyer_id = match (&trade.buyer_id, paid) {
        (Some(id), _) => Some(id.clone()),
        (None, true) => Some(super::trade::SANDBOX_BUYER_ID.to_owned()),
        (None, false) => None,
    };
    if let Some(buyer_id) = buyer_id {
        params.push(("buyer_id", buyer_id));
    }
    if paid {
        let fund_bill_list =
            serde_json::json!([{ "amount": total, "fundChannel": "ALIPAYACCOUNT" }]).to_string();
        params.push(("invoice_amount", total.clone()));
        params.push(("fund_bill_list", fund_bill_list));
    }
    params.extend([
        ("notify_id", notify_id.to_owned()),
        ("notify_type", "trade_status_sync".to_owned()),
        ("trade_status", trade.status.clone()),
    ]);
    if paid {
        params.push(("receipt_amount", total.clone()));
        params.push(("buyer_pay_amount", total.clone()));
    }
    params.extend([
        ("app_id", trade.app_id.clone()),
        ("sign_type", "RSA2".to_owned()),
        ("seller_id", seller_id.to_owned()),
        ("gmt_payment", trade.gmt_payment.clone().unwrap_or_default()),
        ("notify_time", notify_time.to_owned()),
        ("version", "1.0".to_owned()),
        ("out_trade_no", trade.out_trade_no.clone()),
        ("total_amount", total),
        ("trade_no", trade.trade_no.clone()),
        ("auth_app_id", trade.app_id.clone()),
    ]);
    if paid {
        params.push((
            "buyer_logon_id",
            trade
                .buyer_logon_id
                .clone()
                .unwrap_or_else(|| super::trade::SANDBOX_BUYER_LOGON_ID.to_owned()),
        ));
        params.push(("point_amount", "0.00".to_owned()));
    }
    match event {
        Event::Paid => {}
        Event::Refunded {
            out_biz_no,
            gmt_refund,
        } => {
            params.push(("refund_fee", yuan(trade.refunded_cents)));
            params.push(("gmt_refund", gmt_refund.clone()));
            params.push(("out_biz_no", out_biz_no.clone()));
            if trade.status == "TRADE_CLOSED" {
                let seconds = gmt_refund.get(..19).unwrap_or(gmt_refund);
                params.push(("gmt_close", seconds.to_owned()));
            }
        }
        Event::Closed { gmt_close } => params.push(("gmt_close", gmt_close.clone())),
    }
    // The form encoding leaves empty values out, so none may be signed.
    params.into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

/// Starts delivering a notification in the background, if it has a `notify_url` and the
/// sandbox is running. The receiver completes once the first attempt is recorded (or is
/// dropped when the sandbox stops first).
pub(crate) fn dispatch(shared: &Shared, notice: Notice) -> Option<oneshot::Receiver<()>> {
    let url = notice.notify_url()?.to_owned();
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let shared = shared.me.upgrade()?;
    let alive = lock(&shared.tasks_alive).clone()?;
    let stop = shared.stop.clone();
    let (first, first_done) = oneshot::channel();
    runtime.spawn(deliver(shared, notice, url, first, stop, alive));
    Some(first_done)
}

/// Attempts a delivery until it is acknowledged, the schedule is exhausted or the sandbox stops.
async fn deliver(
    shared: Arc<Shared>,
    notice: Notice,
    url: String,
    first: oneshot::Sender<()>,
    mut stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<Infallible>,
) {
    let notify_id = new_notify_id(shared.ids.notification());
    let seller_id = shared
        .app(notice.app_id())
        .map(|app| app.seller_id.clone())
        .unwrap_or_default();
    let mut first = Some(first);
    let mut attempt = 1u32;
    loop {
        if *stop.borrow_and_update() {
            break;
        }
        let sent_at = clock::now_text();
        let mut params = notice.params(&seller_id, &notify_id, &sent_at);
        let content = notify_sign_content(params.iter().map(|(k, v)| (*k, v.as_str())));
        // A certificate app's notifications are signed with the current Alipay certificate.
        let (signer, _) = shared.alipay_signer(notice.app_id());
        let (body, result) = match signer.sign(content.as_bytes()) {
            Ok(sign) => {
                params.push(("sign", sign));
                let body = form_encode(params.iter().map(|(k, v)| (*k, v.as_str())));
                let result = tokio::select! {
                    result = shared.notifier.post(&url, body.clone()) => result,
                    _ = stop.changed() => Err("the sandbox stopped before an answer came".to_owned()),
                };
                (body, result)
            }
            Err(e) => (
                String::new(),
                Err(format!("signing the notification failed: {e}")),
            ),
        };
        let (status, response_body, error) = match result {
            Ok((status, text)) => (Some(status), Some(text), None),
            Err(text) => (None, None, Some(text)),
        };
        let acknowledged = status == Some(200)
            && response_body
                .as_deref()
                .is_some_and(|b| b.trim() == "success");
        let next = if acknowledged {
            None
        } else {
            retry_delay(attempt, shared.notify_scale)
        };
        lock(&shared.notifications).push(NotificationRecord {
            app_id: notice.app_id().to_owned(),
            out_trade_no: notice.subject().to_owned(),
            notify_id: notify_id.clone(),
            kind: notice.kind(),
            attempt,
            sent_at,
            url: url.clone(),
            params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            body,
            status,
            response_body,
            error,
            next_attempt_in: next,
        });
        if let Some(first) = first.take() {
            let _ = first.send(());
        }
        let Some(delay) = next else { break };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => break,
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_alipays_scaled() {
        assert_eq!(retry_delay(1, 1.0), Some(Duration::from_secs(240)));
        assert_eq!(retry_delay(7, 1.0), Some(Duration::from_secs(54_000)));
        assert_eq!(retry_delay(8, 1.0), None);
        assert_eq!(retry_delay(0, 1.0), None);
        assert_eq!(retry_delay(1, 0.001), Some(Duration::from_millis(240)));
        assert_eq!(retry_delay(1, 0.0), Some(Duration::ZERO));
        assert_eq!(retry_delay(7, 1e30), Some(MAX_DELAY));
    }
}
