//! Custom ("user defined") roles: defined, changed and deleted through
//! /roster/v1/roles, never holding more than their author.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn role<'a>(list: &'a Reply, id: &str) -> &'a Value {
    list.body["roles"]
        .as_array()
        .expect("a role list")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("role {id} is listed: {}", list.body))
}

#[tokio::test]
async fn a_custom_role_is_defined_assigned_changed_and_deleted() {
    let s = Server::new();
    let created = s
        .post(
            "/roster/v1/roles",
            &json!({
                "name": "Case handler",
                "description": "Handles the cases shared with them.",
                "permissions": ["profile:view", "cases:view", "cases:handle", "cases:comment"]
            }),
        )
        .await;
    created.expect(StatusCode::CREATED, "the Owner defines a role");
    assert_eq!(
        created.body["id"], "custom-case-handler",
        "the id comes from the name"
    );
    assert_eq!(created.body["builtin"], false);
    assert_eq!(created.body["createdBy"], "command-line API token");

    let list = s.get("/roster/v1/roles").await;
    assert_eq!(role(&list, "custom-case-handler")["grantable"], true);
    assert_eq!(
        role(&list, "owner")["grantable"],
        false,
        "nobody is made Owner"
    );

    let mut body = user_body("handler@example.com", "Hana", "Handler");
    body[EXT] = json!({ "role": "custom-case-handler" });
    let user = s.create_user(body).await;
    let id = People::id(&user);
    let held = |u: &Value| -> Vec<String> {
        let mut v: Vec<String> = u["entitlements"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["value"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(
        held(&user),
        [
            "cases:comment",
            "cases:handle",
            "cases:view",
            "profile:view"
        ],
        "the user holds the role's permissions"
    );
    assert_eq!(
        role(&s.get("/roster/v1/roles").await, "custom-case-handler")["users"],
        1
    );

    // Changing the role changes what its holders hold.
    s.patch_json(
        "/roster/v1/roles/custom-case-handler",
        &json!({ "permissions": ["profile:view", "cases:view"] }),
    )
    .await
    .expect(StatusCode::OK, "the role is narrowed");
    let after = s.get_user(&id).await;
    assert_eq!(
        held(&after.body),
        ["cases:view", "profile:view"],
        "holders follow their role"
    );
    assert_ne!(
        after.body["meta"]["version"], user["meta"]["version"],
        "their version moved"
    );

    // In use: cannot be deleted.
    let refused = s.delete("/roster/v1/roles/custom-case-handler").await;
    refused.expect_scim_error(StatusCode::CONFLICT, None, "a role in use is kept");
    assert!(
        refused.detail().contains("another role"),
        "{}",
        refused.detail()
    );
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": format!("{EXT}:role"), "value": "member" }]),
    )
    .await
    .expect(StatusCode::OK, "the holder gets another role");
    s.delete("/roster/v1/roles/custom-case-handler")
        .await
        .expect(StatusCode::NO_CONTENT, "an unused role is deleted");
    let list = s.get("/roster/v1/roles").await;
    assert!(
        list.body["roles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != "custom-case-handler"),
        "and gone from the catalogue"
    );
    let mut body = user_body("late@example.com", "Late", "Comer");
    body[EXT] = json!({ "role": "custom-case-handler" });
    s.post("/scim/v2/Users", &body).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a deleted role cannot be given",
    );
}

#[tokio::test]
async fn built_in_roles_are_fixed() {
    let s = Server::new();
    for (method, body) in [
        (axum::http::Method::PATCH, Some(json!({ "name": "Boss" }))),
        (axum::http::Method::DELETE, None),
    ] {
        let reply = s
            .request(method.clone(), "/roster/v1/roles/admin", body.as_ref(), &[])
            .await;
        reply.expect(
            StatusCode::FORBIDDEN,
            &format!("{method} on a built-in role"),
        );
        assert!(reply.detail().contains("built-in"), "{}", reply.detail());
    }
    s.delete("/roster/v1/roles/nope")
        .await
        .expect(StatusCode::NOT_FOUND, "an unknown role");
}

#[tokio::test]
async fn a_role_is_checked_before_it_is_stored() {
    let s = Server::new();
    for (body, why) in [
        (
            json!({ "permissions": ["profile:view"] }),
            "a role needs a name",
        ),
        (
            json!({ "name": "X", "permissions": ["nope:view"] }),
            "unknown permission",
        ),
        (
            json!({ "name": "X", "permissions": ["cases:close"] }),
            "a sub-permission without its parent",
        ),
        (
            json!({ "name": "X", "permissions": ["profile:view", "profile:view"] }),
            "listed twice",
        ),
        (json!({ "name": "X", "id": "Not An Id" }), "a bad id"),
        (json!({ "name": "X", "colour": "red" }), "an unknown field"),
    ] {
        let reply = s.post("/roster/v1/roles", &body).await;
        reply.expect(StatusCode::BAD_REQUEST, why);
        assert!(!reply.detail().is_empty(), "{why}: says why");
    }
    s.post("/roster/v1/roles", &json!({ "name": "Admin" }))
        .await
        .expect(StatusCode::CONFLICT, "a name taken by a built-in role");
}

#[tokio::test]
async fn nobody_defines_or_widens_a_role_beyond_their_own_rights() {
    let s = Server::new();
    let (_, admin) = s.user_session("admin@example.com", "admin").await;
    let (_, manager) = s.user_session("manager@example.com", "manager").await;

    manager
        .server
        .post("/roster/v1/roles", &json!({ "name": "Helper" }))
        .await
        .expect(
            StatusCode::FORBIDDEN,
            "a Manager has no access configuration",
        );

    let reply = admin
        .server
        .post(
            "/roster/v1/roles",
            &json!({ "name": "Reviewer plus", "permissions": ["reviews:view"], "capabilities": ["view"] }),
        )
        .await;
    reply.expect(
        StatusCode::CREATED,
        "an Admin defines a role within their rights",
    );

    let reply = admin
        .server
        .patch_json(
            "/roster/v1/roles/custom-reviewer-plus",
            &json!({ "permissions": ["reviews:view", "billing:manage-credits"] }),
        )
        .await;
    reply.expect(
        StatusCode::FORBIDDEN,
        "an Admin cannot widen a role with billing",
    );
    assert!(
        reply.detail().contains("billing:manage-credits"),
        "{}",
        reply.detail()
    );

    // The Owner may; the Admin can then still rename it (keeping billing is
    // not granting it) but cannot give it to anyone.
    s.patch_json(
        "/roster/v1/roles/custom-reviewer-plus",
        &json!({ "permissions": ["reviews:view", "billing:manage-credits"] }),
    )
    .await
    .expect(StatusCode::OK, "the Owner widens it");
    admin
        .server
        .patch_json(
            "/roster/v1/roles/custom-reviewer-plus",
            &json!({ "description": "Reviews and buys credits." }),
        )
        .await
        .expect(StatusCode::OK, "an Admin edits the description");
    let list = admin.server.get("/roster/v1/roles").await;
    let r = role(&list, "custom-reviewer-plus");
    assert_eq!(r["grantable"], false, "the Admin may not give it: {r}");
    assert!(r["notGrantableReason"]
        .as_str()
        .unwrap()
        .contains("billing:manage-credits"));
    let mut body = user_body("buyer@example.com", "Bea", "Buyer");
    body[EXT] = json!({ "role": "custom-reviewer-plus" });
    admin
        .server
        .post("/scim/v2/Users", &body)
        .await
        .expect(StatusCode::FORBIDDEN, "and the server refuses it");

    let reply = admin
        .server
        .post(
            "/roster/v1/roles",
            &json!({ "name": "Full", "permissions": ["profile:view"], "capabilities": ["fullAccess", "accountSettings"] }),
        )
        .await;
    reply.expect(
        StatusCode::CREATED,
        "an Admin has full access and account settings to give",
    );
}
