//! Notifications like Alipay's: payments, refunds and closes are notified, and a notification
//! is retried on Alipay's (scaled) schedule until the merchant answers `success`, and not after.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alipay::notify::NotifyError;
use alipay::payment::common::{TradeClose, TradeCreate, TradeRefund, TradeStatus};
use alipay::sandbox::{NotificationKind, Sandbox};
use alipay::{Amount, Client, Error};
use alipay_tests::{NotifySink, read_request};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A merchant endpoint that answers `fail` to the first `failures` requests, then `success`.
struct Flaky {
    url: String,
    hits: Arc<AtomicUsize>,
    bodies: mpsc::UnboundedReceiver<Vec<u8>>,
}

impl Flaky {
    async fn start(failures: usize) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let (sender, bodies) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(request) = read_request(&mut stream).await else {
                    continue;
                };
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let _ = sender.send(request.body);
                let answer: &[u8] = if n <= failures {
                    b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nfail"
                } else {
                    b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nsuccess"
                };
                let _ = stream.write_all(answer).await;
                let _ = stream.shutdown().await;
            }
        });
        Self { url, hits, bodies }
    }
}

async fn setup(scale: f64, notify_url: &str) -> (Sandbox, String, Client) {
    let sandbox = Sandbox::builder()
        .notify_time_scale(scale)
        .start()
        .await
        .expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let client = sandbox
        .client_builder(&app)
        .notify_url(notify_url)
        .build()
        .expect("client");
    (sandbox, app.app_id, client)
}

async fn create(client: &Client, out_trade_no: &str, total: &str) {
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no)
                .total_amount(Amount::new(total).expect("amount"))
                .subject("notified")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("created");
}

#[tokio::test]
async fn a_notification_is_retried_until_success_and_not_after() {
    let mut receiver = Flaky::start(2).await;
    // 4 minutes become 2.4 ms, 10 minutes 6 ms; the whole schedule under a second.
    let (sandbox, app_id, client) = setup(0.000_01, &receiver.url).await;
    create(&client, "N-1", "3.00").await;
    sandbox.pay(&app_id, "N-1").await.expect("paid");
    // The first attempt is made before `pay` returns.
    assert!(receiver.hits.load(Ordering::SeqCst) >= 1);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sandbox.notifications().len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "three attempts in time"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Long enough for the rest of the schedule (about 1.3 s scaled), were it still running.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        receiver.hits.load(Ordering::SeqCst),
        3,
        "exactly three attempts"
    );
    let records = sandbox.notifications();
    assert_eq!(records.len(), 3);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.attempt, i as u32 + 1);
        assert_eq!(record.kind, NotificationKind::Payment);
        assert_eq!(
            record.notify_id, records[0].notify_id,
            "one notify_id for all attempts"
        );
        assert_eq!(record.status, Some(200));
    }
    assert!(!records[0].acknowledged() && !records[1].acknowledged());
    assert_eq!(records[0].response_body.as_deref(), Some("fail"));
    assert_eq!(
        records[0].next_attempt_in,
        Some(Duration::from_micros(2400))
    );
    assert_eq!(
        records[1].next_attempt_in,
        Some(Duration::from_micros(6000))
    );
    assert!(records[2].acknowledged());
    assert_eq!(records[2].next_attempt_in, None);
    // Every attempt is a genuine notification, its fund_bill_list decoded.
    for _ in 0..3 {
        let body = receiver.bodies.recv().await.expect("body");
        let trade = client
            .verify_notification(&body)
            .expect("signed")
            .trade()
            .expect("a trade");
        let bill = &trade.fund_bill_list[0];
        assert_eq!(
            bill.fund_channel,
            Some(alipay::payment::common::FundChannel::AlipayAccount)
        );
        assert_eq!(bill.amount.as_ref().map(Amount::as_str), Some("3.00"));
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_merchant_gets_all_eight_attempts() {
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let url = format!("http://{closed}/notify");
    let (sandbox, app_id, client) = setup(0.000_01, &url).await;
    create(&client, "N-2", "1.00").await;
    sandbox.pay(&app_id, "N-2").await.expect("paid");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sandbox.notifications().len() < 8 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "eight attempts in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let records = sandbox.notifications();
    assert_eq!(records.len(), 8);
    assert!(
        records
            .iter()
            .all(|r| r.error.is_some() && r.status.is_none())
    );
    assert_eq!(records[7].next_attempt_in, None);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_pending_retries() {
    let receiver = Flaky::start(usize::MAX).await;
    // Real time: the second attempt would come 4 minutes later.
    let (sandbox, app_id, client) = setup(1.0, &receiver.url).await;
    create(&client, "N-3", "1.00").await;
    sandbox.pay(&app_id, "N-3").await.expect("paid");
    assert_eq!(sandbox.notifications().len(), 1);
    tokio::time::timeout(Duration::from_secs(5), sandbox.shutdown())
        .await
        .expect("shutdown does not wait for the retry");
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refunds_and_closes_are_notified() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app_id, client) = setup(1.0, &sink.url).await;
    create(&client, "R-1", "10.00").await;
    sandbox.pay(&app_id, "R-1").await.expect("paid");
    let paid = client
        .verify_notification(&sink.next().await)
        .expect("signed");
    assert_eq!(paid.get("trade_status"), Some("TRADE_SUCCESS"));

    let refund = |amount: &str, request_no: &str| {
        TradeRefund::builder()
            .out_trade_no("R-1")
            .refund_amount(Amount::new(amount).expect("amount"))
            .out_request_no(request_no)
            .build()
    };
    client.send(refund("4.00", "RQ-1")).await.expect("refund");
    let partial = client
        .verify_notification(&sink.next().await)
        .expect("signed");
    let trade = partial.trade().expect("trade notification");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    assert_eq!(trade.refund_fee.as_ref().map(Amount::as_str), Some("4.00"));
    assert_eq!(trade.out_biz_no.as_deref(), Some("RQ-1"));
    let gmt_refund = partial.get("gmt_refund").expect("gmt_refund");
    assert_eq!(
        gmt_refund.len(),
        "2026-01-01 00:00:00.000".len(),
        "{gmt_refund}"
    );
    assert_eq!(partial.get("gmt_close"), None);

    client
        .send(refund("6.00", "RQ-2"))
        .await
        .expect("refund the rest");
    let full = client
        .verify_notification(&sink.next().await)
        .expect("signed");
    assert_eq!(full.get("trade_status"), Some("TRADE_CLOSED"));
    assert_eq!(full.get("refund_fee"), Some("10.00"));
    assert_eq!(full.get("out_biz_no"), Some("RQ-2"));
    assert!(full.get("gmt_close").is_some());

    // A repeated refund moves no money and is not notified again.
    client.send(refund("6.00", "RQ-2")).await.expect("repeat");

    create(&client, "C-1", "1.00").await;
    client
        .send(TradeClose::builder().out_trade_no("C-1").build())
        .await
        .expect("closed");
    let closed = client
        .verify_notification(&sink.next().await)
        .expect("signed");
    assert_eq!(closed.get("out_trade_no"), Some("C-1"));
    assert_eq!(closed.get("trade_status"), Some("TRADE_CLOSED"));
    assert!(closed.get("gmt_close").is_some());
    assert_eq!(closed.get("gmt_payment"), None);
    assert_eq!(closed.get("refund_fee"), None);

    // The sink has the body before the sandbox records the answer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while sandbox.notifications().len() < 4 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let kinds: Vec<NotificationKind> = sandbox.notifications().iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::Payment,
            NotificationKind::Refund,
            NotificationKind::Refund,
            NotificationKind::Close
        ]
    );
    sandbox.shutdown().await;
}

/// What an attacker appends to a subject: the pairs of a paid trade, and a last key
/// (`trade_statut`, sorting just after `trade_status`) whose value swallows the genuine pairs
/// that follow `subject` in the sign content.
const INJECTED: &str =
    "total_amount=0.01&trade_no=2026000000000000000001&trade_status=TRADE_SUCCESS&trade_statut=x";

/// The re-split attack on Alipay's unescaped sign content: a genuine, signed `TRADE_CLOSED`
/// notification whose `subject` holds `&total_amount=…&trade_status=TRADE_SUCCESS&…` is cut
/// into other pairs with the same sign content, a `TRADE_SUCCESS` notification that verifies
/// with Alipay's key. The client refuses both, genuine and forged, as ambiguous; a subject with
/// `&` alone is the positive control.
#[tokio::test]
async fn a_notification_that_could_be_re_split_is_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, _app_id, client) = setup(1.0, &sink.url).await;
    let create_with = |no: &str, subject: &str| {
        TradeCreate::builder()
            .out_trade_no(no)
            .total_amount(Amount::new("10.00").expect("amount"))
            .subject(subject)
            .buyer_id("2088000000000001")
            .build()
    };
    let close = |no: &str| TradeClose::builder().out_trade_no(no).build();

    // Positive control: `&` alone in the subject.
    client
        .send(create_with("A-1", "Tom & Jerry"))
        .await
        .expect("created");
    client.send(close("A-1")).await.expect("closed");
    let plain = client
        .verify_notification(&sink.next().await)
        .expect("a subject with `&` alone verifies");
    assert_eq!(plain.get("subject"), Some("Tom & Jerry"));
    assert_eq!(plain.get("trade_status"), Some("TRADE_CLOSED"));

    // The attacker's order, closed unpaid: Alipay signs a TRADE_CLOSED notification.
    let subject = format!("tea&{INJECTED}");
    client
        .send(create_with("A-2", &subject))
        .await
        .expect("created");
    client.send(close("A-2")).await.expect("closed");
    let genuine_body = sink.next().await;
    let genuine = alipay::wire::form_decode(&genuine_body).expect("form");
    assert!(genuine.contains(&("trade_status".to_owned(), "TRADE_CLOSED".to_owned())));

    // Re-split: the pairs before `subject` as they are, `subject=tea`, the injected pairs, and
    // the genuine pairs after `subject` swallowed by the last injected value.
    let mut signed: Vec<(String, String)> = genuine
        .iter()
        .filter(|(k, _)| k != "sign" && k != "sign_type")
        .cloned()
        .collect();
    signed.sort();
    let at = signed
        .iter()
        .position(|(k, _)| k == "subject")
        .expect("subject");
    let mut forged: Vec<(String, String)> = signed[..at].to_vec();
    forged.push(("subject".to_owned(), "tea".to_owned()));
    forged.extend(
        INJECTED
            .split('&')
            .map(|pair| pair.split_once('=').expect("pair"))
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let rest = alipay::wire::sign_content(
        signed[at + 1..]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    forged.last_mut().expect("injected").1 = format!("x&{rest}");
    let sign = |name: &str| {
        genuine
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .expect("signed")
    };
    // The attack is real: the same sign content, so Alipay's signature verifies over it.
    let content = alipay::wire::notify_sign_content(forged.iter().map(|(k, v)| (k, v)));
    assert_eq!(
        content,
        alipay::wire::notify_sign_content(genuine.iter().map(|(k, v)| (k, v)))
    );
    alipay::Verifier::verify(
        &sandbox.alipay_public_key(),
        content.as_bytes(),
        &sign("sign"),
    )
    .expect("the forged pairs carry a valid signature");
    forged.push(("sign_type".to_owned(), sign("sign_type")));
    forged.push(("sign".to_owned(), sign("sign")));
    let forged_body =
        alipay::wire::form_encode(forged.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert!(forged_body.contains("trade_status=TRADE_SUCCESS"));

    // Both readings are refused, the forged one from the body and from pairs.
    for (label, result) in [
        ("genuine", client.verify_notification(&genuine_body)),
        ("forged", client.verify_notification(forged_body.as_bytes())),
        (
            "forged pairs",
            client.verify_notification_pairs(forged.clone()),
        ),
    ] {
        match result {
            Err(Error::Notify(NotifyError::Ambiguous { key })) => {
                assert!(key == "subject" || key == "trade_statut", "{label}: {key}");
                let text = NotifyError::Ambiguous { key }.to_string();
                assert!(text.contains("query the trade"), "{text}");
            }
            other => panic!("{label}: expected an ambiguous notification, got {other:?}"),
        }
    }
    sandbox.shutdown().await;
}

/// A genuine notification for another app (same Alipay key) is refused by name; the app's own
/// client takes it.
#[tokio::test]
async fn a_notification_for_another_app_is_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, other_app, other_client) = setup(1.0, &sink.url).await;
    let app = sandbox.create_app().expect("app");
    let client = sandbox.client_builder(&app).build().expect("client");
    create(&other_client, "W-1", "5.00").await;
    sandbox.pay(&other_app, "W-1").await.expect("paid");
    let body = sink.next().await;
    match client.verify_notification(&body) {
        Err(Error::Notify(NotifyError::WrongApp { expected, received })) => {
            assert_eq!(expected, app.app_id);
            assert_eq!(received, other_app);
        }
        other => panic!("expected a notification for another app, got {other:?}"),
    }
    let pairs = alipay::wire::form_decode(&body).expect("form");
    assert!(matches!(
        client.verify_notification_pairs(pairs),
        Err(Error::Notify(NotifyError::WrongApp { .. }))
    ));
    let own = other_client
        .verify_notification(&body)
        .expect("the app's own notification");
    assert_eq!(own.get("app_id"), Some(other_app.as_str()));
    sandbox.shutdown().await;
}

/// `check_order`: the merchant's order number and amount, in one call; a genuine notification
/// for another order or amount (an attacker's one-cent trade replayed) is refused.
#[tokio::test]
async fn check_order_compares_the_order_number_and_amount() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app_id, client) = setup(1.0, &sink.url).await;
    create(&client, "O-1", "88.80").await;
    sandbox.pay(&app_id, "O-1").await.expect("paid");
    let trade = client
        .verify_notification(&sink.next().await)
        .expect("signed")
        .trade()
        .expect("trade");
    let amount = |text: &str| Amount::new(text).expect("amount");
    trade
        .check_order("O-1", &amount("88.80"))
        .expect("the order's own notification");
    trade
        .check_order("O-1", &amount("88.8"))
        .expect("the same amount in cents");
    for (no, total, field) in [
        ("O-2", "88.80", "out_trade_no"),
        ("O-1", "0.01", "total_amount"),
        ("O-1", "888.00", "total_amount"),
    ] {
        match trade.check_order(no, &amount(total)) {
            Err(NotifyError::OrderMismatch {
                field: at,
                expected,
                received,
            }) => {
                assert_eq!(at, field);
                assert_eq!(expected, if field == "out_trade_no" { no } else { total });
                assert_eq!(
                    received,
                    if field == "out_trade_no" {
                        "O-1"
                    } else {
                        "88.80"
                    }
                );
            }
            other => panic!("expected a mismatch of {field}, got {other:?}"),
        }
    }
    sandbox.shutdown().await;
}
