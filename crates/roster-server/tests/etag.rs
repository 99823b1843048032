//! Versions and ETags (RFC 7644 §3.14): If-Match guards writes, If-None-Match
//! saves a download.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn version(v: &Value) -> String {
    v["meta"]["version"]
        .as_str()
        .expect("every resource has meta.version")
        .to_string()
}

async fn alice(s: &Server) -> (String, String) {
    let p = people(s).await;
    (People::id(&p.alice), version(&p.alice))
}

#[tokio::test]
async fn every_user_has_a_version_equal_to_its_etag() {
    let s = Server::new();
    let created = s
        .post("/scim/v2/Users", &user_body("e@example.com", "E", "Tag"))
        .await;
    created.expect(StatusCode::CREATED, "create");
    let v = version(&created.body);
    assert_eq!(
        created.header("etag"),
        Some(v.as_str()),
        "POST: the ETag header is meta.version"
    );
    let got = s.get_user(created.body["id"].as_str().unwrap()).await;
    assert_eq!(
        got.header("etag"),
        Some(v.as_str()),
        "GET: the ETag header is meta.version"
    );
    assert_eq!(version(&got.body), v, "GET shows the same version");
    let list = s.get("/scim/v2/Users").await;
    for u in list.resources() {
        assert!(
            u["meta"]["version"].as_str().is_some_and(|v| !v.is_empty()),
            "listed users have a version: {u}"
        );
    }
}

#[tokio::test]
async fn every_group_has_a_version_equal_to_its_etag() {
    let s = Server::new();
    let created = s
        .post("/scim/v2/Groups", &json!({ "displayName": "Versioned" }))
        .await;
    created.expect(StatusCode::CREATED, "create a group");
    let v = version(&created.body);
    assert_eq!(
        created.header("etag"),
        Some(v.as_str()),
        "POST: the ETag header is meta.version"
    );
    let got = s
        .get(&format!(
            "/scim/v2/Groups/{}",
            created.body["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        got.header("etag"),
        Some(v.as_str()),
        "GET: the ETag header is meta.version"
    );
}

#[tokio::test]
async fn patch_with_a_stale_if_match_is_412() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "title", "value": "One" }]),
    )
    .await
    .expect(StatusCode::OK, "someone else changes Alice");
    let reply = s
        .patch_with(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "title", "value": "Two" }]),
            &[("if-match", &v1)],
        )
        .await;
    reply.expect_scim_error(
        StatusCode::PRECONDITION_FAILED,
        None,
        "the version read is no longer current",
    );
    assert_eq!(
        s.get_user(&id).await.body["title"],
        "One",
        "the stale write was not applied"
    );
}

#[tokio::test]
async fn put_with_a_stale_if_match_is_412() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    s.put_with(
        &format!("/scim/v2/Users/{id}"),
        &user_body(ALICE, "Alice", "Anderson"),
        &[("if-match", "W/\"999\"")],
    )
    .await
    .expect_scim_error(
        StatusCode::PRECONDITION_FAILED,
        None,
        "version 999 was never served",
    );
}

#[tokio::test]
async fn delete_with_a_stale_if_match_is_412() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "title", "value": "One" }]),
    )
    .await
    .expect(StatusCode::OK, "a change makes v1 stale");
    s.delete_with(&format!("/scim/v2/Users/{id}"), &[("if-match", &v1)])
        .await
        .expect_scim_error(
            StatusCode::PRECONDITION_FAILED,
            None,
            "deleting a changed user is refused",
        );
    s.get_user(&id)
        .await
        .expect(StatusCode::OK, "the user still exists");
}

#[tokio::test]
async fn patch_with_the_current_if_match_succeeds_with_a_new_version() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    let reply = s
        .patch_with(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "title", "value": "Two" }]),
            &[("if-match", &v1)],
        )
        .await;
    reply.expect(StatusCode::OK, "the current version matches");
    let v2 = version(&reply.body);
    assert_ne!(v2, v1, "a change makes a new version");
    assert_eq!(
        reply.header("etag"),
        Some(v2.as_str()),
        "the ETag header follows"
    );
}

#[tokio::test]
async fn put_with_the_current_if_match_succeeds_with_a_new_version() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    let reply = s
        .put_with(
            &format!("/scim/v2/Users/{id}"),
            &user_body(ALICE, "Alice", "Anders"),
            &[("if-match", &v1)],
        )
        .await;
    reply.expect(StatusCode::OK, "the current version matches");
    assert_ne!(version(&reply.body), v1, "a new version");
}

#[tokio::test]
async fn delete_with_the_current_if_match_succeeds() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    s.delete_with(&format!("/scim/v2/Users/{id}"), &[("if-match", &v1)])
        .await
        .expect(StatusCode::NO_CONTENT, "the current version matches");
}

#[tokio::test]
async fn if_match_star_and_strong_form_match() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    let strong = v1.trim_start_matches("W/").to_string();
    s.patch_with(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "title", "value": "A" }]),
        &[("if-match", &strong)],
    )
    .await
    .expect(
        StatusCode::OK,
        "If-Match compares weakly, so the strong form of the tag matches",
    );
    s.patch_with(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "title", "value": "B" }]),
        &[("if-match", "*")],
    )
    .await
    .expect(StatusCode::OK, "* matches any version");
}

#[tokio::test]
async fn group_patch_with_a_stale_if_match_is_412() {
    let s = Server::new();
    let created = s
        .post("/scim/v2/Groups", &json!({ "displayName": "G" }))
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let v1 = version(&created.body);
    s.patch(
        &format!("/scim/v2/Groups/{id}"),
        json!([{ "op": "replace", "path": "displayName", "value": "H" }]),
    )
    .await
    .expect(StatusCode::OK, "rename");
    s.patch_with(
        &format!("/scim/v2/Groups/{id}"),
        json!([{ "op": "replace", "path": "displayName", "value": "I" }]),
        &[("if-match", &v1)],
    )
    .await
    .expect_scim_error(
        StatusCode::PRECONDITION_FAILED,
        None,
        "the group changed since v1",
    );
}

#[tokio::test]
async fn get_with_the_current_if_none_match_is_304_without_a_body() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    let reply = s
        .get_with(&format!("/scim/v2/Users/{id}"), &[("if-none-match", &v1)])
        .await;
    reply.expect(
        StatusCode::NOT_MODIFIED,
        "the client already has this version",
    );
    assert!(reply.bytes.is_empty(), "304 has no body");
    assert_eq!(
        reply.header("etag"),
        Some(v1.as_str()),
        "the ETag is repeated"
    );
}

#[tokio::test]
async fn get_with_a_stale_if_none_match_is_200() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "title", "value": "New" }]),
    )
    .await
    .expect(StatusCode::OK, "change");
    let reply = s
        .get_with(&format!("/scim/v2/Users/{id}"), &[("if-none-match", &v1)])
        .await;
    reply.expect(StatusCode::OK, "the client's copy is stale");
    assert_eq!(reply.body["title"], "New", "the current user is sent");
}

#[tokio::test]
async fn group_get_with_if_none_match_is_304() {
    let s = Server::new();
    let created = s
        .post("/scim/v2/Groups", &json!({ "displayName": "G" }))
        .await;
    let reply = s
        .get_with(
            &format!("/scim/v2/Groups/{}", created.body["id"].as_str().unwrap()),
            &[("if-none-match", &version(&created.body))],
        )
        .await;
    reply.expect(StatusCode::NOT_MODIFIED, "unchanged group");
    assert!(reply.bytes.is_empty(), "no body");
}

#[tokio::test]
async fn a_no_op_patch_keeps_the_version() {
    let s = Server::new();
    let (id, v1) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "title", "value": "Engineer" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "setting the same title");
    assert_eq!(
        version(&reply.body),
        v1,
        "nothing changed, so the version did not"
    );
    assert_eq!(reply.header("etag"), Some(v1.as_str()), "nor the ETag");
    let before = s.get_user(&id).await.body["meta"]["lastModified"].clone();
    s.patch(&format!("/scim/v2/Users/{id}"), json!([{ "op": "add", "path": "emails", "value": [{ "value": ALICE, "type": "work", "primary": true }] }]))
        .await
        .expect(StatusCode::OK, "adding an e-mail she already has");
    let after = s.get_user(&id).await;
    assert_eq!(
        version(&after.body),
        v1,
        "an add of an existing value changes nothing"
    );
    assert_eq!(
        after.body["meta"]["lastModified"], before,
        "lastModified is unchanged too"
    );
}

#[tokio::test]
async fn a_no_op_put_keeps_the_version() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.alice);
    // What POST returned, without the extension's own `schemas` (the exact
    // round trip is users.rs put_of_exactly_what_get_returned_is_accepted).
    let mut body = p.alice.clone();
    if let Some(ext) = body[EXT].as_object_mut() {
        ext.remove("schemas");
    }
    let reply = s.put(&format!("/scim/v2/Users/{id}"), &body).await;
    reply.expect(StatusCode::OK, "PUT of what GET returned");
    assert_eq!(
        version(&reply.body),
        version(&p.alice),
        "an identical replacement keeps the version"
    );
}
