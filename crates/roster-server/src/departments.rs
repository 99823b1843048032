//! Departments: the account's list of the names users belong to (the Roster
//! extension's `departments`), with how many users are in each. Everyone
//! signed in may read the list; adding, renaming and removing a department
//! needs `categories:manage`. Renaming or removing one changes every user in
//! it as a write of its own (new version and `meta.lastModified`, so
//! incremental syncs see them), in one transaction with the list and the
//! audit entry.
//!
//! A department's identity is its name as the `departments` table compares
//! it (ASCII case ignored, as SQLite's NOCASE does): a user who wrote
//! "sales" belongs to "Sales". A new name is refused when it equals an
//! existing one ignoring case in any script.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_scim::urn;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::audit::{self, Entry};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::JsonBody;
use crate::state::AppState;

/// "Add and remove categories and departments".
pub const MANAGE_DEPARTMENTS: &str = "categories:manage";
/// The longest department name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A department name as given by a person: trimmed, not empty, at most
/// [`MAX_NAME_CHARS`] characters, no control characters. Users' documents
/// are held to the same rules.
pub fn check_name(raw: &str) -> ApiResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::invalid_value(
            "A department's name cannot be empty.",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid_value(format!(
            "A department's name can be at most {MAX_NAME_CHARS} characters."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid_value(
            "A department's name cannot contain line breaks, tabs or other control characters.",
        ));
    }
    Ok(name.to_string())
}

/// Every answer of these endpoints: the names sorted ignoring case (the
/// shape clients that only know `departments` already read) and how many
/// users, of any status, are in each.
fn listing(conn: &rusqlite::Connection) -> ApiResult<Value> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.name, (SELECT COUNT(*) FROM user_departments m WHERE m.department = d.name)
         FROM departments d ORDER BY d.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut names = Vec::new();
    let mut members = Map::new();
    for row in rows {
        let (name, count) = row?;
        members.insert(name.clone(), json!(count));
        names.push(Value::String(name));
    }
    Ok(json!({ "departments": names, "members": members }))
}

fn all_names(conn: &rusqlite::Connection) -> ApiResult<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM departments")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// The stored name of the department called `name`: the exact name, else
/// the one that equals it ignoring case.
fn find(conn: &rusqlite::Connection, name: &str) -> ApiResult<String> {
    let name = name.trim();
    let names = all_names(conn)?;
    let key = name.to_lowercase();
    names
        .iter()
        .find(|n| n.as_str() == name)
        .or_else(|| names.iter().find(|n| n.to_lowercase() == key))
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("There is no department called '{name}'.")))
}

/// Refuses `name` when another department (not `except`) has it, ignoring
/// case.
fn refuse_taken(conn: &rusqlite::Connection, name: &str, except: Option<&str>) -> ApiResult<()> {
    let key = name.to_lowercase();
    match all_names(conn)?
        .into_iter()
        .find(|n| Some(n.as_str()) != except && n.to_lowercase() == key)
    {
        Some(existing) => Err(ApiError::Conflict(format!(
            "There is already a department called '{existing}'; department names are compared without regard to case. Choose another name."
        ))),
        None => Ok(()),
    }
}

/// Rewrites the departments of every user in `old`: each name that is
/// `old` (as the table compares it) becomes `new`, or goes when `new` is
/// None. Returns how many users changed.
fn change_members(tx: &rusqlite::Connection, old: &str, new: Option<&str>) -> ApiResult<usize> {
    let members = crate::users::department_members(tx, old)?;
    let now = crate::time::now_string();
    for user in &members {
        let mut doc = user.doc()?;
        let Some(ext) = doc.get_mut(urn::ROSTER_USER).and_then(Value::as_object_mut) else {
            continue;
        };
        let held = ext
            .get("departments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        let mut kept = Vec::with_capacity(held.len());
        for d in held {
            let name = d.as_str().unwrap_or_default();
            let name = if name.eq_ignore_ascii_case(old) {
                match new {
                    Some(new) => new,
                    None => continue,
                }
            } else {
                name
            };
            // As when a user is written: one entry per name ignoring case
            // and accents.
            if seen.insert(crate::db::fold(name)) {
                kept.push(Value::String(name.to_string()));
            }
        }
        if kept.is_empty() {
            ext.remove("departments");
        } else {
            ext.insert("departments".into(), Value::Array(kept));
        }
        crate::users::store_doc(tx, &user.id, &doc, &now)?;
    }
    Ok(members.len())
}

/// `GET /roster/v1/departments`: `{"departments": [names], "members": {name: count}}`.
pub async fn list(State(state): State<AppState>, Auth(_): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(state.db.read(listing).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    name: Option<String>,
}

impl NameBody {
    fn name(&self) -> ApiResult<String> {
        check_name(self.name.as_deref().unwrap_or(""))
    }
}

/// `POST /roster/v1/departments` `{"name": "…"}`: adds a department nobody
/// is in yet.
pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    JsonBody(body): JsonBody<NameBody>,
) -> ApiResult<Response> {
    who.require(MANAGE_DEPARTMENTS, "add departments")?;
    let name = body.name()?;
    let list = state
        .db
        .write(move |tx| -> ApiResult<Value> {
            refuse_taken(tx, &name, None)?;
            tx.execute("INSERT INTO departments (name) VALUES (?1)", [&name])?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "department.create",
                    target: Some((&name, &name)),
                    summary: format!("Added the department {name}"),
                    before: None,
                    after: Some(json!({ "name": name, "members": 0 })),
                },
            )?;
            listing(tx)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(list)).into_response())
}

/// `PATCH /roster/v1/departments/{name}` `{"name": "…"}`: renames a
/// department; everyone in it is in the new one instead.
pub async fn rename(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<NameBody>,
) -> ApiResult<Json<Value>> {
    who.require(MANAGE_DEPARTMENTS, "rename departments")?;
    let new = body.name()?;
    let list = state
        .db
        .write(move |tx| -> ApiResult<Value> {
            let old = find(tx, &name)?;
            // The department itself may change only the case of its name.
            refuse_taken(tx, &new, Some(&old))?;
            if new == old {
                return listing(tx);
            }
            tx.execute(
                "UPDATE departments SET name = ?2 WHERE name = ?1",
                [&old, &new],
            )?;
            let changed = change_members(tx, &old, Some(&new))?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "department.rename",
                    target: Some((&new, &new)),
                    summary: format!(
                        "Renamed the department {old} to {new} ({} changed)",
                        users_phrase(changed)
                    ),
                    before: Some(json!({ "name": old, "members": changed })),
                    after: Some(json!({ "name": new, "members": changed })),
                },
            )?;
            listing(tx)
        })
        .await?;
    Ok(Json(list))
}

/// `DELETE /roster/v1/departments/{name}`: removes a department from the
/// list and from everyone in it (the users stay).
pub async fn delete(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(MANAGE_DEPARTMENTS, "remove departments")?;
    let list = state
        .db
        .write(move |tx| -> ApiResult<Value> {
            let old = find(tx, &name)?;
            tx.execute("DELETE FROM departments WHERE name = ?1", [&old])?;
            let changed = change_members(tx, &old, None)?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "department.delete",
                    target: Some((&old, &old)),
                    summary: format!(
                        "Removed the department {old} ({} changed)",
                        users_phrase(changed)
                    ),
                    before: Some(json!({ "name": old, "members": changed })),
                    after: None,
                },
            )?;
            listing(tx)
        })
        .await?;
    Ok(Json(list))
}

fn users_phrase(n: usize) -> String {
    match n {
        1 => "1 user".to_string(),
        n => format!("{n} users"),
    }
}
