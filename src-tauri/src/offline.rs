//! The active connection's offline copy and the loop that keeps it current:
//! a sync when the connection opens, every few minutes, and on demand;
//! while the server cannot be reached, a reconnection attempt every few
//! seconds. Every change of state is sent to the UI as a `sync-state` event.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use roster_cache::sync::SyncError;
use roster_cache::{Cache, Key};
use roster_client::model::{ConnectionStatus, SyncState};
use roster_client::{Client, ClientError, Secret};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::secrets::SecretStore;

/// The event the UI listens to.
pub const SYNC_EVENT: &str = "sync-state";
/// Between two syncs while online.
const EVERY: Duration = Duration::from_secs(5 * 60);
/// Between two reconnection attempts while offline.
const RETRY: Duration = Duration::from_secs(10);

/// Where the copy keeps its notice (set aside, a new key) until shown.
const COPY_NOTICE: &str = "copy-notice";

/// The keychain account of a profile's cache key.
pub fn key_account(profile_id: &str) -> String {
    format!("{profile_id}#offline-copy-key")
}

/// Where a profile's copy lives.
pub fn copy_path<R: Runtime>(app: &AppHandle<R>, profile_id: &str) -> Result<PathBuf, String> {
    let dir = app
        .path()
        .app_data_dir()
        .map_err(|e| e.to_string())?
        .join("offline");
    // Profile ids are hex digests or "demo": safe as file names.
    Ok(dir.join(format!("{profile_id}.db")))
}

/// Opens the profile's copy with its key from the keychain (a new key when
/// there is none); in memory only when the keychain cannot be used.
pub fn open_copy(
    path: &std::path::Path,
    secrets: &dyn SecretStore,
    profile_id: &str,
) -> (Cache, Option<String>) {
    let account = key_account(profile_id);
    let key = match secrets.get(&account) {
        Ok(Some(text)) => roster_cache::key_from_text(text.expose()).map(Key::Kept),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "no keychain for the offline copy");
            return in_memory(
                "The system keychain is not available, so the offline copy is kept in memory only \
                 and is gone when Roster closes.",
            );
        }
    };
    let key = match key {
        Some(key) => key,
        None => {
            let key = roster_cache::new_key();
            let text = Secret::new(roster_cache::key_to_text(&key));
            if let Err(e) = secrets.set(&account, &text) {
                tracing::warn!(error = %e, "cannot store the offline copy's key");
                return in_memory(
                    "The system keychain refused to keep the offline copy's key, so the copy is \
                     kept in memory only.",
                );
            }
            Key::New(key)
        }
    };
    match Cache::open(path, key) {
        Ok((cache, notice)) => {
            // A copy set aside is replaced by an empty one, which start-up
            // cannot open on: it signs in and opens the copy again. The
            // notice is kept in the new file until its first sync finishes,
            // or that second opening would have no news and nobody would be
            // told.
            let notice = match notice {
                Some(notice) => {
                    if let Err(e) = cache.set_note(COPY_NOTICE, &notice) {
                        tracing::warn!(error = %e, "cannot keep the offline copy's notice");
                    }
                    Some(notice)
                }
                None if !cache.is_synced() => cache.note(COPY_NOTICE),
                None => None,
            };
            (cache, notice)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot open the offline copy");
            in_memory(&format!(
                "The offline copy could not be opened ({e}); it is kept in memory only for now."
            ))
        }
    }
}

/// Gives the memory freed by a big operation (opening the copy, a sync)
/// back to the system, from both allocators: mimalloc, the app's own (see
/// main.rs), keeps the pages it freed on this thread for reuse; glibc's
/// malloc, which SQLite and the other C libraries use, keeps freed memory in
/// its arenas. After reading 100,000 users that is memory the app would
/// hold on to for nothing. Call it on the thread that did the work.
pub fn return_freed_memory() {
    extern "C" {
        // mimalloc's, linked in by the `mimalloc` crate.
        fn mi_collect(force: bool);
    }
    // SAFETY: mi_collect takes no pointers; it frees what the calling
    // thread's heap no longer uses, and is safe to call from any thread.
    unsafe {
        mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only releases free pages of glibc's own heaps;
        // it takes no pointers and is safe to call from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

fn in_memory(notice: &str) -> (Cache, Option<String>) {
    let cache = Cache::in_memory().expect("an in-memory database opens");
    (cache, Some(notice.to_owned()))
}

/// How to reach the server again after it was unreachable: sign in again
/// with what the keychain holds (or, for the demo, the demo's own sign-in).
pub type Reconnect = Arc<dyn Fn() -> ReconnectFuture + Send + Sync>;

pub type ReconnectFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Client, ClientError>> + Send>>;

/// The live side of a session: its copy, its client (None while offline
/// before the first connection), and the sync loop.
pub struct Live {
    pub cache: Arc<Cache>,
    pub status: ConnectionStatus,
    client: Mutex<Option<Arc<Client>>>,
    state: Mutex<SyncState>,
    cancel: Mutex<Option<CancellationToken>>,
    wake: Notify,
    stop: CancellationToken,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Live {
    pub fn new(
        cache: Cache,
        status: ConnectionStatus,
        client: Option<Client>,
        notice: Option<String>,
    ) -> Arc<Live> {
        let as_of = cache.as_of();
        let state = SyncState {
            as_of,
            offline: client.is_none(),
            users: cache.len() as u32,
            running: None,
            error: None,
            notice,
            session_ended: false,
            revision: 0,
        };
        Arc::new(Live {
            cache: Arc::new(cache),
            status,
            client: Mutex::new(client.map(Arc::new)),
            state: Mutex::new(state),
            cancel: Mutex::new(None),
            wake: Notify::new(),
            stop: CancellationToken::new(),
        })
    }

    pub fn client(&self) -> Option<Arc<Client>> {
        self.client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn state(&self) -> SyncState {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the window queries can come from the copy: it holds a
    /// complete sync.
    pub fn copy_ready(&self) -> bool {
        self.cache.is_synced()
    }

    fn update<R: Runtime>(&self, app: &AppHandle<R>, change: impl FnOnce(&mut SyncState)) {
        let state = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let revision = state.revision;
            change(&mut state);
            state.revision = revision.saturating_add(1);
            state.clone()
        };
        if let Err(e) = app.emit(SYNC_EVENT, state) {
            tracing::warn!(error = %e, "cannot tell the UI about the sync");
        }
    }

    /// A command failed because the network is gone: the loop reconnects.
    pub fn went_offline<R: Runtime>(&self, app: &AppHandle<R>) {
        self.update(app, |s| s.offline = true);
        self.wake.notify_one();
    }

    /// "Sync now".
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    pub fn cancel_sync(&self) {
        if let Some(cancel) = self
            .cancel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            cancel.cancel();
        }
    }

    /// After a write: the copy takes the user as the server now has it.
    pub async fn refresh_user(&self, client: &Client, id: &str) {
        match client.user_doc(id).await {
            Ok((doc, etag)) => {
                if let Err(e) = self.cache.apply(vec![(doc, etag)], &[], &[]) {
                    tracing::warn!(error = %e, "cannot update the offline copy");
                }
            }
            Err(e) => tracing::info!(error = %e, "the changed user could not be read back"),
        }
    }

    pub fn forget_user(&self, id: &str) {
        if let Err(e) = self.cache.apply(Vec::new(), &[id.to_owned()], &[]) {
            tracing::warn!(error = %e, "cannot update the offline copy");
        }
    }

    /// The loop: runs until the session is replaced or closed.
    pub fn spawn<R: Runtime>(self: &Arc<Self>, app: AppHandle<R>, reconnect: Reconnect) {
        let live = Arc::downgrade(self);
        let stop = self.stop.clone();
        tauri::async_runtime::spawn(async move {
            let run = async {
                loop {
                    let Some(this) = live.upgrade() else { return };
                    let wait = this.round(&app, &reconnect).await;
                    let wake = async { this.wake.notified().await };
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = wake => {}
                    }
                }
            };
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = run => {}
            }
        });
    }

    /// One round: reconnect if needed, then sync. Returns how long to wait.
    async fn round<R: Runtime>(&self, app: &AppHandle<R>, reconnect: &Reconnect) -> Duration {
        let offline = self.state().offline;
        let client = match (self.client(), offline) {
            (Some(client), false) => client,
            (existing, _) => {
                let attempt = match existing {
                    // The network came back: the same session goes on.
                    Some(client) => client.users_page(None, 1, 0, true).await.map(|_| client),
                    None => reconnect().await.map(Arc::new),
                };
                match attempt {
                    Ok(client) => {
                        *self.client.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(client.clone());
                        self.update(app, |s| s.offline = false);
                        client
                    }
                    Err(ClientError::Offline(why)) => {
                        self.update(app, |s| {
                            s.offline = true;
                            s.error = Some(why);
                        });
                        return RETRY;
                    }
                    Err(e) => {
                        let ended = matches!(e, ClientError::Unauthorized(_));
                        self.update(app, |s| {
                            s.error = Some(e.to_string());
                            s.session_ended = ended;
                        });
                        return EVERY;
                    }
                }
            }
        };
        let cancel = CancellationToken::new();
        *self.cancel.lock().unwrap_or_else(PoisonError::into_inner) = Some(cancel.clone());
        let progress = |p| self.update(app, |s| s.running = Some(p));
        let result = self.cache.sync(&client, &progress, &cancel).await;
        *self.cancel.lock().unwrap_or_else(PoisonError::into_inner) = None;
        let users = self.cache.len() as u32;
        let as_of = self.cache.as_of();
        tokio::task::spawn_blocking(return_freed_memory);
        match result {
            Ok(report) => {
                tracing::info!(?report, "synced");
                self.update(app, |s| {
                    *s = SyncState {
                        as_of,
                        offline: false,
                        users,
                        running: None,
                        error: None,
                        notice: s.notice.take(),
                        session_ended: false,
                        revision: s.revision,
                    };
                });
                EVERY
            }
            Err(SyncError::Cancelled) => {
                self.update(app, |s| {
                    s.running = None;
                    s.error = Some(SyncError::Cancelled.to_string());
                });
                EVERY
            }
            Err(SyncError::Client(e)) => {
                let offline = matches!(e, ClientError::Offline(_));
                let ended = matches!(e, ClientError::Unauthorized(_));
                self.update(app, |s| {
                    s.running = None;
                    s.offline = offline;
                    s.session_ended = ended;
                    s.users = users;
                    s.error = Some(format!(
                        "The sync did not finish: {e} The offline copy is as it was; the next sync continues where this one stopped."
                    ));
                });
                if offline {
                    RETRY
                } else {
                    EVERY
                }
            }
        }
    }
}
