//! Invitations: Pending until accepted on the server's page; resend, revoke,
//! expiry; the outbox and SMTP delivery.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const PASSWORD: &str = "a long enough password";

async fn accept(s: &Server, link: &str, password: &str, confirm: &str) -> Reply {
    s.form(link, &[("password", password), ("confirm", confirm)])
        .await
}

fn html(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

#[tokio::test]
async fn an_invitee_accepts_sets_a_password_and_becomes_active() {
    let s = Server::new();
    let (id, link) = s
        .invite("ina@example.com", json!({ "role": "member" }))
        .await;
    assert!(
        link.starts_with("/invite/"),
        "the e-mail links to the accept page: {link}"
    );
    assert_eq!(s.status_of(&id).await, "pending");

    let user = s
        .get(&format!(
            "/scim/v2/Users/{id}?attributes={}",
            enc(&format!("{EXT}:invitation"))
        ))
        .await;
    let inv = &user.body[EXT]["invitation"];
    assert_eq!(inv["expired"], false, "{inv}");
    let sent = chrono::DateTime::parse_from_rfc3339(inv["sentAt"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(inv["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(
        (expires - sent).num_days(),
        7,
        "an invitation works for seven days"
    );

    let mail = &s.outbox().await[0];
    assert_eq!(mail["kind"], "invitation");
    assert_eq!(mail["userId"], id.as_str());
    assert_eq!(
        mail["status"], "queued",
        "without SMTP the e-mail waits in the outbox"
    );

    // Before accepting, no sign-in.
    s.token_for("ina@example.com", PASSWORD)
        .await
        .expect(StatusCode::BAD_REQUEST, "a pending user cannot sign in");

    let page = s.anonymous().get(&link).await;
    page.expect(StatusCode::OK, "the accept page opens");
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'"),
        "no scripts or outside assets: {csp}"
    );
    assert_eq!(
        page.header("referrer-policy"),
        Some("no-referrer"),
        "the token never leaks"
    );
    assert!(
        html(&page).contains("ina@example.com") && html(&page).contains("<form method=\"post\">")
    );
    assert!(
        !html(&page).contains("<script"),
        "self-contained, no script"
    );

    let wrong = accept(&s, &link, PASSWORD, "another password!").await;
    wrong.expect(StatusCode::BAD_REQUEST, "two different passwords");
    assert!(html(&wrong).contains("not the same"), "{}", html(&wrong));
    accept(&s, &link, "short", "short")
        .await
        .expect(StatusCode::BAD_REQUEST, "a short password");
    assert_eq!(
        s.status_of(&id).await,
        "pending",
        "a refused form changes nothing"
    );

    let done = accept(&s, &link, PASSWORD, PASSWORD).await;
    done.expect(StatusCode::OK, "accepting works");
    assert!(html(&done).contains("sign in"), "{}", html(&done));
    assert_eq!(s.status_of(&id).await, "active");
    let user = s.get_user(&id).await;
    assert_eq!(user.body["active"], true, "core active follows");
    s.sign_in("ina@example.com", PASSWORD).await;

    s.anonymous().get(&link).await.expect(
        StatusCode::NOT_FOUND,
        "an accepted link does not work again",
    );
    accept(&s, &link, "another good password", "another good password")
        .await
        .expect(StatusCode::NOT_FOUND, "nor can it set the password again");

    let audit = s.get(&format!("/roster/v1/audit?user={id}")).await;
    let actions: Vec<&str> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.accept", "user.invite"],
        "both are in the audit log"
    );
}

#[tokio::test]
async fn resend_replaces_the_link_and_revoke_removes_the_user() {
    let s = Server::new();
    let (id, old) = s
        .invite("rita@example.com", json!({ "role": "viewer" }))
        .await;
    let reply = s
        .post(
            &format!("/roster/v1/users/{id}/invitation/resend"),
            &json!({}),
        )
        .await;
    reply.expect(StatusCode::OK, "resend");
    let new = s.link_for("rita@example.com").await;
    assert_ne!(old, new, "a resend issues a new link");
    assert_eq!(s.outbox().await.len(), 2, "and a second e-mail");
    s.anonymous()
        .get(&old)
        .await
        .expect(StatusCode::NOT_FOUND, "the old link stops working");
    s.anonymous()
        .get(&new)
        .await
        .expect(StatusCode::OK, "the new one works");

    s.delete(&format!("/roster/v1/users/{id}/invitation"))
        .await
        .expect(StatusCode::NO_CONTENT, "revoke");
    s.get_user(&id)
        .await
        .expect(StatusCode::NOT_FOUND, "the pending user is gone");
    s.anonymous()
        .get(&new)
        .await
        .expect(StatusCode::NOT_FOUND, "and so is the link");

    // Nothing to resend or revoke for an active user.
    let (active, _) = s.user_session("active@example.com", "member").await;
    let reply = s
        .post(
            &format!("/roster/v1/users/{}/invitation/resend", People::id(&active)),
            &json!({}),
        )
        .await;
    reply.expect(StatusCode::CONFLICT, "an active user has no invitation");
    assert!(
        reply.detail().contains("already accepted"),
        "{}",
        reply.detail()
    );
    s.delete(&format!(
        "/roster/v1/users/{}/invitation",
        People::id(&active)
    ))
    .await
    .expect(StatusCode::CONFLICT, "revoke is for pending users only");
}

#[tokio::test]
async fn an_expired_invitation_shows_as_expired_and_can_be_resent() {
    let s = Server::new();
    let (id, link) = s
        .invite("late@example.com", json!({ "role": "member" }))
        .await;
    let past = "2020-01-01T00:00:00.000Z";
    let target = id.clone();
    s.state
        .db
        .write(move |tx| -> Result<(), roster_server::error::ApiError> {
            tx.execute(
                "UPDATE users SET invitation_expires_at = ?2 WHERE id = ?1",
                [&target, past],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let attr = enc(&format!("{EXT}:invitation"));
    let user = s
        .get(&format!("/scim/v2/Users/{id}?attributes={attr}"))
        .await;
    assert_eq!(
        user.body[EXT]["invitation"]["expired"], true,
        "{}",
        user.body
    );
    assert_eq!(
        s.names(&format!("{EXT}:invitation.expired eq true")).await,
        ["late@example.com"],
        "the Pending tab can filter on it"
    );
    let page = s.anonymous().get(&link).await;
    page.expect(StatusCode::GONE, "an expired link says so");
    assert!(html(&page).contains("expired"), "{}", html(&page));
    accept(&s, &link, PASSWORD, PASSWORD)
        .await
        .expect(StatusCode::GONE, "and cannot be accepted");

    s.post(
        &format!("/roster/v1/users/{id}/invitation/resend"),
        &json!({}),
    )
    .await
    .expect(StatusCode::OK, "an expired invitation can be resent");
    let user = s
        .get(&format!("/scim/v2/Users/{id}?attributes={attr}"))
        .await;
    assert_eq!(user.body[EXT]["invitation"]["expired"], false);
    let link = s.link_for("late@example.com").await;
    accept(&s, &link, PASSWORD, PASSWORD)
        .await
        .expect(StatusCode::OK, "the new link works");
}

#[tokio::test]
async fn pages_escape_what_they_show() {
    let s = Server::new();
    let (_, link) = s
        .invite("<b>o'neil</b>@example.com", json!({ "role": "member" }))
        .await;
    let page = s.anonymous().get(&link).await;
    page.expect(StatusCode::OK, "the page opens");
    assert!(
        !html(&page).contains("<b>"),
        "markup in an address is not markup"
    );
    assert!(
        html(&page).contains("&lt;b&gt;o&#39;neil&lt;/b&gt;@example.com"),
        "{}",
        html(&page)
    );
    s.anonymous()
        .get("/invite/not-a-token")
        .await
        .expect(StatusCode::NOT_FOUND, "an unknown link");
}

#[tokio::test]
async fn invitations_follow_the_rules() {
    let s = Server::new();
    let mut user = user_body("guest@example.com", "Gus", "Guest");
    user[EXT] = json!({ "role": "guest" });
    let reply = s
        .post(
            "/roster/v1/invitations",
            &json!({ "user": user, "sendEmail": true }),
        )
        .await;
    reply.expect(StatusCode::BAD_REQUEST, "a Guest needs a resource");
    assert!(
        reply.detail().contains("at least one resource"),
        "{}",
        reply.detail()
    );
    assert!(
        s.outbox().await.is_empty(),
        "nothing was sent for a refused invitation"
    );
    assert_eq!(
        s.get("/scim/v2/Users?count=0").await.total(),
        0,
        "nor anyone created"
    );

    let without = s
        .post(
            "/roster/v1/invitations",
            &json!({ "user": user_body("quiet@example.com", "Q", "Uiet") }),
        )
        .await;
    without.expect(StatusCode::CREATED, "an invitation without e-mail");
    assert!(s.outbox().await.is_empty(), "writes no e-mail");

    let (_, member) = s.user_session("member@example.com", "member").await;
    member
        .server
        .get("/roster/v1/outbox")
        .await
        .expect(StatusCode::FORBIDDEN, "a Member cannot read the outbox");
}

/// A minimal SMTP server that accepts one message and hands its text back.
async fn fake_smtp() -> (u16, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let answer: &[u8] = match verb.as_str() {
                "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(answer).await.unwrap();
        }
        let _ = tx.send(data);
    });
    (port, rx)
}

async fn wait_for_status(s: &Server, status: &str) -> serde_json::Value {
    for _ in 0..100 {
        let mail = s.outbox().await.remove(0);
        if mail["status"] == status {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the outbox row never became {status}: {:?}",
        s.outbox().await
    );
}

#[tokio::test]
async fn with_smtp_the_e_mail_is_sent_and_recorded() {
    let (port, received) = fake_smtp().await;
    let s = Server::with_state(|state| {
        let mailer = roster_server::outbox::Mailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Roster <roster@example.com>",
        )
        .unwrap();
        state.mailer = Some(std::sync::Arc::new(mailer));
    });
    let (_, link) = s
        .invite("smtp@example.com", json!({ "role": "member" }))
        .await;
    let mail = wait_for_status(&s, "sent").await;
    assert!(mail["sentAt"].is_string(), "{mail}");
    let text = received.await.expect("the SMTP server got a message");
    assert!(text.contains("To: smtp@example.com"), "{text}");
    assert!(text.contains(&link), "the message carries the link: {text}");
}

#[tokio::test]
async fn a_failed_delivery_is_recorded_with_its_reason() {
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = Server::with_state(|state| {
        let mailer = roster_server::outbox::Mailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "roster@example.com",
        )
        .unwrap();
        state.mailer = Some(std::sync::Arc::new(mailer));
    });
    s.invite("nobody@example.com", json!({ "role": "member" }))
        .await;
    let mail = wait_for_status(&s, "failed").await;
    assert!(
        mail["error"].as_str().is_some_and(|e| e.contains("SMTP")),
        "the reason is kept: {mail}"
    );
}

#[tokio::test]
async fn the_outbox_hides_links_to_users_the_reader_may_not_change() {
    let s = Server::new();
    // A user admin: may invite and read the outbox, but holds only a
    // Member's permissions besides.
    let roles = s.get("/roster/v1/roles").await;
    let mut permissions = roles.body["roles"]
        .as_array()
        .and_then(|list| list.iter().find(|r| r["id"] == "member"))
        .and_then(|member| member["permissions"].as_array())
        .cloned()
        .expect("the Member role's permissions");
    for p in ["users:view", "users:invite", "users:edit"] {
        permissions.push(json!(p));
    }
    s.post(
        "/roster/v1/roles",
        &json!({
            "id": "custom-user-admin", "name": "User admin",
            "permissions": permissions,
            "capabilities": ["userAdmin", "createModify", "execute", "view"]
        }),
    )
    .await
    .expect(StatusCode::CREATED, "the Owner defines a user admin role");
    let (_, user_admin) = s.user_session("ua@example.com", "custom-user-admin").await;
    let (_, admin_link) = s
        .invite("new.admin@example.com", json!({ "role": "admin" }))
        .await;
    let (_, member_link) = s
        .invite("new.member@example.com", json!({ "role": "member" }))
        .await;

    let seen = user_admin.server.outbox().await;
    let body_to = |to: &str| {
        seen.iter()
            .find(|m| m["to"] == to)
            .and_then(|m| m["body"].as_str())
            .unwrap_or_else(|| panic!("the user admin sees the e-mail to {to}"))
            .to_owned()
    };
    let admins = body_to("new.admin@example.com");
    assert!(
        !admins.contains(&admin_link) && admins.contains(roster_server::outbox::HIDDEN_LINK),
        "an Admin's invitation link would make a user admin an Admin: {admins}"
    );
    assert!(
        body_to("new.member@example.com").contains(&member_link),
        "a Member's invitation is theirs to see"
    );
    // The Owner sees every link, and the hidden one still works.
    let owners = s.outbox().await;
    assert!(owners
        .iter()
        .any(|m| m["body"].as_str().unwrap_or_default().contains(&admin_link)));
    accept(&s, &admin_link, PASSWORD, PASSWORD)
        .await
        .expect(StatusCode::OK, "the invitee's link works");
}
