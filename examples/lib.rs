//! Helpers shared by the examples: where to run (the embedded sandbox, or a gateway configured
//! through `ALIPAY_*` variables) and a tiny endpoint that receives Alipay's notifications.

use std::net::SocketAddr;

use alipay::isv::Merchants;
use alipay::sandbox::Sandbox;
use alipay::{Client, ClientBuilder, Notification, PrivateKey, Protocol, PublicKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Where an example runs.
pub enum Target {
    /// The embedded sandbox, started by the example, with the client of an app registered in it.
    Sandbox {
        /// The running sandbox.
        sandbox: Sandbox,
        /// The app's id in the sandbox.
        app_id: String,
    },
    /// A gateway configured by `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY`, `ALIPAY_PUBLIC_KEY` and
    /// `ALIPAY_GATEWAY`.
    Configured,
}

/// A gateway configured through `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY`, `ALIPAY_GATEWAY` and
/// either `ALIPAY_PUBLIC_KEY` (public key mode) or `ALIPAY_APP_CERT`, `ALIPAY_CERT` and
/// `ALIPAY_ROOT_CERT` (certificate mode), as `alipay call` reads them.
pub struct Configured {
    /// `ALIPAY_APP_ID`.
    pub app_id: String,
    /// `ALIPAY_PRIVATE_KEY`: the app private key.
    pub private_key: PrivateKey,
    /// How Alipay's answers are verified.
    pub alipay: AlipayKeys,
    /// `ALIPAY_GATEWAY`: the gateway URL.
    pub gateway: String,
}

/// How a configured client verifies Alipay.
pub enum AlipayKeys {
    /// `ALIPAY_PUBLIC_KEY`: the Alipay public key.
    PublicKey(PublicKey),
    /// Certificate mode: the PEM of `ALIPAY_APP_CERT` (`appCertPublicKey_<app id>.crt`),
    /// `ALIPAY_CERT` (`alipayCertPublicKey_RSA2.crt`) and `ALIPAY_ROOT_CERT`
    /// (`alipayRootCert.crt`).
    Certificates {
        /// The app certificate.
        app_cert: String,
        /// The Alipay certificate.
        alipay_cert: String,
        /// The root bundle.
        root_cert: String,
    },
}

impl Configured {
    /// Reads the `ALIPAY_*` variables; `None` when `ALIPAY_APP_ID` is not set.
    ///
    /// Keys and certificates are given as text or as the path of a file holding them.
    pub fn from_env() -> Result<Option<Self>, Box<dyn std::error::Error>> {
        let Ok(app_id) = std::env::var("ALIPAY_APP_ID") else {
            return Ok(None);
        };
        let gateway = std::env::var("ALIPAY_GATEWAY").map_err(
            |_| "ALIPAY_GATEWAY is not set (e.g. https://openapi.alipay.com/gateway.do)",
        )?;
        let private_key = PrivateKey::parse(&text_from_env("ALIPAY_PRIVATE_KEY")?)
            .map_err(|e| format!("ALIPAY_PRIVATE_KEY: {e}"))?;
        let alipay = if std::env::var_os("ALIPAY_APP_CERT").is_some() {
            AlipayKeys::Certificates {
                app_cert: text_from_env("ALIPAY_APP_CERT")?,
                alipay_cert: text_from_env("ALIPAY_CERT")?,
                root_cert: text_from_env("ALIPAY_ROOT_CERT")?,
            }
        } else {
            AlipayKeys::PublicKey(
                PublicKey::parse(&text_from_env("ALIPAY_PUBLIC_KEY")?)
                    .map_err(|e| format!("ALIPAY_PUBLIC_KEY: {e}"))?,
            )
        };
        Ok(Some(Self {
            app_id,
            private_key,
            alipay,
            gateway,
        }))
    }

    /// A client builder for this gateway: app id, keys or certificates, gateway URL.
    pub fn client_builder(&self) -> ClientBuilder {
        let builder = Client::builder()
            .app_id(self.app_id.clone())
            .app_private_key_parsed(self.private_key.clone())
            .gateway_url(self.gateway.clone());
        match &self.alipay {
            AlipayKeys::PublicKey(key) => builder.alipay_public_key_parsed(key.clone()),
            AlipayKeys::Certificates {
                app_cert,
                alipay_cert,
                root_cert,
            } => builder.certificates(app_cert.clone(), alipay_cert.clone(), root_cert.clone()),
        }
    }
}

/// Reads the `ALIPAY_*` configuration if `ALIPAY_APP_ID` is set (see [`Configured`]), otherwise
/// starts the embedded sandbox. `notify_url` becomes the client's notify URL.
pub async fn connect(
    notify_url: Option<&str>,
) -> Result<(Client, Target), Box<dyn std::error::Error>> {
    let protocol = protocol_from_env()?;
    if let Some(configured) = Configured::from_env()? {
        let mut builder = configured.client_builder().protocol(protocol);
        if let Some(url) = notify_url {
            builder = builder.notify_url(url);
        }
        return Ok((builder.build()?, Target::Configured));
    }
    let sandbox = Sandbox::start().await?;
    let app = sandbox.create_app()?;
    let mut builder = sandbox.client_builder(&app).protocol(protocol);
    if let Some(url) = notify_url {
        builder = builder.notify_url(url);
    }
    let client = builder.build()?;
    Ok((
        client,
        Target::Sandbox {
            sandbox,
            app_id: app.app_id,
        },
    ))
}

/// The protocol `ALIPAY_PROTOCOL` names: `v2` (the default when unset) or `v3` (OpenAPI v3 for
/// the requests that have a v3 route).
pub fn protocol_from_env() -> Result<Protocol, Box<dyn std::error::Error>> {
    match std::env::var("ALIPAY_PROTOCOL")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        None | Some("" | "v2" | "V2") => Ok(Protocol::V2),
        Some("v3" | "V3") => Ok(Protocol::V3),
        Some(other) => Err(format!("ALIPAY_PROTOCOL is `{other}`: use v2 or v3").into()),
    }
}

/// A key or certificate from an environment variable holding either the text or a file path.
fn text_from_env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    let value = std::env::var(name).map_err(|_| format!("{name} is not set"))?;
    if std::path::Path::new(&value).is_file() {
        return Ok(std::fs::read_to_string(&value)?);
    }
    Ok(value)
}

/// A minimal HTTP endpoint on loopback that receives notifications, verifies each one with the
/// client, answers `success` only when it verifies, and hands the verified notifications over.
pub struct NotifyEndpoint {
    /// The URL to configure as `notify_url`.
    pub url: String,
    receiver: mpsc::Receiver<Result<Notification, alipay::Error>>,
}

impl NotifyEndpoint {
    /// Binds `127.0.0.1` on a free port. Call [`NotifyEndpoint::serve`] once the client exists.
    pub async fn bind() -> std::io::Result<(Self, TcpListener)> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/alipay/notify", listener.local_addr()?);
        let (_, receiver) = mpsc::channel(1);
        Ok((Self { url, receiver }, listener))
    }

    /// Serves notifications on `listener`, verifying them with `client`.
    pub fn serve(&mut self, listener: TcpListener, client: Client) {
        self.serve_with(listener, move |body| client.verify_notification(body));
    }

    /// Serves the notifications of every app of `merchants` on `listener`, each verified with
    /// the client of its `app_id`.
    pub fn serve_merchants(&mut self, listener: TcpListener, merchants: Merchants) {
        self.serve_with(listener, move |body| {
            merchants
                .verify_notification(body)
                .map(|(_, notification)| notification)
        });
    }

    fn serve_with<F>(&mut self, listener: TcpListener, verify: F)
    where
        F: Fn(&[u8]) -> Result<Notification, alipay::Error> + Send + Sync + 'static,
    {
        let (sender, receiver) = mpsc::channel(16);
        self.receiver = receiver;
        let verify = std::sync::Arc::new(verify);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let verify = std::sync::Arc::clone(&verify);
                let sender = sender.clone();
                tokio::spawn(async move {
                    let Some(body) = read_http_body(&mut stream).await else {
                        return;
                    };
                    let outcome = verify(&body);
                    let answer = if outcome.is_ok() {
                        "success"
                    } else {
                        "failure"
                    };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = sender.send(outcome).await;
                });
            }
        });
    }

    /// The next notification received, verified or refused.
    pub async fn next(&mut self) -> Option<Result<Notification, alipay::Error>> {
        self.receiver.recv().await
    }
}

/// Reads one HTTP/1.1 request with a `content-length` body; `None` if it is not one.
async fn read_http_body(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buffer.len() > 64 * 1024 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())?;
    if length > 1024 * 1024 {
        return None;
    }
    while buffer.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(buffer[header_end..header_end + length].to_vec())
}

pub mod shop;

/// A little HTML reading, to show what the buyer's browser received (the browser itself is
/// the sandbox's: `alipay::sandbox::browse` and `Sandbox::pay_in_cashier`).
pub mod html {
    /// The value of attribute `name` in the first tag of `html` starting with `tag_start`
    /// (e.g. `<form`), HTML-unescaped.
    pub fn attribute(html: &str, tag_start: &str, name: &str) -> Option<String> {
        let tag = &html[html.find(tag_start)?..];
        let tag = &tag[..tag.find('>')?];
        let needle = format!(" {name}=\"");
        let value = &tag[tag.find(&needle)? + needle.len()..];
        Some(unescape(&value[..value.find('"')?]))
    }

    /// Undoes HTML escaping (`&quot;`, `&amp;`, `&lt;`, `&gt;`, `&#39;`).
    pub fn unescape(text: &str) -> String {
        text.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }
}

/// The README's code, compiled and run as doctests (they need the `axum` feature).
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
