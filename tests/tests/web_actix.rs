//! The actix-web notification extractor, driven with actix-web's `test::call_service`: signed,
//! tampered, foreign-app and malformed bodies, a missing `web::Data`, the page form.

#[path = "support/logs.rs"]
mod logs;

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use alipay::Client;
use alipay::testkit::TestKit;
use alipay::web::{Ack, NotificationRejection, PageForm, VerifiedNotification};

type Paid = web::Data<Mutex<Vec<String>>>;

async fn notify(paid: Paid, trade: VerifiedNotification) -> Result<Ack, NotificationRejection> {
    paid.lock()
        .map_err(|_| NotificationRejection::internal("poisoned"))?
        .push(trade.out_trade_no.clone());
    Ok(Ack)
}

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// POSTs `$body` to `/notify` of `$app` with `$content_type`; the status and the answer.
macro_rules! call {
    ($app:expr, $content_type:expr, $body:expr) => {{
        let request = test::TestRequest::post()
            .uri("/notify")
            .insert_header(("content-type", $content_type))
            .set_payload($body)
            .to_request();
        let response = test::call_service($app, request).await;
        let status = response.status();
        let bytes = test::read_body(response).await;
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }};
}

fn run(test: impl std::future::Future<Output = ()>) {
    actix_web::rt::System::new().block_on(test);
}

#[test]
fn signed_tampered_foreign_and_malformed_notifications() {
    logs::capture();
    run(async {
        let kit = TestKit::new().expect("kit");
        let paid: Paid = web::Data::new(Mutex::new(Vec::new()));
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(kit.client().expect("client")))
                .app_data(paid.clone())
                .route("/notify", web::post().to(notify)),
        )
        .await;

        let body = kit
            .notification()
            .out_trade_no("T-1")
            .total_amount("0.01")
            .body();
        let tampered = body.replace("total_amount=0.01", "total_amount=888.00");
        assert_eq!(
            call!(&app, FORM, tampered),
            (StatusCode::BAD_REQUEST, "fail".to_owned())
        );
        assert!(
            logs::text().contains("signature does not verify"),
            "{}",
            logs::text()
        );

        let foreign = kit.notification().app_id("2021009999999999").body();
        assert_eq!(call!(&app, FORM, foreign).0, StatusCode::BAD_REQUEST);

        let json = r#"{"trade_status":"TRADE_SUCCESS"}"#.to_owned();
        assert_eq!(call!(&app, FORM, json.clone()).0, StatusCode::BAD_REQUEST);
        assert_eq!(
            call!(&app, "application/json", json).0,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            call!(&app, FORM, format!("{body}&subject=%zz")).0,
            StatusCode::BAD_REQUEST
        );
        assert!(
            paid.lock().expect("lock").is_empty(),
            "nothing refused reached the handler"
        );

        // The positive control: the genuine body reaches the handler.
        assert_eq!(
            call!(&app, FORM, body),
            (StatusCode::OK, "success".to_owned())
        );
        assert_eq!(*paid.lock().expect("lock"), ["T-1"]);
    });
}

#[test]
fn without_a_client_in_the_app_data_the_route_answers_500() {
    logs::capture();
    run(async {
        let kit = TestKit::new().expect("kit");
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(Mutex::new(Vec::<String>::new())))
                .route("/notify", web::post().to(notify)),
        )
        .await;
        let (status, text) = call!(&app, FORM, kit.notification().body());
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "fail")
        );
        assert!(
            logs::text().contains("holds no `alipay::client::Client`"),
            "{}",
            logs::text()
        );
    });
}

#[test]
fn the_page_form_is_served_as_html() {
    use alipay::Amount;
    use alipay::payment::page::TradePagePay;
    run(async {
        let kit = TestKit::new().expect("kit");
        async fn checkout(client: web::Data<Client>) -> Result<PageForm, actix_web::Error> {
            let amount = Amount::new("1.00").map_err(actix_web::error::ErrorBadRequest)?;
            PageForm::new(
                client.render(
                    TradePagePay::builder()
                        .out_trade_no("T-1")
                        .total_amount(amount)
                        .subject("Tea")
                        .build(),
                ),
            )
            .map_err(actix_web::error::ErrorInternalServerError)
        }
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(kit.client().expect("client")))
                .route("/checkout", web::get().to(checkout)),
        )
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/checkout").to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/html; charset=utf-8")
        );
        let page = test::read_body(response).await;
        assert!(String::from_utf8_lossy(&page).contains("alipay_punchout_form"));
    });
}
