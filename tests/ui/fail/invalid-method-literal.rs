use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(method = "Alipay.Trade", response = Answer)]
struct Upper {}

#[derive(alipay::Request)]
#[alipay(method = "alipay..trade", response = Answer)]
struct DoubleDot {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.", response = Answer)]
struct TrailingDot {}

#[derive(alipay::Request)]
#[alipay(method = "alipay", response = Answer)]
struct NoDot {}

#[derive(alipay::Request)]
#[alipay(method = "", response = Answer)]
struct Empty {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade-query", response = Answer)]
struct Dash {}

fn main() {}
