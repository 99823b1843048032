//! The demo organisation as served: `seed_demo` into a fresh database.

mod common;

use std::collections::HashMap;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

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

// ---- what the demo shows besides users ------------------------------------

/// A demo whose e-mails link to the test host, so their links open here.
fn linked_demo(n: usize) -> Server {
    let s = Server::new();
    let seeded =
        roster_server::seed::seed_demo_at(&s.state.db, &s.state.loaded(), n, "http://roster.test")
            .expect("the demo organisation seeds");
    assert!(seeded.created, "a new database gets the demo organisation");
    s
}

const DEMO_ADMINS: [&str; 2] = [
    roster_server::demo::DEMO_OWNER_EMAIL,
    roster_server::demo::DEMO_ADMIN_EMAIL,
];

#[tokio::test]
async fn custom_roles_are_defined_and_held() {
    // Seeded after the server state was built: the state sees the roles
    // at once.
    let s = Server::demo(300);
    let roles = s.get("/roster/v1/roles").await;
    roles.expect(StatusCode::OK, "the roles");
    let custom: Vec<&Value> = roles.body["roles"]
        .as_array()
        .expect("a role list")
        .iter()
        .filter(|r| r["builtin"] == false)
        .collect();
    assert_eq!(custom.len(), 2, "two user-defined roles: {custom:?}");
    let held: i64 = custom.iter().map(|r| r["users"].as_i64().unwrap()).sum();
    assert!(held >= 2, "a few people hold them: {custom:?}");
    for role in &custom {
        assert!(
            DEMO_ADMINS.contains(&role["createdBy"].as_str().unwrap_or_default()),
            "defined by the Owner or the Admin: {role}"
        );
        assert!(role["description"].as_str().is_some_and(|d| d.len() > 20));
    }
    let lead = custom
        .iter()
        .find(|r| r["name"] == "Support lead")
        .expect("a Support lead role");
    let holders = s
        .filter(&format!(
            r#"{EXT}:role eq "{}""#,
            lead["id"].as_str().unwrap()
        ))
        .await;
    holders.expect(StatusCode::OK, "its holders");
    let holder = &holders.resources()[0];
    assert_eq!(holder["roles"][0]["display"], "Support lead");
    assert!(
        holder["entitlements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["value"] == "cases:close"),
        "holders have the role's permissions: {holder}"
    );

    // The role works like any other: a holder can be changed.
    let id = holder["id"].as_str().unwrap();
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "title", "value": "Support lead, EMEA" }]),
    )
    .await
    .expect(StatusCode::OK, "a Support lead is edited");
}

#[tokio::test]
async fn usage_events_add_up_to_the_credits_used() {
    let s = Server::demo(300);
    let users = s
        .all_users_with(&[&format!("{EXT}:creditsUsed"), &format!("{EXT}:status")])
        .await;
    let spenders: Vec<&Value> = users
        .iter()
        .filter(|u| u[EXT]["creditsUsed"].as_i64().unwrap_or(0) > 0)
        .collect();
    assert!(
        spenders.len() > 60,
        "a share of users spent credits: {}",
        spenders.len()
    );
    let mut balance = None;
    for u in spenders.iter().take(25) {
        let id = u["id"].as_str().unwrap();
        let stats = s.get(&format!("/roster/v1/users/{id}/statistics")).await;
        stats.expect(StatusCode::OK, "statistics");
        assert!(
            stats.body["events"].as_i64().unwrap() >= 1,
            "{}",
            stats.body
        );
        assert_eq!(
            stats.body["eventCredits"], stats.body["creditsUsed"],
            "the events add up to what was spent"
        );
        if let Some(limit) = stats.body["creditLimit"].as_i64() {
            assert!(stats.body["creditsUsed"].as_i64().unwrap() <= limit);
        }
        balance = stats.body["accountBalance"].as_i64();
        let events = s.get(&format!("/roster/v1/users/{id}/events")).await;
        let list = events.body["events"].as_array().unwrap();
        let times: Vec<&str> = list
            .iter()
            .map(|e| e["created"].as_str().unwrap())
            .collect();
        let mut newest_first = times.clone();
        newest_first.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(times, newest_first, "listed newest first");
    }
    let spent: i64 = users
        .iter()
        .map(|u| u[EXT]["creditsUsed"].as_i64().unwrap_or(0))
        .sum();
    let balance = balance.expect("a balance");
    assert!(balance > 0, "credits are left");
    assert_eq!(
        (balance + spent) % 50_000,
        0,
        "the account was charged what was spent from a round purchase"
    );
}

#[tokio::test]
async fn the_audit_log_shows_a_recent_history() {
    let s = Server::demo(300);
    let log = s.get("/roster/v1/audit?limit=500").await;
    log.expect(StatusCode::OK, "the audit log");
    let entries = log.body["entries"].as_array().unwrap();
    let total = log.body["totalResults"].as_i64().unwrap();
    assert!(
        (30..=roster_server::demo::MAX_HISTORY as i64).contains(&total),
        "{total} entries"
    );
    let actions: std::collections::HashSet<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "role.create",
        "user.invite",
        "user.accept",
        "user.update",
        "user.archive",
        "user.password-reset",
    ] {
        assert!(actions.contains(action), "{action} in {actions:?}");
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for pair in entries.windows(2) {
        assert!(
            pair[0]["at"].as_str() >= pair[1]["at"].as_str(),
            "newest first: {} then {}",
            pair[0]["at"],
            pair[1]["at"]
        );
    }
    assert!(entries[0]["at"].as_str().unwrap() <= now.as_str());
    for e in entries {
        let action = e["action"].as_str().unwrap();
        if action != "user.accept" {
            let actor = e["actor"].as_str().unwrap();
            let role = s
                .filter(&format!(r#"userName eq "{actor}""#))
                .await
                .resources()[0][EXT]["role"]
                .clone();
            assert!(
                role == "owner" || role == "admin",
                "{action} by {actor}, a {role}"
            );
        }
        match action {
            "user.archive" => {
                assert_eq!(e["before"]["active"], true, "{e}");
                assert_eq!(e["after"]["active"], false, "{e}");
            }
            "user.update" => {
                assert_ne!(e["before"][EXT]["role"], e["after"][EXT]["role"], "{e}");
                assert_eq!(
                    e["summary"].as_str().unwrap().split(": ").last(),
                    Some("role")
                );
            }
            "user.invite" => {
                assert_eq!(e["before"], Value::Null);
                assert_eq!(e["after"]["active"], false);
            }
            _ => {}
        }
    }
    // The entries about a user are found by the user filter.
    let about = entries
        .iter()
        .find(|e| e["action"] == "user.archive")
        .unwrap();
    let id = about["targetId"].as_str().unwrap();
    let theirs = s.get(&format!("/roster/v1/audit?user={id}")).await;
    assert!(theirs.body["totalResults"].as_i64().unwrap() >= 1);
}

/// The link in an outbox e-mail, as a path on the test host.
fn link_in(mail: &Value) -> String {
    let body = mail["body"].as_str().unwrap();
    let start = body
        .find("http://roster.test/")
        .unwrap_or_else(|| panic!("a link to the server: {body}"));
    body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches("http://roster.test")
        .to_string()
}

#[tokio::test]
async fn pending_users_have_their_invitation_emails_with_working_links() {
    let s = linked_demo(300);
    let mails = s.outbox().await;
    let invitations: Vec<&Value> = mails.iter().filter(|m| m["kind"] == "invitation").collect();
    let pending = s
        .all_users_with(&[
            "userName",
            &format!("{EXT}:status"),
            &format!("{EXT}:invitation"),
        ])
        .await
        .into_iter()
        .filter(|u| u[EXT]["status"] == "pending")
        .collect::<Vec<_>>();
    assert!(
        invitations.len() * 10 >= pending.len() * 7 && invitations.len() < pending.len(),
        "most pending users, not all, were sent their e-mail: {} of {}",
        invitations.len(),
        pending.len()
    );
    for pair in mails.windows(2) {
        assert!(pair[0]["created"].as_str() >= pair[1]["created"].as_str());
    }

    // The same e-mail a real invitation writes, but for the names, the
    // link and the date.
    s.invite("real.invitee@example.com", json!({ "role": "member" }))
        .await;
    let real = s
        .outbox()
        .await
        .into_iter()
        .find(|m| m["to"] == "real.invitee@example.com")
        .expect("the real invitation");
    let real_expires = s
        .get(&format!(
            "{}&attributes={}",
            users_filter_path(r#"userName eq "real.invitee@example.com""#),
            enc(&format!("{EXT}:invitation"))
        ))
        .await
        .resources()[0][EXT]["invitation"]["expiresAt"]
        .clone();
    let shape = |mail: &Value, inviter: &str, expires: &str| {
        mail["body"]
            .as_str()
            .unwrap()
            .replace(&link_in(mail), "/LINK")
            .replace(inviter, "INVITER")
            .replace(expires, "EXPIRES")
    };
    let real_shape = shape(
        &real,
        "command-line API token",
        real_expires.as_str().unwrap(),
    );

    let (mut valid, mut expired) = (0, 0);
    for u in &pending {
        let Some(mail) = invitations.iter().find(|m| m["userId"] == u["id"]) else {
            continue;
        };
        let invitation = &u[EXT]["invitation"];
        assert_eq!(mail["to"], u["userName"]);
        assert_eq!(mail["subject"], real["subject"]);
        assert_eq!(mail["created"], invitation["sentAt"], "sent when invited");
        assert_eq!(mail["status"], "queued");
        assert_eq!(
            shape(
                mail,
                invitation["invitedBy"].as_str().unwrap(),
                invitation["expiresAt"].as_str().unwrap()
            ),
            real_shape,
            "the words of a real invitation"
        );
        let link = link_in(mail);
        assert!(link.starts_with("/invite/"), "{link}");
        let page = s.anonymous().get(&link).await;
        if invitation["expired"] == true {
            page.expect(StatusCode::GONE, "an expired invitation's link");
            expired += 1;
        } else {
            page.expect(StatusCode::OK, "the accept page opens");
            valid += 1;
        }
    }
    assert!(valid > 0 && expired > 0, "{valid} valid, {expired} expired");

    // Accepting one makes the user Active, able to sign in.
    let (u, mail) = pending
        .iter()
        .find_map(|u| {
            let mail = invitations.iter().find(|m| m["userId"] == u["id"])?;
            (u[EXT]["invitation"]["expired"] == false).then_some((u, mail))
        })
        .expect("a valid invitation");
    let password = "a demo password, long enough";
    s.form(
        &link_in(mail),
        &[("password", password), ("confirm", password)],
    )
    .await
    .expect(StatusCode::OK, "the invitation is accepted");
    s.sign_in(u["userName"].as_str().unwrap(), password).await;
}

#[tokio::test]
async fn a_recent_password_reset_link_works() {
    let s = linked_demo(300);
    let mails = s.outbox().await;
    let reset = mails
        .iter()
        .find(|m| m["kind"] == "password-reset")
        .expect("a password reset e-mail");
    let link = link_in(reset);
    assert!(link.starts_with("/reset/"), "{link}");
    s.anonymous()
        .get(&link)
        .await
        .expect(StatusCode::OK, "the reset page opens");
    let log = s.get("/roster/v1/audit?limit=500").await;
    let entry = log.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.password-reset")
        .expect("the reset is in the audit log");
    assert_eq!(entry["targetId"], reset["userId"]);
    assert!(reset["body"]
        .as_str()
        .unwrap()
        .contains(entry["after"]["expiresAt"].as_str().unwrap()));
}

#[tokio::test]
async fn demo_departments_count_their_members() {
    let s = Server::demo(300);
    let list = s.get("/roster/v1/departments").await;
    list.expect(StatusCode::OK, "the departments");
    assert_eq!(list.body["departments"].as_array().unwrap().len(), 12);
    let name = "Customer Success";
    let members = list.body["members"][name].as_i64().unwrap();
    let filtered = s
        .filter(&format!(r#"{EXT}:departments eq "{name}""#))
        .await
        .total();
    assert_eq!(members, filtered, "the count is who a filter finds");
}
