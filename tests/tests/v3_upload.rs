//! Uploads over OpenAPI v3 against the sandbox: `multipart/form-data` with the signed JSON (or,
//! with AES, its ciphertext) in the part `data` and the file as `image_content`, the sandbox
//! verifying the signature over the `data` part, decrypting it, and storing the file's bytes. A
//! `data` part changed on the way (the signature then covers other content) is refused, next to
//! the same upload passing unchanged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay::base::image::ImageUpload;
use alipay::base::video::VideoUpload;
use alipay::request::FilePart;
use alipay::sandbox::{Sandbox, SandboxApp};
use alipay::transport::{BoxFuture, HttpResponse, HyperTransport, Transport};
use alipay::{Client, Error, Protocol};
use bytes::Bytes;

const SAMPLE_PNG: &[u8] = include_bytes!("../fixtures/vectors/sample.png");

/// How the transport changes a request body before sending it.
type Edit = fn(&[u8]) -> Vec<u8>;

/// The default transport, keeping the last request sent and optionally editing its body first
/// (a hostile network between the client and the gateway).
#[derive(Clone)]
struct Wire {
    inner: HyperTransport,
    edit: Option<Edit>,
    sent: Arc<Mutex<Option<(http::HeaderMap, String, Bytes)>>>,
}

impl Transport for Wire {
    fn send(
        &self,
        request: http::Request<Bytes>,
        max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = match self.edit {
                Some(edit) => Bytes::from(edit(&body)),
                None => body,
            };
            *self.sent.lock().expect("lock") = Some((
                parts.headers.clone(),
                parts.uri.path().to_owned(),
                body.clone(),
            ));
            let mut request = http::Request::from_parts(parts, body);
            let length = request.body().len().to_string();
            request.headers_mut().insert(
                http::header::CONTENT_LENGTH,
                http::HeaderValue::try_from(length).expect("length"),
            );
            self.inner.send(request, max_body).await
        })
    }
}

struct Setup {
    sandbox: Sandbox,
    client: Client,
    sent: Arc<Mutex<Option<(http::HeaderMap, String, Bytes)>>>,
}

impl Setup {
    /// The headers, path and body of the last request sent.
    fn sent(&self) -> (http::HeaderMap, String, Bytes) {
        self.sent.lock().expect("lock").clone().expect("a request")
    }
}

async fn setup(edit: Option<Edit>) -> (Setup, SandboxApp) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let app = sandbox.create_app().expect("app");
    let aes_key = sandbox.create_app_aes_key(&app.app_id).expect("aes key");
    let sent = Arc::default();
    let wire = Wire {
        inner: HyperTransport::new(Duration::from_secs(5)).expect("transport"),
        edit,
        sent: Arc::clone(&sent),
    };
    let client = sandbox
        .client_builder(&app)
        .protocol(Protocol::V3)
        .aes_key(aes_key)
        .transport(wire)
        .build()
        .expect("client");
    (
        Setup {
            sandbox,
            client,
            sent,
        },
        app,
    )
}

fn upload() -> ImageUpload {
    ImageUpload::new("店铺门头", FilePart::from_bytes("front.png", SAMPLE_PNG)).expect("png")
}

/// The text of the part named `name` of a multipart body.
fn part(body: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("name=\"{name}\"");
    let start = text.find(&marker)?;
    let content = start + text[start..].find("\r\n\r\n")? + 4;
    let end = content + text[content..].find("\r\n--")?;
    Some(text[content..end].to_owned())
}

/// The `Content-Type` header of the part named `name`.
fn part_type(body: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("name=\"{name}\"");
    let start = text.find(&marker)?;
    let head = &text[start..start + text[start..].find("\r\n\r\n")?];
    let at = head.find("Content-Type: ")? + "Content-Type: ".len();
    Some(head[at..].trim().to_owned())
}

#[tokio::test]
async fn an_image_upload_over_v3_is_multipart_with_the_signed_data_part() {
    let (setup, _app) = setup(None).await;
    let image = setup.client.send(upload()).await.expect("uploaded over v3");
    assert!(!image.image_id.is_empty());

    let (headers, path, body) = setup.sent();
    assert_eq!(path, "/v3/alipay/offline/material/image/upload");
    let content_type = headers["content-type"].to_str().expect("ascii");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    assert!(headers.contains_key("authorization"));
    assert!(!headers.contains_key("alipay-encrypt-type"));
    let data: serde_json::Value =
        serde_json::from_str(&part(&body, "data").expect("a data part")).expect("JSON");
    assert_eq!(data["image_name"], "店铺门头");
    assert_eq!(data["image_type"], "png");
    assert_eq!(
        part_type(&body, "data").as_deref(),
        Some("application/json")
    );

    let received = setup.sandbox.requests().pop().expect("recorded");
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.offline.material.image.upload")
    );
    assert!(received.content_type.starts_with("multipart/form-data"));
    assert!(!received.params.contains_key("version"), "not the v2 form");
    assert_eq!(received.params["image_name"], "店铺门头");
    assert_eq!(received.files.len(), 1);
    assert_eq!(received.files[0].field, "image_content");
    assert_eq!(received.files[0].filename, "front.png");
    assert_eq!(&received.files[0].content[..], SAMPLE_PNG);
    let stored = setup.sandbox.images();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].image_id, image.image_id);
    assert_eq!(stored[0].image_type, "png");
}

#[tokio::test]
async fn an_encrypted_upload_over_v3_sends_the_ciphertext_as_the_data_part() {
    let (setup, _app) = setup(None).await;
    let image = setup
        .client
        .send(upload())
        .encrypt(true)
        .await
        .expect("uploaded, encrypted");
    assert!(!image.image_url.is_empty());

    let (headers, _, body) = setup.sent();
    assert_eq!(headers["alipay-encrypt-type"], "AES");
    let data = part(&body, "data").expect("a data part");
    assert!(!data.contains("image_name"), "{data}");
    assert!(serde_json::from_str::<serde_json::Value>(&data).is_err());
    assert_eq!(part_type(&body, "data").as_deref(), Some("text/plain"));
    let received = setup.sandbox.requests().pop().expect("recorded");
    let biz = received.biz_content.expect("decrypted fields");
    assert_eq!(biz["image_name"], "店铺门头");
    assert_eq!(&received.files[0].content[..], SAMPLE_PNG);
    assert_eq!(setup.sandbox.images().len(), 1);
}

#[tokio::test]
async fn a_video_upload_goes_over_v3_too() {
    let (setup, _app) = setup(None).await;
    let mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom".to_vec();
    let video = setup
        .client
        .send(VideoUpload::new(
            "开业",
            FilePart::from_bytes("open.mp4", mp4.clone()),
        ))
        .await
        .expect("uploaded over v3");
    assert!(!video.image_id.is_empty());
    let (_, path, _) = setup.sent();
    assert_eq!(path, "/v3/alipay/offline/material/image/upload");
    let received = setup.sandbox.requests().pop().expect("recorded");
    assert_eq!(received.params["image_type"], "mp4");
    assert_eq!(&received.files[0].content[..], &mp4[..]);
}

/// `body` with the first `from` replaced by `to`.
fn replace(body: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = body
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .expect("present");
    [&body[..at], to.as_bytes(), &body[at + from.len()..]].concat()
}

/// Changes the image name inside the `data` part (plain JSON).
fn rename(body: &[u8]) -> Vec<u8> {
    replace(body, "店铺门头", "店铺招牌")
}

/// Changes one base64 character of the ciphertext in the `data` part.
fn flip_ciphertext(body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    let text = String::from_utf8_lossy(&body).into_owned();
    let start = text.find("name=\"data\"").expect("data part");
    let at = start + text[start..].find("\r\n\r\n").expect("head") + 4;
    body[at] = if body[at] == b'A' { b'B' } else { b'A' };
    body
}

#[tokio::test]
async fn a_tampered_data_part_is_refused_by_the_sandbox() {
    for (edit, encrypt) in [(rename as Edit, false), (flip_ciphertext as Edit, true)] {
        let (setup, _app) = setup(Some(edit)).await;
        let error = setup
            .client
            .send(upload())
            .encrypt(encrypt)
            .await
            .expect_err("tampered");
        match error {
            Error::V3(error) => {
                assert_eq!(error.status, 401, "{error}");
                assert_eq!(error.code, "isv.invalid-signature", "{error}");
            }
            other => panic!("expected a signed v3 refusal, got {other:?}"),
        }
        assert!(setup.sandbox.images().is_empty(), "nothing was stored");
    }
    // Positive control: the same transport without the edit, the same upload, accepted.
    let (setup, _app) = setup(None).await;
    setup.client.send(upload()).await.expect("unchanged");
    assert_eq!(setup.sandbox.images().len(), 1);
}

#[tokio::test]
async fn a_multipart_body_without_a_data_part_is_refused() {
    fn drop_data(body: &[u8]) -> Vec<u8> {
        replace(body, "name=\"data\"", "name=\"biz\"")
    }
    let (setup, _app) = setup(Some(drop_data)).await;
    match setup.client.send(upload()).await {
        Err(Error::V3(error)) => assert_eq!(error.status, 400, "{error}"),
        other => panic!("expected a signed v3 refusal, got {other:?}"),
    }
}
