//! A gateway answer through `Client::read_response`: splitting, signature verification, the
//! gateway code and the typed response; the whole-body mode also reads it as the answer to a
//! request that declared GBK (`Client::read_response_declared`) and with a GBK `Content-Type`
//! (`Client::read_http_response`, which does not follow it).
//!
//! The first byte picks the mode: even, the rest is the whole answer body (almost never signed
//! correctly: exercises the splitter and the refusals); odd, the rest is a node that is signed
//! here with the test "Alipay" key and wrapped as an answer, so the verified path (status codes,
//! typed parsing) is fuzzed too.
#![no_main]

use std::sync::LazyLock;

use alipay::payment::common::TradeQuery;
use alipay::response::Charset;
use alipay::transport::HttpResponse;
use alipay::{Client, PrivateKey, Signer as _};
use libfuzzer_sys::fuzz_target;

const APP_KEY: &str = include_str!("../../alipay/tests/fixtures/keys/app_private_pkcs8.pem");
const ALIPAY_KEY: &str = include_str!("../../alipay/tests/fixtures/keys/alipay_private_pkcs8.pem");
const ALIPAY_PUBLIC: &str = include_str!("../../alipay/tests/fixtures/keys/alipay_public.b64");

static CLIENT: LazyLock<Client> = LazyLock::new(|| {
    Client::builder()
        .app_id("2021000000000001")
        .app_private_key(APP_KEY)
        .alipay_public_key(ALIPAY_PUBLIC)
        .gateway_url("http://127.0.0.1:9/gateway.do")
        .build()
        .expect("fixture configuration")
});
static ALIPAY: LazyLock<PrivateKey> =
    LazyLock::new(|| PrivateKey::parse(ALIPAY_KEY).expect("fixture key"));

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let request = TradeQuery::builder().out_trade_no("T1").build();
    if mode % 2 == 0 {
        let _ = alipay::response::split(rest, "alipay_trade_query_response");
        for status in [200, 502] {
            let _ = CLIENT.read_response(&request, status, rest);
        }
        let _ = alipay::response::split_declared(rest, "alipay_trade_query_response", Charset::Gbk);
        let _ = CLIENT.read_response_declared(&request, 200, rest, Charset::Gbk);
        let labelled =
            HttpResponse::new(200, rest.to_vec()).with_content_type("text/html;charset=GBK");
        let _ = CLIENT.read_http_response(&request, &labelled);
    } else if let Ok(node) = std::str::from_utf8(rest) {
        let Ok(sign) = ALIPAY.sign(node.as_bytes()) else {
            return;
        };
        let body = format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"}}"#);
        let _ = CLIENT.read_response(&request, 200, body.as_bytes());
    }
});
