// A generic request: lifetimes, type and const parameters, a `where` clause, and generic
// text and response types. Bounds come from the fields that use the parameters.
use alipay::request::{Method, Params, Request};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Page<T> {
    items: Vec<T>,
}

trait Tagged {
    type Tag: Serialize;
}

#[derive(Serialize)]
struct Item {
    id: u32,
}

impl Tagged for Item {
    type Tag = String;
}

#[derive(alipay::Request)]
#[alipay(method = "alipay.data.batch.query", response = Page<T::Tag>)]
struct BatchQuery<'a, T, K = String, const N: usize = 2>
where
    T: Tagged,
    T::Tag: for<'de> Deserialize<'de>,
{
    items: [&'a T; N],
    tag: Option<T::Tag>,
    #[alipay(text)]
    key: K,
    #[alipay(default)]
    limit: Option<u32>,
}

fn send<R: Request>(request: &R) -> Params {
    let mut params = Params::new();
    request.encode(&mut params).unwrap();
    params
}

fn main() {
    let (a, b) = (Item { id: 1 }, Item { id: 2 });
    let request: BatchQuery<'_, Item> = BatchQuery::builder()
        .items([&a, &b])
        .key("k".to_owned())
        .tag("t".to_owned())
        .build();
    let params = send(&request);
    assert_eq!(params.biz_params()["items"], serde_json::json!([{"id": 1}, {"id": 2}]));
    assert_eq!(params.biz_params()["tag"], "t");
    assert!(!params.biz_params().contains_key("limit"));
    assert_eq!(params.text_params()["key"], "k");
    assert_eq!(request.method(), "alipay.data.batch.query");
    assert_eq!(BatchQuery::<Item>::METHOD, "alipay.data.batch.query");
    let page: Page<String> = serde_json::from_str(r#"{"items":["x"]}"#).unwrap();
    assert_eq!(page.items, ["x"]);
}
