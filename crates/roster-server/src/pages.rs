//! The server's own small web pages: accepting an invitation and resetting
//! a password. Each is self-contained HTML (no scripts, no external assets)
//! with every interpolated value escaped, served with a strict CSP and
//! without a referrer, since the token is in the address.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Shortest password the pages accept.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest, so that hashing stays cheap.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}\
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:1rem 0 .25rem;font-weight:600}\
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}\
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#2450c2;border:0;border-radius:4px}\
.error{color:#a3141b;background:#fdecec;padding:.5rem .75rem;border-radius:4px}\
@media(prefers-color-scheme:dark){body{background:#15171a;color:#e8e9eb}main{background:#202328}input{background:#15171a;color:inherit}}";

/// A whole page; `body` must already be escaped HTML.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · Roster</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A paragraph of plain text.
pub fn para(text: &str) -> String {
    format!("<p>{}</p>", escape(text))
}

/// The form that sets a password, posting back to the same address.
pub fn password_form(intro: &str, email: &str, error: Option<&str>, button: &str) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "{intro}{error}<form method=\"post\">\
         <label for=\"email\">E-mail</label><input id=\"email\" value=\"{email}\" readonly autocomplete=\"username\">\
         <label for=\"password\">New password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" required minlength=\"{MIN_PASSWORD_CHARS}\" autocomplete=\"new-password\">\
         <label for=\"confirm\">Repeat the password</label>\
         <input id=\"confirm\" name=\"confirm\" type=\"password\" required autocomplete=\"new-password\">\
         <button type=\"submit\">{button}</button></form>",
        intro = para(intro),
        email = escape(email),
        button = escape(button),
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

impl PasswordForm {
    /// Why the new password cannot be used, or None.
    pub fn problem(&self) -> Option<String> {
        let n = self.password.chars().count();
        if n < MIN_PASSWORD_CHARS {
            Some(format!(
                "Choose a password of at least {MIN_PASSWORD_CHARS} characters."
            ))
        } else if n > MAX_PASSWORD_CHARS {
            Some(format!(
                "Choose a password of at most {MAX_PASSWORD_CHARS} characters."
            ))
        } else if self.password != self.confirm {
            Some("The two passwords are not the same; type them again.".into())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn password_rules() {
        let form = |p: &str, c: &str| PasswordForm {
            password: p.into(),
            confirm: c.into(),
        };
        assert!(form("short", "short").problem().is_some());
        assert!(form("long enough 1", "long enough 2").problem().is_some());
        assert!(form(&"x".repeat(300), &"x".repeat(300)).problem().is_some());
        assert!(form("long enough 1", "long enough 1").problem().is_none());
    }
}
