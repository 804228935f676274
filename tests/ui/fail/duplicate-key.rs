use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.query", response = Answer)]
#[alipay(method = "alipay.trade.close")]
struct Query {
    #[alipay(text, text = "token")]
    app_auth_token: String,
}

fn main() {}
