//! How a typed server address becomes a SCIM base URL.

use roster_client::{ClientError, ServerUrl};

fn base(text: &str) -> String {
    ServerUrl::parse(text)
        .unwrap_or_else(|e| panic!("{text:?} should be accepted: {e}"))
        .base()
        .to_owned()
}

fn refusal(text: &str) -> String {
    match ServerUrl::parse(text) {
        Err(ClientError::Validation(message)) => message,
        other => panic!("{text:?} should be refused as invalid input, got {other:?}"),
    }
}

#[test]
fn a_server_root_gets_the_scim_path() {
    assert_eq!(
        base("http://127.0.0.1:8350"),
        "http://127.0.0.1:8350/scim/v2"
    );
    assert_eq!(
        base("http://127.0.0.1:8350/"),
        "http://127.0.0.1:8350/scim/v2"
    );
    assert_eq!(
        base("  https://roster.example.com  "),
        "https://roster.example.com/scim/v2",
        "surrounding spaces do not matter"
    );
}

#[test]
fn a_path_is_kept_with_or_without_trailing_slash() {
    assert_eq!(
        base("https://roster.example/scim/v2"),
        "https://roster.example/scim/v2"
    );
    assert_eq!(
        base("https://roster.example/scim/v2/"),
        "https://roster.example/scim/v2"
    );
    assert_eq!(
        base("https://idp.example/api/tenants/42/scim"),
        "https://idp.example/api/tenants/42/scim",
        "another SCIM service's own path is kept"
    );
}

#[test]
fn the_roster_root_is_the_base_without_scim_v2() {
    let url = ServerUrl::parse("https://roster.example/acme/scim/v2/").unwrap();
    assert_eq!(url.root(), "https://roster.example/acme");
    let url = ServerUrl::parse("http://localhost:8350").unwrap();
    assert_eq!(url.root(), "http://localhost:8350");
    assert_eq!(url.to_string(), "http://localhost:8350/scim/v2");
}

#[test]
fn plain_http_is_only_for_this_computer() {
    assert_eq!(
        base("http://localhost:8350"),
        "http://localhost:8350/scim/v2"
    );
    assert_eq!(base("http://LOCALHOST"), "http://localhost/scim/v2");
    assert_eq!(
        base("http://127.0.0.2:9000"),
        "http://127.0.0.2:9000/scim/v2"
    );
    assert_eq!(base("http://[::1]:8350"), "http://[::1]:8350/scim/v2");
    let message = refusal("http://roster.example.com");
    assert!(
        message.contains("https://") && message.contains("localhost"),
        "the refusal says what is allowed: {message}"
    );
    refusal("http://10.0.0.5:8350");
    refusal("http://127.0.0.1.example.com");
}

#[test]
fn other_schemes_are_refused() {
    let message = refusal("ftp://roster.example.com");
    assert!(
        message.contains("ftp://"),
        "the refusal names the scheme: {message}"
    );
    refusal("file:///etc/passwd");
}

#[test]
fn a_missing_scheme_means_https_or_http_on_this_computer() {
    assert_eq!(
        base("roster.example.com"),
        "https://roster.example.com/scim/v2"
    );
    assert_eq!(base("127.0.0.1:8350"), "http://127.0.0.1:8350/scim/v2");
    assert_eq!(
        base("localhost:8350/scim/v2"),
        "http://localhost:8350/scim/v2"
    );
}

#[test]
fn nonsense_and_credentials_are_refused() {
    refusal("");
    refusal("   ");
    refusal("https://");
    refusal("https://admin:secret@roster.example.com");
    refusal("https://roster.example.com/scim/v2?tenant=1");
}
