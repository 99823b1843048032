//! `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

async fn sorted_names(s: &Server, query: &str) -> Vec<String> {
    let reply = s.get(&format!("/scim/v2/Users?count=1000&{query}")).await;
    reply.expect(
        StatusCode::OK,
        &format!("sorting with {query} is supported"),
    );
    reply.user_names()
}

#[tokio::test]
async fn sort_by_user_name_ascending() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        sorted_names(&s, "sortBy=userName").await,
        [ALICE, BOB, WANG, ZOE],
        "ascending is the default order"
    );
    assert_eq!(
        sorted_names(&s, "sortBy=userName&sortOrder=ascending").await,
        [ALICE, BOB, WANG, ZOE],
        "explicitly ascending"
    );
}

#[tokio::test]
async fn sort_by_user_name_descending() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        sorted_names(&s, "sortBy=userName&sortOrder=descending").await,
        [ZOE, WANG, BOB, ALICE],
        "descending reverses the order"
    );
}

#[tokio::test]
async fn sort_by_user_name_ignores_case() {
    let s = Server::new();
    for name in ["b@example.com", "A@example.com", "c@example.com"] {
        s.create_user(user_body(name, "X", "Y")).await;
    }
    assert_eq!(
        sorted_names(&s, "sortBy=userName").await,
        ["A@example.com", "b@example.com", "c@example.com"],
        "userName is not case-exact, so capitals do not sort first"
    );
}

#[tokio::test]
async fn sort_by_family_name() {
    let s = Server::new();
    for (user, family) in [
        ("1@example.com", "zimmer"),
        ("2@example.com", "Adams"),
        ("3@example.com", "Müller"),
    ] {
        s.create_user(user_body(user, "X", family)).await;
    }
    let names = sorted_names(&s, "sortBy=name.familyName").await;
    assert_eq!(
        names,
        ["2@example.com", "3@example.com", "1@example.com"],
        "Adams, Müller, zimmer"
    );
    let names = sorted_names(&s, "sortBy=name.familyName&sortOrder=descending").await;
    assert_eq!(
        names,
        ["1@example.com", "3@example.com", "2@example.com"],
        "reversed"
    );
}

#[tokio::test]
async fn sort_by_meta_created() {
    let s = Server::demo(40);
    let reply = s.get("/scim/v2/Users?count=1000&sortBy=meta.created").await;
    reply.expect(StatusCode::OK, "meta.created is sortable");
    let created: Vec<String> = reply
        .resources()
        .iter()
        .map(|u| u["meta"]["created"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created.len(), 40, "all users are listed");
    let mut expected = created.clone();
    expected.sort();
    assert_eq!(created, expected, "oldest first");
    let mut first_and_last = created.clone();
    first_and_last.dedup();
    assert!(
        first_and_last.len() > 1,
        "the demo's users were not all created at once"
    );

    let reply = s
        .get("/scim/v2/Users?count=1000&sortBy=meta.created&sortOrder=descending")
        .await;
    let created_desc: Vec<String> = reply
        .resources()
        .iter()
        .map(|u| u["meta"]["created"].as_str().unwrap().to_string())
        .collect();
    expected.reverse();
    assert_eq!(created_desc, expected, "newest first");
}

#[tokio::test]
async fn sort_by_a_multi_valued_attribute_uses_the_primary_value() {
    let s = Server::new();
    // userName order is a, b, c; primary e-mail order is c (a@…), a (m@…), b (z@…).
    s.create_user(json!({ "userName": "a", "emails": [
        { "value": "b-not-primary@example.com" }, { "value": "m@example.com", "primary": true } ] }))
        .await;
    s.create_user(
        json!({ "userName": "b", "emails": [{ "value": "z@example.com", "primary": true }] }),
    )
    .await;
    s.create_user(json!({ "userName": "c", "emails": [{ "value": "a@example.com" }] }))
        .await;
    s.create_user(json!({ "userName": "d" })).await;
    assert_eq!(
        sorted_names(&s, "sortBy=emails").await,
        ["c", "a", "b", "d"],
        "RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value; no e-mail sorts last"
    );
    assert_eq!(
        sorted_names(&s, "sortBy=emails.value").await,
        ["c", "a", "b", "d"],
        "the same with the sub-attribute named"
    );
}

#[tokio::test]
async fn unknown_sort_by_is_a_bad_request() {
    let s = Server::new();
    people(&s).await;
    let reply = s.get("/scim/v2/Users?sortBy=shoeSize").await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        None,
        "shoeSize is not an attribute to sort by",
    );
    assert!(
        reply.detail().contains("shoeSize"),
        "the detail names it: {}",
        reply.detail()
    );
}

#[tokio::test]
async fn unknown_sort_order_is_a_bad_request() {
    let s = Server::new();
    s.get("/scim/v2/Users?sortBy=userName&sortOrder=sideways")
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            None,
            "sortOrder is ascending or descending",
        );
}

#[tokio::test]
async fn users_without_a_value_sort_last_both_ways() {
    let s = Server::new();
    people(&s).await;
    let titles = |reply: Vec<Value>| -> Vec<Option<String>> {
        reply
            .iter()
            .map(|u| u["title"].as_str().map(str::to_string))
            .collect()
    };
    let reply = s.get("/scim/v2/Users?sortBy=title").await;
    assert_eq!(
        titles(reply.resources()),
        [
            Some("Designer".into()),
            Some("Engineer".into()),
            Some("Sales Manager".into()),
            None
        ],
        "ascending: Zoë, without a title, comes last"
    );
    let reply = s
        .get("/scim/v2/Users?sortBy=title&sortOrder=descending")
        .await;
    assert_eq!(
        titles(reply.resources()),
        [
            Some("Sales Manager".into()),
            Some("Engineer".into()),
            Some("Designer".into()),
            None
        ],
        "descending: still last"
    );
}

#[tokio::test]
async fn sort_by_an_extension_attribute() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        sorted_names(
            &s,
            &format!("sortBy={}", enc(&format!("{EXT}:creditLimit")))
        )
        .await,
        [WANG, ALICE, BOB, ZOE],
        "0, 100, 500, then no limit"
    );
}

#[tokio::test]
async fn sorting_combines_with_a_filter_and_paging() {
    let s = Server::new();
    people(&s).await;
    let reply = s
        .get(&format!(
            "/scim/v2/Users?filter={}&sortBy=userName&sortOrder=descending&startIndex=2&count=1",
            enc("active eq true")
        ))
        .await;
    reply.expect(StatusCode::OK, "filter, sort and page together");
    assert_eq!(reply.total(), 3, "three active users");
    assert_eq!(reply.user_names(), [WANG], "second of zoe, wang, alice");
}
