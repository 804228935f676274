//! Life account (生活号) messages: image-text content, mass messages, template messages to one
//! user, recalls, and the template message industry.
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::marketing::open_life::{Article, PublicLifeMsgRecall, PublicMessageTotalSendImageText, PublicMessageTotalSendText};
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! let sent = client.send(PublicMessageTotalSendText::builder().text("Open today until 22:00").build()).await?;
//! client
//!     .send(PublicLifeMsgRecall::builder().message_id(sent.message_id).build())
//!     .await?;
//! let article = Article::new("Our autumn menu", "https://m.example/menu")
//!     .title("Autumn menu")
//!     .image_url("https://img.example/autumn.jpg");
//! client
//!     .send(PublicMessageTotalSendImageText::builder().articles(vec![article]).build())
//!     .await?;
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};

use crate::response::EmptyResponse;

/// `alipay.open.public.message.content.create`: creates an image-text content (图文内容) of the
/// life account (Easy SDK `OpenLife.createImageTextContent`).
///
/// The Easy SDK's `contentComment` argument is the wire field `could_comment`.
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.message.content.create>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::PublicMessageContentCreate;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let created = client
///     .send(
///         PublicMessageContentCreate::builder()
///             .title("New store")
///             .cover("https://img.example/cover.jpg")
///             .content("<p>We open on Monday.</p>")
///             .could_comment(true)
///             .ext_tags("store,opening")
///             .build(),
///     )
///     .await?;
/// println!("{} {}", created.content_id, created.content_url);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.message.content.create")]
#[alipay(
    method = "alipay.open.public.message.content.create",
    v3 = "POST /v3/alipay/open/public/message/content/create",
    response = ContentResponse
)]
#[must_use]
#[non_exhaustive]
pub struct PublicMessageContentCreate {
    /// The title.
    pub title: String,
    /// The cover image URL (996×450, at most 3 MB, JPG or PNG), from an
    /// [image upload](crate::base::image::ImageUpload).
    pub cover: String,
    /// The body (rich text).
    pub content: String,
    /// Whether to allow comments (sent as `T`/`F`; Alipay's default is not to).
    #[serde(with = "crate::flag::tf::option")]
    pub could_comment: Option<bool>,
    /// `activity` for an activity; not set for an ordinary content.
    pub ctype: Option<String>,
    /// The activity's benefit (at most 10 characters), for `ctype = activity`.
    pub benefit: Option<String>,
    /// Keywords, comma separated (at most 5).
    pub ext_tags: Option<String>,
    /// Alipay accounts that may preview the content, comma separated (at most 10).
    pub login_ids: Option<String>,
}

/// `alipay.open.public.message.content.modify`: changes an image-text content (Easy SDK
/// `OpenLife.modifyImageTextContent`).
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.message.content.modify>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::PublicMessageContentModify;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let modified = client
///     .send(
///         PublicMessageContentModify::builder()
///             .content_id("20190510645210035577f788-d6cd-4020-9dba-1a195edb7342")
///             .title("New store (updated)")
///             .cover("https://img.example/cover.jpg")
///             .content("<p>We open on Tuesday.</p>")
///             .build(),
///     )
///     .await?;
/// # let _ = modified;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.message.content.modify")]
#[alipay(
    method = "alipay.open.public.message.content.modify",
    v3 = "POST /v3/alipay/open/public/message/content/modify",
    response = ContentResponse
)]
#[must_use]
#[non_exhaustive]
pub struct PublicMessageContentModify {
    /// The content's id, from [`PublicMessageContentCreate`].
    pub content_id: String,
    /// The title.
    pub title: String,
    /// The cover image URL (996×450, at most 3 MB, JPG or PNG).
    pub cover: String,
    /// The body (rich text).
    pub content: String,
    /// Whether to allow comments (sent as `T`/`F`).
    #[serde(with = "crate::flag::tf::option")]
    pub could_comment: Option<bool>,
    /// `activity` for an activity; not set for an ordinary content.
    pub ctype: Option<String>,
    /// The activity's benefit (at most 10 characters), for `ctype = activity`.
    pub benefit: Option<String>,
    /// Keywords, comma separated (at most 5).
    pub ext_tags: Option<String>,
    /// Alipay accounts that may preview the content, comma separated (at most 10).
    pub login_ids: Option<String>,
}

/// The answer to [`PublicMessageContentCreate`] and [`PublicMessageContentModify`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ContentResponse {
    /// The content's id.
    pub content_id: String,
    /// The content's URL.
    pub content_url: String,
}

/// The text of a [`PublicMessageTotalSendText`] message: `{"title": …, "content": …}`. Built from a string, the
/// title is empty, as the Easy SDK sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    /// The title (empty by default).
    pub title: String,
    /// The message text.
    pub content: String,
}

impl From<&str> for Text {
    fn from(content: &str) -> Self {
        Self::from(content.to_owned())
    }
}

impl From<String> for Text {
    fn from(content: String) -> Self {
        Self {
            title: String::new(),
            content,
        }
    }
}

/// `alipay.open.public.message.total.send` with `msg_type=text`: sends a text message to every
/// follower of the life account (Easy SDK `OpenLife.sendText`).
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.message.total.send>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::PublicMessageTotalSendText;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let sent = client.send(PublicMessageTotalSendText::builder().text("Hello, followers").build()).await?;
/// println!("message_id = {}", sent.message_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.message.total.send")]
#[alipay(
    method = "alipay.open.public.message.total.send",
    v3 = "POST /v3/alipay/open/public/message/total/send",
    response = TotalSendResponse,
    fixed_biz(msg_type = "text")
)]
#[must_use]
#[non_exhaustive]
pub struct PublicMessageTotalSendText {
    /// The text; a `&str` or `String` converts into it with an empty title.
    pub text: Text,
}

/// One article of a [`PublicMessageTotalSendImageText`] message. Keys are sent in snake_case (`image_url`,
/// `action_name`), as the gateway expects (the Java Easy SDK sends camelCase, a bug).
///
/// ```
/// use alipay::marketing::open_life::Article;
///
/// let article = Article::new("Autumn menu", "https://m.example/menu")
///     .title("New")
///     .image_url("https://img.example/a.jpg")
///     .action_name("Read");
/// assert_eq!(
///     serde_json::to_value(&article)?,
///     serde_json::json!({
///         "title": "New", "desc": "Autumn menu", "image_url": "https://img.example/a.jpg",
///         "url": "https://m.example/menu", "action_name": "Read"
///     })
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Article {
    /// The title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The description.
    pub desc: String,
    /// The image URL (from an [image upload](crate::base::image::ImageUpload)); required for the
    /// first article of a message with several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Where a tap on the article leads.
    pub url: String,
    /// The link's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_name: Option<String>,
}

impl Article {
    /// An article with its description and link.
    pub fn new(desc: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            desc: desc.into(),
            url: url.into(),
            ..Self::default()
        }
    }

    /// Sets the title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the image URL.
    #[must_use]
    pub fn image_url(mut self, image_url: impl Into<String>) -> Self {
        self.image_url = Some(image_url.into());
        self
    }

    /// Sets the link's text.
    #[must_use]
    pub fn action_name(mut self, action_name: impl Into<String>) -> Self {
        self.action_name = Some(action_name.into());
        self
    }
}

/// `alipay.open.public.message.total.send` with `msg_type=image-text`: sends image-text articles
/// to every follower (Easy SDK `OpenLife.sendImageText`).
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.message.total.send>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::{Article, PublicMessageTotalSendImageText};
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let articles = vec![
///     Article::new("Opening hours", "https://m.example/hours").image_url("https://img.example/h.jpg"),
/// ];
/// let sent = client.send(PublicMessageTotalSendImageText::builder().articles(articles).build()).await?;
/// # let _ = sent;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.message.total.send")]
#[alipay(
    method = "alipay.open.public.message.total.send",
    v3 = "POST /v3/alipay/open/public/message/total/send",
    response = TotalSendResponse,
    fixed_biz(msg_type = "image-text")
)]
#[must_use]
#[non_exhaustive]
pub struct PublicMessageTotalSendImageText {
    /// The articles, in order.
    pub articles: Vec<Article>,
}

/// The answer to [`PublicMessageTotalSendText`] and [`PublicMessageTotalSendImageText`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TotalSendResponse {
    /// The message's id, for [`PublicLifeMsgRecall`].
    pub message_id: String,
}

/// A value of a template placeholder and its colour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Keyword {
    /// The text colour, e.g. `#85be53`.
    pub color: String,
    /// The placeholder's value.
    pub value: String,
}

impl Keyword {
    /// A placeholder value in a colour.
    pub fn new(value: impl Into<String>, color: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            color: color.into(),
        }
    }
}

/// The context of a [`Template`]: the placeholders' values and the message's link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The colour of the top bar, e.g. `#85be53`.
    pub head_color: String,
    /// Where a tap on the message leads.
    pub url: String,
    /// The link's text (at most 8 Chinese or 16 Latin characters), e.g. `查看详情`.
    pub action_name: String,
    /// The `keyword1` placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword1: Option<Keyword>,
    /// The `keyword2` placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword2: Option<Keyword>,
    /// The `first` placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Keyword>,
    /// The `remark` placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<Keyword>,
}

/// A template message: the template and its context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Template {
    /// The message template's id.
    pub template_id: String,
    /// The placeholders' values and the link.
    pub context: Context,
}

/// `alipay.open.public.message.single.send`: sends a template message to one follower (Easy SDK
/// `OpenLife.sendSingleMessage`).
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.message.single.send>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::{Context, Keyword, PublicMessageSingleSend, Template};
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let template = Template {
///     template_id: "e4f3d6a2a34e4ac2a9fa2e8a1b2c3d4e".into(),
///     context: Context {
///         head_color: "#85be53".into(),
///         url: "https://m.example/order/1".into(),
///         action_name: "查看详情".into(),
///         keyword1: Some(Keyword::new("Order 1", "#85be53")),
///         ..Context::default()
///     },
/// };
/// client
///     .send(PublicMessageSingleSend::builder().to_user_id("2088102122458832").template(template).build())
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.message.single.send")]
#[alipay(
    method = "alipay.open.public.message.single.send",
    v3 = "POST /v3/alipay/open/public/message/single/send",
    response = EmptyResponse
)]
#[must_use]
#[non_exhaustive]
pub struct PublicMessageSingleSend {
    /// The follower's user id.
    pub to_user_id: String,
    /// The message.
    pub template: Template,
}

/// `alipay.open.public.life.msg.recall`: recalls a message sent to the followers (Easy SDK
/// `OpenLife.recallMessage`).
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.life.msg.recall>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::PublicLifeMsgRecall;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// client
///     .send(PublicLifeMsgRecall::builder().message_id("201905106452100327f456f6-8dd2-4a06-8b0e-ec8a3a85c46a").build())
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.life.msg.recall")]
#[alipay(
    method = "alipay.open.public.life.msg.recall",
    v3 = "POST /v3/alipay/open/public/life/msg/recall",
    response = EmptyResponse
)]
#[must_use]
#[non_exhaustive]
pub struct PublicLifeMsgRecall {
    /// The message's id, from [`TotalSendResponse`].
    pub message_id: String,
}

/// `alipay.open.public.template.message.industry.modify`: sets the industry of the life
/// account's template messages (Easy SDK `OpenLife.setIndustry`).
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.template.message.industry.modify>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::PublicTemplateMessageIndustryModify;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// client
///     .send(
///         PublicTemplateMessageIndustryModify::builder()
///             .primary_industry_code("10001")
///             .primary_industry_name("IT科技")
///             .secondary_industry_code("10001")
///             .secondary_industry_name("IT软件与服务")
///             .build(),
///     )
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.public.template.message.industry.modify")]
#[alipay(
    method = "alipay.open.public.template.message.industry.modify",
    v3 = "POST /v3/alipay/open/public/template/message/industry/modify",
    response = EmptyResponse
)]
#[must_use]
#[non_exhaustive]
pub struct PublicTemplateMessageIndustryModify {
    /// The main industry's first-level code.
    pub primary_industry_code: String,
    /// The main industry's first-level name.
    pub primary_industry_name: String,
    /// The main industry's second-level code.
    pub secondary_industry_code: String,
    /// The main industry's second-level name.
    pub secondary_industry_name: String,
}

/// `alipay.open.public.setting.category.query`: the life account's industry categories (Easy
/// SDK `OpenLife.getIndustry`). It has no parameters.
///
/// <https://opendocs.alipay.com/apis/api_6/alipay.open.public.setting.category.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::marketing::open_life::PublicSettingCategoryQuery;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let industry = client.send(PublicSettingCategoryQuery::builder().build()).await?;
/// println!("{:?} / {:?}", industry.primary_category, industry.secondary_category);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, crate::Request)]
#[doc(alias = "alipay.open.public.setting.category.query")]
#[alipay(
    method = "alipay.open.public.setting.category.query",
    v3 = "GET /v3/alipay/open/public/setting/category/query",
    response = PublicSettingCategoryQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct PublicSettingCategoryQuery {}

/// The answer to [`PublicSettingCategoryQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PublicSettingCategoryQueryResponse {
    /// The first-level category.
    pub primary_category: Option<String>,
    /// The second-level category.
    pub secondary_category: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::request::{Method, Params};

    fn biz(request: &impl Method) -> serde_json::Value {
        let mut params = Params::new();
        request.encode(&mut params).unwrap();
        serde_json::Value::Object(params.biz_params().clone())
    }

    #[test]
    fn text_and_image_text_messages() {
        assert_eq!(
            biz(&PublicMessageTotalSendText::builder().text("hi").build()),
            json!({"msg_type": "text", "text": {"title": "", "content": "hi"}})
        );
        let articles = vec![Article::new("d", "https://u").image_url("https://i")];
        assert_eq!(
            biz(&PublicMessageTotalSendImageText::builder()
                .articles(articles)
                .build()),
            json!({"msg_type": "image-text", "articles": [
                {"desc": "d", "image_url": "https://i", "url": "https://u"}
            ]})
        );
    }

    #[test]
    fn content_comment_is_could_comment_and_unset_fields_are_left_out() {
        let request = PublicMessageContentCreate::builder()
            .title("t")
            .cover("c")
            .content("b")
            .could_comment(true)
            .build();
        assert_eq!(
            biz(&request),
            json!({"title": "t", "cover": "c", "content": "b", "could_comment": "T"})
        );
        assert_eq!(
            biz(&PublicSettingCategoryQuery::builder().build()),
            json!({})
        );
    }

    #[test]
    fn single_message_template() {
        let template = Template {
            template_id: "tpl".into(),
            context: Context {
                head_color: "#000000".into(),
                url: "https://u".into(),
                action_name: "go".into(),
                first: Some(Keyword::new("v", "#111111")),
                ..Context::default()
            },
        };
        let request = PublicMessageSingleSend::builder()
            .to_user_id("2088")
            .template(template)
            .build();
        assert_eq!(
            biz(&request),
            json!({"to_user_id": "2088", "template": {"template_id": "tpl", "context": {
                "head_color": "#000000", "url": "https://u", "action_name": "go",
                "first": {"color": "#111111", "value": "v"}
            }}})
        );
    }
}
