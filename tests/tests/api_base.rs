//! Base APIs against the sandbox over loopback: OAuth tokens, mini program QR codes, image and
//! video uploads (multipart), asserting what the gateway received and the typed answers.

use alipay::base::image::ImageUpload;
use alipay::base::oauth::{OauthRefreshToken, OauthToken};
use alipay::base::qrcode::QrcodeCreate;
use alipay::base::video::VideoUpload;
use alipay::request::FilePart;
use alipay::sandbox::ReceivedRequest;
use alipay::sandbox::browse;
use alipay_tests::{sandbox_client, sub_code};
use http::Method;

const SAMPLE_PNG: &[u8] = include_bytes!("../fixtures/vectors/sample.png");

fn sample_png_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/vectors/sample.png")
}

fn last(requests: Vec<ReceivedRequest>) -> ReceivedRequest {
    requests.into_iter().last().expect("a request was received")
}

#[tokio::test]
async fn oauth_token_then_refresh_rotates() {
    let (sandbox, app, client) = sandbox_client().await;
    let code = sandbox.issue_auth_code(&app.app_id, "2088000000000042");

    let token = client
        .send(OauthToken::builder().code(code.clone()).build())
        .await
        .expect("code exchanged");
    assert_eq!(token.user_id.as_deref(), Some("2088000000000042"));
    assert!(token.expires_in > 0 && token.re_expires_in >= token.expires_in);
    assert!(!token.access_token.is_empty() && !token.refresh_token.is_empty());
    assert!(!format!("{token:?}").contains(&token.access_token));

    let received = last(sandbox.requests());
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.system.oauth.token")
    );
    assert_eq!(received.params["grant_type"], "authorization_code");
    assert_eq!(received.params["code"], code);
    assert!(!received.params.contains_key("biz_content"));
    assert_eq!(received.biz_content, None);

    // A code is single use.
    let again = client.send(OauthToken::builder().code(code).build()).await;
    assert_eq!(sub_code(again), "isv.code-invalid");

    let renewed = client
        .send(
            OauthRefreshToken::builder()
                .refresh_token(token.refresh_token.clone())
                .build(),
        )
        .await
        .expect("refreshed");
    assert_eq!(renewed.user_id.as_deref(), Some("2088000000000042"));
    assert_ne!(renewed.refresh_token, token.refresh_token);
    let received = last(sandbox.requests());
    assert_eq!(received.params["grant_type"], "refresh_token");
    assert_eq!(received.params["refresh_token"], token.refresh_token);
    assert!(!received.params.contains_key("code"));

    // The old refresh token is spent.
    let stale = client
        .send(
            OauthRefreshToken::builder()
                .refresh_token(token.refresh_token)
                .build(),
        )
        .await;
    assert_eq!(sub_code(stale), "isv.refresh-token-invalid");
}

#[tokio::test]
async fn qrcode_create() {
    let (sandbox, _app, client) = sandbox_client().await;
    let qr = client
        .send(
            QrcodeCreate::builder()
                .url_param("page/component/component-pages/view/view")
                .query_param("x=1")
                .describe("二维码描述")
                .build(),
        )
        .await
        .expect("qr code");
    let received = last(sandbox.requests());
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.app.qrcode.create")
    );
    assert_eq!(
        received.biz_content,
        Some(serde_json::json!({
            "url_param": "page/component/component-pages/view/view",
            "query_param": "x=1",
            "describe": "二维码描述"
        }))
    );
    assert!(
        qr.qr_code_url.starts_with("http://127.0.0.1:"),
        "{}",
        qr.qr_code_url
    );
    let image = browse(Method::GET, &qr.qr_code_url, None, b"")
        .await
        .expect("fetched");
    assert_eq!(image.status, 200);
    assert!(image.body.starts_with(b"\x89PNG"));
}

/// Asserts the multipart layout of the last upload.
fn assert_upload(
    received: &ReceivedRequest,
    image_type: &str,
    name: &str,
    filename: &str,
    bytes: &[u8],
) {
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.offline.material.image.upload")
    );
    assert!(
        received.content_type.starts_with("multipart/form-data"),
        "{}",
        received.content_type
    );
    assert!(received.content_type.contains("boundary="));
    assert_eq!(received.params["image_type"], image_type);
    assert_eq!(received.params["image_name"], name);
    assert!(!received.params.contains_key("biz_content"));
    assert_eq!(received.files.len(), 1);
    assert_eq!(received.files[0].field, "image_content");
    assert_eq!(received.files[0].filename, filename);
    assert_eq!(&received.files[0].content[..], bytes);
}

#[tokio::test]
async fn image_upload_from_a_path() {
    let (sandbox, app, client) = sandbox_client().await;
    let upload = ImageUpload::from_path("样例图片", sample_png_path()).expect("file read");
    assert_eq!(upload.image_type, "png");
    let image = client.send(upload).await.expect("uploaded");
    assert_upload(
        &last(sandbox.requests()),
        "png",
        "样例图片",
        "sample.png",
        SAMPLE_PNG,
    );

    let stored = sandbox.images();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].app_id, app.app_id);
    assert_eq!(stored[0].image_id, image.image_id);
    assert_eq!(stored[0].image_url, image.image_url);
    assert_eq!(stored[0].image_type, "png");
    let served = browse(Method::GET, &image.image_url, None, b"")
        .await
        .expect("fetched");
    assert_eq!(served.status, 200);
    assert_eq!(served.body, SAMPLE_PNG);
}

#[tokio::test]
async fn image_upload_from_bytes_follows_the_file() {
    let (sandbox, _app, client) = sandbox_client().await;
    // An upper-case extension is sent in lower case.
    let part = FilePart::from_bytes("PHOTO.PNG", SAMPLE_PNG);
    client
        .send(ImageUpload::new("upper", part).expect("typed"))
        .await
        .expect("uploaded");
    assert_upload(
        &last(sandbox.requests()),
        "png",
        "upper",
        "PHOTO.PNG",
        SAMPLE_PNG,
    );

    // No extension: the type comes from the magic bytes.
    let jpeg: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'].to_vec();
    let upload =
        ImageUpload::new("jpeg", FilePart::from_bytes("blob", jpeg.clone())).expect("typed");
    assert_eq!(upload.image_type, "jpg");
    client.send(upload).await.expect("uploaded");
    assert_upload(&last(sandbox.requests()), "jpg", "jpeg", "blob", &jpeg);

    // What the Easy SDK does (always `jpg`) is refused for a PNG.
    let forced = ImageUpload::builder()
        .image_type("jpg")
        .image_name("forced")
        .image_content(FilePart::from_bytes("sample.png", SAMPLE_PNG))
        .build();
    assert_eq!(sub_code(client.send(forced).await), "INVALID_IMAGE_TYPE");

    // Neither an extension nor known magic bytes: refused before sending.
    let err = ImageUpload::new("text", FilePart::from_bytes("notes", &b"hello"[..])).unwrap_err();
    assert_eq!(err.filename, "notes");
}

#[tokio::test]
async fn video_upload() {
    let (sandbox, _app, client) = sandbox_client().await;
    let mp4: Vec<u8> = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom".to_vec();

    let video = client
        .send(VideoUpload::new(
            "开业视频",
            FilePart::from_bytes("Opening.MP4", mp4.clone()),
        ))
        .await
        .expect("uploaded");
    assert_upload(
        &last(sandbox.requests()),
        "mp4",
        "开业视频",
        "Opening.MP4",
        &mp4,
    );
    assert!(!video.image_id.is_empty());

    // Without an extension the type is mp4.
    let upload = VideoUpload::new("clip", FilePart::from_bytes("clip", mp4.clone()));
    assert_eq!(upload.image_type, "mp4");
    client.send(upload).await.expect("uploaded");
    assert_upload(&last(sandbox.requests()), "mp4", "clip", "clip", &mp4);
    assert_eq!(sandbox.images().len(), 2);
}
