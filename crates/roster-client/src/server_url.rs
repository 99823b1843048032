//! The address of a SCIM service provider as a person types it.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

use crate::error::{ClientError, ClientResult};

/// The SCIM base path Roster's reference server serves, appended when the
/// user typed only the server's root.
const SCIM_PATH: &str = "/scim/v2";

/// A checked SCIM base URL (no trailing slash), e.g.
/// `https://roster.example/scim/v2`. The Roster endpoints (`/oauth/…`,
/// `/roster/v1/…`) live at its root: the base without `/scim/v2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    base: Url,
    root: Url,
}

fn invalid(message: impl Into<String>) -> ClientError {
    ClientError::Validation(message.into())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
        }
        None => false,
    }
}

/// Whether text without a scheme names this computer, to pick `http://`.
fn looks_local(text: &str) -> bool {
    let authority = text.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl ServerUrl {
    /// Reads an address as typed: surrounding spaces and a trailing slash do
    /// not matter, `/scim/v2` is added when only the server was typed, a
    /// missing scheme means `https://` (`http://` for this computer).
    /// Plain `http://` is refused except for loopback addresses, where
    /// nothing crosses a network.
    pub fn parse(text: &str) -> ClientResult<ServerUrl> {
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid(
                "Enter the server's address, such as https://roster.example.com.",
            ));
        }
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else if looks_local(text) {
            format!("http://{text}")
        } else {
            format!("https://{text}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|e| {
            invalid(format!(
                "\"{text}\" is not a web address ({e}). Type it like https://roster.example.com."
            ))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(invalid(
                    "Roster connects to servers only over https://, so that your password and your users' data are encrypted on the way. Plain http:// is allowed only for a server on this computer (localhost, 127.0.0.1 or ::1).",
                ))
            }
            other => {
                return Err(invalid(format!(
                    "\"{other}://\" addresses are not supported; the address must start with https://."
                )))
            }
        }
        if url.host().is_none() {
            return Err(invalid(format!(
                "\"{text}\" has no server name; type it like https://roster.example.com."
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "Leave the user name and password out of the address; Roster asks for them when you sign in.",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "The address cannot contain '?' or '#'; type only the server's address, such as https://roster.example.com/scim/v2.",
            ));
        }
        let path = url.path().trim_end_matches('/').to_owned();
        let base_path = if path.is_empty() {
            SCIM_PATH.to_owned()
        } else {
            path
        };
        url.set_path(&base_path);
        let root_path = base_path
            .strip_suffix(SCIM_PATH)
            .unwrap_or(&base_path)
            .to_owned();
        let mut root = url.clone();
        root.set_path(&root_path);
        Ok(ServerUrl { base: url, root })
    }

    /// The SCIM base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// The server root where the Roster endpoints live, without a trailing
    /// slash.
    pub fn root(&self) -> &str {
        self.root.as_str().trim_end_matches('/')
    }

    /// `<base>/<segments…>`, each segment percent-encoded.
    pub(crate) fn scim(&self, segments: &[&str]) -> Url {
        join(&self.base, segments)
    }

    /// `<root>/<segments…>`, each segment percent-encoded.
    pub(crate) fn at_root(&self, segments: &[&str]) -> Url {
        join(&self.root, segments)
    }

    /// How to name the server in a message: scheme, host and port.
    pub(crate) fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }
}

fn join(url: &Url, segments: &[&str]) -> Url {
    let mut url = url.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base())
    }
}

#[cfg(test)]
mod tests {
    use super::ServerUrl;

    #[test]
    fn segments_are_encoded_and_joined_to_base_and_root() {
        let url = ServerUrl::parse("https://roster.example/tenant/scim/v2/").unwrap();
        assert_eq!(
            url.scim(&["Users", "a/b c"]).as_str(),
            "https://roster.example/tenant/scim/v2/Users/a%2Fb%20c"
        );
        assert_eq!(
            url.at_root(&["oauth", "token"]).as_str(),
            "https://roster.example/tenant/oauth/token"
        );
        let url = ServerUrl::parse("http://127.0.0.1:8350").unwrap();
        assert_eq!(
            url.at_root(&["roster", "v1", "me"]).as_str(),
            "http://127.0.0.1:8350/roster/v1/me"
        );
        assert_eq!(url.origin(), "http://127.0.0.1:8350");
    }
}
