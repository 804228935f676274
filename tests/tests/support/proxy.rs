//! An HTTP proxy on loopback written for the tests: `CONNECT` tunnels and absolute-form
//! forwarding, with an optional `Proxy-Authorization` it requires (a `407` otherwise) or a
//! status it answers every `CONNECT` with. It records what it saw: each tunnel's target, each
//! forwarded request line, the `Proxy-Authorization` values and the first bytes the client sent
//! inside each tunnel. Shared by test files with `#[path = "support/proxy.rs"] mod proxy;`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the proxy answers.
#[derive(Clone, Default)]
pub(crate) struct Rules {
    /// The `Proxy-Authorization` value required (a `407` without it).
    pub(crate) auth: Option<String>,
    /// A status line to answer every `CONNECT` with instead of opening the tunnel.
    pub(crate) refuse: Option<&'static str>,
}

/// What the proxy saw.
#[derive(Default, Debug)]
pub(crate) struct Seen {
    /// The target of every `CONNECT`, accepted or not.
    pub(crate) tunnels: Vec<String>,
    /// The request line of every forwarded (non-`CONNECT`) request that opened a connection.
    pub(crate) forwarded: Vec<String>,
    /// The `Proxy-Authorization` value of every request head (empty when absent).
    pub(crate) auth: Vec<String>,
    /// The first bytes the client sent through each tunnel.
    pub(crate) tunnel_bytes: Vec<Vec<u8>>,
}

/// The proxy's address and what it saw.
pub(crate) async fn start(rules: Rules) -> (SocketAddr, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            tokio::spawn(serve(inbound, rules.clone(), log.clone()));
        }
    });
    (addr, seen)
}

async fn serve(mut inbound: TcpStream, rules: Rules, seen: Arc<Mutex<Seen>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match inbound.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    let auth = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("proxy-authorization")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    let authorized = rules.auth.as_ref().is_none_or(|required| *required == auth);
    let connect = line
        .strip_prefix("CONNECT ")
        .map(|rest| rest.split(' ').next().unwrap_or_default().to_owned());
    {
        let mut seen = seen.lock().expect("lock");
        seen.auth.push(auth);
        match &connect {
            Some(target) => seen.tunnels.push(target.clone()),
            None => seen.forwarded.push(line.clone()),
        }
    }
    if !authorized {
        let _ = inbound
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    }
    match connect {
        Some(target) => {
            if let Some(status) = rules.refuse {
                let _ = inbound
                    .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n").as_bytes())
                    .await;
                return;
            }
            let Ok(mut outbound) = TcpStream::connect(&target).await else {
                let _ = inbound.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                return;
            };
            let established = b"HTTP/1.1 200 Connection Established\r\n\r\n";
            if inbound.write_all(established).await.is_err() {
                return;
            }
            // The first bytes of the tunnel (a TLS ClientHello for an https:// gateway).
            let mut first = [0u8; 64];
            let Ok(n) = inbound.read(&mut first).await else {
                return;
            };
            seen.lock()
                .expect("lock")
                .tunnel_bytes
                .push(first[..n].to_vec());
            if outbound.write_all(&first[..n]).await.is_ok() {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        }
        None => {
            // Absolute form: `POST http://host:port/path HTTP/1.1`. The origin accepts the
            // absolute form (RFC 9112, 3.2.2), so the bytes go on unchanged.
            let Some(target) = line
                .split(' ')
                .nth(1)
                .and_then(|uri| uri.strip_prefix("http://"))
                .and_then(|rest| rest.split('/').next())
            else {
                let _ = inbound.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                return;
            };
            let Ok(mut outbound) = TcpStream::connect(target).await else {
                let _ = inbound.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                return;
            };
            if outbound.write_all(&head).await.is_ok() {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        }
    }
}

/// `Basic base64(user:password)`, as a client sends it.
pub(crate) fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}
