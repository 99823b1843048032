//! Resource access per user: grant, list, revoke; a Guest keeps one.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn grants_follow_visibility_and_a_guest_keeps_one() {
    let s = Server::demo(30);
    let all = s.get("/roster/v1/resources").await.body["resources"]
        .as_array()
        .unwrap()
        .clone();
    let (r1, r2) = (
        all[0]["id"].as_str().unwrap(),
        all[1]["id"].as_str().unwrap(),
    );
    let (guest, guest_session) = s.user_session("guest@example.com", "guest").await;
    let gid = People::id(&guest);
    let path = format!("/roster/v1/users/{gid}/resources");
    let reply = s.post(&path, &json!({ "resources": [r1, r2] })).await;
    reply.expect(StatusCode::OK, "the Owner shares two resources");
    assert_eq!(reply.body["resources"].as_array().unwrap().len(), 2);
    assert_eq!(reply.body["requiresResource"], true);

    let seen = guest_session.server.get("/roster/v1/resources").await;
    assert_eq!(
        seen.body["resources"].as_array().unwrap().len(),
        2,
        "the Guest sees only those"
    );

    s.delete(&format!("{path}/{r1}"))
        .await
        .expect(StatusCode::NO_CONTENT, "one is taken away");
    let last = s.delete(&format!("{path}/{r2}")).await;
    last.expect_scim_error(StatusCode::CONFLICT, None, "a Guest's last resource stays");
    assert!(
        last.detail().contains("at least one resource"),
        "{}",
        last.detail()
    );

    // A Member shares only what they can see themselves.
    let (member, member_session) = s.user_session("member@example.com", "member").await;
    let roles = s.get("/roster/v1/roles").await;
    let mut permissions = roles.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "member")
        .unwrap()["permissions"]
        .as_array()
        .unwrap()
        .clone();
    permissions.extend([json!("users:edit"), json!("users:view")]);
    let limited = s
        .post(
            "/roster/v1/roles",
            &json!({ "name": "Sharer", "permissions": permissions }),
        )
        .await;
    limited.expect(StatusCode::CREATED, "a role that may edit users");
    let (_, sharer) = s.user_session("sharer@example.com", "custom-sharer").await;
    let reply = sharer
        .server
        .post(
            &format!("/roster/v1/users/{}/resources", People::id(&member)),
            &json!({ "resources": [r1] }),
        )
        .await;
    reply.expect(StatusCode::FORBIDDEN, "sharing what one cannot see");
    assert!(
        reply.detail().contains("do not have access to it yourself"),
        "{}",
        reply.detail()
    );
    member_session
        .server
        .get(&format!(
            "/roster/v1/users/{}/resources",
            People::id(&member)
        ))
        .await
        .expect(StatusCode::OK, "a user reads their own access");
    s.post(&path, &json!({ "resources": ["no-such-resource"] }))
        .await
        .expect(StatusCode::BAD_REQUEST, "an unknown resource");
}
