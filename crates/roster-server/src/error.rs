//! One error type for every route, rendered as a SCIM error body
//! (RFC 7644 §3.12) in words a person understands. Internal failures are
//! logged and answered with a generic 500: no SQL text, no stack traces.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_scim::messages::{ErrorBody, ScimType};

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        scim_type: Option<ScimType>,
        detail: String,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// 409 for a request that clashes with the state of things (a role
    /// still in use, a Guest's last resource), not with a unique value.
    #[error("{0}")]
    InUse(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad(scim_type: ScimType, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            scim_type: Some(scim_type),
            detail: detail.into(),
        }
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::InvalidValue, detail)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::InUse(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn scim_type(&self) -> Option<ScimType> {
        match self {
            ApiError::BadRequest { scim_type, .. } => *scim_type,
            ApiError::Conflict(_) => Some(ScimType::Uniqueness),
            _ => None,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<roster_scim::patch::PatchError> for ApiError {
    fn from(e: roster_scim::patch::PatchError) -> Self {
        ApiError::BadRequest {
            scim_type: Some(e.scim_type),
            detail: e.detail,
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(format!("stored JSON could not be read: {e}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            ApiError::Internal(inner) => {
                tracing::error!(error = %inner, "internal error");
                "Something went wrong on the server. The error was logged; please try again."
                    .to_string()
            }
            other => other.to_string(),
        };
        let body = ErrorBody::new(status.as_u16(), self.scim_type(), Some(detail));
        let mut response = (status, crate::http::scim_json(&body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"roster\""),
            );
        }
        response
    }
}
