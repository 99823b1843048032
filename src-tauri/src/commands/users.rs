//! Users: windows of rows (from the offline copy once it holds a sync), one
//! user, and the changes an admin makes (to the server, then the copy).

use std::future::Future;
use std::sync::Arc;

use roster_client::model::{
    AppError, Catalogue, InviteRequest, UserDetail, UserEdit, UsersWindow, WindowRequest,
};
use roster_client::{Client, ClientError};
use tauri::{AppHandle, Runtime, State};

use crate::offline::Live;
use crate::state::AppState;

use super::CmdResult;

/// Runs `work` against the server; a lost network marks the session
/// offline, so the sync loop starts reconnecting.
pub(crate) async fn with_server<R: Runtime, T, Fut>(
    app: &AppHandle<R>,
    state: &AppState,
    work: impl FnOnce(Arc<Live>, Arc<Client>) -> Fut,
) -> CmdResult<T>
where
    Fut: Future<Output = Result<T, ClientError>>,
{
    let (live, client) = state.client().await?;
    match work(live.clone(), client).await {
        Err(e @ ClientError::Offline(_)) => {
            live.went_offline(app);
            Err(e.into())
        }
        other => Ok(other?),
    }
}

#[tauri::command]
pub async fn catalogue<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<Catalogue> {
    let live = state.live().await?;
    let kept = live.cache.catalogue();
    if live.copy_ready() && kept != Catalogue::default() {
        return Ok(kept);
    }
    match with_server(
        &app,
        &state,
        |_, client| async move { client.catalogue().await },
    )
    .await
    {
        Err(e) if e.kind == roster_client::model::ErrorKind::Offline => Ok(kept),
        other => other,
    }
}

#[tauri::command]
pub async fn users_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: WindowRequest,
) -> CmdResult<UsersWindow> {
    let live = state.live().await?;
    if live.copy_ready() {
        return from_copy(&live, request).await;
    }
    // Until the first sync finishes, the server answers page by page.
    with_server(&app, &state, |_, client| async move {
        client.users_window(&request).await
    })
    .await
}

/// A window from the offline copy. A search over the whole copy takes
/// milliseconds of CPU: on the blocking pool, not on a worker the other
/// commands and the sync loop share.
async fn from_copy(live: &Live, request: WindowRequest) -> CmdResult<UsersWindow> {
    let cache = live.cache.clone();
    let w = tokio::task::spawn_blocking(move || cache.window(&request))
        .await
        .map_err(crate::state::internal)?;
    Ok(w?)
}

/// The Users table's first window, asked for as the page starts: from the
/// offline copy once the last connection is reopened, or None at once when
/// there is no connection or no synced copy (the table then asks
/// `users_window`). It never waits for the server, so the page can wait for
/// it and be built with its rows.
#[tauri::command]
pub async fn first_users_window(
    state: State<'_, AppState>,
    request: WindowRequest,
) -> CmdResult<Option<UsersWindow>> {
    match state.live().await {
        Ok(live) if live.copy_ready() => from_copy(&live, request).await.map(Some),
        _ => Ok(None),
    }
}

#[tauri::command]
pub async fn get_user<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<UserDetail> {
    let live = state.live().await?;
    let from_copy = || -> CmdResult<UserDetail> {
        live.cache.user(&id)?.ok_or_else(|| AppError {
            kind: roster_client::model::ErrorKind::NotFound,
            message: "This user is not in the offline copy.".into(),
        })
    };
    if live.state().offline {
        return from_copy();
    }
    let fresh = with_server(&app, &state, |live, client| {
        let id = id.clone();
        async move {
            let (doc, etag) = client.user_doc(&id).await?;
            let detail = roster_client::user_json::detail(
                &doc,
                etag.clone(),
                client.capabilities().await?.roster_extension,
            )?;
            if let Err(e) = live.cache.apply(vec![(doc, etag)], &[], &[]) {
                tracing::warn!(error = %e, "cannot update the offline copy");
            }
            Ok(detail)
        }
    })
    .await;
    match fresh {
        Err(e) if e.kind == roster_client::model::ErrorKind::Offline => from_copy(),
        Err(e) if e.kind == roster_client::model::ErrorKind::NotFound => {
            live.forget_user(&id);
            Err(e)
        }
        other => other,
    }
}

#[tauri::command]
pub async fn save_user<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
    edit: UserEdit,
) -> CmdResult<UserDetail> {
    with_server(&app, &state, |live, client| async move {
        let saved = client.save_user(&id, version, &edit).await?;
        live.refresh_user(&client, &id).await;
        Ok(saved)
    })
    .await
}

#[tauri::command]
pub async fn invite_user<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: InviteRequest,
) -> CmdResult<UserDetail> {
    with_server(&app, &state, |live, client| async move {
        let invited = client.invite(&request).await?;
        live.refresh_user(&client, &invited.id).await;
        Ok(invited)
    })
    .await
}

#[tauri::command]
pub async fn set_archived<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
    archived: bool,
) -> CmdResult<UserDetail> {
    with_server(&app, &state, |live, client| async move {
        let changed = client.set_archived(&id, version, archived).await?;
        live.refresh_user(&client, &id).await;
        Ok(changed)
    })
    .await
}

#[tauri::command]
pub async fn delete_user<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
) -> CmdResult<()> {
    with_server(&app, &state, |live, client| async move {
        client.delete_user(&id, version).await?;
        live.forget_user(&id);
        Ok(())
    })
    .await
}
