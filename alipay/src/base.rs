//! Base capabilities (基础能力): user authorisation (OAuth), mini program QR codes, and image and
//! video uploads.
//!
//! | Easy SDK call | request | Alipay method |
//! |---|---|---|
//! | `OAuth.getToken` | [`oauth::OauthToken`] | `alipay.system.oauth.token` |
//! | `OAuth.refreshToken` | [`oauth::OauthRefreshToken`] | `alipay.system.oauth.token` |
//! | `Qrcode.create` | [`qrcode::QrcodeCreate`] | `alipay.open.app.qrcode.create` |
//! | `Image.upload` | [`image::ImageUpload`] | `alipay.offline.material.image.upload` |
//! | `Video.upload` | [`video::VideoUpload`] | `alipay.offline.material.image.upload` |

pub mod image;
pub mod oauth;
pub mod qrcode;
pub mod video;
