//! [`Sandbox`]: the handle of a running sandbox, and what a test does with it (apps, keys and
//! certificates, faults, the buyer's and the user's actions, the records).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::fault::{Fault, FaultRule, Scope};
use super::shared::{Shared, deliver, lock, pay};
use super::{
    AppCertificates, CertificationSnapshot, NotificationRecord, ReceivedRequest, SandboxApp,
    SandboxBuilder, SandboxCertApp, SandboxError, SentMessage, StoredImage, TradeSnapshot, certs,
    check, notify,
};
use crate::crypto::{AesKey, PrivateKey, PublicKey};

/// A running sandbox gateway. Dropping it shuts the server down (without waiting); prefer
/// [`Sandbox::shutdown`] to wait until every connection is closed.
pub struct Sandbox {
    pub(crate) shared: Arc<Shared>,
    /// Stops the server and the background deliveries.
    pub(crate) stop: watch::Sender<bool>,
    /// The accept loop ([`server::serve`](super::server::serve)).
    pub(crate) server: Option<JoinHandle<()>>,
    /// Ends (`None`) once every background task is gone.
    pub(crate) tasks_closed: mpsc::Receiver<Infallible>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` (a free port) with a freshly generated Alipay key.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Self::builder().start().await
    }

    /// Options: the address, the Alipay key, the timestamp tolerance, the notification retry
    /// time scale, a state file, apps and faults registered from the start.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The gateway URL to configure the client with: `http://127.0.0.1:PORT/gateway.do`.
    pub fn gateway_url(&self) -> String {
        format!("{}/gateway.do", self.shared.base_url())
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The public key of the sandbox's "Alipay" key: what clients configure as the Alipay public
    /// key to verify answers and notifications.
    pub fn alipay_public_key(&self) -> PublicKey {
        self.shared.public_key.clone()
    }

    /// Registers an app id with its public key (replacing any key it had).
    ///
    /// With a state file, the app is saved; a failure to save is not reported here but by
    /// [`Sandbox::save_state`].
    pub fn register_app(&self, app_id: impl Into<String>, app_public_key: PublicKey) {
        self.shared.register(app_id.into(), app_public_key);
        let _ = self.shared.persist();
    }

    /// Saves the state file now, if there is one and the state changed since it was last
    /// saved (the sandbox saves after every change; this reports whether the last save worked).
    pub fn save_state(&self) -> Result<(), SandboxError> {
        self.shared.persist()
    }

    /// Injects `fault` into every call of `scope` until [`Sandbox::clear_faults`].
    pub fn inject(&self, fault: Fault, scope: Scope) {
        self.inject_rule(FaultRule::new(fault, scope));
    }

    /// Injects a fault rule, e.g. a one-shot one: `FaultRule::new(fault, scope).times(1)`.
    /// Rules are tried in the order they were injected; the first that matches a call spoils
    /// it, and counts one use.
    pub fn inject_rule(&self, rule: FaultRule) {
        lock(&self.shared.faults).add(rule);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// The fault rules in force, with the uses left.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.shared.faults).list()
    }

    /// A client builder already set up for `app` in this sandbox: app id, app private key, the
    /// sandbox's Alipay public key and gateway URL. Add a notify URL or timeouts, then build.
    pub fn client_builder(&self, app: &SandboxApp) -> crate::ClientBuilder {
        crate::Client::builder()
            .app_id(app.app_id.clone())
            .app_private_key_parsed(app.private_key.clone())
            .alipay_public_key_parsed(self.alipay_public_key())
            .gateway_url(self.gateway_url())
    }

    /// Creates and registers an app with a new unique 16-digit id and a new RSA-2048 key pair.
    /// Fails only if key generation does (the system's random source failed).
    pub fn create_app(&self) -> Result<SandboxApp, SandboxError> {
        let private_key = PrivateKey::generate()?;
        let public_key = private_key.public_key();
        let app_id = loop {
            let candidate = format!("2021{:012}", self.shared.ids.app());
            if self.shared.app(&candidate).is_none() {
                break candidate;
            }
        };
        self.shared.register(app_id.clone(), public_key.clone());
        self.shared.persist()?;
        Ok(SandboxApp {
            app_id,
            private_key,
            public_key,
        })
    }

    /// Creates and registers an app in certificate mode (公钥证书模式): a key pair, an app
    /// certificate issued by the sandbox's root, and an AES key for content encryption. The
    /// result holds the three PEM files a client needs (see [`Sandbox::cert_client_builder`]).
    ///
    /// The sandbox then requires the app certificate's `app_cert_sn` and the root bundle's
    /// `alipay_root_cert_sn` on the app's requests (`isv.invalid-app-cert-sn` /
    /// `isv.invalid-alipay-root-cert-sn` otherwise), and signs for the app with the current
    /// Alipay certificate, named in `alipay_cert_sn`.
    pub fn create_cert_app(&self) -> Result<SandboxCertApp, SandboxError> {
        let app = self.create_app()?;
        certs::create_cert_app(&self.shared, app)
    }

    /// Moves an app already registered (with [`SandboxBuilder::app`] or
    /// [`Sandbox::register_app`], whose private key stays with its owner) to certificate mode:
    /// issues its app certificate for its registered public key, and an AES key. From then on
    /// the app is held to certificate mode exactly as one made by [`Sandbox::create_cert_app`].
    /// Fails with [`SandboxError::UnknownApp`] for an app that is not registered.
    pub fn certify_app(&self, app_id: &str) -> Result<AppCertificates, SandboxError> {
        let app = self
            .shared
            .app(app_id)
            .ok_or_else(|| SandboxError::UnknownApp(app_id.to_owned()))?;
        certs::certify(&self.shared, app_id, &app.public_key)
    }

    /// A client builder for a certificate app: app id, app private key, the app's three
    /// certificates, its content encryption key (encryption itself stays off unless asked for)
    /// and the gateway URL.
    pub fn cert_client_builder(&self, app: &SandboxCertApp) -> crate::ClientBuilder {
        crate::Client::builder()
            .app_id(app.app.app_id.clone())
            .app_private_key_parsed(app.app.private_key.clone())
            .certificates(
                app.app_cert_pem.clone(),
                app.alipay_cert_pem.clone(),
                app.alipay_root_cert_pem.clone(),
            )
            .aes_key(app.aes_key.clone())
            .gateway_url(self.gateway_url())
    }

    /// Rotates the Alipay certificate: issues a new one (with a new key) from the same root and
    /// signs for certificate apps with it from now on. Clients configured with the previous
    /// certificate download the new one with `alipay.open.app.alipaycert.download`. Returns the
    /// new certificate's SN.
    pub fn rotate_alipay_certificate(&self) -> Result<String, SandboxError> {
        certs::rotate(&self.shared)
    }

    /// A forged rotation, for tests: like [`Sandbox::rotate_alipay_certificate`], but the new
    /// certificate is issued by another root with the same name as the sandbox's root, which
    /// is not in the bundle. The sandbox signs with it and hands it out on download, so clients
    /// must refuse it. Returns its SN.
    pub fn rotate_alipay_certificate_forged(&self) -> Result<String, SandboxError> {
        certs::rotate_forged(&self.shared)
    }

    /// The current Alipay certificate (`alipayCertPublicKey_RSA2.crt`), PEM.
    pub fn alipay_cert_pem(&self) -> Result<String, SandboxError> {
        certs::current(&self.shared).map(|(pem, _)| pem)
    }

    /// The SN of the current Alipay certificate (the `alipay_cert_sn` of answers to
    /// certificate apps).
    pub fn alipay_cert_sn(&self) -> Result<String, SandboxError> {
        certs::current(&self.shared).map(|(_, sn)| sn)
    }

    /// The root bundle (`alipayRootCert.crt`), PEM: the sandbox's RSA root and an ECDSA root.
    pub fn alipay_root_cert_pem(&self) -> Result<String, SandboxError> {
        certs::root_bundle(&self.shared).map(|(pem, _)| pem)
    }

    /// Sets the AES key of content encryption (接口内容加密) of an app: its `encrypt_type=AES`
    /// requests are decrypted with it and answered encrypted.
    pub fn set_app_aes_key(&self, app_id: &str, key: AesKey) {
        self.shared.certs.set_aes_key(app_id, key);
    }

    /// Generates an AES-128 key for an app, registers it (see [`Sandbox::set_app_aes_key`])
    /// and returns it in base64, as the console shows it.
    pub fn create_app_aes_key(&self, app_id: &str) -> Result<String, SandboxError> {
        let key = certs::new_aes_key()?;
        self.set_app_aes_key(app_id, AesKey::from_base64(&key)?);
        Ok(key)
    }

    /// The buyer pays the trade: `WAIT_BUYER_PAY` → `TRADE_SUCCESS`. If the trade has a
    /// `notify_url`, the signed notification is POSTed to it and its first attempt (5 s at most)
    /// is awaited and recorded before this returns; further attempts, if the merchant does not
    /// answer `success`, run in the background.
    pub async fn pay(
        &self,
        app_id: &str,
        out_trade_no: &str,
    ) -> Result<TradeSnapshot, SandboxError> {
        pay(&self.shared, app_id, out_trade_no).await
    }

    /// What the Alipay app does with an order string of `alipay.trade.app.pay` (as rendered by
    /// [`Render::order_string`](crate::Render::order_string)): decodes it, checks it as
    /// the gateway checks a request (app id, method, signature over every parameter but `sign`,
    /// timestamp, `biz_content`), opens the trade and the buyer pays it at once. The notification
    /// is delivered (and awaited) as with [`Sandbox::pay`].
    ///
    /// Errors: [`SandboxError::InvalidSignature`] when the signature does not verify;
    /// [`SandboxError::Refused`] with Alipay's `sub_code` for any other refusal (e.g.
    /// `ACQ.TRADE_HAS_SUCCESS` when the order was already paid).
    pub async fn app_pay(&self, order_string: &str) -> Result<TradeSnapshot, SandboxError> {
        let snapshot = check::app_pay(&self.shared, order_string).map_err(SandboxError::refused)?;
        self.shared.persist()?;
        deliver(&self.shared, vec![notify::Notice::paid(snapshot.clone())]).await;
        Ok(snapshot)
    }

    /// A one-time OAuth authorization code, as if user `user_id` had just authorised app
    /// `app_id`: `alipay.system.oauth.token` exchanges it (once) for tokens of that user.
    pub fn issue_auth_code(&self, app_id: &str, user_id: &str) -> String {
        lock(&self.shared.open).issue_auth_code(app_id, user_id)
    }

    /// The user completes (`passed`) or fails a certification opened with
    /// `alipay.user.certify.open.initialize`, as the certify page's buttons do.
    pub async fn complete_certification(
        &self,
        certify_id: &str,
        passed: bool,
    ) -> Result<(), SandboxError> {
        lock(&self.shared.certifications)
            .complete(certify_id, passed)
            .map(|_| ())
    }

    /// A certification, if one has this `certify_id`.
    pub fn certification(&self, certify_id: &str) -> Option<CertificationSnapshot> {
        lock(&self.shared.certifications).snapshot(certify_id)
    }

    /// Every image and video uploaded so far, oldest first.
    pub fn images(&self) -> Vec<StoredImage> {
        lock(&self.shared.open).images()
    }

    /// Every message sent so far (life account group and single sends, mini program template
    /// messages), oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        lock(&self.shared.marketing).messages()
    }

    /// The trade, if the app has one with this `out_trade_no`.
    pub fn trade(&self, app_id: &str, out_trade_no: &str) -> Option<TradeSnapshot> {
        lock(&self.shared.trades).snapshot(app_id, out_trade_no)
    }

    /// The seller (merchant) id of an app (`2088…`): the account its payouts are paid from,
    /// which `alipay.fund.account.query` takes as `alipay_user_id`.
    pub fn seller_id(&self, app_id: &str) -> Option<String> {
        self.shared.app(app_id).map(|app| app.seller_id.clone())
    }

    /// An app's balance in cents, which transfers are paid from (see
    /// [`SandboxBuilder::fund_balance_cents`]).
    pub fn fund_balance_cents(&self, app_id: &str) -> u64 {
        lock(&self.shared.fund).balance(app_id)
    }

    /// Sets an app's balance, in cents.
    pub fn set_fund_balance_cents(&self, app_id: &str, cents: u64) {
        lock(&self.shared.fund).set_balance(app_id, cents);
    }

    /// Adds an Alipay account transfers can be paid to (or replaces the one with this user
    /// id): by `ALIPAY_USER_ID` `user_id` or by `ALIPAY_LOGON_ID` `logon_id`, with the
    /// holder's real `name`, which a transfer naming a payee must match
    /// (`PAYEE_USER_INFO_ERROR`). The sandbox buyer (`2088102177846880`,
    /// `test_buyer@sandbox.com`, `沙箱买家`) is always a payee; any other account is
    /// `PAYEE_NOT_EXIST`.
    pub fn add_payee(
        &self,
        user_id: impl Into<String>,
        logon_id: impl Into<String>,
        name: impl Into<String>,
    ) {
        lock(&self.shared.fund).add_payee(user_id.into(), logon_id.into(), name.into());
    }

    /// Every notification delivery attempt so far, oldest first (also served as JSON at
    /// `GET /sandbox/notifications`).
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        lock(&self.shared.notifications).clone()
    }

    /// Every request the gateway endpoint received so far, oldest first (empty when recording
    /// is off, see [`SandboxBuilder::record_requests`]).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Stops accepting connections, lets the requests in flight finish, stops the background
    /// notification deliveries (pending retries are dropped), and waits until every connection
    /// and delivery task is gone.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        drop(lock(&self.shared.tasks_alive).take());
        let _ = self.tasks_closed.recv().await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
