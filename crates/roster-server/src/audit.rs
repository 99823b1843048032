//! The audit log: every administrator action — who, what, when, and the
//! state before and after — written in the same transaction as the change,
//! so the log never claims a change that did not happen nor misses one that
//! did.

use axum::extract::{Query, State};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Principal};

/// One entry to record.
pub struct Entry<'a> {
    /// A dotted verb, e.g. `user.invite`, `role.create`.
    pub action: &'a str,
    /// The user (or role, department …) acted on: id and a readable name.
    pub target: Option<(&'a str, &'a str)>,
    /// One sentence a person reads in the log.
    pub summary: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Records `entry` as done by `who`, inside the caller's transaction.
pub fn record(tx: &rusqlite::Connection, who: &Principal, entry: Entry<'_>) -> ApiResult<()> {
    record_at(tx, who, entry, &crate::time::now_string())
}

/// [`record`] with the time it happened (the demo's history). The log is
/// listed in the order entries were written, so they must be written in
/// time order.
pub fn record_at(
    tx: &rusqlite::Connection,
    who: &Principal,
    entry: Entry<'_>,
    at: &str,
) -> ApiResult<()> {
    let (target_id, target) = entry.target.unzip();
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor_id, actor, action, target_id, target, summary, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        at,
        who.user_id,
        who.name,
        entry.action,
        target_id,
        target,
        entry.summary,
        entry.before.map(|v| v.to_string()),
        entry.after.map(|v| v.to_string()),
    ])?;
    Ok(())
}

/// `GET /roster/v1/audit?user=&before=&limit=`: the log, newest first, paged
/// by sequence number so that new entries never shift a page. `user`: the
/// entries about this user (as target) or by them (as actor).
pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Query(q): Query<crate::http::LogQuery>,
) -> ApiResult<Json<Value>> {
    who.require("security:audit-log", "read the audit log")?;
    let limit = crate::http::log_page_limit(q.limit)?;
    let page = state
        .db
        .read(move |conn| -> ApiResult<Value> {
            if let Some(user) = &q.user {
                let exists = conn
                    .query_row("SELECT 1 FROM users WHERE id = ?1", [user], |_| Ok(()))
                    .optional()?
                    .is_some();
                let mentioned = conn
                    .query_row(
                        "SELECT 1 FROM audit_log WHERE target_id = ?1 LIMIT 1",
                        [user],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if !exists && !mentioned {
                    return Err(ApiError::NotFound(format!(
                        "There is no user with the id '{user}'."
                    )));
                }
            }
            let total: i64 = conn.query_row(
                "SELECT COUNT(*) FROM audit_log WHERE ?1 IS NULL OR target_id = ?1 OR actor_id = ?1",
                [&q.user],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare_cached(
                "SELECT seq, at, actor_id, actor, action, target_id, target, summary, before, after
                 FROM audit_log
                 WHERE (?1 IS NULL OR target_id = ?1 OR actor_id = ?1) AND (?2 IS NULL OR seq < ?2)
                 ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![q.user, q.before, limit], |r| {
                let parse = |s: Option<String>| {
                    s.and_then(|s| serde_json::from_str::<Value>(&s).ok())
                        .unwrap_or(Value::Null)
                };
                Ok(json!({
                    "seq": r.get::<_, i64>(0)?,
                    "at": r.get::<_, String>(1)?,
                    "actorId": r.get::<_, Option<String>>(2)?,
                    "actor": r.get::<_, String>(3)?,
                    "action": r.get::<_, String>(4)?,
                    "targetId": r.get::<_, Option<String>>(5)?,
                    "target": r.get::<_, Option<String>>(6)?,
                    "summary": r.get::<_, String>(7)?,
                    "before": parse(r.get(8)?),
                    "after": parse(r.get(9)?),
                }))
            })?;
            let entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            let next = crate::http::next_before(&entries, limit, "seq");
            Ok(json!({ "totalResults": total, "entries": entries, "nextBefore": next }))
        })
        .await?;
    Ok(Json(page))
}
