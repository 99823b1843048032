//! The one managed state: the active session (swapped on connect, switch and
//! sign out), the secret store and the embedded demo server.

use std::sync::Arc;

use roster_client::model::{AppError, ConnectionStatus, ErrorKind};
use roster_client::Client;
use tokio::sync::{Mutex, RwLock};

use crate::demo::DemoServer;
use crate::secrets::SecretStore;
use crate::LaunchOptions;

pub struct Session {
    pub status: ConnectionStatus,
    pub client: Arc<Client>,
}

pub struct AppState {
    pub secrets: Arc<dyn SecretStore>,
    pub session: RwLock<Option<Session>>,
    pub demo: Mutex<Option<DemoServer>>,
    pub launch: LaunchOptions,
    /// Start-up work (resume the last profile, or open the demo) happens once.
    pub started: Mutex<bool>,
}

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

    /// The client of the active session, or an Unauthorized error.
    pub async fn client(&self) -> Result<Arc<Client>, AppError> {
        self.session
            .read()
            .await
            .as_ref()
            .map(|s| s.client.clone())
            .ok_or_else(|| AppError {
                kind: ErrorKind::Unauthorized,
                message: "You are not connected to a server; sign in first.".into(),
            })
    }
}

pub fn internal(message: impl std::fmt::Display) -> AppError {
    AppError {
        kind: ErrorKind::Internal,
        message: message.to_string(),
    }
}
