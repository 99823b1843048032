//! The one managed state: the active session (swapped on connect, switch and
//! sign out), the secret store and the embedded demo server.

use std::sync::Arc;

use roster_client::model::{AppError, ErrorKind};
use roster_client::Client;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Runtime};
use tokio::sync::{Mutex, RwLock};

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
            ..self
        }
    }

    /// The active session, or an Unauthorized error.
    pub async fn live(&self) -> Result<Arc<Live>, AppError> {
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
