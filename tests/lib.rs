//! Shared helpers of the integration tests: committed test keys, a scripted HTTP gateway on
//! loopback that answers with crafted bodies, and client set-up against the sandbox.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use alipay::sandbox::{Sandbox, SandboxApp};
use alipay::{Client, PrivateKey, PublicKey, Signer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Test keys committed under `tests/fixtures/keys` (made for the tests, never used elsewhere).
pub mod keys {
    /// The app's private key, PEM PKCS#8.
    pub const APP_PRIVATE_PKCS8_PEM: &str =
        include_str!("../alipay/tests/fixtures/keys/app_private_pkcs8.pem");
    /// The app's private key, PEM PKCS#1.
    pub const APP_PRIVATE_PKCS1_PEM: &str =
        include_str!("../alipay/tests/fixtures/keys/app_private_pkcs1.pem");
    /// The app's public key, bare base64 SPKI.
    pub const APP_PUBLIC_B64: &str = include_str!("../alipay/tests/fixtures/keys/app_public.b64");
    /// The fake "Alipay" private key the scripted gateway signs with, PEM PKCS#8.
    pub const ALIPAY_PRIVATE_PKCS8_PEM: &str =
        include_str!("../alipay/tests/fixtures/keys/alipay_private_pkcs8.pem");
    /// The fake "Alipay" public key, bare base64 SPKI.
    pub const ALIPAY_PUBLIC_B64: &str =
        include_str!("../alipay/tests/fixtures/keys/alipay_public.b64");
}

/// The fake Alipay private key.
pub fn alipay_private_key() -> PrivateKey {
    PrivateKey::parse(keys::ALIPAY_PRIVATE_PKCS8_PEM).expect("fixture key parses")
}

/// Signs `node_json` with the fake Alipay key and wraps it as a gateway answer.
pub fn signed_answer(node_key: &str, node_json: &str) -> String {
    let sign = alipay_private_key()
        .sign(node_json.as_bytes())
        .expect("signing works");
    format!(r#"{{"{node_key}":{node_json},"sign":"{sign}"}}"#)
}

/// One request the scripted gateway received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request line and headers.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
}

/// An HTTP server on loopback that answers every request with the same status, headers and
/// body, and records what it received.
pub struct ScriptedGateway {
    /// The gateway URL (`http://127.0.0.1:PORT/gateway.do`).
    pub url: String,
    received: Arc<Mutex<Vec<Recorded>>>,
}

impl ScriptedGateway {
    /// Starts a gateway answering `status` with `body` (as `text/html;charset=utf-8`).
    pub async fn start(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::start_raw(status, body.into(), None).await
    }

    /// Starts a gateway that announces `content_length` but may send a different body length.
    pub async fn start_raw(status: u16, body: Vec<u8>, content_length: Option<usize>) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let body = Arc::new(body);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = log.clone();
                let body = body.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    log.lock().expect("lock").push(request);
                    let head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: text/html;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        content_length.unwrap_or(body.len())
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { url, received }
    }

    /// Starts a gateway that reads requests and never answers.
    pub async fn start_hanging() -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    if let Some(request) = read_request(&mut stream).await {
                        log.lock().expect("lock").push(request);
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                    drop(stream);
                });
            }
        });
        Self { url, received }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Recorded> {
        self.received.lock().expect("lock").clone()
    }
}

/// Reads one HTTP/1.1 request (head, then a body of `content-length` bytes) from `stream`.
pub async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let length: usize = head
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        head,
        body: buffer[header_end..].to_vec(),
    })
}

/// A client of the app `2021000000000001` (committed app key) talking to `gateway_url`, trusting
/// the committed fake Alipay key.
pub fn client_for(gateway_url: &str) -> Client {
    Client::builder()
        .app_id("2021000000000001")
        .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
        .gateway_url(gateway_url)
        .build()
        .expect("valid test configuration")
}

/// A started sandbox, a registered app and a client of that app.
pub async fn sandbox_client() -> (Sandbox, SandboxApp, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app key");
    let client = sandbox_client_for(&sandbox, &app, None);
    (sandbox, app, client)
}

/// A client of `app` in `sandbox`, with an optional notify URL.
pub fn sandbox_client_for(sandbox: &Sandbox, app: &SandboxApp, notify_url: Option<&str>) -> Client {
    let mut builder = sandbox.client_builder(app);
    if let Some(url) = notify_url {
        builder = builder.notify_url(url);
    }
    builder.build().expect("valid sandbox configuration")
}

/// Parses a public key fixture.
pub fn public_key(text: &str) -> PublicKey {
    PublicKey::parse(text).expect("fixture key parses")
}

/// A merchant notify endpoint on loopback: records every raw body it receives and answers
/// `success`.
pub struct NotifySink {
    /// The URL to use as `notify_url`.
    pub url: String,
    bodies: tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>,
}

impl NotifySink {
    /// Starts the endpoint.
    pub async fn start() -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let url = format!("http://{}/notify", listener.local_addr().expect("addr"));
        let (sender, bodies) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let sender = sender.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    let _ = sender.send(request.body);
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nsuccess")
                        .await;
                });
            }
        });
        Self { url, bodies }
    }

    /// The next raw body received (waits up to 10 s).
    pub async fn next(&mut self) -> Vec<u8> {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.bodies.recv())
            .await
            .expect("a notification within 10 s")
            .expect("endpoint running")
    }
}
