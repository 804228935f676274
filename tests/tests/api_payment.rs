//! Payment APIs against the sandbox over loopback: Huabei, face to face (bar code and QR code),
//! and the locally rendered page, WAP and app payments driven like a browser and the Alipay app.

use alipay::payment::app::TradeAppPay;
use alipay::payment::common::{
    RefundStatus, TradeFastpayRefundQuery, TradeQuery, TradeRefundApply, TradeStatus,
};
use alipay::payment::face_to_face::{TradePay, TradePrecreate};
use alipay::payment::huabei::{FeeBearer, HuabeiConfig, HuabeiCreate, Instalments};
use alipay::payment::page::TradePagePay;
use alipay::payment::wap::TradeWapPay;
use alipay::sandbox::{CashierVisit, ReceivedRequest, Sandbox};
use alipay::util::generic::Generic;
use alipay::wire::form_decode;
use alipay::{Amount, Client};
use alipay_tests::{
    NotifySink, attribute, check_app_signature, html_unescape, sandbox_client, sandbox_client_for,
    sub_code,
};
use serde_json::{Value, json};

/// A subject with every character HTML escaping must handle.
const TRICKY_SUBJECT: &str = r#"Tea "<b>&'</b>" 茶"#;

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

fn get<'p>(params: &'p [(String, String)], key: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn trade_status(client: &Client, out_trade_no: &str) -> TradeStatus {
    client
        .send(TradeQuery::builder().out_trade_no(out_trade_no).build())
        .await
        .expect("trade found")
        .trade_status
}

/// The buyer opens `entry` (a URL, or the SDK's page form) in the browser and pays on the
/// cashier, whose pay form posts to the sandbox's cashier.
async fn pay_in_cashier(sandbox: &Sandbox, entry: &str) -> CashierVisit {
    let visit = sandbox
        .pay_in_cashier(entry)
        .await
        .expect("paid in the cashier");
    let cashier = visit.cashier.text();
    let action = html_unescape(attribute(&cashier, "<form", "action").expect("a pay form"));
    assert!(
        action.starts_with("/sandbox/cashier/") && action.ends_with("/pay"),
        "{action}"
    );
    visit
}

#[tokio::test]
async fn huabei_create_sends_extend_params() {
    let (sandbox, app, client) = sandbox_client().await;
    let created = client
        .send(
            HuabeiCreate::builder()
                .out_trade_no("HB-1")
                .total_amount(amount("3000.00"))
                .subject("Laptop")
                .buyer_id("2088002656718920")
                .extend_params(HuabeiConfig::new(Instalments::Twelve, FeeBearer::Seller))
                .build(),
        )
        .await
        .expect("created");
    assert_eq!(created.out_trade_no, "HB-1");
    let received = last(&sandbox);
    assert_eq!(received.method.as_deref(), Some("alipay.trade.create"));
    assert_eq!(
        received.biz_content,
        Some(json!({
            "out_trade_no": "HB-1", "total_amount": "3000.00", "subject": "Laptop",
            "buyer_id": "2088002656718920",
            "extend_params": {"hb_fq_num": "12", "hb_fq_seller_percent": "100"}
        }))
    );
    let trade = sandbox.trade(&app.app_id, "HB-1").expect("trade");
    assert_eq!(trade.trade_no, created.trade_no);
    assert_eq!(trade.hb_fq_num.as_deref(), Some("12"));
    assert_eq!(trade.hb_fq_seller_percent.as_deref(), Some("100"));

    // The typed config cannot hold 4 instalments; the gateway refuses it when sent by hand.
    assert!(HuabeiConfig::parse("4", "100").is_err());
    let by_hand = Generic::new("alipay.trade.create")
        .biz(&json!({
            "out_trade_no": "HB-2", "total_amount": "1.00", "subject": "s",
            "extend_params": {"hb_fq_num": "4", "hb_fq_seller_percent": "100"}
        }))
        .expect("an object");
    assert_eq!(
        sub_code(client.send(by_hand).await),
        "ACQ.INVALID_PARAMETER"
    );
}

#[tokio::test]
async fn face_to_face_bar_code_pay() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let paid = client
        .send(
            TradePay::builder()
                .out_trade_no("F2F-1")
                .total_amount(amount("12.50"))
                .subject("Coffee")
                .auth_code("286648048691290423")
                .store_id("S1")
                .build(),
        )
        .await
        .expect("paid at once");
    let received = last(&sandbox);
    assert_eq!(received.method.as_deref(), Some("alipay.trade.pay"));
    assert_eq!(received.params["notify_url"], sink.url);
    assert_eq!(
        received.biz_content,
        Some(json!({
            "out_trade_no": "F2F-1", "total_amount": "12.50", "subject": "Coffee",
            "auth_code": "286648048691290423", "store_id": "S1", "scene": "bar_code"
        }))
    );
    assert_eq!(paid.out_trade_no, "F2F-1");
    assert_eq!(paid.total_amount.as_str(), "12.50");
    assert_eq!(
        paid.fund_bill_list[0].fund_channel,
        Some(alipay::payment::common::FundChannel::AlipayAccount)
    );
    // The payment time is Beijing time, within a minute of now.
    let paid_at = paid.gmt_payment.as_ref().expect("gmt_payment");
    let now = alipay::time::unix_seconds(std::time::SystemTime::now());
    assert!(
        paid_at.unix_seconds().is_ok_and(|t| (now - t).abs() < 60),
        "{paid_at}"
    );
    assert_eq!(
        trade_status(&client, "F2F-1").await,
        TradeStatus::TradeSuccess
    );
    let notification = client
        .verify_notification(&sink.next().await)
        .expect("genuine notification");
    assert_eq!(notification.get("out_trade_no"), Some("F2F-1"));

    let refused = client
        .send(
            TradePay::builder()
                .out_trade_no("F2F-2")
                .total_amount(amount("1.00"))
                .subject("Coffee")
                .auth_code("123456")
                .build(),
        )
        .await;
    assert_eq!(sub_code(refused), "ACQ.PAYMENT_AUTH_CODE_INVALID");
}

#[tokio::test]
async fn face_to_face_precreate_then_the_buyer_scans() {
    let (sandbox, _app, client) = sandbox_client().await;
    let qr = client
        .send(
            TradePrecreate::builder()
                .out_trade_no("QR-1")
                .total_amount(amount("9.90"))
                .subject("Sandwich")
                .build(),
        )
        .await
        .expect("precreated");
    let received = last(&sandbox);
    assert_eq!(received.method.as_deref(), Some("alipay.trade.precreate"));
    assert_eq!(
        received.biz_content,
        Some(json!({"out_trade_no": "QR-1", "total_amount": "9.90", "subject": "Sandwich"}))
    );
    assert_eq!(qr.out_trade_no, "QR-1");
    assert_eq!(
        trade_status(&client, "QR-1").await,
        TradeStatus::WaitBuyerPay
    );

    // The buyer "scans" the code: the cashier page, then pays.
    let CashierVisit { cashier, paid, .. } = pay_in_cashier(&sandbox, &qr.qr_code).await;
    assert_eq!(cashier.status, 200);
    assert_eq!(paid.status, 200, "no return URL: a paid page");
    assert!(paid.text().contains("TRADE_SUCCESS"));
    assert_eq!(
        trade_status(&client, "QR-1").await,
        TradeStatus::TradeSuccess
    );
}

#[tokio::test]
async fn page_pay_form_escaped_signed_and_paid_in_the_browser() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let form = client
        .render(
            TradePagePay::builder()
                .out_trade_no("PAGE-1")
                .total_amount(amount("88.80"))
                .subject(TRICKY_SUBJECT)
                .return_url("https://m.example/return")
                .build(),
        )
        .page_form()
        .expect("rendered");

    // biz_content is HTML-escaped in the hidden field and round-trips.
    let raw = attribute(&form, r#"<input type="hidden" name="biz_content""#, "value")
        .expect("the biz_content field");
    assert!(
        !raw.contains(['<', '>', '\'']) && !raw.contains("<b>"),
        "unescaped HTML in {raw}"
    );
    assert!(raw.contains("&lt;b&gt;&amp;&#39;&lt;/b&gt;"), "{raw}");
    assert!(raw.contains("&quot;subject&quot;"), "{raw}");
    let biz_text = html_unescape(raw);
    let biz: Value = serde_json::from_str(&biz_text).expect("JSON");
    assert_eq!(
        biz,
        json!({
            "out_trade_no": "PAGE-1", "total_amount": "88.80", "subject": TRICKY_SUBJECT,
            "product_code": "FAST_INSTANT_TRADE_PAY"
        })
    );

    // The action URL carries every other parameter, signed with biz_content.
    let action = html_unescape(attribute(&form, "<form", "action").expect("a form"));
    let (gateway, query) = action.split_once('?').expect("a query");
    assert_eq!(gateway, sandbox.gateway_url());
    let mut params = form_decode(query.as_bytes()).expect("form encoded");
    assert_eq!(get(&params, "method"), Some("alipay.trade.page.pay"));
    assert_eq!(get(&params, "return_url"), Some("https://m.example/return"));
    assert_eq!(get(&params, "notify_url"), Some(sink.url.as_str()));
    assert_eq!(get(&params, "biz_content"), None);
    params.push(("biz_content".to_owned(), biz_text.clone()));
    check_app_signature(&app.public_key, &params);

    // The browser submits the form (the cashier page), and the buyer pays.
    let CashierVisit { cashier, paid, .. } = pay_in_cashier(&sandbox, &form).await;
    assert_eq!(cashier.status, 200);
    let received = last(&sandbox);
    assert_eq!(received.method.as_deref(), Some("alipay.trade.page.pay"));
    assert!(
        received
            .content_type
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(received.params["return_url"], "https://m.example/return");
    let html = cashier.text();
    assert!(html.contains("88.80"), "{html}");
    assert!(
        html.contains("&lt;b&gt;"),
        "the cashier escapes the subject: {html}"
    );

    // Paid: 302 to the return URL with signed return parameters.
    assert_eq!(paid.status, 302);
    let location = paid.header("location").expect("a redirect");
    let returned = location
        .strip_prefix("https://m.example/return?")
        .expect("back to the return URL");
    let verified = client
        .verify_notification(returned.as_bytes())
        .expect("the return parameters verify");
    assert_eq!(verified.get("method"), Some("alipay.trade.page.pay.return"));
    assert_eq!(verified.get("out_trade_no"), Some("PAGE-1"));
    assert_eq!(verified.get("total_amount"), Some("88.80"));

    // The notification arrives and the trade is paid.
    let notification = client
        .verify_notification(&sink.next().await)
        .expect("genuine notification");
    let trade = notification.trade().expect("a trade notification");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    assert_eq!(trade.out_trade_no, "PAGE-1");
    assert_eq!(
        trade_status(&client, "PAGE-1").await,
        TradeStatus::TradeSuccess
    );
    assert_eq!(
        sandbox.trade(&app.app_id, "PAGE-1").expect("trade").subject,
        TRICKY_SUBJECT
    );
}

#[tokio::test]
async fn wap_pay_url_followed_and_paid() {
    let (sandbox, app, client) = sandbox_client().await;
    let url = client
        .render(
            TradeWapPay::builder()
                .out_trade_no("WAP-1")
                .total_amount(amount("0.10"))
                .subject("iPhone6 16G")
                .quit_url("https://m.example/cart")
                .return_url("https://m.example/paid")
                .build(),
        )
        .page_url()
        .expect("rendered");
    let (_, query) = url.split_once('?').expect("a query");
    let params = form_decode(query.as_bytes()).expect("form encoded");
    assert_eq!(get(&params, "method"), Some("alipay.trade.wap.pay"));
    assert_eq!(get(&params, "return_url"), Some("https://m.example/paid"));
    let biz: Value =
        serde_json::from_str(get(&params, "biz_content").expect("biz_content")).expect("JSON");
    assert_eq!(
        biz,
        json!({
            "out_trade_no": "WAP-1", "total_amount": "0.10", "subject": "iPhone6 16G",
            "quit_url": "https://m.example/cart", "product_code": "QUICK_WAP_WAY"
        })
    );
    check_app_signature(&app.public_key, &params);

    let CashierVisit { cashier, paid, .. } = pay_in_cashier(&sandbox, &url).await;
    assert_eq!(cashier.status, 200);
    let html = cashier.text();
    assert_eq!(
        attribute(&html, "<a id=\"quit\"", "href"),
        Some("https://m.example/cart")
    );
    assert_eq!(last(&sandbox).http_method, "GET");
    assert_eq!(paid.status, 302);
    let returned = paid
        .header("location")
        .and_then(|l| l.strip_prefix("https://m.example/paid?"))
        .expect("back to the return URL");
    let verified = client
        .verify_notification(returned.as_bytes())
        .expect("verifies");
    assert_eq!(verified.get("method"), Some("alipay.trade.wap.pay.return"));
    assert_eq!(
        trade_status(&client, "WAP-1").await,
        TradeStatus::TradeSuccess
    );
}

#[tokio::test]
async fn app_pay_order_string_signed_and_paid_by_the_app() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, client) = sandbox_client().await;
    let order = client
        .render(
            TradeAppPay::builder()
                .out_trade_no("APP-1")
                .total_amount(amount("0.10"))
                .subject("iPhone6 16G & co")
                .build(),
        )
        .async_notify(sink.url.clone())
        .order_string()
        .expect("rendered");
    assert!(order.starts_with("alipay_sdk="), "{order}");
    assert!(
        order.contains("subject%22%3A%22iPhone6+16G+%26+co%22"),
        "{order}"
    );
    let params = form_decode(order.as_bytes()).expect("form encoded");
    assert_eq!(get(&params, "method"), Some("alipay.trade.app.pay"));
    assert_eq!(get(&params, "notify_url"), Some(sink.url.as_str()));
    let biz: Value =
        serde_json::from_str(get(&params, "biz_content").expect("biz_content")).expect("JSON");
    assert_eq!(
        biz,
        json!({"out_trade_no": "APP-1", "total_amount": "0.10", "subject": "iPhone6 16G & co"})
    );
    check_app_signature(&app.public_key, &params);

    let paid = sandbox.app_pay(&order).await.expect("the app pays");
    assert_eq!(paid.status, "TRADE_SUCCESS");
    assert_eq!(paid.out_trade_no, "APP-1");
    let notification = client
        .verify_notification(&sink.next().await)
        .expect("genuine notification");
    assert_eq!(notification.get("out_trade_no"), Some("APP-1"));
    assert_eq!(
        trade_status(&client, "APP-1").await,
        TradeStatus::TradeSuccess
    );

    // The same order string again: already paid.
    assert!(sandbox.app_pay(&order).await.is_err());
    // One altered byte: the signature does not verify.
    let forged = order.replace("0.10", "0.01");
    assert!(sandbox.app_pay(&forged).await.is_err());
}

#[tokio::test]
async fn an_asynchronous_refund_is_accepted_then_notified() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    client
        .send(
            alipay::payment::common::TradeCreate::builder()
                .out_trade_no("RA-1")
                .total_amount(amount("50.00"))
                .subject("Tea set")
                .build(),
        )
        .await
        .expect("created");
    sandbox.pay(&app.app_id, "RA-1").await.expect("paid");
    sink.next().await;

    let apply = |no: &str, yuan: &str| {
        TradeRefundApply::builder()
            .out_trade_no("RA-1")
            .refund_amount(amount(yuan))
            .out_request_no(no)
            .refund_reason("broken cup")
            .build()
    };
    let accepted = client.send(apply("RA1", "20.00")).await.expect("accepted");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.trade.refund.apply")
    );
    assert_eq!(received.params["notify_url"], sink.url);
    assert_eq!(
        received.biz_content,
        Some(json!({
            "refund_amount": "20.00", "out_request_no": "RA1", "out_trade_no": "RA-1",
            "refund_reason": "broken cup"
        }))
    );
    assert_eq!(accepted.refund_status, RefundStatus::RefundProcessing);
    assert_eq!(accepted.out_request_no, "RA1");
    assert_eq!(accepted.refund_amount, amount("20.00"));
    assert_eq!(accepted.out_trade_no.as_deref(), Some("RA-1"));

    // The outcome arrives as the refund notification, verified and typed.
    let notice = client
        .verify_notification(&sink.next().await)
        .expect("genuine")
        .trade()
        .expect("a trade notification");
    assert_eq!(notice.out_biz_no.as_deref(), Some("RA1"));
    assert_eq!(notice.refund_fee, Some(amount("20.00")));
    // `yyyy-MM-dd HH:mm:ss.SSS`, as Alipay writes it: kept as sent, read to the second.
    let refunded_at = notice.gmt_refund.as_ref().expect("gmt_refund");
    assert_eq!(refunded_at.len(), 23, "{refunded_at}");
    assert!(refunded_at.to_system_time().is_ok(), "{refunded_at}");
    assert_eq!(notice.trade_status, TradeStatus::TradeSuccess);
    let refunded = client
        .send(
            TradeFastpayRefundQuery::builder()
                .out_trade_no("RA-1")
                .out_request_no("RA1")
                .build(),
        )
        .await
        .expect("queried");
    assert!(refunded.is_refunded());

    // The same request again moves nothing and says it is done; more than is left is refused.
    let again = client.send(apply("RA1", "20.00")).await.expect("repeated");
    assert_eq!(again.refund_status, RefundStatus::RefundSuccess);
    assert_eq!(
        sandbox
            .trade(&app.app_id, "RA-1")
            .expect("trade")
            .refunded_cents,
        2000
    );
    assert_eq!(
        sub_code(client.send(apply("RA2", "30.01")).await),
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    );
    client.send(apply("RA3", "30.00")).await.expect("the rest");
    assert_eq!(
        trade_status(&client, "RA-1").await,
        TradeStatus::TradeClosed
    );
}
