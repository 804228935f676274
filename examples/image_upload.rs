//! Image and video upload (`alipay.offline.material.image.upload`, multipart).
//!
//! ```text
//! cargo run --example image_upload
//! ```
//!
//! Uploads the test fixture `tests/fixtures/vectors/sample.png` (embedded in the binary), with
//! `image_type` taken from the file, then a tiny MP4 as a video. Offline it runs against the
//! embedded sandbox; with `ALIPAY_*` variables set (see the quickstart), against that gateway.

use std::time::Duration;

use alipay::base::image::ImageUpload;
use alipay::base::video::VideoUpload;
use alipay::request::FilePart;
use alipay_examples::Target;

/// The image to upload.
const SAMPLE_PNG: &[u8] = include_bytes!("../tests/fixtures/vectors/sample.png");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, target) = alipay_examples::connect(None).await?;

    let upload = ImageUpload::new(
        "Sample image",
        FilePart::from_bytes("sample.png", SAMPLE_PNG),
    )?;
    println!(
        "image     {} ({} bytes, image_type={})",
        upload.image_content.filename(),
        upload.image_content.content().len(),
        upload.image_type
    );
    // Uploads take longer than other calls.
    let image = client
        .send(upload)
        .timeout(Duration::from_secs(100))
        .await?;
    println!(
        "uploaded  image_id={} image_url={}",
        image.image_id, image.image_url
    );

    // A video: the same method; the type is the extension (mp4 when there is none).
    let mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom".to_vec();
    let video = client
        .send(VideoUpload::new(
            "Sample video",
            FilePart::from_bytes("clip.mp4", mp4),
        ))
        .timeout(Duration::from_secs(100))
        .await?;
    println!("uploaded  video image_id={}", video.image_id);

    if let Target::Sandbox { sandbox, .. } = &target {
        for stored in sandbox.images() {
            println!(
                "sandbox   holds {} as {} ({} bytes)",
                stored.filename,
                stored.image_type,
                stored.content.len()
            );
        }
    }
    println!("done");
    Ok(())
}
