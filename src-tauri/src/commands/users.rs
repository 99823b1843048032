//! Users: windows of rows, one user, and the changes an admin makes.

use roster_client::model::{
    AppError, Catalogue, InviteRequest, UserDetail, UserEdit, UsersWindow, WindowRequest,
};
use tauri::State;

use crate::state::AppState;

type CmdResult<T> = Result<T, AppError>;

#[tauri::command]
pub async fn catalogue(state: State<'_, AppState>) -> CmdResult<Catalogue> {
    Ok(state.client().await?.catalogue().await?)
}

#[tauri::command]
pub async fn users_window(
    state: State<'_, AppState>,
    request: WindowRequest,
) -> CmdResult<UsersWindow> {
    Ok(state.client().await?.users_window(&request).await?)
}

#[tauri::command]
pub async fn get_user(state: State<'_, AppState>, id: String) -> CmdResult<UserDetail> {
    Ok(state.client().await?.get_user(&id).await?)
}

#[tauri::command]
pub async fn save_user(
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
    edit: UserEdit,
) -> CmdResult<UserDetail> {
    Ok(state.client().await?.save_user(&id, version, &edit).await?)
}

#[tauri::command]
pub async fn invite_user(
    state: State<'_, AppState>,
    request: InviteRequest,
) -> CmdResult<UserDetail> {
    Ok(state.client().await?.invite(&request).await?)
}

#[tauri::command]
pub async fn set_archived(
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
    archived: bool,
) -> CmdResult<UserDetail> {
    Ok(state
        .client()
        .await?
        .set_archived(&id, version, archived)
        .await?)
}

#[tauri::command]
pub async fn delete_user(
    state: State<'_, AppState>,
    id: String,
    version: Option<String>,
) -> CmdResult<()> {
    Ok(state.client().await?.delete_user(&id, version).await?)
}
