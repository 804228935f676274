//! A hostile gateway on loopback for certificate mode: it answers every call with an answer
//! signed by a key of its choice, naming the `alipay_cert_sn` of its choice, and every
//! `alipay.open.app.alipaycert.download` with the download answer of its choice (after an
//! optional delay), and counts the downloads it saw. Shared by test files with
//! `#[path = "support/hostile.rs"] mod hostile;`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alipay::{PrivateKey, Signer as _};
use alipay_tests::read_request;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;

/// The download method.
pub(crate) const DOWNLOAD: &str = "alipay.open.app.alipaycert.download";

/// A gateway answer for `node_key` with `node`, naming `sn`, signed by `by`.
pub(crate) fn signed(node_key: &str, node: &str, sn: &str, by: &PrivateKey) -> String {
    let sign = by.sign(node.as_bytes()).expect("sign");
    format!(r#"{{"{node_key}":{node},"alipay_cert_sn":"{sn}","sign":"{sign}"}}"#)
}

/// A successful download answer carrying `content` (`alipay_cert_content`), naming `sn`,
/// signed by `by`.
pub(crate) fn download_answer(content: &str, sn: &str, by: &PrivateKey) -> String {
    let node = format!(r#"{{"code":"10000","msg":"Success","alipay_cert_content":"{content}"}}"#);
    signed(
        "alipay_open_app_alipaycert_download_response",
        &node,
        sn,
        by,
    )
}

/// A successful `alipay.trade.query` answer for `out_trade_no`, naming `sn`, signed by `by`.
pub(crate) fn query_answer(out_trade_no: &str, sn: &str, by: &PrivateKey) -> String {
    let node = format!(
        r#"{{"code":"10000","msg":"Success","trade_no":"2026120222001","out_trade_no":"{out_trade_no}","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}}"#
    );
    signed("alipay_trade_query_response", &node, sn, by)
}

/// What the gateway answers: the call's answer (by the request's number among the calls, from
/// 0), the download answer and how long a download answer is delayed.
pub(crate) struct Script {
    pub(crate) call: Box<dyn Fn(usize) -> String + Send + Sync>,
    pub(crate) download: String,
    pub(crate) download_delay: Duration,
}

/// A running hostile gateway.
pub(crate) struct Hostile {
    /// Its URL.
    pub(crate) url: String,
    downloads: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
}

impl Hostile {
    /// Starts a gateway following `script`.
    pub(crate) async fn start(script: Script) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind loopback");
        let url = format!("http://{}/gateway.do", listener.local_addr().expect("addr"));
        let script = Arc::new(script);
        let downloads = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(AtomicUsize::new(0));
        let (s, d, c) = (script, downloads.clone(), calls.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (script, downloads, calls) = (s.clone(), d.clone(), c.clone());
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    let line = request.head.lines().next().unwrap_or_default().to_owned();
                    let body = if line.contains(&format!("method={DOWNLOAD}")) {
                        downloads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(script.download_delay).await;
                        script.download.clone()
                    } else {
                        (script.call)(calls.fetch_add(1, Ordering::SeqCst))
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(body.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            url,
            downloads,
            calls,
        }
    }

    /// The downloads the gateway saw.
    pub(crate) fn downloads(&self) -> usize {
        self.downloads.load(Ordering::SeqCst)
    }

    /// The calls (other than downloads) the gateway saw.
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}
