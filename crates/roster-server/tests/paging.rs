//! Paging edges (RFC 7644 §3.4.2.4): startIndex and count, including the
//! values the RFC says to clamp.

mod common;

use std::collections::HashSet;

use axum::http::StatusCode;
use common::*;

/// A server with `n` plain users u00@example.com, u01@…
async fn with_users(n: usize) -> Server {
    let s = Server::new();
    for i in 0..n {
        s.create_user(user_body(
            &format!("u{i:02}@example.com"),
            "User",
            &format!("Number {i}"),
        ))
        .await;
    }
    s
}

#[tokio::test]
async fn start_index_below_one_means_one() {
    let s = with_users(5).await;
    let first = s.get("/scim/v2/Users?startIndex=1&count=2").await;
    first.expect(StatusCode::OK, "the first page");
    for start in ["0", "-5"] {
        let reply = s
            .get(&format!("/scim/v2/Users?startIndex={start}&count=2"))
            .await;
        reply.expect(
            StatusCode::OK,
            &format!("startIndex={start} is not an error"),
        );
        assert_eq!(
            reply.body["startIndex"], 1,
            "startIndex={start} is treated as 1"
        );
        assert_eq!(
            reply.ids(),
            first.ids(),
            "startIndex={start} serves the first page"
        );
        assert_eq!(reply.total(), 5, "totalResults is unchanged");
    }
}

#[tokio::test]
async fn start_index_beyond_the_total_is_an_empty_page() {
    let s = with_users(5).await;
    let reply = s.get("/scim/v2/Users?startIndex=6&count=10").await;
    reply.expect(StatusCode::OK, "a start past the end is not an error");
    assert_eq!(reply.total(), 5, "totalResults still counts every match");
    assert!(reply.resources().is_empty(), "no resources past the end");
    assert_eq!(reply.body["itemsPerPage"], 0, "an empty page has 0 items");
    assert_eq!(reply.body["startIndex"], 6, "the requested start is echoed");
    let far = s.get("/scim/v2/Users?startIndex=9223372036854775807").await;
    far.expect(
        StatusCode::OK,
        "the largest startIndex is still just past the end",
    );
    assert!(far.resources().is_empty(), "nothing there");
}

#[tokio::test]
async fn last_partial_page() {
    let s = with_users(5).await;
    let reply = s.get("/scim/v2/Users?startIndex=4&count=10").await;
    assert_eq!(reply.resources().len(), 2, "users 4 and 5 remain");
    assert_eq!(
        reply.body["itemsPerPage"], 2,
        "itemsPerPage counts the page, not the request"
    );
}

#[tokio::test]
async fn count_zero_returns_only_the_total() {
    let s = with_users(5).await;
    let reply = s.get("/scim/v2/Users?count=0").await;
    reply.expect(StatusCode::OK, "count=0 asks for the total only");
    assert_eq!(reply.total(), 5, "the total is counted");
    assert!(reply.resources().is_empty(), "no resources with count=0");
    assert_eq!(reply.body["itemsPerPage"], 0, "an empty page");
}

#[tokio::test]
async fn negative_count_means_zero() {
    let s = with_users(3).await;
    let reply = s.get("/scim/v2/Users?count=-7").await;
    reply.expect(
        StatusCode::OK,
        "RFC 7644: a negative count is read as 0, not refused",
    );
    assert_eq!(reply.total(), 3, "the total is counted");
    assert!(reply.resources().is_empty(), "no resources");
}

#[tokio::test]
async fn non_numeric_count_is_a_bad_request() {
    let s = with_users(1).await;
    s.get("/scim/v2/Users?count=ten").await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "count must be a number",
    );
    s.get("/scim/v2/Users?startIndex=first")
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "startIndex must be a number",
        );
    s.get("/scim/v2/Users?count=1.5").await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "count must be a whole number",
    );
}

#[tokio::test]
async fn count_above_the_advertised_maximum_is_capped() {
    let s = Server::demo(1005);
    let config = s.anonymous().get("/scim/v2/ServiceProviderConfig").await;
    let max = config.body["filter"]["maxResults"]
        .as_i64()
        .expect("maxResults is advertised");
    assert_eq!(max, 1000, "the server advertises 1000");
    let reply = s.get("/scim/v2/Users?count=5000").await;
    reply.expect(StatusCode::OK, "a large count is capped, not refused");
    assert_eq!(reply.total(), 1005, "the total counts every user");
    assert_eq!(
        reply.body["itemsPerPage"], max,
        "the page holds at most maxResults"
    );
    assert_eq!(
        reply.resources().len() as i64,
        max,
        "and that many resources"
    );
}

#[tokio::test]
async fn default_page_is_not_everything() {
    let s = Server::demo(150);
    let reply = s.get("/scim/v2/Users").await;
    reply.expect(StatusCode::OK, "a list without paging parameters");
    assert_eq!(reply.total(), 150, "the total counts every user");
    let n = reply.resources().len();
    assert!(n > 0 && n <= 150, "some users are served: {n}");
    assert_eq!(
        reply.body["itemsPerPage"], n,
        "itemsPerPage matches the page"
    );
}

#[tokio::test]
async fn consecutive_pages_do_not_overlap_and_cover_everything() {
    let s = with_users(23).await;
    for sort in [
        "",
        "&sortBy=name.familyName",
        "&sortBy=userName&sortOrder=descending",
    ] {
        let mut seen = Vec::new();
        let mut start = 1;
        loop {
            let reply = s
                .get(&format!("/scim/v2/Users?startIndex={start}&count=5{sort}"))
                .await;
            reply.expect(StatusCode::OK, "a page");
            assert_eq!(reply.total(), 23, "the total is the same on every page");
            let ids = reply.ids();
            if ids.is_empty() {
                break;
            }
            start += ids.len();
            seen.extend(ids);
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "no user appears on two pages ({sort})"
        );
        assert_eq!(seen.len(), 23, "the pages cover every user ({sort})");
    }
}

#[tokio::test]
async fn list_response_shape() {
    let s = with_users(2).await;
    let reply = s.get("/scim/v2/Users").await;
    reply.expect(StatusCode::OK, "a list");
    assert_eq!(
        reply.body["schemas"],
        serde_json::json!([LIST_RESPONSE]),
        "a ListResponse"
    );
    assert!(
        reply
            .header("content-type")
            .unwrap_or("")
            .starts_with(SCIM_JSON),
        "lists are application/scim+json"
    );
    assert_eq!(reply.body["startIndex"], 1, "1-based");
}

/// Every page of `query` (after `?startIndex=…&count=…`), in order, with
/// the total, which must be the same on every page.
async fn all_pages(s: &Server, query: &str, count: usize) -> (i64, Vec<String>) {
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let start = seen.len() + 1;
        let reply = s
            .get(&format!(
                "/scim/v2/Users?startIndex={start}&count={count}{query}"
            ))
            .await;
        reply.expect(StatusCode::OK, "a page");
        let t = *total.get_or_insert(reply.total());
        assert_eq!(reply.total(), t, "the total is the same on every page");
        let ids = reply.ids();
        if ids.is_empty() {
            return (t, seen);
        }
        assert!(ids.len() <= count, "no page is longer than asked");
        seen.extend(ids);
    }
}

/// Pages without filter or sort, as a sync reads them, and the same pages
/// counted and read by SQL (a filter that every user matches).
async fn plain_and_filtered(s: &Server) -> (i64, Vec<String>) {
    let plain = all_pages(s, "", 3).await;
    let filtered = all_pages(s, &format!("&filter={}", enc("userName pr")), 3).await;
    assert_eq!(plain, filtered, "a page without a filter lists every user");
    assert_eq!(plain.0, plain.1.len() as i64, "the total counts the pages");
    plain
}

/// Pages without a filter are sliced from row numbers kept between
/// requests (list::RowCache): they must follow every insert and delete at
/// once, whichever way the row came or went.
#[tokio::test]
async fn pages_follow_inserts_and_deletes_between_them() {
    let s = with_users(7).await;
    let (total, before) = plain_and_filtered(&s).await;
    assert_eq!(total, 7, "seven users");

    let added = s
        .create_user(user_body("u07@example.com", "User", "Number 7"))
        .await;
    let added = added["id"].as_str().expect("an id").to_string();
    let (total, after) = plain_and_filtered(&s).await;
    assert_eq!(total, 8, "counted right after the insert");
    assert_eq!(after[..7], before[..], "the earlier users stay in place");
    assert_eq!(after[7], added, "the new user comes last");
    let last = s.get("/scim/v2/Users?startIndex=8&count=5").await;
    assert_eq!(last.ids(), vec![added.clone()], "the last page holds it");
    assert_eq!(last.total(), 8, "and counts it");

    let gone = after[2].clone();
    s.delete(&format!("/scim/v2/Users/{gone}"))
        .await
        .expect(StatusCode::NO_CONTENT, "a user deleted");
    let (total, after) = plain_and_filtered(&s).await;
    assert_eq!(total, 7, "counted right after the delete");
    assert!(!after.contains(&gone), "the deleted user is not listed");
    let second = s.get("/scim/v2/Users?startIndex=3&count=2").await;
    assert_eq!(
        second.ids(),
        after[2..4],
        "later users move up a place at once"
    );

    // Deleting the newest user and adding another reuses its row number.
    s.delete(&format!("/scim/v2/Users/{added}"))
        .await
        .expect(StatusCode::NO_CONTENT, "the newest user deleted");
    let again = s
        .create_user(user_body("u08@example.com", "User", "Number 8"))
        .await;
    let again = again["id"].as_str().expect("an id").to_string();
    let (total, after) = plain_and_filtered(&s).await;
    assert_eq!(total, 7, "one out, one in");
    assert!(!after.contains(&added), "the deleted newest user is gone");
    assert_eq!(after.last(), Some(&again), "the new one comes last");

    // A row deleted by SQL, not through the API, is noticed all the same.
    let direct = after[0].clone();
    s.state.db.with_writer(|conn| {
        conn.execute("DELETE FROM users WHERE id = ?1", [&direct])
            .expect("a direct delete")
    });
    let (total, after) = plain_and_filtered(&s).await;
    assert_eq!(total, 6, "counted right after a delete by SQL");
    assert!(!after.contains(&direct), "that user is gone too");
}

#[tokio::test]
async fn paging_with_a_filter_counts_only_the_matches() {
    let s = with_users(12).await;
    let query = format!("&filter={}", enc("userName sw \"u1\""));
    let (total, ids) = all_pages(&s, &query, 1).await;
    assert_eq!(total, 2, "u10 and u11 match");
    assert_eq!(ids.len(), 2, "one page each");
    let past = s
        .get(&format!("/scim/v2/Users?startIndex=3&count=1{query}"))
        .await;
    assert!(past.resources().is_empty(), "nothing past the matches");
    assert_eq!(past.total(), 2, "but the total still counts them");
    s.create_user(user_body("u12@example.com", "User", "Number 12"))
        .await;
    let (total, after) = all_pages(&s, &query, 1).await;
    assert_eq!(total, 3, "a new match is counted at once");
    assert_eq!(after[..2], ids[..], "after the earlier matches");
    assert_eq!(
        all_pages(&s, "", 5).await.0,
        13,
        "and every user without the filter"
    );
}
