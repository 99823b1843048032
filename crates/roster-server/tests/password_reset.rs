//! Password reset: a link in the outbox, a page that sets the new password,
//! single use, expiry.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const OLD: &str = "correct horse battery staple";
const NEW: &str = "a brand new password";

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let s = Server::new();
    let (user, session) = s.user_session("rosa@example.com", "member").await;
    let id = People::id(&user);
    let reply = s
        .post(&format!("/roster/v1/users/{id}/password-reset"), &json!({}))
        .await;
    reply.expect(StatusCode::ACCEPTED, "a reset link is sent");
    let mail = &s.outbox().await[0];
    assert_eq!(mail["kind"], "password-reset");
    let link = s.link_for("rosa@example.com").await;
    assert!(link.starts_with("/reset/"), "{link}");

    let page = s.anonymous().get(&link).await;
    page.expect(StatusCode::OK, "the reset page opens");
    assert!(page.body.as_str().unwrap().contains("rosa@example.com"));

    s.form(
        &link,
        &[("password", NEW), ("confirm", "different password")],
    )
    .await
    .expect(StatusCode::BAD_REQUEST, "mismatched passwords");
    s.sign_in("rosa@example.com", OLD).await;
    s.form(&link, &[("password", NEW), ("confirm", NEW)])
        .await
        .expect(StatusCode::OK, "the new password is set");
    s.token_for("rosa@example.com", OLD)
        .await
        .expect(StatusCode::BAD_REQUEST, "the old password stops working");
    s.sign_in("rosa@example.com", NEW).await;
    session.server.get("/roster/v1/me").await.expect(
        StatusCode::UNAUTHORIZED,
        "sessions from before the reset end",
    );

    s.form(
        &link,
        &[
            ("password", "yet another password"),
            ("confirm", "yet another password"),
        ],
    )
    .await
    .expect(StatusCode::NOT_FOUND, "a link works once");
    s.anonymous()
        .get(&link)
        .await
        .expect(StatusCode::NOT_FOUND, "and then says so");
}

#[tokio::test]
async fn a_newer_link_replaces_the_older_and_links_expire() {
    let s = Server::new();
    let (user, _) = s.user_session("tom@example.com", "member").await;
    let id = People::id(&user);
    let path = format!("/roster/v1/users/{id}/password-reset");
    s.post(&path, &json!({}))
        .await
        .expect(StatusCode::ACCEPTED, "first");
    let first = s.link_for("tom@example.com").await;
    s.post(&path, &json!({}))
        .await
        .expect(StatusCode::ACCEPTED, "second");
    let second = s.link_for("tom@example.com").await;
    assert_ne!(first, second);
    s.anonymous()
        .get(&first)
        .await
        .expect(StatusCode::NOT_FOUND, "the older link is replaced");

    s.state
        .db
        .write(|tx| -> Result<(), roster_server::error::ApiError> {
            tx.execute(
                "UPDATE password_resets SET expires_at = '2020-01-01T00:00:00.000Z'",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    s.anonymous()
        .get(&second)
        .await
        .expect(StatusCode::GONE, "an expired link says so");
    s.form(&second, &[("password", NEW), ("confirm", NEW)])
        .await
        .expect(StatusCode::GONE, "and sets nothing");
    s.sign_in("tom@example.com", OLD).await;
}

#[tokio::test]
async fn resets_follow_the_rules() {
    let s = Server::demo(10);
    let owner_id = s.owner_id().await;
    let (_, admin) = s.user_session("admin2@example.com", "admin").await;
    admin
        .server
        .post(
            &format!("/roster/v1/users/{owner_id}/password-reset"),
            &json!({}),
        )
        .await
        .expect(
            StatusCode::FORBIDDEN,
            "an Admin cannot reset the Owner's password",
        );
    let (_, manager) = s.user_session("manager@example.com", "manager").await;
    let (member, _) = s.user_session("member@example.com", "member").await;
    manager
        .server
        .post(
            &format!("/roster/v1/users/{}/password-reset", People::id(&member)),
            &json!({}),
        )
        .await
        .expect(StatusCode::FORBIDDEN, "a Manager has no user management");
    let (pending, _) = s
        .invite("pending@example.com", json!({ "role": "member" }))
        .await;
    let reply = s
        .post(
            &format!("/roster/v1/users/{pending}/password-reset"),
            &json!({}),
        )
        .await;
    reply.expect(
        StatusCode::CONFLICT,
        "a pending user accepts the invitation instead",
    );
    assert!(
        reply.detail().contains("resend the invitation"),
        "{}",
        reply.detail()
    );
}
