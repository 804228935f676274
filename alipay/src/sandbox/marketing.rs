//! Marketing methods: the life account (生活号) contents and messages, the industry setting,
//! Alipay passes (卡券) and mini program template messages.

use std::borrow::Cow;
use std::collections::HashMap;

use bytes::Bytes;
use http::{Method as HttpMethod, Response, StatusCode};
use http_body_util::Full;
use serde_json::{Map, Value};

use super::api::{Biz, Call};
use super::html::escape as html_escape;
use super::server::{HTML_CONTENT_TYPE, TEXT_CONTENT_TYPE, get_only, respond};
use super::wire::{Failure, Node};
use super::{SentMessage, Shared, lock};
use super::{clock, random};

/// The industry `alipay.open.public.setting.category.query` answers before any is set.
const DEFAULT_PRIMARY_CATEGORY: &str = "IT科技";
const DEFAULT_SECONDARY_CATEGORY: &str = "IT软件与服务";

/// An image-text content of the life account.
#[derive(Debug, Clone)]
struct Content {
    app_id: String,
    title: String,
    cover: String,
    content: String,
    could_comment: Option<String>,
    ctype: Option<String>,
    benefit: Option<String>,
    ext_tags: Option<String>,
    login_ids: Option<String>,
}

/// A pass template.
#[derive(Debug, Clone)]
struct PassTemplate {
    app_id: String,
    unique_id: String,
    tpl_content: String,
}

/// A pass issued from a template: only its ids are answered.
#[derive(Debug, Clone)]
struct PassInstance {
    pass_id: String,
    serial_number: String,
}

/// The state of these methods.
#[derive(Debug, Default)]
pub(crate) struct State {
    contents: HashMap<String, Content>,
    messages: Vec<SentMessage>,
    /// app id → (primary, secondary) industry names.
    industries: HashMap<String, (String, String)>,
    templates: HashMap<String, PassTemplate>,
    /// (app id, serial number) → pass.
    passes: HashMap<(String, String), PassInstance>,
}

impl State {
    /// Every message sent.
    pub(crate) fn messages(&self) -> Vec<SentMessage> {
        self.messages.clone()
    }
}

fn invalid(msg: impl Into<String>) -> Failure {
    Failure::invalid("isv.invalid-parameter", msg)
}

fn owned(value: Option<Cow<'_, str>>) -> Option<String> {
    value.map(Cow::into_owned)
}

/// Checks the optional fields of an image-text content.
fn check_content_options(biz: &Biz<'_>) -> Result<(), Failure> {
    if let Some(flag) = biz.text("could_comment")?
        && !matches!(&*flag, "T" | "F")
    {
        return Err(invalid("是否允许评论could_comment只能是T或F"));
    }
    if let Some(ctype) = biz.text("ctype")?
        && ctype != "activity"
    {
        return Err(invalid("图文类型ctype只能是activity或不填"));
    }
    if let Some(benefit) = biz.text("benefit")?
        && benefit.chars().count() > 10
    {
        return Err(invalid("活动利益点benefit最多10个字符"));
    }
    if let Some(tags) = biz.text("ext_tags")?
        && tags.split(',').count() > 5
    {
        return Err(invalid("关键词ext_tags最多5个"));
    }
    if let Some(ids) = biz.text("login_ids")?
        && ids.split(',').count() > 10
    {
        return Err(invalid("预览账号login_ids最多10个"));
    }
    Ok(())
}

fn content_node(shared: &Shared, content_id: &str) -> Node {
    let mut node = Node::success();
    node.str("content_id", content_id).str(
        "content_url",
        &format!("{}/life/content/{content_id}", shared.base_url()),
    );
    node
}

/// `alipay.open.public.message.content.create`: `title`, `cover` and `content` required.
pub(crate) fn content_create(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let content = Content {
        app_id: call.app_id.to_owned(),
        title: biz.required("title")?.into_owned(),
        cover: biz.required("cover")?.into_owned(),
        content: biz.required("content")?.into_owned(),
        could_comment: owned(biz.text("could_comment")?),
        ctype: owned(biz.text("ctype")?),
        benefit: owned(biz.text("benefit")?),
        ext_tags: owned(biz.text("ext_tags")?),
        login_ids: owned(biz.text("login_ids")?),
    };
    check_content_options(biz)?;
    let content_id = format!("{}{}", clock::today_digits(), random::uuid_like());
    lock(&call.shared.marketing)
        .contents
        .insert(content_id.clone(), content);
    Ok(content_node(call.shared, &content_id))
}

/// `alipay.open.public.message.content.modify`: the content must exist; the fields given
/// replace the stored ones.
pub(crate) fn content_modify(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let content_id = biz.required("content_id")?;
    check_content_options(biz)?;
    let mut state = lock(&call.shared.marketing);
    let Some(content) = state
        .contents
        .get_mut(&*content_id)
        .filter(|c| c.app_id == call.app_id)
    else {
        return Err(Failure::business("PUB.CONTENT_NOT_EXIST", "图文内容不存在"));
    };
    let replace = |field: &mut String, key: &str| -> Result<(), Failure> {
        if let Some(value) = biz.text(key)? {
            *field = value.into_owned();
        }
        Ok(())
    };
    replace(&mut content.title, "title")?;
    replace(&mut content.cover, "cover")?;
    replace(&mut content.content, "content")?;
    for (field, key) in [
        (&mut content.could_comment, "could_comment"),
        (&mut content.ctype, "ctype"),
        (&mut content.benefit, "benefit"),
        (&mut content.ext_tags, "ext_tags"),
        (&mut content.login_ids, "login_ids"),
    ] {
        if let Some(value) = biz.text(key)? {
            *field = Some(value.into_owned());
        }
    }
    drop(state);
    Ok(content_node(call.shared, &content_id))
}

fn record_message(
    call: &Call<'_>,
    method: &str,
    message_id: Option<String>,
    msg_type: Option<String>,
    to_user_id: Option<String>,
) {
    lock(&call.shared.marketing).messages.push(SentMessage {
        app_id: call.app_id.to_owned(),
        method: method.to_owned(),
        message_id,
        msg_type,
        to_user_id,
        biz_content: Value::Object(call.biz.0.clone()),
        recalled: false,
    });
}

/// The camelCase keys the Easy SDK wrongly sends in articles, and their wire names.
const CAMEL_CASE_KEYS: [(&str, &str); 2] =
    [("imageUrl", "image_url"), ("actionName", "action_name")];

fn check_article(index: usize, article: &Value) -> Result<(), Failure> {
    let Value::Object(map) = article else {
        return Err(invalid(format!("articles[{index}]必须是JSON对象")));
    };
    for (camel, snake) in CAMEL_CASE_KEYS {
        if map.contains_key(camel) {
            return Err(invalid(format!(
                "articles[{index}]中的参数{camel}不存在，应为{snake}"
            )));
        }
    }
    let article = Biz(map);
    for key in ["desc", "url"] {
        if article.text(key)?.is_none() {
            return Err(Failure::missing_field(&format!("articles[{index}].{key}")));
        }
    }
    for key in ["title", "image_url", "action_name"] {
        article.text(key)?;
    }
    Ok(())
}

/// `alipay.open.public.message.total.send`: a group message, `text` (with `text.content`) or
/// `image-text` (with `articles`, each with `desc` and `url`, snake_case keys).
pub(crate) fn total_send(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let msg_type = biz.required("msg_type")?;
    match &*msg_type {
        "text" => {
            let text = biz.required_object("text")?;
            if text.text("content")?.is_none() {
                return Err(Failure::missing_field("text.content"));
            }
            text.text("title")?;
        }
        "image-text" => {
            let articles = match biz.0.get("articles") {
                None | Some(Value::Null) => return Err(Failure::missing_field("articles")),
                Some(Value::Array(list)) if list.is_empty() => {
                    return Err(invalid("图文消息articles不能为空"));
                }
                Some(Value::Array(list)) => list,
                Some(_) => return Err(invalid("参数articles必须是数组")),
            };
            for (i, article) in articles.iter().enumerate() {
                check_article(i, article)?;
            }
        }
        _ => return Err(invalid("消息类型msg_type只能是text或image-text")),
    }
    let message_id = format!("{}{}", clock::today_digits(), random::uuid_like());
    record_message(
        call,
        "alipay.open.public.message.total.send",
        Some(message_id.clone()),
        Some(msg_type.into_owned()),
        None,
    );
    let mut node = Node::success();
    node.str("message_id", &message_id);
    Ok(node)
}

/// `alipay.open.public.message.single.send`: a template message to one user. Any template id is
/// accepted; the keywords, when given, are `{value, color}` objects.
pub(crate) fn single_send(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let to_user_id = biz.required("to_user_id")?;
    let template = biz.required_object("template")?;
    if template.text("template_id")?.is_none() {
        return Err(Failure::missing_field("template.template_id"));
    }
    let Some(context) = template.object("context")? else {
        return Err(Failure::missing_field("template.context"));
    };
    for key in ["head_color", "url", "action_name"] {
        if context.text(key)?.is_none() {
            return Err(Failure::missing_field(&format!("template.context.{key}")));
        }
    }
    for key in ["keyword1", "keyword2", "first", "remark"] {
        if let Some(keyword) = context.object(key)? {
            if keyword.text("value")?.is_none() {
                return Err(Failure::missing_field(&format!(
                    "template.context.{key}.value"
                )));
            }
            keyword.text("color")?;
        }
    }
    record_message(
        call,
        "alipay.open.public.message.single.send",
        None,
        None,
        Some(to_user_id.into_owned()),
    );
    Ok(Node::success())
}

/// `alipay.open.public.life.msg.recall`: a group message sent by this app.
pub(crate) fn recall(call: &mut Call<'_>) -> Result<Node, Failure> {
    let message_id = call.biz.required("message_id")?;
    let mut state = lock(&call.shared.marketing);
    let found = state
        .messages
        .iter_mut()
        .find(|m| m.app_id == call.app_id && m.message_id.as_deref() == Some(&*message_id));
    match found {
        Some(message) => {
            message.recalled = true;
            Ok(Node::success())
        }
        None => Err(Failure::business("PUB.RCD_MSG_NOT_EXIST", "消息不存在")),
    }
}

/// `alipay.open.public.template.message.industry.modify`: the four fields are required.
pub(crate) fn industry_modify(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    biz.required("primary_industry_code")?;
    let primary = biz.required("primary_industry_name")?;
    biz.required("secondary_industry_code")?;
    let secondary = biz.required("secondary_industry_name")?;
    lock(&call.shared.marketing).industries.insert(
        call.app_id.to_owned(),
        (primary.into_owned(), secondary.into_owned()),
    );
    Ok(Node::success())
}

/// `alipay.open.public.setting.category.query`: the names of the last industry set (or IT科技 /
/// IT软件与服务).
pub(crate) fn category_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let state = lock(&call.shared.marketing);
    let (primary, secondary) = state
        .industries
        .get(call.app_id)
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .unwrap_or((DEFAULT_PRIMARY_CATEGORY, DEFAULT_SECONDARY_CATEGORY));
    let mut node = Node::success();
    node.str("primary_category", primary)
        .str("secondary_category", secondary);
    Ok(node)
}

/// The `$name$` placeholders of a template, in order, without duplicates.
fn placeholders(tpl_content: &str) -> Vec<String> {
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    let mut out: Vec<String> = Vec::new();
    let mut rest = tpl_content;
    while let Some((_, after)) = rest.split_once('$') {
        let Some((name, tail)) = after.split_once('$') else {
            break;
        };
        if !name.is_empty() && name.chars().all(valid) {
            if !out.iter().any(|p| p == name) {
                out.push(name.to_owned());
            }
            rest = tail;
        } else {
            // The closing `$` may open the next placeholder.
            rest = &after[name.len()..];
        }
    }
    out
}

/// The answer of the pass methods: `success` (a JSON boolean) and `result` (a JSON string).
fn pass_node(result: &Map<String, Value>) -> Node {
    let mut node = Node::success();
    node.bool("success", true)
        .str("result", &Value::Object(result.clone()).to_string());
    node
}

fn template_result(tpl_id: &str, tpl_content: &str) -> Map<String, Value> {
    let mut result = Map::new();
    result.insert("tpl_id".into(), Value::String(tpl_id.to_owned()));
    result.insert(
        "tpl_params".into(),
        Value::Array(
            placeholders(tpl_content)
                .into_iter()
                .map(Value::String)
                .collect(),
        ),
    );
    result
}

fn template_missing() -> Failure {
    Failure::business("KP.AE_ALIPASS_NOTEXIST", "模板不存在")
}

/// `alipay.pass.template.add`: `unique_id` and `tpl_content` (a JSON string). The same
/// `unique_id` again answers the template it created.
pub(crate) fn pass_template_add(call: &mut Call<'_>) -> Result<Node, Failure> {
    let unique_id = call.biz.required("unique_id")?;
    let (tpl_content, _) = call.biz.json_object("tpl_content")?;
    let mut state = lock(&call.shared.marketing);
    let existing = state
        .templates
        .iter()
        .find(|(_, t)| t.app_id == call.app_id && t.unique_id == *unique_id)
        .map(|(id, t)| (id.clone(), t.tpl_content.clone()));
    let (tpl_id, content) = match existing {
        Some(found) => found,
        None => {
            let tpl_id = format!("{}{}", clock::today_digits(), random::random_digits(20));
            state.templates.insert(
                tpl_id.clone(),
                PassTemplate {
                    app_id: call.app_id.to_owned(),
                    unique_id: unique_id.into_owned(),
                    tpl_content: tpl_content.clone().into_owned(),
                },
            );
            (tpl_id, tpl_content.into_owned())
        }
    };
    Ok(pass_node(&template_result(&tpl_id, &content)))
}

/// `alipay.pass.template.update`: `tpl_id` must be a template of this app.
pub(crate) fn pass_template_update(call: &mut Call<'_>) -> Result<Node, Failure> {
    let tpl_id = call.biz.required("tpl_id")?;
    let (tpl_content, _) = call.biz.json_object("tpl_content")?;
    let mut state = lock(&call.shared.marketing);
    let template = state
        .templates
        .get_mut(&*tpl_id)
        .filter(|t| t.app_id == call.app_id)
        .ok_or_else(template_missing)?;
    template.tpl_content = tpl_content.clone().into_owned();
    Ok(pass_node(&template_result(&tpl_id, &tpl_content)))
}

fn instance_result(pass: &PassInstance) -> Map<String, Value> {
    let mut result = Map::new();
    result.insert(
        "serialNumber".into(),
        Value::String(pass.serial_number.clone()),
    );
    result.insert("passId".into(), Value::String(pass.pass_id.clone()));
    result
}

/// `alipay.pass.instance.add`: a pass of a template of this app; `tpl_params` and
/// `recognition_info` are JSON strings. The serial number is `tpl_params.serialNumber` when
/// given.
pub(crate) fn pass_instance_add(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let tpl_id = biz.required("tpl_id")?;
    let (_, params) = biz.json_object("tpl_params")?;
    let recognition_type = biz.required("recognition_type")?;
    if !matches!(&*recognition_type, "1" | "2" | "3") {
        return Err(invalid("识别类型recognition_type只能是1、2或3"));
    }
    biz.json_object("recognition_info")?;
    let mut state = lock(&call.shared.marketing);
    if state
        .templates
        .get(&*tpl_id)
        .is_none_or(|t| t.app_id != call.app_id)
    {
        return Err(template_missing());
    }
    let serial_number = match params.get("serialNumber") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => random::random_digits(20),
    };
    let key = (call.app_id.to_owned(), serial_number.clone());
    if state.passes.contains_key(&key) {
        return Err(Failure::business(
            "KP.AE_ALIPASS_SERIALNUMBER_DUPLICATE",
            "卡券序列号serialNumber重复",
        ));
    }
    let pass = PassInstance {
        pass_id: format!("{}{}", clock::today_digits(), random::random_digits(16)),
        serial_number,
    };
    let node = pass_node(&instance_result(&pass));
    state.passes.insert(key, pass);
    Ok(node)
}

/// `alipay.pass.instance.update`: `serial_number` of a pass of this app and `channel_id`;
/// `status` `USED` or `CLOSED`; `verify_code` and `verify_type` together.
pub(crate) fn pass_instance_update(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let serial_number = biz.required("serial_number")?;
    biz.required("channel_id")?;
    let status = biz.text("status")?;
    if let Some(status) = &status
        && !matches!(&**status, "USED" | "CLOSED")
    {
        return Err(invalid("状态status只能是USED或CLOSED"));
    }
    if biz.text("tpl_params")?.is_some() {
        biz.json_object("tpl_params")?;
    }
    if biz.text("verify_code")?.is_some() != biz.text("verify_type")?.is_some() {
        return Err(invalid("verify_code和verify_type必须同时传入"));
    }
    let state = lock(&call.shared.marketing);
    let key = (call.app_id.to_owned(), serial_number.into_owned());
    let Some(pass) = state.passes.get(&key) else {
        return Err(Failure::business("KP.AE_ALIPASS_NOTEXIST", "卡券不存在"));
    };
    Ok(pass_node(&instance_result(pass)))
}

/// `alipay.open.app.mini.templatemessage.send`: every field required, `data` a JSON object
/// string; any template id is accepted.
pub(crate) fn mini_template_message(call: &mut Call<'_>) -> Result<Node, Failure> {
    let biz = &call.biz;
    let to_user_id = biz.required("to_user_id")?;
    biz.required("form_id")?;
    biz.required("user_template_id")?;
    biz.required("page")?;
    biz.json_object("data")?;
    record_message(
        call,
        "alipay.open.app.mini.templatemessage.send",
        None,
        None,
        Some(to_user_id.into_owned()),
    );
    Ok(Node::success())
}

/// `GET /life/content/<content_id>`: a content as the life account shows it.
pub(crate) fn content_route(
    shared: &Shared,
    method: &HttpMethod,
    content_id: &str,
) -> Response<Full<Bytes>> {
    if let Some(refused) = get_only(method) {
        return refused;
    }
    let state = lock(&shared.marketing);
    let Some(content) = state.contents.get(content_id) else {
        return respond(
            StatusCode::NOT_FOUND,
            TEXT_CONTENT_TYPE,
            "no such content\n",
        );
    };
    // The body is rich text written by the merchant: shown escaped, as the sandbox does not
    // sanitise HTML.
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><img src=\"{cover}\" alt=\"\"><pre>{body}</pre></body></html>\n",
        title = html_escape(&content.title),
        cover = html_escape(&content.cover),
        body = html_escape(&content.content),
    );
    respond(StatusCode::OK, HTML_CONTENT_TYPE, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_placeholders() {
        assert_eq!(
            placeholders(r#"{"a":"$name$","b":"$start.date$ to $end$","c":"$name$","d":"5$"}"#),
            ["name", "start.date", "end"]
        );
        assert!(placeholders("no dollars").is_empty());
        assert!(placeholders("$$ $ $").is_empty());
    }
}
