// A request rendered locally does not implement `Request`, so `Client::send` refuses it.
#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.page.pay", local)]
struct PagePay {
    out_trade_no: String,
}

fn pay(client: &alipay::Client) {
    let _call = client.send(PagePay::builder().out_trade_no("1").build());
}

fn main() {}
