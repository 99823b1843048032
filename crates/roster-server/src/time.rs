//! Timestamps: stored and served as RFC 3339 UTC with milliseconds, a fixed
//! width so that text order is time order (and indexes can serve ranges).

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now_string() -> String {
    format(Utc::now())
}

pub fn from_unix(secs: i64) -> String {
    format(Utc.timestamp_opt(secs, 0).single().unwrap_or_else(Utc::now))
}

/// Parses any RFC 3339 timestamp into the stored form, or None.
pub fn normalize(text: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| format(t.with_timezone(&Utc)))
}
