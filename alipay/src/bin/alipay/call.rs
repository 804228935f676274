//! `call`: any method, named at run time, against a gateway named explicitly.

use std::process::ExitCode;

use alipay::client::PRODUCTION_GATEWAY;
use alipay::request::{Method, Params, Request};
use alipay::v3::Route;
use alipay::{Client, ClientBuilder, EncodeError, Error, Protocol};
use clap::Args;
use serde_json::{Map, Value};

use crate::fatal::{FAILED, Fatal};
use crate::{files, output, runtime};

/// The `--help` text of `call`.
pub(crate) const CALL_HELP: &str = "Call the gateway and print the verified answer node.\n\n\
                  The gateway is never chosen for you: give `--gateway` (or `ALIPAY_GATEWAY`), \
                  e.g. the URL `alipay sandbox serve` prints, or `--production` for Alipay's \
                  own gateway. Public key mode takes `--alipay-public-key`; certificate mode \
                  (公钥证书模式) takes `--app-cert`, `--alipay-cert` and `--root-cert` instead. \
                  Keys and certificates are file paths, or the text itself (better given in the \
                  environment than on the command line).\n\n\
                  Prints the verified node as pretty JSON (exit 0); an error answered by Alipay \
                  prints its `code`, `msg`, `sub_code` and `sub_msg` as JSON (exit 1); a call \
                  without a verified answer (configuration, network, a signature that does not \
                  verify) prints the reason on stderr (exit 2).\n\n\
                  OpenAPI v3: `--v3 \"POST /v3/alipay/trade/query\"` instead of METHOD, the \
                  fields in `--body` (for GET and DELETE they become the query string; a query \
                  written in the route is sent as written). The endpoint is the scheme, host \
                  and port of the gateway unless `--endpoint` (or `ALIPAY_ENDPOINT`) is set. \
                  Prints the verified body (exit 0); a v3 error, an unsigned answer or one whose \
                  signature does not verify is printed on stderr (exit 1).";

/// `alipay call`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  alipay call alipay.trade.query --biz '{\"out_trade_no\":\"T1\"}'\n  alipay call --v3 \"POST /v3/alipay/trade/query\" --body '{\"out_trade_no\":\"T1\"}'"
)]
pub(crate) struct CallArgs {
    /// The method, e.g. alipay.trade.query (not with --v3)
    #[arg(
        value_name = "METHOD",
        required_unless_present = "v3",
        conflicts_with = "v3"
    )]
    method: Option<String>,
    /// OpenAPI v3: the route, e.g. "POST /v3/alipay/trade/query" or "GET /v3/...?k=v"
    #[arg(long, value_name = "ROUTE")]
    v3: Option<String>,
    /// The `biz_content` fields (with --v3: the body's fields), as a JSON object
    #[arg(long, visible_alias = "body", value_name = "JSON")]
    biz: Option<String>,
    /// A top-level text parameter, e.g. notify_url=https://… (repeatable)
    #[arg(long, value_name = "KEY=VALUE")]
    text: Vec<String>,
    /// Encrypt `biz_content` with the content encryption key (`--aes-key`)
    #[arg(long)]
    encrypt: bool,
    #[command(flatten)]
    client: ClientArgs,
}

/// How to reach and trust the gateway: the app, its keys or certificates, the gateway URL
/// (shared by `call` and `bill download`).
#[derive(Debug, Args)]
pub(crate) struct ClientArgs {
    /// The app id
    #[arg(long, value_name = "ID", env = "ALIPAY_APP_ID", hide_env_values = true)]
    app_id: Option<String>,
    /// The app private key (a file, or the key itself)
    #[arg(
        long,
        value_name = "KEY",
        env = "ALIPAY_PRIVATE_KEY",
        hide_env_values = true
    )]
    private_key: Option<String>,
    /// Public key mode: the Alipay public key (a file, or the key itself)
    #[arg(
        long,
        value_name = "KEY",
        env = "ALIPAY_PUBLIC_KEY",
        hide_env_values = true
    )]
    alipay_public_key: Option<String>,
    /// Certificate mode: the app certificate, appCertPublicKey_<app id>.crt
    #[arg(
        long,
        value_name = "CERT",
        env = "ALIPAY_APP_CERT",
        hide_env_values = true
    )]
    app_cert: Option<String>,
    /// Certificate mode: the Alipay certificate, alipayCertPublicKey_RSA2.crt
    #[arg(long, value_name = "CERT", env = "ALIPAY_CERT", hide_env_values = true)]
    alipay_cert: Option<String>,
    /// Certificate mode: the Alipay root bundle, alipayRootCert.crt
    #[arg(
        long,
        value_name = "CERT",
        env = "ALIPAY_ROOT_CERT",
        hide_env_values = true
    )]
    root_cert: Option<String>,
    /// The content encryption key (base64), for `--encrypt`
    #[arg(
        long,
        value_name = "B64",
        env = "ALIPAY_AES_KEY",
        hide_env_values = true
    )]
    aes_key: Option<String>,
    /// The gateway URL, e.g. http://127.0.0.1:8080/gateway.do
    #[arg(
        long,
        value_name = "URL",
        env = "ALIPAY_GATEWAY",
        hide_env_values = true
    )]
    gateway: Option<String>,
    /// Call Alipay's production gateway, https://openapi.alipay.com/gateway.do
    #[arg(long)]
    production: bool,
    /// With --v3: the v3 endpoint (scheme, host and port), instead of the gateway's
    #[arg(
        long,
        value_name = "URL",
        env = "ALIPAY_ENDPOINT",
        hide_env_values = true
    )]
    endpoint: Option<String>,
    /// An HTTP proxy to call through, http://[user:password@]host:port (CONNECT for https
    /// gateways). Without it, HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are honoured as
    /// curl does
    #[arg(long, value_name = "URL", env = "ALIPAY_PROXY", hide_env_values = true)]
    proxy: Option<String>,
}

/// A call of any method, named at run time: `biz_content` fields and top-level text
/// parameters as given; the answer node is kept as JSON.
struct RuntimeCall {
    method: String,
    biz: Map<String, Value>,
    text: Vec<(String, String)>,
    /// The v3 route of `--v3`.
    route: Option<Route>,
}

impl Method for RuntimeCall {
    fn method(&self) -> &str {
        &self.method
    }

    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        for (key, value) in &self.biz {
            params.biz_value(key.clone(), value.clone());
        }
        for (key, value) in &self.text {
            params.text(key.clone(), value.clone());
        }
        Ok(())
    }

    fn v3(&self) -> Option<Route> {
        self.route.clone()
    }
}

impl Request for RuntimeCall {
    type Response = Map<String, Value>;
}

/// A setting given by a flag or its environment variable; blank counts as not given.
fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// A setting that must be given.
fn required<'a>(value: Option<&'a String>, flag: &str, var: &str) -> Result<&'a str, Fatal> {
    given(value).ok_or_else(|| Fatal::usage(format!("`{flag}` (or `{var}`) is not set")))
}

pub(crate) fn run(args: &CallArgs) -> Result<ExitCode, Fatal> {
    let route = match args.v3.as_deref() {
        Some(text) => Some(Route::parse(text).map_err(|e| Fatal::usage(format!("`--v3`: {e}")))?),
        None => None,
    };
    let method = match (&args.method, &route) {
        (Some(method), _) if method.starts_with('-') => {
            return Err(Fatal::usage(format!(
                "`call` needs a METHOD first, e.g. `alipay call alipay.trade.query --biz \
                 '{{...}}'`, not `{method}`"
            )));
        }
        (Some(method), _) => method.clone(),
        // The method a v3 path names, for the logs: /v3/alipay/trade/query -> alipay.trade.query.
        (None, Some(route)) => {
            let path = route.path().split('?').next().unwrap_or_default();
            path.trim_start_matches("/v3/").replace('/', ".")
        }
        (None, None) => return Err(Fatal::usage("`call` needs a METHOD or `--v3 ROUTE`")),
    };
    let biz = match args.biz.as_deref() {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(Fatal::usage("`--biz` must be a JSON object")),
            Err(e) => return Err(Fatal::usage(format!("`--biz` is not JSON: {e}"))),
        },
    };
    let mut text = Vec::new();
    for pair in &args.text {
        let Some((key, value)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(Fatal::usage(format!("`--text {pair}`: use KEY=VALUE")));
        };
        text.push((key.to_owned(), value.to_owned()));
    }
    let mut builder = client_builder(&args.client)?;
    let v3 = route.is_some();
    if v3 {
        builder = builder.protocol(Protocol::V3);
    }
    let client = builder.build()?;
    let request = RuntimeCall {
        method,
        biz,
        text,
        route,
    };
    let encrypt = args.encrypt;
    let result = runtime()?.block_on(async { client.send(request).encrypt(encrypt).await });
    match result {
        // Over v3, an answer that is not a verified success is the call's failure (exit 1).
        Err(error @ (Error::V3(_) | Error::V3Unsigned { .. } | Error::Verify(_))) if v3 => Err(
            Fatal::failed(alipay::error::Report::new(&error).to_string()),
        ),
        Ok(node) => {
            output::line(&serde_json::to_string_pretty(&node)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Api(error) | Error::Gateway(error)) => {
            output::line(&serde_json::to_string_pretty(&error)?)?;
            Ok(ExitCode::from(FAILED))
        }
        Err(e) => Err(e.into()),
    }
}

/// The client the flags describe.
pub(crate) fn client(args: &ClientArgs) -> Result<Client, Fatal> {
    Ok(client_builder(args)?.build()?)
}

/// The builder of the client the flags describe.
fn client_builder(args: &ClientArgs) -> Result<ClientBuilder, Fatal> {
    let app_id = required(args.app_id.as_ref(), "--app-id", "ALIPAY_APP_ID")?;
    let private_key = required(
        args.private_key.as_ref(),
        "--private-key",
        "ALIPAY_PRIVATE_KEY",
    )?;
    let mut builder = Client::builder()
        .app_id(app_id)
        .app_private_key(files::key_or_path(private_key)?);
    let certs = [&args.app_cert, &args.alipay_cert, &args.root_cert];
    builder = if certs.iter().any(|c| c.is_some()) {
        if args.alipay_public_key.is_some() {
            return Err(Fatal::usage(
                "set either `--alipay-public-key`/`ALIPAY_PUBLIC_KEY` (public key mode) or \
                 `--app-cert`, `--alipay-cert` and `--root-cert` (`ALIPAY_APP_CERT`, \
                 `ALIPAY_CERT`, `ALIPAY_ROOT_CERT`: certificate mode), not both",
            ));
        }
        let cert = |value: &Option<String>, flag, var| {
            files::key_or_path(required(value.as_ref(), flag, var)?)
        };
        builder.certificates(
            cert(&args.app_cert, "--app-cert", "ALIPAY_APP_CERT")?,
            cert(&args.alipay_cert, "--alipay-cert", "ALIPAY_CERT")?,
            cert(&args.root_cert, "--root-cert", "ALIPAY_ROOT_CERT")?,
        )
    } else {
        let key = required(
            args.alipay_public_key.as_ref(),
            "--alipay-public-key",
            "ALIPAY_PUBLIC_KEY",
        )?;
        builder.alipay_public_key(files::key_or_path(key)?)
    };
    if let Some(key) = given(args.aes_key.as_ref()) {
        builder = builder.aes_key(key);
    }
    builder = match (given(args.gateway.as_ref()), args.production) {
        (Some(gateway), false) => builder.gateway_url(gateway),
        (None, true) => builder.gateway_url(PRODUCTION_GATEWAY),
        (Some(_), true) => {
            return Err(Fatal::usage(
                "`--production` and `--gateway`/`ALIPAY_GATEWAY` both name a gateway: give one",
            ));
        }
        (None, false) => {
            return Err(Fatal::usage(format!(
                "no gateway: give `--gateway URL` (or `ALIPAY_GATEWAY`), e.g. the URL \
                 `alipay sandbox serve` prints, or `--production` for {PRODUCTION_GATEWAY}"
            )));
        }
    };
    builder = match given(args.proxy.as_ref()) {
        Some(proxy) => builder.proxy(proxy),
        None => builder.proxy_from_env(),
    };
    if let Some(endpoint) = given(args.endpoint.as_ref()) {
        builder = builder.v3_endpoint(endpoint);
    }
    Ok(builder)
}
