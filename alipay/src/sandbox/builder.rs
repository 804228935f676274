//! [`SandboxBuilder`]: the options of a sandbox, and [`SandboxBuilder::start`], which loads the
//! state file, binds the address and starts serving.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use super::fault::{self, FaultRule};
use super::shared::{Ids, Shared, lock};
use super::{
    Sandbox, SandboxError, agreement, certs, fund, isv, marketing, member, notify, open, preauth,
    server, settle, state, trade,
};
use crate::crypto::{PrivateKey, PublicKey};

/// Options of a [`Sandbox`]; see [`Sandbox::builder`].
#[derive(Debug)]
pub struct SandboxBuilder {
    addr: SocketAddr,
    alipay_private_key: Option<PrivateKey>,
    timestamp_tolerance: Option<Duration>,
    record_requests: bool,
    notify_scale: f64,
    state_file: Option<PathBuf>,
    apps: Vec<(String, PublicKey)>,
    faults: Vec<FaultRule>,
    cert_mode: bool,
    fund_balance_cents: u64,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            alipay_private_key: None,
            timestamp_tolerance: Some(Duration::from_secs(15 * 60)),
            record_requests: true,
            notify_scale: 1.0,
            state_file: None,
            apps: Vec::new(),
            faults: Vec::new(),
            cert_mode: false,
            fund_balance_cents: fund::DEFAULT_BALANCE_CENTS,
        }
    }
}

impl SandboxBuilder {
    /// The address to listen on; `127.0.0.1:0` (a free port) by default.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The "Alipay" key the sandbox signs with; a fresh RSA-2048 key by default.
    pub fn alipay_private_key(mut self, key: PrivateKey) -> Self {
        self.alipay_private_key = Some(key);
        self
    }

    /// How far a request's `timestamp` may be from the sandbox's clock; 15 minutes by default.
    /// `None` accepts any well-formed timestamp.
    pub fn timestamp_tolerance(mut self, tolerance: Option<Duration>) -> Self {
        self.timestamp_tolerance = tolerance;
        self
    }

    /// Whether to keep every request for [`Sandbox::requests`]; on by default. Turn it off for
    /// long benchmarks, where the list would grow without bound.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// The factor applied to Alipay's notification retry schedule (4m, 10m, 10m, 1h, 2h, 6h,
    /// 15h between the eight attempts); 1.0 by default. `0.000_01` makes the whole schedule
    /// last about a second, for tests. Must be finite and not negative.
    pub fn notify_time_scale(mut self, scale: f64) -> Self {
        self.notify_scale = scale;
        self
    }

    /// Keeps the registered apps, the trades and the generated Alipay key in this JSON file:
    /// loaded at start if it exists, and saved atomically after every change, before the
    /// change is acknowledged. Without it (the default) state lives in memory only.
    ///
    /// Only apps and trades are kept: tokens, images, messages, certifications, cashiers,
    /// notification records and faults are not. The file holds the generated Alipay private key
    /// (a test key), so it is created readable by its owner only.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Registers an app at start (as [`Sandbox::register_app`] does), replacing an app of the
    /// same id loaded from the state file.
    pub fn app(mut self, app_id: impl Into<String>, app_public_key: PublicKey) -> Self {
        self.apps.push((app_id.into(), app_public_key));
        self
    }

    /// Injects a fault from the start (as [`Sandbox::inject_rule`] does).
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Certificate mode (公钥证书模式): the sandbox issues its root and Alipay certificates at
    /// start (otherwise on first use, e.g. by [`Sandbox::create_cert_app`]). Apps created with
    /// [`Sandbox::create_cert_app`] then call in certificate mode; apps created with
    /// [`Sandbox::create_app`] stay in public key mode. Off by default.
    pub fn cert_mode(mut self, on: bool) -> Self {
        self.cert_mode = on;
        self
    }

    /// The balance every app starts with, in cents, which transfers
    /// (`alipay.fund.trans.uni.transfer`) are paid from and refunds of transfers return to;
    /// 10 000.00 yuan (`1_000_000`) by default. A transfer larger than what is left is refused
    /// with `PAYER_BALANCE_NOT_ENOUGH`. Payments the app receives do not add to it; set one
    /// app's balance with [`Sandbox::set_fund_balance_cents`].
    pub fn fund_balance_cents(mut self, cents: u64) -> Self {
        self.fund_balance_cents = cents;
        self
    }

    /// Binds the address and starts serving on the current Tokio runtime.
    ///
    /// Errors: the address cannot be bound; an option is out of range; the state file cannot
    /// be read or written; a key cannot be generated.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        if !self.notify_scale.is_finite() || self.notify_scale < 0.0 {
            return Err(SandboxError::InvalidOption(format!(
                "the notification time scale must be finite and not negative, not {}",
                self.notify_scale
            )));
        }
        let loaded = match &self.state_file {
            Some(path) => state::load(path).map_err(SandboxError::State)?,
            None => None,
        };
        let (loaded_key, loaded_apps, loaded_trades) = match loaded {
            Some(l) => (l.alipay_private_key, l.apps, l.trades),
            None => (None, Vec::new(), Vec::new()),
        };
        // A key the sandbox generates is saved, so clients keep working across restarts.
        let (signer, generated) = match (self.alipay_private_key, loaded_key) {
            (Some(key), _) => (key, false),
            (None, Some(key)) => (key, true),
            (None, None) => (PrivateKey::generate()?, true),
        };
        let state = self.state_file.map(|path| {
            let pem = generated.then(|| signer.to_pkcs8_pem().to_string());
            state::StateFile::new(path, pem)
        });
        let public_key = signer.public_key();
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let (alive, tasks_closed) = mpsc::channel::<Infallible>(1);
        let mut faults = fault::Faults::default();
        for rule in self.faults {
            faults.add(rule);
        }
        let shared = Arc::new_cyclic(|me| Shared {
            me: me.clone(),
            addr,
            signer,
            public_key,
            tolerance: self.timestamp_tolerance,
            record_requests: self.record_requests,
            apps: RwLock::new(HashMap::new()),
            trades: Mutex::new(trade::Store::default()),
            bills: Mutex::new(HashMap::new()),
            notifications: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            notifier: notify::Notifier::new(),
            open: Mutex::new(open::State::default()),
            marketing: Mutex::new(marketing::State::default()),
            certifications: Mutex::new(member::State::default()),
            cashiers: Mutex::new(HashMap::new()),
            agreements: Mutex::new(agreement::State::default()),
            isv: Mutex::new(isv::State::default()),
            preauth: Mutex::new(preauth::State::default()),
            fund: Mutex::new(fund::State::new(self.fund_balance_cents)),
            settlements: Mutex::new(settle::State::default()),
            stop: stopped.clone(),
            tasks_alive: Mutex::new(Some(alive)),
            notify_scale: self.notify_scale,
            faults: Mutex::new(faults),
            state,
            certs: certs::State::default(),
            ids: Ids::default(),
            v3_nonces: Mutex::new(super::v3::Nonces::default()),
        });
        if self.cert_mode {
            certs::init(&shared)?;
        }
        for (app_id, app) in loaded_apps {
            shared.insert_app(app_id, app);
        }
        for (app_id, key) in self.apps {
            shared.register(app_id, key);
        }
        *lock(&shared.trades) = trade::Store::from_trades(loaded_trades);
        // Creates the file (or fails now if it cannot be written).
        shared.persist()?;
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
        Ok(Sandbox {
            shared,
            stop,
            server: Some(server),
            tasks_closed,
        })
    }
}
