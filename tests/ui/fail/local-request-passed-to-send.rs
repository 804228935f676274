// A request rendered locally does not implement `Request`, so `Client::send` refuses it.
#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.page.pay", local)]
struct PagePay {
    out_trade_no: String,
}

async fn pay(client: alipay::Client) {
    let _ = client.send(PagePay::builder().out_trade_no("1").build()).await;
}

fn main() {}
