//! Invitations: a new user starts Pending, with an invitation that expires
//! after seven days, until they accept it on the server's accept page by
//! setting a password (which also proves the e-mail address is theirs).
//! Resending issues a new link (the old one stops working); revoking removes
//! the pending user.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use roster_scim::patch::{normalize_resource, WriteMode};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::Value;

use crate::audit::{self, Entry};
use crate::auth::{new_token, token_hash, Auth};
use crate::error::{ApiError, ApiResult};
use crate::http::{etag, resource_response, JsonBody};
use crate::outbox::{self, Mail};
use crate::pages::{self, PasswordForm};
use crate::state::{AppState, Principal};
use crate::users::{display_label, insert, load, prepare_user, render_one, Lifecycle, Stored};
use crate::BaseUrl;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteBody {
    /// The new user, as a SCIM User (with the Roster extension).
    user: Value,
    /// Send the invitation e-mail now (to the outbox, and by SMTP when
    /// configured). Without it the invitation waits for a resend.
    #[serde(default)]
    send_email: bool,
    /// Resource ids to grant at once (a Guest needs at least one).
    #[serde(default)]
    resources: Vec<String>,
}

/// The server's root address (the SCIM base without `/scim/v2`).
pub fn root_of(base: &str) -> String {
    base.trim_end_matches("/scim/v2").to_string()
}

/// Gives `user` a fresh invitation link (replacing any earlier one) and,
/// when `send`, writes the e-mail to the outbox. Returns the outbox row.
fn issue(
    tx: &rusqlite::Connection,
    who: &Principal,
    user_id: &str,
    user_name: &str,
    root: &str,
    send: bool,
) -> ApiResult<Option<i64>> {
    let token = new_token();
    let now = chrono::Utc::now();
    let sent = crate::time::format(now);
    let expires = crate::time::format(now + chrono::Duration::days(INVITATION_DAYS));
    tx.execute(
        "UPDATE users SET invitation_token_hash = ?2, invitation_sent_at = ?3, invitation_expires_at = ?4,
                invited_by = ?5, version = version + 1, last_modified = ?3
         WHERE id = ?1",
        params![user_id, token_hash(&token), sent, expires, who.name],
    )?;
    if !send {
        return Ok(None);
    }
    let seq = outbox::enqueue(
        tx,
        invitation_mail(user_id, user_name, &who.name, root, &token, &expires),
    )?;
    Ok(Some(seq))
}

/// The invitation e-mail to `recipient` with the accept link for `token`,
/// sent by `inviter` (their e-mail address); `expires` as stored.
pub fn invitation_mail<'a>(
    user_id: &'a str,
    recipient: &'a str,
    inviter: &str,
    root: &str,
    token: &str,
    expires: &str,
) -> Mail<'a> {
    Mail {
        kind: "invitation",
        user_id,
        recipient,
        subject: "You are invited to Roster",
        body: format!(
            "{inviter} invited you to their Roster account.\n\n\
             Accept the invitation and choose a password:\n{root}/invite/{token}\n\n\
             The link works until {expires} (UTC). If you did not expect this, ignore this e-mail."
        ),
    }
}

/// `POST /roster/v1/invitations`: creates a Pending user and its invitation.
pub async fn invite(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<InviteBody>,
) -> ApiResult<Response> {
    who.require("users:invite", "invite users")?;
    let loaded = state.loaded();
    let doc = normalize_resource(&body.user, &loaded.user_schema, WriteMode::Create)?;
    let mut prepared = prepare_user(&loaded, &who, None, doc)?;
    prepared.data["active"] = Value::Bool(false);
    let role = loaded.role(&prepared.role)?.clone();
    let root = root_of(&base);
    let (version, doc, mail) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value, Option<i64>)> {
            let life = Lifecycle {
                status: Some("pending"),
                ..Lifecycle::default()
            };
            let id = insert(tx, &prepared, &life)?;
            crate::grants::grant(tx, &loaded, &who, &id, &body.resources)?;
            if role.requires_resource && body.resources.is_empty() {
                return Err(ApiError::invalid_value(format!(
                    "A {} must have access to at least one resource; choose one to share with them.",
                    role.name
                )));
            }
            let mail = issue(tx, &who, &id, &prepared.user_name, &root, body.send_email)?;
            let label = display_label(&prepared.data);
            audit::record(
                tx,
                &who,
                Entry {
                    action: "user.invite",
                    target: Some((&id, &label)),
                    summary: format!(
                        "Invited {label} as {}{}",
                        role.name,
                        if mail.is_some() { "" } else { " (no e-mail sent)" }
                    ),
                    before: None,
                    after: Some(prepared.data.clone()),
                },
            )?;
            let u = load(tx, &id)?.ok_or_else(|| ApiError::Internal("the new user vanished".into()))?;
            Ok((u.version, render_one(tx, u, &base)?, mail))
        })
        .await?;
    if let Some(seq) = mail {
        outbox::deliver(&state, seq);
    }
    let location = doc["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::CREATED,
        &doc,
        Some(&etag(version)),
        location.as_deref(),
    ))
}

/// Loads a pending user the caller may act on.
fn pending_user(tx: &rusqlite::Connection, who: &Principal, id: &str) -> ApiResult<Stored> {
    let user = load(tx, id)?
        .ok_or_else(|| ApiError::NotFound(format!("There is no user with the id '{id}'.")))?;
    crate::policy::guard_target(who, &user)?;
    if user.status != "pending" {
        return Err(ApiError::InUse(format!(
            "{} has already accepted their invitation; there is nothing to resend or revoke.",
            display_label(&user.doc()?)
        )));
    }
    Ok(user)
}

/// `POST /roster/v1/users/{id}/invitation/resend`: a new link, valid for
/// another seven days; the old one stops working. Works for expired
/// invitations too.
pub async fn resend(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    who.require("users:invite", "resend invitations")?;
    let root = root_of(&base);
    let (version, doc, seq) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value, Option<i64>)> {
            let user = pending_user(tx, &who, &id)?;
            let before = render_one(tx, user.clone(), &base)?;
            let user_name = before["userName"].as_str().unwrap_or_default().to_string();
            let seq = issue(tx, &who, &id, &user_name, &root, true)?;
            let u = load(tx, &id)?.ok_or_else(|| ApiError::Internal("the user vanished".into()))?;
            let after = render_one(tx, u.clone(), &base)?;
            let label = display_label(&before);
            audit::record(
                tx,
                &who,
                Entry {
                    action: "user.invite.resend",
                    target: Some((&id, &label)),
                    summary: format!("Resent the invitation of {label}"),
                    before: Some(
                        before["urn:roster:params:scim:schemas:extension:roster:2.0:User"]
                            ["invitation"]
                            .clone(),
                    ),
                    after: Some(
                        after["urn:roster:params:scim:schemas:extension:roster:2.0:User"]
                            ["invitation"]
                            .clone(),
                    ),
                },
            )?;
            Ok((u.version, after, seq))
        })
        .await?;
    if let Some(seq) = seq {
        outbox::deliver(&state, seq);
    }
    let location = doc["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::OK,
        &doc,
        Some(&etag(version)),
        location.as_deref(),
    ))
}

/// `DELETE /roster/v1/users/{id}/invitation`: withdraws the invitation and
/// removes the pending user.
pub async fn revoke(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    who.require("users:invite", "revoke invitations")?;
    state
        .db
        .write(move |tx| -> ApiResult<()> {
            let user = pending_user(tx, &who, &id)?;
            crate::users::remove(tx, &who, &user, "Revoked the invitation of")
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an invitation link leads to.
enum Invitation {
    Valid {
        id: String,
        email: String,
    },
    Expired {
        email: String,
        expired: String,
        by: String,
    },
    Unknown,
}

fn find(conn: &rusqlite::Connection, token: &str) -> ApiResult<Invitation> {
    type Row = (String, String, String, Option<String>, Option<String>);
    let row: Option<Row> = conn
        .query_row(
            "SELECT id, user_name, status, invitation_expires_at, invited_by FROM users WHERE invitation_token_hash = ?1",
            [token_hash(token)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    Ok(match row {
        Some((id, email, status, expires, by)) if status == "pending" => {
            let expires = expires.unwrap_or_default();
            if expires < crate::time::now_string() {
                Invitation::Expired {
                    email,
                    expired: expires,
                    by: by.unwrap_or_else(|| "your administrator".into()),
                }
            } else {
                Invitation::Valid { id, email }
            }
        }
        _ => Invitation::Unknown,
    })
}

const TITLE: &str = "Accept your invitation";

fn not_usable(invitation: Invitation) -> Response {
    match invitation {
        Invitation::Expired { email, expired, by } => pages::page(
            StatusCode::GONE,
            "This invitation has expired",
            &pages::para(&format!(
                "The invitation for {email} expired on {} (UTC). Ask {by} to resend it; the new e-mail will have a fresh link.",
                expired.get(..16).unwrap_or(&expired).replace('T', " ")
            )),
        ),
        _ => pages::page(
            StatusCode::NOT_FOUND,
            "This invitation link does not work",
            &pages::para(
                "It may have been replaced by a newer invitation, withdrawn, or already accepted. Use the link in the most recent invitation e-mail, or ask your administrator to resend it.",
            ),
        ),
    }
}

/// `GET /invite/{token}`: the accept page.
pub async fn accept_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let found = state.db.read(move |conn| find(conn, &token)).await;
    match found {
        Ok(Invitation::Valid { email, .. }) => pages::page(
            StatusCode::OK,
            TITLE,
            &pages::password_form(
                "Choose a password to finish setting up your account. You will sign in with this e-mail address.",
                &email,
                None,
                "Accept and set password",
            ),
        ),
        Ok(other) => not_usable(other),
        Err(e) => e.into_response(),
    }
}

/// `POST /invite/{token}`: sets the password and makes the user Active.
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let lookup = token.clone();
    let found = match state.db.read(move |conn| find(conn, &lookup)).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let (id, email) = match found {
        Invitation::Valid { id, email } => (id, email),
        other => return not_usable(other),
    };
    if let Some(problem) = form.problem() {
        return pages::page(
            StatusCode::BAD_REQUEST,
            TITLE,
            &pages::password_form(
                "Choose a password to finish setting up your account.",
                &email,
                Some(&problem),
                "Accept and set password",
            ),
        );
    }
    let password = form.password;
    let hash =
        match tokio::task::spawn_blocking(move || crate::auth::hash_password(&password)).await {
            Ok(hash) => hash,
            Err(_) => return ApiError::Internal("hashing failed".into()).into_response(),
        };
    let done = state
        .db
        .write(move |tx| -> ApiResult<bool> {
            // The token is checked again inside the transaction: a resend or
            // revoke in between wins.
            let still = tx
                .query_row(
                    "SELECT 1 FROM users WHERE id = ?1 AND invitation_token_hash = ?2 AND status = 'pending'",
                    params![id, token_hash(&token)],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !still {
                return Ok(false);
            }
            activate(tx, &id, &hash)?;
            Ok(true)
        })
        .await;
    match done {
        Ok(true) => pages::page(
            StatusCode::OK,
            "Your account is ready",
            &pages::para(&format!(
                "You can now sign in to Roster as {email} with the password you chose."
            )),
        ),
        Ok(false) => not_usable(Invitation::Unknown),
        Err(e) => e.into_response(),
    }
}

/// Makes an invited user Active with their password, and records it.
fn activate(tx: &rusqlite::Connection, id: &str, hash: &str) -> ApiResult<()> {
    let user = load(tx, id)?.ok_or_else(|| ApiError::Internal("the user vanished".into()))?;
    let before = user.doc()?;
    let mut doc = before.clone();
    doc["active"] = Value::Bool(true);
    let now = crate::time::now_string();
    tx.execute(
        "UPDATE users SET status = 'active', invitation_token_hash = NULL, invitation_sent_at = NULL,
                invitation_expires_at = NULL, version = version + 1, last_modified = ?2
         WHERE id = ?1",
        params![id, now],
    )?;
    tx.execute(
        "UPDATE user_docs SET data = ?2 WHERE seq = (SELECT seq FROM users WHERE id = ?1)",
        params![id, serde_json::to_string(&doc)?],
    )?;
    tx.execute(
        "INSERT INTO passwords (user_id, hash, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
        params![id, hash, now],
    )?;
    let label = display_label(&doc);
    let me = Principal {
        user_id: Some(id.to_string()),
        name: before["userName"].as_str().unwrap_or_default().to_string(),
        role: user.role.clone().unwrap_or_default(),
        permissions: Arc::default(),
        ..Principal::default()
    };
    audit::record(
        tx,
        &me,
        Entry {
            action: "user.accept",
            target: Some((id, &label)),
            summary: format!("{label} accepted the invitation and set a password"),
            before: Some(before),
            after: Some(doc),
        },
    )
}
