//! Base and security methods: OAuth codes and tokens, mini program QR codes, image upload as
//! multipart and what it refuses, and text risk detection.

use super::*;

#[tokio::test]
async fn oauth_codes_are_single_use_and_refresh_rotates() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let method = "alipay.system.oauth.token";
    let code = sandbox.issue_auth_code(&app.app_id, "2088000000000001");
    assert_eq!(code.len(), 32);

    let first = call_text(
        &sandbox,
        &app,
        method,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert!(first.get("code").is_none(), "no code on success: {first}");
    assert!(first.get("msg").is_none());
    assert_eq!(first["user_id"], "2088000000000001");
    assert_eq!(first["expires_in"], 1_296_000);
    assert_eq!(first["re_expires_in"], 2_592_000);
    let access = first["access_token"].as_str().unwrap();
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert!(access.starts_with("authusrB"));
    assert_ne!(access, refresh);

    // The code was used.
    let again = call_text(
        &sandbox,
        &app,
        method,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_fails(&again, "40002", "isv.code-invalid");
    assert_eq!(again["sub_msg"], "授权码code无效");
    // Another app's code is not this app's.
    let other = sandbox.create_app().unwrap();
    let foreign = sandbox.issue_auth_code(&other.app_id, "2088000000000002");
    let node = call_text(
        &sandbox,
        &app,
        method,
        &[("grant_type", "authorization_code"), ("code", &foreign)],
    )
    .await;
    assert_fails(&node, "40002", "isv.code-invalid");

    // Refreshing issues new tokens and invalidates the old refresh token.
    let refreshed = call_text(
        &sandbox,
        &app,
        method,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(refreshed["user_id"], "2088000000000001");
    let new_refresh = refreshed["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, refresh);
    assert_ne!(refreshed["access_token"], first["access_token"]);
    let stale = call_text(
        &sandbox,
        &app,
        method,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_fails(&stale, "40002", "isv.refresh-token-invalid");
    assert_eq!(stale["sub_msg"], "刷新令牌refresh_token无效");
    let rotated = call_text(
        &sandbox,
        &app,
        method,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", new_refresh),
        ],
    )
    .await;
    assert!(rotated["access_token"].is_string());

    let missing = call_text(
        &sandbox,
        &app,
        method,
        &[("grant_type", "authorization_code")],
    )
    .await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
    let no_grant = call_text(&sandbox, &app, method, &[("code", "x")]).await;
    assert_fails(&no_grant, "40002", "isv.missing-parameter");
    let bad_grant = call_text(&sandbox, &app, method, &[("grant_type", "password")]).await;
    assert_fails(&bad_grant, "40002", "isv.grant-type-invalid");
}

#[tokio::test]
async fn qrcode_is_served() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let node = call(
        &sandbox,
        &app,
        "alipay.open.app.qrcode.create",
        json!({"url_param": "page/component/index", "query_param": "x=1", "describe": "二维码描述"}),
    )
    .await;
    assert_success(&node);
    let url = node["qr_code_url"].as_str().unwrap();
    assert!(url.ends_with(".png"), "{url}");
    let image = http(sandbox.addr(), "GET", path_of(&sandbox, url), None, "").await;
    assert_eq!(image.status, 200);
    assert_eq!(image.content_type, "image/png");
    assert!(image.bytes.starts_with(b"\x89PNG"));
    let missing = call(
        &sandbox,
        &app,
        "alipay.open.app.qrcode.create",
        json!({"url_param": "page/index", "query_param": "x=1"}),
    )
    .await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
    assert_eq!(
        http(sandbox.addr(), "GET", "/qrcode/nope.png", None, "")
            .await
            .status,
        404
    );
}

const BOUNDARY: &str = "alipay0123456789abcdef";

/// A multipart body as the SDK writes it: a text part per key of `parts` (from `params`), then
/// the files `(field, filename, bytes)`.
fn multipart_body(
    params: &[(String, String)],
    parts: &[&str],
    files: &[(&str, &str, &[u8])],
) -> Vec<u8> {
    let mut body = Vec::new();
    for (key, value) in params.iter().filter(|(k, _)| parts.contains(&k.as_str())) {
        body.extend_from_slice(
            format!("\r\n--{BOUNDARY}\r\nContent-Disposition:form-data;name=\"{key}\"\r\nContent-Type:text/plain\r\n\r\n{value}")
                .as_bytes(),
        );
    }
    for (field, filename, content) in files {
        body.extend_from_slice(
            format!("\r\n--{BOUNDARY}\r\nContent-Disposition:form-data;name=\"{field}\";filename=\"{filename}\"\r\nContent-Type:application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(content);
    }
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// POSTs `body` as multipart with the parameters not in `parts` in the query string.
async fn multipart_post(
    sandbox: &Sandbox,
    params: &[(String, String)],
    parts: &[&str],
    body: Vec<u8>,
) -> Answer {
    let query = form_encode(
        params
            .iter()
            .filter(|(k, _)| !parts.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    http(
        sandbox.addr(),
        "POST",
        &format!("/gateway.do?{query}"),
        Some(&format!(
            "multipart/form-data;charset=utf-8;boundary={BOUNDARY}"
        )),
        body,
    )
    .await
}

const UPLOAD: &str = "alipay.offline.material.image.upload";
const PNG: &[u8] = crate::sandbox::open::PNG_1X1;

fn upload_params(app: &SandboxApp, image_type: &str) -> Vec<(String, String)> {
    signed_params(
        &app.app_id,
        &app.private_key,
        UPLOAD,
        None,
        &[("image_type", image_type), ("image_name", "海报 1")],
    )
}

#[tokio::test]
async fn image_upload_is_stored_and_served() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let params = upload_params(&app, "png");
    let parts = ["image_type", "image_name"];
    let body = multipart_body(&params, &parts, &[("image_content", "poster.png", PNG)]);
    let answer = multipart_post(&sandbox, &params, &parts, body).await;
    let node = verified_node(&sandbox, UPLOAD, &answer);
    assert_success(&node);
    let image_id = node["image_id"].as_str().unwrap();
    let image_url = node["image_url"].as_str().unwrap();
    assert_eq!(
        image_url,
        format!("http://{}/images/{image_id}", sandbox.addr())
    );

    let images = sandbox.images();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!(image.image_id, image_id);
    assert_eq!(image.app_id, app.app_id);
    assert_eq!(image.image_name, "海报 1");
    assert_eq!(image.image_type, "png");
    assert_eq!(image.filename, "poster.png");
    assert_eq!(&image.content[..], PNG);
    let served = http(
        sandbox.addr(),
        "GET",
        path_of(&sandbox, image_url),
        None,
        "",
    )
    .await;
    assert_eq!(served.status, 200);
    assert_eq!(served.content_type, "image/png");
    assert_eq!(&served.bytes[..], PNG);
    assert_eq!(
        http(sandbox.addr(), "GET", "/images/nope", None, "")
            .await
            .status,
        404
    );

    // The request is recorded with its content type, its text parts and its file.
    let recorded = sandbox.requests().pop().unwrap();
    assert!(recorded.content_type.starts_with("multipart/form-data"));
    assert_eq!(recorded.params["image_name"], "海报 1");
    assert_eq!(recorded.params["image_type"], "png");
    assert_eq!(recorded.files.len(), 1);
    assert_eq!(recorded.files[0].field, "image_content");
    assert_eq!(recorded.files[0].filename, "poster.png");
    assert_eq!(&recorded.files[0].content[..], PNG);

    // Text parameters may also be in the query (fileExecute style) with the same value.
    let params = upload_params(&app, "png");
    let body = multipart_body(&params, &parts, &[("image_content", "a.png", PNG)]);
    let answer = multipart_post(&sandbox, &params, &[], body).await;
    assert_success(&verified_node(&sandbox, UPLOAD, &answer));

    // A video is an mp4 upload of the same method.
    let mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";
    let params = upload_params(&app, "mp4");
    let body = multipart_body(&params, &parts, &[("image_content", "v.mp4", mp4)]);
    let node = verified_node(
        &sandbox,
        UPLOAD,
        &multipart_post(&sandbox, &params, &parts, body).await,
    );
    assert_success(&node);
    assert_eq!(sandbox.images().last().unwrap().image_type, "mp4");
}

#[tokio::test]
async fn image_upload_refusals() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let parts = ["image_type", "image_name"];

    // The Easy SDK's bug: image_type=jpg for a PNG file.
    let params = upload_params(&app, "jpg");
    let body = multipart_body(&params, &parts, &[("image_content", "a.png", PNG)]);
    let node = verified_node(
        &sandbox,
        UPLOAD,
        &multipart_post(&sandbox, &params, &parts, body).await,
    );
    assert_fails(&node, "40004", "INVALID_IMAGE_TYPE");
    let params = upload_params(&app, "tiff");
    let body = multipart_body(&params, &parts, &[("image_content", "a.tiff", b"II*\0")]);
    let node = verified_node(
        &sandbox,
        UPLOAD,
        &multipart_post(&sandbox, &params, &parts, body).await,
    );
    assert_fails(&node, "40004", "INVALID_IMAGE_TYPE");

    // No file, an empty file.
    let params = upload_params(&app, "png");
    let body = multipart_body(&params, &parts, &[]);
    let node = verified_node(
        &sandbox,
        UPLOAD,
        &multipart_post(&sandbox, &params, &parts, body).await,
    );
    assert_fails(&node, "40002", "isv.missing-parameter");
    let body = multipart_body(&params, &parts, &[("image_content", "a.png", b"")]);
    let node = verified_node(
        &sandbox,
        UPLOAD,
        &multipart_post(&sandbox, &params, &parts, body).await,
    );
    assert_fails(&node, "40002", "isv.invalid-parameter");

    // A text part changed after signing: the signature covers the parts.
    let mut params = upload_params(&app, "png");
    for (k, v) in &mut params {
        if k == "image_name" {
            *v = "changed".into();
        }
    }
    let body = multipart_body(&params, &parts, &[("image_content", "a.png", PNG)]);
    let node = verified_node(
        &sandbox,
        UPLOAD,
        &multipart_post(&sandbox, &params, &parts, body).await,
    );
    assert_fails(&node, "40002", "isv.invalid-signature");

    // The same parameter in the query and in a part with another value.
    let params = upload_params(&app, "png");
    let mut body = multipart_body(&params, &parts, &[("image_content", "a.png", PNG)]);
    let text = String::from_utf8_lossy(&body).replace("海报 1", "other");
    body = text.into_bytes();
    let answer = multipart_post(&sandbox, &params, &[], body).await;
    assert!(
        answer.body.starts_with("{\"error_response\":"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("isv.invalid-parameter"));

    // Malformed bodies: unsigned error_response, nothing stored.
    for body in [
        b"no delimiter at all".to_vec(),
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx").into_bytes(),
        format!("--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--").into_bytes(),
    ] {
        let answer = multipart_post(&sandbox, &params, &parts, body).await;
        assert_eq!(answer.status, 200);
        assert!(
            answer.body.starts_with("{\"error_response\":"),
            "{}",
            answer.body
        );
        assert!(
            answer.body.contains("isv.invalid-parameter"),
            "{}",
            answer.body
        );
    }
    let answer = http(
        sandbox.addr(),
        "POST",
        "/gateway.do",
        Some("multipart/form-data"),
        "x",
    )
    .await;
    assert!(
        answer.body.contains("isv.invalid-parameter"),
        "{}",
        answer.body
    );
    assert!(sandbox.images().is_empty());
}

#[tokio::test]
async fn text_risk_detection() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let method = "alipay.security.risk.content.detect";
    let passed = call(&sandbox, &app, method, json!({"content": "今天天气不错"})).await;
    assert_success(&passed);
    assert_eq!(passed["action"], "PASSED");
    assert_eq!(passed["keywords"], json!([]));
    assert!(
        passed["unique_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    let rejected = call(
        &sandbox,
        &app,
        method,
        json!({"content": "这里有赌博和违禁品"}),
    )
    .await;
    assert_eq!(rejected["action"], "REJECTED");
    assert_eq!(rejected["keywords"], json!(["违禁", "赌博"]));
    let missing = call(&sandbox, &app, method, json!({})).await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
}
