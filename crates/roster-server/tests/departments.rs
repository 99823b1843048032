//! Departments management: /roster/v1/departments lists the departments
//! with their member counts; adding, renaming and removing one needs
//! `categories:manage`, and renaming or removing changes every user in it
//! as a write of its own (version, lastModified), recorded in the audit log.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const LIST: &str = "/roster/v1/departments";

fn path(name: &str) -> String {
    format!("{LIST}/{}", enc(name))
}

/// The names as listed, in order.
fn names(reply: &Reply) -> Vec<String> {
    reply.body["departments"]
        .as_array()
        .unwrap_or_else(|| panic!("a department list: {}", reply.body))
        .iter()
        .map(|d| d.as_str().expect("names are strings").to_string())
        .collect()
}

fn members(reply: &Reply, name: &str) -> i64 {
    reply.body["members"][name]
        .as_i64()
        .unwrap_or_else(|| panic!("{name} has a member count: {}", reply.body))
}

/// Creates a user in `departments`; returns their id.
async fn user_in(s: &Server, email: &str, departments: &[&str]) -> String {
    let mut body = user_body(email, "Dee", "Partment");
    body[EXT] = json!({ "role": "member", "departments": departments });
    People::id(&s.create_user(body).await)
}

/// A user's departments, version and lastModified as served.
async fn state_of(s: &Server, id: &str) -> (Value, String, String) {
    let reply = s.get_user(id).await;
    reply.expect(StatusCode::OK, "the user is served");
    (
        reply.body[EXT]["departments"].clone(),
        reply.body["meta"]["version"]
            .as_str()
            .expect("a version")
            .to_string(),
        reply.body["meta"]["lastModified"]
            .as_str()
            .expect("a lastModified")
            .to_string(),
    )
}

/// The newest lastModified of all users: a sync's "since" mark.
async fn sync_mark(s: &Server) -> String {
    let mark = s
        .all_users_with(&["meta"])
        .await
        .iter()
        .filter_map(|u| u["meta"]["lastModified"].as_str().map(str::to_string))
        .max()
        .expect("there are users");
    // Later writes get a later millisecond.
    tokio::time::sleep(Duration::from_millis(5)).await;
    mark
}

/// The users an incremental sync from `mark` fetches.
async fn changed_since(s: &Server, mark: &str) -> Vec<String> {
    let reply = s.filter(&format!(r#"meta.lastModified gt "{mark}""#)).await;
    reply.expect(StatusCode::OK, "the incremental sync's filter");
    let mut ids = reply.ids();
    ids.sort();
    ids
}

/// The newest audit entry with `action`.
async fn audit_entry(s: &Server, action: &str) -> Value {
    let reply = s.get("/roster/v1/audit?limit=20").await;
    reply.expect(StatusCode::OK, "the audit log");
    reply.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["action"] == action)
        .cloned()
        .unwrap_or_else(|| panic!("a {action} entry is logged: {}", reply.body))
}

#[tokio::test]
async fn the_list_counts_members_of_any_status() {
    let s = Server::new();
    user_in(&s, "a@example.com", &["Sales", "Legal"]).await;
    user_in(&s, "b@example.com", &["sales"]).await;
    let archived = user_in(&s, "c@example.com", &["Legal"]).await;
    s.patch(
        &format!("/scim/v2/Users/{archived}"),
        json!([{ "op": "replace", "path": "active", "value": false }]),
    )
    .await
    .expect(StatusCode::OK, "archiving");
    s.invite(
        "d@example.com",
        json!({ "role": "member", "departments": ["Zoology"] }),
    )
    .await;
    s.post(LIST, &json!({ "name": "archive" }))
        .await
        .expect(StatusCode::CREATED, "an empty department");

    let list = s.get(LIST).await;
    list.expect(StatusCode::OK, "the list");
    assert_eq!(
        names(&list),
        ["archive", "Legal", "Sales", "Zoology"],
        "sorted ignoring case, each name once"
    );
    assert_eq!(members(&list, "Sales"), 2, "'sales' is in Sales");
    assert_eq!(members(&list, "Legal"), 2, "archived users count");
    assert_eq!(members(&list, "Zoology"), 1, "pending users count");
    assert_eq!(members(&list, "archive"), 0);

    let (_, member) = s.user_session("m@example.com", "member").await;
    let seen = member.server.get(LIST).await;
    seen.expect(StatusCode::OK, "anyone signed in reads the list");
    assert_eq!(seen.body, list.body, "and sees the same");
    s.anonymous().get(LIST).await.expect_scim_error(
        StatusCode::UNAUTHORIZED,
        None,
        "but not without signing in",
    );
}

#[tokio::test]
async fn a_department_is_created_with_a_trimmed_name() {
    let s = Server::new();
    let reply = s
        .post(LIST, &json!({ "name": "  Customer Success " }))
        .await;
    reply.expect(StatusCode::CREATED, "the Owner adds a department");
    assert_eq!(names(&reply), ["Customer Success"], "answers the new list");
    assert_eq!(members(&reply, "Customer Success"), 0);
    assert_eq!(s.get(LIST).await.body, reply.body, "as GET shows it");

    let entry = audit_entry(&s, "department.create").await;
    assert_eq!(entry["actor"], "command-line API token", "who");
    assert_eq!(entry["target"], "Customer Success");
    assert_eq!(entry["before"], Value::Null);
    assert_eq!(
        entry["after"],
        json!({ "name": "Customer Success", "members": 0 })
    );

    // A user can join it by its name in any case.
    let id = user_in(&s, "a@example.com", &["customer success"]).await;
    assert_eq!(members(&s.get(LIST).await, "Customer Success"), 1);
    assert_eq!(state_of(&s, &id).await.0, json!(["customer success"]));
}

#[tokio::test]
async fn bad_names_are_refused() {
    let s = Server::new();
    s.post(LIST, &json!({ "name": "Sales" }))
        .await
        .expect(StatusCode::CREATED, "a good name");
    let hundred = "x".repeat(100);
    s.post(LIST, &json!({ "name": hundred }))
        .await
        .expect(StatusCode::CREATED, "100 characters are allowed");
    let cases = [
        (json!({ "name": "" }), "cannot be empty"),
        (json!({ "name": "   " }), "cannot be empty"),
        (json!({}), "cannot be empty"),
        (json!({ "name": "y".repeat(101) }), "at most 100 characters"),
        (json!({ "name": "ü".repeat(101) }), "at most 100 characters"),
        (json!({ "name": "Line\nbreak" }), "control characters"),
        (json!({ "name": "Tab\there" }), "control characters"),
    ];
    for (body, says) in &cases {
        let reply = s.post(LIST, body).await;
        reply.expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            &format!("creating {body}"),
        );
        assert!(reply.detail().contains(says), "{body}: {}", reply.detail());
        let reply = s.patch_json(&path("Sales"), body).await;
        reply.expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            &format!("renaming to {body}"),
        );
        assert!(reply.detail().contains(says), "{body}: {}", reply.detail());
    }
    s.post(LIST, &json!({ "name": "Ops", "colour": "red" }))
        .await
        .expect(StatusCode::BAD_REQUEST, "unknown fields are refused");
    assert_eq!(
        names(&s.get(LIST).await),
        ["Sales", "x".repeat(100).as_str()],
        "nothing else was added or renamed"
    );

    // Users' departments follow the same rules.
    let mut body = user_body("q@example.com", "Q", "R");
    body[EXT] = json!({ "role": "member", "departments": ["Night\nshift"] });
    let reply = s.post("/scim/v2/Users", &body).await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "a user's department with a line break",
    );
    assert!(reply.detail().contains("control characters"));
}

#[tokio::test]
async fn names_are_unique_ignoring_case() {
    let s = Server::new();
    for name in ["Sales", "Équipe", "Legal"] {
        s.post(LIST, &json!({ "name": name }))
            .await
            .expect(StatusCode::CREATED, name);
    }
    for (taken, existing) in [
        ("sales", "Sales"),
        (" SALES ", "Sales"),
        ("équipe", "Équipe"),
    ] {
        let reply = s.post(LIST, &json!({ "name": taken })).await;
        reply.expect_scim_error(
            StatusCode::CONFLICT,
            Some("uniqueness"),
            &format!("creating {taken}"),
        );
        assert!(
            reply.detail().contains(existing),
            "names the department in the way: {}",
            reply.detail()
        );
    }
    let reply = s
        .patch_json(&path("Legal"), &json!({ "name": "SALES" }))
        .await;
    reply.expect_scim_error(
        StatusCode::CONFLICT,
        Some("uniqueness"),
        "renaming onto another department",
    );
    assert_eq!(
        names(&s.get(LIST).await),
        ["Legal", "Sales", "Équipe"],
        "nothing was added or renamed (sorted as SQLite's NOCASE sorts)"
    );
}

#[tokio::test]
async fn renaming_moves_every_member_as_a_write() {
    let s = Server::new();
    let alice = user_in(&s, "alice@example.com", &["Sales", "Legal"]).await;
    let bob = user_in(&s, "bob@example.com", &["sales"]).await;
    let carol = user_in(&s, "carol@example.com", &["Legal"]).await;
    let (_, alice_version, alice_modified) = state_of(&s, &alice).await;
    let (_, carol_version, _) = state_of(&s, &carol).await;
    let mark = sync_mark(&s).await;

    let reply = s
        .patch_json(&path("Sales"), &json!({ "name": " Revenue " }))
        .await;
    reply.expect(StatusCode::OK, "the Owner renames Sales");
    assert_eq!(names(&reply), ["Legal", "Revenue"], "answers the list");
    assert_eq!(members(&reply, "Revenue"), 2, "both members moved");

    let (departments, version, modified) = state_of(&s, &alice).await;
    assert_eq!(departments, json!(["Revenue", "Legal"]), "in place");
    assert_ne!(version, alice_version, "a new version");
    assert!(modified > alice_modified, "lastModified moves on");
    let etag = s.get_user(&alice).await;
    assert_eq!(etag.header("etag"), Some(version.as_str()), "the ETag too");
    assert_eq!(
        state_of(&s, &bob).await.0,
        json!(["Revenue"]),
        "'sales' was Sales"
    );
    assert_eq!(
        state_of(&s, &carol).await.1,
        carol_version,
        "someone outside the department is not touched"
    );
    let mut expected = vec![alice.clone(), bob.clone()];
    expected.sort();
    assert_eq!(
        changed_since(&s, &mark).await,
        expected,
        "an incremental sync fetches exactly the renamed users"
    );
    assert_eq!(
        s.names(&format!(r#"{EXT}:departments eq "revenue""#)).await,
        ["alice@example.com", "bob@example.com"],
        "filters find them under the new name"
    );
    assert!(s
        .names(&format!(r#"{EXT}:departments eq "Sales""#))
        .await
        .is_empty());

    let entry = audit_entry(&s, "department.rename").await;
    assert_eq!(entry["target"], "Revenue");
    assert_eq!(entry["before"], json!({ "name": "Sales", "members": 2 }));
    assert_eq!(entry["after"], json!({ "name": "Revenue", "members": 2 }));
    assert!(
        entry["summary"].as_str().unwrap().contains("2 users"),
        "says how many users changed: {entry}"
    );

    // The old name is free again.
    s.post(LIST, &json!({ "name": "Sales" }))
        .await
        .expect(StatusCode::CREATED, "Sales can be added anew");
}

#[tokio::test]
async fn renaming_may_change_only_the_case() {
    let s = Server::new();
    let id = user_in(&s, "a@example.com", &["it operations"]).await;
    let reply = s
        .patch_json(&path("IT Operations"), &json!({ "name": "IT Operations" }))
        .await;
    reply.expect(StatusCode::OK, "the path finds the name in any case");
    assert_eq!(names(&reply), ["IT Operations"]);
    assert_eq!(members(&reply, "IT Operations"), 1);
    assert_eq!(state_of(&s, &id).await.0, json!(["IT Operations"]));

    let (_, version, _) = state_of(&s, &id).await;
    let reply = s
        .patch_json(&path("IT Operations"), &json!({ "name": "IT Operations" }))
        .await;
    reply.expect(StatusCode::OK, "the same name again");
    assert_eq!(
        state_of(&s, &id).await.1,
        version,
        "changes nobody when nothing changes"
    );
}

#[tokio::test]
async fn deleting_removes_the_department_from_everyone() {
    let s = Server::new();
    let alice = user_in(&s, "alice@example.com", &["Legal", "Facilities"]).await;
    let bob = user_in(&s, "bob@example.com", &["facilities"]).await;
    let carol = user_in(&s, "carol@example.com", &["Legal"]).await;
    let (_, bob_version, _) = state_of(&s, &bob).await;
    let (_, carol_version, _) = state_of(&s, &carol).await;
    let mark = sync_mark(&s).await;

    let reply = s.delete(&path("Facilities")).await;
    reply.expect(StatusCode::OK, "the Owner removes Facilities");
    assert_eq!(names(&reply), ["Legal"], "answers the list");

    assert_eq!(state_of(&s, &alice).await.0, json!(["Legal"]));
    let (departments, version, _) = state_of(&s, &bob).await;
    assert_eq!(departments, Value::Null, "no departments left");
    assert_ne!(version, bob_version, "a new version");
    assert_eq!(state_of(&s, &carol).await.1, carol_version, "untouched");
    let mut expected = vec![alice, bob];
    expected.sort();
    assert_eq!(changed_since(&s, &mark).await, expected);

    let entry = audit_entry(&s, "department.delete").await;
    assert_eq!(entry["target"], "Facilities");
    assert_eq!(
        entry["before"],
        json!({ "name": "Facilities", "members": 2 })
    );
    assert_eq!(entry["after"], Value::Null);
    assert!(entry["summary"].as_str().unwrap().contains("2 users"));

    s.delete(&path("Facilities")).await.expect_scim_error(
        StatusCode::NOT_FOUND,
        None,
        "it is gone",
    );
}

#[tokio::test]
async fn unknown_departments_are_404() {
    let s = Server::new();
    s.post(LIST, &json!({ "name": "Sales" }))
        .await
        .expect(StatusCode::CREATED, "Sales");
    let reply = s
        .patch_json(&path("Marketing"), &json!({ "name": "Brand" }))
        .await;
    reply.expect_scim_error(StatusCode::NOT_FOUND, None, "renaming an unknown one");
    assert!(reply.detail().contains("Marketing"), "{}", reply.detail());
    s.delete(&path("Marketing")).await.expect_scim_error(
        StatusCode::NOT_FOUND,
        None,
        "removing an unknown one",
    );
    assert_eq!(names(&s.get(LIST).await), ["Sales"]);
}

#[tokio::test]
async fn names_with_slashes_and_spaces_work_in_the_path() {
    let s = Server::new();
    let id = user_in(&s, "a@example.com", &["R&D / Ops"]).await;
    let reply = s
        .patch_json(&path("R&D / Ops"), &json!({ "name": "R&D / Platform" }))
        .await;
    reply.expect(StatusCode::OK, "renamed through an encoded path");
    assert_eq!(state_of(&s, &id).await.0, json!(["R&D / Platform"]));
    s.delete(&path("R&D / Platform"))
        .await
        .expect(StatusCode::OK, "removed through an encoded path");
    assert!(names(&s.get(LIST).await).is_empty());
}

#[tokio::test]
async fn without_categories_manage_every_change_is_refused() {
    let s = Server::new();
    let member_id = user_in(&s, "x@example.com", &["Sales"]).await;
    let (_, member) = s.user_session("member@example.com", "member").await;
    let (_, viewer) = s.user_session("viewer@example.com", "viewer").await;
    let before = s.get(LIST).await;
    let (_, version, _) = state_of(&s, &member_id).await;
    for who in [&member, &viewer] {
        let writes = [
            who.server.post(LIST, &json!({ "name": "Ops" })).await,
            who.server
                .patch_json(&path("Sales"), &json!({ "name": "Revenue" }))
                .await,
            who.server.delete(&path("Sales")).await,
        ];
        for reply in &writes {
            reply.expect_scim_error(StatusCode::FORBIDDEN, None, "a write without the right");
            assert!(
                reply.detail().contains("categories:manage"),
                "names the permission: {}",
                reply.detail()
            );
        }
    }
    assert_eq!(s.get(LIST).await.body, before.body, "nothing changed");
    assert_eq!(state_of(&s, &member_id).await.1, version);

    // A Manager holds it.
    let (_, manager) = s.user_session("manager@example.com", "manager").await;
    manager
        .server
        .post(LIST, &json!({ "name": "Ops" }))
        .await
        .expect(StatusCode::CREATED, "a Manager adds a department");
    let entry = audit_entry(&s, "department.create").await;
    assert_eq!(entry["actor"], "manager@example.com", "the log says who");
}

#[tokio::test]
async fn an_admin_renames_a_department_the_owner_is_in() {
    // Renaming is an account-wide change, not an edit of each member: the
    // rule that nobody changes someone more powerful does not block it.
    let s = Server::demo(3);
    let owner_id = s.owner_id().await;
    let owner_departments = state_of(&s, &owner_id).await.0;
    let name = owner_departments[0]
        .as_str()
        .expect("the Owner has a department");
    let (_, admin) = s.user_session("admin2@example.com", "admin").await;
    let reply = admin
        .server
        .patch_json(&path(name), &json!({ "name": "Leadership" }))
        .await;
    reply.expect(StatusCode::OK, "an Admin renames the Owner's department");
    assert_eq!(state_of(&s, &owner_id).await.0[0], "Leadership");
}

#[tokio::test]
async fn memberships_written_before_the_table_existed_are_found() {
    // The migration that added the membership table read them from the
    // users' documents: run it again on a database that has lost them.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("roster.db");
    let file = file.to_str().expect("a UTF-8 path");
    {
        let state = roster_server::build_state(file, Some(TOKEN)).expect("a server");
        let s = Server {
            app: roster_server::app(state.clone()),
            state: state.clone(),
            token: Some(TOKEN.to_string()),
        };
        user_in(&s, "a@example.com", &["Sales", "Legal"]).await;
        user_in(&s, "b@example.com", &["sales"]).await;
        state
            .db
            .with_writer(|c| {
                c.execute_batch(
                    // The migrations after it run again with it.
                    "DROP TABLE user_departments; DELETE FROM departments;
                 DELETE FROM schema_migrations WHERE version >= 3;",
                )
            })
            .expect("the table is dropped");
    }
    let state = roster_server::build_state(file, Some(TOKEN)).expect("reopened");
    let s = Server {
        app: roster_server::app(state.clone()),
        state,
        token: Some(TOKEN.to_string()),
    };
    let list = s.get(LIST).await;
    list.expect(StatusCode::OK, "the list");
    let counts: HashMap<String, i64> = names(&list)
        .into_iter()
        .map(|n| {
            let m = members(&list, &n);
            (n, m)
        })
        .collect();
    assert_eq!(counts.len(), 2, "Sales and Legal, once each: {counts:?}");
    assert_eq!(counts.get("Legal"), Some(&1));
    assert_eq!(
        counts.get("Sales").or(counts.get("sales")),
        Some(&2),
        "{counts:?}"
    );
}
