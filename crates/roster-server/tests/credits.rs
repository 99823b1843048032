//! Credits: limits, the account balance, statistics and the event history.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn usage(credits: i64) -> serde_json::Value {
    json!({ "application": "tasks", "description": format!("Site audit ({credits} pages)"), "credits": credits })
}

#[tokio::test]
async fn a_limit_is_never_passed_and_the_account_is_charged() {
    let s = Server::new();
    let mut body = user_body("spender@example.com", "Spen", "Der");
    body[EXT] = json!({ "role": "member", "creditLimit": 100 });
    let id = People::id(&s.create_user(body).await);
    let before = s.get(&format!("/roster/v1/users/{id}/statistics")).await;
    before.expect(StatusCode::OK, "statistics");
    let balance = before.body["accountBalance"].as_i64().unwrap();
    assert_eq!(before.body["accountType"], "Member");
    assert_eq!(before.body["creditLimit"], 100);
    assert_eq!(before.body["remainingCredits"], 100);

    let path = format!("/roster/v1/users/{id}/usage");
    s.post(&path, &usage(60))
        .await
        .expect(StatusCode::CREATED, "within the limit");
    let refused = s.post(&path, &usage(41)).await;
    refused.expect_scim_error(StatusCode::CONFLICT, None, "41 would pass the limit of 100");
    assert!(
        refused
            .detail()
            .contains("only 40 of their 100-credit limit left"),
        "{}",
        refused.detail()
    );
    s.post(&path, &usage(40))
        .await
        .expect(StatusCode::CREATED, "exactly up to the limit");

    let after = s.get(&format!("/roster/v1/users/{id}/statistics")).await;
    assert_eq!(after.body["creditsUsed"], 100);
    assert_eq!(after.body["remainingCredits"], 0);
    assert_eq!(
        after.body["accountBalance"],
        balance - 100,
        "the account paid for it"
    );
    let user = s
        .get(&format!(
            "/scim/v2/Users/{id}?attributes={}",
            enc(&format!("{EXT}:creditsUsed"))
        ))
        .await;
    assert_eq!(
        user.body[EXT]["creditsUsed"], 100,
        "the extension shows it too"
    );

    let events = s.get(&format!("/roster/v1/users/{id}/events")).await;
    let list = events.body["events"].as_array().unwrap();
    assert_eq!(list.len(), 2, "the refused event is not recorded");
    assert_eq!(list[0]["credits"], 40, "newest first, each with its cost");
    assert_eq!(list[1]["credits"], 60);
}

#[tokio::test]
async fn without_a_limit_the_account_balance_is_the_limit() {
    let s = Server::new();
    let (user, session) = s.user_session("free@example.com", "member").await;
    let id = People::id(&user);
    let balance = s
        .get(&format!("/roster/v1/users/{id}/statistics"))
        .await
        .body["accountBalance"]
        .as_i64()
        .unwrap();
    let stats = session
        .server
        .get(&format!("/roster/v1/users/{id}/statistics"))
        .await;
    stats.expect(StatusCode::OK, "a user sees their own statistics");
    assert_eq!(
        stats.body["creditLimit"],
        serde_json::Value::Null,
        "unlimited"
    );
    assert_eq!(stats.body["remainingCredits"], balance);
    let path = format!("/roster/v1/users/{id}/usage");
    session
        .server
        .post(&path, &usage(balance + 1))
        .await
        .expect(StatusCode::CONFLICT, "not more than the account holds");
    session
        .server
        .post(&path, &usage(5))
        .await
        .expect(StatusCode::CREATED, "a user records their own usage");
}

#[tokio::test]
async fn usage_is_validated_and_guarded() {
    let s = Server::new();
    let (a, a_session) = s.user_session("a@example.com", "member").await;
    let (b, _) = s.user_session("b@example.com", "member").await;
    let path = format!("/roster/v1/users/{}/usage", People::id(&b));
    a_session
        .server
        .post(&path, &usage(1))
        .await
        .expect(StatusCode::FORBIDDEN, "a Member cannot charge someone else");
    a_session
        .server
        .get(&format!("/roster/v1/users/{}/events", People::id(&b)))
        .await
        .expect(StatusCode::FORBIDDEN, "nor read their events");
    let mine = format!("/roster/v1/users/{}/usage", People::id(&a));
    for (body, why) in [
        (
            json!({ "application": "nope", "description": "x", "credits": 1 }),
            "unknown application",
        ),
        (
            json!({ "application": "tasks", "description": " ", "credits": 1 }),
            "no description",
        ),
        (
            json!({ "application": "tasks", "description": "x", "credits": -1 }),
            "negative credits",
        ),
    ] {
        s.post(&mine, &body)
            .await
            .expect(StatusCode::BAD_REQUEST, why);
    }
    s.patch(
        &format!("/scim/v2/Users/{}", People::id(&a)),
        json!([{ "op": "replace", "path": "active", "value": false }]),
    )
    .await
    .expect(StatusCode::OK, "archive");
    s.post(&mine, &usage(1))
        .await
        .expect(StatusCode::CONFLICT, "an archived user spends nothing");
}
