//! ISV authorisation: app auth codes ([`Sandbox::issue_app_auth_code`], or the
//! `/oauth2/appToAppAuth.htm` page), `alipay.open.auth.token.app` (code or refresh token),
//! `alipay.open.auth.token.app.query`, and the check of `app_auth_token` on every call.

use std::collections::HashMap;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;

use super::api::Call;
use super::notify::{Family, FormNotice, Notice};
use super::pages::{error_page, html, is_http_url, redirect};
use super::wire::{Failure, Node};
use super::{NotificationKind, Sandbox, SandboxError, Shared, clock, deliver, lock, random};
use crate::wire::form_decode;

/// A token's lifetime, as Alipay gives it (one year), in seconds.
const EXPIRES_IN: u64 = 31_536_000;

/// Who authorised whom.
#[derive(Debug, Clone)]
struct Grant {
    /// The ISV's app, the one that calls.
    isv_app_id: String,
    /// The merchant's Alipay user id.
    user_id: String,
    /// The merchant's app.
    auth_app_id: String,
    auth_start: String,
}

/// Codes (single use), tokens and refresh tokens.
#[derive(Debug, Default)]
pub(crate) struct State {
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, Grant>,
    /// Refresh token → its access token.
    refresh: HashMap<String, String>,
}

impl State {
    fn issue_code(&mut self, isv_app_id: &str, user_id: &str, auth_app_id: &str) -> String {
        let code = format!("{}{}", clock::today_digits(), random::random_alnum(24));
        self.codes.insert(
            code.clone(),
            Grant {
                isv_app_id: isv_app_id.to_owned(),
                user_id: user_id.to_owned(),
                auth_app_id: auth_app_id.to_owned(),
                auth_start: clock::now_text(),
            },
        );
        code
    }

    fn issue_token(&mut self, grant: Grant) -> (String, String, Grant) {
        let token = format!("{}{}", clock::today_digits(), random::random_alnum(32));
        let refresh = format!("{}{}", clock::today_digits(), random::random_alnum(32));
        self.tokens.insert(token.clone(), grant.clone());
        self.refresh.insert(refresh.clone(), token.clone());
        (token, refresh, grant)
    }
}

/// A new merchant's user id and app id, for an authorisation from the page.
fn new_merchant() -> (String, String) {
    let digits = random::random_digits(12);
    (format!("2088{digits}"), format!("2021{digits}"))
}

/// Refuses a call whose `app_auth_token` is not a token issued to the calling app.
pub(crate) fn check_agent(shared: &Shared, app_id: &str, token: &str) -> Result<(), Failure> {
    match lock(&shared.isv).tokens.get(token) {
        Some(grant) if grant.isv_app_id == app_id => Ok(()),
        _ => Err(Failure::token(
            "aop.invalid-app-auth-token",
            "无效的应用授权令牌",
        )),
    }
}

/// `alipay.open.auth.token.app`.
pub(crate) fn token_app(call: &mut Call<'_>) -> Result<Node, Failure> {
    let grant_type = call.biz.required("grant_type")?;
    let mut state = lock(&call.shared.isv);
    let (token, refresh, grant) = match &*grant_type {
        "authorization_code" => {
            let code = call.biz.required("code")?;
            let grant = state
                .codes
                .remove(&*code)
                .filter(|g| g.isv_app_id == call.app_id)
                .ok_or_else(|| Failure::business("invalid auth_code", "授权码code无效"))?;
            state.issue_token(grant)
        }
        "refresh_token" => {
            let refresh = call.biz.required("refresh_token")?;
            let old = state
                .refresh
                .get(&*refresh)
                .cloned()
                .filter(|t| {
                    state
                        .tokens
                        .get(t)
                        .is_some_and(|g| g.isv_app_id == call.app_id)
                })
                .ok_or_else(|| {
                    Failure::business("invalid refresh_token", "刷新令牌refresh_token无效")
                })?;
            state.refresh.remove(&*refresh);
            let grant = state.tokens.remove(&old).ok_or_else(Failure::unavailable)?;
            state.issue_token(grant)
        }
        _ => {
            return Err(Failure::invalid(
                "isv.invalid-parameter",
                "grant_type只能是authorization_code或refresh_token",
            ));
        }
    };
    let mut node = Node::success();
    node.str("user_id", &grant.user_id)
        .str("auth_app_id", &grant.auth_app_id)
        .str("app_auth_token", &token)
        .str("app_refresh_token", &refresh)
        .num("expires_in", EXPIRES_IN)
        .num("re_expires_in", EXPIRES_IN);
    Ok(node)
}

/// `alipay.open.auth.token.app.query`: a token of the calling app.
pub(crate) fn token_query(call: &mut Call<'_>) -> Result<Node, Failure> {
    let token = call.biz.required("app_auth_token")?;
    let state = lock(&call.shared.isv);
    let grant = state
        .tokens
        .get(&*token)
        .filter(|g| g.isv_app_id == call.app_id)
        .ok_or_else(|| Failure::token("aop.invalid-app-auth-token", "无效的应用授权令牌"))?;
    let mut node = Node::success();
    node.str("user_id", &grant.user_id)
        .str("auth_app_id", &grant.auth_app_id)
        .num("expires_in", EXPIRES_IN)
        .str_list(
            "auth_methods",
            &["alipay.trade.*", "alipay.fund.*", "alipay.user.agreement.*"],
        )
        .str("auth_start", &grant.auth_start)
        .str("auth_end", "2115-02-01 00:00:00")
        .str("status", "valid");
    Ok(node)
}

/// `GET /oauth2/appToAppAuth.htm?app_id=…&redirect_uri=…`: a merchant authorises the ISV's app
/// at once; the browser is sent to `redirect_uri` with `app_id` and `app_auth_code`.
pub(crate) fn app_to_app_route(shared: &Shared, query: &str) -> Response<Full<Bytes>> {
    let refuse = |msg: &str| {
        html(
            StatusCode::OK,
            error_page(&Failure::invalid("isv.invalid-parameter", msg)),
        )
    };
    let Ok(pairs) = form_decode(query.as_bytes()) else {
        return refuse("参数格式不正确");
    };
    let get = |key: &str| super::decode::param(&pairs, key);
    let Some(app_id) = get("app_id").filter(|id| shared.app(id).is_some()) else {
        return refuse("无效的AppID参数");
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|u| is_http_url(u)) else {
        return refuse("redirect_uri必须是http或https开头的地址");
    };
    let (user_id, auth_app_id) = new_merchant();
    let code = lock(&shared.isv).issue_code(app_id, &user_id, &auth_app_id);
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let query = crate::wire::form_encode([("app_id", app_id), ("app_auth_code", code.as_str())]);
    redirect(&format!("{redirect_uri}{separator}{query}"))
}

impl Sandbox {
    /// A one-time `app_auth_code`, as if a merchant (Alipay user `user_id`, owner of app
    /// `auth_app_id`) had just authorised the ISV's app `isv_app_id`: `alipay.open.auth.token.app`
    /// exchanges it (once) for the merchant's `app_auth_token`, which calls of `isv_app_id` then
    /// carry with [`Call::agent`](crate::Call::agent).
    pub fn issue_app_auth_code(
        &self,
        isv_app_id: &str,
        user_id: &str,
        auth_app_id: &str,
    ) -> String {
        lock(&self.shared.isv).issue_code(isv_app_id, user_id, auth_app_id)
    }

    /// The merchant withdraws the authorisation behind `app_auth_token`: the token (and its
    /// refresh token) stop working, and the `alipay.open.auth.appauth.cancelled` message
    /// (`biz_content` `{"biz_time", "detail": {"auth_app_id", "app_id", "user_id",
    /// "auth_time"}}`) is delivered in the background (like a refund's notification, not
    /// awaited) to `notify_url`, the ISV app's message gateway.
    ///
    /// Errors: [`SandboxError::Refused`] (`aop.invalid-app-auth-token`) for an unknown token.
    pub async fn cancel_app_auth(
        &self,
        app_auth_token: &str,
        notify_url: &str,
    ) -> Result<(), SandboxError> {
        let grant = {
            let mut state = lock(&self.shared.isv);
            let grant = state.tokens.remove(app_auth_token).ok_or_else(|| {
                SandboxError::refused(Failure::token(
                    "aop.invalid-app-auth-token",
                    "无效的应用授权令牌",
                ))
            })?;
            state.refresh.retain(|_, token| token != app_auth_token);
            grant
        };
        let auth_time = crate::time::parse_beijing_timestamp(&grant.auth_start)
            .unwrap_or_default()
            .saturating_mul(1000);
        let biz_content = serde_json::json!({
            "biz_time": clock::unix_now().saturating_mul(1000),
            "detail": {
                "auth_app_id": grant.auth_app_id,
                "app_id": grant.isv_app_id,
                "user_id": grant.user_id,
                "auth_time": auth_time,
            }
        });
        let notice = Notice::Form(FormNotice {
            app_id: grant.isv_app_id.clone(),
            notify_url: Some(notify_url.to_owned()),
            subject: crate::notify::AppAuthCancelled::MSG_METHOD.to_owned(),
            kind: NotificationKind::Message,
            family: Family::Message,
            fields: vec![
                (
                    "msg_method",
                    crate::notify::AppAuthCancelled::MSG_METHOD.to_owned(),
                ),
                ("app_id", grant.isv_app_id),
                ("biz_content", biz_content.to_string()),
                ("charset", "utf-8".to_owned()),
                ("version", "1.1".to_owned()),
            ],
        });
        deliver(&self.shared, vec![notice]).await;
        Ok(())
    }

    /// The host of the sandbox's app-to-app authorisation page, for
    /// [`app_to_app_auth_url`](crate::isv::app_to_app_auth_url): GETting
    /// `/oauth2/appToAppAuth.htm?app_id=…&redirect_uri=…` authorises at once and redirects
    /// (`302`) to `redirect_uri` with `app_id` and a fresh `app_auth_code`.
    pub fn openauth_url(&self) -> String {
        self.shared.base_url()
    }
}
