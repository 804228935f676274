#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = serde_json::Value)]
enum Query {
    ByTradeNo { trade_no: String },
}

fn main() {}
