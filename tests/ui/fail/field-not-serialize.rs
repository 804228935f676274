// A `biz_content` field must implement `Serialize`: the error points at the field.
struct NotSerialize;

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = serde_json::Value)]
struct Query {
    out_trade_no: String,
    extra: NotSerialize,
}

fn main() {}
