//! Base and security methods: OAuth tokens, mini program QR codes, image and video upload, and
//! text risk detection.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use http::{Method as HttpMethod, Response, StatusCode};
use http_body_util::Full;

use super::api::Call;
use super::server::{TEXT_CONTENT_TYPE, get_only, respond};
use super::wire::{Failure, Node};
use super::{Shared, StoredImage, lock};
use super::{clock, random};

/// Seconds an access token lives (15 days), as Alipay answers.
const ACCESS_TOKEN_SECONDS: u64 = 1_296_000;
/// Seconds a refresh token lives (30 days), as Alipay answers.
const REFRESH_TOKEN_SECONDS: u64 = 2_592_000;

/// The words `alipay.security.risk.content.detect` rejects (ASCII compared case-insensitively).
pub(crate) const RISK_WORDS: [&str; 3] = ["违禁", "赌博", "forbidden"];

/// A 1×1 transparent PNG: what every sandbox QR code image is.
pub(crate) const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Who a code or token was issued to.
#[derive(Debug, Clone)]
struct Grant {
    app_id: String,
    user_id: String,
}

/// The state of these methods.
#[derive(Debug, Default)]
pub(crate) struct State {
    auth_codes: HashMap<String, Grant>,
    access_tokens: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, Grant>,
    images: Vec<StoredImage>,
    /// The ids of the QR codes created with `alipay.open.app.qrcode.create` (each served as
    /// the same image).
    qrcodes: HashSet<String>,
}

impl State {
    /// A one-time authorization code of `user_id` for `app_id`.
    pub(crate) fn issue_auth_code(&mut self, app_id: &str, user_id: &str) -> String {
        let code = random::random_hex(32);
        self.auth_codes.insert(
            code.clone(),
            Grant {
                app_id: app_id.to_owned(),
                user_id: user_id.to_owned(),
            },
        );
        code
    }

    /// Every uploaded image.
    pub(crate) fn images(&self) -> Vec<StoredImage> {
        self.images.clone()
    }

    /// New tokens for a grant; returns (access token, refresh token).
    fn issue_tokens(&mut self, grant: &Grant) -> (String, String) {
        let access = format!("authusrB{}", random::random_hex(32));
        let refresh = format!("authusrB{}", random::random_hex(32));
        self.access_tokens.insert(access.clone(), grant.clone());
        self.refresh_tokens.insert(refresh.clone(), grant.clone());
        (access, refresh)
    }
}

/// `alipay.system.oauth.token`: `grant_type=authorization_code` with a `code` issued by
/// [`Sandbox::issue_auth_code`](super::Sandbox::issue_auth_code) (single use), or
/// `grant_type=refresh_token` with a `refresh_token` (which the exchange invalidates). Like
/// Alipay, a successful answer has no `code` and `msg`.
pub(crate) fn oauth_token(call: &mut Call<'_>) -> Result<Node, Failure> {
    let grant_type = call.required_text("grant_type")?;
    let mut state = lock(&call.shared.open);
    let grant = match grant_type {
        "authorization_code" => {
            let code = call.required_text("code")?;
            let valid = state
                .auth_codes
                .get(code)
                .is_some_and(|g| g.app_id == call.app_id);
            match valid.then(|| state.auth_codes.remove(code)).flatten() {
                Some(grant) => grant,
                None => return Err(Failure::invalid("isv.code-invalid", "授权码code无效")),
            }
        }
        "refresh_token" => {
            let token = call.required_text("refresh_token")?;
            let valid = state
                .refresh_tokens
                .get(token)
                .is_some_and(|g| g.app_id == call.app_id);
            match valid.then(|| state.refresh_tokens.remove(token)).flatten() {
                Some(grant) => grant,
                None => {
                    return Err(Failure::invalid(
                        "isv.refresh-token-invalid",
                        "刷新令牌refresh_token无效",
                    ));
                }
            }
        }
        _ => {
            return Err(Failure::invalid(
                "isv.grant-type-invalid",
                "grant_type参数值无效，只能是authorization_code或refresh_token",
            ));
        }
    };
    let (access, refresh) = state.issue_tokens(&grant);
    let mut node = Node::empty();
    node.str("user_id", &grant.user_id)
        .str("access_token", &access)
        .num("expires_in", ACCESS_TOKEN_SECONDS)
        .str("refresh_token", &refresh)
        .num("re_expires_in", REFRESH_TOKEN_SECONDS)
        .str("auth_start", &clock::now_text());
    Ok(node)
}

/// `alipay.open.app.qrcode.create`: a URL of a PNG served by the sandbox.
pub(crate) fn qrcode_create(call: &mut Call<'_>) -> Result<Node, Failure> {
    for field in ["url_param", "query_param", "describe"] {
        call.biz.required(field)?;
    }
    let id = format!("{}{}", clock::today_digits(), random::random_hex(24));
    lock(&call.shared.open).qrcodes.insert(id.clone());
    let mut node = Node::success();
    node.str(
        "qr_code_url",
        &format!("{}/qrcode/{id}.png", call.shared.base_url()),
    );
    Ok(node)
}

/// The image types `alipay.offline.material.image.upload` accepts, and whether `content` is one.
fn content_matches(image_type: &str, content: &[u8]) -> Option<bool> {
    Some(match image_type {
        "jpg" | "jpeg" => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        "png" => content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "gif" => content.starts_with(b"GIF87a") || content.starts_with(b"GIF89a"),
        "bmp" => content.starts_with(b"BM"),
        "mp4" => content.get(4..8) == Some(b"ftyp"),
        _ => return None,
    })
}

/// The content type an image is served with.
fn mime_of(image_type: &str) -> &'static str {
    match image_type {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// `alipay.offline.material.image.upload` (multipart): text parameters `image_type` and
/// `image_name`, file part `image_content`, whose magic bytes must match `image_type`.
pub(crate) fn image_upload(call: &mut Call<'_>) -> Result<Node, Failure> {
    let image_type = call.required_text("image_type")?.to_ascii_lowercase();
    let image_name = call.required_text("image_name")?;
    let mut parts = call.files.iter().filter(|f| f.field == "image_content");
    let Some(file) = parts.next() else {
        return Err(Failure::missing_field("image_content"));
    };
    if parts.next().is_some() {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "文件image_content重复出现",
        ));
    }
    if file.content.is_empty() {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "文件image_content的内容为空",
        ));
    }
    match content_matches(&image_type, &file.content) {
        None => {
            return Err(Failure::business(
                "INVALID_IMAGE_TYPE",
                "不支持的图片类型，image_type只能是jpg、jpeg、png、gif、bmp或mp4",
            ));
        }
        Some(false) => {
            return Err(Failure::business(
                "INVALID_IMAGE_TYPE",
                format!("文件内容不是{image_type}格式，与image_type不符"),
            ));
        }
        Some(true) => {}
    }
    let image_id = random::random_alnum(32);
    let image_url = format!("{}/images/{image_id}", call.shared.base_url());
    lock(&call.shared.open).images.push(StoredImage {
        app_id: call.app_id.to_owned(),
        image_id: image_id.clone(),
        image_url: image_url.clone(),
        image_name: image_name.to_owned(),
        image_type,
        filename: file.filename.clone(),
        content: file.content.clone(),
    });
    let mut node = Node::success();
    node.str("image_id", &image_id).str("image_url", &image_url);
    Ok(node)
}

/// The risk words found in `content`, in list order.
pub(crate) fn risk_keywords(content: &str) -> Vec<&'static str> {
    let lower = content.to_lowercase();
    RISK_WORDS
        .iter()
        .copied()
        .filter(|word| lower.contains(&word.to_lowercase()))
        .collect()
}

/// `alipay.security.risk.content.detect`: `REJECTED` when the content holds a word of
/// [`RISK_WORDS`], `PASSED` otherwise.
pub(crate) fn risk_detect(call: &mut Call<'_>) -> Result<Node, Failure> {
    let content = call.biz.required("content")?;
    let keywords = risk_keywords(&content);
    let action = if keywords.is_empty() {
        "PASSED"
    } else {
        "REJECTED"
    };
    let mut node = Node::success();
    node.str("action", action)
        .str_list("keywords", &keywords)
        .str(
            "unique_id",
            &format!("{}{}", clock::today_digits(), random::random_digits(22)),
        );
    Ok(node)
}

/// `GET /images/<image_id>`: an uploaded image, with the content type of its `image_type`.
pub(crate) fn image_route(
    shared: &Shared,
    method: &HttpMethod,
    image_id: &str,
) -> Response<Full<Bytes>> {
    if let Some(refused) = get_only(method) {
        return refused;
    }
    let state = lock(&shared.open);
    match state.images.iter().find(|i| i.image_id == image_id) {
        Some(image) => respond(
            StatusCode::OK,
            mime_of(&image.image_type),
            image.content.clone(),
        ),
        None => respond(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "no such image\n"),
    }
}

/// `GET /qrcode/<id>.png`: the image of a QR code (a 1×1 PNG).
pub(crate) fn qrcode_route(
    shared: &Shared,
    method: &HttpMethod,
    id: &str,
) -> Response<Full<Bytes>> {
    if let Some(refused) = get_only(method) {
        return refused;
    }
    if lock(&shared.open).qrcodes.contains(id) {
        respond(StatusCode::OK, "image/png", Bytes::from_static(PNG_1X1))
    } else {
        respond(
            StatusCode::NOT_FOUND,
            TEXT_CONTENT_TYPE,
            "no such QR code\n",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(content_matches("png", PNG_1X1), Some(true));
        assert_eq!(content_matches("jpg", PNG_1X1), Some(false));
        assert_eq!(
            content_matches("jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(true)
        );
        assert_eq!(content_matches("gif", b"GIF89a..."), Some(true));
        assert_eq!(content_matches("bmp", b"BM...."), Some(true));
        assert_eq!(content_matches("mp4", b"\0\0\0\x18ftypmp42"), Some(true));
        assert_eq!(content_matches("mp4", b"ftyp"), Some(false));
        assert_eq!(content_matches("tiff", b"II*\0"), None);
    }

    #[test]
    fn risk_words() {
        assert!(risk_keywords("今天天气不错").is_empty());
        assert_eq!(
            risk_keywords("这是违禁的赌博, FORBIDDEN!"),
            RISK_WORDS.to_vec()
        );
    }
}
