//! Roster's offline copy of an account, free of Tauri.
//!
//! - [`Cache`]: per profile, every user (with the Roster extension data) and
//!   the catalogue, in a SQLCipher file whose key lives in the OS keychain;
//!   the Users table's windows come from its in-memory [`index::Index`].
//! - [`sync`]: full sync (pages in flight, resumable) and incremental sync
//!   (changes since the last one, deletions reconciled) from any SCIM 2.0
//!   server through [`roster_client::Client`].

pub mod index;
pub mod row;
pub mod store;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use roster_client::model::{Catalogue, UserDetail, UsersWindow, WindowRequest};
use roster_client::user_json::{self, UserDoc};
use roster_client::{ClientError, UsersPage};
use serde_json::value::RawValue;
use serde_json::Value;

use index::Index;
use row::CachedRow;
use store::{Prepared, Store};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file cannot be read with this key, or is damaged.
    #[error("the offline copy cannot be read ({0})")]
    Unreadable(String),
    #[error("the offline copy could not be saved ({0})")]
    Storage(String),
}

impl From<CacheError> for ClientError {
    fn from(e: CacheError) -> Self {
        ClientError::Internal(format!(
            "Roster's offline copy could not be used: {e}. The next sync rebuilds it."
        ))
    }
}

/// A new random key for a new file.
pub fn new_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("the operating system provides random numbers");
    key
}

pub fn key_to_text(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn key_from_text(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(key)
}

/// The time now, as the server writes times.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// How the key of a file was found.
pub enum Key {
    /// From the keychain.
    Kept([u8; 32]),
    /// Not in the keychain: a new one, which the caller has just stored.
    New([u8; 32]),
}

pub struct Cache {
    store: Mutex<Store>,
    index: RwLock<Arc<Index>>,
    catalogue: RwLock<Catalogue>,
    /// The meta `synced_at`, kept here as well: the table asks for it on
    /// every window, and reading the file would wait behind a running sync.
    synced_at: RwLock<Option<String>>,
}

/// Moves an unusable file (and its WAL) aside, replacing an older one.
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let aside = path.with_extension("unreadable");
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", path.display()));
        let to = PathBuf::from(format!("{}{suffix}", aside.display()));
        let _ = std::fs::remove_file(&to);
        if from.exists() {
            std::fs::rename(&from, &to)?;
        }
    }
    Ok(aside)
}

/// Deletes a copy (on sign-out): the file and its WAL, and any set aside.
pub fn remove_copy(path: &Path) -> std::io::Result<()> {
    for base in [path.to_path_buf(), path.with_extension("unreadable")] {
        for suffix in ["", "-wal", "-shm"] {
            match std::fs::remove_file(format!("{}{suffix}", base.display())) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    Ok(())
}

impl Cache {
    /// Opens the profile's file; one that cannot be read (damaged, or its
    /// key lost) is set aside and a new, empty one made. The message says
    /// what happened, in the user's words.
    pub fn open(path: &Path, key: Key) -> Result<(Cache, Option<String>), CacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CacheError::Storage(e.to_string()))?;
        }
        let (key, mut notice) = match key {
            Key::Kept(key) => (key, None),
            Key::New(key) if path.exists() => {
                set_aside(path).map_err(|e| CacheError::Storage(e.to_string()))?;
                (
                    key,
                    Some(
                        "The key of this connection's offline copy was missing from the keychain, \
                         so the copy could not be opened. Roster set it aside and is downloading a fresh copy."
                            .to_owned(),
                    ),
                )
            }
            Key::New(key) => (key, None),
        };
        // A damaged header shows when the file is opened, a damaged row
        // page when the rows are read: either way the file is unreadable.
        let opened = Store::open(path, &key).and_then(|store| {
            Cache::with_store(store).map_err(|e| CacheError::Unreadable(e.to_string()))
        });
        let cache = match opened {
            Ok(cache) => cache,
            Err(CacheError::Unreadable(why)) => {
                tracing::warn!("offline copy {} unreadable: {why}", path.display());
                set_aside(path).map_err(|e| CacheError::Storage(e.to_string()))?;
                notice = Some(
                    "This connection's offline copy was damaged. Roster set it aside and is \
                     downloading a fresh copy."
                        .to_owned(),
                );
                Cache::with_store(Store::open(path, &key)?)?
            }
            Err(e) => return Err(e),
        };
        Ok((cache, notice))
    }

    /// A copy in memory only, for when there is no keychain to keep a key.
    pub fn in_memory() -> Result<Cache, CacheError> {
        Cache::with_store(Store::in_memory()?)
    }

    fn with_store(store: Store) -> Result<Cache, CacheError> {
        let catalogue: Catalogue = store
            .meta("catalogue")?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let synced_at = store.meta("synced_at")?;
        let index = Index::build(store.rows()?, &catalogue, &now_rfc3339());
        Ok(Cache {
            store: Mutex::new(store),
            index: RwLock::new(Arc::new(index)),
            catalogue: RwLock::new(catalogue),
            synced_at: RwLock::new(synced_at),
        })
    }

    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until everything written is in the file itself: after a full
    /// sync, its WAL is copied there on a thread of its own.
    pub fn settle(&self) {
        self.store().wait_for_checkpoint();
    }

    pub(crate) fn index(&self) -> Arc<Index> {
        self.index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn catalogue(&self) -> Catalogue {
        self.catalogue
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many users the copy holds.
    pub fn len(&self) -> usize {
        self.index().len()
    }

    pub fn is_empty(&self) -> bool {
        self.index().is_empty()
    }

    /// When the copy was last brought up to date (RFC 3339), if ever.
    pub fn as_of(&self) -> Option<String> {
        self.synced_at
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the copy holds a complete sync (the table's windows can come
    /// from it).
    pub fn is_synced(&self) -> bool {
        self.synced_at
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Follows meta just written to the file.
    pub(crate) fn wrote_meta(&self, meta: &[(&str, &str)]) {
        if let Some((_, at)) = meta.iter().find(|(key, _)| *key == "synced_at") {
            *self
                .synced_at
                .write()
                .unwrap_or_else(PoisonError::into_inner) = Some((*at).to_owned());
        }
    }

    /// A value the app keeps with the copy (encrypted like the rest).
    pub fn note(&self, key: &str) -> Option<String> {
        self.store().meta(&format!("app.{key}")).ok().flatten()
    }

    pub fn set_note(&self, key: &str, value: &str) -> Result<(), CacheError> {
        self.store().set_meta(&[(&format!("app.{key}"), value)])
    }

    /// Whether the server of this copy has the Roster extension.
    pub fn roster_extension(&self) -> bool {
        self.store()
            .meta("roster_extension")
            .ok()
            .flatten()
            .as_deref()
            == Some("true")
    }

    /// A window of the Users table, from memory.
    pub fn window(&self, req: &WindowRequest) -> Result<UsersWindow, ClientError> {
        self.index().window(req)
    }

    /// A user as last synced, for the panel while offline.
    pub fn user(&self, id: &str) -> Result<Option<UserDetail>, ClientError> {
        let roster_extension = self.roster_extension();
        let Some((doc, etag)) = self.store().doc(id)? else {
            return Ok(None);
        };
        user_json::detail(&doc, etag, roster_extension).map(Some)
    }

    /// Keeps the catalogue (role names for the table, the panel offline).
    pub fn set_catalogue(&self, catalogue: Catalogue) -> Result<(), CacheError> {
        let json =
            serde_json::to_string(&catalogue).map_err(|e| CacheError::Storage(e.to_string()))?;
        self.store().set_meta(&[("catalogue", &json)])?;
        let role_names = |c: &Catalogue| -> Vec<(String, String)> {
            c.roles
                .iter()
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect()
        };
        let same_roles = role_names(&self.catalogue()) == role_names(&catalogue);
        *self
            .catalogue
            .write()
            .unwrap_or_else(PoisonError::into_inner) = catalogue;
        // The index shows role names only: a department added or a
        // permission changed leaves it as it is.
        if !same_roles {
            self.set_index(self.index().changed(
                Vec::new(),
                &[],
                &self.catalogue(),
                &now_rfc3339(),
            ));
        }
        Ok(())
    }

    pub(crate) fn reindex(&self, rows: Vec<CachedRow>) {
        self.set_index(Index::build(rows, &self.catalogue(), &now_rfc3339()));
    }

    /// The table's windows come from `index` from now on.
    fn set_index(&self, index: Index) {
        *self.index.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(index);
    }

    /// Applies users read from the server (whole documents with their ETags)
    /// and removals, to the file and then the index.
    pub fn apply(
        &self,
        docs: Vec<(Value, Option<String>)>,
        deletes: &[String],
        meta: &[(&str, &str)],
    ) -> Result<(), ClientError> {
        let upserts = rows_of(docs)?;
        self.store().apply(&upserts, deletes, meta)?;
        self.wrote_meta(meta);
        if upserts.is_empty() && deletes.is_empty() {
            return Ok(());
        }
        let rows: Vec<CachedRow> = upserts.into_iter().map(|user| user.row).collect();
        self.set_index(
            self.index()
                .changed(rows, deletes, &self.catalogue(), &now_rfc3339()),
        );
        Ok(())
    }
}

/// The version of a document, when its ETag is not known otherwise.
fn version_of(doc: &UserDoc<'_>) -> Option<String> {
    doc.meta.version.as_deref().map(str::to_owned)
}

/// Users as received (JSON text) → what the file keeps of them, without
/// writing their JSON out again. Public for the `prepare` bench.
#[doc(hidden)]
pub fn prepare_raw(users: &[Box<RawValue>]) -> Result<Vec<Prepared>, ClientError> {
    users
        .iter()
        .map(|raw| {
            let doc = UsersPage::read_user(raw)?;
            let row = CachedRow::from_user(&doc)?;
            Ok(Prepared::new(row, raw.get().as_bytes(), version_of(&doc))?)
        })
        .collect()
}

/// Documents → what the file keeps of them.
pub(crate) fn rows_of(docs: Vec<(Value, Option<String>)>) -> Result<Vec<Prepared>, ClientError> {
    docs.into_iter()
        .map(|(doc, etag)| {
            let user = UserDoc::of(&doc);
            let etag = etag.or_else(|| version_of(&user));
            let json = serde_json::to_vec(&doc)
                .map_err(|e| ClientError::Internal(format!("a user could not be kept: {e}")))?;
            Ok(Prepared::new(CachedRow::from_user(&user)?, &json, etag)?)
        })
        .collect()
}
