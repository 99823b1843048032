//! /Groups: members, the users' `groups`, PATCH of members, deletion.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|e| e["value"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

fn ids(users: &[&Value]) -> Vec<String> {
    let mut v: Vec<String> = users.iter().map(|u| People::id(u)).collect();
    v.sort();
    v
}

async fn create_group(s: &Server, name: &str, members: &[&Value]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|u| json!({ "value": People::id(u) }))
        .collect();
    let reply = s
        .post(
            "/scim/v2/Groups",
            &json!({ "schemas": [CORE_GROUP], "displayName": name, "members": members }),
        )
        .await;
    reply.expect(StatusCode::CREATED, &format!("the group {name} is created"));
    reply.body
}

#[tokio::test]
async fn create_a_group_with_members() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Engineering", &[&p.alice, &p.zoe]).await;
    assert_eq!(group["displayName"], "Engineering", "the name is kept");
    assert_eq!(
        member_ids(&group),
        ids(&[&p.alice, &p.zoe]),
        "both members are listed"
    );
    let alice = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == People::id(&p.alice).as_str())
        .unwrap()
        .clone();
    assert_eq!(alice["type"], "User", "a member's type");
    assert!(
        alice["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!("/Users/{}", People::id(&p.alice)))),
        "a member's $ref points at the user: {alice}"
    );
    assert_eq!(group["schemas"], json!([CORE_GROUP]), "a Group");
}

#[tokio::test]
async fn the_users_groups_show_the_membership() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Engineering", &[&p.alice]).await;
    let alice = s.get_user(&People::id(&p.alice)).await.body;
    let groups = alice["groups"].as_array().expect("Alice has groups");
    assert_eq!(groups.len(), 1, "one group");
    assert_eq!(groups[0]["value"], group["id"], "the group's id");
    assert_eq!(groups[0]["display"], "Engineering", "the group's name");
    let bob = s.get_user(&People::id(&p.bob)).await.body;
    assert!(
        bob.get("groups").is_none() || bob["groups"] == json!([]),
        "Bob is in no group: {bob}"
    );
}

#[tokio::test]
async fn patch_adds_members() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Team", &[&p.alice]).await;
    let gid = People::id(&group);
    let reply = s
        .patch(
            &format!("/scim/v2/Groups/{gid}"),
            json!([{ "op": "add", "path": "members", "value": [{ "value": People::id(&p.bob) }, { "value": People::id(&p.zoe) }] }]),
        )
        .await;
    reply.expect(StatusCode::OK, "add two members");
    assert_eq!(
        member_ids(&reply.body),
        ids(&[&p.alice, &p.bob, &p.zoe]),
        "three members now"
    );
    let zoe = s.get_user(&People::id(&p.zoe)).await.body;
    assert_eq!(
        zoe["groups"][0]["value"],
        gid.as_str(),
        "Zoë's groups show the new membership"
    );
}

#[tokio::test]
async fn patch_adding_an_existing_member_changes_nothing() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Team", &[&p.alice]).await;
    let gid = People::id(&group);
    let reply = s
        .patch(&format!("/scim/v2/Groups/{gid}"), json!([{ "op": "add", "path": "members", "value": [{ "value": People::id(&p.alice) }] }]))
        .await;
    reply.expect(StatusCode::OK, "adding Alice again");
    assert_eq!(
        member_ids(&reply.body),
        ids(&[&p.alice]),
        "Alice is listed once"
    );
    assert_eq!(
        reply.body["meta"]["version"], group["meta"]["version"],
        "the version is unchanged"
    );
}

#[tokio::test]
async fn patch_removes_a_member_by_value_filter() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Team", &[&p.alice, &p.bob]).await;
    let gid = People::id(&group);
    let reply = s
        .patch(
            &format!("/scim/v2/Groups/{gid}"),
            json!([{ "op": "remove", "path": format!("members[value eq \"{}\"]", People::id(&p.bob)) }]),
        )
        .await;
    reply.expect(StatusCode::OK, "remove Bob");
    assert_eq!(
        member_ids(&reply.body),
        ids(&[&p.alice]),
        "only Alice remains"
    );
    let bob = s.get_user(&People::id(&p.bob)).await.body;
    assert!(
        bob.get("groups").is_none() || bob["groups"] == json!([]),
        "Bob's groups no longer list it: {bob}"
    );
}

#[tokio::test]
async fn patch_removes_all_members() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Team", &[&p.alice, &p.bob]).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Groups/{}", People::id(&group)),
            json!([{ "op": "remove", "path": "members" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "remove every member");
    assert!(
        member_ids(&reply.body).is_empty(),
        "no members left: {}",
        reply.body
    );
}

#[tokio::test]
async fn patch_replaces_members_and_renames() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Team", &[&p.alice, &p.bob]).await;
    let reply = s
        .patch(
            &format!("/scim/v2/Groups/{}", People::id(&group)),
            json!([
                { "op": "replace", "path": "members", "value": [{ "value": People::id(&p.wang) }] },
                { "op": "replace", "path": "displayName", "value": "Design Team" }
            ]),
        )
        .await;
    reply.expect(StatusCode::OK, "replace members and name");
    assert_eq!(member_ids(&reply.body), ids(&[&p.wang]), "only Wang now");
    assert_eq!(reply.body["displayName"], "Design Team", "renamed");
    let wang = s.get_user(&People::id(&p.wang)).await.body;
    assert_eq!(
        wang["groups"][0]["display"], "Design Team",
        "the user's groups show the new name"
    );
}

#[tokio::test]
async fn unknown_member_id_is_a_bad_request() {
    let s = Server::new();
    let p = people(&s).await;
    s.post(
        "/scim/v2/Groups",
        &json!({ "displayName": "Ghosts", "members": [{ "value": "no-such-user" }] }),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "the member does not exist",
    );
    let group = create_group(&s, "Team", &[&p.alice]).await;
    s.patch(
        &format!("/scim/v2/Groups/{}", People::id(&group)),
        json!([{ "op": "add", "path": "members", "value": [{ "value": "no-such-user" }] }]),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "the added member does not exist",
    );
    let after = s
        .get(&format!("/scim/v2/Groups/{}", People::id(&group)))
        .await;
    assert_eq!(
        member_ids(&after.body),
        ids(&[&p.alice]),
        "the group is unchanged"
    );
}

#[tokio::test]
async fn a_group_can_contain_a_group_but_not_itself() {
    let s = Server::new();
    let p = people(&s).await;
    let inner = create_group(&s, "Inner", &[&p.alice]).await;
    let outer = s
        .post(
            "/scim/v2/Groups",
            &json!({ "displayName": "Outer", "members": [{ "value": People::id(&inner) }] }),
        )
        .await;
    outer.expect(StatusCode::CREATED, "a group as member");
    assert_eq!(
        outer.body["members"][0]["type"], "Group",
        "the member's type is Group"
    );
    s.patch(
        &format!("/scim/v2/Groups/{}", People::id(&inner)),
        json!([{ "op": "add", "path": "members", "value": [{ "value": People::id(&inner) }] }]),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a group cannot contain itself",
    );
}

#[tokio::test]
async fn delete_a_group() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Temporary", &[&p.alice]).await;
    let gid = People::id(&group);
    s.delete(&format!("/scim/v2/Groups/{gid}"))
        .await
        .expect(StatusCode::NO_CONTENT, "delete the group");
    s.get(&format!("/scim/v2/Groups/{gid}"))
        .await
        .expect_scim_error(StatusCode::NOT_FOUND, None, "the group is gone");
    let alice = s.get_user(&People::id(&p.alice)).await.body;
    assert!(
        alice.get("groups").is_none() || alice["groups"] == json!([]),
        "Alice is in no group now: {alice}"
    );
    assert!(
        s.names(&format!(r#"groups.value eq "{gid}""#))
            .await
            .is_empty(),
        "no user is found by the deleted group"
    );
}

#[tokio::test]
async fn group_without_display_name_is_invalid_value() {
    let s = Server::new();
    s.post("/scim/v2/Groups", &json!({ "schemas": [CORE_GROUP] }))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "displayName is required",
        );
}

#[tokio::test]
async fn put_replaces_a_group() {
    let s = Server::new();
    let p = people(&s).await;
    let group = create_group(&s, "Team", &[&p.alice, &p.bob]).await;
    let reply = s
        .put(
            &format!("/scim/v2/Groups/{}", People::id(&group)),
            &json!({ "schemas": [CORE_GROUP], "displayName": "Renamed", "members": [{ "value": People::id(&p.zoe) }] }),
        )
        .await;
    reply.expect(StatusCode::OK, "PUT a group");
    assert_eq!(reply.body["displayName"], "Renamed", "renamed");
    assert_eq!(member_ids(&reply.body), ids(&[&p.zoe]), "members replaced");
}

#[tokio::test]
async fn list_groups_with_a_filter_on_members() {
    let s = Server::new();
    let p = people(&s).await;
    create_group(&s, "With Alice", &[&p.alice]).await;
    create_group(&s, "Without Alice", &[&p.bob]).await;
    let reply = s
        .get(&format!(
            "/scim/v2/Groups?filter={}",
            enc(&format!(r#"members.value eq "{}""#, People::id(&p.alice)))
        ))
        .await;
    reply.expect(StatusCode::OK, "filter groups by member");
    let names: Vec<&str> = reply.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["With Alice"], "only the group with Alice");
}

#[tokio::test]
async fn group_list_can_leave_out_members() {
    let s = Server::new();
    let p = people(&s).await;
    create_group(&s, "Team", &[&p.alice]).await;
    let reply = s.get("/scim/v2/Groups?excludedAttributes=members").await;
    reply.expect(StatusCode::OK, "list without members");
    let group = &reply.resources()[0];
    assert!(
        group.get("members").is_none(),
        "members are left out: {group}"
    );
    assert_eq!(group["displayName"], "Team", "the rest is there");
}
