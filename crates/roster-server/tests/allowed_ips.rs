//! Allowed IP ranges, over real loopback connections: Linux routes all of
//! 127.0.0.0/8 to the loopback interface, so a client bound to 127.0.0.2 or
//! 127.0.0.3 reaches a server on 127.0.0.1 from a different address.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

async fn serve() -> (Server, String) {
    let s = Server::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(roster_server::serve(listener, s.state.clone()));
    (s, base)
}

fn client_from(last_octet: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last_octet)))
        .build()
        .unwrap()
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str) -> (u16, Value) {
    let r = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn me(client: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    let r = client
        .get(format!("{base}/roster/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn sign_in_and_api_calls_only_from_the_allowed_ranges() {
    let (s, base) = serve().await;
    let mut body = user_body("ranged@example.com", "Ran", "Ged");
    body["password"] = json!(PASSWORD);
    body[EXT] = json!({ "role": "member", "allowedIps": ["127.0.0.2/32", "10.0.0.0/8"] });
    let user = s.create_user(body).await;
    let id = People::id(&user);

    let inside = client_from(2);
    let outside = client_from(3);
    let (status, refused) = sign_in(&outside, &base, "ranged@example.com").await;
    assert_eq!(status, 400, "sign-in from 127.0.0.3 is refused: {refused}");
    let why = refused["error_description"].as_str().unwrap();
    assert!(
        why.contains("127.0.0.2/32") && why.contains("127.0.0.3"),
        "the reason names the ranges and the address: {why}"
    );

    let (status, tokens) = sign_in(&inside, &base, "ranged@example.com").await;
    assert_eq!(status, 200, "sign-in from 127.0.0.2 works: {tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        me(&inside, &base, access).await.0,
        200,
        "API calls from inside work"
    );
    let (status, body) = me(&outside, &base, access).await;
    assert_eq!(
        status, 403,
        "the same token from outside is refused: {body}"
    );
    assert!(
        body["detail"].as_str().unwrap().contains("127.0.0.3"),
        "{body}"
    );

    // The refresh grant is held to the same ranges.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let r = outside
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        400,
        "refreshing from outside is refused"
    );

    // Widening the ranges lets the other address in; the old sessions end
    // because what the user may do changed.
    s.patch(
        &format!("/scim/v2/Users/{id}"),
        json!([{ "op": "add", "path": format!("{EXT}:allowedIps"), "value": ["127.0.0.3"] }]),
    )
    .await
    .expect(StatusCode::OK, "an admin adds an address");
    assert_eq!(
        me(&inside, &base, access).await.0,
        401,
        "sessions re-read the ranges"
    );
    let (status, _) = sign_in(&outside, &base, "ranged@example.com").await;
    assert_eq!(status, 200, "127.0.0.3 may sign in now");
}

#[tokio::test]
async fn users_without_ranges_sign_in_from_anywhere() {
    let (s, base) = serve().await;
    s.user_session("free@example.com", "member").await;
    for octet in [2, 3, 4] {
        let (status, body) = sign_in(&client_from(octet), &base, "free@example.com").await;
        assert_eq!(status, 200, "from 127.0.0.{octet}: {body}");
    }
}

#[tokio::test]
async fn a_range_is_validated() {
    let s = Server::new();
    for bad in ["10.0.0.0/33", "not an address", "300.1.1.1", ""] {
        let mut body = user_body(&format!("bad{}@example.com", bad.len()), "B", "Ad");
        body[EXT] = json!({ "role": "member", "allowedIps": [bad] });
        let reply = s.post("/scim/v2/Users", &body).await;
        reply.expect_scim_error(StatusCode::BAD_REQUEST, Some("invalidValue"), bad);
        assert!(reply.detail().contains("CIDR"), "{}", reply.detail());
    }
    let mut body = user_body("good@example.com", "Go", "Od");
    body[EXT] = json!({ "role": "member", "allowedIps": ["192.168.1.7/24", "2001:db8::1"] });
    let user = s.create_user(body).await;
    assert_eq!(
        user[EXT]["allowedIps"],
        json!(["192.168.1.0/24", "2001:db8::1/128"]),
        "ranges are stored in their canonical form"
    );
}

#[tokio::test]
async fn without_the_peer_address_a_ranged_user_is_refused() {
    // The in-process router has no connection info.
    let s = Server::new();
    let mut body = user_body("ranged@example.com", "Ran", "Ged");
    body["password"] = json!(PASSWORD);
    body[EXT] = json!({ "role": "member", "allowedIps": ["127.0.0.1/32"] });
    s.create_user(body).await;
    let reply = s.token_for("ranged@example.com", PASSWORD).await;
    reply.expect(StatusCode::BAD_REQUEST, "fails closed");
    assert!(
        reply.body["error_description"]
            .as_str()
            .unwrap()
            .contains("cannot tell"),
        "{}",
        reply.body
    );
}
