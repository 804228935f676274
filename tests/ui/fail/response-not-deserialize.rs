// The response type must implement `Deserialize`: the error points at `response = ...`.
struct NotDeserialize {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = NotDeserialize)]
struct Query {
    out_trade_no: String,
}

fn main() {}
