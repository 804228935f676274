//! What a call is before it is performed: [`CallOptions`], [`Call`] (awaited for the answer)
//! and [`Render`] (the page form, the page URL or the order string of a [`LocalRequest`]).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use serde_json::Value;

use super::Client;
#[cfg(doc)]
use super::ClientBuilder;
use crate::error::Error;
use crate::request::{LocalRequest, Params, Request};
use crate::wire;

/// Per-call options, set on a [`Call`] (or a [`Render`]) without touching the request.
///
/// `Debug` shows only the first characters of `app_auth_token` and `auth_token`.
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(super) text: Vec<(&'static str, String)>,
    pub(super) biz: Vec<(String, Value)>,
    pub(super) timeout: Option<Duration>,
    /// Content encryption for this call; `None`: the client's default.
    pub(super) encrypt: Option<bool>,
    pub(super) total_timeout: Option<Duration>,
    pub(super) idempotent: Option<bool>,
    /// The protocol of this call; `None`: the client's.
    pub(super) protocol: Option<crate::v3::Protocol>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Text<'a>(&'a [(&'static str, String)]);
        impl fmt::Debug for Text<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(key, value)| {
                        let shown = if matches!(*key, "app_auth_token" | "auth_token") {
                            redact(value)
                        } else {
                            value.clone()
                        };
                        (key, shown)
                    }))
                    .finish()
            }
        }
        f.debug_struct("CallOptions")
            .field("text", &Text(&self.text))
            .field("biz", &self.biz)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("idempotent", &self.idempotent)
            .field("encrypt", &self.encrypt)
            .field("protocol", &self.protocol)
            .finish()
    }
}

/// A token shortened for display: its first 4 characters and `…` (only `…` when it is shorter
/// than 12 characters, so at most a third of it shows).
fn redact(token: &str) -> String {
    if token.chars().count() < 12 {
        "…".to_owned()
    } else {
        let head: String = token.chars().take(4).collect();
        format!("{head}…")
    }
}

impl CallOptions {
    pub(super) fn set_text(&mut self, key: &'static str, value: String) {
        self.text.retain(|(k, _)| *k != key);
        self.text.push((key, value));
    }

    /// Applies the options to encoded parameters: text options win over the configured notify
    /// URL; request arguments win over `optional` biz values.
    pub(super) fn apply(&self, params: &mut Params, configured_notify_url: Option<&str>) {
        for (key, value) in &self.text {
            params.text_if_absent(key, value);
        }
        if let Some(url) = configured_notify_url {
            params.text_if_absent("notify_url", url);
        }
        for (key, value) in &self.biz {
            params.biz_if_absent(key, value);
        }
    }
}

macro_rules! option_setters {
    () => {
        /// Calls on behalf of a merchant that authorised this app (`app_auth_token`, for ISVs).
        pub fn agent(mut self, app_auth_token: impl Into<String>) -> Self {
            self.options
                .set_text("app_auth_token", app_auth_token.into());
            self
        }

        /// Calls with a user's authorisation (`auth_token`, from OAuth).
        pub fn auth(mut self, auth_token: impl Into<String>) -> Self {
            self.options.set_text("auth_token", auth_token.into());
            self
        }

        /// Sets `notify_url` for this call; wins over the client's configured notify URL.
        pub fn async_notify(mut self, url: impl Into<String>) -> Self {
            self.options.set_text("notify_url", url.into());
            self
        }

        /// Routes the call to a test backend (`ws_service_url`).
        pub fn route(mut self, url: impl Into<String>) -> Self {
            self.options.set_text("ws_service_url", url.into());
            self
        }

        /// Adds a `biz_content` field the request type does not have. A field the request
        /// itself sets wins.
        pub fn optional(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
            self.options.biz.push((key.into(), value.into()));
            self
        }

        /// [`optional`](Self::optional) for every entry.
        pub fn batch_optional<K, V>(mut self, values: impl IntoIterator<Item = (K, V)>) -> Self
        where
            K: Into<String>,
            V: Into<Value>,
        {
            for (key, value) in values {
                self.options.biz.push((key.into(), value.into()));
            }
            self
        }
    };
}

/// One call of a [`Request`], returned by [`Client::send`]: set per-call options, then `.await`
/// it.
///
/// ```no_run
/// # use alipay::{Client, Amount};
/// # use alipay::payment::common::TradeRefund;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let refund = TradeRefund::builder()
///     .out_trade_no("T1")
///     .refund_amount(Amount::new("0.50")?)
///     .build();
/// let answer = client
///     .send(refund)
///     .agent("app-auth-token-of-the-merchant")
///     .optional("refund_reason", "damaged")
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, R> {
    pub(super) client: &'c Client,
    pub(super) request: R,
    pub(super) options: CallOptions,
}

impl<R> fmt::Debug for Call<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<R: Request> Call<'_, R> {
    option_setters!();

    /// The deadline of each attempt of this call, instead of the client's
    /// [`request_timeout`](ClientBuilder::request_timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Sends this call's `biz_content` encrypted (`encrypt_type=AES`), or not, whatever
    /// [`ClientBuilder::encrypt_content`] says. Encrypting needs
    /// [`ClientBuilder::aes_key`] (else the call fails with a configuration
    /// error before anything is sent); a call without `biz_content` is sent as it is.
    pub fn encrypt(mut self, encrypt: bool) -> Self {
        self.options.encrypt = Some(encrypt);
        self
    }
}

impl<'c, R> IntoFuture for Call<'c, R>
where
    R: Request + Send + Sync + 'c,
    R::Response: Send,
{
    type Output = Result<R::Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.client.perform(&self.request, &self.options).await })
    }
}

/// A [`LocalRequest`] being rendered, returned by [`Client::render`]: set per-call options, then
/// produce the page form, the URL or the order string.
#[must_use = "a render does nothing until its output is produced"]
pub struct Render<'c, R> {
    pub(super) client: &'c Client,
    pub(super) request: R,
    pub(super) options: CallOptions,
}

impl<R> fmt::Debug for Render<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Render")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<R: LocalRequest> Render<'_, R> {
    option_setters!();

    /// The signed parameters as an `application/x-www-form-urlencoded` order string, to hand to
    /// the Alipay app SDK (`alipay.trade.app.pay`).
    pub fn order_string(&self) -> Result<String, Error> {
        let signed = self.client.sign_request(&self.request, &self.options)?;
        Ok(wire::form_encode(signed.all_sorted()))
    }

    /// A GET URL carrying every signed parameter, `biz_content` included (e.g.
    /// `alipay.user.certify.open.certify`, or a page pay redirect).
    pub fn page_url(&self) -> Result<String, Error> {
        let signed = self.client.sign_request(&self.request, &self.options)?;
        Ok(format!(
            "{}?{}",
            self.client.inner.gateway,
            wire::form_encode(signed.all_sorted())
        ))
    }

    /// An auto-submitting HTML form that POSTs `biz_content` to the gateway, every other signed
    /// parameter being in the action URL (`alipay.trade.page.pay`, `alipay.trade.wap.pay`).
    /// Its script submits the form by its id (`alipay_punchout_form`), so it submits this form
    /// even inside a page that has other forms before it.
    pub fn page_form(&self) -> Result<String, Error> {
        let signed = self.client.sign_request(&self.request, &self.options)?;
        let action = format!(
            "{}?{}",
            self.client.inner.gateway,
            wire::form_encode(signed.query_sorted())
        );
        let biz = signed.biz_content.as_deref().unwrap_or("");
        Ok(format!(
            "<form id=\"alipay_punchout_form\" name=\"punchout_form\" method=\"post\" action=\"{}\">\n\
             <input type=\"hidden\" name=\"biz_content\" value=\"{}\">\n\
             <input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n\
             </form>\n\
             <script>document.getElementById(\"alipay_punchout_form\").submit();</script>",
            crate::html::escape(&action),
            crate::html::escape(biz)
        ))
    }
}

/// Reliability options of a call.
impl<R: Request> Call<'_, R> {
    /// The deadline of this whole call (every attempt and the waits between them), instead of
    /// the client's [`total_timeout`](ClientBuilder::total_timeout).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.options.total_timeout = Some(timeout);
        self
    }

    /// Declares whether sending this call twice has the same effect as sending it once,
    /// overriding the client's decision from the method name and parameters (see
    /// [`crate::retry`]). Only matters when [retries](ClientBuilder::retry) are on: an
    /// idempotent call is also retried after failures where the request may have reached
    /// Alipay.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.options.idempotent = Some(idempotent);
        self
    }
}

/// OpenAPI v3.
impl<R: Request> Call<'_, R> {
    /// Sends this call over `protocol`, whatever [`ClientBuilder::protocol`] says. A request
    /// without a v3 route goes over v2 either way.
    pub fn protocol(mut self, protocol: crate::v3::Protocol) -> Self {
        self.options.protocol = Some(protocol);
        self
    }
}

#[cfg(test)]
mod tests {
    use crate::client::tests::{Probe, client};

    #[test]
    fn the_page_form_escapes_html() {
        let client = client(None);
        let form = client.render(Probe).page_form().expect("form");
        assert!(form.starts_with(
            "<form id=\"alipay_punchout_form\" name=\"punchout_form\" method=\"post\" \
             action=\"https://gw.example/gateway.do?"
        ));
        assert!(!form.contains("<b>"), "{form}");
        assert!(
            form.contains(
                "&quot;subject&quot;:&quot;&lt;b&gt;tea &amp; \\&quot;cake\\&quot;&lt;/b&gt;&quot;"
            ),
            "{form}"
        );
        assert!(form.ends_with(
            "<script>document.getElementById(\"alipay_punchout_form\").submit();</script>"
        ));
        let url = client.render(Probe).page_url().expect("url");
        assert!(
            url.starts_with("https://gw.example/gateway.do?alipay_sdk="),
            "{url}"
        );
        assert!(url.contains("&biz_content=%7B%22subject%22"), "{url}");
        let order = client
            .render(Probe)
            .agent("tok")
            .order_string()
            .expect("order");
        assert!(order.starts_with("alipay_sdk="), "{order}");
        assert!(order.contains("&app_auth_token=tok&app_id=2021000000000001&biz_content="));
    }
}
