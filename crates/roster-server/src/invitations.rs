//! Invitations: a new user starts Pending, with an invitation that expires
//! after seven days, until they accept it by setting a password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use roster_scim::patch::{normalize_resource, WriteMode};
use rusqlite::params;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::{new_token, token_hash, Auth};
use crate::error::ApiResult;
use crate::http::{etag, resource_response, JsonBody};
use crate::state::AppState;
use crate::users::{insert, load, prepare_user, render_one, Lifecycle};
use crate::BaseUrl;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteBody {
    /// The new user, as a SCIM User (with the Roster extension).
    user: Value,
    /// Put the invitation e-mail in the outbox now.
    #[serde(default)]
    send_email: bool,
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
    let token = new_token();
    let now = chrono::Utc::now();
    let sent = crate::time::format(now);
    let expires = crate::time::format(now + chrono::Duration::days(INVITATION_DAYS));
    let root = base.trim_end_matches("/scim/v2").to_string();
    let (version, doc) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value)> {
            let life = Lifecycle {
                status: Some("pending"),
                invitation: Some((sent.clone(), expires.clone(), who.name.clone())),
                ..Lifecycle::default()
            };
            let id = insert(tx, &prepared, &life)?;
            tx.execute(
                "UPDATE users SET invitation_token_hash = ?2 WHERE id = ?1",
                params![id, token_hash(&token)],
            )?;
            if body.send_email {
                tx.execute(
                    "INSERT INTO outbox (recipient, subject, body, created) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        prepared.user_name,
                        "You are invited to Roster",
                        format!(
                            "{} invited you to their Roster account.\n\nAccept the invitation and choose a password: {root}/invitations/accept?token={token}\n\nThe link works until {expires}.",
                            who.name
                        ),
                        sent
                    ],
                )?;
            }
            let u = load(tx, &id)?.ok_or_else(|| crate::error::ApiError::Internal("the new user vanished".into()))?;
            Ok((u.version, render_one(tx, u, &base)?))
        })
        .await?;
    let location = doc["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::CREATED,
        &doc,
        Some(&etag(version)),
        location.as_deref(),
    ))
}
