//! The one managed state: the active session (swapped on connect, switch and
//! sign out), the secret store and the embedded demo server.

use std::sync::Arc;

use roster_client::model::{AppError, ErrorKind};
use roster_client::Client;
use tokio::sync::{Mutex, RwLock};

use crate::demo::DemoServer;
use crate::offline::Live;
use crate::secrets::SecretStore;
use crate::LaunchOptions;

pub struct AppState {
    pub secrets: Arc<dyn SecretStore>,
    /// The active connection: its offline copy, client and sync loop.
    pub session: RwLock<Option<Arc<Live>>>,
    pub demo: Mutex<Option<DemoServer>>,
    pub launch: LaunchOptions,
    /// Start-up work (resume the last profile, or open the demo) happens once.
    pub started: Mutex<bool>,
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
