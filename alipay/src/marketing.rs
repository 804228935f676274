//! Marketing capabilities (营销能力): the life account (生活号) messages, Alipay passes (卡包) and
//! mini program template messages.
//!
//! | Easy SDK call | request | Alipay method |
//! |---|---|---|
//! | `OpenLife.createImageTextContent` | [`open_life::CreateImageTextContent`] | `alipay.open.public.message.content.create` |
//! | `OpenLife.modifyImageTextContent` | [`open_life::ModifyImageTextContent`] | `alipay.open.public.message.content.modify` |
//! | `OpenLife.sendText` | [`open_life::SendText`] | `alipay.open.public.message.total.send` |
//! | `OpenLife.sendImageText` | [`open_life::SendImageText`] | `alipay.open.public.message.total.send` |
//! | `OpenLife.sendSingleMessage` | [`open_life::SendSingleMessage`] | `alipay.open.public.message.single.send` |
//! | `OpenLife.recallMessage` | [`open_life::RecallMessage`] | `alipay.open.public.life.msg.recall` |
//! | `OpenLife.setIndustry` | [`open_life::SetIndustry`] | `alipay.open.public.template.message.industry.modify` |
//! | `OpenLife.getIndustry` | [`open_life::GetIndustry`] | `alipay.open.public.setting.category.query` |
//! | `Pass.createTemplate` | [`pass::CreateTemplate`] | `alipay.pass.template.add` |
//! | `Pass.updateTemplate` | [`pass::UpdateTemplate`] | `alipay.pass.template.update` |
//! | `Pass.addInstance` | [`pass::AddInstance`] | `alipay.pass.instance.add` |
//! | `Pass.updateInstance` | [`pass::UpdateInstance`] | `alipay.pass.instance.update` |
//! | `TemplateMessage.send` | [`template_message::SendTemplateMessage`] | `alipay.open.app.mini.templatemessage.send` |

pub mod open_life;
pub mod pass;
pub mod template_message;
