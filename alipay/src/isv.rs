//! ISV authorisation (第三方应用授权): a merchant authorises a service provider's (ISV's) app to
//! call Alipay on its behalf.
//!
//! The merchant opens the app-to-app authorisation page ([`app_to_app_auth_url`]); Alipay sends
//! their browser back to the ISV's `redirect_uri` with an `app_auth_code`, which
//! [`OpenAuthTokenApp`] exchanges for the merchant's `app_auth_token`. The ISV then calls with
//! [`Call::agent`](crate::Call::agent). [`Merchants`] holds one client per app for ISVs that
//! receive the notifications of many apps on one URL.
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::isv::{OpenAuthTokenApp, app_to_app_auth_url, OPENAUTH_HOST};
//! use alipay::payment::common::TradeQuery;
//!
//! # async fn run(client: Client, app_auth_code: String) -> Result<(), Box<dyn std::error::Error>> {
//! let url = app_to_app_auth_url(OPENAUTH_HOST, client.app_id(), "https://isv.example/authorised");
//! // … the merchant authorises; `redirect_uri` receives `app_auth_code`.
//! # let _ = url;
//! let token = client
//!     .send(OpenAuthTokenApp::builder().code(app_auth_code).build())
//!     .await?;
//! let trade = client
//!     .send(TradeQuery::builder().out_trade_no("T1").build())
//!     .agent(token.app_auth_token.clone())
//!     .await?;
//! # let _ = trade;
//! # Ok(()) }
//! ```

use std::collections::HashMap;

use serde::Deserialize;

use crate::notify::{Notification, NotifyError};
use crate::time::Timestamp;
use crate::{Client, Error};

/// The host of Alipay's app-to-app authorisation page.
pub const OPENAUTH_HOST: &str = "https://openauth.alipay.com";

/// The app-to-app authorisation page of `host` ([`OPENAUTH_HOST`], or
/// [`Sandbox::openauth_url`](crate::sandbox::Sandbox::openauth_url) offline) for the ISV's
/// `app_id`: once the merchant authorises, their browser goes to `redirect_uri` with
/// `app_id` and `app_auth_code` in the query.
///
/// The flow is described with `alipay.open.auth.token.app`:
/// <https://opendocs.alipay.com/apis/api_9/alipay.open.auth.token.app>
///
/// ```
/// use alipay::isv::{OPENAUTH_HOST, app_to_app_auth_url};
///
/// let url = app_to_app_auth_url(OPENAUTH_HOST, "2021000000000001", "https://isv.example/back?x=1");
/// assert_eq!(
///     url,
///     "https://openauth.alipay.com/oauth2/appToAppAuth.htm?app_id=2021000000000001\
///      &redirect_uri=https%3A%2F%2Fisv.example%2Fback%3Fx%3D1"
/// );
/// ```
pub fn app_to_app_auth_url(host: &str, app_id: &str, redirect_uri: &str) -> String {
    format!(
        "{}/oauth2/appToAppAuth.htm?{}",
        host.trim_end_matches('/'),
        crate::wire::form_encode([("app_id", app_id), ("redirect_uri", redirect_uri)])
    )
}

/// `alipay.open.auth.token.app` with `grant_type=authorization_code`: exchanges the
/// `app_auth_code` a merchant's authorisation brought for the merchant's `app_auth_token`.
/// A code works once.
///
/// <https://opendocs.alipay.com/apis/api_9/alipay.open.auth.token.app>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::isv::OpenAuthTokenApp;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let token = client
///     .send(OpenAuthTokenApp::builder().code("the-app-auth-code").build())
///     .await?;
/// println!("merchant app {} authorised us", token.auth_app_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.auth.token.app")]
#[alipay(
    method = "alipay.open.auth.token.app", v3 = "POST /v3/alipay/open/auth/token/app",
    response = OpenAuthTokenAppResponse,
    fixed_biz(grant_type = "authorization_code")
)]
#[must_use]
#[non_exhaustive]
pub struct OpenAuthTokenApp {
    /// The `app_auth_code` from the `redirect_uri`.
    pub code: String,
}

/// `alipay.open.auth.token.app` with `grant_type=refresh_token`: a new `app_auth_token` from
/// the `app_refresh_token` of an earlier answer; the old token stops working.
///
/// <https://opendocs.alipay.com/apis/api_9/alipay.open.auth.token.app>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::isv::OpenAuthTokenAppRefresh;
/// # async fn run(client: Client, refresh: String) -> Result<(), Box<dyn std::error::Error>> {
/// let token = client
///     .send(OpenAuthTokenAppRefresh::builder().refresh_token(refresh).build())
///     .await?;
/// # let _ = token;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.open.auth.token.app")]
#[alipay(
    method = "alipay.open.auth.token.app", v3 = "POST /v3/alipay/open/auth/token/app",
    response = OpenAuthTokenAppResponse,
    fixed_biz(grant_type = "refresh_token")
)]
#[must_use]
#[non_exhaustive]
pub struct OpenAuthTokenAppRefresh {
    /// The `app_refresh_token` of an earlier answer.
    pub refresh_token: String,
}

/// The answer to [`OpenAuthTokenApp`] and [`OpenAuthTokenAppRefresh`]. The tokens are secrets:
/// `Debug` leaves them out.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OpenAuthTokenAppResponse {
    /// The merchant's Alipay user id.
    pub user_id: String,
    /// The merchant's app that authorised the ISV's.
    pub auth_app_id: String,
    /// The token to call with, [`Call::agent`](crate::Call::agent).
    pub app_auth_token: String,
    /// The token for [`OpenAuthTokenAppRefresh`].
    pub app_refresh_token: String,
    /// The token's lifetime in seconds.
    #[serde(deserialize_with = "crate::lenient::i64_from_any")]
    pub expires_in: i64,
    /// The refresh token's lifetime in seconds.
    #[serde(deserialize_with = "crate::lenient::i64_from_any")]
    pub re_expires_in: i64,
}

impl std::fmt::Debug for OpenAuthTokenAppResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAuthTokenAppResponse")
            .field("user_id", &self.user_id)
            .field("auth_app_id", &self.auth_app_id)
            .field("expires_in", &self.expires_in)
            .field("re_expires_in", &self.re_expires_in)
            .finish_non_exhaustive()
    }
}

/// `alipay.open.auth.token.app.query`: what an `app_auth_token` allows and until when.
///
/// <https://opendocs.alipay.com/apis/api_9/alipay.open.auth.token.app.query>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::isv::OpenAuthTokenAppQuery;
/// # async fn run(client: Client, token: String) -> Result<(), Box<dyn std::error::Error>> {
/// let info = client
///     .send(OpenAuthTokenAppQuery::builder().app_auth_token(token).build())
///     .await?;
/// println!("{} until {:?}", info.status, info.auth_end);
/// # Ok(()) }
/// ```
#[derive(Clone, crate::Request)]
#[doc(alias = "alipay.open.auth.token.app.query")]
#[alipay(
    method = "alipay.open.auth.token.app.query", v3 = "GET /v3/alipay/open/auth/token/app/query",
    response = OpenAuthTokenAppQueryResponse
)]
#[must_use]
#[non_exhaustive]
pub struct OpenAuthTokenAppQuery {
    /// The token to look at.
    pub app_auth_token: String,
}

impl std::fmt::Debug for OpenAuthTokenAppQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAuthTokenAppQuery")
            .finish_non_exhaustive()
    }
}

crate::code_enum! {
    /// Whether an app authorisation is in force (`status` of [`OpenAuthTokenAppQueryResponse`]).
    pub enum AuthTokenStatus {
        /// `valid`: the token may be used.
        Valid = "valid",
        /// `invalid`: the merchant cancelled the authorisation, or it expired.
        Invalid = "invalid",
    }
}

/// The answer to [`OpenAuthTokenAppQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OpenAuthTokenAppQueryResponse {
    /// The merchant's Alipay user id.
    pub user_id: String,
    /// The merchant's app that authorised the ISV's.
    pub auth_app_id: String,
    /// Whether the authorisation is still in force.
    pub status: AuthTokenStatus,
    /// The token's remaining lifetime in seconds.
    pub expires_in: Option<i64>,
    /// The methods the token may call.
    #[serde(default)]
    pub auth_methods: Vec<String>,
    /// When the authorisation started.
    pub auth_start: Option<Timestamp>,
    /// When it ends.
    pub auth_end: Option<Timestamp>,
}

/// A set of clients keyed by `app_id`, for an ISV (or a merchant with several apps) that
/// receives the notifications of many apps on one URL: each notification is routed by its
/// `app_id` and verified with that app's client (its Alipay key or certificate).
///
/// ```
/// # fn run(a: alipay::Client, b: alipay::Client, body: &[u8]) -> Result<(), alipay::Error> {
/// use alipay::isv::Merchants;
///
/// let merchants = Merchants::new().with(a).with(b);
/// let (client, notification) = merchants.verify_notification(body)?;
/// println!("for app {}: {:?}", client.app_id(), notification.kind()?);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Merchants {
    clients: HashMap<String, Client>,
}

impl Merchants {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the client of its app.
    pub fn insert(&mut self, client: Client) {
        self.clients.insert(client.app_id().to_owned(), client);
    }

    /// [`insert`](Self::insert), chained.
    #[must_use]
    pub fn with(mut self, client: Client) -> Self {
        self.insert(client);
        self
    }

    /// The client of an app.
    pub fn get(&self, app_id: &str) -> Option<&Client> {
        self.clients.get(app_id)
    }

    /// Verifies a notification from its raw body with the client of its `app_id`
    /// ([`Client::verify_notification`]), and returns that client with it.
    ///
    /// Errors: [`NotifyError::UnknownApp`] when no client has the notification's `app_id` (or
    /// it has none); otherwise the errors of [`Client::verify_notification`], e.g. a signature
    /// that does not verify with that app's Alipay key.
    pub fn verify_notification(&self, body: &[u8]) -> Result<(&Client, Notification), Error> {
        let pairs = crate::wire::form_decode(body).map_err(NotifyError::from)?;
        let app_id = pairs
            .iter()
            .find(|(k, _)| k == "app_id")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        let client = self
            .clients
            .get(app_id)
            .ok_or_else(|| NotifyError::UnknownApp {
                received: app_id.to_owned(),
            })?;
        Ok((client, client.verify_notification_pairs(pairs)?))
    }
}
