// A v3 path starts with `/v3/`; a local request has no v3 route.
use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", v3 = "POST /alipay/trade/query", response = Answer)]
struct NoPrefix {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", v3 = "POST /v3/alipay/trade/{", response = Answer)]
struct Unclosed {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.page.pay", v3 = "POST /v3/alipay/trade/page/pay", local)]
struct Local {}

fn main() {}
