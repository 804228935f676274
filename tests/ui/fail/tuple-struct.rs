#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = serde_json::Value)]
struct Query(String);

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = serde_json::Value)]
struct Unit;

fn main() {}
