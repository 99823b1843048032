//! One HTTP exchange: the answer read whole, failed statuses and transport
//! errors turned into [`ClientError`]s with plain messages.

use std::error::Error as _;
use std::io;

use reqwest::header::{HeaderMap, ETAG, LOCATION};
use reqwest::StatusCode;
use roster_scim::messages::ErrorBody;
use serde::de::DeserializeOwned;

use crate::error::{ClientError, ClientResult, CHANGED_BY_SOMEONE_ELSE};
use crate::server_url::ServerUrl;

/// A server's answer, body read whole.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The start of a body, for saying what came instead of JSON.
fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

impl Answer {
    /// The body as JSON of the expected shape; `what` names it for the
    /// message ("the list of users").
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> ClientResult<T> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ClientError::unreadable(format!("{what} was empty.")));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                ClientError::unreadable(format!(
                    "{what} is not JSON (it starts with \"{}\"). Check that the address points to a SCIM 2.0 service.",
                    preview(&self.body)
                ))
            } else {
                ClientError::unreadable(format!("{what} does not have the expected shape ({e})."))
            }
        })
    }

    /// The `Date` header, as sent.
    pub fn date(&self) -> Option<String> {
        self.headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn etag(&self) -> Option<String> {
        self.headers
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// The server's own explanation: the SCIM error `detail`, or an OAuth
    /// `error_description`.
    pub fn detail(&self) -> Option<String> {
        if let Ok(body) = serde_json::from_slice::<ErrorBody>(&self.body) {
            if let Some(detail) = body.detail.filter(|d| !d.trim().is_empty()) {
                return Some(detail);
            }
        }
        let value: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        ["detail", "error_description", "message"]
            .iter()
            .find_map(|key| value.get(key).and_then(|v| v.as_str()))
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
    }
}

/// The error for an answer whose status is not a success. `unauthorized`
/// is the message for 401, which depends on how the client signed in.
pub(crate) fn status_error(url: &ServerUrl, answer: &Answer, unauthorized: &str) -> ClientError {
    let status = answer.status;
    let detail = answer.detail();
    let or = |fallback: &str| detail.clone().unwrap_or_else(|| fallback.to_owned());
    match status.as_u16() {
        400 => ClientError::Validation(or("The server refused the request as not valid.")),
        401 => ClientError::Unauthorized(unauthorized.to_owned()),
        403 => ClientError::Forbidden(or("Your role does not allow you to do this.")),
        404 => ClientError::NotFound(or("The server has no such item; it may have been deleted.")),
        // A duplicate is something to correct in the form, not a concurrent
        // change to reload: the UI shows it beside the field.
        409 => ClientError::Validation(or(
            "This clashes with what is already on the server, such as another user with the same e-mail address.",
        )),
        412 => ClientError::Conflict(CHANGED_BY_SOMEONE_ELSE.to_owned()),
        413 => ClientError::Validation(or("The request is too large for the server.")),
        300..=399 => {
            let to = answer
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| format!(" to {l}"))
                .unwrap_or_default();
            ClientError::Validation(format!(
                "The server at {} sent Roster to another address{to}. Type the server's final https:// address instead.",
                url.origin()
            ))
        }
        502..=504 => ClientError::Offline(format!(
            "Cannot reach the server at {}: it is not available right now ({status}). Try again in a moment.",
            url.origin()
        )),
        500..=599 => ClientError::Internal(format!(
            "The server had a problem ({status}): {}",
            or("it gave no explanation.")
        )),
        _ => ClientError::unreadable(format!("an unexpected status {status}.")),
    }
}

/// Why a request did not get an answer, in words; never the URL or a
/// header, so nothing secret can show.
fn transport_reason(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        return "it did not answer in time";
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => {
                    return "the connection was refused (is the server running?)"
                }
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return "the connection was cut off",
                io::ErrorKind::TimedOut => return "it did not answer in time",
                io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable => {
                    return "there is no network route to it"
                }
                _ => {}
            }
        }
        let text = cause.to_string().to_ascii_lowercase();
        if text.contains("dns error")
            || text.contains("failed to lookup address")
            || text.contains("name or service not known")
            || text.contains("no such host")
        {
            return "its name could not be found";
        }
        if text.contains("certificate") {
            return "its security certificate could not be verified";
        }
        source = cause.source();
    }
    if error.is_connect() {
        "the connection failed"
    } else {
        "the connection was cut off"
    }
}

pub(crate) fn transport_error(url: &ServerUrl, error: reqwest::Error) -> ClientError {
    if error.is_builder() {
        return ClientError::Internal(
            "Roster could not build the request to the server.".to_owned(),
        );
    }
    ClientError::Offline(format!(
        "Cannot reach the server at {}: {}. Check the address and your network connection.",
        url.origin(),
        transport_reason(&error)
    ))
}
