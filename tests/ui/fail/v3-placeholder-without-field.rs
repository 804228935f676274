// Every `{placeholder}` of the v3 path needs a field marked `#[alipay(path)]`, and every such
// field a placeholder.
use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {}

#[derive(alipay::Request)]
#[alipay(
    method = "alipay.marketing.activity.query",
    v3 = "GET /v3/alipay/marketing/activity/{activity_id}",
    response = Answer
)]
struct Unmarked {
    // The field exists but is not marked `path`.
    activity_id: String,
}

#[derive(alipay::Request)]
#[alipay(
    method = "alipay.marketing.activity.query",
    v3 = "GET /v3/alipay/marketing/activity/{activity_id}",
    response = Answer
)]
struct WrongName {
    #[alipay(path)]
    activity: String,
}

#[derive(alipay::Request)]
#[alipay(method = "alipay.marketing.activity.query", response = Answer)]
struct NoRoute {
    #[alipay(path)]
    activity_id: String,
}

fn main() {}
