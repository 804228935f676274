#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.page.pay", response = serde_json::Value, local)]
struct PagePay {
    out_trade_no: String,
}

fn main() {}
