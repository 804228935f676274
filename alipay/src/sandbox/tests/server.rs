//! The HTTP server itself: bodies over 4 MiB and garbage refused, concurrent calls, shutdown with
//! idle keep-alive connections open, and the builder's options.

use super::*;

/// Sends raw bytes and returns what came back until the server closed or 2 s passed.
async fn raw_exchange(addr: SocketAddr, head: String, body_len: usize) -> String {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < body_len {
            let n = chunk.len().min(body_len - sent);
            if write.write_all(&chunk[..n]).await.is_err() {
                break;
            }
            sent += n;
        }
        write
    });
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        match tokio::time::timeout_at(deadline, read.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        }
    }
    writer.abort();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn bodies_over_4_mib_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let declared = format!(
        "POST /gateway.do HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n",
        5 * 1024 * 1024
    );
    let answer = raw_exchange(sandbox.addr(), declared, 0).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let chunked =
        "POST /gateway.do HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n500001\r\n"
            .to_owned();
    let answer = raw_exchange(sandbox.addr(), chunked, 0x50_0001).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Garbage is answered by hyper, and the sandbox keeps serving.
    let answer = raw_exchange(sandbox.addr(), "\x00\x01 nonsense\r\n\r\n".to_owned(), 0).await;
    assert!(
        answer.starts_with("HTTP/1.1 400") || answer.is_empty(),
        "{answer}"
    );
    let ok = http(sandbox.addr(), "GET", "/gateway.do", None, "").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls() {
    let sandbox = std::sync::Arc::new(Sandbox::start().await.unwrap());
    let app = std::sync::Arc::new(sandbox.create_app().expect("app key"));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (sandbox, app) = (sandbox.clone(), app.clone());
        tasks.push(tokio::spawn(async move {
            let out_trade_no = format!("T-C{i}");
            create(&sandbox, &app, &out_trade_no, "1.00").await["trade_no"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut trade_nos = Vec::new();
    for task in tasks {
        trade_nos.push(task.await.unwrap());
    }
    trade_nos.sort();
    trade_nos.dedup();
    assert_eq!(trade_nos.len(), 16);
}

#[tokio::test]
async fn shutdown_closes_idle_keep_alive_connections() {
    let sandbox = Sandbox::start().await.unwrap();
    let addr = sandbox.addr();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let conn = tokio::spawn(conn);
    let request = Request::builder()
        .uri("/gateway.do")
        .header("host", "x")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    // The connection is open and idle; shutdown must not wait for the client to hang up.
    tokio::time::timeout(Duration::from_secs(5), sandbox.shutdown())
        .await
        .expect("shutdown finished");
    let _ = tokio::time::timeout(Duration::from_secs(5), conn)
        .await
        .expect("connection closed");
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn builder_options() {
    let key = PrivateKey::generate().unwrap();
    let sandbox = Sandbox::builder()
        .addr("127.0.0.1:0".parse().unwrap())
        .alipay_private_key(key.clone())
        .record_requests(false)
        .start()
        .await
        .unwrap();
    assert_eq!(sandbox.alipay_public_key(), key.public_key());
    assert_eq!(
        sandbox.gateway_url(),
        format!("http://127.0.0.1:{}/gateway.do", sandbox.addr().port())
    );
    let app_key = PrivateKey::generate().unwrap();
    sandbox.register_app("2021000000000999", app_key.public_key());
    let app = SandboxApp {
        app_id: "2021000000000999".into(),
        private_key: app_key.clone(),
        public_key: app_key.public_key(),
    };
    create(&sandbox, &app, "T-REG", "1.00").await;
    assert!(sandbox.requests().is_empty());
    let debug = format!("{app:?}");
    assert!(debug.contains("2021000000000999"));
    let pem = app_key.to_pkcs8_pem();
    let secret_line = pem.lines().nth(5).unwrap();
    assert!(!debug.contains(secret_line), "{debug}");
    drop(sandbox);
}
