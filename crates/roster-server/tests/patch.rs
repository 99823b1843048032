//! PATCH /Users/{id} (RFC 7644 §3.5.2): every form, and every error.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};

/// Alice, with a work and a home e-mail and title "Engineer".
async fn alice(s: &Server) -> (String, Value) {
    let p = people(s).await;
    (People::id(&p.alice), p.alice)
}

fn emails_of_type<'a>(user: &'a Value, ty: &str) -> Vec<&'a Value> {
    user["emails"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["type"] == ty).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn add_without_a_path_merges_attributes() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "add", "value": { "nickName": "Ali", "title": "Lead" } }]),
        )
        .await;
    reply.expect(StatusCode::OK, "add without a path");
    assert_eq!(reply.body["nickName"], "Ali", "a new attribute is added");
    assert_eq!(
        reply.body["title"], "Lead",
        "a single-valued attribute is replaced by add"
    );
    assert_eq!(reply.body["userName"], ALICE, "others are untouched");
}

#[tokio::test]
async fn add_with_a_path_appends_to_a_multi_valued_attribute() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "add", "path": "emails", "value": [{ "value": "alice@other.test", "type": "other" }] }]),
        )
        .await;
    reply.expect(StatusCode::OK, "add to emails");
    let emails = reply.body["emails"].as_array().expect("emails");
    assert_eq!(
        emails.len(),
        3,
        "the new e-mail is appended to the two: {emails:?}"
    );
    assert!(
        emails.iter().any(|e| e["value"] == "alice@other.test"),
        "the new one is there"
    );
}

#[tokio::test]
async fn replace_with_a_path() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "name.givenName", "value": "Alicia" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "replace a sub-attribute");
    assert_eq!(
        reply.body["name"]["givenName"], "Alicia",
        "the given name changed"
    );
    assert_eq!(
        reply.body["name"]["familyName"], "Anderson",
        "the family name did not"
    );
}

#[tokio::test]
async fn replace_without_a_path() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "value": { "displayName": "A. Anderson", "name": { "givenName": "A." } } }]),
        )
        .await;
    reply.expect(StatusCode::OK, "replace without a path");
    assert_eq!(
        reply.body["displayName"], "A. Anderson",
        "displayName replaced"
    );
    assert_eq!(
        reply.body["name"]["givenName"], "A.",
        "name.givenName replaced"
    );
}

#[tokio::test]
async fn remove_with_a_path() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "remove", "path": "title" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "remove title");
    assert!(
        reply.body.get("title").is_none(),
        "the title is gone: {}",
        reply.body
    );
    let again = s.get_user(&id).await;
    assert!(again.body.get("title").is_none(), "and stays gone");
}

#[tokio::test]
async fn remove_without_a_path_is_no_target() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    s.patch(&format!("/scim/v2/Users/{id}"), json!([{ "op": "remove" }]))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("noTarget"),
            "remove needs a path (RFC 7644 §3.5.2.2)",
        );
}

#[tokio::test]
async fn replace_through_a_value_filter_path() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "emails[type eq \"work\"].value", "value": "alice@new.example" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "replace the work e-mail's value");
    let work = emails_of_type(&reply.body, "work");
    assert_eq!(work.len(), 1, "still one work e-mail");
    assert_eq!(work[0]["value"], "alice@new.example", "its value changed");
    assert_eq!(
        emails_of_type(&reply.body, "home")[0]["value"],
        "alice@home.test",
        "the home e-mail did not"
    );
}

#[tokio::test]
async fn core_urn_qualified_path() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": format!("{CORE_USER}:displayName"), "value": "Qualified" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "a core path with its URN");
    assert_eq!(
        reply.body["displayName"], "Qualified",
        "displayName replaced"
    );
}

#[tokio::test]
async fn extension_urn_qualified_path_changes_role_and_derived_roles() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": format!("{EXT}:role"), "value": "viewer" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "the extension's role by URN");
    assert_eq!(reply.body[EXT]["role"], "viewer", "the role changed");
    assert_eq!(
        reply.body["roles"][0]["value"], "viewer",
        "core roles mirrors the extension's role"
    );
    let entitlements: Vec<&str> = reply.body["entitlements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert!(
        !entitlements.contains(&"tasks:execute"),
        "a viewer cannot run tasks: {entitlements:?}"
    );
    assert!(
        entitlements.contains(&"tasks:view"),
        "a viewer can view tasks: {entitlements:?}"
    );
}

#[tokio::test]
async fn extension_urn_as_path_with_an_object_value() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "add", "path": EXT, "value": { "creditLimit": 250 } }]),
        )
        .await;
    reply.expect(StatusCode::OK, "add under the extension URN");
    assert_eq!(reply.body[EXT]["creditLimit"], 250, "creditLimit changed");
    assert_eq!(reply.body[EXT]["role"], "member", "the role stayed");
}

#[tokio::test]
async fn capitalised_op_names_are_accepted() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([
                { "op": "Replace", "path": "title", "value": "Captain" },
                { "op": "Add", "path": "nickName", "value": "Al" },
                { "op": "Remove", "path": "displayName" }
            ]),
        )
        .await;
    reply.expect(StatusCode::OK, "Azure AD sends Replace, Add, Remove");
    assert_eq!(reply.body["title"], "Captain", "Replace worked");
    assert_eq!(reply.body["nickName"], "Al", "Add worked");
    assert!(reply.body.get("displayName").is_none(), "Remove worked");
}

#[tokio::test]
async fn remove_a_multi_valued_element_by_filter() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "remove", "path": "emails[type eq \"home\"]" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "remove the home e-mail");
    let emails = reply.body["emails"]
        .as_array()
        .expect("the work e-mail remains");
    assert_eq!(emails.len(), 1, "one e-mail left");
    assert_eq!(emails[0]["type"], "work", "the work one");
}

#[tokio::test]
async fn add_to_a_multi_valued_extension_attribute() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "add", "path": format!("{EXT}:departments"), "value": ["Research"] }]),
        )
        .await;
    reply.expect(StatusCode::OK, "add a department");
    assert_eq!(
        reply.body[EXT]["departments"],
        json!(["Engineering", "Research"]),
        "appended"
    );
}

#[tokio::test]
async fn read_only_attributes_cannot_be_patched() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let cases = [
        ("meta", json!({ "resourceType": "Other" })),
        ("meta.created", json!("2001-01-01T00:00:00Z")),
        ("id", json!("another-id")),
        (&format!("{EXT}:status") as &str, json!("active")),
        ("groups", json!([{ "value": "some-group" }])),
        ("roles", json!([{ "value": "owner" }])),
    ];
    for (path, value) in cases {
        s.patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": path, "value": value }]),
        )
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("mutability"),
            &format!("'{path}' is read-only"),
        );
    }
}

#[tokio::test]
async fn unknown_path_is_an_invalid_path() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    for path in [
        "shoeSize",
        "name.shoeSize",
        &format!("{EXT}:shoeSize") as &str,
        "emails[type eq",
    ] {
        s.patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": path, "value": "x" }]),
        )
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidPath"),
            &format!("'{path}' names nothing"),
        );
    }
}

#[tokio::test]
async fn replace_with_a_filter_matching_nothing_is_no_target() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "emails[type eq \"fax\"].value", "value": "x@example.com" }]),
    )
    .await
    .expect_scim_error(StatusCode::BAD_REQUEST, Some("noTarget"), "Alice has no fax e-mail");
}

#[tokio::test]
async fn wrong_value_type_is_an_invalid_value() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let cases = [
        ("active", json!("yes")),
        ("name.givenName", json!(42)),
        (&format!("{EXT}:creditLimit") as &str, json!("lots")),
        ("emails", json!("not-a-list-of-objects")),
    ];
    for (path, value) in cases {
        s.patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": path, "value": value }]),
        )
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            &format!("{value} does not fit '{path}'"),
        );
    }
}

#[tokio::test]
async fn patch_op_schema_missing_from_the_list_is_invalid_syntax() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let body = json!({ "schemas": ["urn:example:not-patch"], "Operations": [{ "op": "replace", "path": "title", "value": "X" }] });
    s.request(
        Method::PATCH,
        &format!("/scim/v2/Users/{id}"),
        Some(&body),
        &[],
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "the PatchOp schema is required",
    );
}

#[tokio::test]
async fn patch_without_schemas_is_invalid_syntax() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let body = json!({ "Operations": [{ "op": "replace", "path": "title", "value": "X" }] });
    s.request(
        Method::PATCH,
        &format!("/scim/v2/Users/{id}"),
        Some(&body),
        &[],
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "RFC 7644 §3.5.2: the body MUST carry schemas with the PatchOp URN",
    );
    assert_eq!(
        s.get_user(&id).await.body["title"],
        "Engineer",
        "nothing changed"
    );
}

#[tokio::test]
async fn patch_without_operations_is_invalid_syntax() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let body = json!({ "schemas": [PATCH_OP], "Operations": [] });
    s.request(
        Method::PATCH,
        &format!("/scim/v2/Users/{id}"),
        Some(&body),
        &[],
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "an empty PATCH says nothing",
    );
}

#[tokio::test]
async fn unknown_op_is_invalid_syntax() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "move", "path": "title", "value": "X" }]),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "move is not a PATCH op",
    );
}

#[tokio::test]
async fn patch_is_atomic() {
    let s = Server::new();
    let (id, before) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([
                { "op": "replace", "path": "title", "value": "Changed" },
                { "op": "add", "path": "nickName", "value": "Changed too" },
                { "op": "replace", "path": "shoeSize", "value": "42" }
            ]),
        )
        .await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidPath"),
        "the third op fails",
    );
    let after = s.get_user(&id).await;
    assert_eq!(
        after.body["title"], "Engineer",
        "the first op was not applied"
    );
    assert!(after.body.get("nickName").is_none(), "nor the second");
    assert_eq!(
        after.body["meta"]["version"], before["meta"]["version"],
        "the version did not change"
    );
    assert_eq!(after.body, before, "the user is exactly as before");
}

#[tokio::test]
async fn patch_failing_a_server_rule_is_atomic_too() {
    let s = Server::new();
    let (id, before) = alice(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([
            { "op": "replace", "path": "title", "value": "Changed" },
            { "op": "replace", "path": format!("{EXT}:creditLimit"), "value": -5 }
        ]),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a negative credit limit",
    );
    assert_eq!(s.get_user(&id).await.body, before, "nothing was stored");
}

#[tokio::test]
async fn patch_password_sets_it_and_does_not_return_it() {
    let s = Server::new();
    let (id, _) = alice(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "password", "value": "new-passw0rd!" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "password is writable");
    assert!(reply.body.get("password").is_none(), "but never returned");
    s.sign_in(ALICE, "new-passw0rd!").await;
}

#[tokio::test]
async fn patch_unknown_user_is_not_found() {
    let s = Server::new();
    s.patch(
        "/scim/v2/Users/does-not-exist",
        json!([{ "op": "replace", "path": "title", "value": "X" }]),
    )
    .await
    .expect_scim_error(StatusCode::NOT_FOUND, None, "no such user");
}
