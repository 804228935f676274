//! The official Node SDK (npm `alipay-sdk` 4.x) against the server, when it is installed.

use super::*;

/// Where the official Node SDK (npm `alipay-sdk` 4.x) is installed: `ALIPAY_NODE_SDK_DIR`, a
/// directory holding `node_modules/alipay-sdk` (`.ci/run` installs it there). `None`, with the
/// reason, when it or `node` is missing; with `ALIPAY_REQUIRE_NODE_SDK=1` (CI) that is a failure.
fn node_sdk() -> Option<PathBuf> {
    let reason = match std::env::var_os("ALIPAY_NODE_SDK_DIR") {
        None => "ALIPAY_NODE_SDK_DIR is not set".to_owned(),
        Some(dir) => {
            let modules = PathBuf::from(dir).join("node_modules");
            let node = Command::new("node").arg("--version").output();
            if !modules.join("alipay-sdk/package.json").is_file() {
                format!("{} has no alipay-sdk", modules.display())
            } else if !node.is_ok_and(|o| o.status.success()) {
                "`node` is not on PATH".to_owned()
            } else {
                return Some(modules);
            }
        }
    };
    let message = format!(
        "the official Node SDK test is skipped: {reason} (run `npm install --prefix DIR \
         alipay-sdk@4` and set ALIPAY_NODE_SDK_DIR=DIR)"
    );
    assert!(
        std::env::var_os("ALIPAY_REQUIRE_NODE_SDK").is_none(),
        "{message}"
    );
    eprintln!("{message}");
    None
}

/// The official Node SDK's v3 `curl()` works against `alipay sandbox serve` unchanged, run in
/// China's time zone like a server there: create, query (also as an ISV with an
/// `app_auth_token`), a GET with a query string, a signed error; and the trade it created is
/// the same one this SDK then queries over v2.
#[test]
fn the_official_node_sdk_curl_works_against_serve() {
    let Some(modules) = node_sdk() else { return };
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
    ]);
    let endpoint = server.url.trim_end_matches("/gateway.do").to_owned();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/node/curl.js");
    let private_key =
        std::fs::read_to_string(fixture("app_private_pkcs8.pem")).expect("the app key");
    let out = Command::new("node")
        .arg(script)
        .env("TZ", "Asia/Shanghai")
        .env("NODE_PATH", &modules)
        .env("APP_ID", APP_ID)
        .env("APP_PRIVATE_KEY", private_key)
        .env("ALIPAY_PUBLIC_KEY", &server.alipay_key_text)
        .env("ENDPOINT", &endpoint)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "{out:?}");
    let seen: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(seen["created"]["out_trade_no"], "NODE-1");
    assert_eq!(seen["queried"]["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(seen["queried"]["subject"], "节点 tea & 茶");
    assert_eq!(seen["agent"]["total_amount"], "1.23");
    assert!(
        seen["bill"]["bill_download_url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&endpoint))
    );
    assert_eq!(seen["refused"]["code"], "ACQ.TRADE_NOT_EXIST");
    assert_eq!(seen["refused"]["status"], 422);
    // The trade the Node SDK created over v3, queried by this SDK over v2.
    assert_eq!(
        status(&server.client(), "NODE-1"),
        TradeStatus::WaitBuyerPay
    );
    server.stop();
}
