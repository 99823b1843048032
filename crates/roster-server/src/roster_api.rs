//! The Roster endpoints for what SCIM has no resource type for: the role and
//! permission catalogue, resources, departments, and who the caller is.
//! They live beside the SCIM base, at `/roster/v1`.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;

/// The role catalogue; `assignable` is false for the Owner, whom nobody can
/// be made.
pub async fn roles(State(state): State<AppState>, Auth(_): Auth) -> Json<Value> {
    let roles: Vec<Value> = state
        .loaded()
        .catalogue
        .roles
        .iter()
        .map(|role| {
            let mut v = serde_json::to_value(role).unwrap_or(Value::Null);
            v["assignable"] = Value::Bool(role.id != crate::users::OWNER);
            v
        })
        .collect();
    Json(json!({ "roles": roles }))
}

pub async fn applications(State(state): State<AppState>, Auth(_): Auth) -> Json<Value> {
    Json(json!({ "applications": state.loaded().catalogue.applications }))
}

#[derive(Deserialize)]
pub struct ResourceQuery {
    application: Option<String>,
}

pub async fn resources(
    State(state): State<AppState>,
    Auth(_): Auth,
    Query(q): Query<ResourceQuery>,
) -> ApiResult<Json<Value>> {
    let list = state
        .db
        .read(move |conn| -> ApiResult<Vec<Value>> {
            let mut stmt = conn.prepare(
                "SELECT r.id, r.application, r.name, r.owner_id, u.user_name, r.created FROM resources r
                 LEFT JOIN users u ON u.id = r.owner_id
                 WHERE ?1 IS NULL OR r.application = ?1 ORDER BY r.application, r.name",
            )?;
            let rows = stmt.query_map([q.application], |r| {
                Ok(json!({
                    "id": r.get::<_, String>(0)?,
                    "application": r.get::<_, String>(1)?,
                    "name": r.get::<_, String>(2)?,
                    "ownerId": r.get::<_, Option<String>>(3)?,
                    "owner": r.get::<_, Option<String>>(4)?,
                    "created": r.get::<_, String>(5)?,
                }))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await?;
    Ok(Json(json!({ "resources": list })))
}

pub async fn departments(State(state): State<AppState>, Auth(_): Auth) -> ApiResult<Json<Value>> {
    let list = state
        .db
        .read(|conn| -> ApiResult<Vec<String>> {
            let mut stmt =
                conn.prepare("SELECT name FROM departments ORDER BY name COLLATE NOCASE")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await?;
    Ok(Json(json!({ "departments": list })))
}

/// Who the caller is and what they may do, so a client can disable what
/// would be refused.
pub async fn me(State(state): State<AppState>, Auth(who): Auth) -> Json<Value> {
    let loaded = state.loaded();
    let mut permissions: Vec<&String> = who.permissions.iter().collect();
    permissions.sort();
    Json(json!({
        "userId": who.user_id,
        "name": who.name,
        "role": who.role,
        "roleName": loaded.catalogue.role(&who.role).map(|r| r.name.clone()),
        "permissions": permissions,
    }))
}
