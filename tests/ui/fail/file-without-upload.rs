use alipay::request::FilePart;

#[derive(alipay::Request)]
#[alipay(method = "alipay.offline.material.image.upload", response = serde_json::Value)]
struct ImageUpload {
    image_type: String,
    #[alipay(file)]
    image_content: FilePart,
}

fn main() {}
