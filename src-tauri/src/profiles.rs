//! Saved connections: non-secret data in the store file (`profiles.json` in
//! the app's data folder). Listing profiles never touches the keychain.

use roster_client::model::ProfileSummary;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const FILE: &str = "profiles.json";
const KEY: &str = "profiles";
const LAST: &str = "lastProfile";

fn load<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<ProfileSummary>, String> {
    let store = app.store(FILE).map_err(|e| e.to_string())?;
    Ok(store
        .get(KEY)
        .and_then(|v| serde_json::from_value::<Vec<ProfileSummary>>(v).ok())
        .unwrap_or_default())
}

fn save<R: Runtime>(app: &AppHandle<R>, profiles: &[ProfileSummary]) -> Result<(), String> {
    let store = app.store(FILE).map_err(|e| e.to_string())?;
    store.set(
        KEY,
        serde_json::to_value(profiles).map_err(|e| e.to_string())?,
    );
    store.save().map_err(|e| e.to_string())
}

pub fn list<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<ProfileSummary>, String> {
    load(app)
}

pub fn get<R: Runtime>(app: &AppHandle<R>, id: &str) -> Result<Option<ProfileSummary>, String> {
    Ok(load(app)?.into_iter().find(|p| p.id == id))
}

/// Adds or replaces a profile (matched by id) and makes it the last used.
pub fn upsert<R: Runtime>(app: &AppHandle<R>, profile: &ProfileSummary) -> Result<(), String> {
    let mut all = load(app)?;
    match all.iter_mut().find(|p| p.id == profile.id) {
        Some(existing) => *existing = profile.clone(),
        None => all.push(profile.clone()),
    }
    save(app, &all)?;
    set_last(app, Some(&profile.id))
}

/// No profile is resumed at the next start.
pub fn forget_last<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    set_last(app, None)
}

pub fn last<R: Runtime>(app: &AppHandle<R>) -> Result<Option<String>, String> {
    let store = app.store(FILE).map_err(|e| e.to_string())?;
    Ok(store.get(LAST).and_then(|v| v.as_str().map(str::to_string)))
}

fn set_last<R: Runtime>(app: &AppHandle<R>, id: Option<&str>) -> Result<(), String> {
    let store = app.store(FILE).map_err(|e| e.to_string())?;
    match id {
        Some(id) => store.set(LAST, serde_json::Value::String(id.to_string())),
        None => {
            store.delete(LAST);
        }
    }
    store.save().map_err(|e| e.to_string())
}

/// A stable profile id for a server and account, so signing in again to the
/// same place updates the same profile.
pub fn profile_id(server: &str, account: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    server.hash(&mut h);
    account.to_lowercase().hash(&mut h);
    format!("p{:016x}", h.finish())
}
