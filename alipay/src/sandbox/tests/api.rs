//! End-to-end tests of the methods beyond common payment: OAuth, uploads, life account, passes,
//! identification, face to face, Huabei, risk detection, and the browser flows.

use super::*;

/// Checks `{"<method>_response":NODE,"sign":"…"}` is signed by the sandbox, whatever the node
/// starts with (OAuth answers have no `code`); returns the node.
fn verified_any(sandbox: &Sandbox, method: &str, answer: &Answer) -> Value {
    assert_eq!(answer.status, 200);
    let raw = &answer.body;
    let prefix = format!("{{\"{}\":", response_key_of(method));
    assert!(raw.starts_with(&prefix), "{raw}");
    let sign_at = raw.rfind(",\"sign\":\"").unwrap();
    let node = &raw[prefix.len()..sign_at];
    sandbox
        .alipay_public_key()
        .verify(node.as_bytes(), &raw[sign_at + 9..raw.len() - 2])
        .unwrap_or_else(|e| panic!("answer signature: {e}: {raw}"));
    serde_json::from_str(node).unwrap()
}

/// A signed call with top-level text parameters and no `biz_content`.
async fn call_text(
    sandbox: &Sandbox,
    app: &SandboxApp,
    method: &str,
    text: &[(&str, &str)],
) -> Value {
    let params = signed_params(&app.app_id, &app.private_key, method, None, text);
    verified_any(sandbox, method, &post(sandbox, &params).await)
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

/// The path of a URL served by the sandbox.
fn path_of<'a>(sandbox: &Sandbox, url: &'a str) -> &'a str {
    let prefix = format!("http://{}", sandbox.addr());
    assert!(url.starts_with(&prefix), "{url}");
    &url[prefix.len()..]
}

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

const UPLOAD: &str = "alipay.offline.material.image.upload";
const PNG: &[u8] = super::super::open::PNG_1X1;

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
async fn life_account_contents_and_messages() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let created = call(
        &sandbox,
        &app,
        "alipay.open.public.message.content.create",
        json!({"title": "iPhone电子书", "cover": "https://example.com/cover.png", "content": "<p>正文</p>",
               "could_comment": "T", "ctype": "activity", "benefit": "满100减10", "ext_tags": "关键,热度", "login_ids": "13110989091"}),
    )
    .await;
    assert_success(&created);
    let content_id = created["content_id"].as_str().unwrap();
    let content_url = created["content_url"].as_str().unwrap();
    let page = http(
        sandbox.addr(),
        "GET",
        path_of(&sandbox, content_url),
        None,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("iPhone电子书"));
    assert!(page.body.contains("&lt;p&gt;正文"));
    let missing = call(
        &sandbox,
        &app,
        "alipay.open.public.message.content.create",
        json!({"title": "t", "content": "c"}),
    )
    .await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
    let bad = call(
        &sandbox,
        &app,
        "alipay.open.public.message.content.create",
        json!({"title": "t", "cover": "c", "content": "c", "could_comment": "yes"}),
    )
    .await;
    assert_fails(&bad, "40002", "isv.invalid-parameter");

    let modified = call(
        &sandbox,
        &app,
        "alipay.open.public.message.content.modify",
        json!({"content_id": content_id, "title": "新标题", "cover": "https://example.com/c.png", "content": "新正文"}),
    )
    .await;
    assert_success(&modified);
    assert_eq!(modified["content_id"], content_id);
    assert_eq!(modified["content_url"], content_url);
    let page = http(
        sandbox.addr(),
        "GET",
        path_of(&sandbox, content_url),
        None,
        "",
    )
    .await;
    assert!(page.body.contains("新标题"));
    let unknown = call(
        &sandbox,
        &app,
        "alipay.open.public.message.content.modify",
        json!({"content_id": "nope", "title": "x"}),
    )
    .await;
    assert_fails(&unknown, "40004", "PUB.CONTENT_NOT_EXIST");

    // Group sends: text, image-text, and the Easy SDK's camelCase article keys refused.
    let send = "alipay.open.public.message.total.send";
    let text = call(
        &sandbox,
        &app,
        send,
        json!({"msg_type": "text", "text": {"title": "", "content": "测试"}}),
    )
    .await;
    assert_success(&text);
    let text_id = text["message_id"].as_str().unwrap().to_owned();
    let no_content = call(
        &sandbox,
        &app,
        send,
        json!({"msg_type": "text", "text": {"title": "t"}}),
    )
    .await;
    assert_fails(&no_content, "40002", "isv.missing-parameter");
    let article = json!({"title": "标题", "desc": "描述", "image_url": "https://example.com/i.png", "url": "https://example.com", "action_name": "查看"});
    let image_text = call(
        &sandbox,
        &app,
        send,
        json!({"msg_type": "image-text", "articles": [article]}),
    )
    .await;
    assert_success(&image_text);
    let camel = json!({"title": "标题", "desc": "描述", "imageUrl": "https://example.com/i.png", "url": "https://example.com", "actionName": "查看"});
    let refused = call(
        &sandbox,
        &app,
        send,
        json!({"msg_type": "image-text", "articles": [camel]}),
    )
    .await;
    assert_fails(&refused, "40002", "isv.invalid-parameter");
    assert!(refused["sub_msg"].as_str().unwrap().contains("imageUrl"));
    for articles in [json!([]), json!([{"desc": "d"}]), json!("x")] {
        let node = call(
            &sandbox,
            &app,
            send,
            json!({"msg_type": "image-text", "articles": articles}),
        )
        .await;
        assert_eq!(node["code"], "40002", "{node}");
    }
    let other_type = call(&sandbox, &app, send, json!({"msg_type": "voice"})).await;
    assert_fails(&other_type, "40002", "isv.invalid-parameter");

    // A single template message.
    let single = "alipay.open.public.message.single.send";
    let template = json!({"template_id": "e40a0f6d1b4b4ee9a1d2a3f0c1e2d3f4", "context": {
        "head_color": "#85be53", "url": "https://example.com", "action_name": "查看详情",
        "keyword1": {"color": "#85be53", "value": "HY00001"}, "first": {"color": "#85be53", "value": "您好"}}});
    let sent = call(
        &sandbox,
        &app,
        single,
        json!({"to_user_id": "2088102122458832", "template": template}),
    )
    .await;
    assert_success(&sent);
    let no_id = call(
        &sandbox,
        &app,
        single,
        json!({"to_user_id": "2088102122458832", "template": {"templateId": "x", "context": {"head_color": "#fff", "url": "u", "action_name": "a"}}}),
    )
    .await;
    assert_fails(&no_id, "40002", "isv.missing-parameter");
    assert!(
        no_id["sub_msg"]
            .as_str()
            .unwrap()
            .contains("template.template_id")
    );

    // Recall: a message sent, then an unknown one.
    let recall = "alipay.open.public.life.msg.recall";
    assert_success(&call(&sandbox, &app, recall, json!({"message_id": text_id})).await);
    let unknown = call(&sandbox, &app, recall, json!({"message_id": "nope"})).await;
    assert_fails(&unknown, "40004", "PUB.RCD_MSG_NOT_EXIST");

    let messages = sandbox.messages();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0].method, send);
    assert_eq!(messages[0].msg_type.as_deref(), Some("text"));
    assert_eq!(messages[0].message_id.as_deref(), Some(text_id.as_str()));
    assert!(messages[0].recalled);
    assert_eq!(messages[1].msg_type.as_deref(), Some("image-text"));
    assert!(!messages[1].recalled);
    assert_eq!(messages[2].to_user_id.as_deref(), Some("2088102122458832"));
    assert_eq!(
        messages[2].biz_content["template"]["context"]["keyword1"]["value"],
        "HY00001"
    );

    // Industry: defaults, then what was set.
    let query = "alipay.open.public.setting.category.query";
    let defaults = call_text(&sandbox, &app, query, &[]).await;
    assert_success(&defaults);
    assert_eq!(defaults["primary_category"], "IT科技");
    assert_eq!(defaults["secondary_category"], "IT软件与服务");
    let industry = json!({"primary_industry_code": "10001/20102", "primary_industry_name": "IT科技/IT软件与服务",
                          "secondary_industry_code": "10001/20102", "secondary_industry_name": "IT科技/IT软件与服务"});
    assert_success(
        &call(
            &sandbox,
            &app,
            "alipay.open.public.template.message.industry.modify",
            industry,
        )
        .await,
    );
    let set = call_text(&sandbox, &app, query, &[]).await;
    assert_eq!(set["primary_category"], "IT科技/IT软件与服务");
    let incomplete = call(
        &sandbox,
        &app,
        "alipay.open.public.template.message.industry.modify",
        json!({"primary_industry_code": "10001/20102", "primary_industry_name": "IT"}),
    )
    .await;
    assert_fails(&incomplete, "40002", "isv.missing-parameter");
}

#[tokio::test]
async fn passes_templates_and_instances() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let tpl_content = r#"{"logo":"https://example.com/logo.png","fileInfo":{"serialNumber":"$serialNumber$"},"evoucherInfo":{"title":"$title$","startDate":"$startDate$"}}"#;
    let added = call(
        &sandbox,
        &app,
        "alipay.pass.template.add",
        json!({"unique_id": "U-1", "tpl_content": tpl_content}),
    )
    .await;
    assert_success(&added);
    assert_eq!(added["success"], true);
    let result: Value = serde_json::from_str(added["result"].as_str().unwrap()).unwrap();
    let tpl_id = result["tpl_id"].as_str().unwrap().to_owned();
    assert_eq!(
        result["tpl_params"],
        json!(["serialNumber", "title", "startDate"])
    );
    let not_json = call(
        &sandbox,
        &app,
        "alipay.pass.template.add",
        json!({"unique_id": "U-2", "tpl_content": "{not json"}),
    )
    .await;
    assert_fails(&not_json, "40002", "isv.invalid-parameter");

    let updated = call(
        &sandbox,
        &app,
        "alipay.pass.template.update",
        json!({"tpl_id": tpl_id, "tpl_content": tpl_content}),
    )
    .await;
    assert_success(&updated);
    assert_eq!(updated["success"], true);
    let unknown = call(
        &sandbox,
        &app,
        "alipay.pass.template.update",
        json!({"tpl_id": "2020000000", "tpl_content": tpl_content}),
    )
    .await;
    assert_fails(&unknown, "40004", "KP.AE_ALIPASS_NOTEXIST");

    let instance = call(
        &sandbox,
        &app,
        "alipay.pass.instance.add",
        json!({"tpl_id": tpl_id, "tpl_params": json!({"serialNumber": "SN-1", "title": "券"}).to_string(),
               "recognition_type": "1", "recognition_info": json!({"partner_id": "2088102114633762", "out_trade_no": "T1"}).to_string()}),
    )
    .await;
    assert_success(&instance);
    assert_eq!(instance["success"], true);
    let result: Value = serde_json::from_str(instance["result"].as_str().unwrap()).unwrap();
    assert_eq!(result["serialNumber"], "SN-1");
    assert!(result["passId"].as_str().is_some_and(|id| !id.is_empty()));
    let bad_info = call(
        &sandbox,
        &app,
        "alipay.pass.instance.add",
        json!({"tpl_id": tpl_id, "tpl_params": "{}", "recognition_type": "1", "recognition_info": "x"}),
    )
    .await;
    assert_fails(&bad_info, "40002", "isv.invalid-parameter");

    let update = "alipay.pass.instance.update";
    let used = call(
        &sandbox,
        &app,
        update,
        json!({"serial_number": "SN-1", "channel_id": app.app_id, "status": "USED", "verify_code": "8612231273", "verify_type": "wave"}),
    )
    .await;
    assert_success(&used);
    let result: Value = serde_json::from_str(used["result"].as_str().unwrap()).unwrap();
    assert_eq!(result["serialNumber"], "SN-1");
    let bad_status = call(
        &sandbox,
        &app,
        update,
        json!({"serial_number": "SN-1", "channel_id": app.app_id, "status": "LOST"}),
    )
    .await;
    assert_fails(&bad_status, "40002", "isv.invalid-parameter");
    let missing = call(
        &sandbox,
        &app,
        update,
        json!({"serial_number": "SN-9", "channel_id": app.app_id}),
    )
    .await;
    assert_fails(&missing, "40004", "KP.AE_ALIPASS_NOTEXIST");
}

#[tokio::test]
async fn mini_program_template_message() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let method = "alipay.open.app.mini.templatemessage.send";
    let data = r#"{"keyword1": {"value" : "12:00"},"keyword2": {"value" : "20180808"}}"#;
    let node = call(
        &sandbox,
        &app,
        method,
        json!({"to_user_id": "2088102122458832", "form_id": "2017010100000000580012345678",
               "user_template_id": "MDI4YzIxMDE2M2I5YTQzYjUxNWE4MjA4NmU1MTIyYmM=", "page": "page/component/index", "data": data}),
    )
    .await;
    assert_success(&node);
    let missing = call(
        &sandbox,
        &app,
        method,
        json!({"to_user_id": "2088102122458832", "user_template_id": "x", "page": "p", "data": data}),
    )
    .await;
    assert_fails(&missing, "40002", "isv.missing-parameter");
    assert_eq!(sandbox.messages()[0].method, method);
}

#[tokio::test]
async fn certification_flow() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let init = |outer: &str, return_url: Option<&str>| {
        let mut merchant = json!({});
        if let Some(url) = return_url {
            merchant["return_url"] = json!(url);
        }
        json!({"outer_order_no": outer, "biz_code": "FACE",
               "identity_param": {"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD", "cert_name": "张三", "cert_no": "110101199003071234"},
               "merchant_config": merchant})
    };
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        init("ZGYD201809132323000001234", None),
    )
    .await;
    assert_success(&node);
    let certify_id = node["certify_id"].as_str().unwrap().to_owned();
    let query = |id: &str| json!({"certify_id": id});
    let before = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(&certify_id),
    )
    .await;
    assert_success(&before);
    assert_eq!(before["passed"], "F");

    // The certify URL, as Render::page_url builds it: every parameter in the query.
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.user.certify.open.certify",
        Some(&query(&certify_id)),
        &[],
    );
    let url = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let action = format!("/sandbox/certify/{certify_id}?passed=T");
    assert!(page.body.contains(&action), "{}", page.body);
    assert!(page.body.contains("张三"));
    let done = http(sandbox.addr(), "POST", &action, None, "").await;
    assert_eq!(done.status, 200, "{}", done.body);
    let after = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(&certify_id),
    )
    .await;
    assert_eq!(after["passed"], "T");
    let identity: Value = serde_json::from_str(after["identity_info"].as_str().unwrap()).unwrap();
    assert_eq!(identity["cert_name"], "张三");
    let material: Value = serde_json::from_str(after["material_info"].as_str().unwrap()).unwrap();
    assert!(material.is_object());
    // Completed: the page and the buttons are gone.
    let again = http(sandbox.addr(), "POST", &action, None, "").await;
    assert!(again.body.contains("CERTIFY_ID_EXPIRED"), "{}", again.body);
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert!(page.body.contains("CERTIFY_ID_EXPIRED"), "{}", page.body);

    // With a return_url, the user goes back there; the control method completes too.
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        init("ZGYD2", Some("https://merchant.example/certified?o=2")),
    )
    .await;
    let second = node["certify_id"].as_str().unwrap();
    let back = http(
        sandbox.addr(),
        "POST",
        &format!("/sandbox/certify/{second}?passed=F"),
        None,
        "",
    )
    .await;
    assert_eq!(back.status, 302);
    assert_eq!(
        back.location.as_deref(),
        Some("https://merchant.example/certified?o=2")
    );
    assert_eq!(sandbox.certification(second).unwrap().passed, Some(false));
    let failed = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(second),
    )
    .await;
    assert_eq!(failed["passed"], "F");
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        init("ZGYD3", None),
    )
    .await;
    let third = node["certify_id"].as_str().unwrap();
    sandbox.complete_certification(third, true).await.unwrap();
    assert!(matches!(
        sandbox.complete_certification(third, true).await,
        Err(SandboxError::CertificationCompleted { .. })
    ));
    assert!(matches!(
        sandbox.complete_certification("nope", true).await,
        Err(SandboxError::UnknownCertification { .. })
    ));
    let passed = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query(third),
    )
    .await;
    assert_eq!(passed["passed"], "T");

    // Unknown ids; missing identity fields.
    let unknown = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.query",
        query("nope"),
    )
    .await;
    assert_fails(&unknown, "40004", "CERTIFY_ID_EXPIRED");
    let params = signed_params(
        &app.app_id,
        &app.private_key,
        "alipay.user.certify.open.certify",
        Some(&query("nope")),
        &[],
    );
    let url = form_encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let page = http(
        sandbox.addr(),
        "GET",
        &format!("/gateway.do?{url}"),
        None,
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("CERTIFY_ID_EXPIRED"), "{}", page.body);
    let mut incomplete = init("ZGYD4", None);
    incomplete["identity_param"]
        .as_object_mut()
        .unwrap()
        .remove("cert_no");
    let node = call(
        &sandbox,
        &app,
        "alipay.user.certify.open.initialize",
        incomplete,
    )
    .await;
    assert_fails(&node, "40002", "isv.missing-parameter");
    assert!(
        node["sub_msg"]
            .as_str()
            .unwrap()
            .contains("identity_param.cert_no")
    );
}

#[tokio::test]
async fn face_to_face_pay_and_precreate() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let (merchant, mut received) = merchant_listener().await;
    let notify_url = format!("http://{merchant}/notify");
    let pay = |out: &str, code: &str| json!({"subject": "iPhone6 16G", "out_trade_no": out, "total_amount": "0.10", "auth_code": code, "scene": "bar_code"});
    let node = call_with(
        &sandbox,
        &app,
        "alipay.trade.pay",
        pay("F-1", "289821051157962364"),
        &[("notify_url", &notify_url)],
    )
    .await;
    assert_success(&node);
    assert_eq!(node["out_trade_no"], "F-1");
    assert_eq!(node["trade_no"].as_str().unwrap().len(), 28);
    assert_eq!(node["buyer_logon_id"], "tes***@sandbox.com");
    assert_eq!(node["total_amount"], "0.10");
    assert_eq!(node["receipt_amount"], "0.10");
    assert_eq!(node["buyer_pay_amount"], "0.10");
    assert!(node["gmt_payment"].is_string());
    assert_eq!(
        node["fund_bill_list"],
        json!([{"fund_channel": "ALIPAYACCOUNT", "amount": "0.10"}])
    );
    assert!(node["buyer_user_id"].as_str().unwrap().starts_with("2088"));
    let trade = sandbox.trade(&app.app_id, "F-1").unwrap();
    assert_eq!(trade.status, "TRADE_SUCCESS");
    assert_eq!(trade.product_code.as_deref(), Some("FACE_TO_FACE_PAYMENT"));
    // The notification was delivered before the answer.
    let (_, body) = received.try_recv().expect("notified");
    let form = form_decode(&body).unwrap();
    assert_eq!(pair(&form, "trade_status"), "TRADE_SUCCESS");
    assert_eq!(pair(&form, "out_trade_no"), "F-1");
    let again = call(
        &sandbox,
        &app,
        "alipay.trade.pay",
        pay("F-1", "289821051157962364"),
    )
    .await;
    assert_fails(&again, "40004", "ACQ.TRADE_HAS_SUCCESS");

    for code in [
        "123",
        "189821051157962364",
        "28982105115796236x",
        "2898210511579623641234567",
    ] {
        let node = call(&sandbox, &app, "alipay.trade.pay", pay("F-2", code)).await;
        assert_fails(&node, "40004", "ACQ.PAYMENT_AUTH_CODE_INVALID");
    }
    assert!(sandbox.trade(&app.app_id, "F-2").is_none());
    let mut wave = pay("F-3", "289821051157962364");
    wave["scene"] = json!("wave_code");
    let node = call(&sandbox, &app, "alipay.trade.pay", wave).await;
    assert_fails(&node, "40002", "isv.invalid-parameter");

    // Precreate: a QR code the buyer scans (a sandbox cashier page), then pays.
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.precreate",
        json!({"subject": "iPhone6 16G", "out_trade_no": "P-1", "total_amount": "1.00"}),
    )
    .await;
    assert_success(&node);
    assert_eq!(node["out_trade_no"], "P-1");
    let qr_code = node["qr_code"].as_str().unwrap();
    assert_eq!(
        sandbox.trade(&app.app_id, "P-1").unwrap().status,
        "WAIT_BUYER_PAY"
    );
    let cashier = http(sandbox.addr(), "GET", path_of(&sandbox, qr_code), None, "").await;
    assert_eq!(cashier.status, 200);
    assert!(cashier.body.contains("iPhone6 16G"));
    assert!(cashier.body.contains("1.00"));
    let paid = sandbox.pay(&app.app_id, "P-1").await.unwrap();
    assert_eq!(paid.status, "TRADE_SUCCESS");
    let cashier = http(sandbox.addr(), "GET", path_of(&sandbox, qr_code), None, "").await;
    assert!(cashier.body.contains("TRADE_SUCCESS"), "{}", cashier.body);
}

#[tokio::test]
async fn huabei_instalments() {
    let sandbox = Sandbox::start().await.unwrap();
    let app = sandbox.create_app().unwrap();
    let create = |out: &str, extend: Value| json!({"subject": "iPhone6 16G", "out_trade_no": out, "total_amount": "3000.00", "buyer_id": "2088002656718920", "extend_params": extend});
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        create(
            "H-1",
            json!({"hb_fq_num": "3", "hb_fq_seller_percent": "100"}),
        ),
    )
    .await;
    assert_success(&node);
    let trade = sandbox.trade(&app.app_id, "H-1").unwrap();
    assert_eq!(trade.hb_fq_num.as_deref(), Some("3"));
    assert_eq!(trade.hb_fq_seller_percent.as_deref(), Some("100"));
    assert_eq!(trade.buyer_id.as_deref(), Some("2088002656718920"));
    for extend in [
        json!({"hb_fq_num": "4", "hb_fq_seller_percent": "100"}),
        json!({"hb_fq_num": "6", "hb_fq_seller_percent": "50"}),
        json!({"hb_fq_seller_percent": "0"}),
    ] {
        let node = call(&sandbox, &app, "alipay.trade.create", create("H-2", extend)).await;
        assert_fails(&node, "40004", "ACQ.INVALID_PARAMETER");
    }
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        create("H-3", json!({"hb_fq_num": 12, "hb_fq_seller_percent": 0})),
    )
    .await;
    assert_success(&node);
    let node = call(
        &sandbox,
        &app,
        "alipay.trade.create",
        create(
            "H-4",
            json!({"sys_service_provider_id": "2088511833207846"}),
        ),
    )
    .await;
    assert_success(&node);
    assert_eq!(sandbox.trade(&app.app_id, "H-4").unwrap().hb_fq_num, None);
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
