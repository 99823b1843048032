//! Saving, inviting, archiving and deleting users against the real server.

mod common;

use common::{all_rows, start, window};
use roster_client::model::{
    ApplicationMode, ErrorKind, InviteRequest, PermissionMode, Status, Tab, UserDetail, UserEdit,
};
use roster_client::{Client, CHANGED_BY_SOMEONE_ELSE};

fn edit_of(detail: &UserDetail) -> UserEdit {
    detail.edit()
}

/// An active user with the Member role (not the Owner, not the demo Admin).
async fn a_member(client: &Client) -> UserDetail {
    let row = all_rows(client, Tab::Active)
        .await
        .into_iter()
        .find(|r| r.role.as_deref() == Some("member"))
        .expect("the demo has active members");
    client.get_user(&row.id).await.unwrap()
}

fn invitation(email: &str) -> InviteRequest {
    InviteRequest {
        user: UserEdit {
            given_name: "Amélie".into(),
            family_name: "Zoë-Invited".into(),
            email: email.into(),
            role: Some("member".into()),
            departments: vec!["Finance".into()],
            applications: Vec::new(),
            permissions: Vec::new(),
        },
        send_email: true,
    }
}

async fn invited(client: &Client, email: &str) -> UserDetail {
    client
        .invite(&invitation(email))
        .await
        .expect("the invitation is created")
}

#[tokio::test]
async fn a_custom_permission_is_saved_and_reads_back() {
    let server = start().await;
    let client = server.owner().await;
    let member = a_member(&client).await;
    let catalogue = client.catalogue().await.unwrap();
    let ceiling = &catalogue
        .roles
        .iter()
        .find(|r| r.id == "member")
        .unwrap()
        .permissions;
    // An application where the Member role may hold at least two permissions.
    let (app, allowed) = catalogue
        .applications
        .iter()
        .find_map(|a| {
            let allowed: Vec<String> = a
                .permissions
                .iter()
                .map(|p| p.id.clone())
                .filter(|p| ceiling.contains(p))
                .collect();
            (allowed.len() >= 2).then(|| (a.id.clone(), allowed))
        })
        .expect("a member application with two permissions");
    let (granted, withheld) = (&allowed[0], &allowed[1]);

    let mut edit = edit_of(&member);
    edit.applications.retain(|a| a.application != app);
    edit.applications.push(ApplicationMode {
        application: app.clone(),
        mode: PermissionMode::Custom,
    });
    edit.permissions
        .retain(|p| !p.starts_with(&format!("{app}:")));
    edit.permissions.push(granted.clone());

    let saved = client
        .save_user(&member.id, member.version.clone(), &edit)
        .await
        .expect("the Owner may change a member's permissions");
    assert_ne!(
        saved.version, member.version,
        "a change makes a new version"
    );
    let reread = client.get_user(&member.id).await.unwrap();
    assert_eq!(reread, saved, "what save returns is what the server keeps");
    assert!(reread
        .applications
        .iter()
        .any(|a| a.application == app && a.mode == PermissionMode::Custom));
    assert!(reread.permissions.contains(granted));
    assert!(!reread.permissions.contains(withheld));
    assert!(
        reread.entitlements.contains(granted),
        "the grant is in effect"
    );
    assert!(
        !reread.entitlements.contains(withheld),
        "Custom withholds the rest"
    );
    assert_eq!(reread.email, member.email, "untouched attributes stay");

    // Saving the same state again changes nothing, not even the version.
    let again = client
        .save_user(&member.id, saved.version.clone(), &edit)
        .await
        .unwrap();
    assert_eq!(again.version, saved.version);
}

#[tokio::test]
async fn names_and_email_are_saved() {
    let server = start().await;
    let client = server.owner().await;
    let member = a_member(&client).await;
    let mut edit = edit_of(&member);
    edit.given_name = "Zoë".into();
    edit.family_name = "Renamed".into();
    edit.email = "zoe.renamed@northwind.example".into();
    let saved = client
        .save_user(&member.id, member.version.clone(), &edit)
        .await
        .unwrap();
    assert_eq!(
        (saved.given_name.as_str(), saved.family_name.as_str()),
        ("Zoë", "Renamed")
    );
    assert_eq!(saved.email, "zoe.renamed@northwind.example");
    let found = client
        .users_window(&window(Tab::Active, "zoe renamed", 0, 10))
        .await
        .unwrap();
    assert_eq!(
        found.rows.len(),
        1,
        "the renamed user is found by the new name"
    );
    assert_eq!(
        found.rows[0].display_name, "Zoë Renamed",
        "the shown name follows"
    );
    assert_eq!(found.rows[0].email, "zoe.renamed@northwind.example");
}

#[tokio::test]
async fn a_save_over_someone_elses_change_is_a_conflict() {
    let server = start().await;
    let owner = server.owner().await;
    let admin = server.admin().await;
    let member = a_member(&owner).await;
    let opened_by_admin = admin.get_user(&member.id).await.unwrap();

    let mut first = edit_of(&member);
    first.departments = vec!["Legal".into()];
    owner
        .save_user(&member.id, member.version.clone(), &first)
        .await
        .unwrap();

    let mut second = edit_of(&opened_by_admin);
    second.family_name = "Overwritten".into();
    let err = admin
        .save_user(&member.id, opened_by_admin.version.clone(), &second)
        .await
        .expect_err("the admin's copy is stale");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.message(), CHANGED_BY_SOMEONE_ELSE);
    let now = owner.get_user(&member.id).await.unwrap();
    assert_eq!(
        now.family_name, member.family_name,
        "nothing of the stale save was applied"
    );
    assert_eq!(now.departments, vec!["Legal".to_owned()]);
}

#[tokio::test]
async fn an_invited_user_is_pending() {
    let server = start().await;
    let client = server.owner().await;
    let before = client
        .users_window(&window(Tab::Pending, "", 0, 0))
        .await
        .unwrap()
        .counts;
    let detail = invited(&client, "amelie.invited@example.com").await;
    assert_eq!(detail.status, Status::Pending);
    assert_eq!(detail.role.as_deref(), Some("member"));
    assert_eq!(detail.departments, vec!["Finance".to_owned()]);
    assert!(detail.invitation_expires_at.is_some());

    let pending = client
        .users_window(&window(Tab::Pending, "amelie.invited", 0, 10))
        .await
        .unwrap();
    assert_eq!(common::ids(&pending.rows), vec![detail.id.clone()]);
    assert_eq!(pending.rows[0].display_name, "Amélie Zoë-Invited");
    let after = client
        .users_window(&window(Tab::Pending, "", 0, 0))
        .await
        .unwrap()
        .counts;
    assert_eq!(after.pending, before.pending + 1);
    assert_eq!(after.active, before.active);
}

#[tokio::test]
async fn invitations_report_bad_input_and_duplicates() {
    let server = start().await;
    let client = server.owner().await;
    let mut bad_role = invitation("someone.new@example.com");
    bad_role.user.role = Some("emperor".into());
    let err = client.invite(&bad_role).await.expect_err("no such role");
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(
        err.message().contains("emperor"),
        "the server's detail is shown: {err}"
    );

    let mut bad_email = invitation("not-an-address");
    bad_email.user.email = "not-an-address".into();
    let err = client.invite(&bad_email).await.expect_err("not an e-mail");
    assert_eq!(err.kind(), ErrorKind::Validation);

    invited(&client, "twice@example.com").await;
    let err = client
        .invite(&invitation("twice@example.com"))
        .await
        .expect_err("the e-mail is taken");
    assert_eq!(
        err.kind(),
        ErrorKind::Validation,
        "a taken e-mail is corrected in the form, not reloaded like a 412"
    );
    assert!(err.message().contains("twice@example.com"), "{err}");
}

#[tokio::test]
async fn archive_and_reactivate_move_a_user_between_tabs() {
    let server = start().await;
    let client = server.owner().await;
    let member = a_member(&client).await;
    let archived = client
        .set_archived(&member.id, member.version.clone(), true)
        .await
        .expect("the Owner may archive a member");
    assert_eq!(archived.status, Status::Archived);
    let tab = client
        .users_window(&window(Tab::Archived, &member.email, 0, 10))
        .await
        .unwrap();
    assert!(
        tab.rows.iter().any(|r| r.id == member.id),
        "now in the Archived tab"
    );

    let err = client
        .set_archived(&member.id, member.version.clone(), false)
        .await
        .expect_err("the old version is stale after archiving");
    assert_eq!(err.kind(), ErrorKind::Conflict);

    let active = client
        .set_archived(&member.id, archived.version.clone(), false)
        .await
        .expect("reactivation");
    assert_eq!(active.status, Status::Active);
    let tab = client
        .users_window(&window(Tab::Active, &member.email, 0, 10))
        .await
        .unwrap();
    assert!(
        tab.rows.iter().any(|r| r.id == member.id),
        "back in the Active tab"
    );
}

#[tokio::test]
async fn the_owner_cannot_be_archived() {
    let server = start().await;
    let admin = server.admin().await;
    let owner_row = all_rows(&admin, Tab::Active)
        .await
        .into_iter()
        .find(|r| r.role.as_deref() == Some("owner"))
        .unwrap();
    let err = admin
        .set_archived(&owner_row.id, None, true)
        .await
        .expect_err("the Owner stays");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.message().contains("Owner"), "{err}");
}

#[tokio::test]
async fn a_deleted_user_is_gone() {
    let server = start().await;
    let client = server.owner().await;
    let user = invited(&client, "short.lived@example.com").await;
    client
        .delete_user(&user.id, user.version.clone())
        .await
        .expect("the Owner may delete");
    let err = client.get_user(&user.id).await.expect_err("deleted");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = client
        .delete_user(&user.id, None)
        .await
        .expect_err("nothing left to delete");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
