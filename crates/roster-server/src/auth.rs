//! Authentication: bearer tokens. Admins sign in with e-mail and password at
//! an OAuth 2.0 token endpoint (password grant, RFC 6749 §4.3) that issues a
//! short-lived access token (kept in memory only) and a rotating refresh
//! token (stored hashed); automation uses API tokens (stored hashed).

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::state::{AccessToken, AppState, Principal};

/// A fresh random token: 32 bytes from the OS, base64url.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> String {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).expect("the operating system has no random source");
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 accepts any password")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Registers an API token with the given role (idempotent).
pub fn register_api_token(
    conn: &rusqlite::Connection,
    name: &str,
    token: &str,
    role: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (token_hash) DO UPDATE SET name = excluded.name, role = excluded.role",
        params![token_hash(token), name, role, crate::time::now_string()],
    )?;
    Ok(())
}

/// The caller, taken from `Authorization: Bearer …`.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::Unauthorized("Sign in first: this request has no access token.".into())
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "The Authorization header must be 'Bearer' followed by a token.".into(),
                )
            })?;
        let hash = token_hash(token);
        {
            let mut tokens = state
                .access_tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(found) = tokens.get(&hash) {
                if found.expires_at > std::time::Instant::now() {
                    let principal = found.principal.clone();
                    drop(tokens);
                    check_peer(&principal.allowed_ips, peer_of(parts))
                        .map_err(ApiError::Forbidden)?;
                    return Ok(Auth(principal));
                }
                tokens.remove(&hash);
                return Err(ApiError::Unauthorized(
                    "Your session has expired; sign in again.".into(),
                ));
            }
        }
        let api = state
            .db
            .read(move |conn| -> ApiResult<Option<(String, String)>> {
                Ok(conn
                    .query_row(
                        "SELECT name, role FROM api_tokens WHERE token_hash = ?1",
                        [hash],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?)
            })
            .await?;
        match api {
            Some((name, role)) => {
                let permissions = state.loaded().role(&role)?.permissions.iter().cloned().collect();
                Ok(Auth(Principal {
                    user_id: None,
                    name,
                    role,
                    permissions: Arc::new(permissions),
                    ..Principal::default()
                }))
            }
            None => Err(ApiError::Unauthorized(
                "This access token is not valid (it may have expired or been revoked); sign in again."
                    .into(),
            )),
        }
    }
}

impl Principal {
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    /// Refuses with 403 unless the caller holds `permission`.
    pub fn require(&self, permission: &str, doing: &str) -> ApiResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "You are not allowed to {doing}: it needs the '{permission}' permission, which your role does not give you."
            )))
        }
    }
}

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

/// An OAuth 2.0 error answer (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("static header"),
    );
    response
}

struct SignInUser {
    id: String,
    user_name: String,
    status: String,
    role: Option<String>,
    data: String,
    hash: Option<String>,
}

fn load_sign_in_user(
    conn: &rusqlite::Connection,
    clause: &str,
    key: &str,
) -> rusqlite::Result<Option<SignInUser>> {
    conn.query_row(
        &format!(
            "SELECT u.id, u.user_name, u.status, u.role, d.data, p.hash FROM users u
             JOIN user_docs d ON d.seq = u.seq
             LEFT JOIN passwords p ON p.user_id = u.id WHERE {clause}"
        ),
        [key],
        |r| {
            Ok(SignInUser {
                id: r.get(0)?,
                user_name: r.get(1)?,
                status: r.get(2)?,
                role: r.get(3)?,
                data: r.get(4)?,
                hash: r.get(5)?,
            })
        },
    )
    .optional()
}

fn status_refusal(status: &str) -> Option<&'static str> {
    match status {
        "pending" => Some("This account has not accepted its invitation yet; use the link in the invitation e-mail."),
        "archived" => Some("This account is archived and cannot sign in; ask an administrator to reactivate it."),
        _ => None,
    }
}

pub async fn token(
    State(state): State<AppState>,
    Peer(peer): Peer,
    Form(req): Form<TokenRequest>,
) -> Response {
    match req.grant_type.as_deref() {
        Some("password") => password_grant(state, req, peer).await,
        Some("refresh_token") => refresh_grant(state, req, peer).await,
        Some(other) => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!(
                "The grant type '{other}' is not supported; use 'password' or 'refresh_token'."
            ),
        )),
        None => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request has no grant_type.",
        )),
    }
    .unwrap_or_else(|e| e.into_response())
}

async fn password_grant(
    state: AppState,
    req: TokenRequest,
    peer: Option<IpAddr>,
) -> ApiResult<Response> {
    let (Some(username), Some(password)) = (req.username, req.password) else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Enter both your e-mail and your password.",
        ));
    };
    let key = username.trim().to_lowercase();
    let user = state
        .db
        .read(move |conn| -> ApiResult<_> {
            Ok(load_sign_in_user(conn, "u.user_name_key = ?1", &key)?)
        })
        .await?;
    let wrong = || {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The e-mail or the password is wrong.",
        )
    };
    let Some(user) = user else {
        // Spend the same effort as a real check, so timing does not tell
        // which e-mails have accounts.
        let _ = tokio::task::spawn_blocking(move || verify_password(&password, DUMMY_HASH)).await;
        return Ok(wrong());
    };
    let hash = user.hash.clone();
    let ok = tokio::task::spawn_blocking(move || {
        hash.map(|h| verify_password(&password, &h))
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    if !ok {
        return Ok(wrong());
    }
    if let Some(refusal) = status_refusal(&user.status) {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            refusal,
        ));
    }
    if let Err(why) = check_peer(&allowed_ips(&serde_json::from_str(&user.data)?), peer) {
        return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &why));
    }
    let family = uuid::Uuid::new_v4().to_string();
    issue(&state, user, family).await
}

async fn refresh_grant(
    state: AppState,
    req: TokenRequest,
    peer: Option<IpAddr>,
) -> ApiResult<Response> {
    let Some(refresh) = req.refresh_token else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request has no refresh_token.",
        ));
    };
    let hash = token_hash(&refresh);
    let now = crate::time::now_string();
    // Rotation: a refresh token works once. A second use means it was copied,
    // so the whole family is revoked and the user must sign in again.
    let outcome = state
        .db
        .write(move |tx| -> ApiResult<Result<(SignInUser, String), &'static str>> {
            let row: Option<(String, String, String, bool)> = tx
                .query_row(
                    "SELECT user_id, family, expires_at, used FROM refresh_tokens WHERE token_hash = ?1",
                    [&hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((user_id, family, expires_at, used)) = row else {
                return Ok(Err("Your session is no longer valid; sign in again."));
            };
            if used {
                tx.execute("DELETE FROM refresh_tokens WHERE family = ?1", [&family])?;
                return Ok(Err("Your session was ended because its refresh token was used twice; sign in again."));
            }
            if expires_at < now {
                tx.execute("DELETE FROM refresh_tokens WHERE token_hash = ?1", [&hash])?;
                return Ok(Err("Your session has expired; sign in again."));
            }
            tx.execute("UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?1", [&hash])?;
            match load_sign_in_user(tx, "u.id = ?1", &user_id)? {
                Some(user) => match status_refusal(&user.status) {
                    Some(refusal) => {
                        tx.execute("DELETE FROM refresh_tokens WHERE family = ?1", [&family])?;
                        Ok(Err(refusal))
                    }
                    None => Ok(Ok((user, family))),
                },
                None => Ok(Err("This account no longer exists.")),
            }
        })
        .await?;
    match outcome {
        Ok((user, family)) => {
            if let Err(why) = check_peer(&allowed_ips(&serde_json::from_str(&user.data)?), peer) {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &why));
            }
            issue(&state, user, family).await
        }
        Err(why) => Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why)),
    }
}

/// Issues an access token (memory) and a refresh token (database) and
/// records the sign-in as the user's last activity.
async fn issue(state: &AppState, user: SignInUser, family: String) -> ApiResult<Response> {
    let loaded = state.loaded();
    let role = user.role.clone().unwrap_or_else(|| "member".into());
    let data: serde_json::Value = serde_json::from_str(&user.data)?;
    let permissions: HashSet<String> = crate::users::effective_permissions(&loaded, &role, &data)
        .into_iter()
        .collect();
    let access = new_token();
    let refresh = new_token();
    let principal = Principal {
        user_id: Some(user.id.clone()),
        name: user.user_name.clone(),
        role,
        permissions: Arc::new(permissions),
        allowed_ips: Arc::new(allowed_ips(&data)),
    };
    state
        .access_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            token_hash(&access),
            AccessToken {
                principal,
                expires_at: std::time::Instant::now() + state.access_ttl,
                family: Some(family.clone()),
            },
        );
    let refresh_hash = token_hash(&refresh);
    let expires = crate::time::format(chrono::Utc::now() + state.refresh_ttl);
    let user_id = user.id.clone();
    state
        .db
        .write(move |tx| -> ApiResult<()> {
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, user_id, family, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![refresh_hash, user_id, family, expires],
            )?;
            tx.execute(
                "UPDATE users SET last_active = ?2 WHERE id = ?1",
                params![user_id, crate::time::now_string()],
            )?;
            Ok(())
        })
        .await?;
    let mut response = Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": state.access_ttl.as_secs(),
        "refresh_token": refresh,
    }))
    .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("static header"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct RevokeRequest {
    token: String,
}

/// Token revocation (RFC 7009): ends a session. Always answers 200, as the RFC
/// asks, so it cannot be used to probe tokens.
pub async fn revoke(
    State(state): State<AppState>,
    Form(req): Form<RevokeRequest>,
) -> ApiResult<StatusCode> {
    let hash = token_hash(&req.token);
    // Revoking either token ends the whole session: the refresh tokens of
    // its family, and the access tokens issued for it.
    let access_family = state
        .access_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&hash)
        .and_then(|t| t.family.clone());
    let lookup = hash.clone();
    let family = state
        .db
        .write(move |tx| -> ApiResult<Option<String>> {
            let family: Option<String> = tx
                .query_row(
                    "SELECT family FROM refresh_tokens WHERE token_hash = ?1",
                    [&lookup],
                    |r| r.get(0),
                )
                .optional()?
                .or(access_family);
            if let Some(f) = &family {
                tx.execute("DELETE FROM refresh_tokens WHERE family = ?1", [f])?;
            }
            Ok(family)
        })
        .await?;
    state
        .access_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|key, t| key != &hash && (family.is_none() || t.family != family));
    Ok(StatusCode::OK)
}

/// Ends every in-memory session of a user (after archive, delete or a role
/// change, so the next call re-reads what they may do).
pub fn forget_sessions(state: &AppState, user_id: &str) {
    state
        .access_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|_, t| t.principal.user_id.as_deref() != Some(user_id));
}

/// The peer address of a request, when the server is served with
/// connection info (`into_make_service_with_connect_info`, as `main.rs`
/// and [`crate::serve`] do); in-process calls have none.
pub struct Peer(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(peer_of(parts)))
    }
}

fn peer_of(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
        .map(|c| c.0.ip().to_canonical())
}

/// The allowed IP ranges of a stored user document.
pub fn allowed_ips(doc: &serde_json::Value) -> Vec<ipnet::IpNet> {
    doc.get(roster_scim::urn::ROSTER_USER)
        .and_then(|e| e.get("allowedIps"))
        .and_then(serde_json::Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().and_then(crate::users::parse_cidr))
                .collect()
        })
        .unwrap_or_default()
}

/// Refuses a caller outside their allowed ranges, saying why.
pub fn check_peer(allowed: &[ipnet::IpNet], peer: Option<IpAddr>) -> Result<(), String> {
    if allowed.is_empty() {
        return Ok(());
    }
    let ranges = allowed
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match peer {
        Some(ip) if allowed.iter().any(|net| net.contains(&ip)) => Ok(()),
        Some(ip) => Err(format!(
            "Your account may only be used from the IP ranges {ranges}, and this request came from {ip}. Ask an administrator to add your address."
        )),
        None => Err(format!(
            "Your account may only be used from the IP ranges {ranges}, and this server cannot tell where the request came from."
        )),
    }
}

/// An argon2id hash of a random string, verified against when the e-mail is
/// unknown so that both paths cost the same.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2pmR6rAyuqCa8Uv1dVIGWjxvbuUDLHavVfmUebSY8DI";
