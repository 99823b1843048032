//! HTTP plumbing shared by the routes: SCIM JSON responses, a JSON body
//! extractor whose failures are SCIM errors, and ETags.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_scim::messages::ScimType;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

/// A body serialised as `application/scim+json`.
pub struct ScimJson(pub Vec<u8>);

pub fn scim_json<T: Serialize>(value: &T) -> ScimJson {
    ScimJson(serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec()))
}

impl IntoResponse for ScimJson {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(SCIM_CONTENT_TYPE),
            )],
            self.0,
        )
            .into_response()
    }
}

/// A resource answer: status, SCIM JSON, and (when versioned) its ETag and
/// Location.
pub fn resource_response(
    status: StatusCode,
    body: &serde_json::Value,
    version: Option<&str>,
    location: Option<&str>,
) -> Response {
    let mut response = (status, scim_json(body)).into_response();
    if let Some(v) = version.and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(header::ETAG, v);
    }
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        response.headers_mut().insert(header::LOCATION, l);
    }
    response
}

/// A JSON request body. Malformed JSON, a wrong media type or an oversized
/// body become SCIM errors instead of axum's plain-text rejections.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !(essence == "application/scim+json"
                || essence == "application/json"
                || essence.ends_with("+json"))
            {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "The request body is sent as '{essence}'; send JSON as application/scim+json."
                )));
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(format!(
                    "The request body is larger than the {} KiB this server accepts.",
                    MAX_BODY_BYTES / 1024
                ))
            } else {
                ApiError::bad(
                    ScimType::InvalidSyntax,
                    "The request body could not be read.",
                )
            }
        })?;
        if bytes.is_empty() {
            return Err(ApiError::bad(
                ScimType::InvalidSyntax,
                "The request has no body; send a JSON object.",
            ));
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            let what = if e.is_syntax() || e.is_eof() {
                format!(
                    "The request body is not valid JSON (line {}, column {}).",
                    e.line(),
                    e.column()
                )
            } else {
                format!("The request body does not have the expected shape: {e}.")
            };
            ApiError::bad(ScimType::InvalidSyntax, what)
        })
    }
}

/// The weak ETag of a stored version number.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

fn tags(value: &HeaderValue) -> Vec<String> {
    value
        .to_str()
        .unwrap_or("")
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Compares ETags weakly (RFC 7232 §2.3.2): `W/"3"` and `"3"` are the same.
fn same_tag(a: &str, b: &str) -> bool {
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}

/// Checks `If-Match` against the current version: a mismatch is 412.
pub fn check_if_match(headers: &HeaderMap, version: i64) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(());
    };
    let current = etag(version);
    let tags = tags(value);
    if tags.iter().any(|t| t == "*" || same_tag(t, &current)) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(format!(
            "This resource was changed by someone else since you read it (your version {}, now {}). Reload it and try again.",
            tags.join(", "),
            current
        )))
    }
}

/// True when `If-None-Match` names the current version (answer 304).
pub fn if_none_match_hits(headers: &HeaderMap, version: i64) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH) else {
        return false;
    };
    let current = etag(version);
    tags(value)
        .iter()
        .any(|t| t == "*" || same_tag(t, &current))
}

pub fn not_modified(version: i64) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// Longest page of the /roster/v1 logs (audit, outbox, events).
pub const MAX_LOG_PAGE: i64 = 500;

/// The query of a log listed newest first (audit log, outbox):
/// `?user=&before=&limit=`.
#[derive(serde::Deserialize)]
pub struct LogQuery {
    /// Only the entries about this user.
    pub user: Option<String>,
    /// Entries older than this sequence number (the previous page's
    /// `nextBefore`).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// The page size of a log listing: `limit` when given (1 to
/// [`MAX_LOG_PAGE`]), else 50.
pub fn log_page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(50);
    if (1..=MAX_LOG_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid_value(format!(
            "limit must be between 1 and {MAX_LOG_PAGE}."
        )))
    }
}

/// The cursor of the next (older) page of a log listed newest first: the
/// last entry's `key` when the page is full, else None.
pub fn next_before(entries: &[serde_json::Value], limit: i64, key: &str) -> Option<i64> {
    (entries.len() as i64 == limit)
        .then(|| entries.last().and_then(|e| e[key].as_i64()))
        .flatten()
}
