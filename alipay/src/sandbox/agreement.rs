//! Recurring debit: `alipay.user.agreement.page.sign` opens a signing page (or the Alipay app
//! takes its order string), the user signs, the sandbox sends `dut_user_sign`; the agreement
//! is queried, its next debit moved, it is unsigned (`dut_user_unsign`), and `alipay.trade.pay`
//! with `agreement_params` debits it while it is `NORMAL`.

use std::collections::HashMap;
use std::fmt::Write as _;

use bytes::Bytes;
use http::{Method as HttpMethod, Response, StatusCode};
use http_body_util::Full;

use super::api::{Biz, Call};
use super::browser::{self, CashierVisit};
use super::html::escape as html_escape;
use super::notify::{Family, FormNotice, Notice};
use super::pages::{error_page, html, is_http_url, page, redirect};
use super::trade::{self, NewTrade};
use super::wire::{Failure, Node, yuan};
use super::{NotificationKind, Sandbox, SandboxError, Shared, check, clock, deliver, lock, random};
use crate::Amount;

/// When a signed agreement ends, as Alipay writes "no end".
const NO_END: &str = "2115-02-01 00:00:00";

/// One agreement.
#[derive(Debug, Clone)]
struct Agreement {
    app_id: String,
    agreement_no: String,
    external_agreement_no: Option<String>,
    personal_product_code: String,
    sign_scene: Option<String>,
    external_logon_id: Option<String>,
    /// `TEMP`, `NORMAL` or `UNSIGN`.
    status: &'static str,
    sign_time: Option<String>,
    unsign_time: Option<String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    single_amount: Option<Amount>,
    next_deduct_time: Option<String>,
}

/// The agreements, and the signing pages open.
#[derive(Debug, Default)]
pub(crate) struct State {
    agreements: Vec<Agreement>,
    /// Signing page token → agreement number.
    pages: HashMap<String, String>,
}

impl State {
    fn find(&mut self, app_id: &str, biz: &Biz<'_>) -> Result<&mut Agreement, Failure> {
        let agreement_no = biz.text("agreement_no")?;
        let external = biz.text("external_agreement_no")?;
        if agreement_no.is_none() && external.is_none() {
            return Err(Failure::missing_field("agreement_no"));
        }
        self.agreements
            .iter_mut()
            .filter(|a| a.app_id == app_id)
            .find(|a| match (&agreement_no, &external) {
                (Some(no), _) => a.agreement_no == **no,
                (None, Some(ext)) => a.external_agreement_no.as_deref() == Some(&**ext),
                (None, None) => false,
            })
            .ok_or_else(not_found)
    }

    /// The agreement a signing page signs.
    fn of_page(&mut self, token: &str) -> Option<Agreement> {
        let agreement_no = self.pages.get(token)?.clone();
        self.by_no(&agreement_no).cloned()
    }

    fn by_no(&mut self, agreement_no: &str) -> Option<&mut Agreement> {
        self.agreements
            .iter_mut()
            .find(|a| a.agreement_no == agreement_no)
    }
}

fn not_found() -> Failure {
    Failure::business("USER_AGREEMENT_NOT_EXIST", "用户协议不存在")
}

/// The user's id and masked login: the sandbox buyer signs every agreement.
fn signer() -> (&'static str, &'static str) {
    (trade::SANDBOX_BUYER_ID, trade::SANDBOX_BUYER_LOGON_ID)
}

/// The `dut_user_sign` / `dut_user_unsign` notification of an agreement.
fn notice(agreement: &Agreement) -> Notice {
    let signed = agreement.status == "NORMAL";
    let (user_id, logon_id) = signer();
    let mut fields = vec![
        (
            "notify_type",
            if signed {
                "dut_user_sign"
            } else {
                "dut_user_unsign"
            }
            .to_owned(),
        ),
        ("app_id", agreement.app_id.clone()),
        ("agreement_no", agreement.agreement_no.clone()),
        ("status", agreement.status.to_owned()),
        (
            "personal_product_code",
            agreement.personal_product_code.clone(),
        ),
        (
            "external_agreement_no",
            agreement.external_agreement_no.clone().unwrap_or_default(),
        ),
        (
            "sign_scene",
            agreement.sign_scene.clone().unwrap_or_default(),
        ),
        ("sign_time", agreement.sign_time.clone().unwrap_or_default()),
        (
            "valid_time",
            agreement.sign_time.clone().unwrap_or_default(),
        ),
        ("invalid_time", NO_END.to_owned()),
        ("alipay_user_id", user_id.to_owned()),
        ("alipay_logon_id", logon_id.to_owned()),
        (
            "external_logon_id",
            agreement.external_logon_id.clone().unwrap_or_default(),
        ),
        ("charset", "utf-8".to_owned()),
        ("version", "1.0".to_owned()),
    ];
    if !signed {
        fields.push((
            "unsign_time",
            agreement.unsign_time.clone().unwrap_or_default(),
        ));
    }
    Notice::Form(FormNotice {
        app_id: agreement.app_id.clone(),
        notify_url: agreement.notify_url.clone(),
        subject: agreement
            .external_agreement_no
            .clone()
            .unwrap_or_else(|| agreement.agreement_no.clone()),
        kind: if signed {
            NotificationKind::AgreementSigned
        } else {
            NotificationKind::AgreementUnsigned
        },
        family: Family::Classic,
        fields,
    })
}

/// Reads a signing request (page or order string) into a `TEMP` agreement; returns its number.
fn open_agreement(
    shared: &Shared,
    app_id: &str,
    biz: &Biz<'_>,
    notify_url: Option<&str>,
    return_url: Option<&str>,
) -> Result<String, Failure> {
    let personal_product_code = biz.required("personal_product_code")?.into_owned();
    let access = biz.required_object("access_params")?;
    if access.text("channel")?.is_none() {
        return Err(Failure::missing_field("access_params.channel"));
    }
    for (key, url) in [("return_url", return_url), ("notify_url", notify_url)] {
        if url.is_some_and(|u| !is_http_url(u)) {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                format!("{key}必须是http或https开头的地址"),
            ));
        }
    }
    let rule = biz.object("period_rule_params")?;
    let single_amount = match &rule {
        Some(rule) => Some(rule.amount("single_amount", "单次扣款最大金额")?),
        None => None,
    };
    let next_deduct_time = match &rule {
        Some(rule) => Some(rule.required("execute_time")?.into_owned()),
        None => None,
    };
    let external_agreement_no = biz.text("external_agreement_no")?.map(|t| t.into_owned());
    let mut state = lock(&shared.agreements);
    if let Some(ext) = &external_agreement_no
        && state.agreements.iter().any(|a| {
            a.app_id == app_id
                && a.status == "NORMAL"
                && a.external_agreement_no.as_deref() == Some(ext)
        })
    {
        return Err(Failure::business(
            "USER_AGREEMENT_EXIST",
            "商户签约号对应的协议已存在",
        ));
    }
    let agreement_no = format!("{}{}", clock::today_digits(), random::random_digits(12));
    state.agreements.push(Agreement {
        app_id: app_id.to_owned(),
        agreement_no: agreement_no.clone(),
        external_agreement_no,
        personal_product_code,
        sign_scene: biz.text("sign_scene")?.map(|t| t.into_owned()),
        external_logon_id: biz.text("external_logon_id")?.map(|t| t.into_owned()),
        status: "TEMP",
        sign_time: None,
        unsign_time: None,
        notify_url: notify_url.map(str::to_owned),
        return_url: return_url.map(str::to_owned),
        single_amount,
        next_deduct_time,
    });
    Ok(agreement_no)
}

/// The user signs a `TEMP` agreement: it becomes `NORMAL`; returns its notification.
fn sign(shared: &Shared, agreement_no: &str) -> Result<(Agreement, Notice), Failure> {
    let mut state = lock(&shared.agreements);
    let agreement = state.by_no(agreement_no).ok_or_else(not_found)?;
    if agreement.status != "TEMP" {
        return Err(Failure::business(
            "USER_AGREEMENT_EXIST",
            "协议已签约或已解约",
        ));
    }
    agreement.status = "NORMAL";
    agreement.sign_time = Some(clock::now_text());
    Ok((agreement.clone(), notice(agreement)))
}

/// `alipay.user.agreement.page.sign` opened in a browser: the signing page.
pub(crate) fn page_sign(
    shared: &Shared,
    params: &[(String, String)],
    app_id: &str,
    biz: &Biz<'_>,
) -> Result<String, Failure> {
    let get = |key: &str| super::decode::param(params, key);
    let agreement_no = open_agreement(shared, app_id, biz, get("notify_url"), get("return_url"))?;
    let token = random::random_alnum(32);
    let mut state = lock(&shared.agreements);
    state.pages.insert(token.clone(), agreement_no);
    let agreement = state.of_page(&token).ok_or_else(not_found)?;
    Ok(sign_page(&token, &agreement))
}

fn sign_page(token: &str, agreement: &Agreement) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<div class=\"agreement\">\n<h1>支付宝沙箱 - 签约</h1>\n\
         <p>产品 <span id=\"personal_product_code\">{}</span></p>\n\
         <p>商户签约号 <span id=\"external_agreement_no\">{}</span></p>\n",
        html_escape(&agreement.personal_product_code),
        html_escape(agreement.external_agreement_no.as_deref().unwrap_or("")),
    );
    if let Some(single) = &agreement.single_amount {
        let _ = writeln!(
            body,
            "<p>单次最多扣款 <span id=\"single_amount\">{}</span> 元</p>",
            yuan(single.cents())
        );
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/sandbox/agreement/{}/sign\">\n\
         <button type=\"submit\">同意协议并开通</button>\n</form>\n</div>\n",
        html_escape(token)
    );
    page("支付宝 - 签约", &body)
}

fn signed_page(agreement: &Agreement) -> String {
    let body = format!(
        "<div class=\"signed\">\n<h1>签约成功</h1>\n\
         <p>协议号 <span id=\"agreement_no\">{}</span></p>\n\
         <p>状态 <span id=\"status\">{}</span></p>\n</div>\n",
        html_escape(&agreement.agreement_no),
        html_escape(agreement.status),
    );
    page("支付宝 - 签约成功", &body)
}

/// `GET /sandbox/agreement/<token>` shows the signing page;
/// `POST /sandbox/agreement/<token>/sign` signs, notifies, and goes back to the `return_url`.
pub(crate) async fn sign_route(
    shared: &Shared,
    method: &HttpMethod,
    rest: &str,
) -> Response<Full<Bytes>> {
    let (token, signing) = match rest.strip_suffix("/sign") {
        Some(token) => (token, true),
        None => (rest, false),
    };
    let Some(agreement) = lock(&shared.agreements).of_page(token) else {
        return html(
            StatusCode::NOT_FOUND,
            error_page(&Failure::invalid(
                "isv.invalid-parameter",
                "签约页面不存在或已过期",
            )),
        );
    };
    let expected = if signing {
        HttpMethod::POST
    } else {
        HttpMethod::GET
    };
    if *method != expected {
        return html(
            StatusCode::METHOD_NOT_ALLOWED,
            error_page(&Failure::invalid(
                "isv.invalid-parameter",
                format!("请使用{expected}"),
            )),
        );
    }
    if !signing {
        let body = if agreement.status == "TEMP" {
            sign_page(token, &agreement)
        } else {
            signed_page(&agreement)
        };
        return html(StatusCode::OK, body);
    }
    let (signed, notice) = match sign(shared, &agreement.agreement_no) {
        Ok(signed) => signed,
        Err(failure) => return html(StatusCode::OK, error_page(&failure)),
    };
    deliver(shared, vec![notice]).await;
    match &signed.return_url {
        Some(url) => redirect(url),
        None => html(StatusCode::OK, signed_page(&signed)),
    }
}

/// `alipay.user.agreement.query`.
pub(crate) fn query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let mut state = lock(&call.shared.agreements);
    let agreement = state.find(call.app_id, &call.biz)?;
    let (user_id, logon_id) = signer();
    let signed = agreement.sign_time.is_some();
    let mut node = Node::success();
    node.str("agreement_no", &agreement.agreement_no)
        .str("status", agreement.status)
        .opt(
            "external_agreement_no",
            agreement.external_agreement_no.as_deref(),
        )
        .str("personal_product_code", &agreement.personal_product_code)
        .opt("sign_scene", agreement.sign_scene.as_deref())
        .opt("sign_time", agreement.sign_time.as_deref())
        .opt("valid_time", agreement.sign_time.as_deref())
        .opt("invalid_time", signed.then_some(NO_END))
        .opt("principal_id", signed.then_some(user_id))
        .opt("alipay_logon_id", signed.then_some(logon_id))
        .opt("external_logon_id", agreement.external_logon_id.as_deref())
        .opt(
            "single_quota",
            agreement
                .single_amount
                .as_ref()
                .map(|a| yuan(a.cents()))
                .as_deref(),
        )
        .opt("next_deduct_time", agreement.next_deduct_time.as_deref());
    Ok(node)
}

/// `alipay.user.agreement.unsign`: a `NORMAL` agreement becomes `UNSIGN` (notified).
pub(crate) fn unsign(call: &mut Call<'_>) -> Result<Node, Failure> {
    let mut state = lock(&call.shared.agreements);
    let agreement = state.find(call.app_id, &call.biz)?;
    if agreement.status != "NORMAL" {
        return Err(Failure::business(
            "USER_AGREEMENT_HAS_UNSIGNED",
            "协议未签约或已解约",
        ));
    }
    agreement.status = "UNSIGN";
    agreement.unsign_time = Some(clock::now_text());
    call.notices.push(notice(agreement));
    Ok(Node::success())
}

/// `alipay.user.agreement.executionplan.modify`: moves the next debit of a `NORMAL` periodic
/// agreement to `deduct_time` (`yyyy-MM-dd`).
pub(crate) fn modify(call: &mut Call<'_>) -> Result<Node, Failure> {
    let deduct_time = call.biz.required("deduct_time")?;
    if !clock::valid_bill_date(&deduct_time) || deduct_time.len() != 10 {
        return Err(Failure::invalid(
            "isv.invalid-parameter",
            "扣款时间deduct_time格式不正确，应为yyyy-MM-dd",
        ));
    }
    let mut state = lock(&call.shared.agreements);
    let agreement = state.find(call.app_id, &call.biz)?;
    if agreement.status != "NORMAL" {
        return Err(Failure::business(
            "AGREEMENT_STATUS_NOT_NORMAL",
            "协议状态非NORMAL",
        ));
    }
    if agreement.next_deduct_time.is_none() {
        return Err(Failure::business(
            "AGREEMENT_NOT_PERIOD",
            "协议不是周期扣款协议",
        ));
    }
    agreement.next_deduct_time = Some(deduct_time.clone().into_owned());
    let mut node = Node::success();
    node.str("agreement_no", &agreement.agreement_no)
        .str("deduct_time", &deduct_time);
    Ok(node)
}

/// `alipay.trade.pay` with `agreement_params`: debits a `NORMAL` agreement of the app, within
/// its single debit limit.
pub(crate) fn debit(call: &mut Call<'_>) -> Result<Node, Failure> {
    let params = call.biz.required_object("agreement_params")?;
    let agreement_no = params.required("agreement_no")?;
    let mut new = NewTrade::read(&call.biz, call.text("notify_url"), None, false)?;
    {
        let mut state = lock(&call.shared.agreements);
        let agreement = state
            .by_no(&agreement_no)
            .filter(|a| a.app_id == call.app_id)
            .ok_or_else(|| Failure::business("ACQ.AGREEMENT_NOT_EXIST", "用户协议不存在"))?;
        if agreement.status != "NORMAL" {
            return Err(Failure::business(
                "ACQ.AGREEMENT_STATUS_NOT_NORMAL",
                "用户协议状态非NORMAL",
            ));
        }
        if agreement
            .single_amount
            .as_ref()
            .is_some_and(|limit| new.total.cents() > limit.cents())
        {
            return Err(Failure::business(
                "ACQ.TOTAL_FEE_EXCEED",
                "订单金额超过协议单次扣款限额",
            ));
        }
        new.buyer_id = Some(signer().0.to_owned());
    }
    trade::pay_at_once(call, new, "GENERAL_WITHHOLDING")
}

impl Sandbox {
    /// What the user's browser does to sign a debit agreement: opens `entry`, the
    /// [page URL](crate::Render::page_url) of `alipay.user.agreement.page.sign` (the answer is
    /// the signing page), then submits its form. The agreement becomes `NORMAL` and the
    /// `dut_user_sign` notification is delivered (its first attempt awaited) to the request's
    /// `notify_url`.
    ///
    /// Returns both answers: `cashier` is the signing page, `paid` the answer to its form
    /// (`302` to the request's `return_url`, or a "signed" page showing `agreement_no`).
    ///
    /// Errors: [`SandboxError::Browser`] when a page cannot be fetched or the gateway answered
    /// an error page (its `sub_code` is in the message).
    pub async fn sign_agreement_in_cashier(
        &self,
        entry: &str,
    ) -> Result<CashierVisit, SandboxError> {
        browser::visit_and_submit(entry.trim()).await
    }

    /// What the Alipay app does with the order string of `alipay.user.agreement.page.sign`
    /// (as rendered by [`Render::order_string`](crate::Render::order_string)): checks it as
    /// the gateway checks a request, and the user signs at once. The `dut_user_sign`
    /// notification is delivered (its first attempt awaited). Returns the `agreement_no`.
    ///
    /// Errors: [`SandboxError::InvalidSignature`] when the signature does not verify;
    /// [`SandboxError::Refused`] with Alipay's `sub_code` for any other refusal.
    pub async fn sign_agreement_in_app(&self, order_string: &str) -> Result<String, SandboxError> {
        let shared = &self.shared;
        let order = check::order_string(shared, order_string, "alipay.user.agreement.page.sign")
            .map_err(SandboxError::refused)?;
        let get = |key: &str| super::decode::param(&order.params, key);
        let agreement_no = open_agreement(
            shared,
            &order.app_id,
            &Biz(&order.biz),
            get("notify_url"),
            get("return_url"),
        )
        .map_err(SandboxError::refused)?;
        let (_, notice) = sign(shared, &agreement_no).map_err(SandboxError::refused)?;
        deliver(shared, vec![notice]).await;
        Ok(agreement_no)
    }
}
