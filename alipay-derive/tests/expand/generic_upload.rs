// The input of the snapshot `generic_upload.expanded.rs`: a generic multipart upload, with a
// `crate` path, a `where` clause, a generic `biz_content` field and a generic text field.
#[derive(Request)]
#[alipay(
    crate = ::my_sdk::alipay,
    method = "alipay.offline.material.image.upload",
    response = Uploaded<T>,
    upload
)]
pub(crate) struct ImageUpload<'a, T, K = String>
where
    T: Clone,
{
    image_type: &'a str,
    tag: Option<T>,
    #[alipay(text = "image_name")]
    name: K,
    #[alipay(file = "image_content")]
    content: FilePart,
    #[alipay(file)]
    preview: Option<FilePart>,
}
