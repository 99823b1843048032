//! Password reset: an administrator sends a user a link (to the outbox, and
//! by SMTP when configured); the server's reset page sets a new password.
//! A link works once and expires after a day; a newer link replaces older
//! ones.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::audit::{self, Entry};
use crate::auth::{forget_sessions, new_token, token_hash, Auth};
use crate::error::{ApiError, ApiResult};
use crate::outbox::{self, Mail};
use crate::pages::{self, PasswordForm};
use crate::state::{AppState, Principal};
use crate::users::{display_label, load};
use crate::BaseUrl;

/// How long a reset link works.
pub const RESET_HOURS: i64 = 24;

/// `POST /roster/v1/users/{id}/password-reset`: writes a reset link to the
/// outbox.
pub async fn request(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    who.require("users:reset-password", "reset passwords")?;
    let root = crate::invitations::root_of(&base);
    let (seq, expires) = state
        .db
        .write(move |tx| -> ApiResult<(i64, String)> {
            let user = load(tx, &id)?
                .ok_or_else(|| ApiError::NotFound(format!("There is no user with the id '{id}'.")))?;
            crate::policy::guard_target(&who, &user)?;
            let doc = user.doc()?;
            let label = display_label(&doc);
            match user.status.as_str() {
                "pending" => {
                    return Err(ApiError::InUse(format!(
                        "{label} has not accepted their invitation yet; resend the invitation instead."
                    )))
                }
                "archived" => {
                    return Err(ApiError::InUse(format!(
                        "{label} is archived and cannot sign in; reactivate them first."
                    )))
                }
                _ => {}
            }
            let token = new_token();
            let now = chrono::Utc::now();
            let expires = crate::time::format(now + chrono::Duration::hours(RESET_HOURS));
            // Only the newest link works.
            tx.execute(
                "DELETE FROM password_resets WHERE user_id = ?1 AND used_at IS NULL",
                [&id],
            )?;
            tx.execute(
                "INSERT INTO password_resets (token_hash, user_id, created, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash(&token), id, crate::time::format(now), expires],
            )?;
            let user_name = doc["userName"].as_str().unwrap_or_default().to_string();
            let seq = outbox::enqueue(
                tx,
                reset_mail(&id, &user_name, &who.name, &root, &token, &expires),
            )?;
            audit::record(
                tx,
                &who,
                Entry {
                    action: "user.password-reset",
                    target: Some((&id, &label)),
                    summary: format!("Sent {label} a password reset link"),
                    before: None,
                    after: Some(json!({ "expiresAt": expires })),
                },
            )?;
            Ok((seq, expires))
        })
        .await?;
    outbox::deliver(&state, seq);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "outboxId": seq, "expiresAt": expires })),
    )
        .into_response())
}

/// The password reset e-mail to `recipient` with the link for `token`,
/// asked for by `by` (their e-mail address); `expires` as stored.
pub fn reset_mail<'a>(
    user_id: &'a str,
    recipient: &'a str,
    by: &str,
    root: &str,
    token: &str,
    expires: &str,
) -> Mail<'a> {
    Mail {
        kind: "password-reset",
        user_id,
        recipient,
        subject: "Reset your Roster password",
        body: format!(
            "{by} asked Roster to send you a link to choose a new password:\n{root}/reset/{token}\n\n\
             The link works once, until {expires} (UTC). Your current password keeps working until you choose a new one."
        ),
    }
}

enum Link {
    Valid { user_id: String, email: String },
    Expired,
    Unknown,
}

fn find(conn: &rusqlite::Connection, token: &str) -> ApiResult<Link> {
    type Row = (String, String, Option<String>, String);
    let row: Option<Row> = conn
        .query_row(
            "SELECT p.user_id, p.expires_at, p.used_at, u.user_name FROM password_resets p
             JOIN users u ON u.id = p.user_id WHERE p.token_hash = ?1 AND u.status = 'active'",
            [token_hash(token)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(match row {
        Some((_, _, Some(_), _)) | None => Link::Unknown,
        Some((_, expires, None, _)) if expires < crate::time::now_string() => Link::Expired,
        Some((user_id, _, None, email)) => Link::Valid { user_id, email },
    })
}

const TITLE: &str = "Choose a new password";

fn not_usable(link: Link) -> Response {
    let (status, text) = match link {
        Link::Expired => (
            StatusCode::GONE,
            "This password reset link has expired. Ask your administrator to send a new one.",
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "This password reset link does not work: it was already used, or a newer link replaced it. Ask your administrator to send a new one.",
        ),
    };
    pages::page(status, "This link does not work", &pages::para(text))
}

/// `GET /reset/{token}`: the reset page.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.db.read(move |conn| find(conn, &token)).await {
        Ok(Link::Valid { email, .. }) => pages::page(
            StatusCode::OK,
            TITLE,
            &pages::password_form(
                "Choose a new password for your Roster account.",
                &email,
                None,
                "Set new password",
            ),
        ),
        Ok(other) => not_usable(other),
        Err(e) => e.into_response(),
    }
}

/// `POST /reset/{token}`: sets the new password, uses up the link and ends
/// the user's sessions.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let lookup = token.clone();
    let (user_id, email) = match state.db.read(move |conn| find(conn, &lookup)).await {
        Ok(Link::Valid { user_id, email }) => (user_id, email),
        Ok(other) => return not_usable(other),
        Err(e) => return e.into_response(),
    };
    if let Some(problem) = form.problem() {
        return pages::page(
            StatusCode::BAD_REQUEST,
            TITLE,
            &pages::password_form(
                "Choose a new password for your Roster account.",
                &email,
                Some(&problem),
                "Set new password",
            ),
        );
    }
    let password = form.password;
    let Ok(hash) = tokio::task::spawn_blocking(move || crate::auth::hash_password(&password)).await
    else {
        return ApiError::Internal("hashing failed".into()).into_response();
    };
    let id = user_id.clone();
    let done = state
        .db
        .write(move |tx| -> ApiResult<bool> {
            let now = crate::time::now_string();
            // Used up atomically: of two submissions, one wins.
            let n = tx.execute(
                "UPDATE password_resets SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at >= ?2",
                params![token_hash(&token), now],
            )?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO passwords (user_id, hash, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
                params![id, hash, now],
            )?;
            // Signed-in sessions end with the old password.
            tx.execute("DELETE FROM refresh_tokens WHERE user_id = ?1", [&id])?;
            let me = Principal {
                user_id: Some(id.clone()),
                name: email.clone(),
                role: String::new(),
                permissions: Arc::default(),
                ..Principal::default()
            };
            audit::record(
                tx,
                &me,
                Entry {
                    action: "user.password-set",
                    target: Some((&id, &email)),
                    summary: format!("{email} chose a new password through a reset link"),
                    before: None,
                    after: None::<Value>,
                },
            )?;
            Ok(true)
        })
        .await;
    match done {
        Ok(true) => {
            forget_sessions(&state, &user_id);
            pages::page(
                StatusCode::OK,
                "Your password was changed",
                &pages::para("Sign in to Roster with your new password."),
            )
        }
        Ok(false) => not_usable(Link::Unknown),
        Err(e) => e.into_response(),
    }
}
