//! Error answers (RFC 7644 §3.12): always a SCIM error body a person can
//! read, with the right status.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn unknown_user_is_404() {
    let s = Server::new();
    let reply = s
        .get("/scim/v2/Users/2819c223-7f76-453a-919d-413861904646")
        .await;
    reply.expect_scim_error(StatusCode::NOT_FOUND, None, "no such user");
    assert!(
        reply.detail().contains("2819c223"),
        "the detail names the id: {}",
        reply.detail()
    );
}

#[tokio::test]
async fn unknown_group_is_404() {
    let s = Server::new();
    s.get("/scim/v2/Groups/nope").await.expect_scim_error(
        StatusCode::NOT_FOUND,
        None,
        "no such group",
    );
}

#[tokio::test]
async fn unknown_route_is_404() {
    let s = Server::new();
    s.get("/nothing/here")
        .await
        .expect_scim_error(StatusCode::NOT_FOUND, None, "an unknown path");
    s.get("/scim/v2/Widgets").await.expect_scim_error(
        StatusCode::NOT_FOUND,
        None,
        "an unknown SCIM resource type",
    );
    s.anonymous().get("/").await.expect_scim_error(
        StatusCode::NOT_FOUND,
        None,
        "the root is nothing either",
    );
}

#[tokio::test]
async fn writes_to_discovery_endpoints_are_405() {
    let s = Server::new();
    for path in [
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/Schemas",
        "/scim/v2/ResourceTypes",
    ] {
        for method in [Method::POST, Method::PUT, Method::DELETE] {
            let reply = s.request(method.clone(), path, Some(&json!({})), &[]).await;
            reply.expect_scim_error(
                StatusCode::METHOD_NOT_ALLOWED,
                None,
                &format!("{method} {path} is read-only"),
            );
        }
    }
}

#[tokio::test]
async fn wrong_method_on_a_resource_route_is_a_scim_405() {
    let s = Server::new();
    // Users has GET and POST, not PUT or DELETE on the collection.
    s.request(Method::DELETE, "/scim/v2/Users", None, &[])
        .await
        .expect_scim_error(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "the collection cannot be deleted",
        );
    s.request(Method::PUT, "/scim/v2/Groups", Some(&json!({})), &[])
        .await
        .expect_scim_error(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "the collection cannot be replaced",
        );
}

#[tokio::test]
async fn body_over_one_mebibyte_is_413() {
    let s = Server::new();
    let filler = "a".repeat(1024 * 1024 + 16);
    let body = json!({ "userName": "big@example.com", "title": filler });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        None,
        "1 MiB is the most a request may carry",
    );
    assert!(
        s.names(r#"userName eq "big@example.com""#).await.is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn malformed_json_is_invalid_syntax() {
    let s = Server::new();
    let reply = s
        .raw(
            Method::POST,
            "/scim/v2/Users",
            b"{\"userName\": \"x\",".to_vec(),
            &[("content-type", SCIM_JSON)],
        )
        .await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "the JSON is cut short",
    );
    let reply = s
        .raw(
            Method::PATCH,
            "/scim/v2/Users/any",
            b"not json at all".to_vec(),
            &[("content-type", "application/json")],
        )
        .await;
    assert!(
        reply.status == StatusCode::BAD_REQUEST || reply.status == StatusCode::NOT_FOUND,
        "a PATCH of garbage is refused: {}",
        reply.status
    );
    reply.expect_scim_error(reply.status, None, "whatever the reason, as a SCIM error");
}

#[tokio::test]
async fn empty_body_is_invalid_syntax() {
    let s = Server::new();
    s.raw(
        Method::POST,
        "/scim/v2/Users",
        Vec::new(),
        &[("content-type", SCIM_JSON)],
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "a POST needs a body",
    );
}

#[tokio::test]
async fn json_that_is_not_an_object_is_a_bad_request() {
    let s = Server::new();
    s.post("/scim/v2/Users", &json!(["userName", "x"]))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "a user is an object, not a list",
        );
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let s = Server::new();
    let body = serde_json::to_vec(&user_body("t@example.com", "T", "P")).unwrap();
    s.raw(
        Method::POST,
        "/scim/v2/Users",
        body,
        &[("content-type", "text/plain")],
    )
    .await
    .expect_scim_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        None,
        "text/plain is not JSON",
    );
    assert!(
        s.names(r#"userName eq "t@example.com""#).await.is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn json_content_types_with_parameters_are_accepted() {
    let s = Server::new();
    for (i, ct) in [
        "application/scim+json; charset=utf-8",
        "application/json",
        "Application/SCIM+JSON",
    ]
    .into_iter()
    .enumerate()
    {
        let body = serde_json::to_vec(&user_body(&format!("ct{i}@example.com"), "C", "T")).unwrap();
        s.raw(
            Method::POST,
            "/scim/v2/Users",
            body,
            &[("content-type", ct)],
        )
        .await
        .expect(StatusCode::CREATED, &format!("'{ct}' is JSON"));
    }
}

#[tokio::test]
async fn a_10000_character_given_name_is_invalid_value_mentioning_the_limit() {
    let s = Server::new();
    let reply = s
        .post(
            "/scim/v2/Users",
            &json!({ "userName": "g@example.com", "name": { "givenName": "G".repeat(10_000) } }),
        )
        .await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "the name is far too long",
    );
    assert!(
        reply.detail().contains("256"),
        "the detail mentions the limit: {}",
        reply.detail()
    );
    assert_eq!(
        s.get("/scim/v2/Users").await.total(),
        0,
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_very_long_text_elsewhere_is_invalid_value() {
    let s = Server::new();
    let reply = s
        .post(
            "/scim/v2/Users",
            &json!({ "userName": "t@example.com", "addresses": [{ "streetAddress": "s".repeat(5000) }] }),
        )
        .await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a 5,000-character street is too long",
    );
    assert!(
        reply.detail().contains("2048"),
        "the detail mentions the limit: {}",
        reply.detail()
    );
}

#[tokio::test]
async fn errors_do_not_leak_internals() {
    let s = Server::new();
    let replies = [
        s.filter(r#"userName eq "a" and"#).await,
        s.filter(r#"emails[type eq "work"]]"#).await,
        s.filter(r#"x509Certificates.value eq "abc""#).await,
        s.get("/scim/v2/Users?sortBy=name").await,
        s.post("/scim/v2/Users", &json!({ "userName": 12 })).await,
    ];
    for reply in replies {
        assert!(
            reply.status.is_client_error(),
            "a bad request is the client's error: {} {}",
            reply.status,
            reply.body
        );
        let text = String::from_utf8_lossy(&reply.bytes).to_lowercase();
        for leak in [
            "select ",
            "sqlite",
            "rusqlite",
            "json_extract",
            "panicked",
            "src/",
        ] {
            assert!(
                !text.contains(leak),
                "an error body does not mention '{leak}': {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_500_does_not_leak_sql() {
    let s = Server::new();
    s.create_user(user_body("x@example.com", "X", "Y")).await;
    // Break the database under the server: listing users joins group
    // memberships, so the query fails inside SQLite.
    s.state
        .db
        .with_writer(|c| c.execute_batch("DROP TABLE group_members"))
        .expect("the table can be dropped");
    let reply = s.get("/scim/v2/Users").await;
    reply.expect_scim_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        "a database failure is the server's error",
    );
    let text = String::from_utf8_lossy(&reply.bytes).to_lowercase();
    for leak in ["group_members", "no such table", "select", "sqlite"] {
        assert!(
            !text.contains(leak),
            "a 500 does not show '{leak}' to the client: {text}"
        );
    }
}
