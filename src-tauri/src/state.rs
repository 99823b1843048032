//! The one managed state: the active session (swapped on connect, switch and
//! sign out), the secret store and the embedded demo server.

use std::sync::Arc;

use roster_client::model::{AppError, ErrorKind};
use roster_client::Client;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Runtime};
use tokio::sync::{watch, Mutex, RwLock};

use crate::commands::profiles::StartUp;

use crate::demo::DemoServer;
use crate::offline::Live;
use crate::secrets::SecretStore;
use crate::LaunchOptions;

use crate::commands::CmdResult;

pub struct AppState {
    pub secrets: Arc<dyn SecretStore>,
    /// The active connection: its offline copy, client and sync loop.
    pub session: RwLock<Option<Arc<Live>>>,
    pub demo: Mutex<Option<DemoServer>>,
    pub launch: LaunchOptions,
    /// Start-up work (resume the last profile, or open the demo) happens once.
    pub started: Mutex<bool>,
    /// The last profile's copy, being opened since the app started.
    pub start_up: Mutex<Option<JoinHandle<CmdResult<Option<StartUp>>>>>,
    /// False while the last connection is being reopened at start-up (from
    /// the app's start until `current_connection`, which the window asks
    /// first, has reopened it or found none): a command that needs the
    /// session waits for it then, rather than answer "not connected".
    pub settled: watch::Sender<bool>,
}

/// Marks the start-up settled when dropped, however it ended.
pub struct Settles<'a>(pub &'a watch::Sender<bool>);

impl Drop for Settles<'_> {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
}

/// What a command needing the server says while there is none.
pub const NEEDS_THE_SERVER: &str =
    "You are offline, and this needs the server. Roster reconnects by itself when the network is back.";

impl AppState {
    pub fn new(secrets: Arc<dyn SecretStore>, launch: LaunchOptions) -> Self {
        AppState {
            secrets,
            session: RwLock::new(None),
            demo: Mutex::new(None),
            launch,
            started: Mutex::new(false),
            start_up: Mutex::new(None),
            settled: watch::channel(true).0,
        }
    }

    /// Starts opening the last profile's copy on the blocking pool, for
    /// `current_connection` to pick up (not for `--demo`, which opens the
    /// demo instead).
    pub fn open_last_early<R: Runtime>(self, app: &AppHandle<R>) -> Self {
        if self.launch.demo {
            return self;
        }
        let (app, secrets) = (app.clone(), self.secrets.clone());
        let opening = tauri::async_runtime::spawn_blocking(move || {
            crate::commands::profiles::open_last(&app, secrets.as_ref())
        });
        AppState {
            start_up: Mutex::new(Some(opening)),
            settled: watch::channel(false).0,
            ..self
        }
    }

    /// The active session, or an Unauthorized error.
    pub async fn live(&self) -> Result<Arc<Live>, AppError> {
        // The window's first question may come before the reopened
        // connection is in place (the Users table's first window does).
        let mut settled = self.settled.subscribe();
        let _ = settled.wait_for(|settled| *settled).await;
        self.session.read().await.clone().ok_or_else(|| AppError {
            kind: ErrorKind::Unauthorized,
            message: "You are not connected to a server; sign in first.".into(),
        })
    }

    /// The client of the active session: Unauthorized without a session,
    /// Offline while the server cannot be reached.
    pub async fn client(&self) -> Result<(Arc<Live>, Arc<Client>), AppError> {
        let live = self.live().await?;
        if live.state().offline {
            return Err(offline());
        }
        match live.client() {
            Some(client) => Ok((live, client)),
            None => Err(offline()),
        }
    }
}

pub fn offline() -> AppError {
    AppError {
        kind: ErrorKind::Offline,
        message: NEEDS_THE_SERVER.into(),
    }
}

pub fn internal(message: impl std::fmt::Display) -> AppError {
    AppError {
        kind: ErrorKind::Internal,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn reopening() -> AppState {
        AppState {
            settled: watch::channel(false).0,
            ..AppState::new(Arc::new(MemoryStore::default()), LaunchOptions::default())
        }
    }

    #[tokio::test]
    async fn a_command_waits_while_the_last_connection_is_reopened() {
        let state = reopening();
        let live = state.live();
        tokio::pin!(live);
        tokio::select! {
            biased;
            _ = &mut live => panic!("answered before the start-up settled"),
            _ = tokio::task::yield_now() => {}
        }
        drop(Settles(&state.settled));
        let answer = live.await;
        assert_eq!(
            answer.err().map(|e| e.kind),
            Some(ErrorKind::Unauthorized),
            "no connection was reopened: not connected"
        );
    }

    #[tokio::test]
    async fn without_a_start_up_to_wait_for_a_command_answers_at_once() {
        let state = AppState::new(Arc::new(MemoryStore::default()), LaunchOptions::default());
        assert_eq!(
            state.live().await.err().map(|e| e.kind),
            Some(ErrorKind::Unauthorized)
        );
    }
}
