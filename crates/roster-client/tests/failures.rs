//! Servers that cannot be reached or do not speak SCIM.

use std::future::IntoFuture;

use axum::Router;
use roster_client::model::ErrorKind;
use roster_client::{Client, Secret, ServerUrl};

/// A loopback address where nothing listens.
async fn nothing_listening() -> ServerUrl {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    ServerUrl::parse(&format!("http://{addr}")).unwrap()
}

/// A web server that answers "hello" to everything.
async fn hello_server() -> ServerUrl {
    let app = Router::new().fallback(|| async { "hello" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app).into_future());
    ServerUrl::parse(&format!("http://{addr}")).unwrap()
}

#[tokio::test]
async fn a_server_that_is_not_running_is_offline() {
    let url = nothing_listening().await;
    let origin = url.root().to_owned();
    let err = Client::sign_in_password(url.clone(), "a@b.example", &Secret::new("pw"))
        .await
        .expect_err("nobody answers");
    assert_eq!(err.kind(), ErrorKind::Offline);
    assert!(
        err.message()
            .starts_with(&format!("Cannot reach the server at {origin}")),
        "{err}"
    );
    assert!(err.message().contains("refused"), "says why: {err}");

    let err = Client::with_api_token(url, Secret::new("token-value"))
        .await
        .expect_err("nobody answers");
    assert_eq!(err.kind(), ErrorKind::Offline);
    assert!(!err.message().contains("token-value"));
}

#[tokio::test]
async fn a_server_that_is_not_scim_is_unreadable() {
    let url = hello_server().await;
    let err = Client::with_api_token(url.clone(), Secret::new("token"))
        .await
        .expect_err("\"hello\" is not a SCIM answer");
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(
        err.message()
            .starts_with("The server sent an answer Roster cannot read:"),
        "{err}"
    );
    assert!(
        err.message().contains("\"hello\""),
        "says what came instead: {err}"
    );

    let err = Client::sign_in_password(url, "a@b.example", &Secret::new("pw"))
        .await
        .expect_err("\"hello\" is not a token answer");
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.message().contains("cannot read"), "{err}");
}
