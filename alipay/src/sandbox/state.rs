//! The state file ([`SandboxBuilder::state_file`](super::SandboxBuilder::state_file)): the
//! registered apps, the trades and the generated Alipay key, saved as JSON after every change
//! and loaded at start.
//!
//! Saving writes a temporary file in the same directory, syncs it to disk, renames it over the
//! state file and syncs the directory, so the file is always either the old or the new state.
//! The gateway saves before it answers: a change the client saw acknowledged is on disk.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::trade::Trade;
use super::{App, Shared, lock, random};
use crate::crypto::{PrivateKey, PublicKey};

/// The version of the file's layout.
const FORMAT: u32 = 1;

#[derive(serde::Serialize)]
struct DocOut<'a> {
    format: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    alipay_private_key: Option<&'a str>,
    apps: Vec<AppDoc>,
    trades: Vec<&'a Trade>,
}

#[derive(serde::Deserialize)]
struct DocIn {
    format: u32,
    #[serde(default)]
    alipay_private_key: Option<String>,
    #[serde(default)]
    apps: Vec<AppDoc>,
    #[serde(default)]
    trades: Vec<Trade>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct AppDoc {
    app_id: String,
    /// Bare base64 SPKI.
    public_key: String,
    seller_id: String,
}

/// What a state file held.
pub(crate) struct Loaded {
    /// The Alipay key the sandbox generated on a previous run, if it did.
    pub(crate) alipay_private_key: Option<PrivateKey>,
    pub(crate) apps: Vec<(String, App)>,
    pub(crate) trades: Vec<Trade>,
}

/// Reads a state file; `None` when it does not exist yet.
pub(crate) fn load(path: &Path) -> Result<Option<Loaded>, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let doc: DocIn = serde_json::from_slice(&bytes)
        .map_err(|e| format!("`{}` is not a sandbox state file: {e}", path.display()))?;
    if doc.format != FORMAT {
        return Err(format!(
            "`{}` has format {}, this sandbox reads format {FORMAT}",
            path.display(),
            doc.format
        ));
    }
    let alipay_private_key = doc
        .alipay_private_key
        .map(|pem| PrivateKey::parse(&pem))
        .transpose()
        .map_err(|e| format!("`{}`: the Alipay key: {e}", path.display()))?;
    let mut apps = Vec::with_capacity(doc.apps.len());
    for app in doc.apps {
        let public_key = PublicKey::parse(&app.public_key)
            .map_err(|e| format!("`{}`: the key of app {}: {e}", path.display(), app.app_id))?;
        apps.push((
            app.app_id,
            App {
                public_key,
                seller_id: app.seller_id,
            },
        ));
    }
    Ok(Some(Loaded {
        alipay_private_key,
        apps,
        trades: doc.trades,
    }))
}

/// Where the state is saved, and what was saved last.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    /// The PEM of the Alipay key, when the sandbox generated it (a key given to the builder is
    /// the caller's to keep).
    alipay_private_key: Option<String>,
    /// The bytes last written; its lock also orders the writes.
    last: Mutex<Vec<u8>>,
}

impl StateFile {
    pub(crate) fn new(path: PathBuf, alipay_private_key: Option<String>) -> Self {
        Self {
            path,
            alipay_private_key,
            last: Mutex::new(Vec::new()),
        }
    }

    /// Writes the current state if it changed since the last write. The state is read under
    /// the write lock, so a later save always holds every change made before it.
    pub(crate) fn save(&self, shared: &Shared) -> Result<(), String> {
        let mut last = lock(&self.last);
        let bytes = {
            let apps = shared.apps.read().unwrap_or_else(|e| e.into_inner());
            let mut app_docs: Vec<AppDoc> = apps
                .iter()
                .map(|(app_id, app)| AppDoc {
                    app_id: app_id.clone(),
                    public_key: app.public_key.to_base64(),
                    seller_id: app.seller_id.clone(),
                })
                .collect();
            drop(apps);
            app_docs.sort_by(|a, b| a.app_id.cmp(&b.app_id));
            let trades = lock(&shared.trades);
            let doc = DocOut {
                format: FORMAT,
                alipay_private_key: self.alipay_private_key.as_deref(),
                apps: app_docs,
                trades: trades.trades(),
            };
            serde_json::to_vec_pretty(&doc)
                .map_err(|e| format!("cannot encode the sandbox state: {e}"))?
        };
        if *last == bytes {
            return Ok(());
        }
        write_atomic(&self.path, &bytes).map_err(|e| {
            format!(
                "cannot save the sandbox state to `{}`: {e}",
                self.path.display()
            )
        })?;
        *last = bytes;
        Ok(())
    }
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same directory, synced, then
/// renamed over `path`, then the directory synced.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| std::io::Error::other("the state file path names no file"))?;
    let temp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        random::random_hex(16)
    ));
    let written = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // The file may hold the sandbox's (test) Alipay private key.
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}
