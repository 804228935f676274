// A misspelt key is reported on itself; the keys after it are still read.
use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(methd = "alipay.trade.query", method = "alipay.trade.query", response = Answer)]
struct Query {
    #[alipay(txt)]
    out_trade_no: String,
}

fn main() {}
