//! Video upload (上传视频): the same method as images, `alipay.offline.material.image.upload`,
//! with the video as the file part `image_content` and its format as `image_type`.
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::base::video::VideoUpload;
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let video = client
//!     .send(VideoUpload::from_path("Opening day", "videos/opening.mp4")?)
//!     .timeout(std::time::Duration::from_secs(100))
//!     .await?;
//! println!("{}", video.image_url);
//! # Ok(()) }
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::request::FilePart;

/// `alipay.offline.material.image.upload` with a video (Easy SDK `Video.upload`).
///
/// [`VideoUpload::new`] and [`VideoUpload::from_path`] set `image_type` to the file's extension
/// in lower case, or `mp4` when the name has none (the Easy SDK always sends `mp4`). Uploads
/// of videos may need a longer [`timeout`](crate::Call::timeout) than the client's default.
///
/// <https://opendocs.alipay.com/apis/api_3/alipay.offline.material.image.upload>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::base::video::VideoUpload;
/// use alipay::request::FilePart;
/// # async fn run(client: Client, bytes: Vec<u8>) -> Result<(), alipay::Error> {
/// let upload = VideoUpload::new("Teaser", FilePart::from_bytes("teaser.MOV", bytes));
/// assert_eq!(upload.image_type, "mov");
/// let video = client.send(upload).await?;
/// # let _ = video;
/// # Ok(()) }
/// ```
///
/// Over OpenAPI v3 ([`Protocol::V3`](crate::Protocol::V3)) it is
/// `POST /v3/alipay/offline/material/image/upload`, a `multipart/form-data` body whose part
/// `data` is the signed JSON `{"image_name":…,"image_type":…}` (its AES ciphertext, as
/// `text/plain`, for an encrypted call) and whose part `image_content` is the file, unsigned
/// (see [`crate::v3`]).
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.offline.material.image.upload")]
#[alipay(
    method = "alipay.offline.material.image.upload",
    response = VideoUploadResponse,
    upload,
    v3 = "POST /v3/alipay/offline/material/image/upload"
)]
#[must_use]
#[non_exhaustive]
pub struct VideoUpload {
    /// The video's format, e.g. `mp4`.
    #[alipay(text)]
    pub image_type: String,
    /// A name for the video.
    #[alipay(text)]
    pub image_name: String,
    /// The video file, sent as the multipart part `image_content`.
    #[alipay(file)]
    pub image_content: FilePart,
}

impl VideoUpload {
    /// An upload of `video` named `video_name`; `image_type` is the file's extension in lower
    /// case, `mp4` when it has none.
    ///
    /// ```
    /// use alipay::base::video::VideoUpload;
    /// use alipay::request::FilePart;
    ///
    /// let upload = VideoUpload::new("Clip", FilePart::from_bytes("clip", vec![0u8; 8]));
    /// assert_eq!(upload.image_type, "mp4");
    /// ```
    pub fn new(video_name: impl Into<String>, video: FilePart) -> Self {
        let image_type = video
            .extension()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "mp4".to_owned());
        Self {
            image_type,
            image_name: video_name.into(),
            image_content: video,
        }
    }

    /// Reads the video at `path` (the part's file name is the path's last component) and builds
    /// the upload as [`VideoUpload::new`] does.
    ///
    /// ```no_run
    /// use alipay::base::video::VideoUpload;
    ///
    /// let upload = VideoUpload::from_path("Clip", "clip.mp4")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_path(
        video_name: impl Into<String>,
        path: impl AsRef<Path>,
    ) -> std::io::Result<Self> {
        Ok(Self::new(video_name, FilePart::from_path(path)?))
    }
}

/// The answer to [`VideoUpload`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct VideoUploadResponse {
    /// The video's id at Alipay.
    pub image_id: String,
    /// The video's URL at Alipay.
    pub image_url: String,
}
