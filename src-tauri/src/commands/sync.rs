//! The offline copy's state, "Sync now" and "Cancel".

use roster_client::model::SyncState;
use tauri::State;

use crate::state::AppState;

use super::CmdResult;

#[tauri::command]
pub async fn sync_state(state: State<'_, AppState>) -> CmdResult<SyncState> {
    Ok(state.live().await?.state())
}

/// Starts a sync now (or a reconnection attempt, while offline).
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CmdResult<()> {
    state.live().await?.sync_now();
    Ok(())
}

#[tauri::command]
pub async fn cancel_sync(state: State<'_, AppState>) -> CmdResult<()> {
    state.live().await?.cancel_sync();
    Ok(())
}
