//! User authorisation (用户授权): exchanging the `auth_code` a user granted for an access token,
//! and refreshing it.
//!
//! Both requests call `alipay.system.oauth.token`, with `grant_type` and the code or refresh
//! token as top-level text parameters (there is no `biz_content`).
//!
//! ```no_run
//! use alipay::Client;
//! use alipay::base::oauth::{OauthRefreshToken, OauthToken};
//!
//! # async fn run(client: Client) -> Result<(), alipay::Error> {
//! // The `auth_code` from the redirect after the user agreed.
//! let token = client
//!     .send(OauthToken::builder().code("4b203fe6c11548bcabd8da5bb087a83b").build())
//!     .await?;
//! println!("{:?} expires in {} s", token.user_id, token.expires_in);
//! // Later, before it expires:
//! let renewed = client
//!     .send(OauthRefreshToken::builder().refresh_token(token.refresh_token).build())
//!     .await?;
//! # let _ = renewed;
//! # Ok(()) }
//! ```

use serde::Deserialize;

use crate::time::Timestamp;

/// `alipay.system.oauth.token` with `grant_type=authorization_code`: exchanges the `auth_code`
/// a user granted for an access token (Easy SDK `OAuth.getToken`).
///
/// A code can be used once; a used or expired code is refused with `isv.code-invalid`.
///
/// <https://opendocs.alipay.com/open/02ailc>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::base::oauth::OauthToken;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let token = client.send(OauthToken::builder().code("auth-code").build()).await?;
/// println!("access_token = {}", token.access_token);
/// # Ok(()) }
/// ```
#[derive(Clone, crate::Request)]
#[doc(alias = "alipay.system.oauth.token")]
#[alipay(
    method = "alipay.system.oauth.token",
    v3 = "POST /v3/alipay/system/oauth/token",
    response = OauthTokenResponse,
    fixed_text(grant_type = "authorization_code")
)]
#[must_use]
#[non_exhaustive]
pub struct OauthToken {
    /// The authorisation code (`auth_code`) the user granted, sent as the text parameter `code`.
    #[alipay(text)]
    pub code: String,
}

/// `alipay.system.oauth.token` with `grant_type=refresh_token`: a new access token from the
/// refresh token of an earlier answer (Easy SDK `OAuth.refreshToken`). The answer carries a new
/// refresh token; the old one is spent.
///
/// <https://opendocs.alipay.com/open/02ailc>
///
/// ```no_run
/// # use alipay::Client;
/// use alipay::base::oauth::OauthRefreshToken;
/// # async fn run(client: Client) -> Result<(), alipay::Error> {
/// let token = client
///     .send(OauthRefreshToken::builder().refresh_token("refresh-token").build())
///     .await?;
/// println!("new refresh_token = {}", token.refresh_token);
/// # Ok(()) }
/// ```
#[derive(Clone, crate::Request)]
#[doc(alias = "alipay.system.oauth.token")]
#[alipay(
    method = "alipay.system.oauth.token",
    v3 = "POST /v3/alipay/system/oauth/token",
    response = OauthTokenResponse,
    fixed_text(grant_type = "refresh_token")
)]
#[must_use]
#[non_exhaustive]
pub struct OauthRefreshToken {
    /// The `refresh_token` of the previous answer.
    #[alipay(text)]
    pub refresh_token: String,
}

/// The answer to [`OauthToken`] and [`OauthRefreshToken`]. A successful answer has no `code`.
///
/// The token values are secrets: `Debug` shows only the user and the lifetimes.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct OauthTokenResponse {
    /// The user's Alipay user id (`2088…`). Apps switched to open ids get
    /// [`open_id`](Self::open_id) instead.
    pub user_id: Option<String>,
    /// The user's open id, for apps that use open ids.
    pub open_id: Option<String>,
    /// The access token, to pass as `auth_token` (see [`Call::auth`](crate::Call::auth)).
    pub access_token: String,
    /// The access token's lifetime in seconds.
    #[serde(deserialize_with = "crate::lenient::i64_from_any")]
    pub expires_in: i64,
    /// The refresh token, for [`OauthRefreshToken`].
    pub refresh_token: String,
    /// The refresh token's lifetime in seconds.
    #[serde(deserialize_with = "crate::lenient::i64_from_any")]
    pub re_expires_in: i64,
    /// When the authorisation started (Beijing time), if sent.
    pub auth_start: Option<Timestamp>,
}

/// The code is a credential: `Debug` does not show it.
impl std::fmt::Debug for OauthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthToken").finish_non_exhaustive()
    }
}

/// The refresh token is a credential: `Debug` does not show it.
impl std::fmt::Debug for OauthRefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthRefreshToken").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for OauthTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthTokenResponse")
            .field("user_id", &self.user_id)
            .field("open_id", &self.open_id)
            .field("expires_in", &self.expires_in)
            .field("re_expires_in", &self.re_expires_in)
            .field("auth_start", &self.auth_start)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Params, Request};

    #[test]
    fn text_params_only() {
        let mut params = Params::new();
        OauthToken::builder()
            .code("c1")
            .build()
            .encode(&mut params)
            .unwrap();
        assert_eq!(params.text_params()["grant_type"], "authorization_code");
        assert_eq!(params.text_params()["code"], "c1");
        assert!(params.biz_params().is_empty());

        let mut params = Params::new();
        let refresh = OauthRefreshToken::builder().refresh_token("r1").build();
        refresh.encode(&mut params).unwrap();
        assert_eq!(params.text_params()["grant_type"], "refresh_token");
        assert_eq!(params.text_params()["refresh_token"], "r1");
        assert_eq!(refresh.response_key(), "alipay_system_oauth_token_response");
    }

    #[test]
    fn lifetimes_as_numbers_or_strings_and_debug_hides_tokens() {
        let answer: OauthTokenResponse = serde_json::from_str(
            r#"{"user_id":"2088","access_token":"secret-a","expires_in":"3600",
                "refresh_token":"secret-r","re_expires_in":7200}"#,
        )
        .unwrap();
        assert_eq!((answer.expires_in, answer.re_expires_in), (3600, 7200));
        let debug = format!("{answer:?}");
        assert!(!debug.contains("secret"), "{debug}");
        let requests = format!(
            "{:?} {:?}",
            OauthToken::builder().code("secret-c").build(),
            OauthRefreshToken::builder()
                .refresh_token("secret-r")
                .build()
        );
        assert!(!requests.contains("secret"), "{requests}");
    }
}
