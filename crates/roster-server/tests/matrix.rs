//! The permission matrix: role × action → allow or deny, run against the
//! real router. Every deny is tested, and every allow too (an allow that
//! quietly failed would hide a rule that refuses too much).
//!
//! Actors, in the order of each row's verdicts:
//! Owner (the demo's, signed in), Admin, a custom "User admin" role (users
//! but not the Admin role, no security, no roles), Manager, Member, Viewer,
//! Guest.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const ACTORS: [&str; 7] = [
    "owner",
    "admin",
    "custom-user-admin",
    "manager",
    "member",
    "viewer",
    "guest",
];

#[derive(Clone, Copy, Debug)]
enum Action {
    ListUsers,
    InviteMember,
    InviteAdmin,
    GiveAdminRole,
    GrantPermissionNotHeld,
    EditOwner,
    ArchiveOwner,
    DeleteOwner,
    ArchiveSelf,
    DeleteSelf,
    RenameOtherUser,
    MakeOwner,
    SeeAllResources,
    ReadOutbox,
    ReadAuditLog,
    DefineRoleWithinOwnRights,
    DefineRoleBeyondOwnRights,
    DeleteMember,
    ArchiveMember,
    ArchiveMorePowerfulUser,
    GrantResourceNotVisible,
    ResetMemberPassword,
    CreateDepartment,
    RenameDepartment,
    DeleteDepartment,
}

use Action::*;

/// `A` allow, `D` deny, per actor in [`ACTORS`] order.
const MATRIX: &[(Action, &str)] = &[
    (ListUsers, "AAADDDD"),
    (InviteMember, "AAADDDD"),
    (InviteAdmin, "AADDDDD"),
    (GiveAdminRole, "AADDDDD"),
    (GrantPermissionNotHeld, "AADDDDD"),
    (EditOwner, "ADDDDDD"),
    (ArchiveOwner, "DDDDDDD"),
    (DeleteOwner, "DDDDDDD"),
    (ArchiveSelf, "DDDDDDD"),
    (DeleteSelf, "DDDDDDD"),
    (RenameOtherUser, "AADDDDD"),
    (MakeOwner, "DDDDDDD"),
    (SeeAllResources, "AADADDD"),
    (ReadOutbox, "AAADDDD"),
    (ReadAuditLog, "AADDDDD"),
    (DefineRoleWithinOwnRights, "AADDDDD"),
    (DefineRoleBeyondOwnRights, "ADDDDDD"),
    (DeleteMember, "AADDDDD"),
    (ArchiveMember, "AAADDDD"),
    (ArchiveMorePowerfulUser, "AADDDDD"),
    (GrantResourceNotVisible, "AADDDDD"),
    (ResetMemberPassword, "AAADDDD"),
    // `categories:manage`: not an account setting, so Managers have it.
    (CreateDepartment, "AADADDD"),
    (RenameDepartment, "AADADDD"),
    (DeleteDepartment, "AADADDD"),
];

struct Fixture {
    /// The server with the Owner's API token, for set-up.
    admin_token: Server,
    owner_id: String,
}

struct Actor {
    role: &'static str,
    session: Session,
    id: String,
}

/// The answer to one action: 2xx is allow, 403 is deny; for
/// [`SeeAllResources`], seeing fewer than all is deny.
enum Outcome {
    Allowed,
    Denied(String),
}

async fn fresh_user(fx: &Fixture, role: &str, ext: Value) -> String {
    let n = uuid_like();
    let mut e = ext;
    e["role"] = json!(role);
    let mut body = user_body(
        &format!("target-{n}@example.com"),
        "Target",
        &format!("Person {n}"),
    );
    body[EXT] = e;
    People::id(&fx.admin_token.create_user(body).await)
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{}", N.fetch_add(1, Ordering::Relaxed))
}

fn outcome(reply: &Reply, why: &str) -> Outcome {
    if reply.status.is_success() {
        return Outcome::Allowed;
    }
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "{why}: a refusal is 403, not {} ({})",
        reply.status,
        reply.body
    );
    let detail = reply.detail().to_string();
    assert!(
        detail.len() > 15 && detail.contains(' '),
        "{why}: a refusal says why in words: {}",
        reply.body
    );
    Outcome::Denied(detail)
}

async fn run(fx: &Fixture, actor: &Actor, action: Action) -> Outcome {
    let s = &actor.session.server;
    let why = format!("{} doing {action:?}", actor.role);
    let replace =
        |path: &str, value: Value| json!([{ "op": "replace", "path": path, "value": value }]);
    let reply = match action {
        ListUsers => s.get("/scim/v2/Users?count=5").await,
        InviteMember | InviteAdmin => {
            let role = if matches!(action, InviteAdmin) {
                "admin"
            } else {
                "member"
            };
            let mut user = user_body(
                &format!("invitee-{}@example.com", uuid_like()),
                "In",
                "Vitee",
            );
            user[EXT] = json!({ "role": role });
            s.post("/roster/v1/invitations", &json!({ "user": user }))
                .await
        }
        GiveAdminRole | MakeOwner => {
            let target = fresh_user(fx, "member", json!({})).await;
            let role = if matches!(action, MakeOwner) {
                "owner"
            } else {
                "admin"
            };
            s.patch(
                &format!("/scim/v2/Users/{target}"),
                replace(&format!("{EXT}:role"), json!(role)),
            )
            .await
        }
        GrantPermissionNotHeld => {
            let target = fresh_user(
                fx,
                "custom-auditor",
                json!({ "applications": [{ "value": "security", "mode": "custom" }], "permissions": [] }),
            )
            .await;
            s.patch(
                &format!("/scim/v2/Users/{target}"),
                replace(&format!("{EXT}:permissions"), json!(["security:audit-log"])),
            )
            .await
        }
        EditOwner => {
            s.patch(
                &format!("/scim/v2/Users/{}", fx.owner_id),
                replace("title", json!(format!("Founder {}", uuid_like()))),
            )
            .await
        }
        ArchiveOwner => {
            s.patch(
                &format!("/scim/v2/Users/{}", fx.owner_id),
                replace("active", json!(false)),
            )
            .await
        }
        DeleteOwner => s.delete(&format!("/scim/v2/Users/{}", fx.owner_id)).await,
        ArchiveSelf => {
            s.patch(
                &format!("/scim/v2/Users/{}", actor.id),
                replace("active", json!(false)),
            )
            .await
        }
        DeleteSelf => s.delete(&format!("/scim/v2/Users/{}", actor.id)).await,
        RenameOtherUser => {
            let target = fresh_user(fx, "member", json!({})).await;
            s.patch(
                &format!("/scim/v2/Users/{target}"),
                replace("name.givenName", json!("Renamed")),
            )
            .await
        }
        SeeAllResources => {
            let all = fx.admin_token.get("/roster/v1/resources").await;
            let mine = s.get("/roster/v1/resources").await;
            mine.expect(StatusCode::OK, &why);
            let (all, mine) = (
                all.body["resources"].as_array().map_or(0, Vec::len),
                mine.body["resources"].as_array().map_or(0, Vec::len),
            );
            assert!(all > 0, "the demo has resources");
            return if mine == all {
                Outcome::Allowed
            } else {
                Outcome::Denied(format!("sees {mine} of {all} resources"))
            };
        }
        ReadOutbox => s.get("/roster/v1/outbox").await,
        ReadAuditLog => s.get("/roster/v1/audit").await,
        DefineRoleWithinOwnRights | DefineRoleBeyondOwnRights => {
            let permissions = if matches!(action, DefineRoleBeyondOwnRights) {
                json!(["profile:view", "billing:view-invoices"])
            } else {
                json!(["profile:view", "tasks:view"])
            };
            s.post(
                "/roster/v1/roles",
                &json!({ "name": format!("Role {}", uuid_like()), "permissions": permissions }),
            )
            .await
        }
        DeleteMember => {
            let target = fresh_user(fx, "member", json!({})).await;
            s.delete(&format!("/scim/v2/Users/{target}")).await
        }
        ArchiveMember | ArchiveMorePowerfulUser => {
            let role = if matches!(action, ArchiveMember) {
                "member"
            } else {
                "admin"
            };
            let target = fresh_user(fx, role, json!({})).await;
            s.patch(
                &format!("/scim/v2/Users/{target}"),
                replace("active", json!(false)),
            )
            .await
        }
        GrantResourceNotVisible => {
            // A resource the actor neither owns nor was granted: only roles
            // that see every resource may share it.
            let all = fx.admin_token.get("/roster/v1/resources").await;
            let resource = all.body["resources"][0]["id"].as_str().unwrap().to_string();
            let target = fresh_user(fx, "member", json!({})).await;
            s.post(
                &format!("/roster/v1/users/{target}/resources"),
                &json!({ "resources": [resource] }),
            )
            .await
        }
        ResetMemberPassword => {
            let target = fresh_user(fx, "member", json!({})).await;
            s.post(
                &format!("/roster/v1/users/{target}/password-reset"),
                &json!({}),
            )
            .await
        }
        CreateDepartment => {
            s.post(
                "/roster/v1/departments",
                &json!({ "name": format!("Department {}", uuid_like()) }),
            )
            .await
        }
        RenameDepartment | DeleteDepartment => {
            // A department with a member, made by the Owner's token.
            let name = format!("Department {}", uuid_like());
            fresh_user(fx, "member", json!({ "departments": [name] })).await;
            let path = format!("/roster/v1/departments/{}", enc(&name));
            if matches!(action, RenameDepartment) {
                s.patch_json(&path, &json!({ "name": format!("{name} renamed") }))
                    .await
            } else {
                s.delete(&path).await
            }
        }
    };
    outcome(&reply, &why)
}

#[tokio::test]
async fn role_by_action_matrix() {
    let server = Server::demo(30);
    // The user admin holds everything a Member may hold, so that they can
    // invite and manage Members, plus the user permissions short of delete.
    let catalogue = server.get("/roster/v1/roles").await;
    let mut permissions: Vec<Value> = catalogue.body["roles"]
        .as_array()
        .expect("a role list")
        .iter()
        .find(|r| r["id"] == "member")
        .expect("the Member role")["permissions"]
        .as_array()
        .expect("permissions")
        .clone();
    for p in [
        "users:view",
        "users:invite",
        "users:edit",
        "users:archive",
        "users:reset-password",
    ] {
        permissions.push(json!(p));
    }
    let roles = [
        json!({
            "id": "custom-user-admin", "name": "User admin",
            "description": "Looks after people, not the account.",
            "permissions": permissions,
            "capabilities": ["userAdmin", "createModify", "execute", "view"]
        }),
        json!({
            "id": "custom-auditor", "name": "Auditor",
            "permissions": ["security:audit-log", "profile:view", "profile:edit", "tasks:view"]
        }),
    ];
    for role in &roles {
        server.post("/roster/v1/roles", role).await.expect(
            StatusCode::CREATED,
            "the Owner defines the matrix's custom roles",
        );
    }
    let owner = server
        .sign_in(
            roster_server::demo::DEMO_OWNER_EMAIL,
            roster_server::demo::DEMO_OWNER_PASSWORD,
        )
        .await;
    let owner_id = owner.server.get("/roster/v1/me").await.body["userId"]
        .as_str()
        .expect("the Owner is a user")
        .to_string();
    let fx = Fixture {
        admin_token: server.clone(),
        owner_id: owner_id.clone(),
    };
    let mut actors = vec![Actor {
        role: "owner",
        session: owner,
        id: owner_id,
    }];
    for role in &ACTORS[1..] {
        let (user, session) = server
            .user_session(&format!("actor-{role}@example.com"), role)
            .await;
        actors.push(Actor {
            role,
            session,
            id: People::id(&user),
        });
    }

    let mut failures = Vec::new();
    let mut denials = 0;
    for (action, verdicts) in MATRIX {
        assert_eq!(
            verdicts.len(),
            ACTORS.len(),
            "{action:?}: one verdict per actor"
        );
        for (actor, verdict) in actors.iter().zip(verdicts.chars()) {
            let got = run(&fx, actor, *action).await;
            match (verdict, &got) {
                ('A', Outcome::Allowed) => {}
                ('D', Outcome::Denied(_)) => denials += 1,
                ('A', Outcome::Denied(why)) => failures.push(format!(
                    "{} {action:?}: expected allow, denied: {why}",
                    actor.role
                )),
                ('D', Outcome::Allowed) => {
                    failures.push(format!("{} {action:?}: expected deny, allowed", actor.role))
                }
                _ => panic!("verdicts are A or D"),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "the matrix does not hold:\n{}",
        failures.join("\n")
    );
    assert!(
        denials > 80,
        "the matrix exercises many denials ({denials})"
    );
}

/// The reasons people read: a sample of denials says what rule refused.
#[tokio::test]
async fn denials_name_the_rule() {
    let server = Server::demo(10);
    let (_, admin) = server
        .user_session("second-admin@example.com", "admin")
        .await;
    let (me, _) = server.user_session("someone@example.com", "member").await;
    let owner_id = server
        .get(&users_filter_path(&format!(r#"{EXT}:role eq "owner""#)))
        .await
        .ids()[0]
        .clone();
    let reply = admin
        .server
        .patch(
            &format!("/scim/v2/Users/{owner_id}"),
            json!([{ "op": "replace", "path": "title", "value": "x" }]),
        )
        .await;
    reply.expect_scim_error(StatusCode::FORBIDDEN, None, "an Admin edits the Owner");
    assert!(
        reply.detail().contains("Only the Owner"),
        "{}",
        reply.detail()
    );

    let reply = admin
        .server
        .patch(
            &format!("/scim/v2/Users/{}", People::id(&me)),
            json!([{ "op": "replace", "path": format!("{EXT}:role"), "value": "owner" }]),
        )
        .await;
    reply.expect_scim_error(StatusCode::FORBIDDEN, None, "an Admin makes someone Owner");
    assert!(
        reply.detail().contains("exactly one Owner"),
        "{}",
        reply.detail()
    );

    let reply = admin
        .server
        .post(
            "/roster/v1/roles",
            &json!({ "name": "Billing clerk", "permissions": ["billing:view-invoices"] }),
        )
        .await;
    reply.expect(
        StatusCode::FORBIDDEN,
        "an Admin defines a role with billing",
    );
    assert!(
        reply.detail().contains("billing:view-invoices") && reply.detail().contains("do not hold"),
        "{}",
        reply.detail()
    );
}
