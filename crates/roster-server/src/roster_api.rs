//! The Roster endpoints for what SCIM has no resource type for: the role and
//! permission catalogue, resources, and who the caller is (departments have
//! their own module).
//! They live beside the SCIM base, at `/roster/v1`.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;

pub async fn applications(State(state): State<AppState>, Auth(_): Auth) -> Json<Value> {
    Json(json!({ "applications": state.loaded().catalogue.applications }))
}

#[derive(Deserialize)]
pub struct ResourceQuery {
    application: Option<String>,
}

/// `GET /roster/v1/resources`: every resource for roles with full access
/// (Owner, Admin, Manager); for everyone else only those they own or were
/// granted.
pub async fn resources(
    State(state): State<AppState>,
    Auth(who): Auth,
    Query(q): Query<ResourceQuery>,
) -> ApiResult<Json<Value>> {
    // Without full access, only what is shared with the caller; an API
    // token without full access has no user and so sees nothing.
    let only_for = if who.full_access(&state.loaded()) {
        None
    } else {
        Some(who.user_id.clone().unwrap_or_default())
    };
    let list = state
        .db
        .read(move |conn| -> ApiResult<Vec<Value>> {
            let mut stmt = conn.prepare(
                "SELECT r.id, r.application, r.name, r.owner_id, u.user_name, r.created FROM resources r
                 LEFT JOIN users u ON u.id = r.owner_id
                 WHERE (?1 IS NULL OR r.application = ?1)
                   AND (?2 IS NULL OR r.owner_id = ?2
                        OR EXISTS (SELECT 1 FROM resource_grants g WHERE g.resource_id = r.id AND g.user_id = ?2))
                 ORDER BY r.application, r.name",
            )?;
            let rows = stmt.query_map(rusqlite::params![q.application, only_for], |r| {
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
