//! End-to-end tests of the browser flows: page and WAP pay through the cashier, the helper that
//! plays the buyer ([`Sandbox::pay_in_cashier`]), and the app pay order string.

use super::*;

/// The token of the cashier form of a page.
fn cashier_action(page: &str) -> String {
    let start = page
        .find("action=\"/sandbox/cashier/")
        .unwrap_or_else(|| panic!("no cashier form: {page}"))
        + "action=\"".len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_owned()
}

#[tokio::test]
async fn page_pay_through_the_cashier() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let (merchant, mut received) = merchant_listener().await;
    let notify_url = format!("http://{merchant}/notify");
    let return_url = "https://merchant.example/return?from=page";
    let biz = json!({"subject": "iPhone6 16G", "out_trade_no": "PG-1", "total_amount": "88.88", "product_code": "FAST_INSTANT_TRADE_PAY"});
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.page.pay",
        Some(&biz),
        &[("return_url", return_url), ("notify_url", &notify_url)],
    );
    // The browser submits the SDK's form: biz_content in the body, the rest in the action URL.
    let page = post(&sandbox, &params).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, "text/html;charset=utf-8");
    assert!(page.body.contains("iPhone6 16G"), "{}", page.body);
    assert!(page.body.contains("88.88"));
    let trade = sandbox.trade(&app.app_id, "PG-1").unwrap();
    assert_eq!(trade.status, "WAIT_BUYER_PAY");
    assert_eq!(
        trade.product_code.as_deref(),
        Some("FAST_INSTANT_TRADE_PAY")
    );
    assert_eq!(trade.return_url.as_deref(), Some(return_url));
    assert_eq!(trade.notify_url.as_deref(), Some(notify_url.as_str()));

    let action = cashier_action(&page.body);
    assert!(action.ends_with("/pay"), "{action}");
    let wrong_verb = http(sandbox.addr(), "GET", &action, None, "").await;
    assert_eq!(wrong_verb.status, 405);
    let paid = http(sandbox.addr(), "POST", &action, None, "").await;
    assert_eq!(paid.status, 302, "{}", paid.body);
    let location = paid.location.unwrap();
    assert!(
        location.starts_with("https://merchant.example/return?from=page&"),
        "{location}"
    );
    let back = query_pairs(&location);
    assert_eq!(pair(&back, "from"), "page");
    let returned: Vec<(String, String)> = back.into_iter().filter(|(k, _)| k != "from").collect();
    let content = notify_sign_content(returned.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    sandbox
        .alipay_public_key()
        .verify(content.as_bytes(), pair(&returned, "sign"))
        .unwrap();
    assert_eq!(pair(&returned, "method"), "alipay.trade.page.pay.return");
    assert_eq!(pair(&returned, "out_trade_no"), "PG-1");
    assert_eq!(pair(&returned, "total_amount"), "88.88");
    assert_eq!(pair(&returned, "app_id"), app.app_id);
    assert_eq!(pair(&returned, "auth_app_id"), app.app_id);
    assert_eq!(pair(&returned, "charset"), "utf-8");
    assert_eq!(pair(&returned, "version"), "1.0");
    assert_eq!(pair(&returned, "sign_type"), "RSA2");
    assert!(pair(&returned, "seller_id").starts_with("2088"));
    assert!(!pair(&returned, "timestamp").is_empty());
    let trade = sandbox.trade(&app.app_id, "PG-1").unwrap();
    assert_eq!(pair(&returned, "trade_no"), trade.trade_no);
    assert_eq!(trade.status, "TRADE_SUCCESS");
    let keys: Vec<&str> = returned.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "charset",
            "out_trade_no",
            "method",
            "total_amount",
            "sign",
            "trade_no",
            "auth_app_id",
            "version",
            "app_id",
            "sign_type",
            "seller_id",
            "timestamp"
        ]
    );

    // The notification went out before the redirect.
    let (_, body) = received.try_recv().expect("notified");
    let form = form_decode(&body).unwrap();
    assert_eq!(pair(&form, "out_trade_no"), "PG-1");
    assert_eq!(pair(&form, "trade_status"), "TRADE_SUCCESS");
    assert_eq!(sandbox.notifications().len(), 1);

    // Paying twice shows Alipay's error.
    let twice = http(sandbox.addr(), "POST", &action, None, "").await;
    assert_eq!(twice.status, 200);
    assert!(
        twice.body.contains("ACQ.TRADE_HAS_SUCCESS"),
        "{}",
        twice.body
    );
    // The page again for a paid order.
    let again = post(&sandbox, &params).await;
    assert!(
        again.body.contains("ACQ.TRADE_HAS_SUCCESS"),
        "{}",
        again.body
    );
    assert_eq!(
        http(
            sandbox.addr(),
            "POST",
            "/sandbox/cashier/nope/pay",
            None,
            ""
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn wap_pay_get_variant_and_page_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let biz = json!({"subject": "测试", "out_trade_no": "W-1", "total_amount": "0.01",
                     "quit_url": "https://merchant.example/quit", "product_code": "QUICK_WAP_WAY"});
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.wap.pay",
        Some(&biz),
        &[],
    );
    // Every parameter in the query: the GET variant.
    let url = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("https://merchant.example/quit"),
        "{}",
        page.body
    );
    let action = cashier_action(&page.body);
    // No return_url: a paid page.
    let paid = http(sandbox.addr(), "POST", &action, None, "").await;
    assert_eq!(paid.status, 200);
    assert!(paid.location.is_none());
    assert!(paid.body.contains("TRADE_SUCCESS"), "{}", paid.body);
    assert_eq!(
        sandbox
            .trade(&app.app_id, "W-1")
            .unwrap()
            .product_code
            .as_deref(),
        Some("QUICK_WAP_WAY")
    );

    // The WAP return method.
    let biz = json!({"subject": "测试", "out_trade_no": "W-2", "total_amount": "0.02", "product_code": "QUICK_WAP_WAY"});
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.trade.wap.pay",
        Some(&biz),
        &[("return_url", "http://merchant.example/r#done")],
    );
    let page = post(&sandbox, &params).await;
    let paid = http(
        sandbox.addr(),
        "POST",
        &cashier_action(&page.body),
        None,
        "",
    )
    .await;
    let location = paid.location.unwrap();
    assert!(
        location.starts_with("http://merchant.example/r?"),
        "{location}"
    );
    assert!(location.ends_with("#done"), "{location}");
    let returned = query_pairs(location.trim_end_matches("#done"));
    assert_eq!(pair(&returned, "method"), "alipay.trade.wap.pay.return");

    // Errors are HTML pages with Alipay's sub_code.
    let stranger = PrivateKey::generate().unwrap();
    let page_pay = |key: &PrivateKey, biz: &Value| {
        signed_params(&app.app_id, key, "alipay.trade.page.pay", Some(biz), &[])
    };
    let good = json!({"subject": "x", "out_trade_no": "E-1", "total_amount": "1.00", "product_code": "FAST_INSTANT_TRADE_PAY"});
    let cases = [
        (page_pay(&stranger, &good), "isv.invalid-signature"),
        (
            page_pay(
                &app.private_key,
                &json!({"subject": "x", "out_trade_no": "E-1", "total_amount": "1.00", "product_code": "QUICK_WAP_WAY"}),
            ),
            "isv.invalid-parameter",
        ),
        (
            page_pay(
                &app.private_key,
                &json!({"subject": "x", "out_trade_no": "E-1", "total_amount": "1.00"}),
            ),
            "isv.missing-parameter",
        ),
        (
            page_pay(
                &app.private_key,
                &json!({"out_trade_no": "E-1", "total_amount": "1.00", "product_code": "FAST_INSTANT_TRADE_PAY"}),
            ),
            "isv.missing-parameter",
        ),
        (
            signed_params(
                "2021999999999999",
                &stranger,
                "alipay.trade.page.pay",
                Some(&good),
                &[],
            ),
            "isv.invalid-app-id",
        ),
    ];
    for (params, sub_code) in cases {
        let page = post(&sandbox, &params).await;
        assert_eq!(page.status, 200);
        assert!(page.content_type.starts_with("text/html"));
        assert!(page.body.contains(sub_code), "{sub_code}: {}", page.body);
        assert!(!page.body.contains("/sandbox/cashier/"));
    }
    assert!(sandbox.trade(&app.app_id, "E-1").is_none());
}

/// An order string as `Render::order_string` builds it: every parameter, sorted, form-encoded.
fn order_string(
    app: &SandboxApp,
    key: &PrivateKey,
    biz: &Value,
    notify_url: Option<&str>,
) -> String {
    let mut extra = vec![("alipay_sdk", "alipay-sdk-rust-0.1.0")];
    if let Some(url) = notify_url {
        extra.push(("notify_url", url));
    }
    let mut params = signed_params(&app.app_id, key, "alipay.trade.app.pay", Some(biz), &extra);
    params.sort();
    form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[tokio::test]
async fn app_pay_with_an_order_string() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let (merchant, mut received) = merchant_listener().await;
    let notify_url = format!("http://{merchant}/notify");
    let biz = json!({"subject": "iPhone6 16G", "out_trade_no": "A-1", "total_amount": "0.10"});
    let order = order_string(&app, &app.private_key, &biz, Some(&notify_url));
    assert!(order.contains("biz_content=%7B"), "{order}");
    let paid = sandbox.app_pay(&order).await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    assert_eq!(paid.out_trade_no, "A-1");
    assert_eq!(paid.total_amount.cents(), 10);
    assert_eq!(paid.notify_url.as_deref(), Some(notify_url.as_str()));
    let (_, body) = received.try_recv().expect("notified");
    assert_eq!(pair(&form_decode(&body).unwrap(), "out_trade_no"), "A-1");

    assert!(matches!(
        sandbox.app_pay(&order).await,
        Err(SandboxError::Refused { ref sub_code, .. }) if sub_code == "ACQ.TRADE_HAS_SUCCESS"
    ));
    let stranger = PrivateKey::generate().unwrap();
    let biz = json!({"subject": "x", "out_trade_no": "A-2", "total_amount": "1.00"});
    let forged = order_string(&app, &stranger, &biz, None);
    assert!(matches!(
        sandbox.app_pay(&forged).await,
        Err(SandboxError::InvalidSignature)
    ));
    let tampered = order_string(&app, &app.private_key, &biz, None).replace("1.00", "0.01");
    assert!(matches!(
        sandbox.app_pay(&tampered).await,
        Err(SandboxError::InvalidSignature)
    ));
    assert!(sandbox.trade(&app.app_id, "A-2").is_none());
    for bad in ["", "%zz", "app_id=2021999999999999"] {
        assert!(
            matches!(
                sandbox.app_pay(bad).await,
                Err(SandboxError::Refused { .. })
            ),
            "{bad}"
        );
    }
    let wrong_method = order_string(&app, &app.private_key, &biz, None)
        .replace("alipay.trade.app.pay", "alipay.trade.create");
    assert!(matches!(
        sandbox.app_pay(&wrong_method).await,
        Err(SandboxError::Refused { ref sub_code, .. }) if sub_code == "isv.invalid-method"
    ));
}

/// The SDK's page pay form of `out_trade_no`, signed by `client`.
fn page_form(client: &crate::Client, out_trade_no: &str) -> String {
    client
        .render(
            crate::payment::page::TradePagePay::builder()
                .out_trade_no(out_trade_no)
                .total_amount(crate::Amount::new("12.30").unwrap())
                .subject("Tea")
                .return_url("https://m.example/return")
                .build(),
        )
        .page_form()
        .unwrap()
}

#[tokio::test]
async fn pay_in_cashier_pays_the_sdk_page_form() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let client = sandbox.client_builder(&app).build().unwrap();
    let visit = sandbox
        .pay_in_cashier(&page_form(&client, "PIC-1"))
        .await
        .unwrap();
    assert_eq!(visit.cashier.status, 200);
    assert!(visit.cashier.text().contains("12.30"));
    assert_eq!(visit.paid.status, 302);
    let returned = visit
        .paid
        .header("location")
        .and_then(|l| l.strip_prefix("https://m.example/return?"))
        .expect("back to the return URL");
    client.verify_notification(returned.as_bytes()).unwrap();
    let trade = sandbox.trade(&app.app_id, "PIC-1").unwrap();
    assert_eq!(trade.status, "TRADE_SUCCESS");
    // The same helper opens a URL: the cashier of a paid trade has no pay form any more.
    let cashier_url = format!(
        "{}{}",
        sandbox.gateway_url().trim_end_matches("/gateway.do"),
        cashier_action(&visit.cashier.text()).trim_end_matches("/pay")
    );
    let again = sandbox.pay_in_cashier(&cashier_url).await.unwrap_err();
    assert!(matches!(again, SandboxError::Browser(_)), "{again}");
}

#[tokio::test]
async fn pay_in_cashier_refuses_a_form_the_app_did_not_sign() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let forger = crate::Client::builder()
        .app_id(app.app_id.clone())
        .app_private_key_parsed(PrivateKey::generate().unwrap())
        .alipay_public_key_parsed(sandbox.alipay_public_key())
        .gateway_url(sandbox.gateway_url())
        .build()
        .unwrap();
    let error = sandbox
        .pay_in_cashier(&page_form(&forger, "PIC-FORGED"))
        .await
        .unwrap_err();
    match &error {
        SandboxError::Browser(message) => {
            assert!(message.contains("isv.invalid-signature"), "{message}");
        }
        other => panic!("{other}"),
    }
    assert!(sandbox.trade(&app.app_id, "PIC-FORGED").is_none());
}

#[tokio::test]
async fn browse_refuses_what_it_cannot_fetch() {
    let sandbox = Sandbox::start().await.unwrap();
    let no_form = sandbox.pay_in_cashier("<p>no form</p>").await.unwrap_err();
    assert!(matches!(no_form, SandboxError::Browser(_)), "{no_form}");
    for url in ["https://127.0.0.1/", "not a url", "http://"] {
        let error = browse(http::Method::GET, url, None, b"").await.unwrap_err();
        assert!(matches!(error, SandboxError::Browser(_)), "{url}: {error}");
    }
    let served = browse(http::Method::GET, &sandbox.gateway_url(), None, b"")
        .await
        .unwrap();
    assert_eq!(served.status, 200);
    assert!(served.text().starts_with("{\"error_response\":"));
}

#[tokio::test]
async fn ids_are_counted_per_sandbox() {
    let first = Sandbox::start().await.unwrap();
    let second = Sandbox::start().await.unwrap();
    let (a, b) = (first.create_app().unwrap(), second.create_app().unwrap());
    assert_eq!(a.app_id, "2021000000000001");
    assert_eq!(b.app_id, a.app_id, "the second sandbox counts from 1 too");
    assert_ne!(first.create_app().unwrap().app_id, a.app_id);
}
