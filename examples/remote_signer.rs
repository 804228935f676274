//! Remote signer: the app private key held by a signing service, and the client signing through
//! it over HTTP with an [`AsyncSigner`], as a KMS or HSM service would be used.
//!
//! ```text
//! cargo run --example remote_signer
//! ```
//!
//! It starts the embedded sandbox and, on loopback, a small signing service of its own that
//! holds the app's key: `POST /sign` with the sign content as the body answers the RSA2
//! signature as text; `POST /disabled` answers `503` (a key switched off); `POST /hang` never
//! answers. The client's [`AsyncSigner`] calls it with hyper and checks that what comes back is
//! a signature of the content by the app's public key before using it. Then:
//!
//! 1. a trade is created and queried with every request signed by the service;
//! 2. a signer whose service refuses gives `Error::Sign`, and the gateway received nothing;
//! 3. a signer whose service hangs gives `Error::Sign` within the call's 1 s deadline.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use alipay::crypto::{AsyncSigner, PrivateKey, PublicKey, Signer as _, Verifier as _};
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::Sandbox;
use alipay::transport::BoxFuture;
use alipay::{Amount, BoxError, Error};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// The signing service: holds the key, signs what it is sent.
async fn signing_service(key: PrivateKey) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let key = key.clone();
            let service = service_fn(move |request| answer(request, key.clone()));
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    Ok(url)
}

async fn answer(
    request: hyper::Request<Incoming>,
    key: PrivateKey,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let reply = |status: u16, text: String| {
        let mut response = hyper::Response::new(Full::new(Bytes::from(text)));
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
        Ok(response)
    };
    let Ok(body) = request.into_body().collect().await else {
        return reply(400, "unreadable body".to_owned());
    };
    match path.as_str() {
        "/sign" => match key.sign(&body.to_bytes()) {
            Ok(signature) => reply(200, signature),
            Err(error) => reply(500, error.to_string()),
        },
        "/disabled" => reply(503, "key disabled by the security team".to_owned()),
        "/hang" => std::future::pending().await,
        _ => reply(404, "no such endpoint".to_owned()),
    }
}

/// Why the signing service gave no signature.
#[derive(Debug, thiserror::Error)]
enum RemoteSignError {
    #[error("the signing service URL is invalid")]
    Url(#[source] http::uri::InvalidUri),
    #[error("the signing service could not be reached")]
    Unreachable(#[source] hyper_util::client::legacy::Error),
    #[error("reading the signing service's answer failed")]
    Body(#[source] hyper::Error),
    #[error("the signing service answered {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the signing service's answer is not a signature of the content by the app key")]
    NotTheAppsSignature,
}

/// An [`AsyncSigner`] that asks the signing service at `url` and checks the signature with
/// the app's public key.
struct HttpSigner {
    http: HttpClient<HttpConnector, Full<Bytes>>,
    url: String,
    app_public_key: PublicKey,
}

impl HttpSigner {
    fn new(url: String, app_public_key: PublicKey) -> Self {
        Self {
            http: HttpClient::builder(TokioExecutor::new()).build_http(),
            url,
            app_public_key,
        }
    }

    async fn sign_remote(&self, content: &[u8]) -> Result<String, RemoteSignError> {
        let uri: http::Uri = self.url.parse().map_err(RemoteSignError::Url)?;
        let mut request = hyper::Request::new(Full::new(Bytes::copy_from_slice(content)));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri;
        let response = self
            .http
            .request(request)
            .await
            .map_err(RemoteSignError::Unreachable)?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(RemoteSignError::Body)?
            .to_bytes();
        let text = String::from_utf8_lossy(&body).into_owned();
        if status != 200 {
            return Err(RemoteSignError::Refused {
                status,
                message: text,
            });
        }
        self.app_public_key
            .verify(content, &text)
            .map_err(|_| RemoteSignError::NotTheAppsSignature)?;
        Ok(text)
    }
}

impl AsyncSigner for HttpSigner {
    fn sign<'a>(&'a self, content: &'a [u8]) -> BoxFuture<'a, Result<String, BoxError>> {
        Box::pin(async move { self.sign_remote(content).await.map_err(Into::into) })
    }
}

fn source(error: &Error) -> String {
    std::error::Error::source(error).map_or_else(String::new, ToString::to_string)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let app = sandbox.create_app()?;
    let app_public_key = app.private_key.public_key();
    let service = signing_service(app.private_key.clone()).await?;
    println!("gateway   {} (embedded sandbox)", sandbox.gateway_url());
    println!("signer    {service}/sign (holds the app key)");

    // 1. Every request signed by the service.
    let client = sandbox
        .client_builder(&app)
        .async_signer(HttpSigner::new(
            format!("{service}/sign"),
            app_public_key.clone(),
        ))
        .build()?;
    let out_trade_no = format!("RS{}", std::process::id());
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no.clone())
                .total_amount(Amount::new("12.00")?)
                .subject("signed remotely")
                .build(),
        )
        .await?;
    let trade = client
        .send(
            TradeQuery::builder()
                .out_trade_no(out_trade_no.clone())
                .build(),
        )
        .await?;
    println!(
        "signed    create + query through the service: {} {:?}",
        trade.out_trade_no, trade.trade_status
    );
    let sent = sandbox.requests().len();

    // 2. A service that refuses: a typed error, nothing sent.
    let refused = sandbox
        .client_builder(&app)
        .async_signer(HttpSigner::new(
            format!("{service}/disabled"),
            app_public_key.clone(),
        ))
        .build()?;
    match refused
        .send(
            TradeQuery::builder()
                .out_trade_no(out_trade_no.clone())
                .build(),
        )
        .await
    {
        Err(error @ Error::Sign(_)) => println!("refused   {error}: {}", source(&error)),
        other => return Err(format!("expected Error::Sign, got {other:?}").into()),
    }
    if sandbox.requests().len() != sent {
        return Err("a request reached the gateway without a signature".into());
    }

    // 3. A service that hangs: a typed error within the call's deadline.
    let deadline = Duration::from_secs(1);
    let hanging = sandbox
        .client_builder(&app)
        .async_signer(HttpSigner::new(format!("{service}/hang"), app_public_key))
        .total_timeout(deadline)
        .build()?;
    let started = Instant::now();
    match hanging
        .send(TradeQuery::builder().out_trade_no(out_trade_no).build())
        .await
    {
        Err(error @ Error::Sign(_)) if started.elapsed() < deadline * 2 => println!(
            "hung      {error} after {:?}: {}",
            started.elapsed(),
            source(&error)
        ),
        other => {
            return Err(format!(
                "expected Error::Sign within {deadline:?}, got {other:?} after {:?}",
                started.elapsed()
            )
            .into());
        }
    }
    if sandbox.requests().len() != sent {
        return Err("a request reached the gateway without a signature".into());
    }
    Ok(())
}
