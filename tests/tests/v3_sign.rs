//! OpenAPI v3 request signing: fixed vectors (a known key, nonce and timestamp -> the exact
//! `Authorization` header, computed with `openssl dgst -sha256 -sign` when the fixture was made,
//! see `fixtures/v3/sign_vectors.json`), and what the client really sends, captured on loopback:
//! the signature verifies with the app's public key over the bytes sent, the query is encoded
//! once, the `app_auth_token` line and header, `alipay-request-id`.

use alipay::payment::common::{BillDownloadUrlQuery, TradeQuery};
use alipay::v3::sign::{self, Authorization};
use alipay::v3::{Prepared, Verb};
use alipay::{PrivateKey, Protocol, PublicKey, Signer as _, Verifier as _, VerifyError};
use alipay_tests::{Reply, ScriptedGateway, builder_for, keys};
use serde_json::Value;

#[test]
fn the_authorization_header_matches_openssl() {
    let key = PrivateKey::parse(include_str!("../fixtures/v3/app_private_key.pem")).expect("key");
    let vectors: Value =
        serde_json::from_str(include_str!("../fixtures/v3/sign_vectors.json")).expect("json");
    let cases = vectors["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 3);
    for case in cases {
        let text = |k: &str| case[k].as_str().map(str::to_owned);
        let auth = sign::auth_string(
            case["app_id"].as_str().expect("app_id"),
            case["app_cert_sn"].as_str(),
            case["nonce"].as_str().expect("nonce"),
            case["timestamp"].as_u64().expect("timestamp"),
            case["expired_seconds"]
                .as_u64()
                .map(|s| u32::try_from(s).expect("small")),
        );
        let prepared = Prepared {
            verb: Verb::parse(case["method"].as_str().expect("method")).expect("verb"),
            uri: text("uri").expect("uri"),
            body: text("body").expect("body"),
            app_auth_token: text("app_auth_token"),
        };
        let content = sign::sign_content(&auth, &prepared);
        assert_eq!(
            Some(&content),
            text("sign_content").as_ref(),
            "{}",
            case["name"]
        );
        let signature = key.sign(content.as_bytes()).expect("sign");
        assert_eq!(
            Some(sign::authorization(&auth, &signature)),
            text("authorization"),
            "{}",
            case["name"]
        );
    }
}

#[test]
fn a_changed_line_does_not_give_the_vector() {
    // Negative control for the vectors: the same inputs without the final newline, or with the
    // token line dropped, sign to another header.
    let key = PrivateKey::parse(include_str!("../fixtures/v3/app_private_key.pem")).expect("key");
    let public = PublicKey::parse(include_str!("../fixtures/v3/app_public_key.pem")).expect("key");
    let vectors: Value =
        serde_json::from_str(include_str!("../fixtures/v3/sign_vectors.json")).expect("json");
    let case = &vectors["cases"][1];
    let header =
        Authorization::parse(case["authorization"].as_str().expect("header")).expect("parses");
    let content = case["sign_content"].as_str().expect("content");
    public
        .verify(content.as_bytes(), &header.sign)
        .expect("the vector verifies");
    let token = case["app_auth_token"].as_str().expect("token");
    let without_token = content
        .strip_suffix(&format!("{token}\n"))
        .expect("token line");
    assert_eq!(
        public.verify(without_token.as_bytes(), &header.sign),
        Err(VerifyError::Mismatch)
    );
    let trimmed = content.trim_end_matches('\n');
    assert_eq!(
        public.verify(trimmed.as_bytes(), &header.sign),
        Err(VerifyError::Mismatch)
    );
    assert_ne!(key.sign(trimmed.as_bytes()).expect("sign"), header.sign);
}

/// The request line, a header and the body of a captured request.
struct Captured {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

async fn capture<R>(request: R, agent: Option<&str>) -> Captured
where
    R: alipay::request::Request + Send + Sync,
    R::Response: Send,
{
    let gateway = ScriptedGateway::start_script(vec![Reply::answer(400, "unsigned")]).await;
    let client = builder_for(&gateway.url)
        .protocol(Protocol::V3)
        .build()
        .expect("client");
    let call = client.send(request);
    let call = match agent {
        Some(token) => call.agent(token),
        None => call,
    };
    let _refused = call.await;
    let recorded = gateway.received().remove(0);
    let mut lines = recorded.head.lines();
    let line = lines.next().expect("request line").to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    Captured {
        line,
        headers,
        body: String::from_utf8(recorded.body).expect("utf-8"),
    }
}

/// Checks the captured request's signature over its own bytes, rebuilt here by hand.
fn check_signature(captured: &Captured, verb: &str, uri: &str, token: Option<&str>) {
    let header = Authorization::parse(captured.header("authorization").expect("Authorization"))
        .expect("well-formed");
    assert_eq!(header.app_id, "2021000000000001");
    assert_eq!(header.nonce.len(), 32);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64;
    assert!(
        now_ms.abs_diff(header.timestamp_ms) < 60_000,
        "milliseconds, now"
    );
    let mut content = format!("{}\n{verb}\n{uri}\n{}\n", header.auth_string, captured.body);
    if let Some(token) = token {
        content.push_str(token);
        content.push('\n');
    }
    let app_key = PublicKey::parse(keys::APP_PUBLIC_B64).expect("key");
    app_key
        .verify(content.as_bytes(), &header.sign)
        .expect("the request signature verifies over the bytes sent");
    let request_id = captured.header("alipay-request-id").expect("request id");
    assert!(request_id.len() == 32 && request_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(request_id, header.nonce);
}

#[tokio::test]
async fn a_post_is_signed_over_its_json_body() {
    let captured = capture(TradeQuery::builder().out_trade_no("T 1&2").build(), None).await;
    assert_eq!(captured.line, "POST /v3/alipay/trade/query HTTP/1.1");
    assert_eq!(captured.body, r#"{"out_trade_no":"T 1&2"}"#);
    assert_eq!(captured.header("content-type"), Some("application/json"));
    assert_eq!(captured.header("alipay-app-auth-token"), None);
    check_signature(&captured, "POST", "/v3/alipay/trade/query", None);
}

#[tokio::test]
async fn an_agent_call_signs_the_token_line_and_sends_the_header() {
    let token = "202612BBf0a1b2c3d4e5f6";
    let captured = capture(
        TradeQuery::builder().out_trade_no("T1").build(),
        Some(token),
    )
    .await;
    assert_eq!(captured.header("alipay-app-auth-token"), Some(token));
    assert!(
        !captured.body.contains(token),
        "the token is a header, not a field"
    );
    check_signature(&captured, "POST", "/v3/alipay/trade/query", Some(token));
}

#[tokio::test]
async fn a_get_sends_and_signs_the_query_encoded_once() {
    let request = BillDownloadUrlQuery::builder()
        .bill_type("trade")
        .bill_date("2016-04-05 +08")
        .build();
    let captured = capture(request, None).await;
    let uri = "/v3/alipay/data/dataservice/bill/downloadurl/query?bill_date=2016-04-05%20%2B08&bill_type=trade";
    assert_eq!(captured.line, format!("GET {uri} HTTP/1.1"));
    assert_eq!(captured.body, "");
    check_signature(&captured, "GET", uri, None);
}
