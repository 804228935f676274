//! Marketing capabilities (营销能力): the life account (生活号) messages, Alipay passes (卡包) and
//! mini program template messages.
//!
//! | Easy SDK call | request | Alipay method |
//! |---|---|---|
//! | `OpenLife.createImageTextContent` | [`open_life::PublicMessageContentCreate`] | `alipay.open.public.message.content.create` |
//! | `OpenLife.modifyImageTextContent` | [`open_life::PublicMessageContentModify`] | `alipay.open.public.message.content.modify` |
//! | `OpenLife.sendText` | [`open_life::PublicMessageTotalSendText`] | `alipay.open.public.message.total.send` |
//! | `OpenLife.sendImageText` | [`open_life::PublicMessageTotalSendImageText`] | `alipay.open.public.message.total.send` |
//! | `OpenLife.sendSingleMessage` | [`open_life::PublicMessageSingleSend`] | `alipay.open.public.message.single.send` |
//! | `OpenLife.recallMessage` | [`open_life::PublicLifeMsgRecall`] | `alipay.open.public.life.msg.recall` |
//! | `OpenLife.setIndustry` | [`open_life::PublicTemplateMessageIndustryModify`] | `alipay.open.public.template.message.industry.modify` |
//! | `OpenLife.getIndustry` | [`open_life::PublicSettingCategoryQuery`] | `alipay.open.public.setting.category.query` |
//! | `Pass.createTemplate` | [`pass::PassTemplateAdd`] | `alipay.pass.template.add` |
//! | `Pass.updateTemplate` | [`pass::PassTemplateUpdate`] | `alipay.pass.template.update` |
//! | `Pass.addInstance` | [`pass::PassInstanceAdd`] | `alipay.pass.instance.add` |
//! | `Pass.updateInstance` | [`pass::PassInstanceUpdate`] | `alipay.pass.instance.update` |
//! | `TemplateMessage.send` | [`template_message::MiniTemplateMessageSend`] | `alipay.open.app.mini.templatemessage.send` |

pub mod open_life;
pub mod pass;
pub mod template_message;
