//! The sandbox over OpenAPI v3, on the same host as its v2 gateway: the trade flow over v3
//! (precreate, pay in the cashier, query, refund), state shared with v2 both ways, signed v3
//! errors, and the request checks (bad signature, stale timestamp, replayed nonce, each next to
//! a request that passes).

use alipay::payment::common::{TradeCreate, TradeQuery, TradeRefund, TradeStatus};
use alipay::payment::face_to_face::TradePrecreate;
use alipay::sandbox::{Sandbox, SandboxApp};
use alipay::transport::{HyperTransport, Transport as _};
use alipay::v3::answer::verify_answer;
use alipay::v3::sign;
use alipay::{Amount, Client, Error, Protocol, Signer as _, Verifier as _};
use bytes::Bytes;

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("amount")
}

async fn setup() -> (Sandbox, SandboxApp, Client, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let v3 = sandbox
        .client_builder(&app)
        .protocol(Protocol::V3)
        .build()
        .expect("v3 client");
    let v2 = sandbox.client_builder(&app).build().expect("v2 client");
    (sandbox, app, v3, v2)
}

#[tokio::test]
async fn precreate_pay_query_refund_over_v3() {
    let (sandbox, _app, v3, v2) = setup().await;
    let precreated = v3
        .send(
            TradePrecreate::builder()
                .out_trade_no("V3-1")
                .total_amount(amount("8.88"))
                .subject("v3 tea")
                .build(),
        )
        .await
        .expect("precreated over v3");
    let requests = sandbox.requests();
    let recorded = requests.last().expect("recorded");
    assert_eq!(recorded.http_method, "POST");
    assert_eq!(recorded.method.as_deref(), Some("alipay.trade.precreate"));
    sandbox
        .pay_in_cashier(&precreated.qr_code)
        .await
        .expect("paid in the cashier");
    let trade = v3
        .send(TradeQuery::builder().out_trade_no("V3-1").build())
        .await
        .expect("queried over v3");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    assert_eq!(trade.total_amount.as_str(), "8.88");
    let refund = v3
        .send(
            TradeRefund::builder()
                .out_trade_no("V3-1")
                .refund_amount(amount("1.00"))
                .out_request_no("R1")
                .build(),
        )
        .await
        .expect("refunded over v3");
    assert_eq!(
        refund.refund_fee.map(|a| a.as_str().to_owned()).as_deref(),
        Some("1.00")
    );
    // The same trade over v2.
    let over_v2 = v2
        .send(TradeQuery::builder().out_trade_no("V3-1").build())
        .await
        .expect("queried over v2");
    assert_eq!(over_v2.trade_status, TradeStatus::TradeSuccess);
}

#[tokio::test]
async fn state_is_shared_with_v2_both_ways() {
    let (_sandbox, _app, v3, v2) = setup().await;
    let create = |no: &str| {
        TradeCreate::builder()
            .out_trade_no(no)
            .total_amount(amount("2.00"))
            .subject("both")
            .build()
    };
    v3.send(create("V3-A")).await.expect("created over v3");
    let trade = v2
        .send(TradeQuery::builder().out_trade_no("V3-A").build())
        .await
        .expect("queried over v2");
    assert_eq!(trade.trade_status, TradeStatus::WaitBuyerPay);
    v2.send(create("V2-B")).await.expect("created over v2");
    let trade = v3
        .send(TradeQuery::builder().out_trade_no("V2-B").build())
        .await
        .expect("queried over v3");
    assert_eq!(trade.total_amount.as_str(), "2.00");
}

#[tokio::test]
async fn a_business_refusal_is_a_signed_v3_error() {
    let (_sandbox, _app, v3, v2) = setup().await;
    let error = v3
        .send(TradeQuery::builder().out_trade_no("NOPE").build())
        .await
        .expect_err("no such trade");
    let Error::V3(error) = error else {
        panic!("expected a signed v3 error, got {error:?}");
    };
    assert_eq!(error.code, "ACQ.TRADE_NOT_EXIST");
    assert!(!error.message.is_empty());
    assert!(error.trace_id.is_some());
    // The same refusal over v2, for comparison.
    let error = v2
        .send(TradeQuery::builder().out_trade_no("NOPE").build())
        .await
        .expect_err("no such trade");
    assert!(
        matches!(error, Error::Api(ref e) if e.sub_code.as_deref() == Some("ACQ.TRADE_NOT_EXIST"))
    );
}

/// A v3 request signed by `app` by hand, with the given nonce and timestamp; `tamper` changes
/// the body after signing.
fn hand_signed(
    sandbox: &Sandbox,
    app: &SandboxApp,
    nonce: &str,
    timestamp_ms: u64,
    expired_seconds: Option<u32>,
    tamper: bool,
) -> http::Request<Bytes> {
    let uri = "/v3/alipay/trade/query";
    let body = r#"{"out_trade_no":"H1"}"#;
    let auth = sign::auth_string(&app.app_id, None, nonce, timestamp_ms, expired_seconds);
    let content = sign::content(&auth, "POST", uri, body, None);
    let signature = app.private_key.sign(content.as_bytes()).expect("sign");
    let sent = if tamper {
        r#"{"out_trade_no":"H2"}"#
    } else {
        body
    };
    http::Request::post(format!("http://{}{uri}", sandbox.addr()))
        .header("authorization", sign::authorization(&auth, &signature))
        .header("content-type", "application/json")
        .body(Bytes::from(sent))
        .expect("request")
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64
}

/// Sends a hand-made request; returns the status and the verified body, checked with the
/// sandbox's Alipay key.
async fn exchange(
    sandbox: &Sandbox,
    request: http::Request<Bytes>,
) -> (u16, Result<String, Error>) {
    let transport = HyperTransport::new(std::time::Duration::from_secs(5)).expect("transport");
    let answer = transport.send(request, 1 << 20).await.expect("answer");
    let key = sandbox.alipay_public_key();
    let verified = verify_answer(answer.status, &answer.headers, &answer.body, |_, c, s| {
        key.verify(c, s)
    })
    .map(|body| String::from_utf8_lossy(body).into_owned());
    (answer.status, verified)
}

fn v3_code(result: &Result<String, Error>) -> Option<&str> {
    match result {
        Err(Error::V3(error)) => Some(&error.code),
        _ => None,
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused_with_a_signed_error() {
    let (sandbox, app, v3, _) = setup().await;
    v3.send(
        TradeCreate::builder()
            .out_trade_no("H1")
            .total_amount(amount("1.00"))
            .subject("hand")
            .build(),
    )
    .await
    .expect("created");
    let (status, ok) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-ok", now_ms(), None, false),
    )
    .await;
    assert_eq!(status, 200, "{ok:?}");
    assert!(ok.expect("verified").contains("\"out_trade_no\":\"H1\""));
    let (status, refused) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-bad", now_ms(), None, true),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        v3_code(&refused),
        Some("isv.invalid-signature"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_stale_timestamp_is_refused() {
    let (sandbox, app, _, _) = setup().await;
    // Within `expired_seconds`: passes the checks (the trade does not exist).
    let recent = now_ms() - 30_000;
    let (_, passed) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-recent", recent, Some(60), false),
    )
    .await;
    assert_eq!(v3_code(&passed), Some("ACQ.TRADE_NOT_EXIST"), "{passed:?}");
    // Beyond the `expired_seconds` it declares, and beyond the default window.
    let (status, stale) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-stale", recent, Some(10), false),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(v3_code(&stale), Some("isv.invalid-timestamp"), "{stale:?}");
    let (_, old) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-old", now_ms() - 3_600_000, None, false),
    )
    .await;
    assert_eq!(v3_code(&old), Some("isv.invalid-timestamp"), "{old:?}");
}

#[tokio::test]
async fn a_replayed_nonce_is_refused() {
    let (sandbox, app, _, _) = setup().await;
    let at = now_ms();
    let (_, first) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-once", at, None, false),
    )
    .await;
    assert_eq!(v3_code(&first), Some("ACQ.TRADE_NOT_EXIST"), "{first:?}");
    let (status, replay) = exchange(
        &sandbox,
        hand_signed(&sandbox, &app, "n-once", at, None, false),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(v3_code(&replay), Some("isv.nonce-replayed"), "{replay:?}");
}

#[tokio::test]
async fn an_unknown_app_or_missing_authorization_is_an_unsigned_refusal() {
    let (sandbox, _app, _, _) = setup().await;
    let request = http::Request::post(format!("http://{}/v3/alipay/trade/query", sandbox.addr()))
        .body(Bytes::from_static(b"{}"))
        .expect("request");
    let (status, result) = exchange(&sandbox, request).await;
    assert_eq!(status, 401);
    assert!(
        matches!(result, Err(Error::V3Unsigned { status: 401, .. })),
        "{result:?}"
    );
}
