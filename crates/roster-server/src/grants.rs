//! Resource access (ACLs) per user: resources (tasks, monitors, reviews,
//! cases) belong to an application and are seen by whoever was granted
//! them — everyone with a full-access role sees them all. Sharing follows the
//! no-escalation rule: nobody shares a resource they cannot see, and a Guest
//! keeps at least one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::audit::{self, Entry};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::JsonBody;
use crate::state::{AppState, Loaded, Principal};
use crate::users::{display_label, load, Stored};

fn resource_name(
    tx: &rusqlite::Connection,
    id: &str,
) -> ApiResult<Option<(String, Option<String>)>> {
    Ok(tx
        .query_row(
            "SELECT name, owner_id FROM resources WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Whether `who` can see resource `id` (owner or granted), short of full
/// access.
fn sees(
    tx: &rusqlite::Connection,
    who: &Principal,
    id: &str,
    owner: Option<&str>,
) -> ApiResult<bool> {
    let Some(me) = who.user_id.as_deref() else {
        return Ok(false);
    };
    if owner == Some(me) {
        return Ok(true);
    }
    Ok(tx
        .query_row(
            "SELECT 1 FROM resource_grants WHERE user_id = ?1 AND resource_id = ?2",
            params![me, id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Grants `resources` to `user_id` on behalf of `who`, in the caller's
/// transaction; returns the names of those newly granted.
pub fn grant(
    tx: &rusqlite::Connection,
    loaded: &Loaded,
    who: &Principal,
    user_id: &str,
    resources: &[String],
) -> ApiResult<Vec<String>> {
    let full = who.full_access(loaded);
    let mut added = Vec::new();
    for id in resources {
        let (name, owner) = resource_name(tx, id)?.ok_or_else(|| {
            ApiError::invalid_value(format!("There is no resource with the id '{id}'."))
        })?;
        if !full && !sees(tx, who, id, owner.as_deref())? {
            return Err(ApiError::Forbidden(format!(
                "You cannot share \"{name}\" because you do not have access to it yourself."
            )));
        }
        let n = tx.execute(
            "INSERT OR IGNORE INTO resource_grants (user_id, resource_id) VALUES (?1, ?2)",
            params![user_id, id],
        )?;
        if n > 0 {
            added.push(name);
        }
    }
    Ok(added)
}

fn user_resources(conn: &rusqlite::Connection, user_id: &str) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.application, r.name, r.owner_id FROM resource_grants g
         JOIN resources r ON r.id = g.resource_id WHERE g.user_id = ?1
         ORDER BY r.application, r.name",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok(json!({
            "id": r.get::<_, String>(0)?,
            "application": r.get::<_, String>(1)?,
            "name": r.get::<_, String>(2)?,
            "ownerId": r.get::<_, Option<String>>(3)?,
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn answer(loaded: &Loaded, conn: &rusqlite::Connection, user: &Stored) -> ApiResult<Value> {
    let role = loaded
        .catalogue
        .role(user.role.as_deref().unwrap_or_default());
    Ok(json!({
        "userId": user.id,
        "fullAccess": role.is_some_and(|r| r.has_capability(crate::catalogue::Capability::FullAccess)),
        "requiresResource": role.is_some_and(|r| r.requires_resource),
        "resources": user_resources(conn, &user.id)?,
    }))
}

fn find_user(conn: &rusqlite::Connection, id: &str) -> ApiResult<Stored> {
    load(conn, id)?
        .ok_or_else(|| ApiError::NotFound(format!("There is no user with the id '{id}'.")))
}

/// `GET /roster/v1/users/{id}/resources`: what the user was granted, and
/// whether their role sees everything anyway.
pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if !who.is(&id) {
        who.require("users:view", "see other users' resource access")?;
    }
    let loaded = state.loaded();
    let body = state
        .db
        .read(move |conn| answer(&loaded, conn, &find_user(conn, &id)?))
        .await?;
    Ok(Json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    resources: Vec<String>,
}

/// Bumps the user's version: their resources are part of the extension.
fn touch(tx: &rusqlite::Connection, id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE users SET version = version + 1, last_modified = ?2 WHERE id = ?1",
        params![id, crate::time::now_string()],
    )?;
    Ok(())
}

/// `POST /roster/v1/users/{id}/resources` `{"resources": [ids]}`: shares
/// resources with the user.
pub async fn add(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<GrantBody>,
) -> ApiResult<Json<Value>> {
    who.require("users:edit", "change users' resource access")?;
    if body.resources.is_empty() {
        return Err(ApiError::invalid_value(
            "Choose at least one resource to share.",
        ));
    }
    let loaded = state.loaded();
    let out = state
        .db
        .write(move |tx| -> ApiResult<Value> {
            let user = find_user(tx, &id)?;
            crate::policy::guard_target(&who, &user)?;
            let before = user_resources(tx, &id)?;
            let added = grant(tx, &loaded, &who, &id, &body.resources)?;
            if !added.is_empty() {
                touch(tx, &id)?;
                let label = display_label(&user.doc()?);
                audit::record(
                    tx,
                    &who,
                    Entry {
                        action: "user.resources.grant",
                        target: Some((&id, &label)),
                        summary: format!("Shared {} with {label}", added.join(", ")),
                        before: Some(Value::Array(before)),
                        after: Some(Value::Array(user_resources(tx, &id)?)),
                    },
                )?;
            }
            answer(&loaded, tx, &user)
        })
        .await?;
    Ok(Json(out))
}

/// `DELETE /roster/v1/users/{id}/resources/{resource}`: takes access away;
/// a Guest's last resource stays.
pub async fn remove(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((id, resource)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    who.require("users:edit", "change users' resource access")?;
    let loaded = state.loaded();
    state
        .db
        .write(move |tx| -> ApiResult<()> {
            let user = find_user(tx, &id)?;
            crate::policy::guard_target(&who, &user)?;
            let before = user_resources(tx, &id)?;
            let Some(gone) = before.iter().find(|r| r["id"] == resource.as_str()) else {
                return Err(ApiError::NotFound(format!(
                    "This user has no access to a resource with the id '{resource}'."
                )));
            };
            let label = display_label(&user.doc()?);
            if let Some(role) = loaded.catalogue.role(user.role.as_deref().unwrap_or_default()) {
                if role.requires_resource && before.len() == 1 {
                    return Err(ApiError::InUse(format!(
                        "A {} must keep access to at least one resource, and \"{}\" is {label}'s last; share another one first.",
                        role.name,
                        gone["name"].as_str().unwrap_or_default()
                    )));
                }
            }
            let summary = format!(
                "Removed {label}'s access to {}",
                gone["name"].as_str().unwrap_or_default()
            );
            tx.execute(
                "DELETE FROM resource_grants WHERE user_id = ?1 AND resource_id = ?2",
                params![id, resource],
            )?;
            touch(tx, &id)?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "user.resources.revoke",
                    target: Some((&id, &label)),
                    summary,
                    before: Some(Value::Array(before)),
                    after: Some(Value::Array(user_resources(tx, &id)?)),
                },
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
