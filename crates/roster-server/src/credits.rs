//! Credits: a user with a credit limit cannot spend more than it, and
//! everything users spend is charged to the account's balance. Usage is
//! recorded as events (what, in which application, at what cost), which the
//! user's statistics and event history show.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::JsonBody;
use crate::state::{AppState, Principal};
use crate::users::{display_label, load, Stored};

/// The user's credit limit from their document; None is unlimited.
pub fn credit_limit(doc: &Value) -> Option<i64> {
    doc.get(roster_scim::urn::ROSTER_USER)
        .and_then(|e| e.get("creditLimit"))
        .and_then(Value::as_i64)
}

fn balance(conn: &rusqlite::Connection) -> ApiResult<i64> {
    Ok(
        conn.query_row("SELECT credit_balance FROM account WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

fn find_user(conn: &rusqlite::Connection, id: &str) -> ApiResult<Stored> {
    load(conn, id)?
        .ok_or_else(|| ApiError::NotFound(format!("There is no user with the id '{id}'.")))
}

/// Users see their own figures; seeing others' needs `users:view`.
fn may_read(who: &Principal, id: &str) -> ApiResult<()> {
    if who.is(id) {
        Ok(())
    } else {
        who.require("users:view", "see other users' statistics and events")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageBody {
    application: String,
    description: String,
    credits: i64,
}

/// `POST /roster/v1/users/{id}/usage`: records what a user spent, refusing
/// what would pass their limit or the account's balance.
pub async fn record(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UsageBody>,
) -> ApiResult<Response> {
    if !who.is(&id) {
        who.require("users:edit", "record other users' usage")?;
    }
    let loaded = state.loaded();
    if loaded.catalogue.application(&body.application).is_none() {
        return Err(ApiError::invalid_value(format!(
            "'{}' is not an application of this account.",
            body.application
        )));
    }
    let description = body.description.trim().to_string();
    if description.is_empty() || description.chars().count() > 500 {
        return Err(ApiError::invalid_value(
            "Describe the event in 1 to 500 characters.",
        ));
    }
    if body.credits < 0 {
        return Err(ApiError::invalid_value(
            "credits must be a whole number, 0 or more.",
        ));
    }
    let event = state
        .db
        .write(move |tx| -> ApiResult<Value> {
            let user = find_user(tx, &id)?;
            let doc = user.doc()?;
            let label = display_label(&doc);
            if user.status != "active" {
                return Err(ApiError::InUse(format!(
                    "{label} is {} and cannot spend credits.",
                    user.status
                )));
            }
            if let Some(limit) = credit_limit(&doc) {
                let left = (limit - user.credits_used).max(0);
                if body.credits > left {
                    return Err(ApiError::InUse(format!(
                        "This costs {} credits, but {label} has only {left} of their {limit}-credit limit left.",
                        body.credits
                    )));
                }
            }
            let account = balance(tx)?;
            if body.credits > account {
                return Err(ApiError::InUse(format!(
                    "This costs {} credits, but the account has only {account} left; buy more credits first.",
                    body.credits
                )));
            }
            tx.execute(
                "UPDATE account SET credit_balance = credit_balance - ?1 WHERE id = 1",
                [body.credits],
            )?;
            tx.execute(
                "UPDATE users SET credits_used = credits_used + ?2 WHERE id = ?1",
                params![id, body.credits],
            )?;
            let event_id = uuid::Uuid::new_v4().to_string();
            let now = crate::time::now_string();
            tx.execute(
                "INSERT INTO usage_events (id, user_id, application, description, credits, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![event_id, id, body.application, description, body.credits, now],
            )?;
            let used = user.credits_used + body.credits;
            Ok(json!({
                "id": event_id, "application": body.application, "description": description,
                "credits": body.credits, "created": now, "creditsUsed": used,
                "remainingCredits": remaining(credit_limit(&doc), used, account - body.credits),
            }))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(event)).into_response())
}

/// What the user can still spend: their limit's rest, never more than the
/// account holds; without a limit, the account's balance.
fn remaining(limit: Option<i64>, used: i64, account: i64) -> i64 {
    match limit {
        Some(limit) => (limit - used).max(0).min(account),
        None => account,
    }
}

/// `GET /roster/v1/users/{id}/statistics`: account type, budget, created,
/// remaining credits.
pub async fn statistics(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    may_read(&who, &id)?;
    let loaded = state.loaded();
    let stats = state
        .db
        .read(move |conn| -> ApiResult<Value> {
            let user = find_user(conn, &id)?;
            let doc = user.doc()?;
            let role = user.role.clone().unwrap_or_default();
            let limit = credit_limit(&doc);
            let account = balance(conn)?;
            let (events, spent): (i64, i64) = conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(credits), 0) FROM usage_events WHERE user_id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(json!({
                "userId": user.id,
                "role": role,
                "accountType": loaded.catalogue.role(&role).map(|r| r.name.clone()),
                "status": user.status,
                "creditLimit": limit,
                "creditsUsed": user.credits_used,
                "remainingCredits": remaining(limit, user.credits_used, account),
                "accountBalance": account,
                "created": user.created,
                "lastActive": user.last_active,
                "events": events,
                "eventCredits": spent,
            }))
        })
        .await?;
    Ok(Json(stats))
}

#[derive(Deserialize)]
pub struct EventsQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /roster/v1/users/{id}/events?before=&limit=`: the user's usage
/// events, newest first, each with its cost.
pub async fn events(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Json<Value>> {
    may_read(&who, &id)?;
    let limit = crate::http::log_page_limit(q.limit)?;
    let page = state
        .db
        .read(move |conn| -> ApiResult<Value> {
            find_user(conn, &id)?;
            let total: i64 = conn.query_row(
                "SELECT COUNT(*) FROM usage_events WHERE user_id = ?1",
                [&id],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare_cached(
                "SELECT seq, id, application, description, credits, created FROM usage_events
                 WHERE user_id = ?1 AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![id, q.before, limit], |r| {
                Ok(json!({
                    "seq": r.get::<_, i64>(0)?,
                    "id": r.get::<_, String>(1)?,
                    "application": r.get::<_, String>(2)?,
                    "description": r.get::<_, String>(3)?,
                    "credits": r.get::<_, i64>(4)?,
                    "created": r.get::<_, String>(5)?,
                }))
            })?;
            let events = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            let next = crate::http::next_before(&events, limit, "seq");
            Ok(json!({ "totalResults": total, "events": events, "nextBefore": next }))
        })
        .await?;
    Ok(Json(page))
}
