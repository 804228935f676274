#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = serde_json::Value)]
struct Query {
    out_trade_no: String,
}

fn main() {
    let _ = Query::builder().out_trade_no("1").out_trade_no("2").build();
}
