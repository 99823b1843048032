//! A page of whole users, as a sync reads it, is served from the stored text
//! rather than through a parsed document: each user in it must be exactly
//! what `GET /Users/{id}` with the same parameters answers.

mod common;

use axum::http::StatusCode;
use common::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// What the offline client asks for when it syncs: both schemas whole and
/// every attribute of the extension returned only on request.
fn sync_attributes() -> String {
    enc(&roster_scim::schema::whole_user_attributes())
}

fn drop_empty(object: &mut Value) {
    if let Some(members) = object.as_object_mut() {
        members.retain(|_, v| match v {
            Value::Null => false,
            Value::Array(items) => !items.is_empty(),
            Value::Object(inner) => !inner.is_empty(),
            _ => true,
        });
    }
}

/// The members (and members of members) that differ between two users.
fn differences(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec![format!("{a} vs {b}")];
    };
    for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
        match (a.get(key), b.get(key)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x @ Value::Object(_)), Some(y @ Value::Object(_))) => {
                out.extend(differences(x, y).into_iter().map(|d| format!("{key}.{d}")))
            }
            (x, y) => out.push(format!("{key}: {x:?} vs {y:?}")),
        }
    }
    out
}

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow, rename = "Resources")]
    resources: Vec<&'a RawValue>,
}

/// Serves a demo organisation plus users whose text needs escaping, a
/// pending invitation and an empty value, and compares every user of one
/// page with the same user got alone, member by member and byte by byte.
async fn page_equals_users_one_by_one(query: &str, same_bytes: bool) {
    let s = Server::demo(150);
    s.create_user(json!({
        "schemas": [CORE_USER, EXT],
        "userName": "quote\"back\\slash@example.com",
        "displayName": "Tab\there, \"quoted\", \u{1} and é",
        "name": { "givenName": "Zoë", "familyName": "O'Brien \\ \"Q\"" },
        EXT: { "role": "member", "departments": ["R&D \"core\""] },
    }))
    .await;
    s.invite("pending.person@example.com", json!({ "role": "member" }))
        .await;
    s.create_user(json!({
        "schemas": [CORE_USER],
        "userName": "no.extension@example.com",
        "title": "null [] {}",
    }))
    .await;

    let page = s.get(&format!("/scim/v2/Users?count=1000{query}")).await;
    page.expect(StatusCode::OK, "a page of whole users");
    let total = page.total();
    assert!(total > 150, "the demo users and the added ones: {total}");
    let texts: Page = serde_json::from_slice(&page.bytes).expect("a list response");
    assert_eq!(
        texts.resources.len() as i64,
        total,
        "every user fits in one page"
    );
    let mut pending_seen = false;
    for text in texts.resources {
        let mut user: Value = serde_json::from_str(text.get()).expect("a user");
        if !same_bytes {
            // The default representation is the stored text as it is, with
            // the empty values (`"departments": []`) a projection drops.
            drop_empty(&mut user);
            if let Some(ext) = user.get_mut(EXT) {
                drop_empty(ext);
            }
        }
        let id = user["id"].as_str().expect("a user has an id");
        let alone = s.get(&format!("/scim/v2/Users/{id}?x=1{query}")).await;
        alone.expect(StatusCode::OK, "the same user alone");
        assert_eq!(
            differences(&user, &alone.body),
            Vec::<String>::new(),
            "user {id} in a page ({query}) is what GET /Users/{id} answers"
        );
        // The default representation puts id, meta and groups first.
        assert!(
            !same_bytes || text.get().as_bytes() == alone.bytes.as_slice(),
            "user {id} in a page ({query}) is written as GET /Users/{id} writes it: {} vs {}",
            text.get(),
            String::from_utf8_lossy(&alone.bytes)
        );
        pending_seen |= user[EXT]["invitation"]["sentAt"].is_string();
    }
    if query.contains("invitation") {
        assert!(pending_seen, "an invitation is among the users compared");
    }
}

#[tokio::test]
async fn a_page_of_whole_users_with_the_sync_attributes_equals_each_user_alone() {
    page_equals_users_one_by_one(&format!("&attributes={}", sync_attributes()), true).await;
}

#[tokio::test]
async fn a_page_of_users_by_default_equals_each_user_alone() {
    page_equals_users_one_by_one("", false).await;
}

#[tokio::test]
async fn a_page_asking_for_some_attributes_equals_each_user_alone() {
    page_equals_users_one_by_one(
        &format!("&attributes={}", enc(&format!("userName,{EXT}:status"))),
        true,
    )
    .await;
    page_equals_users_one_by_one(&format!("&attributes={}", enc(CORE_USER)), true).await;
}
