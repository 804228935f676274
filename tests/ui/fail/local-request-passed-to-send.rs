// A request rendered locally does not implement `Request`, so it cannot be sent.
//
// `alipay::Client::send` does not exist yet on this branch; `send` stands for it with the
// same bound (`R: alipay::request::Request`).
#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.page.pay", local)]
struct PagePay {
    out_trade_no: String,
}

fn send<R: alipay::request::Request>(_: R) {}

fn main() {
    send(PagePay::builder().out_trade_no("1").build());
}
