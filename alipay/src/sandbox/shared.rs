//! The state shared by the [`Sandbox`](super::Sandbox) handle and the connection and delivery
//! tasks, and the actions both sides take on it (paying a trade, delivering notifications).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::{
    NotificationKind, NotificationRecord, ReceivedRequest, SandboxError, TradeSnapshot, agreement,
    certs, fault, fund, isv, marketing, member, notify, open, pages, preauth, settle, state, trade,
};
use crate::crypto::{PrivateKey, PublicKey};

/// A registered app, as the gateway needs it.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) public_key: PublicKey,
    pub(crate) seller_id: String,
}

/// The state shared by the handle and the connection tasks.
pub(crate) struct Shared {
    /// This very value, for the tasks it spawns.
    pub(crate) me: Weak<Shared>,
    pub(crate) addr: SocketAddr,
    pub(crate) signer: PrivateKey,
    pub(crate) public_key: PublicKey,
    pub(crate) tolerance: Option<Duration>,
    pub(crate) record_requests: bool,
    pub(crate) apps: RwLock<HashMap<String, Arc<App>>>,
    pub(crate) trades: Mutex<trade::Store>,
    pub(crate) bills: Mutex<HashMap<String, trade::BillRequest>>,
    pub(crate) notifications: Mutex<Vec<NotificationRecord>>,
    pub(crate) requests: Mutex<Vec<ReceivedRequest>>,
    pub(crate) notifier: notify::Notifier,
    pub(crate) open: Mutex<open::State>,
    pub(crate) marketing: Mutex<marketing::State>,
    pub(crate) certifications: Mutex<member::State>,
    pub(crate) cashiers: Mutex<HashMap<String, pages::Cashier>>,
    pub(crate) agreements: Mutex<agreement::State>,
    pub(crate) isv: Mutex<isv::State>,
    pub(crate) preauth: Mutex<preauth::State>,
    /// Balances, transfers and e-receipts.
    pub(crate) fund: Mutex<fund::State>,
    /// Settlement receivers and settlements (locked after `trades` when both are).
    pub(crate) settlements: Mutex<settle::State>,
    /// Fires when the sandbox stops: background deliveries end.
    pub(crate) stop: watch::Receiver<bool>,
    /// Every background task holds a clone; taken (dropped) at shutdown.
    pub(crate) tasks_alive: Mutex<Option<mpsc::Sender<Infallible>>>,
    /// The factor applied to Alipay's notification retry schedule.
    pub(crate) notify_scale: f64,
    pub(crate) faults: Mutex<fault::Faults>,
    pub(crate) state: Option<state::StateFile>,
    /// Certificate mode and content encryption.
    pub(crate) certs: certs::State,
    /// The id counters.
    pub(crate) ids: Ids,
    /// The OpenAPI v3 nonces seen (replays are refused).
    pub(crate) v3_nonces: Mutex<super::v3::Nonces>,
}

/// The sandbox's own counters: each sandbox numbers its apps, sellers, bills and
/// notifications from 1 (trade numbers are counted by the trade store).
#[derive(Debug, Default)]
pub(crate) struct Ids {
    app: AtomicU64,
    seller: AtomicU64,
    bill: AtomicU64,
    notification: AtomicU64,
}

impl Ids {
    fn next(counter: &AtomicU64) -> u64 {
        counter.fetch_add(1, Ordering::Relaxed).saturating_add(1)
    }

    /// The next app number (of [`Sandbox::create_app`](super::Sandbox::create_app)'s ids).
    pub(crate) fn app(&self) -> u64 {
        Self::next(&self.app)
    }

    /// The next seller (merchant) number, one per registered app.
    pub(crate) fn seller(&self) -> u64 {
        Self::next(&self.seller)
    }

    /// The next bill number.
    pub(crate) fn bill(&self) -> u64 {
        Self::next(&self.bill)
    }

    /// The next notification number.
    pub(crate) fn notification(&self) -> u64 {
        Self::next(&self.notification)
    }

    /// Seller ids handed out from now on must not collide with `seller_id` (of an app read
    /// from a state file).
    fn note_seller_id(&self, seller_id: &str) {
        if let Some(seq) = seller_id
            .strip_prefix("2088")
            .and_then(|digits| digits.parse::<u64>().ok())
        {
            self.seller.fetch_max(seq, Ordering::Relaxed);
        }
    }
}

impl Shared {
    /// A registered app.
    pub(crate) fn app(&self, app_id: &str) -> Option<Arc<App>> {
        self.apps
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(app_id)
            .cloned()
    }

    /// `http://127.0.0.1:PORT` (the loopback address when bound to an unspecified one).
    pub(crate) fn base_url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(host, self.addr.port()))
    }

    /// Registers an app with a new seller id.
    pub(crate) fn register(&self, app_id: String, public_key: PublicKey) {
        let seller_id = format!("2088{:012}", self.ids.seller());
        self.insert_app(
            app_id,
            App {
                public_key,
                seller_id,
            },
        );
    }

    /// Registers an app with its seller id (read from a state file).
    pub(crate) fn insert_app(&self, app_id: String, app: App) {
        self.ids.note_seller_id(&app.seller_id);
        self.apps
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(app_id, Arc::new(app));
    }

    /// Saves the state file, if there is one, when the state changed.
    pub(crate) fn persist(&self) -> Result<(), SandboxError> {
        match &self.state {
            Some(state) => state.save(self).map_err(SandboxError::State),
            None => Ok(()),
        }
    }
}

/// Locks a mutex; a panic elsewhere while it was held does not make the state unusable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The buyer pays a trade; the state is saved, then the notification's first attempt is made
/// (if the trade has a `notify_url`).
pub(crate) async fn pay(
    shared: &Shared,
    app_id: &str,
    out_trade_no: &str,
) -> Result<TradeSnapshot, SandboxError> {
    let snapshot = lock(&shared.trades).pay(app_id, out_trade_no)?;
    shared.persist()?;
    deliver(shared, vec![notify::Notice::paid(snapshot.clone())]).await;
    Ok(snapshot)
}

/// Starts delivering notifications in the background, and waits for the first attempt of the
/// payment and agreement signing notifications (so a test sees them as soon as the payment or
/// the signing returns).
pub(crate) async fn deliver(shared: &Shared, notices: Vec<notify::Notice>) {
    let mut first_attempts = Vec::new();
    for notice in notices {
        let payment = matches!(
            notice.kind(),
            NotificationKind::Payment | NotificationKind::AgreementSigned
        );
        if let Some(first) = notify::dispatch(shared, notice)
            && payment
        {
            first_attempts.push(first);
        }
    }
    for first in first_attempts {
        let _ = first.await;
    }
}
