//! The default transport through an HTTP proxy (`ClientBuilder::proxy`), over loopback with the
//! proxy of `support/proxy.rs`: an `https://` gateway (the sandbox behind a TLS front with a
//! test CA the client trusts through `add_root_certificates`) through a `CONNECT` tunnel, TLS
//! end to end and the tunnel kept alive; a plain `http://` gateway in absolute form; `NO_PROXY`
//! hosts going direct; wrong credentials and a refused tunnel as typed errors; bad proxy URLs
//! refused at build without quoting them.

#[path = "support/proxy.rs"]
mod proxy;

use std::net::SocketAddr;
use std::sync::Arc;

use alipay::error::ConnectStep;
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::{Sandbox, SandboxApp};
use alipay::{Amount, Client, ClientBuilder, Error};
use proxy::{Rules, basic};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const PASSWORD: &str = "pr0xy-Secret-7f3a";

/// A test CA (its PEM) and a TLS acceptor with a `localhost` certificate it issued.
fn pki() -> (String, TlsAcceptor) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "alipay-sdk proxy test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let server_key = KeyPair::generate().expect("server key");
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .expect("server params")
        .signed_by(&server_key, &Issuer::from_params(&ca_params, &ca_key))
        .expect("server certificate");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .expect("server config");
    (ca_cert.pem(), TlsAcceptor::from(Arc::new(config)))
}

/// The sandbox behind TLS: `https://localhost:PORT/gateway.do`, and the CA to trust.
async fn tls_sandbox(sandbox: &Sandbox) -> (String, String) {
    let (ca_pem, acceptor) = pki();
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let backend = sandbox.addr();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let (Ok(mut tls), Ok(mut plain)) = (
                    acceptor.accept(stream).await,
                    TcpStream::connect(backend).await,
                ) else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (format!("https://localhost:{port}/gateway.do"), ca_pem)
}

async fn sandbox() -> (Sandbox, SandboxApp) {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app");
    (sandbox, app)
}

fn create(out_trade_no: &str) -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no(out_trade_no)
        .total_amount(Amount::new("1.00").expect("amount"))
        .subject("through a proxy")
        .build()
}

/// Creates a trade and queries it back: two verified calls.
async fn two_calls(client: &Client, out_trade_no: &str) {
    client.send(create(out_trade_no)).await.expect("created");
    let trade = client
        .send(TradeQuery::builder().out_trade_no(out_trade_no).build())
        .await
        .expect("queried");
    assert_eq!(trade.out_trade_no, out_trade_no);
}

/// The error and its sources, as one text.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(" <- ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn with_proxy(builder: ClientBuilder, proxy: SocketAddr, password: &str) -> ClientBuilder {
    builder.proxy(format!("http://alice:{password}@{proxy}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_gateway_is_reached_through_one_authenticated_connect_tunnel() {
    let (sandbox, app) = sandbox().await;
    let (url, ca) = tls_sandbox(&sandbox).await;
    let (proxy, seen) = proxy::start(Rules {
        auth: Some(basic("alice", PASSWORD)),
        ..Rules::default()
    })
    .await;
    let client = with_proxy(sandbox.client_builder(&app), proxy, PASSWORD)
        .gateway_url(&url)
        .add_root_certificates(ca)
        .build()
        .expect("client");
    two_calls(&client, "PX-TLS-1").await;

    let seen = seen.lock().expect("lock");
    let port = url
        .trim_start_matches("https://localhost:")
        .trim_end_matches("/gateway.do");
    assert_eq!(
        seen.tunnels,
        [format!("localhost:{port}")],
        "one tunnel, kept alive"
    );
    assert_eq!(seen.auth, [basic("alice", PASSWORD)]);
    assert!(seen.forwarded.is_empty());
    // TLS runs end to end: the tunnel starts with a TLS handshake record, not HTTP.
    let first = &seen.tunnel_bytes[0];
    assert_eq!(first.first(), Some(&0x16), "a TLS handshake record");
    assert!(!String::from_utf8_lossy(first).contains("POST"));
    assert_eq!(sandbox.requests().len(), 2);
}

#[tokio::test]
async fn wrong_proxy_credentials_are_a_connect_error_that_names_the_proxy_not_the_password() {
    let (sandbox, app) = sandbox().await;
    let (url, ca) = tls_sandbox(&sandbox).await;
    let (proxy, seen) = proxy::start(Rules {
        auth: Some(basic("alice", PASSWORD)),
        ..Rules::default()
    })
    .await;
    let wrong = "wr0ng-Pass-91c2";
    let client = with_proxy(sandbox.client_builder(&app), proxy, wrong)
        .gateway_url(&url)
        .add_root_certificates(ca.as_str())
        .build()
        .expect("client");
    let error = client
        .send(create("PX-407"))
        .await
        .expect_err("the proxy refuses");
    assert!(matches!(error, Error::Connect(_)), "{error:?}");
    let text = format!("{} {error:?}", chain(&error));
    assert!(text.contains(&format!("proxy {proxy}")), "{text}");
    assert!(text.contains("proxy authorization required"), "{text}");
    assert!(
        !text.contains(wrong) && !text.contains(&basic("alice", wrong)),
        "{text}"
    );
    assert_eq!(seen.lock().expect("lock").auth, [basic("alice", wrong)]);
    assert!(sandbox.requests().is_empty(), "nothing reached the gateway");

    // The positive control: the right password passes the same proxy.
    let client = with_proxy(sandbox.client_builder(&app), proxy, PASSWORD)
        .gateway_url(&url)
        .add_root_certificates(ca)
        .build()
        .expect("client");
    client.send(create("PX-407")).await.expect("created");
}

#[tokio::test]
async fn a_proxy_refusing_the_tunnel_is_a_connect_error() {
    let (sandbox, app) = sandbox().await;
    let (url, ca) = tls_sandbox(&sandbox).await;
    let (proxy, _) = proxy::start(Rules {
        refuse: Some("403 Forbidden"),
        ..Rules::default()
    })
    .await;
    let client = sandbox
        .client_builder(&app)
        .proxy(format!("http://{proxy}"))
        .gateway_url(&url)
        .add_root_certificates(ca)
        .build()
        .expect("client");
    let error = client
        .send(create("PX-403"))
        .await
        .expect_err("the proxy refuses");
    let Error::Connect(connect) = &error else {
        panic!("a connect error: {error:?}")
    };
    assert_eq!(connect.step(), ConnectStep::Proxy, "{error}");
    assert_eq!(connect.gateway(), url.trim_end_matches("/gateway.do"));
    let text = chain(&error);
    assert!(
        text.contains("could not open a CONNECT tunnel") && text.contains("unsuccessful"),
        "{text}"
    );
    assert!(sandbox.requests().is_empty());
}

#[tokio::test]
async fn an_http_gateway_is_reached_through_the_proxy_in_absolute_form() {
    let (sandbox, app) = sandbox().await;
    let (proxy, seen) = proxy::start(Rules {
        auth: Some(basic("alice", PASSWORD)),
        ..Rules::default()
    })
    .await;
    let client = with_proxy(sandbox.client_builder(&app), proxy, PASSWORD)
        .build()
        .expect("client");
    two_calls(&client, "PX-HTTP-1").await;
    let seen = seen.lock().expect("lock");
    let gateway = sandbox.gateway_url();
    assert_eq!(
        seen.forwarded.len(),
        1,
        "one connection, kept alive: {seen:?}"
    );
    assert!(
        seen.forwarded[0].starts_with(&format!("POST {gateway}?")),
        "absolute form: {:?}",
        seen.forwarded[0]
    );
    assert_eq!(seen.auth, [basic("alice", PASSWORD)]);
    assert!(seen.tunnels.is_empty());
}

#[tokio::test]
async fn no_proxy_hosts_go_direct_and_others_through_the_proxy() {
    let (sandbox, app) = sandbox().await;
    let (proxy, seen) = proxy::start(Rules::default()).await;
    let direct = sandbox
        .client_builder(&app)
        .proxy(format!("http://{proxy}"))
        .no_proxy("example.com, 127.0.0.1")
        .build()
        .expect("client");
    two_calls(&direct, "PX-NO-1").await;
    assert!(
        seen.lock().expect("lock").forwarded.is_empty(),
        "not proxied"
    );
    assert_eq!(sandbox.requests().len(), 2);

    // The positive control: a NO_PROXY list that does not name the gateway.
    let proxied = sandbox
        .client_builder(&app)
        .proxy(format!("http://{proxy}"))
        .no_proxy("example.com,10.0.0.0/8")
        .build()
        .expect("client");
    two_calls(&proxied, "PX-NO-2").await;
    assert_eq!(seen.lock().expect("lock").forwarded.len(), 1, "proxied");
}

#[test]
fn an_unusable_proxy_url_is_a_config_error_that_does_not_quote_it() {
    for url in [
        "socks5://alice:pr0xy-Secret-7f3a@127.0.0.1:1080",
        "https://alice:pr0xy-Secret-7f3a@127.0.0.1:443",
        "http://alice:pr0xy-Secret-7f3a@",
        "not a url pr0xy-Secret-7f3a",
    ] {
        let error = alipay_tests::builder_for("http://127.0.0.1:1/gateway.do")
            .proxy(url)
            .build()
            .expect_err(url);
        let text = format!("{error} {error:?}");
        assert!(text.contains("proxy"), "{text}");
        assert!(!text.contains(PASSWORD), "{text}");
    }
    // The positive control: a well-formed proxy URL builds.
    alipay_tests::builder_for("http://127.0.0.1:1/gateway.do")
        .proxy(format!("http://alice:{PASSWORD}@127.0.0.1:3128"))
        .build()
        .expect("an http:// proxy");
}
