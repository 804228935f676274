//! `sandbox serve` and `sandbox pay`: the local gateway, and the buyer paying in it.

use std::process::ExitCode;
use std::time::Duration;

use alipay::transport::{HyperTransport, Transport};
use bytes::Bytes;
use clap::{Args, Subcommand};
use serde_json::Value;

use crate::fatal::Fatal;
use crate::serve::ServeArgs;
use crate::{output, runtime};

/// `alipay sandbox`.
#[derive(Debug, Subcommand)]
pub(crate) enum SandboxCommand {
    /// Run the local gateway in the foreground, for clients in any language
    #[command(long_about = crate::serve::HELP)]
    Serve(ServeArgs),
    /// Make the buyer pay a trade in a running sandbox
    #[command(long_about = PAY_HELP)]
    Pay(PayArgs),
}

/// The `--help` text of `sandbox pay`.
pub(crate) const PAY_HELP: &str = "Make the buyer pay a trade in a running sandbox (`POST \
                  /sandbox/pay`).\n\n\
                  The sandbox then notifies the trade's `notify_url`, as Alipay does. Prints \
                  the paid trade as JSON (exit 0); a trade the sandbox does not know or that \
                  cannot be paid (closed, already paid) is refused (exit 1).";

/// `alipay sandbox pay`.
#[derive(Debug, Args)]
pub(crate) struct PayArgs {
    /// The app the trade belongs to
    #[arg(long, value_name = "ID", env = "ALIPAY_APP_ID", hide_env_values = true)]
    app_id: String,
    /// The merchant's order number of the trade
    #[arg(long, value_name = "T")]
    out_trade_no: String,
    /// The sandbox's gateway URL, as `alipay sandbox serve` prints it
    #[arg(
        long,
        value_name = "URL",
        env = "ALIPAY_GATEWAY",
        hide_env_values = true
    )]
    gateway: String,
}

/// The largest answer `sandbox pay` reads (a trade is a few hundred bytes).
const MAX_ANSWER: usize = 1024 * 1024;

pub(crate) fn pay(args: &PayArgs) -> Result<ExitCode, Fatal> {
    let gateway: http::Uri = args
        .gateway
        .trim()
        .parse()
        .map_err(|e| Fatal::usage(format!("`--gateway {}`: {e}", args.gateway)))?;
    let (Some(scheme), Some(authority)) = (gateway.scheme(), gateway.authority()) else {
        return Err(Fatal::usage(format!(
            "`--gateway {}`: use the URL `alipay sandbox serve` prints, e.g. \
             http://127.0.0.1:8080/gateway.do",
            args.gateway
        )));
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("app_id", args.app_id.trim())
        .append_pair("out_trade_no", &args.out_trade_no)
        .finish();
    let url = format!("{scheme}://{authority}/sandbox/pay?{query}");
    let request = http::Request::post(&url)
        .body(Bytes::new())
        .map_err(|e| Fatal::usage(format!("`{url}`: {e}")))?;
    let transport = HyperTransport::new(Duration::from_secs(10)).map_err(Fatal::boxed)?;
    let answer = runtime()?.block_on(transport.send(request, MAX_ANSWER))?;
    let body: Option<Value> = serde_json::from_slice(&answer.body).ok();
    if answer.status == 200
        && let Some(trade) = body.as_ref().filter(|b| b.is_object())
    {
        output::line(&serde_json::to_string_pretty(trade)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let reason = match body.as_ref().and_then(|b| b["error"].as_str()) {
        Some(error) => error.to_owned(),
        None => String::from_utf8_lossy(&answer.body[..answer.body.len().min(200)])
            .trim()
            .to_owned(),
    };
    let message = format!(
        "the sandbox at {authority} refused the payment (HTTP {}): {reason}",
        answer.status
    );
    Err(Fatal::failed(message))
}
