//! The outbox: every e-mail the server sends (invitations, password resets)
//! is written here in the same transaction as the change that causes it, so
//! the administrator can read it — and, when an SMTP server is configured,
//! delivered after the transaction commits, the row recording whether it
//! was sent or why it failed.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rusqlite::params;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;

/// An e-mail to write to the outbox.
pub struct Mail<'a> {
    /// `invitation` or `password-reset`.
    pub kind: &'a str,
    pub user_id: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: String,
}

/// Writes `mail` to the outbox inside the caller's transaction; returns its
/// sequence number, for [`deliver`] once the transaction has committed.
pub fn enqueue(tx: &rusqlite::Connection, mail: Mail<'_>) -> ApiResult<i64> {
    enqueue_at(tx, mail, &crate::time::now_string())
}

/// [`enqueue`] with the time the e-mail was written (the demo's history).
pub fn enqueue_at(tx: &rusqlite::Connection, mail: Mail<'_>, created: &str) -> ApiResult<i64> {
    tx.prepare_cached(
        "INSERT INTO outbox (kind, user_id, recipient, subject, body, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        mail.kind,
        mail.user_id,
        mail.recipient,
        mail.subject,
        mail.body,
        created
    ])?;
    Ok(tx.last_insert_rowid())
}

/// SMTP delivery, configured with `--smtp-url`.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    /// `url` as lettre reads it: `smtps://user:pass@host:465` (TLS),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtp://host:25`
    /// (unencrypted, for a local relay).
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the SMTP URL is not usable: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("the sender address '{from}' is not valid: {e}"))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, recipient: &str, subject: &str, body: &str) -> Result<(), String> {
        let to = recipient
            .parse()
            .map_err(|e| format!("'{recipient}' is not an e-mail address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the SMTP server refused or could not be reached: {e}"))
    }
}

/// Sends outbox row `seq` when SMTP is configured, in the background, and
/// records the outcome. Without SMTP the row stays `queued`: the outbox is
/// then the delivery (the administrator passes the link on).
pub fn deliver(state: &AppState, seq: i64) {
    let Some(mailer) = state.mailer.clone() else {
        return;
    };
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = send_row(&db, &mailer, seq).await {
            tracing::error!(error = %e, seq, "could not record the outcome of an e-mail");
        }
    });
}

async fn send_row(db: &crate::db::Db, mailer: &Arc<Mailer>, seq: i64) -> ApiResult<()> {
    let (recipient, subject, body) = db
        .read(move |conn| -> ApiResult<(String, String, String)> {
            Ok(conn.query_row(
                "SELECT recipient, subject, body FROM outbox WHERE seq = ?1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .await?;
    let outcome = mailer.send(&recipient, &subject, &body).await;
    if let Err(e) = &outcome {
        tracing::warn!(seq, error = %e, "an e-mail was not sent");
    }
    db.write(move |tx| -> ApiResult<()> {
        match outcome {
            Ok(()) => tx.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?2, error = NULL WHERE seq = ?1",
                params![seq, crate::time::now_string()],
            )?,
            Err(e) => tx.execute(
                "UPDATE outbox SET status = 'failed', error = ?2 WHERE seq = ?1",
                params![seq, e],
            )?,
        };
        Ok(())
    })
    .await
}

/// `GET /roster/v1/outbox?user=&before=&limit=`: the e-mails, newest first.
/// What stands in an e-mail's body for a link the reader may not see.
pub const HIDDEN_LINK: &str =
    "[link hidden: only an administrator who may change this user sees it]";

/// An invitation or reset link lets whoever holds it set the user's
/// password: the outbox shows it only to those who may change that user
/// themselves (the Owner for the Owner, nobody for someone holding a
/// permission they lack), so reading the outbox is no way round the rules
/// against escalation.
fn hide_link_unless_allowed(
    conn: &rusqlite::Connection,
    who: &crate::state::Principal,
    message: &mut Value,
) -> ApiResult<()> {
    let Some(user_id) = message["userId"].as_str() else {
        return Ok(());
    };
    let allowed = match crate::users::load(conn, user_id)? {
        Some(target) => crate::policy::guard_target(who, &target).is_ok(),
        // The user is gone: the link no longer works anyway.
        None => true,
    };
    if !allowed {
        if let Some(body) = message["body"].as_str() {
            let hidden: Vec<String> = body
                .split_inclusive(char::is_whitespace)
                .map(|word| {
                    let bare = word.trim_end();
                    if bare.starts_with("http://") || bare.starts_with("https://") {
                        format!("{HIDDEN_LINK}{}", &word[bare.len()..])
                    } else {
                        word.to_owned()
                    }
                })
                .collect();
            message["body"] = Value::String(hidden.concat());
        }
    }
    Ok(())
}

pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    Query(q): Query<crate::http::LogQuery>,
) -> ApiResult<Json<Value>> {
    who.require("users:invite", "read the outbox")?;
    let limit = crate::http::log_page_limit(q.limit)?;
    let page = state
        .db
        .read(move |conn| -> ApiResult<Value> {
            let total: i64 = conn.query_row(
                "SELECT COUNT(*) FROM outbox WHERE ?1 IS NULL OR user_id = ?1",
                [&q.user],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare_cached(
                "SELECT seq, kind, user_id, recipient, subject, body, created, status, sent_at, error
                 FROM outbox WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR seq < ?2)
                 ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![q.user, q.before, limit], |r| {
                Ok(json!({
                    "id": r.get::<_, i64>(0)?,
                    "kind": r.get::<_, String>(1)?,
                    "userId": r.get::<_, Option<String>>(2)?,
                    "to": r.get::<_, String>(3)?,
                    "subject": r.get::<_, String>(4)?,
                    "body": r.get::<_, String>(5)?,
                    "created": r.get::<_, String>(6)?,
                    "status": r.get::<_, String>(7)?,
                    "sentAt": r.get::<_, Option<String>>(8)?,
                    "error": r.get::<_, Option<String>>(9)?,
                }))
            })?;
            let mut messages = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            for message in &mut messages {
                hide_link_unless_allowed(conn, &who, message)?;
            }
            let next = crate::http::next_before(&messages, limit, "id");
            Ok(json!({ "totalResults": total, "messages": messages, "nextBefore": next }))
        })
        .await?;
    Ok(Json(page))
}
