//! /Users create, replace and delete, uniqueness, and the Roster rules:
//! derived roles and entitlements, catalogue checks, departments, allowed IP
//! ranges, credit limits, status, and the /roster/v1 endpoints.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn values(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["value"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn role_permissions(s: &Server, role: &str) -> HashSet<String> {
    let reply = s.get("/roster/v1/roles").await;
    reply.expect(StatusCode::OK, "the role catalogue");
    reply.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == role)
        .unwrap_or_else(|| panic!("role {role} is in the catalogue"))["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

// ---- create / replace / delete ---------------------------------------------

#[tokio::test]
async fn create_answers_201_with_location_and_the_user() {
    let s = Server::new();
    let reply = s
        .post(
            "/scim/v2/Users",
            &user_body("new@example.com", "New", "User"),
        )
        .await;
    reply.expect(StatusCode::CREATED, "a valid user is created");
    let id = reply.body["id"].as_str().expect("an id is assigned");
    assert_eq!(
        reply.body["userName"], "new@example.com",
        "the userName is kept"
    );
    assert_eq!(
        reply.body["meta"]["resourceType"], "User",
        "meta.resourceType"
    );
    let location = reply.header("location").expect("a Location header");
    assert!(
        location.ends_with(&format!("/scim/v2/Users/{id}")),
        "Location points at the user: {location}"
    );
    assert_eq!(
        reply.body["meta"]["location"], location,
        "meta.location equals the Location header"
    );
    assert_eq!(
        s.get_user(id).await.body,
        reply.body,
        "GET returns what POST returned"
    );
}

#[tokio::test]
async fn create_without_user_name_is_invalid_value() {
    let s = Server::new();
    s.post(
        "/scim/v2/Users",
        &json!({ "schemas": [CORE_USER], "displayName": "Nobody" }),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "userName is required",
    );
    s.post("/scim/v2/Users", &json!({ "userName": "   " }))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "a blank userName is no userName",
        );
}

#[tokio::test]
async fn create_with_an_unknown_attribute_is_invalid_value() {
    let s = Server::new();
    s.post(
        "/scim/v2/Users",
        &json!({ "userName": "x@example.com", "shoeSize": 42 }),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "shoeSize is not a User attribute",
    );
}

#[tokio::test]
async fn put_replaces_the_user() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.alice);
    let reply = s
        .put(
            &format!("/scim/v2/Users/{id}"),
            &json!({ "schemas": [CORE_USER, EXT], "userName": ALICE, "displayName": "Alice Replaced",
                     EXT: { "role": "member" } }),
        )
        .await;
    reply.expect(StatusCode::OK, "PUT replaces");
    assert_eq!(
        reply.body["displayName"], "Alice Replaced",
        "the new displayName"
    );
    assert!(
        reply.body.get("title").is_none(),
        "attributes left out are removed: {}",
        reply.body
    );
    assert!(
        reply.body.get("emails").is_none(),
        "including e-mails: {}",
        reply.body
    );
    assert_eq!(reply.body["id"], id.as_str(), "the id is kept");
    assert_eq!(
        reply.body["meta"]["created"], p.alice["meta"]["created"],
        "meta.created is kept"
    );
    assert_ne!(
        reply.body["meta"]["version"], p.alice["meta"]["version"],
        "the version changed"
    );
    assert_eq!(
        s.get_user(&id).await.body,
        reply.body,
        "the replacement is stored"
    );
}

#[tokio::test]
async fn put_ignores_read_only_attributes_in_the_body() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.alice);
    let body = json!({
        "schemas": [CORE_USER, EXT],
        "id": "forged-id",
        "userName": ALICE,
        "meta": { "created": "2001-01-01T00:00:00.000Z", "version": "W/\"77\"" },
        "groups": [{ "value": "forged-group" }],
        "roles": [{ "value": "owner" }],
        EXT: { "role": "member", "status": "pending", "creditsUsed": 12345 }
    });
    let reply = s.put(&format!("/scim/v2/Users/{id}"), &body).await;
    reply.expect(
        StatusCode::OK,
        "read-only attributes in a PUT are ignored (RFC 7644 §3.5.1)",
    );
    assert_eq!(reply.body["id"], id.as_str(), "the id is not forged");
    assert_eq!(
        reply.body["meta"]["created"], p.alice["meta"]["created"],
        "meta.created is not forged"
    );
    assert_eq!(s.status_of(&id).await, "active", "status is the server's");
}

#[tokio::test]
async fn put_of_exactly_what_get_returned_is_accepted() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.alice);
    let got = s.get_user(&id).await;
    got.expect(StatusCode::OK, "read Alice");
    let reply = s.put(&format!("/scim/v2/Users/{id}"), &got.body).await;
    reply.expect(
        StatusCode::OK,
        "a client that GETs a user and PUTs it back unchanged must not be refused",
    );
    assert_eq!(reply.body, got.body, "and nothing changes");
}

#[tokio::test]
async fn put_unknown_user_is_not_found() {
    let s = Server::new();
    s.put(
        "/scim/v2/Users/no-such-user",
        &user_body("x@example.com", "X", "Y"),
    )
    .await
    .expect_scim_error(StatusCode::NOT_FOUND, None, "there is nothing to replace");
}

#[tokio::test]
async fn delete_then_get_is_not_found() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.bob);
    let reply = s.delete(&format!("/scim/v2/Users/{id}")).await;
    reply.expect(StatusCode::NO_CONTENT, "the user is deleted");
    assert!(reply.bytes.is_empty(), "204 has no body");
    s.get_user(&id)
        .await
        .expect_scim_error(StatusCode::NOT_FOUND, None, "a deleted user is gone");
    s.delete(&format!("/scim/v2/Users/{id}"))
        .await
        .expect_scim_error(StatusCode::NOT_FOUND, None, "deleting twice finds nothing");
    assert!(
        s.names(r#"userName eq "bob@example.com""#).await.is_empty(),
        "and is not listed"
    );
}

#[tokio::test]
async fn deleted_user_leaves_their_groups() {
    let s = Server::new();
    let p = people(&s).await;
    let group = s
        .post(
            "/scim/v2/Groups",
            &json!({ "displayName": "Team", "members": [{ "value": People::id(&p.bob) }, { "value": People::id(&p.alice) }] }),
        )
        .await;
    group.expect(StatusCode::CREATED, "a group");
    s.delete(&format!("/scim/v2/Users/{}", People::id(&p.bob)))
        .await
        .expect(StatusCode::NO_CONTENT, "delete Bob");
    let after = s
        .get(&format!(
            "/scim/v2/Groups/{}",
            group.body["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        values(&after.body["members"]),
        [People::id(&p.alice)],
        "only Alice remains a member"
    );
}

#[tokio::test]
async fn post_duplicate_user_name_ignoring_case_is_a_conflict() {
    let s = Server::new();
    people(&s).await;
    s.post(
        "/scim/v2/Users",
        &user_body("Alice@Example.COM", "Other", "Alice"),
    )
    .await
    .expect_scim_error(
        StatusCode::CONFLICT,
        Some("uniqueness"),
        "userName is unique ignoring case",
    );
    assert_eq!(
        s.names(r#"userName eq "alice@example.com""#).await.len(),
        1,
        "no second Alice was stored"
    );
}

#[tokio::test]
async fn user_names_differing_only_by_an_accent_are_different_users() {
    let s = Server::new();
    s.create_user(user_body("muller@example.com", "A", "Muller"))
        .await;
    s.post(
        "/scim/v2/Users",
        &user_body("müller@example.com", "B", "Müller"),
    )
    .await
    .expect(
        StatusCode::CREATED,
        "userName is unique ignoring case only: ü and u are different letters in an address",
    );
}

#[tokio::test]
async fn put_changing_user_name_to_one_in_use_is_a_conflict() {
    let s = Server::new();
    let p = people(&s).await;
    let mut body = user_body("ALICE@example.com", "Bob", "Brown");
    body[EXT] = json!({ "role": "manager" });
    s.put(&format!("/scim/v2/Users/{}", People::id(&p.bob)), &body)
        .await
        .expect_scim_error(
            StatusCode::CONFLICT,
            Some("uniqueness"),
            "Alice's userName is taken",
        );
    assert_eq!(
        s.get_user(&People::id(&p.bob)).await.body["userName"],
        BOB,
        "Bob keeps his name"
    );
}

#[tokio::test]
async fn patch_changing_user_name_to_one_in_use_is_a_conflict() {
    let s = Server::new();
    let p = people(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&p.bob)),
        json!([{ "op": "replace", "path": "userName", "value": "zoe@EXAMPLE.org" }]),
    )
    .await
    .expect_scim_error(
        StatusCode::CONFLICT,
        Some("uniqueness"),
        "Zoë's userName is taken",
    );
}

#[tokio::test]
async fn changing_the_case_of_your_own_user_name_is_allowed() {
    let s = Server::new();
    let p = people(&s).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{}", People::id(&p.alice)),
            json!([{ "op": "replace", "path": "userName", "value": "Alice@Example.com" }]),
        )
        .await;
    reply.expect(
        StatusCode::OK,
        "the only user with that name is Alice herself",
    );
    assert_eq!(
        reply.body["userName"], "Alice@Example.com",
        "the new spelling is kept"
    );
}

// ---- roles and entitlements --------------------------------------------------

#[tokio::test]
async fn create_derives_roles_and_entitlements_from_the_role() {
    let s = Server::new();
    let mut body = user_body("m@example.com", "M", "Member");
    body[EXT] = json!({ "role": "member" });
    let user = s.create_user(body).await;
    assert_eq!(
        user["roles"][0]["value"], "member",
        "core roles mirrors the extension's role"
    );
    let got: HashSet<String> = values(&user["entitlements"]).into_iter().collect();
    let ceiling = role_permissions(&s, "member").await;
    assert_eq!(
        got, ceiling,
        "with every application on 'all', a member holds the role's whole ceiling"
    );
    assert!(got.contains("tasks:execute"), "members run tasks");
    assert!(!got.contains("users:view"), "members do not manage users");
    assert!(!got.contains("tasks:delete"), "members do not delete tasks");
}

#[tokio::test]
async fn default_role_is_member() {
    let s = Server::new();
    let user = s
        .create_user(user_body("d@example.com", "D", "Default"))
        .await;
    assert_eq!(
        user[EXT]["role"], "member",
        "a user without a role is a member"
    );
    assert_eq!(user["roles"][0]["value"], "member", "and roles says so");
}

#[tokio::test]
async fn custom_mode_grants_only_the_listed_permissions() {
    let s = Server::new();
    let mut body = user_body("c@example.com", "C", "Custom");
    body[EXT] = json!({
        "role": "member",
        "applications": [{ "value": "tasks", "mode": "custom" }],
        "permissions": ["tasks:view", "tasks:download"]
    });
    let user = s.create_user(body).await;
    let got: HashSet<String> = values(&user["entitlements"]).into_iter().collect();
    let tasks: HashSet<&str> = got
        .iter()
        .filter(|p| p.starts_with("tasks:"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        tasks,
        HashSet::from(["tasks:view", "tasks:download"]),
        "only the granted task permissions"
    );
    assert!(
        got.contains("cases:create"),
        "other applications stay on 'all'"
    );
    assert_eq!(
        user[EXT]["applications"][0]["mode"], "custom",
        "the mode is kept"
    );
}

#[tokio::test]
async fn a_viewer_never_gets_more_than_the_viewer_role_allows() {
    let s = Server::new();
    let mut body = user_body("v@example.com", "V", "Viewer");
    body[EXT] = json!({
        "role": "viewer",
        "applications": [{ "value": "tasks", "mode": "custom" }],
        "permissions": ["tasks:view", "tasks:execute", "tasks:delete"]
    });
    let reply = s.post("/scim/v2/Users", &body).await;
    let ceiling = role_permissions(&s, "viewer").await;
    if reply.status == StatusCode::CREATED {
        let got: HashSet<String> = values(&reply.body["entitlements"]).into_iter().collect();
        assert!(
            got.is_subset(&ceiling),
            "entitlements stay within the viewer ceiling: {got:?}"
        );
        assert!(got.contains("tasks:view"), "the allowed grant is held");
        assert!(
            !got.contains("tasks:execute"),
            "running tasks is beyond a viewer"
        );
    } else {
        reply.expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "or the grant is refused outright",
        );
    }
}

#[tokio::test]
async fn unknown_role_is_a_bad_request() {
    let s = Server::new();
    let mut body = user_body("r@example.com", "R", "Role");
    body[EXT] = json!({ "role": "emperor" });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "emperor is not a role",
    );
}

#[tokio::test]
async fn unknown_application_is_a_bad_request() {
    let s = Server::new();
    let mut body = user_body("a@example.com", "A", "App");
    body[EXT] =
        json!({ "role": "member", "applications": [{ "value": "solitaire", "mode": "all" }] });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "solitaire is not an application",
    );
}

#[tokio::test]
async fn unknown_permission_is_a_bad_request() {
    let s = Server::new();
    let mut body = user_body("p@example.com", "P", "Perm");
    body[EXT] = json!({ "role": "member", "applications": [{ "value": "tasks", "mode": "custom" }], "permissions": ["tasks:teleport"] });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "tasks:teleport is not a permission",
    );
}

#[tokio::test]
async fn unknown_permission_mode_is_a_bad_request() {
    let s = Server::new();
    let mut body = user_body("p@example.com", "P", "Perm");
    body[EXT] = json!({ "role": "member", "applications": [{ "value": "tasks", "mode": "some" }] });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "the mode is all or custom",
    );
}

// ---- allowed IPs, credit limit, departments ---------------------------------

#[tokio::test]
async fn invalid_allowed_ip_is_a_bad_request() {
    let s = Server::new();
    for bad in ["300.1.2.3/8", "10.0.0.0/33", "not an ip", ""] {
        let mut body = user_body("ip@example.com", "I", "P");
        body[EXT] = json!({ "role": "member", "allowedIps": [bad] });
        s.post("/scim/v2/Users", &body).await.expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            &format!("'{bad}' is not a CIDR range"),
        );
    }
}

#[tokio::test]
async fn valid_allowed_ips_are_normalised() {
    let s = Server::new();
    let mut body = user_body("ip@example.com", "I", "P");
    body[EXT] = json!({ "role": "member", "allowedIps": ["10.1.2.3/8", "192.168.1.5", " 2001:db8::1/32 "] });
    let user = s.create_user(body).await;
    assert_eq!(
        user[EXT]["allowedIps"],
        json!(["10.0.0.0/8", "192.168.1.5/32", "2001:db8::/32"]),
        "host bits are cleared and a bare address is one host"
    );
}

#[tokio::test]
async fn negative_credit_limit_is_a_bad_request() {
    let s = Server::new();
    let mut body = user_body("c@example.com", "C", "L");
    body[EXT] = json!({ "role": "member", "creditLimit": -1 });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a credit limit cannot be negative",
    );
}

#[tokio::test]
async fn departments_are_created_on_first_use() {
    let s = Server::new();
    let before = s.get("/roster/v1/departments").await;
    before.expect(StatusCode::OK, "departments are listed");
    let listed = |v: &Value| -> Vec<String> {
        v["departments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        !listed(&before.body).contains(&"Quantum Research".to_string()),
        "not there yet"
    );
    let mut body = user_body("q@example.com", "Q", "R");
    body[EXT] = json!({ "role": "member", "departments": ["Quantum Research", "quantum research", "Ópera"] });
    let user = s.create_user(body).await;
    assert_eq!(
        user[EXT]["departments"],
        json!(["Quantum Research", "Ópera"]),
        "duplicates ignoring case are dropped"
    );
    let after = listed(&s.get("/roster/v1/departments").await.body);
    assert!(
        after.contains(&"Quantum Research".to_string()),
        "the new department is listed: {after:?}"
    );
    assert!(
        after.contains(&"Ópera".to_string()),
        "with its accent: {after:?}"
    );
    assert_eq!(
        after
            .iter()
            .filter(|d| d.eq_ignore_ascii_case("quantum research"))
            .count(),
        1,
        "listed once"
    );
}

#[tokio::test]
async fn empty_department_name_is_a_bad_request() {
    let s = Server::new();
    let mut body = user_body("q@example.com", "Q", "R");
    body[EXT] = json!({ "role": "member", "departments": ["  "] });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a department needs a name",
    );
}

// ---- status ----------------------------------------------------------------

#[tokio::test]
async fn active_false_archives_and_active_true_reactivates() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.alice);
    assert_eq!(
        s.status_of(&id).await,
        "active",
        "a new active user is active"
    );
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "active", "value": false }]),
        )
        .await;
    reply.expect(StatusCode::OK, "archive");
    assert_eq!(reply.body["active"], false, "active is false");
    assert_eq!(s.status_of(&id).await, "archived", "status is archived");
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "active", "value": true }]),
        )
        .await;
    reply.expect(StatusCode::OK, "reactivate");
    assert_eq!(reply.body["active"], true, "active again");
    assert_eq!(s.status_of(&id).await, "active", "status is active again");
}

#[tokio::test]
async fn created_inactive_is_archived() {
    let s = Server::new();
    let p = people(&s).await;
    assert_eq!(p.bob["active"], false, "Bob was created inactive");
    assert_eq!(
        s.status_of(&People::id(&p.bob)).await,
        "archived",
        "so he is archived"
    );
}

#[tokio::test]
async fn pending_user_cannot_be_made_active_by_an_admin() {
    let s = Server::demo(40);
    let pending = s
        .filter(&format!(r#"{EXT}:status eq "pending""#))
        .await
        .resources();
    let user = pending.first().expect("the demo has pending users");
    let id = People::id(user);
    let reply = s
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "active", "value": true }]),
        )
        .await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "only accepting the invitation activates",
    );
    assert_eq!(s.status_of(&id).await, "pending", "still pending");
}

// ---- length limits ---------------------------------------------------------

#[tokio::test]
async fn a_10000_character_given_name_is_refused_and_nothing_stored() {
    let s = Server::new();
    let long = "x".repeat(10_000);
    let reply = s
        .post(
            "/scim/v2/Users",
            &json!({ "userName": "long@example.com", "name": { "givenName": long, "familyName": "Name" } }),
        )
        .await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a 10,000-character name is too long",
    );
    assert!(
        reply.detail().contains("256"),
        "the detail says what the limit is: {}",
        reply.detail()
    );
    assert!(
        reply.detail().contains("givenName"),
        "and which attribute: {}",
        reply.detail()
    );
    assert!(
        s.names(r#"userName eq "long@example.com""#)
            .await
            .is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_long_name_is_refused_on_patch_too() {
    let s = Server::new();
    let p = people(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&p.alice)),
        json!([{ "op": "replace", "path": "name.familyName", "value": "y".repeat(257) }]),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "257 characters is one too many",
    );
    assert_eq!(
        s.get_user(&People::id(&p.alice)).await.body["name"]["familyName"],
        "Anderson",
        "the stored name is unchanged"
    );
}

#[tokio::test]
async fn a_256_character_name_is_accepted() {
    let s = Server::new();
    let name = "é".repeat(256);
    let user = s
        .create_user(json!({ "userName": "edge@example.com", "displayName": name, "name": { "givenName": name } }))
        .await;
    assert_eq!(
        user["name"]["givenName"],
        name.as_str(),
        "256 characters (not bytes) are allowed"
    );
}

// ---- /roster/v1 ------------------------------------------------------------

#[tokio::test]
async fn roles_lists_the_six_roles() {
    let s = Server::new();
    let reply = s.get("/roster/v1/roles").await;
    reply.expect(StatusCode::OK, "the role catalogue");
    let ids: Vec<&str> = reply.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["owner", "admin", "manager", "member", "viewer", "guest"],
        "the six built-in roles in order"
    );
}

#[tokio::test]
async fn applications_are_listed() {
    let s = Server::new();
    let reply = s.get("/roster/v1/applications").await;
    reply.expect(StatusCode::OK, "the application catalogue");
    let ids: Vec<&str> = reply.body["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"tasks") && ids.contains(&"users"),
        "tasks and users are applications: {ids:?}"
    );
}

#[tokio::test]
async fn me_names_the_api_token() {
    let s = Server::new();
    let reply = s.get("/roster/v1/me").await;
    reply.expect(StatusCode::OK, "who am I");
    assert_eq!(
        reply.body["role"], "owner",
        "the command-line token has Owner rights"
    );
    assert!(reply.body["userId"].is_null(), "an API token is no user");
    assert!(
        reply.body["name"].as_str().is_some_and(|n| !n.is_empty()),
        "but it has a name"
    );
}

#[tokio::test]
async fn me_names_the_signed_in_user() {
    let s = Server::demo(5);
    let session = s
        .sign_in(
            roster_server::demo::DEMO_ADMIN_EMAIL,
            roster_server::demo::DEMO_ADMIN_PASSWORD,
        )
        .await;
    let reply = session.server.get("/roster/v1/me").await;
    reply.expect(StatusCode::OK, "who am I");
    assert_eq!(
        reply.body["name"],
        roster_server::demo::DEMO_ADMIN_EMAIL,
        "the admin's e-mail"
    );
    assert_eq!(reply.body["role"], "admin", "the admin's role");
    assert_eq!(reply.body["roleName"], "Admin", "and its name");
    let id = reply.body["userId"]
        .as_str()
        .expect("a signed-in user has an id");
    let me = s.get_user(id).await;
    assert_eq!(
        me.body["userName"],
        roster_server::demo::DEMO_ADMIN_EMAIL,
        "the id is the admin's"
    );
    let perms: Vec<&str> = reply.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(perms.contains(&"users:edit"), "an admin edits users");
    assert!(
        !perms.iter().any(|p| p.starts_with("billing:")),
        "billing stays with the Owner"
    );
}

#[tokio::test]
async fn roster_endpoints_need_a_token() {
    let s = Server::new();
    for path in [
        "/roster/v1/me",
        "/roster/v1/roles",
        "/roster/v1/departments",
    ] {
        s.anonymous().get(path).await.expect_scim_error(
            StatusCode::UNAUTHORIZED,
            None,
            &format!("{path} is not public"),
        );
    }
}
