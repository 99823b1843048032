//! Signing in, renewing and ending sessions against the real server.

mod common;

use std::sync::{Arc, Mutex};

use common::{start, window, API_TOKEN};
use roster_client::model::{AuthKind, ErrorKind, Tab};
use roster_client::{Client, ClientError, Secret, SESSION_ENDED};
use roster_server::demo::{DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD};

/// Records each refresh token the client reports.
fn recorder(client: &Client) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    client.set_refresh_listener(Box::new(move |token: &Secret| {
        sink.lock().unwrap().push(token.expose().to_owned());
    }));
    seen
}

#[tokio::test]
async fn password_sign_in_gives_a_working_client_and_a_refresh_token() {
    let server = start().await;
    let (client, refresh) = server.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    assert!(!refresh.expose().is_empty(), "a refresh token to keep");
    assert_eq!(client.auth_kind(), AuthKind::Password);
    assert_eq!(client.account(), Some(DEMO_OWNER_EMAIL));
    let me = client.me().await.expect("who am I");
    assert_eq!(me.name, DEMO_OWNER_EMAIL);
    assert_eq!(me.role.as_deref(), Some("owner"));
    assert!(me.user_id.is_some(), "a signed-in person is a user");
    assert!(
        me.permissions.iter().any(|p| p == "users:edit"),
        "the Owner may edit users: {:?}",
        me.permissions
    );
    assert!(
        !format!("{client:?}").contains(refresh.expose()),
        "Debug never shows a token"
    );
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized_in_plain_words() {
    let server = start().await;
    let err = Client::sign_in_password(
        server.url.clone(),
        DEMO_OWNER_EMAIL,
        &Secret::new("not-the-password"),
    )
    .await
    .expect_err("a wrong password must not sign in");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(err.message(), "The e-mail or the password is wrong.");
    assert!(
        !err.message().contains("not-the-password"),
        "the password is never echoed"
    );

    let err = Client::sign_in_password(server.url.clone(), "  ", &Secret::new("x"))
        .await
        .expect_err("an empty e-mail is refused before sending");
    assert_eq!(err.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn resume_rotates_the_refresh_token() {
    let server = start().await;
    let (_, first) = server.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let (client, second) = Client::resume(server.url.clone(), first.clone())
        .await
        .expect("a fresh refresh token resumes");
    assert_ne!(
        first.expose(),
        second.expose(),
        "the server rotates the token"
    );
    assert_eq!(client.me().await.unwrap().name, DEMO_OWNER_EMAIL);

    let err = Client::resume(server.url.clone(), first)
        .await
        .expect_err("a used refresh token must not work again");
    assert_eq!(err, ClientError::Unauthorized(SESSION_ENDED.into()));
    // Reuse ends the whole session (the token may have been copied).
    let err = Client::resume(server.url.clone(), second)
        .await
        .expect_err("reuse revokes the rotated token too");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn api_tokens_are_checked_when_connecting() {
    let server = start().await;
    let client = Client::with_api_token(server.url.clone(), Secret::new(API_TOKEN))
        .await
        .expect("the registered token connects");
    assert_eq!(client.auth_kind(), AuthKind::ApiToken);
    assert_eq!(client.me().await.unwrap().name, "command-line API token");
    let counts = client
        .users_window(&window(Tab::Active, "", 0, 1))
        .await
        .expect("the token can list users")
        .counts;
    assert!(counts.active > 0);

    let err = Client::with_api_token(server.url.clone(), Secret::new("wrong-token"))
        .await
        .expect_err("an unknown token must be refused at connect time");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert!(err.message().contains("API token"), "{err}");
    assert!(
        !err.message().contains("wrong-token"),
        "the token is never echoed"
    );
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_once_and_reported() {
    let server = start().await;
    let (client, original) = server.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let seen = recorder(&client);
    client.capabilities().await.unwrap();
    server.expire_access_tokens();

    // A window sends its page and three counts at once: all four meet the
    // expired token, and exactly one renewal must happen (a refresh token
    // works once; two renewals would end the session).
    let window = client
        .users_window(&window(Tab::Active, "", 0, 10))
        .await
        .expect("the session renews by itself");
    assert_eq!(window.rows.len(), 10);
    let rotated = seen.lock().unwrap().clone();
    assert_eq!(rotated.len(), 1, "one renewal for concurrent requests");
    assert_ne!(rotated[0], original.expose());

    // The reported token is the live one: the app can resume with it.
    let (_, _) = Client::resume(server.url.clone(), Secret::new(rotated[0].clone()))
        .await
        .expect("the reported refresh token is the current one");
}

#[tokio::test]
async fn a_renewal_that_fails_ends_the_session() {
    let server = start().await;
    let (client, refresh) = server.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    let seen = recorder(&client);
    // Someone else uses the refresh token first (as a copied keychain entry
    // would), so the client's own renewal finds it spent.
    Client::resume(server.url.clone(), refresh).await.unwrap();
    server.expire_access_tokens();

    let err = client
        .me()
        .await
        .expect_err("the session cannot be renewed");
    assert_eq!(err, ClientError::Unauthorized(SESSION_ENDED.into()));
    assert!(seen.lock().unwrap().is_empty(), "no new token to store");
    let err = client
        .users_window(&window(Tab::Active, "", 0, 10))
        .await
        .expect_err("still signed out");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn sign_out_revokes_the_refresh_token() {
    let server = start().await;
    let (client, refresh) = server.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await;
    client.sign_out().await;
    let err = client
        .me()
        .await
        .expect_err("a signed-out client does nothing");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    let err = Client::resume(server.url.clone(), refresh)
        .await
        .expect_err("the revoked refresh token must not resume");
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
}

#[tokio::test]
async fn discovery_lights_up_the_roster_extension() {
    let server = start().await;
    let client = server.owner().await;
    let caps = client.capabilities().await.unwrap();
    assert!(caps.roster_extension && caps.etag && caps.patch && caps.sort);
    assert_eq!(caps.max_results, 1000);

    let catalogue = client.catalogue().await.unwrap();
    let owner = catalogue
        .roles
        .iter()
        .find(|r| r.id == "owner")
        .expect("an Owner role");
    assert!(!owner.assignable, "nobody can be given the Owner role");
    assert!(catalogue
        .roles
        .iter()
        .filter(|r| r.id != "owner")
        .all(|r| r.assignable));
    assert!(
        catalogue
            .applications
            .iter()
            .any(|a| a.permissions.iter().any(|p| !p.description.is_empty())),
        "permissions carry their tooltip text"
    );
    assert!(
        !catalogue.departments.is_empty(),
        "the demo has departments"
    );
}
