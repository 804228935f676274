//! Marketing methods: the life account's contents and messages, passes (templates and
//! instances), and mini program template messages.

use super::*;

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
