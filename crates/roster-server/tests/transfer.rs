//! Delete with transfer: the resources move first, in the same transaction.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn owner_of_resources(s: &Server) -> (String, usize) {
    let all = s.get("/roster/v1/resources").await.body["resources"]
        .as_array()
        .unwrap()
        .clone();
    let mut counts = std::collections::HashMap::<String, usize>::new();
    for r in &all {
        if let Some(o) = r["ownerId"].as_str() {
            *counts.entry(o.to_string()).or_default() += 1;
        }
    }
    let owner_id = s.owner_id().await;
    counts
        .into_iter()
        .filter(|(id, _)| *id != owner_id)
        .max_by_key(|(_, n)| *n)
        .expect("some non-Owner owns resources")
}

#[tokio::test]
async fn resources_move_to_the_chosen_user_before_the_delete() {
    let s = Server::demo(40);
    let (victim, n) = owner_of_resources(&s).await;
    let (heir, _) = s.user_session("heir@example.com", "member").await;
    let heir = People::id(&heir);
    let reply = s
        .post(
            &format!("/roster/v1/users/{victim}/delete"),
            &json!({ "transferTo": heir }),
        )
        .await;
    reply.expect(StatusCode::OK, "delete with transfer");
    assert_eq!(reply.body["resources"], "transferred");
    assert_eq!(
        reply.body["affected"].as_array().unwrap().len(),
        n,
        "the answer lists what moved"
    );
    assert_eq!(reply.body["transferredTo"]["id"], heir.as_str());
    s.get_user(&victim)
        .await
        .expect(StatusCode::NOT_FOUND, "the user is gone");
    let all = s.get("/roster/v1/resources").await.body["resources"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        all.iter().filter(|r| r["ownerId"] == heir.as_str()).count(),
        n,
        "the heir owns them"
    );
    let audit = s.get(&format!("/roster/v1/audit?user={victim}")).await;
    assert_eq!(audit.body["entries"][0]["action"], "user.delete");
    assert!(audit.body["entries"][0]["summary"]
        .as_str()
        .unwrap()
        .contains("moved to"));
}

#[tokio::test]
async fn a_failed_transfer_deletes_nothing_and_delete_takes_the_resources() {
    let s = Server::demo(40);
    let (victim, n) = owner_of_resources(&s).await;
    let total = s.get("/roster/v1/resources").await.body["resources"]
        .as_array()
        .unwrap()
        .len();
    let (pending, _) = s
        .invite("pending@example.com", json!({ "role": "member" }))
        .await;
    for (body, why) in [
        (json!({ "transferTo": pending }), "to a pending user"),
        (json!({ "transferTo": "nobody" }), "to nobody"),
        (json!({ "transferTo": victim }), "to themselves"),
        (json!({}), "without a choice"),
        (json!({ "resources": "keep" }), "an unknown choice"),
    ] {
        s.post(&format!("/roster/v1/users/{victim}/delete"), &body)
            .await
            .expect(StatusCode::BAD_REQUEST, why);
    }
    s.get_user(&victim)
        .await
        .expect(StatusCode::OK, "a refused transfer keeps the user");
    let reply = s
        .post(
            &format!("/roster/v1/users/{victim}/delete"),
            &json!({ "resources": "delete" }),
        )
        .await;
    reply.expect(StatusCode::OK, "delete with the resources");
    assert_eq!(reply.body["affected"].as_array().unwrap().len(), n);
    let after = s.get("/roster/v1/resources").await.body["resources"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, total - n, "their resources are gone too");
}

#[tokio::test]
async fn delete_follows_the_rules() {
    let s = Server::demo(10);
    let owner_id = s.owner_id().await;
    let (me, admin) = s.user_session("admin2@example.com", "admin").await;
    for (target, why) in [
        (owner_id.as_str(), "the Owner"),
        (&People::id(&me), "oneself"),
    ] {
        admin
            .server
            .post(
                &format!("/roster/v1/users/{target}/delete"),
                &json!({ "resources": "delete" }),
            )
            .await
            .expect(StatusCode::FORBIDDEN, why);
    }
}
