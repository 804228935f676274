//! Image upload (上传图片): `alipay.offline.material.image.upload`, sent as
//! `multipart/form-data`.
//!
//! The image travels as the file part `image_content`; `image_name` and `image_type` are text
//! parameters. Unlike the Easy SDK, which always sends `image_type=jpg`, the type here follows the
//! file: its extension in lower case, or, for a name without one, the format its first bytes
//! show (PNG, JPEG, GIF, BMP).
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::base::image::ImageUpload;
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let upload = ImageUpload::from_path("Shop front", "images/front.png")?;
//! let image = client
//!     .send(upload)
//!     .timeout(std::time::Duration::from_secs(100))
//!     .await?;
//! println!("{} {}", image.image_id, image.image_url);
//! # Ok(()) }
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::request::FilePart;

/// `alipay.offline.material.image.upload`: uploads an image to use in other APIs (a life account
/// cover, a pass logo) (Easy SDK `Image.upload`).
///
/// Build it with [`ImageUpload::new`] or [`ImageUpload::from_path`], which set `image_type` from
/// the file. The builder ([`ImageUpload::builder`]) sets every parameter as given, for the rare
/// case where the type must be forced. Large files may need a longer
/// [`timeout`](crate::Call::timeout) than the client's default.
///
/// <https://opendocs.alipay.com/apis/api_3/alipay.offline.material.image.upload>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::base::image::ImageUpload;
/// use alipay::request::FilePart;
/// # async fn run(client: Client, png_bytes: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
/// let upload = ImageUpload::new("Logo", FilePart::from_bytes("logo.png", png_bytes))?;
/// assert_eq!(upload.image_type, "png");
/// let image = client.send(upload).await?;
/// # let _ = image;
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
    response = ImageUploadResponse,
    upload,
    v3 = "POST /v3/alipay/offline/material/image/upload"
)]
#[must_use]
#[non_exhaustive]
pub struct ImageUpload {
    /// The image's format as Alipay names it: `jpg`, `jpeg`, `png`, `gif` or `bmp`.
    #[alipay(text)]
    pub image_type: String,
    /// A name for the image.
    #[alipay(text)]
    pub image_name: String,
    /// The image file, sent as the multipart part `image_content`.
    #[alipay(file)]
    pub image_content: FilePart,
}

impl ImageUpload {
    /// An upload of `image` named `image_name`, with `image_type` set from the file (its
    /// extension, or its first bytes when the name has no extension).
    ///
    /// ```
    /// use alipay::base::image::ImageUpload;
    /// use alipay::request::FilePart;
    ///
    /// let gif = FilePart::from_bytes("anim.GIF", &b"GIF89a..."[..]);
    /// assert_eq!(ImageUpload::new("Banner", gif)?.image_type, "gif");
    /// let unnamed = FilePart::from_bytes("upload", &b"\x89PNG\r\n\x1a\n..."[..]);
    /// assert_eq!(ImageUpload::new("Banner", unnamed)?.image_type, "png");
    /// # Ok::<(), alipay::base::image::ImageTypeError>(())
    /// ```
    pub fn new(image_name: impl Into<String>, image: FilePart) -> Result<Self, ImageTypeError> {
        let image_type = image_type_of(&image)?;
        Ok(Self {
            image_type,
            image_name: image_name.into(),
            image_content: image,
        })
    }

    /// Reads the image at `path` (the part's file name is the path's last component) and builds
    /// the upload as [`ImageUpload::new`] does.
    ///
    /// ```no_run
    /// use alipay::base::image::ImageUpload;
    ///
    /// let upload = ImageUpload::from_path("Cover", "cover.jpg")?;
    /// assert_eq!(upload.image_type, "jpg");
    /// # Ok::<(), alipay::base::image::UploadError>(())
    /// ```
    pub fn from_path(
        image_name: impl Into<String>,
        path: impl AsRef<Path>,
    ) -> Result<Self, UploadError> {
        let part = FilePart::from_path(path)?;
        Ok(Self::new(image_name, part)?)
    }
}

/// The image type of a file part: its extension in lower case, or the format its magic bytes
/// show.
fn image_type_of(part: &FilePart) -> Result<String, ImageTypeError> {
    if let Some(extension) = part.extension().filter(|e| !e.is_empty()) {
        return Ok(extension);
    }
    sniff_image(part.content())
        .map(str::to_owned)
        .ok_or_else(|| ImageTypeError {
            filename: part.filename().to_owned(),
        })
}

/// The format of an image from its first bytes.
pub(crate) fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.starts_with(b"BM") {
        Some("bmp")
    } else {
        None
    }
}

/// The answer to [`ImageUpload`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ImageUploadResponse {
    /// The image's id at Alipay.
    pub image_id: String,
    /// The image's URL at Alipay, to use where an API asks for an image URL.
    pub image_url: String,
}

/// The file's name has no extension and its content is not a PNG, JPEG, GIF or BMP image, so
/// the `image_type` cannot be told. Name the part with its extension (`photo.png`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot tell the image type of `{filename}`: it has no extension and is not a PNG, JPEG, \
     GIF or BMP image; name it with its extension (e.g. `photo.png`)"
)]
pub struct ImageTypeError {
    /// The part's file name.
    pub filename: String,
}

/// Why an image upload could not be prepared from a file on disk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The file could not be read.
    #[error("cannot read the file to upload")]
    Io(#[from] std::io::Error),
    /// The image type cannot be told.
    #[error(transparent)]
    ImageType(#[from] ImageTypeError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Params};

    #[test]
    fn the_type_follows_the_file() {
        let upload = ImageUpload::new("n", FilePart::from_bytes("A.PNG", &b"x"[..])).unwrap();
        assert_eq!(upload.image_type, "png");
        let jpeg = FilePart::from_bytes("blob", &[0xFF, 0xD8, 0xFF, 0xE0][..]);
        assert_eq!(ImageUpload::new("n", jpeg).unwrap().image_type, "jpg");
        let bmp = FilePart::from_bytes("blob.", &b"BM...."[..]);
        assert_eq!(ImageUpload::new("n", bmp).unwrap().image_type, "bmp");
        let unknown = FilePart::from_bytes("blob", &b"hello"[..]);
        let err = ImageUpload::new("n", unknown).unwrap_err();
        assert_eq!(err.filename, "blob");
        assert!(err.to_string().contains("extension"));
        let empty = FilePart::from_bytes("", &b""[..]);
        assert!(ImageUpload::new("n", empty).is_err());
    }

    #[test]
    fn encodes_two_text_params_and_one_file() {
        let upload =
            ImageUpload::new("Logo", FilePart::from_bytes("logo.png", &b"\x89PNG"[..])).unwrap();
        let mut params = Params::new();
        upload.encode(&mut params).unwrap();
        assert_eq!(params.text_params()["image_type"], "png");
        assert_eq!(params.text_params()["image_name"], "Logo");
        assert!(params.biz_params().is_empty());
        assert_eq!(params.files().len(), 1);
        assert_eq!(params.files()[0].0, "image_content");
        assert_eq!(params.files()[0].1.filename(), "logo.png");
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let err = ImageUpload::from_path("n", "/nonexistent/dir/x.png").unwrap_err();
        assert!(matches!(err, UploadError::Io(_)), "{err}");
    }
}
