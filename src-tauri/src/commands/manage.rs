//! The Roster management commands: invitations, the outbox, password
//! resets, resource grants, limits, statistics and events, the audit log and
//! delete with transfer, notification settings, custom roles and
//! departments. Each goes to the server (none works offline); a
//! change then updates the offline copy of the users it touched.

use roster_client::model::{
    AuditPage, Catalogue, DeleteOutcome, DeleteRequest, DepartmentInfo, EventsPage, NewRole,
    NotificationSettings, OutboxPage, PasswordReset, ResourceRef, UserDetail, UserLimits,
    UserResources, UserStatistics,
};
use tauri::{AppHandle, Runtime, State};

use super::users::with_server;
use super::CmdResult;
use crate::state::AppState;

#[tauri::command]
pub async fn resend_invitation<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<UserDetail> {
    with_server(&app, &state, |live, client| async move {
        let user = client.resend_invitation(&id).await?;
        live.refresh_user(&client, &id).await;
        Ok(user)
    })
    .await
}

#[tauri::command]
pub async fn revoke_invitation<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<()> {
    with_server(&app, &state, |live, client| async move {
        client.revoke_invitation(&id).await?;
        live.forget_user(&id);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn outbox<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    before: Option<i64>,
    limit: Option<u32>,
) -> CmdResult<OutboxPage> {
    with_server(&app, &state, |_, client| async move {
        client.outbox(None, before, limit).await
    })
    .await
}

#[tauri::command]
pub async fn reset_password<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<PasswordReset> {
    with_server(&app, &state, |_, client| async move {
        client.reset_password(&id).await
    })
    .await
}

#[tauri::command]
pub async fn resources<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<Vec<ResourceRef>> {
    with_server(
        &app,
        &state,
        |_, client| async move { client.resources().await },
    )
    .await
}

#[tauri::command]
pub async fn user_resources<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<UserResources> {
    with_server(&app, &state, |_, client| async move {
        client.user_resources(&id).await
    })
    .await
}

#[tauri::command]
pub async fn grant_resources<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    resources: Vec<String>,
) -> CmdResult<UserResources> {
    with_server(&app, &state, |live, client| async move {
        let granted = client.grant_resources(&id, &resources).await?;
        live.refresh_user(&client, &id).await;
        Ok(granted)
    })
    .await
}

#[tauri::command]
pub async fn revoke_resource<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    resource: String,
) -> CmdResult<UserResources> {
    with_server(&app, &state, |live, client| async move {
        let left = client.revoke_resource(&id, &resource).await?;
        live.refresh_user(&client, &id).await;
        Ok(left)
    })
    .await
}

#[tauri::command]
pub async fn set_limits<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
    limits: UserLimits,
) -> CmdResult<UserDetail> {
    with_server(&app, &state, |live, client| async move {
        let saved = client.set_limits(&id, version, &limits).await?;
        live.refresh_user(&client, &id).await;
        Ok(saved)
    })
    .await
}

#[tauri::command]
pub async fn set_notifications<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
    settings: NotificationSettings,
) -> CmdResult<UserDetail> {
    with_server(&app, &state, |live, client| async move {
        let saved = client.set_notifications(&id, version, &settings).await?;
        live.refresh_user(&client, &id).await;
        Ok(saved)
    })
    .await
}

#[tauri::command]
pub async fn user_statistics<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<UserStatistics> {
    with_server(&app, &state, |_, client| async move {
        client.statistics(&id).await
    })
    .await
}

#[tauri::command]
pub async fn user_events<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    before: Option<i64>,
    limit: Option<u32>,
) -> CmdResult<EventsPage> {
    with_server(&app, &state, |_, client| async move {
        client.events(&id, before, limit).await
    })
    .await
}

#[tauri::command]
pub async fn audit_log<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    user: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
) -> CmdResult<AuditPage> {
    with_server(&app, &state, |_, client| async move {
        client.audit(user.as_deref(), before, limit).await
    })
    .await
}

#[tauri::command]
pub async fn delete_with_transfer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    request: DeleteRequest,
) -> CmdResult<DeleteOutcome> {
    with_server(&app, &state, |live, client| async move {
        let outcome = client.delete_with_transfer(&id, &request).await?;
        live.forget_user(&id);
        if let Some(heir) = &request.transfer_to {
            live.refresh_user(&client, heir).await;
        }
        Ok(outcome)
    })
    .await
}

#[tauri::command]
pub async fn create_role<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    role: NewRole,
) -> CmdResult<Catalogue> {
    with_server(&app, &state, |live, client| async move {
        let catalogue = client.create_role(&role).await?;
        catalogue_changed(&live, &catalogue, false);
        Ok(catalogue)
    })
    .await
}

/// Keeps a changed catalogue in the offline copy, and has the next sync
/// bring the users whose permissions or departments changed with it.
fn catalogue_changed(live: &crate::offline::Live, catalogue: &Catalogue, users_changed: bool) {
    if let Err(e) = live.cache.set_catalogue(catalogue.clone()) {
        tracing::warn!(error = %e, "cannot keep the catalogue in the offline copy");
    }
    if users_changed {
        live.sync_now();
    }
}

#[tauri::command]
pub async fn update_role<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    role: NewRole,
) -> CmdResult<Catalogue> {
    with_server(&app, &state, |live, client| async move {
        let catalogue = client.update_role(&id, &role).await?;
        catalogue_changed(&live, &catalogue, true);
        Ok(catalogue)
    })
    .await
}

#[tauri::command]
pub async fn delete_role<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<Catalogue> {
    with_server(&app, &state, |live, client| async move {
        let catalogue = client.delete_role(&id).await?;
        catalogue_changed(&live, &catalogue, false);
        Ok(catalogue)
    })
    .await
}

#[tauri::command]
pub async fn departments<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CmdResult<Vec<DepartmentInfo>> {
    with_server(&app, &state, |_, client| async move {
        client.departments().await
    })
    .await
}

/// What a department change did: the new list, and the catalogue (whose
/// names the department fields offer).
async fn department_changed(
    live: &crate::offline::Live,
    client: &roster_client::Client,
    list: Vec<DepartmentInfo>,
    users_changed: bool,
) -> Vec<DepartmentInfo> {
    match client.catalogue().await {
        Ok(catalogue) => catalogue_changed(live, &catalogue, users_changed),
        Err(e) => {
            tracing::warn!(error = %e, "the catalogue was not read after a department change")
        }
    }
    list
}

#[tauri::command]
pub async fn create_department<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<Vec<DepartmentInfo>> {
    with_server(&app, &state, |live, client| async move {
        let list = client.create_department(&name).await?;
        Ok(department_changed(&live, &client, list, false).await)
    })
    .await
}

#[tauri::command]
pub async fn rename_department<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    new_name: String,
) -> CmdResult<Vec<DepartmentInfo>> {
    with_server(&app, &state, |live, client| async move {
        let list = client.rename_department(&name, &new_name).await?;
        Ok(department_changed(&live, &client, list, true).await)
    })
    .await
}

#[tauri::command]
pub async fn delete_department<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<Vec<DepartmentInfo>> {
    with_server(&app, &state, |live, client| async move {
        let list = client.delete_department(&name).await?;
        Ok(department_changed(&live, &client, list, true).await)
    })
    .await
}
