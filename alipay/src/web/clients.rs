//! A set of clients keyed by app id, for an ISV (服务商) or a merchant with several apps that
//! share one notification route.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::notification::{NotificationRejection, NotifyVerifier};
use crate::notify::NotifyError;
use crate::response::Charset;
use crate::wire::{FormError, form_decode_declared};
use crate::{Client, Notification};

/// Clients keyed by their [`app_id`](Client::app_id). As the extractor's verifier
/// (`VerifiedNotification<T, Clients>`), it reads the notification's `app_id`, verifies the
/// notification with that app's client (its Alipay key, its app id check) and refuses one for an
/// app it does not hold ([`NotificationRejection::UnknownApp`]). Cloning is cheap (the map is
/// shared).
///
/// ```
/// # fn run(shop_a: alipay::Client, shop_b: alipay::Client) {
/// use alipay::web::Clients;
///
/// let clients: Clients = [shop_a.clone(), shop_b].into_iter().collect();
/// assert_eq!(clients.get(shop_a.app_id()).map(|c| c.app_id()), Some(shop_a.app_id()));
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Clients {
    by_app: Arc<HashMap<String, Client>>,
}

impl Clients {
    /// No client yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a client (replacing the one of the same app id).
    ///
    /// ```
    /// # fn run(client: alipay::Client) {
    /// let clients = alipay::web::Clients::new().with(client);
    /// assert_eq!(clients.len(), 1);
    /// # }
    /// ```
    #[must_use]
    pub fn with(mut self, client: Client) -> Self {
        self.insert(client);
        self
    }

    /// Adds a client; returns the one it replaces, of the same app id.
    pub fn insert(&mut self, client: Client) -> Option<Client> {
        Arc::make_mut(&mut self.by_app).insert(client.app_id().to_owned(), client)
    }

    /// The client of an app.
    pub fn get(&self, app_id: &str) -> Option<&Client> {
        self.by_app.get(app_id)
    }

    /// How many apps are served.
    pub fn len(&self) -> usize {
        self.by_app.len()
    }

    /// Whether no app is served.
    pub fn is_empty(&self) -> bool {
        self.by_app.is_empty()
    }
}

impl FromIterator<Client> for Clients {
    fn from_iter<I: IntoIterator<Item = Client>>(clients: I) -> Self {
        let mut set = Self::new();
        for client in clients {
            set.insert(client);
        }
        set
    }
}

impl fmt::Debug for Clients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut apps: Vec<&str> = self.by_app.keys().map(String::as_str).collect();
        apps.sort_unstable();
        f.debug_struct("Clients").field("apps", &apps).finish()
    }
}

impl NotifyVerifier for Clients {
    fn verify_notification_body(
        &self,
        body: &[u8],
        charset: Charset,
    ) -> Result<Notification, NotificationRejection> {
        // Decoding twice (here for the app id, then to verify) keeps the one verification path.
        let pairs = crate::notify::not_a_form(body)
            .map_or_else(
                || form_decode_declared(body, charset),
                |what| Err(FormError::NotForm(what)),
            )
            .map_err(|e| NotificationRejection::from(NotifyError::from(e)))?;
        let app_id = pairs
            .iter()
            .find(|(key, _)| key == "app_id")
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        let client = self
            .get(app_id)
            .ok_or_else(|| NotificationRejection::UnknownApp(app_id.to_owned()))?;
        client.verify_notification_body(body, charset)
    }
}
