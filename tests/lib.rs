//! Shared helpers of the integration tests: committed test keys, a scripted HTTP gateway on
//! loopback that answers with crafted bodies, and client set-up against the sandbox.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alipay::sandbox::{Sandbox, SandboxApp};
use alipay::{Client, ClientBuilder, PrivateKey, PublicKey, Signer};
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

/// The headers of a v3 answer signed by `by` over `timestamp\nnonce\nbody\n`: `content_type`,
/// `alipay-timestamp`, `alipay-nonce` and `alipay-signature`, as raw header lines.
pub fn v3_signed_headers(
    content_type: &str,
    body: &[u8],
    timestamp: &str,
    nonce: &str,
    by: &PrivateKey,
) -> Vec<String> {
    let sign = by
        .sign(&alipay::v3::answer::answer_content(timestamp, nonce, body))
        .expect("signing works");
    vec![
        format!("content-type: {content_type}"),
        format!("alipay-timestamp: {timestamp}"),
        format!("alipay-nonce: {nonce}"),
        format!("alipay-signature: {sign}"),
    ]
}

/// One request the scripted gateway received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request line and headers.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: Instant,
}

/// What a [`ScriptedGateway::start_script`] gateway does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers `status` with `body` after `delay`, adding `headers` (`name: value` lines; a
    /// `content-type` among them replaces the default `text/html;charset=utf-8`).
    Answer {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: Vec<u8>,
        /// Extra header lines, e.g. `trace_id: abc`.
        headers: Vec<String>,
        /// How long to wait before answering.
        delay: Duration,
    },
    /// Sends the head (announcing the whole body) and the first `sent` bytes of `body`, then
    /// resets the connection.
    ResetMidBody {
        /// The body announced.
        body: Vec<u8>,
        /// How many bytes of it are sent.
        sent: usize,
    },
    /// Reads the request and never answers (the connection stays open for an hour).
    Hang,
}

impl Reply {
    /// `status` with `body`, at once.
    pub fn answer(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Reply::Answer {
            status,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// HTTP 503 with an HTML page, as a load balancer answers.
    pub fn unavailable() -> Self {
        Self::answer(
            503,
            "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
        )
    }
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

    /// Starts a gateway that follows `script`: the n-th request received (counting from 0) gets
    /// `script[n]`, and every request after the script's end gets its last reply. Requests are
    /// served concurrently, one connection each (`connection: close`).
    pub async fn start_script(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        Self::serve_script(listener, script)
    }

    /// [`start_script`](Self::start_script) on a given listener (e.g. one bound late to a port
    /// that refused connections before).
    pub fn serve_script(listener: TcpListener, script: Vec<Reply>) -> Self {
        assert!(!script.is_empty(), "a script needs at least one reply");
        let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let script = Arc::new(script);
        let count = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = log.clone();
                let script = script.clone();
                let count = count.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    log.lock().expect("lock").push(request);
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let reply = script[n.min(script.len() - 1)].clone();
                    match reply {
                        Reply::Answer {
                            status,
                            body,
                            headers,
                            delay,
                        } => {
                            tokio::time::sleep(delay).await;
                            let typed = headers
                                .iter()
                                .any(|h| h.to_ascii_lowercase().starts_with("content-type:"));
                            let mut head = format!(
                                "HTTP/1.1 {status} X\r\n{}content-length: {}\r\nconnection: close\r\n",
                                if typed {
                                    ""
                                } else {
                                    "content-type: text/html;charset=utf-8\r\n"
                                },
                                body.len()
                            );
                            for header in headers {
                                head.push_str(&header);
                                head.push_str("\r\n");
                            }
                            head.push_str("\r\n");
                            let _ = stream.write_all(head.as_bytes()).await;
                            let _ = stream.write_all(&body).await;
                            let _ = stream.shutdown().await;
                        }
                        Reply::ResetMidBody { body, sent } => {
                            let head = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: text/html;charset=utf-8\r\ncontent-length: {}\r\n\r\n",
                                body.len()
                            );
                            let _ = stream.write_all(head.as_bytes()).await;
                            let _ = stream.write_all(&body[..sent.min(body.len())]).await;
                            let _ = stream.flush().await;
                            // Linger 0: the close is a reset, not an orderly end.
                            let _ = stream.set_zero_linger();
                            drop(stream);
                        }
                        Reply::Hang => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            drop(stream);
                        }
                    }
                });
            }
        });
        Self { url, received }
    }

    /// How many requests arrived so far.
    pub fn count(&self) -> usize {
        self.received.lock().expect("lock").len()
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
                    tokio::time::sleep(Duration::from_secs(3600)).await;
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
        at: Instant::now(),
    })
}

/// A client of the app `2021000000000001` (committed app key) talking to `gateway_url`, trusting
/// the committed fake Alipay key.
pub fn client_for(gateway_url: &str) -> Client {
    builder_for(gateway_url)
        .build()
        .expect("valid test configuration")
}

/// The builder of [`client_for`], to add options to.
pub fn builder_for(gateway_url: &str) -> ClientBuilder {
    Client::builder()
        .app_id("2021000000000001")
        .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
        .gateway_url(gateway_url)
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
        tokio::time::timeout(Duration::from_secs(10), self.bodies.recv())
            .await
            .expect("a notification within 10 s")
            .expect("endpoint running")
    }
}

/// Undoes HTML escaping of text or an attribute value (`&quot;`, `&amp;`, `&lt;`, `&gt;`,
/// `&#39;`, `&apos;`).
pub fn html_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = [
            ("&quot;", '"'),
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&#39;", '\''),
            ("&apos;", '\''),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e));
        match entity {
            Some((e, c)) => {
                out.push(c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The raw (still escaped) value of attribute `name` in the first tag of `html` that starts
/// with `tag_start` (e.g. `<form` or `<input type="hidden" name="biz_content"`).
pub fn attribute<'h>(html: &'h str, tag_start: &str, name: &str) -> Option<&'h str> {
    let tag = &html[html.find(tag_start)?..];
    let tag = &tag[..tag.find('>')?];
    let needle = format!(" {name}=\"");
    let value = &tag[tag.find(&needle)? + needle.len()..];
    Some(&value[..value.find('"')?])
}

/// Checks an RSA2 signature the app made over `params` (every pair but `sign`, sorted, empty
/// values left out, as Alipay checks it) with the app's public key.
pub fn check_app_signature(app_public_key: &PublicKey, params: &[(String, String)]) {
    let sign = params
        .iter()
        .find(|(k, _)| k == "sign")
        .map(|(_, v)| v.clone())
        .expect("a sign parameter");
    let mut rest: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "sign")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    rest.sort();
    let content = alipay::wire::sign_content(rest);
    alipay::Verifier::verify(app_public_key, content.as_bytes(), &sign)
        .expect("the app's signature verifies over the exact fields");
}

/// The `sub_code` of a refused call, from a signed business failure or an unsigned gateway
/// refusal.
pub fn sub_code<T: std::fmt::Debug>(result: Result<T, alipay::Error>) -> String {
    match result {
        Err(alipay::Error::Api(e) | alipay::Error::Gateway(e)) => e.sub_code.unwrap_or_default(),
        other => panic!("expected a refused call, got {other:?}"),
    }
}
