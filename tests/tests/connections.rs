//! The default transport keeps its connections alive and reuses them, on a multi-threaded
//! runtime too: a TCP relay between the client and the sandbox counts the connections that carry
//! requests. One for sequential calls, however many; no more than the calls in flight for
//! concurrent ones. The idle connections are capped per origin and closed once idle too long
//! (checked against a keep-alive server in this file that counts the connections it accepts and
//! sees closed), and the connections can come from another connector: hyper-util's proxy
//! `Tunnel`, through a `CONNECT` proxy in this file.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alipay::Amount;
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::transport::{HyperTransport, Transport};
use alipay_tests::sandbox_client;
use bytes::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;

/// A TCP relay on loopback to `target` that counts the connections on which a request arrives
/// (a connection opened and dropped unused by the pool is not counted).
async fn counting_relay(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                match inbound.peek(&mut [0u8; 1]).await {
                    Ok(n) if n > 0 => count.fetch_add(1, Ordering::SeqCst),
                    _ => return,
                };
                let Ok(mut outbound) = TcpStream::connect(target).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    (addr, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reuse_kept_alive_connections() {
    let (sandbox, app, _) = sandbox_client().await;
    let target: SocketAddr = sandbox
        .gateway_url()
        .trim_start_matches("http://")
        .trim_end_matches("/gateway.do")
        .parse()
        .expect("the sandbox's address");
    let (relay, accepted) = counting_relay(target).await;
    let client = sandbox
        .client_builder(&app)
        .gateway_url(format!("http://{relay}/gateway.do"))
        .build()
        .expect("client");

    client
        .send(
            TradeCreate::builder()
                .out_trade_no("KA-1")
                .total_amount(Amount::new("1.00").expect("amount"))
                .subject("keep-alive")
                .build(),
        )
        .await
        .expect("created");
    for _ in 0..40 {
        client
            .send(TradeQuery::builder().out_trade_no("KA-1").build())
            .await
            .expect("queried");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "41 sequential calls use one connection"
    );

    for _ in 0..10 {
        let calls = (0..8).map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .send(TradeQuery::builder().out_trade_no("KA-1").build())
                    .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.expect("task").expect("queried");
        }
    }
    let used = accepted.load(Ordering::SeqCst);
    assert!(
        used <= 8,
        "10 rounds of 8 concurrent calls use at most 8 connections in all, used {used}"
    );
}

/// A keep-alive HTTP/1.1 server on loopback that answers every request `200 ok`, counting the
/// connections it accepts and those the client closes.
struct KeepAliveServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    closed: Arc<AtomicUsize>,
}

impl KeepAliveServer {
    /// Starts the server; with a `gate`, each answer waits until as many requests as the
    /// barrier holds have arrived, so that they are all in flight at once, each on its own
    /// connection.
    async fn start(gate: Option<Arc<Barrier>>) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let closed = Arc::new(AtomicUsize::new(0));
        let (on_accept, on_close) = (accepted.clone(), closed.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                on_accept.fetch_add(1, Ordering::SeqCst);
                let (gate, on_close) = (gate.clone(), on_close.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                        // The requests have no body: a head is one request.
                        while let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                            head.drain(..end + 4);
                            if let Some(gate) = &gate {
                                gate.wait().await;
                            }
                            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                            if stream.write_all(answer).await.is_err() {
                                return;
                            }
                        }
                    }
                    on_close.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        Self {
            addr,
            accepted,
            closed,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn closed(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }

    /// One `GET /` through `transport`, which must answer `200 ok`.
    async fn get(&self, transport: &impl Transport) {
        let request = http::Request::get(format!("http://{}/", self.addr))
            .body(Bytes::new())
            .expect("request");
        let answer = transport.send(request, 1024).await.expect("answered");
        assert_eq!((answer.status, &answer.body[..]), (200, &b"ok"[..]));
    }
}

/// Two rounds of 8 requests all in flight at once, each round on 8 connections; returns how
/// many connections the server accepted in all.
async fn two_rounds_of_eight(transport: HyperTransport) -> usize {
    let server = KeepAliveServer::start(Some(Arc::new(Barrier::new(8)))).await;
    let server = Arc::new(server);
    for round in 0..2 {
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let (server, transport) = (server.clone(), transport.clone());
                tokio::spawn(async move { server.get(&transport).await })
            })
            .collect();
        for call in calls {
            call.await.expect("call");
        }
        if round == 0 {
            assert_eq!(server.accepted(), 8, "the first round opens 8 connections");
            // Lets a connection given back in the background reach the pool.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    server.accepted()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_capped_per_origin() {
    let transport = HyperTransport::new(Duration::from_secs(5)).expect("transport");
    let capped = two_rounds_of_eight(transport.clone().max_idle_per_origin(2)).await;
    assert!(
        capped >= 14,
        "with 2 idle connections kept, the second round opens at least 6, accepted {capped}"
    );
    // The control: under the default cap, the second round reuses the 8 connections.
    let uncapped = two_rounds_of_eight(transport).await;
    assert_eq!(uncapped, 8, "the second round reuses every connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_expire() {
    let server = KeepAliveServer::start(None).await;
    let transport = HyperTransport::new(Duration::from_secs(5))
        .expect("transport")
        .idle_timeout(Duration::from_millis(40));
    server.get(&transport).await;
    // Closed once expired, without another call to find it.
    for _ in 0..200 {
        if server.closed() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.closed(), 1, "the expired connection is closed");
    server.get(&transport).await;
    assert_eq!(server.accepted(), 2, "the next call opens a new connection");

    // The control: idle for as long, under the default timeout, the connection is reused.
    let server = KeepAliveServer::start(None).await;
    let transport = HyperTransport::new(Duration::from_secs(5)).expect("transport");
    server.get(&transport).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.get(&transport).await;
    assert_eq!((server.accepted(), server.closed()), (1, 0));
}

/// An HTTP `CONNECT` proxy on loopback that records the target of each tunnel it opens.
async fn connect_proxy() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let tunnels = Arc::new(Mutex::new(Vec::new()));
    let log = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match inbound.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let Some(target) = head
                    .strip_prefix("CONNECT ")
                    .and_then(|rest| rest.split(' ').next())
                else {
                    let _ = inbound.write_all(b"HTTP/1.1 405 X\r\n\r\n").await;
                    return;
                };
                log.lock().expect("lock").push(target.to_owned());
                let Ok(mut outbound) = TcpStream::connect(target).await else {
                    let _ = inbound.write_all(b"HTTP/1.1 502 X\r\n\r\n").await;
                    return;
                };
                let established = b"HTTP/1.1 200 Connection Established\r\n\r\n";
                if inbound.write_all(established).await.is_ok() {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (addr, tunnels)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_through_a_proxy_tunnel_kept_alive() {
    let (sandbox, app, _) = sandbox_client().await;
    let target = sandbox
        .gateway_url()
        .trim_start_matches("http://")
        .trim_end_matches("/gateway.do")
        .to_owned();
    let (proxy, tunnels) = connect_proxy().await;
    let proxy_uri = format!("http://{proxy}").parse().expect("proxy URI");
    let transport = HyperTransport::with_connector(Tunnel::new(proxy_uri, HttpConnector::new()));
    let client = sandbox
        .client_builder(&app)
        .transport(transport)
        .build()
        .expect("client");

    client
        .send(
            TradeCreate::builder()
                .out_trade_no("PX-1")
                .total_amount(Amount::new("1.00").expect("amount"))
                .subject("through a proxy")
                .build(),
        )
        .await
        .expect("created");
    for _ in 0..10 {
        client
            .send(TradeQuery::builder().out_trade_no("PX-1").build())
            .await
            .expect("queried");
    }
    assert_eq!(
        *tunnels.lock().expect("lock"),
        [target],
        "11 sequential calls go through one tunnel to the gateway"
    );
}
