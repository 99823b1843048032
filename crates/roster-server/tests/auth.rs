//! Authentication (bearer tokens, the OAuth password and refresh grants,
//! revocation) and authorization (what each role may do to whom).

mod common;

use axum::http::StatusCode;
use common::*;
use roster_server::demo::{
    DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD,
};
use serde_json::{json, Value};

async fn id_of(s: &Server, user_name: &str) -> String {
    let reply = s.filter(&format!(r#"userName eq "{user_name}""#)).await;
    reply.expect(StatusCode::OK, "look the user up");
    reply
        .ids()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{user_name} exists"))
}

fn oauth_error(reply: &Reply) -> &str {
    reply.body["error"].as_str().unwrap_or("")
}

// ---- bearer tokens ---------------------------------------------------------

#[tokio::test]
async fn no_authorization_is_401_with_www_authenticate() {
    let s = Server::new();
    let reply = s.anonymous().get("/scim/v2/Users").await;
    reply.expect_scim_error(StatusCode::UNAUTHORIZED, None, "a token is required");
    let challenge = reply
        .header("www-authenticate")
        .expect("401 carries a WWW-Authenticate challenge");
    assert!(
        challenge.starts_with("Bearer"),
        "the challenge names the Bearer scheme: {challenge}"
    );
}

#[tokio::test]
async fn wrong_token_is_401() {
    let s = Server::new();
    let reply = s.with_token("not-the-token").get("/scim/v2/Users").await;
    reply.expect_scim_error(StatusCode::UNAUTHORIZED, None, "an unknown token");
    assert!(
        reply.header("www-authenticate").is_some(),
        "with a challenge"
    );
}

#[tokio::test]
async fn non_bearer_authorization_is_401() {
    let s = Server::new();
    s.anonymous()
        .get_with("/scim/v2/Users", &[("authorization", "Basic dXNlcjpwYXNz")])
        .await
        .expect_scim_error(
            StatusCode::UNAUTHORIZED,
            None,
            "only bearer tokens are accepted",
        );
}

#[tokio::test]
async fn every_protected_route_needs_a_token() {
    let s = Server::new();
    let anon = s.anonymous();
    for path in [
        "/scim/v2/Users",
        "/scim/v2/Users/x",
        "/scim/v2/Groups",
        "/scim/v2/Groups/x",
    ] {
        anon.get(path).await.expect_scim_error(
            StatusCode::UNAUTHORIZED,
            None,
            &format!("GET {path}"),
        );
    }
    anon.post("/scim/v2/Users", &user_body("x@example.com", "X", "Y"))
        .await
        .expect_scim_error(StatusCode::UNAUTHORIZED, None, "POST /Users");
    anon.post("/scim/v2/Users/.search", &json!({}))
        .await
        .expect_scim_error(StatusCode::UNAUTHORIZED, None, "POST /Users/.search");
    assert_eq!(
        s.get("/scim/v2/Users").await.total(),
        0,
        "nothing was created anonymously"
    );
}

// ---- password grant ----------------------------------------------------------

#[tokio::test]
async fn password_grant_as_the_demo_owner_lists_users() {
    let s = Server::demo(10);
    let reply = s.token_for(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    reply.expect(StatusCode::OK, "the Owner signs in");
    assert_eq!(reply.body["token_type"], "Bearer", "a bearer token");
    assert!(
        reply.body["expires_in"].as_i64().is_some_and(|n| n > 0),
        "with a lifetime"
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "tokens are not cached (RFC 6749 §5.1)"
    );
    let session = Session::from_reply(&s, &reply);
    let list = session.server.get("/scim/v2/Users").await;
    list.expect(StatusCode::OK, "the Owner's access token lists users");
    assert_eq!(list.total(), 10, "all of them");
}

#[tokio::test]
async fn user_name_at_sign_in_ignores_case() {
    let s = Server::demo(3);
    s.sign_in(&DEMO_ADMIN_EMAIL.to_uppercase(), DEMO_ADMIN_PASSWORD)
        .await;
}

#[tokio::test]
async fn a_non_ascii_user_name_signs_in_ignoring_case() {
    let s = Server::new();
    let mut body = user_body("zoë@example.org", "Zoë", "Z");
    body["password"] = json!("umlaut-pass-1");
    s.create_user(body).await;
    s.sign_in("ZOË@example.org", "umlaut-pass-1").await;
    let reply = s.token_for("zoe@example.org", "umlaut-pass-1").await;
    assert_eq!(
        oauth_error(&reply),
        "invalid_grant",
        "zoe@ is another address than zoë@"
    );
}

#[tokio::test]
async fn wrong_password_is_invalid_grant() {
    let s = Server::demo(3);
    let reply = s.token_for(DEMO_OWNER_EMAIL, "wrong password").await;
    reply.expect(StatusCode::BAD_REQUEST, "a wrong password");
    assert_eq!(
        oauth_error(&reply),
        "invalid_grant",
        "RFC 6749 §5.2: invalid_grant"
    );
    let unknown = s.token_for("nobody@northwind.example", "whatever").await;
    assert_eq!(
        oauth_error(&unknown),
        "invalid_grant",
        "an unknown e-mail answers the same"
    );
    assert_eq!(
        unknown.body["error_description"], reply.body["error_description"],
        "the answer does not tell which e-mails have accounts"
    );
}

#[tokio::test]
async fn missing_grant_fields_are_invalid_request() {
    let s = Server::demo(3);
    let reply = s
        .form(
            "/oauth/token",
            &[("grant_type", "password"), ("username", DEMO_OWNER_EMAIL)],
        )
        .await;
    reply.expect(StatusCode::BAD_REQUEST, "no password");
    assert_eq!(oauth_error(&reply), "invalid_request", "a field is missing");
    let reply = s
        .form("/oauth/token", &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(
        oauth_error(&reply),
        "unsupported_grant_type",
        "only password and refresh_token"
    );
}

// ---- refresh tokens ----------------------------------------------------------

async fn refresh(s: &Server, token: &str) -> Reply {
    s.form(
        "/oauth/token",
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

#[tokio::test]
async fn refresh_token_grant_rotates() {
    let s = Server::demo(3);
    let first = s.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let reply = refresh(&s, &first.refresh).await;
    reply.expect(StatusCode::OK, "a fresh refresh token works");
    let second = Session::from_reply(&s, &reply);
    assert_ne!(
        second.refresh, first.refresh,
        "a new refresh token is issued"
    );
    assert_ne!(second.access, first.access, "and a new access token");
    second
        .server
        .get("/scim/v2/Users")
        .await
        .expect(StatusCode::OK, "the new access token works");
}

#[tokio::test]
async fn reusing_a_refresh_token_revokes_the_family() {
    let s = Server::demo(3);
    let first = s.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let rotated = refresh(&s, &first.refresh).await;
    rotated.expect(StatusCode::OK, "first use");
    let second = Session::from_reply(&s, &rotated);
    let reuse = refresh(&s, &first.refresh).await;
    reuse.expect(
        StatusCode::BAD_REQUEST,
        "the old refresh token was already used",
    );
    assert_eq!(
        oauth_error(&reuse),
        "invalid_grant",
        "reuse is invalid_grant"
    );
    let after = refresh(&s, &second.refresh).await;
    after.expect(
        StatusCode::BAD_REQUEST,
        "reuse means theft, so the whole family is revoked",
    );
    assert_eq!(
        oauth_error(&after),
        "invalid_grant",
        "the new one fails too"
    );
}

#[tokio::test]
async fn unknown_refresh_token_is_invalid_grant() {
    let s = Server::demo(3);
    let reply = refresh(&s, "made-up").await;
    assert_eq!(
        oauth_error(&reply),
        "invalid_grant",
        "a token the server never issued"
    );
}

// ---- account status ----------------------------------------------------------

#[tokio::test]
async fn a_pending_user_cannot_sign_in() {
    let s = Server::demo(40);
    let pending = s
        .filter(&format!(r#"{EXT}:status eq "pending""#))
        .await
        .resources();
    let user = pending.first().expect("the demo has pending users").clone();
    let id = People::id(&user);
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "replace", "path": "password", "value": "pending-pass-1" }]),
    )
    .await
    .expect(
        StatusCode::OK,
        "an admin sets a password on the pending user",
    );
    let reply = s
        .token_for(user["userName"].as_str().unwrap(), "pending-pass-1")
        .await;
    reply.expect(StatusCode::BAD_REQUEST, "a pending user signs in");
    assert_eq!(
        oauth_error(&reply),
        "invalid_grant",
        "pending users are refused"
    );
}

#[tokio::test]
async fn an_archived_user_cannot_sign_in() {
    let s = Server::new();
    let mut body = user_body("arch@example.com", "Ar", "Chived");
    body["password"] = json!("archived-pass-1");
    let user = s.create_user(body).await;
    s.sign_in("arch@example.com", "archived-pass-1").await;
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&user)),
        json!([{ "op": "replace", "path": "active", "value": false }]),
    )
    .await
    .expect(StatusCode::OK, "archive the user");
    let reply = s.token_for("arch@example.com", "archived-pass-1").await;
    reply.expect(StatusCode::BAD_REQUEST, "an archived user signs in");
    assert_eq!(
        oauth_error(&reply),
        "invalid_grant",
        "archived users are refused"
    );
}

#[tokio::test]
async fn archiving_ends_the_users_sessions() {
    let s = Server::new();
    let (user, session) = s.user_session("worker@example.com", "admin").await;
    session
        .server
        .get("/scim/v2/Users")
        .await
        .expect(StatusCode::OK, "the admin works");
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&user)),
        json!([{ "op": "replace", "path": "active", "value": false }]),
    )
    .await
    .expect(StatusCode::OK, "archive them");
    session
        .server
        .get("/scim/v2/Users")
        .await
        .expect_scim_error(
            StatusCode::UNAUTHORIZED,
            None,
            "an archived user's access token stops working",
        );
    let reply = refresh(&s, &session.refresh).await;
    assert_eq!(
        oauth_error(&reply),
        "invalid_grant",
        "and their refresh token too"
    );
}

#[tokio::test]
async fn deleting_a_user_ends_their_sessions() {
    let s = Server::new();
    let (user, session) = s.user_session("gone@example.com", "admin").await;
    s.delete(&format!("/scim/v2/Users/{}", People::id(&user)))
        .await
        .expect(StatusCode::NO_CONTENT, "delete");
    session.server.get("/roster/v1/me").await.expect_scim_error(
        StatusCode::UNAUTHORIZED,
        None,
        "a deleted user's token stops working",
    );
    assert_eq!(
        oauth_error(&refresh(&s, &session.refresh).await),
        "invalid_grant",
        "and cannot be refreshed"
    );
}

#[tokio::test]
async fn a_role_change_takes_effect_at_once() {
    let s = Server::new();
    let (user, session) = s.user_session("demoted@example.com", "admin").await;
    session
        .server
        .get("/scim/v2/Users")
        .await
        .expect(StatusCode::OK, "an admin lists users");
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&user)),
        json!([{ "op": "replace", "path": format!("{EXT}:role"), "value": "viewer" }]),
    )
    .await
    .expect(StatusCode::OK, "demote to viewer");
    let reply = session.server.get("/scim/v2/Users").await;
    assert!(
        reply.status == StatusCode::UNAUTHORIZED || reply.status == StatusCode::FORBIDDEN,
        "the old token no longer carries admin rights: {}",
        reply.status
    );
    let fresh = s
        .sign_in("demoted@example.com", "correct horse battery staple")
        .await;
    fresh.server.get("/scim/v2/Users").await.expect_scim_error(
        StatusCode::FORBIDDEN,
        None,
        "signed in again, they are a viewer",
    );
}

#[tokio::test]
async fn editing_your_own_profile_keeps_your_session() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let me = admin.server.get("/roster/v1/me").await.body["userId"]
        .as_str()
        .unwrap()
        .to_string();
    admin
        .server
        .patch(
            &format!("/scim/v2/Users/{me}"),
            json!([{ "op": "replace", "path": "title", "value": "Chief Admin" }]),
        )
        .await
        .expect(StatusCode::OK, "an admin changes their own title");
    admin.server.get("/roster/v1/me").await.expect(
        StatusCode::OK,
        "a title change is not a reason to sign the admin out",
    );
}

// ---- revocation ----------------------------------------------------------

#[tokio::test]
async fn revoking_the_access_token_ends_it() {
    let s = Server::demo(3);
    let session = s.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    session
        .server
        .get("/roster/v1/me")
        .await
        .expect(StatusCode::OK, "signed in");
    s.form("/oauth/revoke", &[("token", &session.access)])
        .await
        .expect(StatusCode::OK, "revoke");
    session.server.get("/roster/v1/me").await.expect_scim_error(
        StatusCode::UNAUTHORIZED,
        None,
        "a revoked access token stops working",
    );
}

#[tokio::test]
async fn revoking_the_refresh_token_ends_the_session() {
    let s = Server::demo(3);
    let session = s.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    s.form("/oauth/revoke", &[("token", &session.refresh)])
        .await
        .expect(StatusCode::OK, "sign out");
    assert_eq!(
        oauth_error(&refresh(&s, &session.refresh).await),
        "invalid_grant",
        "the refresh token is revoked"
    );
    session.server.get("/roster/v1/me").await.expect_scim_error(
        StatusCode::UNAUTHORIZED,
        None,
        "RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of that grant",
    );
}

#[tokio::test]
async fn revoking_an_unknown_token_is_still_200() {
    let s = Server::new();
    s.form("/oauth/revoke", &[("token", "never-issued")])
        .await
        .expect(
            StatusCode::OK,
            "RFC 7009: revocation does not reveal whether a token existed",
        );
}

// ---- roles without user management ---------------------------------------------

async fn check_cannot_manage_users(role: &str) {
    let s = Server::new();
    let (_, session) = s.user_session(&format!("{role}@example.com"), role).await;
    session
        .server
        .get("/scim/v2/Users")
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            &format!("a {role} cannot list users"),
        );
    session
        .server
        .post(
            "/scim/v2/Users",
            &user_body(&format!("by-{role}@example.com"), "By", role),
        )
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            &format!("a {role} cannot add users"),
        );
    assert!(
        s.names(&format!(r#"userName eq "by-{role}@example.com""#))
            .await
            .is_empty(),
        "nothing was created by the {role}"
    );
    session.server.get("/roster/v1/me").await.expect(
        StatusCode::OK,
        &format!("a {role} can still ask who they are"),
    );
}

#[tokio::test]
async fn a_viewer_cannot_list_or_create_users() {
    check_cannot_manage_users("viewer").await;
}

#[tokio::test]
async fn a_member_cannot_list_or_create_users() {
    check_cannot_manage_users("member").await;
}

#[tokio::test]
async fn a_guest_cannot_list_or_create_users() {
    check_cannot_manage_users("guest").await;
}

#[tokio::test]
async fn a_manager_cannot_list_or_create_users() {
    check_cannot_manage_users("manager").await;
}

#[tokio::test]
async fn a_viewer_cannot_change_or_delete_users() {
    let s = Server::new();
    let p = people(&s).await;
    let (_, session) = s.user_session("viewer@example.com", "viewer").await;
    let id = People::id(&p.alice);
    session
        .server
        .patch(
            &format!("/scim/v2/Users/{id}"),
            json!([{ "op": "replace", "path": "title", "value": "Hacked" }]),
        )
        .await
        .expect_scim_error(StatusCode::FORBIDDEN, None, "a viewer cannot edit");
    session
        .server
        .delete(&format!("/scim/v2/Users/{id}"))
        .await
        .expect_scim_error(StatusCode::FORBIDDEN, None, "a viewer cannot delete");
    assert_eq!(
        s.get_user(&id).await.body["title"],
        "Engineer",
        "Alice is untouched"
    );
}

// ---- admins and the owner ----------------------------------------------------

#[tokio::test]
async fn an_admin_cannot_create_an_owner() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let mut body = user_body("new-owner@example.com", "New", "Owner");
    body[EXT] = json!({ "role": "owner" });
    admin
        .server
        .post("/scim/v2/Users", &body)
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "there is one Owner; an admin cannot make another",
        );
    assert!(
        s.names(r#"userName eq "new-owner@example.com""#)
            .await
            .is_empty(),
        "nothing was created"
    );
}

#[tokio::test]
async fn an_admin_cannot_promote_someone_to_owner() {
    let s = Server::new();
    let p = people(&s).await;
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&p.alice)),
        json!([{ "op": "replace", "path": format!("{EXT}:role"), "value": "owner" }]),
    )
    .await
    .expect_scim_error(
        StatusCode::FORBIDDEN,
        None,
        "ownership cannot be given, even with Owner rights",
    );
}

#[tokio::test]
async fn an_admin_cannot_change_the_owner() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let owner = id_of(&s, DEMO_OWNER_EMAIL).await;
    admin
        .server
        .patch(
            &format!("/scim/v2/Users/{owner}"),
            json!([{ "op": "replace", "path": "title", "value": "Former owner" }]),
        )
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "only the Owner changes the Owner",
        );
    let mut body: Value = user_body(DEMO_OWNER_EMAIL, "Renamed", "By admin");
    body[EXT] = json!({ "role": "owner" });
    admin
        .server
        .put(&format!("/scim/v2/Users/{owner}"), &body)
        .await
        .expect_scim_error(StatusCode::FORBIDDEN, None, "not by PUT either");
    admin
        .server
        .delete(&format!("/scim/v2/Users/{owner}"))
        .await
        .expect_scim_error(StatusCode::FORBIDDEN, None, "nor delete them");
}

#[tokio::test]
async fn an_admin_cannot_grant_billing() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let mut body = user_body("biller@example.com", "Bill", "Er");
    body[EXT] = json!({ "role": "admin", "applications": [{ "value": "billing", "mode": "custom" }],
                        "permissions": ["billing:view-invoices"] });
    let reply = admin.server.post("/scim/v2/Users", &body).await;
    if reply.status == StatusCode::CREATED {
        let ent: Vec<&str> = reply.body["entitlements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["value"].as_str().unwrap())
            .collect();
        assert!(
            !ent.iter().any(|p| p.starts_with("billing:")),
            "an admin user holds no billing permission: {ent:?}"
        );
    } else {
        reply.expect_scim_error(StatusCode::FORBIDDEN, None, "or the grant is refused");
    }
}

#[tokio::test]
async fn nobody_can_archive_themselves() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let me = id_of(&s, DEMO_ADMIN_EMAIL).await;
    admin
        .server
        .patch(
            &format!("/scim/v2/Users/{me}"),
            json!([{ "op": "replace", "path": "active", "value": false }]),
        )
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "an admin cannot archive themselves",
        );
    assert_eq!(s.get_user(&me).await.body["active"], true, "still active");
}

#[tokio::test]
async fn nobody_can_delete_themselves() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let me = id_of(&s, DEMO_ADMIN_EMAIL).await;
    admin
        .server
        .delete(&format!("/scim/v2/Users/{me}"))
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "an admin cannot delete themselves",
        );
    s.get_user(&me).await.expect(StatusCode::OK, "still there");
}

#[tokio::test]
async fn the_owner_cannot_archive_or_delete_themselves() {
    let s = Server::demo(3);
    let owner = s.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let me = id_of(&s, DEMO_OWNER_EMAIL).await;
    owner
        .server
        .patch(
            &format!("/scim/v2/Users/{me}"),
            json!([{ "op": "replace", "path": "active", "value": false }]),
        )
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "the Owner cannot archive themselves",
        );
    owner
        .server
        .delete(&format!("/scim/v2/Users/{me}"))
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "the Owner cannot delete themselves",
        );
}

#[tokio::test]
async fn the_owner_cannot_be_archived_or_deleted_even_with_owner_rights() {
    let s = Server::demo(3);
    let owner = id_of(&s, DEMO_OWNER_EMAIL).await;
    s.patch(
        &format!("/scim/v2/Users/{owner}"),
        json!([{ "op": "replace", "path": "active", "value": false }]),
    )
    .await
    .expect_scim_error(
        StatusCode::FORBIDDEN,
        None,
        "the API token cannot archive the Owner",
    );
    s.delete(&format!("/scim/v2/Users/{owner}"))
        .await
        .expect_scim_error(
            StatusCode::FORBIDDEN,
            None,
            "the API token cannot delete the Owner",
        );
    assert_eq!(
        s.status_of(&owner).await,
        "active",
        "the Owner is still active"
    );
}

#[tokio::test]
async fn the_owner_can_change_their_own_profile() {
    let s = Server::demo(3);
    let owner = s.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let me = id_of(&s, DEMO_OWNER_EMAIL).await;
    let reply = owner
        .server
        .patch(
            &format!("/scim/v2/Users/{me}"),
            json!([{ "op": "replace", "path": "title", "value": "Founder" }]),
        )
        .await;
    reply.expect(StatusCode::OK, "the Owner edits their own title");
    assert_eq!(reply.body[EXT]["role"], "owner", "and stays Owner");
}

#[tokio::test]
async fn an_admin_can_archive_and_reactivate_a_member() {
    let s = Server::demo(3);
    let admin = s.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let user = s
        .create_user(user_body("m@example.com", "M", "Ember"))
        .await;
    let id = People::id(&user);
    for (active, status) in [(false, "archived"), (true, "active")] {
        let reply = admin
            .server
            .patch(
                &format!("/scim/v2/Users/{id}"),
                json!([{ "op": "replace", "path": "active", "value": active }]),
            )
            .await;
        reply.expect(StatusCode::OK, "admins archive and reactivate");
        assert_eq!(reply.body["active"], active, "active is set");
        assert_eq!(s.status_of(&id).await, status, "status follows active");
    }
}
