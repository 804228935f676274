//! The gateway methods the sandbox implements, the context a verified call runs in, and the
//! dispatch to the modules that implement them.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::notify::Notice;
use super::wire::{Failure, Node};
use super::{App, ReceivedFile, Shared};
use super::{agreement, fund, isv, marketing, member, open, preauth, settle, trade};
use crate::Amount;

/// The gateway methods the sandbox implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Create,
    Query,
    Refund,
    RefundQuery,
    Close,
    Cancel,
    BillUrl,
    Pay,
    Precreate,
    PagePay,
    WapPay,
    Certify,
    OauthToken,
    QrcodeCreate,
    ImageUpload,
    RiskDetect,
    ContentCreate,
    ContentModify,
    TotalSend,
    SingleSend,
    Recall,
    IndustryModify,
    CategoryQuery,
    PassTemplateAdd,
    PassTemplateUpdate,
    PassInstanceAdd,
    PassInstanceUpdate,
    MiniTemplateMessage,
    CertifyInitialize,
    CertifyQuery,
    AlipayCertDownload,
    AgreementPageSign,
    AgreementQuery,
    AgreementUnsign,
    AgreementPlanModify,
    AuthTokenApp,
    AuthTokenAppQuery,
    AuthFreeze,
    AuthVoucherCreate,
    AuthUnfreeze,
    AuthCancel,
    AuthDetailQuery,
    OrderinfoSync,
    FundTransfer,
    FundTransQuery,
    FundAccountQuery,
    FundTransRefund,
    EreceiptApply,
    EreceiptQuery,
    RefundApply,
    OrderSettle,
    OrderSettleQuery,
    OnsettleQuery,
    RoyaltyBind,
    RoyaltyUnbind,
    RoyaltyBatchquery,
    RoyaltyRateQuery,
}

impl Method {
    /// The method of an Alipay method name, if the sandbox implements it.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "alipay.trade.create" => Self::Create,
            "alipay.trade.query" => Self::Query,
            "alipay.trade.refund" => Self::Refund,
            "alipay.trade.fastpay.refund.query" => Self::RefundQuery,
            "alipay.trade.close" => Self::Close,
            "alipay.trade.cancel" => Self::Cancel,
            "alipay.data.dataservice.bill.downloadurl.query" => Self::BillUrl,
            "alipay.trade.pay" => Self::Pay,
            "alipay.trade.precreate" => Self::Precreate,
            "alipay.trade.page.pay" => Self::PagePay,
            "alipay.trade.wap.pay" => Self::WapPay,
            "alipay.user.certify.open.certify" => Self::Certify,
            "alipay.system.oauth.token" => Self::OauthToken,
            "alipay.open.app.qrcode.create" => Self::QrcodeCreate,
            "alipay.offline.material.image.upload" => Self::ImageUpload,
            "alipay.security.risk.content.detect" => Self::RiskDetect,
            "alipay.open.public.message.content.create" => Self::ContentCreate,
            "alipay.open.public.message.content.modify" => Self::ContentModify,
            "alipay.open.public.message.total.send" => Self::TotalSend,
            "alipay.open.public.message.single.send" => Self::SingleSend,
            "alipay.open.public.life.msg.recall" => Self::Recall,
            "alipay.open.public.template.message.industry.modify" => Self::IndustryModify,
            "alipay.open.public.setting.category.query" => Self::CategoryQuery,
            "alipay.pass.template.add" => Self::PassTemplateAdd,
            "alipay.pass.template.update" => Self::PassTemplateUpdate,
            "alipay.pass.instance.add" => Self::PassInstanceAdd,
            "alipay.pass.instance.update" => Self::PassInstanceUpdate,
            "alipay.open.app.mini.templatemessage.send" => Self::MiniTemplateMessage,
            "alipay.user.certify.open.initialize" => Self::CertifyInitialize,
            "alipay.user.certify.open.query" => Self::CertifyQuery,
            "alipay.open.app.alipaycert.download" => Self::AlipayCertDownload,
            "alipay.user.agreement.page.sign" => Self::AgreementPageSign,
            "alipay.user.agreement.query" => Self::AgreementQuery,
            "alipay.user.agreement.unsign" => Self::AgreementUnsign,
            "alipay.user.agreement.executionplan.modify" => Self::AgreementPlanModify,
            "alipay.open.auth.token.app" => Self::AuthTokenApp,
            "alipay.open.auth.token.app.query" => Self::AuthTokenAppQuery,
            "alipay.fund.auth.order.freeze" => Self::AuthFreeze,
            "alipay.fund.auth.order.voucher.create" => Self::AuthVoucherCreate,
            "alipay.fund.auth.order.unfreeze" => Self::AuthUnfreeze,
            "alipay.fund.auth.operation.cancel" => Self::AuthCancel,
            "alipay.fund.auth.operation.detail.query" => Self::AuthDetailQuery,
            "alipay.trade.orderinfo.sync" => Self::OrderinfoSync,
            "alipay.fund.trans.uni.transfer" => Self::FundTransfer,
            "alipay.fund.trans.common.query" => Self::FundTransQuery,
            "alipay.fund.account.query" => Self::FundAccountQuery,
            "alipay.fund.trans.refund" => Self::FundTransRefund,
            "alipay.data.bill.ereceipt.apply" => Self::EreceiptApply,
            "alipay.data.bill.ereceipt.query" => Self::EreceiptQuery,
            "alipay.trade.refund.apply" => Self::RefundApply,
            "alipay.trade.order.settle" => Self::OrderSettle,
            "alipay.trade.order.settle.query" => Self::OrderSettleQuery,
            "alipay.trade.order.onsettle.query" => Self::OnsettleQuery,
            "alipay.trade.royalty.relation.bind" => Self::RoyaltyBind,
            "alipay.trade.royalty.relation.unbind" => Self::RoyaltyUnbind,
            "alipay.trade.royalty.relation.batchquery" => Self::RoyaltyBatchquery,
            "alipay.trade.royalty.rate.query" => Self::RoyaltyRateQuery,
            _ => return None,
        })
    }

    /// Whether a browser opens it (page and WAP pay, certify, agreement signing): answered
    /// with HTML pages.
    pub(crate) fn is_page(self) -> bool {
        matches!(
            self,
            Self::PagePay | Self::WapPay | Self::Certify | Self::AgreementPageSign
        )
    }
}

/// A verified call: who calls, with which parameters.
pub(crate) struct Call<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) app_id: &'a str,
    pub(crate) app: &'a App,
    /// Every top-level parameter (query, form body and multipart text parts), `sign` included.
    pub(crate) params: &'a [(String, String)],
    pub(crate) biz: Biz<'a>,
    pub(crate) files: &'a [ReceivedFile],
    /// Notifications of the call (payments, refunds, closes), delivered once it is answered
    /// (a payment's first attempt before the answer).
    pub(crate) notices: Vec<Notice>,
}

impl<'a> Call<'a> {
    /// A non-empty top-level parameter.
    pub(crate) fn text(&self, key: &str) -> Option<&'a str> {
        super::decode::param(self.params, key)
    }

    /// A required top-level parameter.
    pub(crate) fn required_text(&self, key: &str) -> Result<&'a str, Failure> {
        self.text(key).ok_or_else(|| Failure::missing_field(key))
    }
}

/// Reads `biz_content` fields (or the fields of an object inside it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Biz<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Biz<'a> {
    /// A text field: a JSON string, or leniently a number; absent, `null` and `""` are `None`.
    pub(crate) fn text(&self, key: &str) -> Result<Option<Cow<'a, str>>, Failure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s))),
            Some(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
            Some(_) => Err(wrong_type(key)),
        }
    }

    /// A required text field.
    pub(crate) fn required(&self, key: &str) -> Result<Cow<'a, str>, Failure> {
        self.text(key)?.ok_or_else(|| Failure::missing_field(key))
    }

    /// A required amount in yuan.
    pub(crate) fn amount(&self, key: &str, what: &str) -> Result<Amount, Failure> {
        let text = self.required(key)?;
        Amount::new(&*text)
            .map_err(|e| Failure::invalid("isv.invalid-parameter", format!("{what}格式错误: {e}")))
    }

    /// An object field; absent and `null` are `None`.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Biz<'a>>, Failure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Biz(map))),
            Some(_) => Err(wrong_type(key)),
        }
    }

    /// A required object field.
    pub(crate) fn required_object(&self, key: &str) -> Result<Biz<'a>, Failure> {
        self.object(key)?.ok_or_else(|| Failure::missing_field(key))
    }

    /// A required text field holding a JSON object (`tpl_content`, `data`, …), parsed.
    pub(crate) fn json_object(
        &self,
        key: &str,
    ) -> Result<(Cow<'a, str>, Map<String, Value>), Failure> {
        let text = self.required(key)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => Ok((text, map)),
            _ => Err(Failure::invalid(
                "isv.invalid-parameter",
                format!("参数{key}必须是JSON对象格式的字符串"),
            )),
        }
    }
}

fn wrong_type(key: &str) -> Failure {
    Failure::invalid("isv.invalid-parameter", format!("参数{key}的类型不正确"))
}

/// Runs one API method of a verified call (page methods are answered by `pages`).
pub(crate) fn execute(call: &mut Call<'_>, method: Method) -> Result<Node, Failure> {
    match method {
        Method::Create => trade::create(call),
        Method::Query => trade::query(call),
        Method::Refund => trade::refund(call),
        Method::RefundQuery => trade::refund_query(call),
        Method::Close => trade::close(call),
        Method::Cancel => trade::cancel(call),
        Method::BillUrl => trade::bill_url(call),
        Method::Pay => trade::pay(call),
        Method::Precreate => trade::precreate(call),
        Method::OauthToken => open::oauth_token(call),
        Method::QrcodeCreate => open::qrcode_create(call),
        Method::ImageUpload => open::image_upload(call),
        Method::RiskDetect => open::risk_detect(call),
        Method::ContentCreate => marketing::content_create(call),
        Method::ContentModify => marketing::content_modify(call),
        Method::TotalSend => marketing::total_send(call),
        Method::SingleSend => marketing::single_send(call),
        Method::Recall => marketing::recall(call),
        Method::IndustryModify => marketing::industry_modify(call),
        Method::CategoryQuery => marketing::category_query(call),
        Method::PassTemplateAdd => marketing::pass_template_add(call),
        Method::PassTemplateUpdate => marketing::pass_template_update(call),
        Method::PassInstanceAdd => marketing::pass_instance_add(call),
        Method::PassInstanceUpdate => marketing::pass_instance_update(call),
        Method::MiniTemplateMessage => marketing::mini_template_message(call),
        Method::CertifyInitialize => member::initialize(call),
        Method::CertifyQuery => member::query(call),
        Method::AlipayCertDownload => super::certs::download(call),
        Method::AgreementQuery => agreement::query(call),
        Method::AgreementUnsign => agreement::unsign(call),
        Method::AgreementPlanModify => agreement::modify(call),
        Method::AuthTokenApp => isv::token_app(call),
        Method::AuthTokenAppQuery => isv::token_query(call),
        Method::AuthFreeze => preauth::freeze(call),
        Method::AuthVoucherCreate => preauth::voucher_create(call),
        Method::AuthUnfreeze => preauth::unfreeze(call),
        Method::AuthCancel => preauth::cancel(call),
        Method::AuthDetailQuery => preauth::detail_query(call),
        Method::OrderinfoSync => preauth::orderinfo_sync(call),
        Method::FundTransfer => fund::transfer(call),
        Method::FundTransQuery => fund::common_query(call),
        Method::FundAccountQuery => fund::account_query(call),
        Method::FundTransRefund => fund::refund(call),
        Method::EreceiptApply => fund::ereceipt_apply(call),
        Method::EreceiptQuery => fund::ereceipt_query(call),
        Method::RefundApply => trade::refund_apply(call),
        Method::OrderSettle => settle::settle(call),
        Method::OrderSettleQuery => settle::settle_query(call),
        Method::OnsettleQuery => settle::onsettle_query(call),
        Method::RoyaltyBind => settle::bind(call),
        Method::RoyaltyUnbind => settle::unbind(call),
        Method::RoyaltyBatchquery => settle::batchquery(call),
        Method::RoyaltyRateQuery => settle::rate_query(call),
        Method::PagePay | Method::WapPay | Method::Certify | Method::AgreementPageSign => Err(
            Failure::invalid("isv.invalid-method", "该方法由浏览器打开，不能由服务端调用"),
        ),
    }
}
