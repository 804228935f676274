// Every mistake is reported in one compile, each on its own token.
#[derive(alipay::Request)]
#[alipay(method = "Alipay.Query", local, upload, fixed_biz(scene = 1.5))]
struct Query {
    #[alipay(text, file)]
    a: String,
    #[alipay(defualt)]
    b: String,
    #[alipay(text = "a")]
    c: String,
    #[alipay(default = true)]
    d: u32,
}

fn main() {}
