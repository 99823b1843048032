//! The role catalogue's endpoints: list the roles (saying which the caller
//! may give), and define user-defined roles. A custom role never holds more
//! than the person who defines it: every permission and capability it gets
//! must be one they hold themselves.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::audit::{self, Entry};
use crate::auth::{forget_sessions, Auth};
use crate::catalogue::{Capability, Catalogue, Role};
use crate::error::{ApiError, ApiResult};
use crate::http::JsonBody;
use crate::state::{AppState, Loaded, Principal};
use crate::users::OWNER;

/// The permission needed to define roles: roles are part of the account's
/// access configuration.
pub const MANAGE_ROLES: &str = "configuration:edit";
const MAX_ROLE_NAME: usize = 60;
const MAX_ROLE_DESCRIPTION: usize = 500;

/// Why `who` may not give `role`, or None when they may.
pub fn grant_refusal(who: &Principal, role: &Role) -> Option<String> {
    if role.id == OWNER {
        return Some("There is exactly one Owner and ownership cannot be transferred.".to_string());
    }
    if !who.can("users:edit") && !who.can("users:invite") {
        return Some("You cannot give roles: you may not invite or edit users.".to_string());
    }
    role.permissions.iter().find(|p| !who.can(p)).map(|p| {
        format!(
            "The role {} includes '{p}', which you do not hold yourself.",
            role.name
        )
    })
}

fn role_json(who: &Principal, role: &Role, users: i64) -> Value {
    let mut v = serde_json::to_value(role).unwrap_or(Value::Null);
    let refusal = grant_refusal(who, role);
    v["assignable"] = Value::Bool(role.id != OWNER);
    v["grantable"] = Value::Bool(refusal.is_none());
    if let Some(why) = refusal {
        v["notGrantableReason"] = Value::String(why);
    }
    v["users"] = json!(users);
    v
}

fn role_counts(conn: &rusqlite::Connection) -> ApiResult<std::collections::HashMap<String, i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT role, COUNT(*) FROM users WHERE role IS NOT NULL GROUP BY role")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `GET /roster/v1/roles`: the catalogue, each role with `assignable` (false
/// for the Owner), `grantable` (whether the caller may give it, with
/// `notGrantableReason` when not) and how many users hold it.
pub async fn list(State(state): State<AppState>, Auth(who): Auth) -> ApiResult<Json<Value>> {
    let counts = state.db.read(role_counts).await?;
    let loaded = state.loaded();
    let roles: Vec<Value> = loaded
        .catalogue
        .roles
        .iter()
        .map(|role| role_json(&who, role, counts.get(&role.id).copied().unwrap_or(0)))
        .collect();
    Ok(Json(json!({ "roles": roles })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleBody {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    permissions: Option<Vec<String>>,
    capabilities: Option<Vec<Capability>>,
    requires_resource: Option<bool>,
}

/// A role id from a name: lowercase ASCII letters and digits joined by `-`.
fn slug(name: &str) -> String {
    let folded = roster_scim::text::fold(name);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn check_text(label: &str, text: &str, max: usize) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() && label == "name" {
        return Err(ApiError::invalid_value("A role needs a name."));
    }
    if text.chars().count() > max {
        return Err(ApiError::invalid_value(format!(
            "The role's {label} can be at most {max} characters long."
        )));
    }
    Ok(text.to_string())
}

/// Validates the permissions and capabilities of a custom role against the
/// catalogue and against what the person defining it holds. `before` are
/// what the role already had: keeping those is not granting them.
fn check_grants(
    catalogue: &Catalogue,
    who: &Principal,
    permissions: &[String],
    capabilities: &[Capability],
    before: Option<&Role>,
) -> ApiResult<()> {
    let mut seen = HashSet::new();
    for p in permissions {
        let (_, perm) = catalogue.permission(p).ok_or_else(|| {
            ApiError::invalid_value(format!("'{p}' is not a permission of this account."))
        })?;
        if !seen.insert(p.as_str()) {
            return Err(ApiError::invalid_value(format!(
                "The permission '{p}' is listed twice."
            )));
        }
        if let Some(parent) = &perm.parent {
            if !permissions.contains(parent) {
                return Err(ApiError::invalid_value(format!(
                    "'{p}' is part of '{parent}'; give the role '{parent}' too."
                )));
            }
        }
        if !who.can(p) && !before.is_some_and(|r| r.allows(p)) {
            return Err(ApiError::Forbidden(format!(
                "You cannot give a role the permission '{p}' because you do not hold it yourself."
            )));
        }
    }
    let own = catalogue.role(&who.role);
    for c in capabilities {
        let held = own.is_some_and(|r| r.has_capability(*c));
        if !held && !before.is_some_and(|r| r.has_capability(*c)) {
            return Err(ApiError::Forbidden(format!(
                "You cannot give a role {} because your own role does not have it.",
                c.label()
            )));
        }
    }
    Ok(())
}

/// Writes a role into the stored catalogue (new ones after the others);
/// the caller re-reads and publishes the catalogue.
pub fn store_role(tx: &rusqlite::Connection, role: &Role) -> ApiResult<()> {
    let position: i64 = tx
        .query_row(
            "SELECT position FROM roles WHERE id = ?1",
            [&role.id],
            |r| r.get(0),
        )
        .optional()?
        .map(Ok)
        .unwrap_or_else(|| {
            tx.query_row(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM roles",
                [],
                |r| r.get(0),
            )
        })?;
    tx.execute(
        "INSERT INTO roles (id, position, data) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        params![role.id, position, serde_json::to_string(role)?],
    )?;
    Ok(())
}

fn custom_role<'a>(loaded: &'a Loaded, id: &str) -> ApiResult<&'a Role> {
    let role = loaded
        .catalogue
        .role(id)
        .ok_or_else(|| ApiError::NotFound(format!("There is no role with the id '{id}'.")))?;
    if role.builtin {
        return Err(ApiError::Forbidden(format!(
            "{} is a built-in role and cannot be changed or deleted; define a custom role instead.",
            role.name
        )));
    }
    Ok(role)
}

fn name_taken(catalogue: &Catalogue, name: &str, except: Option<&str>) -> bool {
    let key = roster_scim::text::fold(name);
    catalogue
        .roles
        .iter()
        .any(|r| Some(r.id.as_str()) != except && roster_scim::text::fold(&r.name) == key)
}

/// `POST /roster/v1/roles`: defines a custom role.
pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    JsonBody(body): JsonBody<RoleBody>,
) -> ApiResult<Response> {
    who.require(MANAGE_ROLES, "define roles")?;
    let _guard = state.catalogue_lock.lock().await;
    let loaded = state.loaded();
    let name = check_text("name", body.name.as_deref().unwrap_or(""), MAX_ROLE_NAME)?;
    let description = check_text(
        "description",
        body.description.as_deref().unwrap_or(""),
        MAX_ROLE_DESCRIPTION,
    )?;
    let id = match body.id {
        Some(id) => id,
        None => format!("custom-{}", slug(&name)),
    };
    let valid_id = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id || id == "custom-" {
        return Err(ApiError::invalid_value(format!(
            "'{id}' cannot be a role id; use lowercase letters, digits and dashes."
        )));
    }
    if loaded.catalogue.role(&id).is_some() || name_taken(&loaded.catalogue, &name, None) {
        return Err(ApiError::Conflict(format!(
            "A role called '{name}' (id '{id}') already exists; choose another name."
        )));
    }
    let permissions = body.permissions.unwrap_or_default();
    let mut capabilities = body.capabilities.unwrap_or_default();
    if !capabilities.contains(&Capability::View) {
        capabilities.push(Capability::View);
    }
    check_grants(&loaded.catalogue, &who, &permissions, &capabilities, None)?;
    let role = Role {
        id,
        name,
        description,
        builtin: false,
        capabilities,
        permissions,
        requires_resource: body.requires_resource.unwrap_or(false),
        created_by: Some(who.name.clone()),
    };
    let stored = role.clone();
    let catalogue = state
        .db
        .write(move |tx| -> ApiResult<Catalogue> {
            store_role(tx, &stored)?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "role.create",
                    target: Some((&stored.id, &stored.name)),
                    summary: format!("Defined the role {}", stored.name),
                    before: None,
                    after: Some(serde_json::to_value(&stored)?),
                },
            )?;
            crate::seed::read_catalogue(tx)
        })
        .await?;
    state.replace_catalogue(catalogue);
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&role)?)).into_response())
}

/// `PATCH /roster/v1/roles/{id}`: changes a custom role; its holders'
/// permissions follow.
pub async fn update(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RoleBody>,
) -> ApiResult<Json<Value>> {
    who.require(MANAGE_ROLES, "change roles")?;
    let _guard = state.catalogue_lock.lock().await;
    let loaded = state.loaded();
    let before = custom_role(&loaded, &id)?.clone();
    if body.id.as_ref().is_some_and(|new| *new != id) {
        return Err(ApiError::invalid_value(
            "A role's id cannot be changed; rename it instead.",
        ));
    }
    let mut role = before.clone();
    if let Some(name) = &body.name {
        role.name = check_text("name", name, MAX_ROLE_NAME)?;
        if name_taken(&loaded.catalogue, &role.name, Some(&id)) {
            return Err(ApiError::Conflict(format!(
                "A role called '{}' already exists; choose another name.",
                role.name
            )));
        }
    }
    if let Some(d) = &body.description {
        role.description = check_text("description", d, MAX_ROLE_DESCRIPTION)?;
    }
    if let Some(p) = body.permissions {
        role.permissions = p;
    }
    if let Some(mut c) = body.capabilities {
        if !c.contains(&Capability::View) {
            c.push(Capability::View);
        }
        role.capabilities = c;
    }
    if let Some(r) = body.requires_resource {
        role.requires_resource = r;
    }
    check_grants(
        &loaded.catalogue,
        &who,
        &role.permissions,
        &role.capabilities,
        Some(&before),
    )?;
    let stored = role.clone();
    let (catalogue, affected) = state
        .db
        .write(move |tx| -> ApiResult<(Catalogue, Vec<String>)> {
            store_role(tx, &stored)?;
            let catalogue = crate::seed::read_catalogue(tx)?;
            let next = Loaded::new(catalogue.clone());
            let affected = crate::users::rederive_role(tx, &next, &stored.id)?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "role.update",
                    target: Some((&stored.id, &stored.name)),
                    summary: format!(
                        "Changed the role {} ({} users hold it)",
                        stored.name,
                        affected.len()
                    ),
                    before: Some(serde_json::to_value(&before)?),
                    after: Some(serde_json::to_value(&stored)?),
                },
            )?;
            Ok((catalogue, affected))
        })
        .await?;
    state.replace_catalogue(catalogue);
    for user in &affected {
        forget_sessions(&state, user);
    }
    Ok(Json(serde_json::to_value(&role)?))
}

/// `DELETE /roster/v1/roles/{id}`: removes a custom role nobody holds.
pub async fn delete(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    who.require(MANAGE_ROLES, "delete roles")?;
    let _guard = state.catalogue_lock.lock().await;
    let loaded = state.loaded();
    let role = custom_role(&loaded, &id)?.clone();
    let catalogue = state
        .db
        .write(move |tx| -> ApiResult<Catalogue> {
            let holders: i64 = tx.query_row(
                "SELECT COUNT(*) FROM users WHERE role = ?1",
                [&role.id],
                |r| r.get(0),
            )?;
            if holders > 0 {
                return Err(ApiError::InUse(format!(
                    "{holders} user(s) still have the role {}; give them another role first.",
                    role.name
                )));
            }
            tx.execute("DELETE FROM roles WHERE id = ?1", [&role.id])?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "role.delete",
                    target: Some((&role.id, &role.name)),
                    summary: format!("Deleted the role {}", role.name),
                    before: Some(serde_json::to_value(&role)?),
                    after: None,
                },
            )?;
            crate::seed::read_catalogue(tx)
        })
        .await?;
    state.replace_catalogue(catalogue);
    Ok(StatusCode::NO_CONTENT)
}
