// A text parameter must implement `TextParam`: the error points at the field type.
#[derive(alipay::Request)]
#[alipay(method = "alipay.system.oauth.token", response = serde_json::Value)]
struct OauthToken {
    #[alipay(text)]
    code: Vec<u8>,
}

fn main() {}
