//! The demo organisation as served: `seed_demo` into a fresh database.

mod common;

use std::collections::HashMap;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn seeding_500_users() {
    let s = Server::demo(500);
    let users = s
        .all_users_with(&[
            "userName",
            "displayName",
            &format!("{EXT}:status"),
            &format!("{EXT}:role"),
        ])
        .await;
    assert_eq!(users.len(), 500, "500 users are served");
    assert_eq!(
        s.get("/scim/v2/Users?count=0").await.total(),
        500,
        "and counted"
    );

    let mut statuses: HashMap<String, usize> = HashMap::new();
    for u in &users {
        *statuses
            .entry(u[EXT]["status"].as_str().unwrap_or("none").to_string())
            .or_default() += 1;
    }
    for status in ["pending", "active", "archived"] {
        assert!(
            statuses.get(status).copied().unwrap_or(0) > 0,
            "some users are {status}: {statuses:?}"
        );
    }
    assert_eq!(statuses.len(), 3, "no other status appears: {statuses:?}");

    let owners: Vec<_> = users.iter().filter(|u| u[EXT]["role"] == "owner").collect();
    assert_eq!(owners.len(), 1, "exactly one Owner");
    assert_eq!(
        owners[0]["userName"],
        roster_server::demo::DEMO_OWNER_EMAIL,
        "the documented Owner"
    );
    assert_eq!(
        s.names(&format!(r#"{EXT}:role eq "owner""#)).await.len(),
        1,
        "a filter finds the one Owner too"
    );

    let non_ascii = users
        .iter()
        .filter(|u| u["displayName"].as_str().is_some_and(|n| !n.is_ascii()))
        .count();
    assert!(non_ascii > 0, "some names have non-ASCII characters");
}

#[tokio::test]
async fn demo_users_are_consistent() {
    let s = Server::demo(120);
    let attributes = [
        "userName".to_string(),
        "active".to_string(),
        "roles".to_string(),
        format!("{EXT}:status"),
        format!("{EXT}:role"),
        format!("{EXT}:invitation"),
    ];
    let attributes: Vec<&str> = attributes.iter().map(String::as_str).collect();
    for u in s.all_users_with(&attributes).await {
        let status = u[EXT]["status"].as_str().unwrap();
        assert_eq!(
            u["active"],
            status == "active",
            "active mirrors the status: {u}"
        );
        assert_eq!(
            u["roles"][0]["value"], u[EXT]["role"],
            "core roles mirrors the role: {u}"
        );
        assert!(
            u["userName"]
                .as_str()
                .is_some_and(|n| n.is_ascii() && n.contains('@')),
            "userNames are e-mail addresses"
        );
        if status == "pending" {
            assert!(
                u[EXT]["invitation"]["sentAt"].is_string(),
                "a pending user has an invitation: {u}"
            );
        }
    }
}

#[tokio::test]
async fn seeding_twice_does_not_duplicate() {
    let s = Server::demo(50);
    let again = roster_server::seed::seed_demo(&s.state.db, &s.state.loaded(), 50)
        .expect("a second seed runs");
    assert!(!again.created, "a database with users is left alone");
    assert_eq!(again.users, 50, "it reports the users already there");
    let reply = s.get("/scim/v2/Users?count=0").await;
    reply.expect(StatusCode::OK, "list");
    assert_eq!(reply.total(), 50, "still 50 users");
}

#[tokio::test]
async fn the_demo_admin_and_owner_can_sign_in() {
    let s = Server::demo(5);
    s.sign_in(
        roster_server::demo::DEMO_OWNER_EMAIL,
        roster_server::demo::DEMO_OWNER_PASSWORD,
    )
    .await;
    s.sign_in(
        roster_server::demo::DEMO_ADMIN_EMAIL,
        roster_server::demo::DEMO_ADMIN_PASSWORD,
    )
    .await;
}

#[tokio::test]
async fn demo_groups_are_served() {
    let s = Server::demo(60);
    let reply = s.get("/scim/v2/Groups").await;
    reply.expect(StatusCode::OK, "groups");
    let names: Vec<&str> = reply.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Administrators"),
        "the demo has an Administrators group: {names:?}"
    );
}
