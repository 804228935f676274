// A v3 route with a path placeholder: the route, and the bytes prepared from it.
use alipay::request::{Method, Params};
use alipay::v3::Verb;

#[derive(alipay::Request)]
#[alipay(
    method = "alipay.marketing.activity.query",
    v3 = "GET /v3/alipay/marketing/activity/{activity_id}",
    response = serde_json::Value
)]
struct ActivityQuery {
    /// Fills the placeholder.
    #[alipay(path)]
    activity_id: String,
    /// Goes in the query string.
    merchant_id: Option<String>,
}

fn main() {
    let request = ActivityQuery::builder()
        .activity_id("A 1/2")
        .merchant_id("m&1")
        .build();
    let route = request.v3().expect("a v3 route");
    assert_eq!(route.verb(), Verb::Get);
    let mut params = Params::new();
    request.encode(&mut params).expect("encoded");
    // Over v2 the path field stays in biz_content.
    assert_eq!(params.biz_params()["activity_id"], "A 1/2");
    let prepared = route.prepare(&params).expect("prepared");
    assert_eq!(
        prepared.uri,
        "/v3/alipay/marketing/activity/A%201%2F2?merchant_id=m%261"
    );
    assert_eq!(prepared.body, "");
}
