// With a mistake in a generic request, only the mistake is reported: the placeholder impls
// and the builder keep the code that uses the request compiling.
use serde::Deserialize;

#[derive(Deserialize)]
struct Page<T> {
    items: Vec<T>,
}

#[derive(alipay::Request)]
#[alipay(method = "alipay.data.query", response = Page<T>, upload)]
struct Query<T: Clone> {
    filter: T,
    #[alipay(text = "")]
    token: Option<String>,
}

fn send<R: alipay::request::Request>(_: R) {}

fn main() {
    send(Query::builder().filter(1u32).token("t").build());
}
