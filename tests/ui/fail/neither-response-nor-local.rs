#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.page.pay")]
struct PagePay {
    out_trade_no: String,
}

fn main() {}
