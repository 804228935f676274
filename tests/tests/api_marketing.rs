//! Marketing APIs against the sandbox over loopback: life account contents and messages,
//! passes, mini program template messages.

use alipay::marketing::open_life::{
    Article, Context, Keyword, PublicLifeMsgRecall, PublicMessageContentCreate,
    PublicMessageContentModify, PublicMessageSingleSend, PublicMessageTotalSendImageText,
    PublicMessageTotalSendText, PublicSettingCategoryQuery, PublicTemplateMessageIndustryModify,
    Template,
};
use alipay::marketing::pass::{
    PassInstanceAdd, PassInstanceUpdate, PassTemplateAdd, PassTemplateUpdate,
};
use alipay::marketing::template_message::MiniTemplateMessageSend;
use alipay::sandbox::{ReceivedRequest, Sandbox};
use alipay::util::generic::Generic;
use alipay_tests::{sandbox_client, sub_code};
use serde_json::{Value, json};

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

fn biz(sandbox: &Sandbox) -> Value {
    last(sandbox).biz_content.expect("biz_content")
}

#[tokio::test]
async fn create_and_modify_image_text_content() {
    let (sandbox, _app, client) = sandbox_client().await;
    let created = client
        .send(
            PublicMessageContentCreate::builder()
                .title("新店开业")
                .cover("https://img.example/cover.jpg")
                .content("<p>周一开业</p>")
                .could_comment(true)
                .ctype("activity")
                .benefit("满100减10")
                .ext_tags("开业,优惠")
                .login_ids("a@example.com")
                .build(),
        )
        .await
        .expect("created");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.public.message.content.create")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({
            "title": "新店开业", "cover": "https://img.example/cover.jpg",
            "content": "<p>周一开业</p>", "could_comment": "T", "ctype": "activity",
            "benefit": "满100减10", "ext_tags": "开业,优惠", "login_ids": "a@example.com"
        }))
    );
    assert!(!created.content_id.is_empty());
    assert!(created.content_url.contains(&created.content_id));

    let modified = client
        .send(
            PublicMessageContentModify::builder()
                .content_id(created.content_id.clone())
                .title("新店开业（更新）")
                .cover("https://img.example/cover2.jpg")
                .content("<p>周二开业</p>")
                .could_comment(false)
                .build(),
        )
        .await
        .expect("modified");
    assert_eq!(modified.content_id, created.content_id);
    assert_eq!(
        biz(&sandbox),
        json!({
            "content_id": created.content_id, "title": "新店开业（更新）",
            "cover": "https://img.example/cover2.jpg", "content": "<p>周二开业</p>",
            "could_comment": "F"
        })
    );

    let missing = client
        .send(
            PublicMessageContentModify::builder()
                .content_id("nope")
                .title("t")
                .cover("c")
                .content("b")
                .build(),
        )
        .await;
    assert_eq!(sub_code(missing), "PUB.CONTENT_NOT_EXIST");
}

#[tokio::test]
async fn send_text_image_text_and_recall() {
    let (sandbox, _app, client) = sandbox_client().await;
    let text = client
        .send(
            PublicMessageTotalSendText::builder()
                .text("今日营业至22点")
                .build(),
        )
        .await
        .expect("text sent");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.public.message.total.send")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({"msg_type": "text", "text": {"title": "", "content": "今日营业至22点"}}))
    );

    let articles = vec![
        Article::new("秋季菜单", "https://m.example/menu")
            .title("新品")
            .image_url("https://img.example/a.jpg")
            .action_name("查看"),
        Article::new("门店地址", "https://m.example/stores"),
    ];
    let image_text = client
        .send(
            PublicMessageTotalSendImageText::builder()
                .articles(articles)
                .build(),
        )
        .await
        .expect("image-text sent");
    assert_eq!(
        biz(&sandbox),
        json!({"msg_type": "image-text", "articles": [
            {"title": "新品", "desc": "秋季菜单", "image_url": "https://img.example/a.jpg",
             "url": "https://m.example/menu", "action_name": "查看"},
            {"desc": "门店地址", "url": "https://m.example/stores"}
        ]})
    );
    assert_ne!(text.message_id, image_text.message_id);

    client
        .send(
            PublicLifeMsgRecall::builder()
                .message_id(text.message_id.clone())
                .build(),
        )
        .await
        .expect("recalled");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.public.life.msg.recall")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({"message_id": text.message_id}))
    );
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].recalled && !messages[1].recalled);
    assert_eq!(messages[1].msg_type.as_deref(), Some("image-text"));

    let unknown = client
        .send(PublicLifeMsgRecall::builder().message_id("nope").build())
        .await;
    assert_eq!(sub_code(unknown), "PUB.RCD_MSG_NOT_EXIST");

    // The Java Easy SDK's camelCase article keys are refused; ours are snake_case.
    let camel = Generic::new("alipay.open.public.message.total.send")
        .biz_param("msg_type", "image-text")
        .biz_param(
            "articles",
            json!([{"desc": "d", "url": "https://u", "imageUrl": "https://i"}]),
        );
    assert_eq!(sub_code(client.send(camel).await), "isv.invalid-parameter");
}

#[tokio::test]
async fn send_single_template_message() {
    let (sandbox, _app, client) = sandbox_client().await;
    let template = Template {
        template_id: "e4f3d6a2a34e4ac2".into(),
        context: Context {
            head_color: "#85be53".into(),
            url: "https://m.example/order/1".into(),
            action_name: "查看详情".into(),
            keyword1: Some(Keyword::new("订单1", "#85be53")),
            keyword2: Some(Keyword::new("已发货", "#000000")),
            first: Some(Keyword::new("您好", "#333333")),
            remark: Some(Keyword::new("谢谢", "#999999")),
        },
    };
    client
        .send(
            PublicMessageSingleSend::builder()
                .to_user_id("2088102122458832")
                .template(template)
                .build(),
        )
        .await
        .expect("sent");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.public.message.single.send")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({
            "to_user_id": "2088102122458832",
            "template": {"template_id": "e4f3d6a2a34e4ac2", "context": {
                "head_color": "#85be53", "url": "https://m.example/order/1",
                "action_name": "查看详情",
                "keyword1": {"color": "#85be53", "value": "订单1"},
                "keyword2": {"color": "#000000", "value": "已发货"},
                "first": {"color": "#333333", "value": "您好"},
                "remark": {"color": "#999999", "value": "谢谢"}
            }}
        }))
    );
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to_user_id.as_deref(), Some("2088102122458832"));
}

#[tokio::test]
async fn set_then_get_industry() {
    let (sandbox, _app, client) = sandbox_client().await;
    client
        .send(
            PublicTemplateMessageIndustryModify::builder()
                .primary_industry_code("10001")
                .primary_industry_name("餐饮")
                .secondary_industry_code("10002")
                .secondary_industry_name("快餐")
                .build(),
        )
        .await
        .expect("industry set");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.public.template.message.industry.modify")
    );
    assert_eq!(
        received.biz_content,
        Some(json!({
            "primary_industry_code": "10001", "primary_industry_name": "餐饮",
            "secondary_industry_code": "10002", "secondary_industry_name": "快餐"
        }))
    );

    let industry = client
        .send(PublicSettingCategoryQuery::builder().build())
        .await
        .expect("industry");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.public.setting.category.query")
    );
    assert!(!received.params.contains_key("biz_content"));
    assert_eq!(industry.primary_category.as_deref(), Some("餐饮"));
    assert_eq!(industry.secondary_category.as_deref(), Some("快餐"));
}

#[tokio::test]
async fn pass_templates_and_instances() {
    let (sandbox, app, client) = sandbox_client().await;
    let tpl_content = json!({
        "logo": "https://img.example/logo.png",
        "strip": null,
        "icon": "https://img.example/icon.png",
        "content": {"title": "$title$", "serialNumber": "$serialNumber$"}
    });
    let created = client
        .send(PassTemplateAdd::from_json("tpl-unique-1", &tpl_content))
        .await
        .expect("template created");
    let sent = biz(&sandbox);
    assert_eq!(
        last(&sandbox).method.as_deref(),
        Some("alipay.pass.template.add")
    );
    assert_eq!(sent["unique_id"], "tpl-unique-1");
    // A JSON string inside biz_content, not an object.
    let text = sent["tpl_content"]
        .as_str()
        .expect("tpl_content is a string");
    assert_eq!(
        serde_json::from_str::<Value>(text).expect("json"),
        tpl_content
    );
    assert!(created.success);
    let result = created.result_json().expect("result is JSON");
    let tpl_id = result["tpl_id"].as_str().expect("tpl_id").to_owned();
    let mut placeholders: Vec<&str> = result["tpl_params"]
        .as_array()
        .expect("tpl_params")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    placeholders.sort_unstable();
    assert_eq!(placeholders, ["serialNumber", "title"]);

    let updated = client
        .send(PassTemplateUpdate::from_json(tpl_id.clone(), &tpl_content))
        .await
        .expect("template updated");
    assert!(updated.success);
    let sent = biz(&sandbox);
    assert_eq!(
        last(&sandbox).method.as_deref(),
        Some("alipay.pass.template.update")
    );
    assert_eq!(sent["tpl_id"], tpl_id.as_str());
    assert!(sent["tpl_content"].is_string());

    let added = client
        .send(PassInstanceAdd::from_json(
            tpl_id.clone(),
            &json!({"title": "优惠券", "serialNumber": "SN0001"}),
            "1",
            &json!({"partner_id": "2088102114633762", "out_trade_no": "T1"}),
        ))
        .await
        .expect("instance added");
    let sent = biz(&sandbox);
    assert_eq!(
        last(&sandbox).method.as_deref(),
        Some("alipay.pass.instance.add")
    );
    assert_eq!(sent["tpl_id"], tpl_id.as_str());
    assert_eq!(sent["recognition_type"], "1");
    assert!(sent["tpl_params"].is_string() && sent["recognition_info"].is_string());
    assert_eq!(added.result_json().expect("json")["serialNumber"], "SN0001");

    let used = client
        .send(
            PassInstanceUpdate::builder()
                .serial_number("SN0001")
                .channel_id(app.app_id.clone())
                .status("USED")
                .verify_code("8612231273")
                .verify_type("qrcode")
                .build(),
        )
        .await
        .expect("instance updated");
    assert!(used.success);
    assert_eq!(
        last(&sandbox).method.as_deref(),
        Some("alipay.pass.instance.update")
    );
    assert_eq!(
        biz(&sandbox),
        json!({
            "serial_number": "SN0001", "channel_id": app.app_id, "status": "USED",
            "verify_code": "8612231273", "verify_type": "qrcode"
        })
    );

    let unknown = client
        .send(PassTemplateUpdate::from_json("0", &tpl_content))
        .await;
    assert_eq!(sub_code(unknown), "KP.AE_ALIPASS_NOTEXIST");
}

#[tokio::test]
async fn mini_program_template_message() {
    let (sandbox, _app, client) = sandbox_client().await;
    let data = json!({"keyword1": {"value": "12:00"}, "keyword2": {"value": "20180808"}});
    client
        .send(
            MiniTemplateMessageSend::builder()
                .to_user_id("2088102122458832")
                .form_id("2017010100000000580012345678")
                .user_template_id("MDI4YzIxMDE2M2I5YTQzYjUxNWE4MjA4NmU1MTIyYmM=")
                .page("page/component/index")
                .data(data.to_string())
                .build(),
        )
        .await
        .expect("sent");
    let received = last(&sandbox);
    assert_eq!(
        received.method.as_deref(),
        Some("alipay.open.app.mini.templatemessage.send")
    );
    let sent = received.biz_content.expect("biz_content");
    assert_eq!(sent["to_user_id"], "2088102122458832");
    assert_eq!(sent["form_id"], "2017010100000000580012345678");
    assert_eq!(sent["page"], "page/component/index");
    assert_eq!(
        serde_json::from_str::<Value>(sent["data"].as_str().expect("a string")).expect("json"),
        data
    );
    assert_eq!(sandbox.messages().len(), 1);

    // `data` must be a JSON object string.
    let bad = MiniTemplateMessageSend::builder()
        .to_user_id("2088102122458832")
        .form_id("f")
        .user_template_id("t")
        .page("p")
        .data("not json")
        .build();
    assert_eq!(sub_code(client.send(bad).await), "isv.invalid-parameter");
}
