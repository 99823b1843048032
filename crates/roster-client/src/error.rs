//! What can go wrong talking to a server, in words for an office
//! administrator. Each variant is one [`ErrorKind`] the UI branches on; the
//! message is shown as it is. No message ever contains a token or password.

use crate::model::{AppError, ErrorKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No session, or it expired or was revoked: sign in again.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The server could not be reached (refused, unknown name, timeout,
    /// connection reset, untrusted certificate).
    #[error("{0}")]
    Offline(String),
    #[error("{0}")]
    NotFound(String),
    /// Changed by someone else since it was read (412).
    #[error("{0}")]
    Conflict(String),
    /// The server refused the input (400), or the input was refused before
    /// it was sent.
    #[error("{0}")]
    Validation(String),
    /// An answer Roster cannot read, or a failure on the server.
    #[error("{0}")]
    Internal(String),
}

/// What the UI says when a session cannot be renewed.
pub const SESSION_ENDED: &str = "Your session has ended; sign in again.";
/// What the UI says when an `If-Match` precondition failed.
pub const CHANGED_BY_SOMEONE_ELSE: &str =
    "Someone else changed this user since you opened it. Reload to see their changes.";

impl ClientError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Unauthorized(_) => ErrorKind::Unauthorized,
            ClientError::Forbidden(_) => ErrorKind::Forbidden,
            ClientError::Offline(_) => ErrorKind::Offline,
            ClientError::NotFound(_) => ErrorKind::NotFound,
            ClientError::Conflict(_) => ErrorKind::Conflict,
            ClientError::Validation(_) => ErrorKind::Validation,
            ClientError::Internal(_) => ErrorKind::Internal,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ClientError::Unauthorized(m)
            | ClientError::Forbidden(m)
            | ClientError::Offline(m)
            | ClientError::NotFound(m)
            | ClientError::Conflict(m)
            | ClientError::Validation(m)
            | ClientError::Internal(m) => m,
        }
    }

    /// A server answer that does not have the expected shape.
    pub fn unreadable(what: impl std::fmt::Display) -> Self {
        ClientError::Internal(format!(
            "The server sent an answer Roster cannot read: {what}"
        ))
    }

    pub fn session_ended() -> Self {
        ClientError::Unauthorized(SESSION_ENDED.to_owned())
    }
}

impl From<ClientError> for AppError {
    fn from(error: ClientError) -> Self {
        AppError {
            kind: error.kind(),
            message: error.message().to_owned(),
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_error_keeps_kind_and_message() {
        let app: AppError = ClientError::Conflict(CHANGED_BY_SOMEONE_ELSE.into()).into();
        assert_eq!(app.kind, ErrorKind::Conflict);
        assert_eq!(app.message, CHANGED_BY_SOMEONE_ELSE);
        let app: AppError = ClientError::unreadable("it is not JSON.").into();
        assert_eq!(app.kind, ErrorKind::Internal);
        assert!(app
            .message
            .starts_with("The server sent an answer Roster cannot read"));
    }
}
