// The v3 route's verb must be an HTTP verb of OpenAPI v3.
use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", v3 = "FETCH /v3/alipay/trade/query", response = Answer)]
struct Fetch {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", v3 = "post /v3/alipay/trade/query", response = Answer)]
struct LowerCase {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", v3 = "/v3/alipay/trade/query", response = Answer)]
struct NoVerb {}

fn main() {}
