//! No secret leaks into text: every configuration, client, key, call and error object reachable in
//! normal and failing calls is formatted with `{:?}` and `{}`, everything `tracing` logged during
//! those calls is captured, and all of it is searched for windows of the private keys' base64,
//! the AES key, and the tokens the calls carried.

#[path = "support/logs.rs"]
mod logs;
#[path = "support/proxy.rs"]
mod proxy;

use std::time::Duration;

use alipay::crypto::AesKey;
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::retry::{Jitter, RetryPolicy};
use alipay::{Amount, Client, Error, PrivateKey, PublicKey};
use alipay_tests::{Reply, ScriptedGateway, builder_for, keys, signed_answer};
use base64::Engine as _;

/// An `app_auth_token` as an ISV would hold one.
const AGENT_TOKEN: &str = "202611BB1a2b3c4d5e6f7a8b9c0d1e2f3aB";
/// A user's `auth_token`.
const USER_TOKEN: &str = "authusrB9f8e7d6c5b4a39281706f5e4d3c2b1X";
/// An AES content encryption key (the vector key of `tests/fixtures/vectors`).
const AES_KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";

const NODE: &str = "alipay_trade_query_response";
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.80"}"#;

/// What must never appear: windows of every private key's base64 (PEM bodies joined), the AES
/// key (as text and as a byte list), the tokens, and tokens' tails (a redaction shows at most a
/// head).
fn secrets() -> Vec<String> {
    let mut needles = Vec::new();
    for pem in [
        keys::APP_PRIVATE_PKCS8_PEM,
        keys::APP_PRIVATE_PKCS1_PEM,
        keys::ALIPAY_PRIVATE_PKCS8_PEM,
    ] {
        let body: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .concat();
        // Skip the first 420 characters: the DER header and the modulus and public exponent,
        // which are the public key (printed on purpose by `PublicKey`'s `Debug`). The private
        // exponent and the primes follow.
        for start in [420, 600, 800, 1000, 1200, body.len() - 40] {
            needles.push(body[start..start + 20].to_owned());
        }
    }
    needles.push(AES_KEY.to_owned());
    needles.push(AES_KEY.trim_end_matches('=').to_owned());
    let aes_bytes = base64::engine::general_purpose::STANDARD
        .decode(AES_KEY)
        .expect("base64");
    let list = format!("{aes_bytes:?}");
    needles.push(list[..list.len() / 2].to_owned());
    for token in [AGENT_TOKEN, USER_TOKEN] {
        needles.push(token.to_owned());
        needles.push(token[6..].to_owned());
        needles.push(token[token.len() - 12..].to_owned());
    }
    needles
}

/// Collects the text of every object looked at.
#[derive(Default)]
struct Seen {
    texts: Vec<(String, String)>,
}

impl Seen {
    fn debug(&mut self, label: &str, value: &dyn std::fmt::Debug) {
        self.texts
            .push((format!("{label} {{:?}}"), format!("{value:?}")));
        self.texts
            .push((format!("{label} {{:#?}}"), format!("{value:#?}")));
    }

    fn both(&mut self, label: &str, value: &(impl std::fmt::Debug + std::fmt::Display)) {
        self.debug(label, value);
        self.texts
            .push((format!("{label} {{}}"), format!("{value}")));
    }

    fn error(&mut self, label: &str, error: &(dyn std::error::Error + 'static)) {
        self.debug(label, &error);
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(inner) = source {
            text.push_str(" <- ");
            text.push_str(&inner.to_string());
            source = inner.source();
        }
        self.texts.push((format!("{label} chain"), text));
    }

    fn result<T: std::fmt::Debug>(&mut self, label: &str, result: &Result<T, Error>) {
        match result {
            Ok(value) => self.debug(label, value),
            Err(error) => {
                self.both(label, error);
                self.error(label, error);
            }
        }
    }
}

/// A page pay, rendered locally.
struct PagePay;

impl alipay::request::Method for PagePay {
    fn method(&self) -> &str {
        "alipay.trade.page.pay"
    }

    fn encode(&self, params: &mut alipay::request::Params) -> Result<(), alipay::EncodeError> {
        params.biz_value("out_trade_no", "T1");
        Ok(())
    }
}

impl alipay::request::LocalRequest for PagePay {}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("T1").build()
}

fn create() -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no("T1")
        .total_amount(Amount::new("88.80").expect("amount"))
        .subject("tea")
        .buyer_id("2088000000000001")
        .build()
}

/// A client with retries (so retries are logged) and the tokens on every call.
fn client(url: &str) -> Client {
    builder_for(url)
        .retry(
            RetryPolicy::new(2)
                .backoff(Duration::from_millis(5), Duration::from_millis(10))
                .jitter(Jitter::None),
        )
        .request_timeout(Duration::from_millis(300))
        .build()
        .expect("config")
}

async fn call(seen: &mut Seen, label: &str, client: &Client) {
    let call = client.send(query()).agent(AGENT_TOKEN).auth(USER_TOKEN);
    seen.debug(&format!("{label} call"), &call);
    let result = call.await;
    seen.result(label, &result);
    let result = client
        .send(create())
        .agent(AGENT_TOKEN)
        .auth(USER_TOKEN)
        .await;
    seen.result(&format!("{label} create"), &result);
}

#[tokio::test]
async fn no_secret_is_formatted_or_logged() {
    logs::capture();
    let mut seen = Seen::default();

    // Configuration objects.
    let builder = builder_for("http://127.0.0.1:1/gateway.do")
        .notify_url("https://m.example/notify")
        .retry(RetryPolicy::new(1));
    seen.debug("builder", &builder);
    let app_key = PrivateKey::parse(keys::APP_PRIVATE_PKCS8_PEM).expect("key");
    seen.debug("private key", &app_key);
    seen.debug("public key", &app_key.public_key());
    let aes = AesKey::from_base64(AES_KEY).expect("aes key");
    seen.debug("aes key", &aes);
    let encrypted = aes.encrypt(b"{\"a\":1}");
    if let Err(error) = aes.decrypt(&encrypted[..encrypted.len() - 4]) {
        seen.both("aes decrypt error", &error);
    }
    match AesKey::from_base64(&AES_KEY[..10]) {
        Err(error) => seen.both("aes key error", &error),
        Ok(key) => seen.debug("aes key (short)", &key),
    }

    // Bad keys, each way they can be wrong.
    let pkcs8 = keys::APP_PRIVATE_PKCS8_PEM;
    let mut altered = pkcs8.to_owned();
    altered.replace_range(300..301, if &pkcs8[300..301] == "A" { "B" } else { "A" });
    let bad_private = [
        pkcs8[..pkcs8.len() / 2].to_owned(),
        altered,
        pkcs8.replace("PRIVATE KEY", "PUBLIC KEY"),
        keys::APP_PUBLIC_B64.to_owned(),
        pkcs8.replace('\n', " "),
    ];
    for (i, text) in bad_private.iter().enumerate() {
        if let Err(error) = PrivateKey::parse(text) {
            seen.both(&format!("private key error {i}"), &error);
        }
        let built = Client::builder()
            .app_id("2021000000000001")
            .app_private_key(text.as_str())
            .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
            .build();
        match built {
            Err(error) => seen.both(&format!("config error {i}"), &error),
            Ok(client) => seen.debug(&format!("client {i}"), &client),
        }
    }
    // A private key where the Alipay public key belongs.
    let swapped = Client::builder()
        .app_id("2021000000000001")
        .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(keys::ALIPAY_PRIVATE_PKCS8_PEM)
        .build();
    if let Err(error) = swapped {
        seen.both("swapped keys", &error);
        seen.both("swapped keys as Error", &Error::from(error));
    }
    if let Err(error) = PublicKey::parse(keys::ALIPAY_PRIVATE_PKCS8_PEM) {
        seen.both("public key error", &error);
    }

    // Normal and failing calls.
    let ok = ScriptedGateway::start(200, signed_answer(NODE, SUCCESS)).await;
    let ok_client = client(&ok.url);
    seen.debug("client", &ok_client);
    call(&mut seen, "success", &ok_client).await;
    let render = ok_client
        .render(PagePay)
        .agent(AGENT_TOKEN)
        .auth(USER_TOKEN);
    seen.debug("render", &render);

    let business = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
    let scripts = [
        (
            "api error",
            vec![Reply::answer(200, signed_answer(NODE, business))],
        ),
        (
            "gateway error",
            vec![Reply::answer(
                200,
                r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature"}}"#,
            )],
        ),
        (
            "tampered",
            vec![Reply::answer(
                200,
                signed_answer(NODE, SUCCESS).replace("88.80", "0.01"),
            )],
        ),
        ("http 503", vec![Reply::unavailable()]),
        (
            "not json",
            vec![Reply::answer(200, "<html>maintenance</html>")],
        ),
        ("hang", vec![Reply::Hang]),
        (
            "reset",
            vec![Reply::ResetMidBody {
                body: signed_answer(NODE, SUCCESS).into_bytes(),
                sent: 20,
            }],
        ),
    ];
    for (label, script) in scripts {
        let gateway = ScriptedGateway::start_script(script).await;
        call(&mut seen, label, &client(&gateway.url)).await;
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/gateway.do", closed.local_addr().expect("addr"));
    drop(closed);
    call(&mut seen, "connect", &client(&url)).await;

    // The tokens really were sent (so their absence from the text above means something).
    let head = &ok.received()[0].head;
    assert!(
        head.contains(&format!("app_auth_token={AGENT_TOKEN}")),
        "{head}"
    );
    assert!(head.contains(&format!("auth_token={USER_TOKEN}")), "{head}");

    // Notifications: good, tampered, unsigned, malformed.
    let alipay_key = alipay_tests::alipay_private_key();
    let content = "app_id=2021000000000001&notify_id=n1&out_trade_no=T1&trade_no=2026&trade_status=TRADE_SUCCESS";
    let sign = alipay::Signer::sign(&alipay_key, content.as_bytes()).expect("sign");
    let body = format!(
        "{content}&sign_type=RSA2&sign={}",
        alipay::wire::form_encode([("", sign.as_str())]).trim_start_matches('=')
    );
    for (label, body) in [
        ("notification", body.clone()),
        ("tampered notification", body.replace("T1", "T2")),
        ("unsigned notification", content.to_owned()),
        ("malformed notification", "a=%ZZ".to_owned()),
    ] {
        match ok_client.verify_notification(body.as_bytes()) {
            Ok(notification) => {
                seen.debug(label, &notification);
                seen.debug(&format!("{label} trade"), &notification.trade());
            }
            Err(error) => {
                seen.both(label, &error);
                seen.error(label, &error);
            }
        }
    }

    // Everything logged while doing all that.
    let logged = logs::text();
    assert!(
        logged.contains("alipay.call"),
        "the capture works: {logged}"
    );
    assert!(logged.contains("retrying the Alipay call"), "{logged}");
    seen.texts.push(("tracing output".to_owned(), logged));

    let needles = secrets();
    let mut leaks = Vec::new();
    for (label, text) in &seen.texts {
        for needle in &needles {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{label} contains `{needle}`"));
            }
        }
    }
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    assert!(seen.texts.len() > 100, "{} texts checked", seen.texts.len());
    // The redacted tokens still show their head, to tell calls apart.
    assert!(
        seen.texts
            .iter()
            .any(|(_, t)| t.contains(&format!("{}…", &AGENT_TOKEN[..4])))
    );
}

/// An OAuth authorization code, sent as the text parameter `code`.
const OAUTH_CODE: &str = "4b203fe6c11548bcabd8da5bb087a83b";
/// A refresh token with characters that travel percent-encoded (`+`, `/`, `=`).
const REFRESH_TOKEN: &str = "rfrB+7d/9kQ2mX8pL4vZ6nW1cY3hT5=";

/// How the echo gateway answers: where it puts the whole request (request line, then body).
#[derive(Clone, Copy, Debug)]
enum Echo {
    /// A non-2xx answer whose body is the request as sent (form and query shape).
    Status500,
    /// A non-2xx answer with the request inside a JSON string (quotes escaped).
    Status502Json,
    /// A 200 unsigned `error_response` whose `msg` and `sub_msg` are the request.
    GatewayError,
    /// A 200 answer for the method with the request in `msg` and a signature that does not
    /// verify.
    BadSignature,
    /// A 200 answer whose top-level keys are the request, twice.
    DuplicateKey,
}

/// A gateway on loopback that echoes every request back as `mode` says.
async fn echo_gateway(mode: Echo) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt as _;
                let Some(request) = alipay_tests::read_request(&mut stream).await else {
                    return;
                };
                let line = request.head.lines().next().unwrap_or_default();
                let echo = format!("{line}\n{}", String::from_utf8_lossy(&request.body));
                let quoted = serde_json::to_string(&echo).expect("json");
                let (status, body) = match mode {
                    Echo::Status500 => ("500 Internal Server Error", echo),
                    Echo::Status502Json => {
                        ("502 Bad Gateway", format!(r#"{{"request":{quoted}}}"#))
                    }
                    Echo::GatewayError => (
                        "200 OK",
                        format!(
                            r#"{{"error_response":{{"code":"40002","msg":{quoted},"sub_code":"isv.invalid-app-auth-token","sub_msg":{quoted}}}}}"#
                        ),
                    ),
                    Echo::BadSignature => (
                        "200 OK",
                        format!(
                            r#"{{"alipay_trade_query_response":{{"code":"10000","msg":{quoted}}},"alipay_system_oauth_token_response":{{"msg":{quoted}}},"sign":"AAAA"}}"#
                        ),
                    ),
                    Echo::DuplicateKey => ("200 OK", format!("{{{quoted}:1,{quoted}:1}}")),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/plain;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    url
}

/// The tokens (as sent and as form-encoded) and their tails.
fn token_needles() -> Vec<String> {
    let mut needles = Vec::new();
    for token in [AGENT_TOKEN, USER_TOKEN, OAUTH_CODE, REFRESH_TOKEN] {
        let encoded = alipay::wire::form_encode([("", token)]);
        needles.push(encoded.trim_start_matches('=').to_owned());
        needles.push(token.to_owned());
        needles.push(token[token.len() - 12..].to_owned());
    }
    needles
}

#[tokio::test]
async fn echoed_requests_are_redacted_in_errors_and_logs() {
    use alipay::base::oauth::{OauthRefreshToken, OauthToken};

    logs::capture();
    let mut seen = Seen::default();
    let mut displays = Vec::new();
    for mode in [
        Echo::Status500,
        Echo::Status502Json,
        Echo::GatewayError,
        Echo::BadSignature,
        Echo::DuplicateKey,
    ] {
        let client = client(&echo_gateway(mode).await);
        let label = format!("{mode:?}");
        let query = client
            .send(query())
            .agent(AGENT_TOKEN)
            .auth(USER_TOKEN)
            .await;
        let code = client
            .send(OauthToken::builder().code(OAUTH_CODE).build())
            .agent(AGENT_TOKEN)
            .await;
        let refresh = client
            .send(
                OauthRefreshToken::builder()
                    .refresh_token(REFRESH_TOKEN)
                    .build(),
            )
            .await;
        for (call, result) in [
            ("query", query.map(drop)),
            ("code", code.map(drop)),
            ("refresh", refresh.map(drop)),
        ] {
            let error = result.expect_err("an echo is never a verified answer");
            displays.push((format!("{label} {call}"), error.to_string()));
            seen.result(&format!("{label} {call}"), &Err::<(), _>(error));
        }
    }

    // Positive control: the echo arrived, with the method and other non-secret parameters,
    // and the secret values were replaced where they were.
    let shown = |label: &str| {
        displays
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, text)| text.clone())
            .unwrap_or_default()
    };
    let status = shown("Status500 query");
    assert!(status.contains("HTTP 500"), "{status}");
    assert!(status.contains("method=alipay.trade.query"), "{status}");
    assert!(status.contains("app_auth_token=[redacted]"), "{status}");
    let code = shown("Status500 code");
    assert!(code.contains("grant_type=authorization_code"), "{code}");
    assert!(code.contains("code=[redacted]"), "{code}");
    let json = shown("Status502Json refresh");
    assert!(json.contains("method=alipay.system.oauth.token"), "{json}");
    assert!(json.contains("refresh_token=[redacted]"), "{json}");
    let gateway = shown("GatewayError query");
    assert!(gateway.contains("40002"), "{gateway}");
    assert!(gateway.contains("method=alipay.trade.query"), "{gateway}");
    assert!(gateway.contains("auth_token=[redacted]"), "{gateway}");
    let duplicate = shown("DuplicateKey query");
    assert!(duplicate.contains("more than once"), "{duplicate}");
    assert!(
        duplicate.contains("method=alipay.trade.query"),
        "{duplicate}"
    );
    let signature = shown("BadSignature query");
    assert!(signature.contains("signature"), "{signature}");

    let logged = logs::text();
    assert!(logged.contains("retrying the Alipay call"), "{logged}");
    assert!(
        logged.contains("[redacted]"),
        "the echo reached the logs: {logged}"
    );
    seen.texts.push(("tracing output".to_owned(), logged));

    let mut leaks = Vec::new();
    for (label, text) in &seen.texts {
        for needle in token_needles() {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{label} contains `{needle}`: {text}"));
            }
        }
    }
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
}

/// The proxy password, percent-encoded in the URL as users write one with an `@`.
const PROXY_PASSWORD_IN_URL: &str = "pr0xy%40Secret-7f3a";
/// The same password decoded, as it travels in `Proxy-Authorization`.
const PROXY_PASSWORD: &str = "pr0xy@Secret-7f3a";

#[tokio::test]
async fn the_proxy_password_is_never_formatted_or_logged() {
    logs::capture();
    let mut seen = Seen::default();
    let (proxy, saw) = proxy::start(proxy::Rules {
        auth: Some(proxy::basic("alice", PROXY_PASSWORD)),
        ..proxy::Rules::default()
    })
    .await;
    for (label, password) in [
        ("right", PROXY_PASSWORD_IN_URL),
        ("wrong", "wr0ng%40Secret-7f3a"),
    ] {
        let url = format!("http://alice:{password}@{proxy}");
        // An https:// gateway nobody listens on (a tunnel refused, or a 502 from the proxy) and
        // a plain http:// one (a 407 answer, or a 502).
        for gateway in [
            "https://localhost:1/gateway.do",
            "http://127.0.0.1:1/gateway.do",
        ] {
            let builder = builder_for(gateway).proxy(url.as_str());
            seen.debug(&format!("{label} proxy builder"), &builder);
            let client = builder.build().expect("client");
            seen.debug(&format!("{label} proxy client"), &client);
            let result = client.send(query()).await;
            assert!(result.is_err(), "no gateway behind the proxy");
            seen.result(&format!("{label} proxy call to {gateway}"), &result);
        }
    }
    // A proxy URL the builder refuses.
    match builder_for("http://127.0.0.1:1/gateway.do")
        .proxy(format!("socks5://alice:{PROXY_PASSWORD_IN_URL}@{proxy}"))
        .build()
    {
        Err(error) => seen.both("refused proxy URL", &error),
        Ok(client) => seen.debug("socks client", &client),
    }
    // The capture works: the proxy did receive the credentials, from both clients.
    let sent = saw.lock().expect("lock").auth.clone();
    assert!(
        sent.contains(&proxy::basic("alice", PROXY_PASSWORD)),
        "{sent:?}"
    );
    seen.texts.push(("tracing output".to_owned(), logs::text()));

    let needles = [
        PROXY_PASSWORD_IN_URL.to_owned(),
        PROXY_PASSWORD.to_owned(),
        "wr0ng".to_owned(),
        proxy::basic("alice", PROXY_PASSWORD)["Basic ".len()..].to_owned(),
    ];
    let leaks: Vec<String> = seen
        .texts
        .iter()
        .flat_map(|(label, text)| {
            needles
                .iter()
                .filter(|needle| text.contains(needle.as_str()))
                .map(move |needle| format!("{label} contains `{needle}`"))
        })
        .collect();
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    assert!(seen.texts.len() >= 20, "{} texts checked", seen.texts.len());
}
