//! What one call costs, piece by piece: `cargo bench -p alipay --all-features`.
//!
//! A verified call is one RSA-2048 signature (the request) and one verification (the answer);
//! everything else (sign content, JSON, extraction, parsing, rendering, HTTP) should be noise
//! beside them. See `BENCHMARKS.md` for the figures.

use std::hint::black_box;

use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::request::{LocalRequest, Method, Params};
use alipay::sandbox::Sandbox;
use alipay::{Amount, Backend, Client, EncodeError, PrivateKey, PublicKey, Signer, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};

const APP_KEY: &str = include_str!("../tests/fixtures/keys/app_private_pkcs8.pem");
const ALIPAY_KEY: &str = include_str!("../tests/fixtures/keys/alipay_private_pkcs8.pem");
const ALIPAY_PUBLIC: &str = include_str!("../tests/fixtures/keys/alipay_public.b64");

const CONTENT: &str = "alipay_sdk=alipay-sdk-rust-0.1.0&app_id=2021000000000001&biz_content={\"out_trade_no\":\"T20261126000001\",\"total_amount\":\"88.80\",\"subject\":\"Iced tea\",\"buyer_id\":\"2088000000000001\"}&charset=utf-8&format=JSON&method=alipay.trade.create&notify_url=https://m.example/notify&sign_type=RSA2&timestamp=2026-11-26 12:00:00&version=1.0";

/// A page-pay-shaped local request (subject, amount, product code, return URL).
struct PagePay;

impl Method for PagePay {
    fn method(&self) -> &str {
        "alipay.trade.page.pay"
    }
    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        params.biz_value("out_trade_no", "T20261126000001");
        params.biz_value("total_amount", "88.80");
        params.biz_value("subject", "Iced tea <large>");
        params.biz_value("product_code", "FAST_INSTANT_TRADE_PAY");
        params.text("return_url", "https://m.example/return");
        Ok(())
    }
}

impl LocalRequest for PagePay {}

fn client(gateway: &str) -> Client {
    Client::builder()
        .app_id("2021000000000001")
        .app_private_key(APP_KEY)
        .alipay_public_key(ALIPAY_PUBLIC)
        .gateway_url(gateway)
        .notify_url("https://m.example/notify")
        .build()
        .expect("config")
}

/// A signed `alipay.trade.query` answer of about 2 KB.
fn query_answer() -> Vec<u8> {
    let bills: Vec<String> = (0..12)
        .map(|i| {
            format!(
                r#"{{"fund_channel":"ALIPAYACCOUNT","amount":"{i}.40","real_amount":"{i}.40"}}"#
            )
        })
        .collect();
    let node = format!(
        r#"{{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"T20261126000001","buyer_logon_id":"tes***@sandbox.com","trade_status":"TRADE_SUCCESS","total_amount":"88.80","buyer_pay_amount":"88.80","point_amount":"0.00","invoice_amount":"88.80","send_pay_date":"2026-11-26 12:00:01","receipt_amount":"88.80","buyer_user_id":"2088000000000001","subject":"Iced tea","fund_bill_list":[{}],"ext_infos":"{{\"url\":\"https:\\/\\/m.example\\/a\"}}"}}"#,
        bills.join(",")
    );
    let sign = PrivateKey::parse(ALIPAY_KEY)
        .expect("key")
        .sign(node.as_bytes())
        .expect("sign");
    format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"}}"#).into_bytes()
}

fn notification() -> (Vec<u8>, PublicKey) {
    let key = PrivateKey::parse(ALIPAY_KEY).expect("key");
    let mut params = vec![
        ("notify_time", "2026-11-26 12:00:02"),
        ("notify_type", "trade_status_sync"),
        ("notify_id", "2026112600222120002000000000000001"),
        ("app_id", "2021000000000001"),
        ("charset", "utf-8"),
        ("version", "1.0"),
        ("sign_type", "RSA2"),
        ("trade_no", "2026112622001000000000000001"),
        ("out_trade_no", "T20261126000001"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "88.80"),
        ("receipt_amount", "88.80"),
        ("buyer_id", "2088000000000001"),
        ("subject", "Iced tea"),
        ("gmt_payment", "2026-11-26 12:00:01"),
        (
            "fund_bill_list",
            r#"[{"amount":"88.80","fundChannel":"ALIPAYACCOUNT"}]"#,
        ),
    ];
    let content = alipay::wire::notify_sign_content(params.iter().copied());
    let sign = key.sign(content.as_bytes()).expect("sign");
    params.push(("sign", &sign));
    let body = alipay::wire::form_encode(params.iter().copied()).into_bytes();
    (body, key.public_key())
}

fn crypto(c: &mut Criterion) {
    let aws = PrivateKey::parse_with(APP_KEY, Backend::AwsLc).expect("key");
    let rust = PrivateKey::parse_with(APP_KEY, Backend::RustCrypto).expect("key");
    let public = aws.public_key();
    let signature = aws.sign(CONTENT.as_bytes()).expect("sign");
    c.bench_function("sign_content/trade_create", |b| {
        let params = CONTENT
            .split('&')
            .map(|kv| kv.split_once('=').unwrap_or((kv, "")));
        let params: Vec<(&str, &str)> = params.collect();
        b.iter(|| alipay::wire::sign_content(black_box(&params).iter().copied()))
    });
    c.bench_function("sign/aws-lc-rs", |b| {
        b.iter(|| aws.sign(black_box(CONTENT.as_bytes())))
    });
    c.bench_function("sign/rsa-crate", |b| {
        b.iter(|| rust.sign(black_box(CONTENT.as_bytes())))
    });
    c.bench_function("verify/aws-lc-rs", |b| {
        b.iter(|| public.verify(black_box(CONTENT.as_bytes()), &signature))
    });
    let rust_public =
        PublicKey::parse_with(&public.to_base64(), Backend::RustCrypto).expect("public key");
    c.bench_function("verify/rsa-crate", |b| {
        b.iter(|| rust_public.verify(black_box(CONTENT.as_bytes()), &signature))
    });
}

fn answers(c: &mut Criterion) {
    let client = client("https://openapi.alipay.com/gateway.do");
    let answer = query_answer();
    let query = TradeQuery::builder()
        .out_trade_no("T20261126000001")
        .build();
    c.bench_function("answer/extract+verify+parse 2KB trade.query", |b| {
        b.iter(|| {
            client
                .read_response(&query, 200, black_box(&answer))
                .expect("verified")
        })
    });
    let (body, key) = notification();
    c.bench_function("notify/verify raw body", |b| {
        b.iter(|| alipay::notify::verify_body(black_box(&body), &key).expect("verified"))
    });
}

/// A signer that returns a signature made once: what rendering costs beside the signature.
struct Presigned(String);

impl Signer for Presigned {
    fn sign(&self, _content: &[u8]) -> Result<String, alipay::BoxError> {
        Ok(self.0.clone())
    }
}

fn rendering(c: &mut Criterion) {
    let client = client("https://openapi.alipay.com/gateway.do");
    c.bench_function("render/page form", |b| {
        b.iter(|| client.render(PagePay).page_form().expect("form"))
    });
    c.bench_function("render/app order string", |b| {
        b.iter(|| client.render(PagePay).order_string().expect("order string"))
    });
    // The same without the RSA signature: the rendering's own cost, free of the drift that
    // comparing two benchmarks of about a millisecond each is subject to.
    let key = PrivateKey::parse(APP_KEY).expect("key");
    let signature = key.sign(CONTENT.as_bytes()).expect("sign");
    let presigned = Client::builder()
        .app_id("2021000000000001")
        .signer(Presigned(signature))
        .alipay_public_key(ALIPAY_PUBLIC)
        .gateway_url("https://openapi.alipay.com/gateway.do")
        .notify_url("https://m.example/notify")
        .build()
        .expect("config");
    c.bench_function("render/page form without the signature", |b| {
        b.iter(|| presigned.render(PagePay).page_form().expect("form"))
    });
    c.bench_function("render/app order string without the signature", |b| {
        b.iter(|| {
            presigned
                .render(PagePay)
                .order_string()
                .expect("order string")
        })
    });
}

fn send(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (sandbox, client) = runtime.block_on(async {
        let sandbox = Sandbox::builder()
            .record_requests(false)
            .start()
            .await
            .expect("sandbox");
        let app = sandbox.create_app().expect("app");
        let client = sandbox.client_builder(&app).build().expect("client");
        client
            .send(
                TradeCreate::builder()
                    .out_trade_no("B1")
                    .total_amount(Amount::new("1.00").expect("amount"))
                    .subject("bench")
                    .build(),
            )
            .await
            .expect("create");
        (sandbox, client)
    });
    c.bench_function("send/trade.query via sandbox over loopback", |b| {
        b.to_async(&runtime).iter(|| async {
            client
                .send(TradeQuery::builder().out_trade_no("B1").build())
                .await
                .expect("verified")
        })
    });
    runtime.block_on(sandbox.shutdown());
}

criterion_group!(benches, crypto, answers, rendering, send);
criterion_main!(benches);
