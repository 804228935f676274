//! Signers that await (`AsyncSigner`) against the sandbox over loopback: one that signs after
//! awaiting (the positive control), one that fails and one that hangs, which give
//! `Error::Sign` before anything is sent and within the call's deadline; rendering with an
//! async-only signer is a typed error.

use std::error::Error as _;
use std::time::{Duration, Instant};

use alipay::crypto::{AsyncSigner, PrivateKey, Signer as _};
use alipay::payment::app::TradeAppPay;
use alipay::payment::common::TradeQuery;
use alipay::sandbox::Sandbox;
use alipay::transport::BoxFuture;
use alipay::{Amount, BoxError, Client, Error};

/// Signs with a key after a real wait on the runtime's timer.
struct Deferred(PrivateKey);

impl AsyncSigner for Deferred {
    fn sign<'a>(&'a self, content: &'a [u8]) -> BoxFuture<'a, Result<String, BoxError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.0.sign(content)
        })
    }
}

/// A signing service that answers with an error.
struct Failing;

impl AsyncSigner for Failing {
    fn sign<'a>(&'a self, _content: &'a [u8]) -> BoxFuture<'a, Result<String, BoxError>> {
        Box::pin(async { Err("the KMS refused: key disabled".into()) })
    }
}

/// A signing service that never answers.
struct Hanging;

impl AsyncSigner for Hanging {
    fn sign<'a>(&'a self, _content: &'a [u8]) -> BoxFuture<'a, Result<String, BoxError>> {
        Box::pin(std::future::pending())
    }
}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("SIGNER-1").build()
}

async fn client_with(signer: impl AsyncSigner) -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app key");
    let client = sandbox
        .client_builder(&app)
        .async_signer(signer)
        .total_timeout(Duration::from_millis(400))
        .build()
        .expect("client");
    (sandbox, client)
}

#[tokio::test]
async fn an_async_signer_signs_calls_that_the_gateway_accepts() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app key");
    let client = sandbox
        .client_builder(&app)
        .async_signer(Deferred(app.private_key.clone()))
        .build()
        .expect("client");
    // The sandbox checks the signature: an unknown trade is a business answer, not a
    // signature failure.
    match client.send(query()).await {
        Err(Error::Api(api)) => assert_eq!(api.sub_code.as_deref(), Some("ACQ.TRADE_NOT_EXIST")),
        other => panic!("expected the gateway's trade-not-found answer, got {other:?}"),
    }
    assert_eq!(sandbox.requests().len(), 1);
}

#[tokio::test]
async fn a_failing_signer_is_a_sign_error_and_nothing_is_sent() {
    let (sandbox, client) = client_with(Failing).await;
    let error = client.send(query()).await.expect_err("the signer fails");
    assert!(matches!(error, Error::Sign(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "failed to sign the request (nothing was sent)"
    );
    let source = error.source().map(ToString::to_string).unwrap_or_default();
    assert!(source.contains("key disabled"), "{source}");
    assert!(sandbox.requests().is_empty(), "nothing reached the gateway");
}

#[tokio::test]
async fn a_hanging_signer_is_a_sign_error_within_the_call_deadline() {
    let (sandbox, client) = client_with(Hanging).await;
    let started = Instant::now();
    let error = client.send(query()).await.expect_err("the signer hangs");
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Sign(_)), "{error:?}");
    let source = error.source().map(ToString::to_string).unwrap_or_default();
    assert!(source.contains("did not answer within 400ms"), "{source}");
    assert!(source.contains("not sent"), "{source}");
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(sandbox.requests().is_empty(), "nothing reached the gateway");
}

#[tokio::test]
async fn a_hanging_signer_without_a_total_deadline_stops_at_the_attempt_deadline() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app key");
    let client = sandbox
        .client_builder(&app)
        .async_signer(Hanging)
        .request_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = client.send(query()).await.expect_err("the signer hangs");
    let source = error.source().map(ToString::to_string).unwrap_or_default();
    assert!(source.contains("did not answer within 300ms"), "{source}");
}

#[tokio::test]
async fn rendering_with_an_async_only_signer_is_a_typed_error() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let app = sandbox.create_app().expect("app key");
    let client = sandbox
        .client_builder(&app)
        .async_signer(Deferred(app.private_key.clone()))
        .build()
        .expect("client");
    let order = TradeAppPay::builder()
        .out_trade_no("SIGNER-APP")
        .total_amount(Amount::new("1.00").expect("amount"))
        .subject("tea")
        .build();
    let error = client
        .render(order.clone())
        .order_string()
        .expect_err("async-only signer");
    assert!(matches!(error, Error::Sign(_)), "{error:?}");
    let source = error.source().map(ToString::to_string).unwrap_or_default();
    assert!(source.contains("async-only"), "{source}");
    // The positive control: the same order renders with the app's key.
    let local = sandbox.client_builder(&app).build().expect("client");
    assert!(local.render(order).order_string().is_ok());
}
