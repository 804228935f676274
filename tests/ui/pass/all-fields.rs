// Every kind of field and key, with the encoded parameters checked.
use alipay::Amount;
use alipay::request::{FilePart, Method, Params, Request};

#[derive(alipay::Request)]
#[alipay(
    method = "alipay.offline.material.image.upload",
    response = serde_json::Value,
    upload,
    fixed_biz(scene = "bar_code"),
    fixed_text(grant_type = "authorization_code", msg_type = "text")
)]
struct Upload {
    /// A required biz field, renamed.
    #[serde(rename = "image_name")]
    name: String,
    /// An amount.
    price: Amount,
    /// Left out when `None`.
    note: Option<String>,
    /// A defaulted biz field.
    #[alipay(default)]
    count: u32,
    /// A text parameter.
    #[alipay(text)]
    app_auth_token: Option<String>,
    /// A renamed text parameter.
    #[alipay(text = "auth_code")]
    code: String,
    /// A file part.
    #[alipay(file = "image_content")]
    image: FilePart,
    /// An optional file part.
    #[alipay(file)]
    extra: Option<FilePart>,
}

fn main() {
    let image = FilePart::from_bytes("a.jpg", b"jpeg".to_vec());
    let request = Upload::builder()
        .name("logo")
        .price(Amount::new("0.01").unwrap())
        .code("c")
        .image(image.clone())
        .count(3u32)
        .build();
    let mut params = Params::new();
    request.encode(&mut params).unwrap();
    assert_eq!(
        serde_json::Value::Object(params.biz_params().clone()),
        serde_json::json!({"image_name": "logo", "price": "0.01", "count": 3, "scene": "bar_code"})
    );
    assert_eq!(params.text_params().len(), 3);
    assert_eq!(params.text_params()["auth_code"], "c");
    assert_eq!(params.text_params()["grant_type"], "authorization_code");
    assert_eq!(params.text_params()["msg_type"], "text");
    assert_eq!(params.files(), [("image_content".to_owned(), image)]);
    assert_eq!(request.response_key(), "alipay_offline_material_image_upload_response");
}
