//! The axum notification extractor, driven through axum's own router with `oneshot`: signed,
//! tampered, foreign-app and malformed bodies, GBK, the ISV set of clients, the page form.

#[path = "support/logs.rs"]
mod logs;

use std::sync::{Arc, Mutex};

use alipay::Client;
use alipay::notify::TradeNotification;
use alipay::response::Charset;
use alipay::testkit::TestKit;
use alipay::web::{Ack, Clients, NotificationRejection, PageForm, VerifiedNotification};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The shop's state: the client, and the orders the handler stored.
#[derive(Clone)]
struct Shop {
    client: Client,
    paid: Arc<Mutex<Vec<String>>>,
}

impl FromRef<Shop> for Client {
    fn from_ref(shop: &Shop) -> Client {
        shop.client.clone()
    }
}

async fn notify(
    State(shop): State<Shop>,
    trade: VerifiedNotification,
) -> Result<Ack, NotificationRejection> {
    shop.paid
        .lock()
        .map_err(|_| NotificationRejection::internal("poisoned"))?
        .push(trade.out_trade_no.clone());
    Ok(Ack)
}

fn router(kit: &TestKit) -> (Router, Arc<Mutex<Vec<String>>>) {
    let paid = Arc::new(Mutex::new(Vec::new()));
    let shop = Shop {
        client: kit.client().expect("client"),
        paid: Arc::clone(&paid),
    };
    let router = Router::new()
        .route("/notify", post(notify))
        .with_state(shop);
    (router, paid)
}

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

async fn post_to(
    router: Router,
    content_type: &str,
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let request = Request::post("/notify")
        .header("content-type", content_type)
        .body(body.into())
        .expect("request");
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn a_signed_notification_reaches_the_handler_which_answers_success() {
    logs::capture();
    let kit = TestKit::new().expect("kit");
    let (router, paid) = router(&kit);
    let body = kit.notification().out_trade_no("T-1001").body();
    let (status, answer) = post_to(router, FORM, body).await;
    assert_eq!((status, answer.as_str()), (StatusCode::OK, "success"));
    assert_eq!(*paid.lock().expect("lock"), ["T-1001"]);
}

#[tokio::test]
async fn a_tampered_notification_is_refused_with_fail() {
    logs::capture();
    let kit = TestKit::new().expect("kit");
    let (router, paid) = router(&kit);
    let body = kit.notification().total_amount("0.01").body();
    let tampered = body.replace("total_amount=0.01", "total_amount=888.00");
    assert_ne!(body, tampered);
    let (status, answer) = post_to(router.clone(), FORM, tampered).await;
    assert_eq!((status, answer.as_str()), (StatusCode::BAD_REQUEST, "fail"));
    assert!(paid.lock().expect("lock").is_empty());
    assert!(
        logs::text().contains("signature does not verify"),
        "the reason is logged: {}",
        logs::text()
    );
    // The positive control: the untouched body passes.
    assert_eq!(post_to(router, FORM, body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_notification_for_another_app_is_refused() {
    logs::capture();
    let kit = TestKit::new().expect("kit");
    let (router, paid) = router(&kit);
    // Genuinely signed by the same Alipay key, but for another app.
    let body = kit.notification().app_id("2021009999999999").body();
    let (status, answer) = post_to(router, FORM, body).await;
    assert_eq!((status, answer.as_str()), (StatusCode::BAD_REQUEST, "fail"));
    assert!(paid.lock().expect("lock").is_empty());
    assert!(
        logs::text().contains("2021009999999999"),
        "{}",
        logs::text()
    );
}

#[tokio::test]
async fn malformed_bodies_and_other_media_types_are_refused() {
    logs::capture();
    let kit = TestKit::new().expect("kit");
    let (router, paid) = router(&kit);
    let json = r#"{"trade_status":"TRADE_SUCCESS"}"#;
    assert_eq!(
        post_to(router.clone(), "application/json", json).await,
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "fail".to_owned())
    );
    assert_eq!(
        post_to(router.clone(), FORM, json).await,
        (StatusCode::BAD_REQUEST, "fail".to_owned())
    );
    assert!(
        logs::text().contains("not form-encoded"),
        "{}",
        logs::text()
    );
    let body = kit.notification().body();
    let broken = format!("{body}&subject=%zz");
    assert_eq!(
        post_to(router.clone(), FORM, broken).await.0,
        StatusCode::BAD_REQUEST
    );
    let doubled = format!("{body}&{}", body.split('&').next().expect("a pair"));
    assert_eq!(
        post_to(router.clone(), FORM, doubled).await.0,
        StatusCode::BAD_REQUEST
    );
    let latin = body.replace("charset=utf-8", "charset=latin1");
    assert_eq!(
        post_to(router.clone(), FORM, latin).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert!(paid.lock().expect("lock").is_empty());
    // The same notification, well-formed, passes.
    assert_eq!(post_to(router, FORM, body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_gbk_notification_verifies_in_gbk() {
    logs::capture();
    let kit = TestKit::new().expect("kit");
    let (router, paid) = router(&kit);
    let body = kit
        .notification()
        .charset(Charset::Gbk)
        .set("subject", "冰红茶")
        .out_trade_no("GBK-1")
        .body();
    // 冰 is B1 F9 in GBK: the escapes are GBK's, not UTF-8's.
    assert!(body.contains("subject=%B1%F9"), "{body}");
    let gbk_form = "application/x-www-form-urlencoded; charset=GBK";
    assert_eq!(
        post_to(router.clone(), gbk_form, body.clone()).await.0,
        StatusCode::OK
    );
    assert_eq!(*paid.lock().expect("lock"), ["GBK-1"]);
    // Read as UTF-8 instead (the signed `charset` parameter changed), it is refused.
    let as_utf8 = body.replace("charset=GBK", "charset=utf-8");
    assert_eq!(
        post_to(router, FORM, as_utf8).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn an_isv_route_verifies_each_app_with_its_own_client() {
    logs::capture();
    let shop_a = TestKit::new().expect("kit");
    let shop_b = TestKit::new().expect("kit").with_app_id("2021000000000002");
    let clients: Clients = [shop_a.client().expect("a"), shop_b.client().expect("b")]
        .into_iter()
        .collect();
    async fn isv(
        trade: VerifiedNotification<TradeNotification, Clients>,
    ) -> Result<String, NotificationRejection> {
        Ok(format!("{} {}", trade.app_id, trade.out_trade_no))
    }
    let router = Router::new()
        .route("/notify", post(isv))
        .with_state(clients);
    for (kit, order) in [(&shop_a, "A-1"), (&shop_b, "B-1")] {
        let body = kit.notification().out_trade_no(order).body();
        let (status, text) = post_to(router.clone(), FORM, body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text, format!("{} {order}", kit.app_id()));
    }
    // Shop B's app id, signed with shop A's Alipay key: B's client refuses it.
    let forged = shop_a.notification().app_id(shop_b.app_id()).body();
    assert_eq!(
        post_to(router.clone(), FORM, forged).await.0,
        StatusCode::BAD_REQUEST
    );
    // An app the set does not hold.
    let unknown = TestKit::new().expect("kit").with_app_id("2021000000000003");
    let (status, text) = post_to(router, FORM, unknown.notification().body()).await;
    assert_eq!((status, text.as_str()), (StatusCode::BAD_REQUEST, "fail"));
    assert!(logs::text().contains("no client serves the notification's app `2021000000000003`"));
}

#[tokio::test]
async fn the_page_form_is_served_as_html() {
    use alipay::Amount;
    use alipay::payment::page::TradePagePay;
    let kit = TestKit::new().expect("kit");
    let client = kit.client().expect("client");
    let router = Router::new().route(
        "/checkout",
        get(|State(client): State<Client>| async move {
            PageForm::new(
                client.render(
                    TradePagePay::builder()
                        .out_trade_no("T-1")
                        .total_amount(Amount::new("1.00").expect("amount"))
                        .subject("Tea")
                        .build(),
                ),
            )
            .map_err(|e| e.to_string())
        }),
    );
    let response = router
        .with_state(client)
        .oneshot(
            Request::get("/checkout")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let page = String::from_utf8_lossy(&page);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("document.getElementById(\"alipay_punchout_form\").submit()"));
}
