// A request without `method`: one error, and the struct still implements `Request`, so the
// call below it does not fail too.
use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(response = Answer)]
struct Query {
    out_trade_no: String,
}

fn send<R: alipay::request::Request>(_: R) {}

fn main() {
    send(Query::builder().out_trade_no("1").build());
}
