//! What the fault tests share, over either protocol: a sandbox, a client of that protocol that
//! keeps the last raw answer, the trade `F-1`, and one-shot faults on `alipay.trade.query`.
//! Shared by test files with `#[path = "support/faults.rs"] mod faults;`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay::payment::common::{TradeCreate, TradeQuery, TradeQueryResponse};
use alipay::sandbox::{Fault, FaultRule, Sandbox, SandboxApp, Scope};
use alipay::transport::{BoxFuture, HttpResponse, HyperTransport, Transport};
use alipay::{Amount, Client, Error, Protocol};

/// The default transport, keeping the last answer.
#[derive(Clone)]
struct Recording {
    inner: HyperTransport,
    last: Arc<Mutex<Option<HttpResponse>>>,
}

impl Transport for Recording {
    fn send(
        &self,
        request: http::Request<bytes::Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let answer = self.inner.send(request, max_body).await?;
            *self.last.lock().expect("lock") = Some(answer.clone());
            Ok(answer)
        })
    }
}

/// A sandbox, an app of it, and a client of one protocol for that app.
pub(crate) struct Setup {
    pub(crate) sandbox: Sandbox,
    pub(crate) client: Client,
    pub(crate) app: SandboxApp,
    last: Arc<Mutex<Option<HttpResponse>>>,
}

impl Setup {
    /// The last answer the client received, as it came.
    pub(crate) fn last(&self) -> HttpResponse {
        self.last.lock().expect("lock").clone().expect("an answer")
    }
}

/// `alipay.trade.create` of `out_trade_no`.
pub(crate) fn create(out_trade_no: &str) -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no(out_trade_no)
        .total_amount(Amount::new("12.30").expect("amount"))
        .subject("fault test")
        .buyer_id("2088000000000001")
        .build()
}

/// `alipay.trade.query` of the trade `F-1`.
pub(crate) fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("F-1").build()
}

/// A sandbox, a client of `protocol` (with an AES key, used by the calls that ask for it) and
/// the trade `F-1`, created over that protocol.
pub(crate) async fn setup(protocol: Protocol) -> Setup {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app");
    let aes_key = sandbox.create_app_aes_key(&app.app_id).expect("aes key");
    let last = Arc::new(Mutex::new(None));
    let transport = Recording {
        inner: HyperTransport::new(Duration::from_secs(5)).expect("transport"),
        last: Arc::clone(&last),
    };
    let client = sandbox
        .client_builder(&app)
        .protocol(protocol)
        .aes_key(aes_key)
        .transport(transport)
        .build()
        .expect("client");
    client.send(create("F-1")).await.expect("trade created");
    Setup {
        sandbox,
        client,
        app,
        last,
    }
}

/// Injects `fault` once for `alipay.trade.query`, returns the client's result, and checks the
/// rule is used up and the same query then succeeds (the positive control).
pub(crate) async fn once(setup: &Setup, fault: Fault) -> Result<TradeQueryResponse, Error> {
    setup
        .sandbox
        .inject_rule(FaultRule::new(fault, Scope::method("alipay.trade.query")).times(1));
    let result = setup.client.send(query()).await;
    assert!(
        setup.sandbox.faults().is_empty(),
        "the one-shot rule is used up"
    );
    let again = setup
        .client
        .send(query())
        .await
        .expect("served normally again");
    assert_eq!(again.out_trade_no, "F-1");
    result
}

/// Whether `bytes` hold 系统繁忙 ("system busy") in GBK, as the sandbox's GBK failure writes it.
pub(crate) fn holds_busy_in_gbk(bytes: &[u8]) -> bool {
    bytes
        .windows(8)
        .any(|w| w == [0xCF, 0xB5, 0xCD, 0xB3, 0xB7, 0xB1, 0xC3, 0xA6])
}
