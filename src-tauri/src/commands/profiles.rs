//! Connections: sign in (password or API token), the embedded demo, saved
//! profiles, and sign out. Secrets go to the keychain; commands return
//! connection status, never a token.

use std::sync::Arc;

use roster_client::model::{AppError, AuthKind, ConnectionStatus, ErrorKind, ProfileSummary};
use roster_client::{Client, Secret, ServerUrl};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::demo::DemoServer;
use crate::profiles;
use crate::secrets::SecretStore;
use crate::state::{internal, AppState, Session};

type CmdResult<T> = Result<T, AppError>;

pub const DEMO_PROFILE: &str = "demo";

async fn keychain<T: Send + 'static>(
    store: &Arc<dyn SecretStore>,
    f: impl FnOnce(&dyn SecretStore) -> Result<T, crate::secrets::KeychainError> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()).map_err(|e| e.0))
        .await
        .map_err(|e| e.to_string())?
}

/// Makes `client` the active session: discovery, who am I, the profile saved,
/// the secret in the keychain (or a warning when the keychain fails).
async fn activate<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    client: Client,
    profile: ProfileSummary,
    secret: Option<Secret>,
) -> CmdResult<ConnectionStatus> {
    let capabilities = client.capabilities().await?;
    let me = client.me().await?;
    let mut keychain_warning = None;
    if let Some(secret) = secret {
        let id = profile.id.clone();
        if let Err(e) = keychain(&state.secrets, move |s| s.set(&id, &secret)).await {
            keychain_warning = Some(e);
        }
    }
    if !profile.demo {
        // Each renewal of the refresh token replaces the stored one.
        if profile.auth == AuthKind::Password && keychain_warning.is_none() {
            let store = state.secrets.clone();
            let id = profile.id.clone();
            client.set_refresh_listener(Box::new(move |rotated: &Secret| {
                let store = store.clone();
                let id = id.clone();
                let rotated = rotated.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = store.set(&id, &rotated) {
                        tracing::warn!(error = %e, "could not store the renewed session");
                    }
                });
            }));
        }
        profiles::upsert(app, &profile).map_err(internal)?;
    }
    let status = ConnectionStatus {
        profile,
        me,
        capabilities,
        keychain_warning,
    };
    // Switching away keeps the previous profile signed in (its secret stays
    // in the keychain); only its in-memory access token goes.
    *state.session.write().await = Some(Session {
        status: status.clone(),
        client: Arc::new(client),
    });
    Ok(status)
}

fn password_profile(url: &ServerUrl, email: &str) -> ProfileSummary {
    ProfileSummary {
        id: profiles::profile_id(url.base(), email),
        name: format!("{} — {}", email, host_of(url.base())),
        server_url: url.base().to_string(),
        account: Some(email.to_string()),
        auth: AuthKind::Password,
        demo: false,
    }
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(url)
        .to_string()
}

#[tauri::command]
pub async fn list_profiles<R: Runtime>(app: AppHandle<R>) -> CmdResult<Vec<ProfileSummary>> {
    let mut all = profiles::list(&app).map_err(internal)?;
    all.insert(0, demo_profile(""));
    Ok(all)
}

fn demo_profile(url: &str) -> ProfileSummary {
    ProfileSummary {
        id: DEMO_PROFILE.into(),
        name: "Demo organisation".into(),
        server_url: url.into(),
        account: Some(roster_server::demo::DEMO_OWNER_EMAIL.into()),
        auth: AuthKind::Password,
        demo: true,
    }
}

/// The active connection; at start-up, opens the demo (`--demo`) or resumes
/// the last profile from the keychain.
#[tauri::command]
pub async fn current_connection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<Option<ConnectionStatus>> {
    {
        let mut started = state.started.lock().await;
        if !*started {
            *started = true;
            drop(started);
            if state.launch.demo {
                return open_demo(app, state).await.map(Some);
            }
            if let Some(id) = profiles::last(&app).map_err(internal)? {
                if let Some(profile) = profiles::get(&app, &id).map_err(internal)? {
                    match resume(&app, &state, profile).await {
                        Ok(status) => return Ok(Some(status)),
                        Err(e) => {
                            tracing::info!(reason = %e.message, "could not resume the last profile")
                        }
                    }
                }
            }
        }
    }
    Ok(state
        .session
        .read()
        .await
        .as_ref()
        .map(|s| s.status.clone()))
}

/// Signs in again to a saved profile with the secret from the keychain.
async fn resume<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    profile: ProfileSummary,
) -> CmdResult<ConnectionStatus> {
    let id = profile.id.clone();
    let stored = keychain(&state.secrets, move |s| s.get(&id))
        .await
        .map_err(|message| AppError {
            kind: ErrorKind::Keychain,
            message,
        })?
        .ok_or_else(|| AppError {
            kind: ErrorKind::Unauthorized,
            message: "Sign in again to reopen this connection.".into(),
        })?;
    let url = ServerUrl::parse(&profile.server_url)?;
    match profile.auth {
        AuthKind::Password => {
            let (client, rotated) = Client::resume(url, stored).await?;
            activate(app, state, client, profile, Some(rotated)).await
        }
        AuthKind::ApiToken => {
            let client = Client::with_api_token(url, stored.clone()).await?;
            activate(app, state, client, profile, None).await
        }
    }
}

#[tauri::command]
pub async fn connect_with_password<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    server_url: String,
    email: String,
    password: String,
) -> CmdResult<ConnectionStatus> {
    let url = ServerUrl::parse(&server_url)?;
    let email = email.trim().to_string();
    let (client, refresh) =
        Client::sign_in_password(url.clone(), &email, &Secret::new(password)).await?;
    let profile = password_profile(&url, &email);
    activate(&app, &state, client, profile, Some(refresh)).await
}

#[tauri::command]
pub async fn connect_with_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    server_url: String,
    token: String,
) -> CmdResult<ConnectionStatus> {
    let url = ServerUrl::parse(&server_url)?;
    let token = Secret::new(token.trim().to_string());
    let client = Client::with_api_token(url.clone(), token.clone()).await?;
    let me_name = client.me().await?.name;
    let profile = ProfileSummary {
        id: profiles::profile_id(url.base(), &format!("token:{me_name}")),
        name: format!("{me_name} — {}", host_of(url.base())),
        server_url: url.base().to_string(),
        account: None,
        auth: AuthKind::ApiToken,
        demo: false,
    };
    activate(&app, &state, client, profile, Some(token)).await
}

/// Starts the embedded demo server (once) and signs in as its Owner.
#[tauri::command]
pub async fn open_demo<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<ConnectionStatus> {
    let url = {
        let mut demo = state.demo.lock().await;
        if demo.is_none() {
            let dir = app.path().app_data_dir().map_err(internal)?.join("demo");
            *demo = Some(DemoServer::start(&dir).await.map_err(internal)?);
        }
        demo.as_ref().map(|d| d.url.clone()).unwrap_or_default()
    };
    let server = ServerUrl::parse(&url)?;
    let (client, _refresh) = Client::sign_in_password(
        server,
        roster_server::demo::DEMO_OWNER_EMAIL,
        &Secret::new(roster_server::demo::DEMO_OWNER_PASSWORD),
    )
    .await?;
    activate(&app, &state, client, demo_profile(&url), None).await
}

#[tauri::command]
pub async fn switch_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    profile_id: String,
) -> CmdResult<ConnectionStatus> {
    if profile_id == DEMO_PROFILE {
        return open_demo(app, state).await;
    }
    let profile = profiles::get(&app, &profile_id)
        .map_err(internal)?
        .ok_or_else(|| AppError {
            kind: ErrorKind::NotFound,
            message: "That connection is no longer saved.".into(),
        })?;
    resume(&app, &state, profile).await
}

/// Signs out of the active profile: the server session is revoked and the
/// keychain entry deleted. The profile stays listed (it holds nothing
/// secret) so it can be reopened with a password, but is no longer resumed
/// at start-up.
#[tauri::command]
pub async fn sign_out<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<()> {
    let Some(session) = state.session.write().await.take() else {
        return Ok(());
    };
    session.client.sign_out().await;
    let profile = session.status.profile;
    if !profile.demo {
        let id = profile.id.clone();
        keychain(&state.secrets, move |s| s.delete(&id))
            .await
            .map_err(|message| AppError {
                kind: ErrorKind::Keychain,
                message,
            })?;
        profiles::forget_last(&app).map_err(internal)?;
    }
    Ok(())
}
