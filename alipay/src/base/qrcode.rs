//! Mini program QR codes (小程序二维码).
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::base::qrcode::QrcodeCreate;
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! let qr = client
//!     .send(
//!         QrcodeCreate::builder()
//!             .url_param("page/component/component-pages/view/view")
//!             .query_param("x=1")
//!             .describe("Store entrance")
//!             .build(),
//!     )
//!     .await?;
//! println!("{}", qr.qr_code_url);
//! # Ok(()) }
//! ```

use serde::Deserialize;

/// `alipay.open.app.qrcode.create`: a QR code that opens a page of the app's mini program (Easy
/// SDK `Qrcode.create`).
///
/// <https://opendocs.alipay.com/mini/03l53n>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::base::qrcode::QrcodeCreate;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let request = QrcodeCreate::builder()
///     .url_param("pages/index/index")
///     .query_param("from=poster")
///     .describe("Poster")
///     .build();
/// let qr = client.send(request).await?;
/// # let _ = qr;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.app.qrcode.create")]
#[alipay(
    method = "alipay.open.app.qrcode.create",
    v3 = "POST /v3/alipay/open/app/qrcode/create",
    response = QrcodeCreateResponse
)]
#[must_use]
#[non_exhaustive]
pub struct QrcodeCreate {
    /// The mini program page to open, e.g. `page/component/component-pages/view/view`.
    pub url_param: String,
    /// The launch query, read in the mini program's `onLaunch`, e.g. `x=1`.
    pub query_param: String,
    /// What the QR code is for.
    pub describe: String,
    /// `S`, `M` or `L`: the size of the QR code (Alipay's default when not set).
    pub size: Option<String>,
    /// `#RRGGBB`: the colour of the QR code's middle logo, for the round variants.
    pub color: Option<String>,
}

/// The answer to [`QrcodeCreate`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct QrcodeCreateResponse {
    /// The URL of the square QR code image.
    pub qr_code_url: String,
    /// The round QR code on a white background, if generated.
    pub qr_code_url_circle_white: Option<String>,
    /// The round QR code on a blue background, if generated.
    pub qr_code_url_circle_blue: Option<String>,
}
