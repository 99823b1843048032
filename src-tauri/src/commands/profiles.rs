//! Connections: sign in (password or API token), the embedded demo, saved
//! profiles, and sign out. Secrets go to the keychain; commands return
//! connection status, never a token.

use std::sync::Arc;

use roster_client::model::{
    AppError, AuthKind, ConnectionStatus, ErrorKind, ProfileSummary, Sort, SortKey, Tab,
    WindowRequest,
};
use roster_client::{Client, ClientError, Secret, ServerUrl};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::demo::DemoServer;
use crate::offline::{self, Live, Reconnect};
use crate::profiles;
use crate::secrets::SecretStore;
use crate::state::{internal, AppState};

use super::CmdResult;

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

/// Stores each renewal of a password profile's refresh token.
fn keep_rotations(client: &Client, secrets: &Arc<dyn SecretStore>, profile_id: &str) {
    let store = secrets.clone();
    let id = profile_id.to_owned();
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

/// Opens the profile's offline copy on the blocking pool.
async fn open_copy<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    profile_id: &str,
) -> CmdResult<(roster_cache::Cache, Option<String>)> {
    let path = offline::copy_path(app, profile_id).map_err(internal)?;
    let secrets = state.secrets.clone();
    let id = profile_id.to_owned();
    tokio::task::spawn_blocking(move || offline::open_copy(&path, secrets.as_ref(), &id))
        .await
        .map_err(internal)
}

/// How the sync loop reconnects this profile after the network came back.
fn reconnect_for(state: &AppState, profile: &ProfileSummary) -> Reconnect {
    let secrets = state.secrets.clone();
    let profile = profile.clone();
    Arc::new(move || {
        let secrets = secrets.clone();
        let profile = profile.clone();
        Box::pin(async move { sign_in_again(&secrets, &profile).await })
    })
}

/// Signs in to a saved profile without asking: the stored refresh token or
/// API token, or the demo's own sign-in.
async fn sign_in_again(
    secrets: &Arc<dyn SecretStore>,
    profile: &ProfileSummary,
) -> Result<Client, ClientError> {
    let url = ServerUrl::parse(&profile.server_url)?;
    if profile.demo {
        return Ok(Client::sign_in_password(
            url,
            roster_server::demo::DEMO_OWNER_EMAIL,
            &Secret::new(roster_server::demo::DEMO_OWNER_PASSWORD),
        )
        .await?
        .0);
    }
    let id = profile.id.clone();
    let stored = keychain(secrets, move |s| s.get(&id))
        .await
        .map_err(ClientError::Internal)?
        .ok_or_else(|| {
            ClientError::Unauthorized("Sign in again to reopen this connection.".into())
        })?;
    match profile.auth {
        AuthKind::Password => {
            let (client, rotated) = Client::resume(url, stored).await?;
            let id = profile.id.clone();
            if let Err(e) = keychain(secrets, move |s| s.set(&id, &rotated)).await {
                tracing::warn!(error = %e, "could not store the renewed session");
            }
            keep_rotations(&client, secrets, &profile.id);
            Ok(client)
        }
        AuthKind::ApiToken => Client::with_api_token(url, stored).await,
    }
}

/// Makes `client` the active session: discovery, who am I, the profile saved,
/// the secret in the keychain (or a warning when the keychain fails), the
/// offline copy opened and its sync loop started.
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
        if profile.auth == AuthKind::Password && keychain_warning.is_none() {
            keep_rotations(&client, &state.secrets, &profile.id);
        }
        profiles::upsert(app, &profile).map_err(internal)?;
    }
    let status = ConnectionStatus {
        profile,
        me,
        capabilities,
        keychain_warning,
    };
    let (cache, mut notice) = open_copy(app, state, &status.profile.id).await?;
    if status.profile.demo {
        // The demo's sample people need no warning about where they are kept.
        notice = None;
    }
    // Kept with the copy, so the next start opens on it before the server
    // answers.
    let kept = serde_json::to_string(&ConnectionStatus {
        keychain_warning: None,
        ..status.clone()
    })
    .map_err(internal)?;
    if let Err(e) = cache.set_note(STATUS_NOTE, &kept) {
        tracing::warn!(error = %e, "cannot keep the connection with the offline copy");
    }
    start_session(app, state, cache, status.clone(), Some(client), notice).await;
    Ok(status)
}

/// Where a connection's status is kept in its offline copy.
const STATUS_NOTE: &str = "connection";

/// Replaces the active session. Switching away keeps the previous profile
/// signed in (its secret stays in the keychain); only its in-memory access
/// token and loop go.
async fn start_session<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    cache: roster_cache::Cache,
    status: ConnectionStatus,
    client: Option<Client>,
    notice: Option<String>,
) {
    let reconnect = reconnect_for(state, &status.profile);
    let live = Live::new(cache, status, client, notice);
    live.spawn(app.clone(), reconnect);
    *state.session.write().await = Some(live);
}

/// A saved profile's offline copy, opened with the connection it was made
/// with.
pub struct OpenedCopy {
    cache: roster_cache::Cache,
    status: ConnectionStatus,
    notice: Option<String>,
}

/// What start-up resumes: the last profile and, when it has a usable one,
/// its copy already open.
pub struct StartUp {
    profile: ProfileSummary,
    copy: CmdResult<Option<OpenedCopy>>,
}

/// Start-up's slow part, blocking (the keychain, decrypting and indexing
/// the copy): run on the blocking pool as soon as the app starts, while the
/// window loads, so that the UI's first question finds it done or nearly.
pub fn open_last<R: Runtime>(
    app: &AppHandle<R>,
    secrets: &dyn SecretStore,
) -> CmdResult<Option<StartUp>> {
    let Some(id) = profiles::last(app).map_err(internal)? else {
        return Ok(None);
    };
    let Some(profile) = profiles::get(app, &id).map_err(internal)? else {
        return Ok(None);
    };
    let copy = open_saved_copy(app, secrets, &profile);
    Ok(Some(StartUp { profile, copy }))
}

/// Opens a saved profile's offline copy, to start on before (or without)
/// the server: the copy must hold a finished sync and the connection it was
/// made with. Blocking.
fn open_saved_copy<R: Runtime>(
    app: &AppHandle<R>,
    secrets: &dyn SecretStore,
    profile: &ProfileSummary,
) -> CmdResult<Option<OpenedCopy>> {
    let path = offline::copy_path(app, &profile.id).map_err(internal)?;
    if !path.exists() {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let (cache, notice) = offline::open_copy(&path, secrets, &profile.id);
    tracing::debug!(
        ms = started.elapsed().as_millis(),
        users = cache.len(),
        "offline copy opened"
    );
    let status: Option<ConnectionStatus> = cache
        .note(STATUS_NOTE)
        .and_then(|json| serde_json::from_str(&json).ok());
    let Some(status) = status.filter(|_| cache.is_synced()) else {
        return Ok(None);
    };
    // The table opens on everyone in the Active tab by name: answering that
    // here computes its sort order and matches while the window still loads,
    // instead of while the first rows are waited for.
    let first = WindowRequest {
        tab: Tab::Active,
        search: String::new(),
        sort: Sort {
            key: SortKey::Name,
            descending: false,
        },
        offset: 0,
        limit: 1,
        department: None,
    };
    if let Err(e) = cache.window(&first) {
        tracing::debug!(error = %e, "the first window was not prepared");
    }
    tracing::debug!(ms = started.elapsed().as_millis(), "first window prepared");
    // Reading and indexing every user left freed buffers behind.
    offline::return_freed_memory();
    Ok(Some(OpenedCopy {
        cache,
        status,
        notice,
    }))
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
/// the last profile: on its offline copy (opened since the app started, see
/// [`open_last`]) or else by signing in again with the keychain's secret.
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
            let _settles = crate::state::Settles(&state.settled);
            tracing::debug!("the window asked for the last connection");
            let opening = state.start_up.lock().await.take();
            let found = match opening {
                Some(opening) => opening.await.map_err(internal)?,
                None => {
                    let (app, secrets) = (app.clone(), state.secrets.clone());
                    tokio::task::spawn_blocking(move || open_last(&app, secrets.as_ref()))
                        .await
                        .map_err(internal)?
                }
            };
            if let Some(StartUp { profile, copy }) = found? {
                match copy {
                    Ok(Some(OpenedCopy {
                        cache,
                        status,
                        notice,
                    })) => {
                        start_session(&app, &state, cache, status.clone(), None, notice).await;
                        return Ok(Some(status));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::info!(reason = %e.message, "the offline copy did not open")
                    }
                }
                match resume(&app, &state, profile).await {
                    Ok(status) => return Ok(Some(status)),
                    Err(e) => {
                        tracing::info!(reason = %e.message, "could not resume the last profile")
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
    let client = sign_in_again(&state.secrets, &profile).await?;
    // The secret is already in the keychain (renewed there if rotated).
    activate(app, state, client, profile, None).await
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
    if let Some(client) = session.client() {
        client.sign_out().await;
    }
    let profile = session.status.profile.clone();
    drop(session);
    if !profile.demo {
        let id = profile.id.clone();
        keychain(&state.secrets, move |s| {
            s.delete(&id)?;
            s.delete(&offline::key_account(&id))
        })
        .await
        .map_err(|message| AppError {
            kind: ErrorKind::Keychain,
            message,
        })?;
        // The copy holds people's data: it goes with the session.
        let path = offline::copy_path(&app, &profile.id).map_err(internal)?;
        roster_cache::remove_copy(&path).map_err(internal)?;
        profiles::forget_last(&app).map_err(internal)?;
    }
    Ok(())
}
