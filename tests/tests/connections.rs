//! The client keeps its connections alive and reuses them, on a multi-threaded runtime too: a
//! TCP relay between the client and the sandbox counts the connections that carry requests. One
//! for sequential calls, however many; no more than the calls in flight for concurrent ones.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use alipay::Amount;
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay_tests::sandbox_client;
use tokio::net::{TcpListener, TcpStream};

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
