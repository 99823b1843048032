//! Deleting a user together with what they own: either their resources are
//! deleted with them, or they are transferred to another user first. Both
//! happen in one transaction, so a transfer that fails leaves the user and
//! every resource as they were.

use axum::extract::{Path, State};
use axum::Json;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{forget_sessions, Auth};
use crate::error::{ApiError, ApiResult};
use crate::http::JsonBody;
use crate::state::AppState;
use crate::users::{display_label, guard_delete, load, remove};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteBody {
    /// `"delete"`: the user's resources go with them.
    resources: Option<String>,
    /// Or: the user who receives them.
    transfer_to: Option<String>,
}

fn owned(tx: &rusqlite::Connection, id: &str) -> ApiResult<Vec<Value>> {
    let mut stmt = tx.prepare(
        "SELECT id, application, name FROM resources WHERE owner_id = ?1 ORDER BY application, name",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(json!({
            "id": r.get::<_, String>(0)?,
            "application": r.get::<_, String>(1)?,
            "name": r.get::<_, String>(2)?,
        }))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// `POST /roster/v1/users/{id}/delete`: `{"resources":"delete"}` or
/// `{"transferTo": id}`; answers what was deleted or moved.
pub async fn delete(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DeleteBody>,
) -> ApiResult<Json<Value>> {
    who.require("users:delete", "delete users")?;
    let transfer_to = match (body.resources.as_deref(), body.transfer_to) {
        (Some("delete"), None) => None,
        (None, Some(to)) => Some(to),
        _ => {
            return Err(ApiError::invalid_value(
                "Say what happens to the user's resources: {\"resources\": \"delete\"} or {\"transferTo\": \"<user id>\"}.",
            ))
        }
    };
    let full = who.full_access(&state.loaded());
    let id2 = id.clone();
    let answer = state
        .db
        .write(move |tx| -> ApiResult<Value> {
            let user = load(tx, &id)?
                .ok_or_else(|| ApiError::NotFound(format!("There is no user with the id '{id}'.")))?;
            guard_delete(&who, &user)?;
            let label = display_label(&user.doc()?);
            let resources = owned(tx, &id)?;
            if !full && !resources.is_empty() {
                return Err(ApiError::Forbidden(
                    "You cannot delete or move resources you cannot see; ask someone with full access.".into(),
                ));
            }
            let (verb, to) = match &transfer_to {
                Some(to_id) => {
                    if *to_id == id {
                        return Err(ApiError::invalid_value(
                            "Choose someone else to receive the resources.",
                        ));
                    }
                    let to = load(tx, to_id)?.ok_or_else(|| {
                        ApiError::invalid_value(format!(
                            "There is no user with the id '{to_id}' to receive the resources."
                        ))
                    })?;
                    if to.status != "active" {
                        return Err(ApiError::invalid_value(format!(
                            "{} is {}; resources can only go to an active user.",
                            display_label(&to.doc()?),
                            to.status
                        )));
                    }
                    tx.execute(
                        "UPDATE resources SET owner_id = ?2 WHERE owner_id = ?1",
                        params![id, to_id],
                    )?;
                    let name = display_label(&to.doc()?);
                    (format!("moved to {name}"), Some(json!({ "id": to_id, "name": name })))
                }
                None => {
                    tx.execute("DELETE FROM resources WHERE owner_id = ?1", [&id])?;
                    ("deleted".to_string(), None)
                }
            };
            remove(
                tx,
                &who,
                &user,
                &format!("Deleted (their {} resource(s) {verb})", resources.len()),
            )?;
            Ok(json!({
                "deleted": { "id": id, "name": label },
                "resources": if to.is_some() { "transferred" } else { "deleted" },
                "transferredTo": to,
                "affected": resources,
            }))
        })
        .await?;
    forget_sessions(&state, &id2);
    Ok(Json(answer))
}
