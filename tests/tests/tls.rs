//! TLS verification of the default transport, against HTTPS gateways on loopback with
//! certificates made here: refused by default (the web roots do not know them), accepted with
//! the test CA as a custom root, refused for a wrong host name even then, and accepted by the
//! explicitly dangerous option, which logs a warning.

#[path = "support/logs.rs"]
mod logs;

use std::sync::Arc;

use alipay::Error;
use alipay::error::ConnectStep;
use alipay::payment::common::TradeQuery;
use alipay_tests::{builder_for, signed_answer};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const NODE: &str = "alipay_trade_query_response";
const SUCCESS: &str = r#"{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.80"}"#;

/// A test CA and a server certificate it issued for `names`.
struct Pki {
    ca_pem: String,
    acceptor: TlsAcceptor,
}

fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "alipay-sdk test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let server_key = KeyPair::generate().expect("server key");
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let server_params = CertificateParams::new(names).expect("server params");
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
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
    Pki {
        ca_pem: ca_cert.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}

/// Serves HTTPS on loopback with `acceptor`, answering every request with a signed success.
async fn serve(acceptor: TlsAcceptor) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "https://{}/gateway.do",
        listener.local_addr().expect("addr")
    );
    let body = signed_answer(NODE, SUCCESS);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, body) = (acceptor.clone(), body.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut chunk = [0u8; 4096];
                // Headers, then a body whose length does not matter here: read what came.
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes()).await;
                let _ = tls.write_all(body.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    url
}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("T1").build()
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

#[tokio::test]
async fn an_unknown_certificate_is_refused_by_default() {
    let pki = pki(&["127.0.0.1", "localhost"]);
    let url = serve(pki.acceptor).await;
    let client = builder_for(&url).build().expect("config");
    match client.send(query()).await {
        Err(error @ Error::Connect(_)) => {
            let text = chain(&error);
            assert!(
                text.to_ascii_lowercase().contains("certificate"),
                "the source chain names the certificate: {text}"
            );
            let Error::Connect(connect) = &error else {
                unreachable!()
            };
            assert_eq!(connect.step(), ConnectStep::Tls, "{text}");
            let origin = url.trim_end_matches("/gateway.do");
            assert_eq!(
                error.to_string(),
                format!("could not connect to the Alipay gateway {origin}: TLS handshake failed")
            );
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_custom_root_is_trusted() {
    let pki = pki(&["127.0.0.1", "localhost"]);
    let url = serve(pki.acceptor).await;
    for client in [
        builder_for(&url).tls_root_certificates(pki.ca_pem.as_str()),
        builder_for(&url).add_root_certificates(pki.ca_pem.as_str()),
    ] {
        let trade = client
            .build()
            .expect("config")
            .send(query())
            .await
            .expect("verified over TLS");
        assert_eq!(trade.out_trade_no, "T1");
    }
}

#[tokio::test]
async fn a_trusted_certificate_for_another_host_is_refused() {
    let pki = pki(&["gateway.example"]);
    let url = serve(pki.acceptor).await;
    let client = builder_for(&url)
        .tls_root_certificates(pki.ca_pem)
        .build()
        .expect("config");
    match client.send(query()).await {
        Err(error @ Error::Connect(_)) => {
            let text = chain(&error);
            assert!(text.to_ascii_lowercase().contains("certificate"), "{text}");
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_dangerous_option_accepts_any_certificate_and_warns() {
    logs::capture();
    let pki = pki(&["gateway.example"]);
    let url = serve(pki.acceptor).await;
    let client = builder_for(&url)
        .danger_accept_invalid_certificates(true)
        .build()
        .expect("config");
    assert!(
        logs::text().contains("TLS certificate verification is OFF"),
        "{}",
        logs::text()
    );
    let trade = client.send(query()).await.expect("accepted");
    assert_eq!(trade.out_trade_no, "T1");
    // Turned off again, verification is back.
    let client = builder_for(&url)
        .danger_accept_invalid_certificates(false)
        .build()
        .expect("config");
    assert!(matches!(client.send(query()).await, Err(Error::Connect(_))));
}
