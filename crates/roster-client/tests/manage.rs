//! The Roster management endpoints through the client, against the real
//! server: invitations and the outbox, password resets, resource grants,
//! credits and events, the audit log, delete with transfer, limits, roles
//! the caller may not grant, custom roles changed and deleted, notification
//! settings and departments.

mod common;

use common::{all_rows, start};
use roster_client::model::{
    ApplicationMode, DeleteRequest, Digest, ErrorKind, InviteRequest, NewRole,
    NotificationSettings, Status, Tab, UserEdit, UserLimits,
};
use roster_client::{Client, ClientError};

fn invitee(email: &str, role: &str) -> InviteRequest {
    InviteRequest {
        user: UserEdit {
            given_name: "Ina".into(),
            family_name: "Invitee".into(),
            email: email.into(),
            role: Some(role.into()),
            departments: Vec::new(),
            applications: Vec::<ApplicationMode>::new(),
            permissions: Vec::new(),
        },
        send_email: true,
    }
}

fn kind(error: ClientError) -> (ErrorKind, String) {
    let app: roster_client::model::AppError = error.into();
    (app.kind, app.message)
}

/// An active user with a role, other than the signed-in ones.
async fn active_with_role(client: &Client, role: &str) -> String {
    all_rows(client, Tab::Active)
        .await
        .into_iter()
        .find(|r| r.role.as_deref() == Some(role))
        .unwrap_or_else(|| panic!("the demo has an active {role}"))
        .id
}

#[tokio::test]
async fn invitations_resend_revoke_and_show_in_the_outbox() {
    let server = start().await;
    let client = server.owner().await;
    let invited = client
        .invite(&invitee("ina.outbox@example.com", "member"))
        .await
        .unwrap();
    assert_eq!(invited.status, Status::Pending);

    let outbox = client.outbox(Some(&invited.id), None, None).await.unwrap();
    assert_eq!(outbox.total, 1, "one invitation e-mail");
    let first = &outbox.messages[0];
    assert_eq!(first.kind, "invitation");
    assert_eq!(first.to, "ina.outbox@example.com");
    let link = first
        .link
        .clone()
        .expect("the e-mail holds the accept link");
    assert!(link.contains("/invite/"), "{link}");

    let resent = client.resend_invitation(&invited.id).await.unwrap();
    assert_eq!(resent.status, Status::Pending);
    let outbox = client.outbox(Some(&invited.id), None, None).await.unwrap();
    assert_eq!(outbox.total, 2, "the resend wrote a second e-mail");
    assert_ne!(
        outbox.messages[0].link.as_deref(),
        Some(link.as_str()),
        "the newest e-mail has a new link"
    );

    client.revoke_invitation(&invited.id).await.unwrap();
    let (k, _) = kind(client.get_user(&invited.id).await.unwrap_err());
    assert_eq!(k, ErrorKind::NotFound, "revoking removes the pending user");

    // Only pending users have invitations.
    let active = active_with_role(&client, "member").await;
    let (k, message) = kind(client.resend_invitation(&active).await.unwrap_err());
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("already accepted"), "{message}");
}

#[tokio::test]
async fn a_password_reset_goes_to_the_outbox() {
    let server = start().await;
    let client = server.owner().await;
    let member = active_with_role(&client, "member").await;
    let reset = client.reset_password(&member).await.unwrap();
    let outbox = client.outbox(None, None, Some(5)).await.unwrap();
    let message = outbox
        .messages
        .iter()
        .find(|m| m.id == reset.outbox_id)
        .expect("the reset e-mail is in the outbox");
    assert_eq!(message.kind, "password-reset");
    assert!(message.link.as_deref().unwrap_or("").contains("/reset/"));
}

#[tokio::test]
async fn resources_are_granted_and_a_guest_keeps_their_last() {
    let server = start().await;
    let client = server.owner().await;
    let all = client.resources().await.unwrap();
    assert!(all.len() >= 2, "the demo has resources");
    let guest = active_with_role(&client, "guest").await;
    let granted = client
        .grant_resources(&guest, &[all[0].id.clone(), all[1].id.clone()])
        .await
        .unwrap();
    assert!(granted.requires_resource && !granted.full_access);
    let mut held: Vec<String> = granted.resources.iter().map(|r| r.id.clone()).collect();
    while held.len() > 1 {
        let id = held.pop().unwrap();
        let left = client.revoke_resource(&guest, &id).await.unwrap();
        assert_eq!(left.resources.len(), held.len());
    }
    let (k, message) = kind(client.revoke_resource(&guest, &held[0]).await.unwrap_err());
    assert_eq!(k, ErrorKind::Validation, "a 409 is shown as it is");
    assert!(message.contains("at least one resource"), "{message}");

    let admin = active_with_role(&client, "manager").await;
    assert!(client.user_resources(&admin).await.unwrap().full_access);
}

#[tokio::test]
async fn credits_statistics_events_and_limits() {
    let server = start().await;
    let client = server.owner().await;
    let member = active_with_role(&client, "member").await;
    let detail = client.get_user(&member).await.unwrap();
    let saved = client
        .set_limits(
            &member,
            detail.version.clone(),
            &UserLimits {
                credit_limit: Some(1_000_000),
                allowed_ips: vec!["10.0.0.0/8".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.credit_limit, Some(1_000_000));
    assert_eq!(saved.allowed_ips, ["10.0.0.0/8"]);
    let before = client.statistics(&member).await.unwrap();
    client
        .record_usage(&member, "tasks", "Site audit (40 pages)", 40)
        .await
        .unwrap();
    let after = client.statistics(&member).await.unwrap();
    assert_eq!(after.credits_used, before.credits_used + 40);
    assert_eq!(after.remaining_credits, before.remaining_credits - 40);
    assert_eq!(
        after.account_balance,
        before.account_balance - 40,
        "the account is charged"
    );
    assert_eq!(after.account_type, "Member");
    let events = client.events(&member, None, Some(5)).await.unwrap();
    assert_eq!(events.events[0].description, "Site audit (40 pages)");
    assert_eq!(events.events[0].credits, 40);

    // Over the limit is refused with the server's words.
    let limit = after.credits_used + 10;
    let current = client.get_user(&member).await.unwrap();
    client
        .set_limits(
            &member,
            current.version,
            &UserLimits {
                credit_limit: Some(limit),
                allowed_ips: Vec::new(),
            },
        )
        .await
        .unwrap();
    let (k, message) = kind(
        client
            .record_usage(&member, "tasks", "Too much", 11)
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("11 credits"), "{message}");

    // A bad range is refused with the server's explanation.
    let current = client.get_user(&member).await.unwrap();
    let (k, message) = kind(
        client
            .set_limits(
                &member,
                current.version,
                &UserLimits {
                    credit_limit: None,
                    allowed_ips: vec!["10.0.0.0/33".into()],
                },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("CIDR"), "{message}");
}

#[tokio::test]
async fn the_audit_log_pages_and_shows_what_changed() {
    let server = start().await;
    let client = server.owner().await;
    let member = active_with_role(&client, "member").await;
    let detail = client.get_user(&member).await.unwrap();
    let mut edit = detail.edit();
    edit.role = Some("viewer".into());
    client
        .save_user(&member, detail.version.clone(), &edit)
        .await
        .unwrap();
    let page = client.audit(Some(&member), None, Some(1)).await.unwrap();
    let entry = &page.entries[0];
    assert_eq!(entry.action, "user.update");
    assert_eq!(
        entry.actor,
        roster_server::demo::DEMO_OWNER_EMAIL,
        "who did it"
    );
    let role = entry
        .changes
        .iter()
        .find(|c| c.field == "role")
        .expect("the role change is listed");
    assert_eq!(
        (role.before.as_deref(), role.after.as_deref()),
        (Some("member"), Some("viewer"))
    );
    client
        .invite(&invitee("ina.audit@example.com", "member"))
        .await
        .unwrap();
    let first = client.audit(None, None, Some(1)).await.unwrap();
    assert!(first.total >= 2);
    let next = first.next_before.expect("more than one page");
    let second = client.audit(None, Some(next), Some(1)).await.unwrap();
    assert!(
        second.entries[0].seq < first.entries[0].seq,
        "older entries"
    );
}

#[tokio::test]
async fn delete_with_transfer_says_what_moved() {
    let server = start().await;
    let client = server.owner().await;
    let resources = client.resources().await.unwrap();
    let rows = all_rows(&client, Tab::Active).await;
    // An active non-Owner who owns resources, and someone else to receive them.
    let owners: Vec<String> = {
        let url = format!("{}/roster/v1/resources", server.url.root());
        let answer: serde_json::Value = reqwest::Client::new()
            .get(url)
            .bearer_auth(common::API_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["ownerId"].as_str().map(str::to_owned))
            .collect()
    };
    let victim = rows
        .iter()
        .find(|r| r.role.as_deref() != Some("owner") && owners.contains(&r.id))
        .expect("someone owns resources");
    let heir = rows
        .iter()
        .find(|r| r.role.as_deref() == Some("member") && r.id != victim.id)
        .unwrap();
    assert!(!resources.is_empty());
    let outcome = client
        .delete_with_transfer(
            &victim.id,
            &DeleteRequest {
                transfer_to: Some(heir.id.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(outcome.deleted_name, victim.display_name);
    assert_eq!(
        outcome.transferred_to.as_deref(),
        Some(heir.display_name.as_str())
    );
    assert!(!outcome.affected.is_empty(), "their resources moved");

    let (k, message) = kind(
        client
            .delete_with_transfer(
                &heir.id,
                &DeleteRequest {
                    transfer_to: Some(heir.id.clone()),
                },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation, "{message}");
}

#[tokio::test]
async fn roles_say_whether_the_caller_may_grant_them() {
    let server = start().await;
    let owner = server.owner().await;
    let catalogue = owner.catalogue().await.unwrap();
    assert!(catalogue
        .roles
        .iter()
        .filter(|r| r.assignable)
        .all(|r| r.grantable));
    let admin = server.admin().await;
    let catalogue = admin.catalogue().await.unwrap();
    let owner_role = catalogue.roles.iter().find(|r| r.id == "owner").unwrap();
    assert!(!owner_role.grantable);
    assert!(owner_role.not_grantable_reason.is_some());
}

#[tokio::test]
async fn a_custom_role_holds_only_what_its_author_holds() {
    let server = start().await;
    let admin = server.admin().await;
    let (k, message) = kind(
        admin
            .create_role(&roster_client::model::NewRole {
                name: "Invoice reader".into(),
                description: String::new(),
                permissions: vec!["billing:view-invoices".into()],
            })
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Forbidden, "{message}");
    assert!(message.contains("billing:view-invoices"), "{message}");
    let catalogue = admin
        .create_role(&roster_client::model::NewRole {
            name: "Case reader".into(),
            description: "Reads the cases shared with them.".into(),
            permissions: vec!["profile:view".into(), "cases:view".into()],
        })
        .await
        .unwrap();
    let role = catalogue
        .roles
        .iter()
        .find(|r| r.name == "Case reader")
        .expect("the new role is in the catalogue");
    assert!(role.custom && role.grantable);
}

#[tokio::test]
async fn a_custom_role_is_changed_and_deleted_once_nobody_holds_it() {
    let server = start().await;
    let admin = server.admin().await;
    let role = |name: &str, description: &str, permissions: &[&str]| NewRole {
        name: name.into(),
        description: description.into(),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    };
    let catalogue = admin
        .create_role(&role("Case reader", "", &["profile:view", "cases:view"]))
        .await
        .unwrap();
    let id = catalogue
        .roles
        .iter()
        .find(|r| r.name == "Case reader")
        .unwrap()
        .id
        .clone();
    let catalogue = admin
        .update_role(
            &id,
            &role(
                "Case analyst",
                "Reads cases and their statistics.",
                &["profile:view", "cases:view", "statistics:view"],
            ),
        )
        .await
        .unwrap();
    let changed = catalogue.roles.iter().find(|r| r.id == id).unwrap();
    assert_eq!(changed.name, "Case analyst");
    assert_eq!(changed.description, "Reads cases and their statistics.");
    assert!(changed.permissions.contains(&"statistics:view".to_owned()));
    let (k, message) = kind(
        admin
            .update_role(&id, &role("Admin", "", &["profile:view"]))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation, "a taken name: {message}");
    let (k, _) = kind(
        admin
            .update_role(&id, &role("  ", "", &[]))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);

    // Held by someone, it stays.
    let invited = admin
        .invite(&invitee("ina.role@example.com", &id))
        .await
        .unwrap();
    let (k, message) = kind(admin.delete_role(&id).await.unwrap_err());
    assert_eq!(k, ErrorKind::Validation, "{message}");
    assert!(message.contains("still have the role"), "{message}");
    admin.revoke_invitation(&invited.id).await.unwrap();
    let catalogue = admin.delete_role(&id).await.unwrap();
    assert!(catalogue.roles.iter().all(|r| r.id != id));
    // Built-in roles cannot be changed or deleted.
    assert!(admin.delete_role("member").await.is_err());
}

#[tokio::test]
async fn notification_settings_are_read_and_set() {
    let server = start().await;
    let owner = server.owner().await;
    let id = active_with_role(&owner, "member").await;
    let before = owner.get_user(&id).await.unwrap();
    let settings = before
        .notifications
        .expect("the Roster extension has notification settings");
    let wanted = NotificationSettings {
        email: !settings.email,
        in_app: !settings.in_app,
        digest: if settings.digest == Digest::Daily {
            Digest::Never
        } else {
            Digest::Daily
        },
    };
    let saved = owner
        .set_notifications(&id, before.version.clone(), &wanted)
        .await
        .unwrap();
    assert_eq!(saved.notifications, Some(wanted));
    assert_eq!(
        owner.get_user(&id).await.unwrap().notifications,
        Some(wanted)
    );
    assert_ne!(saved.version, before.version, "a new version");
    // The version read before the change is stale now.
    let (k, _) = kind(
        owner
            .set_notifications(&id, before.version, &settings)
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Conflict);
}

#[tokio::test]
async fn departments_are_added_renamed_and_removed_for_their_members() {
    let server = start().await;
    let owner = server.owner().await;
    let list = owner.departments().await.unwrap();
    let busiest = list
        .iter()
        .max_by_key(|d| d.members)
        .expect("the demo has departments")
        .clone();
    assert!(busiest.members > 0);
    let in_it = |client: &Client, name: &str| {
        let client = client.clone();
        let req = roster_client::model::WindowRequest {
            department: Some(name.to_owned()),
            ..common::window(Tab::Active, "", 0, 1000)
        };
        async move {
            let window = client.users_window(&req).await.unwrap();
            window.counts.active + window.counts.pending + window.counts.archived
        }
    };
    assert_eq!(in_it(&owner, &busiest.name).await, busiest.members);

    // Names are checked before anything is sent.
    for bad in ["", "   ", &"x".repeat(101), "two\nlines"] {
        let (k, message) = kind(owner.create_department(bad).await.unwrap_err());
        assert_eq!(k, ErrorKind::Validation, "{bad:?}: {message}");
    }
    let list = owner
        .create_department("  Øresund Logistik ")
        .await
        .unwrap();
    let added = list.iter().find(|d| d.name == "Øresund Logistik").unwrap();
    assert_eq!(added.members, 0);
    assert!(owner
        .catalogue()
        .await
        .unwrap()
        .departments
        .contains(&"Øresund Logistik".to_owned()));
    // Taken, ignoring case: a uniqueness refusal, which the client reads as
    // a problem with what was typed.
    let (k, message) = kind(
        owner
            .create_department("øresund logistik")
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation, "{message}");
    assert!(message.contains("already"), "{message}");

    let renamed = format!("{} (renamed)", busiest.name);
    let list = owner
        .rename_department(&busiest.name, &renamed)
        .await
        .unwrap();
    assert!(list.iter().all(|d| d.name != busiest.name));
    assert_eq!(
        list.iter().find(|d| d.name == renamed).unwrap().members,
        busiest.members
    );
    assert_eq!(in_it(&owner, &renamed).await, busiest.members);
    assert_eq!(in_it(&owner, &busiest.name).await, 0);

    let list = owner.delete_department(&renamed).await.unwrap();
    assert!(list.iter().all(|d| d.name != renamed));
    assert_eq!(in_it(&owner, &renamed).await, 0);
    let (k, _) = kind(owner.delete_department(&renamed).await.unwrap_err());
    assert_eq!(k, ErrorKind::NotFound);

    // A Viewer reads the list but cannot change it.
    server.register_token("viewer-token", "viewer");
    let viewer = Client::with_api_token(
        server.url.clone(),
        roster_client::Secret::new("viewer-token"),
    )
    .await
    .unwrap();
    assert!(!viewer.departments().await.unwrap().is_empty());
    let (k, message) = kind(viewer.create_department("Skunkworks").await.unwrap_err());
    assert_eq!(k, ErrorKind::Forbidden, "{message}");
}
