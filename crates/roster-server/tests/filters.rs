//! `GET /Users?filter=…`: every operator, the logical operators, value paths,
//! URN-qualified names, multi-valued attributes, case rules, unicode, SQL in
//! values, and the errors (RFC 7644 §3.4.2.2).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const CREDIT: &str = "urn:roster:params:scim:schemas:extension:roster:2.0:User:creditLimit";

// ---- eq ne co sw ew pr on strings ----------------------------------------

#[tokio::test]
async fn eq_on_user_name_finds_exactly_that_user() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName eq "alice@example.com""#).await,
        sorted(&[ALICE]),
        "eq matches one userName"
    );
}

#[tokio::test]
async fn ne_on_user_name_finds_everyone_else() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName ne "alice@example.com""#).await,
        sorted(&[BOB, ZOE, WANG]),
        "ne excludes only the named user"
    );
}

#[tokio::test]
async fn co_on_family_name_matches_a_substring() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"name.familyName co "nder""#).await,
        sorted(&[ALICE]),
        "Anderson contains 'nder'"
    );
}

#[tokio::test]
async fn sw_on_title_matches_a_prefix() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"title sw "Sales""#).await,
        sorted(&[BOB]),
        "'Sales Manager' starts with 'Sales'"
    );
    assert_eq!(
        s.names(r#"title sw "Manager""#).await,
        Vec::<String>::new(),
        "sw is a prefix, not a substring"
    );
}

#[tokio::test]
async fn ew_on_user_name_matches_a_suffix() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName ew "example.org""#).await,
        sorted(&[ZOE]),
        "only Zoë is at example.org"
    );
    assert_eq!(
        s.names(r#"userName ew "@example.com""#).await,
        sorted(&[ALICE, BOB]),
        "two users are at example.com"
    );
}

#[tokio::test]
async fn pr_finds_users_that_have_a_value() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names("title pr").await,
        sorted(&[ALICE, BOB, WANG]),
        "Zoë has no title"
    );
}

#[tokio::test]
async fn gt_ge_lt_le_compare_strings_in_order() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName gt "bob@example.com""#).await,
        sorted(&[ZOE, WANG]),
        "gt is strict"
    );
    assert_eq!(
        s.names(r#"userName ge "bob@example.com""#).await,
        sorted(&[BOB, ZOE, WANG]),
        "ge includes the bound"
    );
    assert_eq!(
        s.names(r#"userName lt "bob@example.com""#).await,
        sorted(&[ALICE]),
        "lt is strict"
    );
    assert_eq!(
        s.names(r#"userName le "bob@example.com""#).await,
        sorted(&[ALICE, BOB]),
        "le includes the bound"
    );
}

// ---- booleans --------------------------------------------------------------

#[tokio::test]
async fn active_eq_true_and_false() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names("active eq true").await,
        sorted(&[ALICE, ZOE, WANG]),
        "three users are active"
    );
    assert_eq!(
        s.names("active eq false").await,
        sorted(&[BOB]),
        "Bob was created inactive"
    );
    assert_eq!(
        s.names("active ne true").await,
        sorted(&[BOB]),
        "ne true is the inactive users"
    );
}

#[tokio::test]
async fn ordering_a_boolean_is_an_invalid_filter() {
    let s = Server::new();
    people(&s).await;
    s.filter("active gt true").await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidFilter"),
        "booleans have no order",
    );
    s.filter(r#"active eq "yes""#).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidFilter"),
        "a boolean compares with true or false",
    );
}

// ---- integers (the Roster extension's creditLimit) -------------------------

#[tokio::test]
async fn integer_eq_and_ne() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(&format!("{CREDIT} eq 100")).await,
        sorted(&[ALICE]),
        "Alice's limit is 100"
    );
    assert_eq!(
        s.names(&format!("{CREDIT} eq 0")).await,
        sorted(&[WANG]),
        "0 is a value, not absence"
    );
    assert_eq!(
        s.names(&format!("{CREDIT} ne 100")).await,
        sorted(&[BOB, ZOE, WANG]),
        "ne also matches a user without a limit"
    );
}

#[tokio::test]
async fn integer_gt_ge_lt_le() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(&format!("{CREDIT} gt 100")).await,
        sorted(&[BOB]),
        "only 500 is above 100"
    );
    assert_eq!(
        s.names(&format!("{CREDIT} ge 100")).await,
        sorted(&[ALICE, BOB]),
        "ge includes 100"
    );
    assert_eq!(
        s.names(&format!("{CREDIT} lt 100")).await,
        sorted(&[WANG]),
        "0 is below 100; no limit is not"
    );
    assert_eq!(
        s.names(&format!("{CREDIT} le 100")).await,
        sorted(&[ALICE, WANG]),
        "le includes 100"
    );
    assert_eq!(
        s.names(&format!("{CREDIT} pr")).await,
        sorted(&[ALICE, BOB, WANG]),
        "Zoë has no limit"
    );
}

#[tokio::test]
async fn integer_compared_with_text_is_an_invalid_filter() {
    let s = Server::new();
    s.filter(&format!(r#"{CREDIT} co "1""#))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            "co does not apply to numbers",
        );
    s.filter(&format!(r#"{CREDIT} gt "ten""#))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            "a number compares with a number",
        );
}

// ---- dateTime ----------------------------------------------------------------

/// Checks `meta.created <op> T` against the created times the server reports.
async fn check_created(
    s: &Server,
    users: &[Value],
    op: &str,
    bound: &str,
    keep: impl Fn(&str) -> bool,
) {
    let mut expected: Vec<String> = users
        .iter()
        .filter(|u| keep(u["meta"]["created"].as_str().expect("meta.created")))
        .map(|u| u["userName"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    let found = s.names(&format!(r#"meta.created {op} "{bound}""#)).await;
    assert_eq!(
        found, expected,
        "meta.created {op} {bound} finds the users created then"
    );
}

#[tokio::test]
async fn date_time_gt_ge_lt_le_on_meta_created() {
    // The demo spreads creation times over years, so the bound splits them.
    let s = Server::demo(40);
    let users = s.all_users().await;
    let mut times: Vec<String> = users
        .iter()
        .map(|u| u["meta"]["created"].as_str().unwrap().to_string())
        .collect();
    times.sort();
    let bound = times[times.len() / 2].clone();
    check_created(&s, &users, "gt", &bound, |t| t > bound.as_str()).await;
    check_created(&s, &users, "ge", &bound, |t| t >= bound.as_str()).await;
    check_created(&s, &users, "lt", &bound, |t| t < bound.as_str()).await;
    check_created(&s, &users, "le", &bound, |t| t <= bound.as_str()).await;
    check_created(&s, &users, "eq", &bound, |t| t == bound.as_str()).await;
}

#[tokio::test]
async fn date_time_with_an_offset_means_the_same_instant() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"meta.lastModified gt "2001-01-01T01:00:00+01:00""#)
            .await
            .len(),
        4,
        "everyone was modified after 2001-01-01T00:00Z"
    );
    assert!(
        s.names(r#"meta.lastModified lt "2001-01-01T01:00:00+01:00""#)
            .await
            .is_empty(),
        "no one was modified before 2001"
    );
    assert!(
        s.names(r#"meta.lastModified gt "2999-12-31T23:00:00-02:00""#)
            .await
            .is_empty(),
        "no one was modified in the future"
    );
}

#[tokio::test]
async fn date_time_that_is_not_a_date_is_an_invalid_filter() {
    let s = Server::new();
    s.filter(r#"meta.created gt "last tuesday""#)
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            "a dateTime must be RFC 3339",
        );
}

// ---- and / or / not ----------------------------------------------------------

#[tokio::test]
async fn and_requires_both() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"title pr and active eq true"#).await,
        sorted(&[ALICE, WANG]),
        "Bob has a title but is inactive, Zoë is active without a title"
    );
}

#[tokio::test]
async fn or_accepts_either() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName eq "alice@example.com" or userName eq "zoe@example.org""#)
            .await,
        sorted(&[ALICE, ZOE]),
        "or unites the two matches"
    );
}

#[tokio::test]
async fn and_binds_tighter_than_or() {
    let s = Server::new();
    people(&s).await;
    // a or (b and c): Bob is inactive, so only Alice.
    assert_eq!(
        s.names(
            r#"userName eq "alice@example.com" or userName eq "bob@example.com" and active eq true"#
        )
        .await,
        sorted(&[ALICE]),
        "without parentheses, and is applied first"
    );
}

#[tokio::test]
async fn parentheses_override_precedence() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"(userName eq "alice@example.com" or userName eq "bob@example.com") and active eq false"#).await,
        sorted(&[BOB]),
        "the grouped or is applied before and"
    );
}

#[tokio::test]
async fn not_negates_and_includes_users_without_the_attribute() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names("not (title pr)").await,
        sorted(&[ZOE]),
        "only Zoë has no title"
    );
    assert_eq!(
        s.names(r#"not (title eq "Engineer")"#).await,
        sorted(&[BOB, ZOE, WANG]),
        "a user without a title is not an Engineer"
    );
    assert_eq!(
        s.names(r#"not (active eq true) or title eq "Designer""#)
            .await,
        sorted(&[BOB, WANG]),
        "not combines with or"
    );
}

#[tokio::test]
async fn keywords_and_operators_are_case_insensitive() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName EQ "alice@example.com" OR title Pr AND active Eq False"#)
            .await,
        sorted(&[ALICE, BOB]),
        "RFC 7644: operators and keywords ignore case"
    );
}

// ---- value paths ------------------------------------------------------------

#[tokio::test]
async fn value_path_matches_within_one_element() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"emails[type eq "work" and value co "example"]"#)
            .await,
        sorted(&[ALICE, BOB, WANG]),
        "Zoë's only e-mail is a home one"
    );
    assert_eq!(
        s.names(r#"emails[type eq "home" and value co "example"]"#)
            .await,
        sorted(&[ZOE]),
        "Alice's home e-mail is at home.test, so both conditions must hold in the same element"
    );
}

#[tokio::test]
async fn value_path_combines_with_other_filters() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"emails[type eq "work"] and not (title sw "Sales")"#)
            .await,
        sorted(&[ALICE, WANG]),
        "a value path is one term of a larger filter"
    );
}

// ---- URN-qualified names -------------------------------------------------

#[tokio::test]
async fn core_attribute_with_its_urn() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com""#)
            .await,
        sorted(&[BOB]),
        "the core URN prefix names the same attribute"
    );
    assert_eq!(
        s.names(r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "Brown""#)
            .await,
        sorted(&[BOB]),
        "a sub-attribute after the core URN"
    );
}

#[tokio::test]
async fn extension_role_by_urn() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(&format!(r#"{EXT}:role eq "admin""#)).await,
        sorted(&[WANG]),
        "the extension's role"
    );
    assert_eq!(
        s.names(r#"role eq "viewer""#).await,
        sorted(&[ZOE]),
        "an extension name also resolves unqualified"
    );
}

#[tokio::test]
async fn extension_status_by_urn() {
    let s = Server::demo(60);
    let users = s
        .all_users_with(&["userName", &format!("{EXT}:status")])
        .await;
    for status in ["pending", "active", "archived"] {
        let mut expected: Vec<String> = users
            .iter()
            .filter(|u| u[EXT]["status"] == status)
            .map(|u| u["userName"].as_str().unwrap().to_string())
            .collect();
        expected.sort();
        assert!(!expected.is_empty(), "the demo has {status} users");
        assert_eq!(
            s.names(&format!(r#"{EXT}:status eq "{status}""#)).await,
            expected,
            "status eq {status} finds exactly the users the server reports as {status}"
        );
    }
}

#[tokio::test]
async fn status_follows_active_for_created_users() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(&format!(r#"{EXT}:status eq "archived""#)).await,
        sorted(&[BOB]),
        "inactive means archived"
    );
    assert_eq!(
        s.names(&format!(r#"{EXT}:status eq "pending""#)).await,
        Vec::<String>::new(),
        "nobody is pending"
    );
}

// ---- multi-valued attributes ------------------------------------------------

#[tokio::test]
async fn emails_value_matches_any_element() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"emails.value eq "alice@home.test""#).await,
        sorted(&[ALICE]),
        "a second e-mail counts"
    );
    assert_eq!(
        s.names(r#"emails co "home.test""#).await,
        sorted(&[ALICE]),
        "emails alone compares its value"
    );
    assert_eq!(
        s.names(r#"emails.type eq "home""#).await,
        sorted(&[ALICE, ZOE]),
        "any element's type"
    );
}

#[tokio::test]
async fn groups_value_finds_the_members_of_a_group() {
    let s = Server::new();
    let p = people(&s).await;
    let group = s
        .post(
            "/scim/v2/Groups",
            &json!({ "schemas": [CORE_GROUP], "displayName": "Designers",
                     "members": [{ "value": People::id(&p.zoe) }, { "value": People::id(&p.wang) }] }),
        )
        .await;
    group.expect(StatusCode::CREATED, "a group with two members");
    let gid = group.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.names(&format!(r#"groups.value eq "{gid}""#)).await,
        sorted(&[ZOE, WANG]),
        "the group's members"
    );
    assert_eq!(
        s.names(r#"groups.display eq "Designers""#).await,
        sorted(&[ZOE, WANG]),
        "by the group's name"
    );
    assert_eq!(
        s.names("groups pr").await,
        sorted(&[ZOE, WANG]),
        "only members have groups"
    );
    assert_eq!(
        s.names("not (groups pr)").await,
        sorted(&[ALICE, BOB]),
        "the others have none"
    );
}

#[tokio::test]
async fn extension_departments_match_any_element() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(&format!(r#"{EXT}:departments eq "Design""#)).await,
        sorted(&[ZOE, WANG]),
        "Design"
    );
    assert_eq!(
        s.names(&format!(r#"{EXT}:departments eq "engineering""#))
            .await,
        sorted(&[ALICE, ZOE]),
        "departments are not case-exact"
    );
}

#[tokio::test]
async fn extension_resources_match_granted_users() {
    let s = Server::demo(40);
    let users = s
        .all_users_with(&["userName", &format!("{EXT}:resources")])
        .await;
    let granted = users
        .iter()
        .find_map(|u| u[EXT]["resources"][0]["value"].as_str().map(str::to_string))
        .expect("some demo user has access to a resource");
    let mut expected: Vec<String> = users
        .iter()
        .filter(|u| {
            u[EXT]["resources"]
                .as_array()
                .is_some_and(|r| r.iter().any(|e| e["value"] == granted.as_str()))
        })
        .map(|u| u["userName"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(
        s.names(&format!(r#"{EXT}:resources.value eq "{granted}""#))
            .await,
        expected,
        "resources.value finds exactly the users granted that resource"
    );
    assert_eq!(
        s.names(&format!(r#"{EXT}:resources[value eq "{granted}"]"#))
            .await,
        expected,
        "the same through a value path"
    );
}

// ---- case rules ----------------------------------------------------------

#[tokio::test]
async fn user_name_is_not_case_exact() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"userName eq "ALICE@EXAMPLE.COM""#).await,
        sorted(&[ALICE]),
        "userName ignores case"
    );
    assert_eq!(
        s.names(r#"userName sw "ALI""#).await,
        sorted(&[ALICE]),
        "also for sw"
    );
    assert_eq!(
        s.names(r#"name.familyName co "NDER""#).await,
        sorted(&[ALICE]),
        "name parts ignore case"
    );
}

#[tokio::test]
async fn id_is_case_exact() {
    let s = Server::new();
    let p = people(&s).await;
    let id = People::id(&p.alice);
    assert_ne!(id, id.to_uppercase(), "the id has letters");
    assert_eq!(
        s.names(&format!(r#"id eq "{id}""#)).await,
        sorted(&[ALICE]),
        "the exact id matches"
    );
    assert!(
        s.names(&format!(r#"id eq "{}""#, id.to_uppercase()))
            .await
            .is_empty(),
        "id is caseExact, so another case does not match"
    );
}

// ---- unicode ---------------------------------------------------------------

#[tokio::test]
async fn unicode_values_match() {
    let s = Server::new();
    people(&s).await;
    assert_eq!(
        s.names(r#"name.givenName eq "Zoë""#).await,
        sorted(&[ZOE]),
        "a diaeresis"
    );
    assert_eq!(
        s.names(r#"name.givenName eq "ZOË""#).await,
        sorted(&[ZOE]),
        "non-ASCII letters fold too"
    );
    assert_eq!(
        s.names(r#"name.givenName eq "zoe""#).await,
        sorted(&[ZOE]),
        "text that is not case-exact also ignores accents: zoe finds Zoë"
    );
    assert_eq!(
        s.names("name.givenName eq \"Zoe\u{308}\"").await,
        sorted(&[ZOE]),
        "a decomposed ë (e + combining diaeresis) is the same letter"
    );
    assert_eq!(
        s.names(r#"name.givenName eq "Zoa""#).await,
        Vec::<String>::new(),
        "but another letter is another name"
    );
    assert_eq!(
        s.names(r#"displayName eq "王芳""#).await,
        sorted(&[WANG]),
        "Chinese characters"
    );
    assert_eq!(
        s.names(r#"name.familyName sw "王""#).await,
        sorted(&[WANG]),
        "a one-character prefix"
    );
    assert_eq!(
        s.names(r#"displayName co "芳""#).await,
        sorted(&[WANG]),
        "a substring"
    );
}

// ---- SQL in values --------------------------------------------------------

#[tokio::test]
async fn sql_in_a_value_is_just_text() {
    let s = Server::new();
    people(&s).await;
    assert!(
        s.names(r#"userName eq "x' OR 1=1 --""#).await.is_empty(),
        "a quote does not end the value"
    );
    assert!(
        s.names(r#"userName eq "\"); DROP TABLE users; --""#)
            .await
            .is_empty(),
        "an escaped double quote stays inside the value"
    );
    assert!(
        s.names(r#"title co "' OR '1'='1""#).await.is_empty(),
        "co with SQL text finds nothing"
    );
    let all = s.get("/scim/v2/Users").await;
    all.expect(StatusCode::OK, "the users table still works");
    assert_eq!(all.total(), 4, "no user was lost");
}

#[tokio::test]
async fn sql_can_be_stored_and_found_as_text() {
    let s = Server::new();
    let sneaky = "x' OR 1=1 --";
    s.create_user(json!({ "userName": "sneaky@example.com", "title": sneaky }))
        .await;
    s.create_user(json!({ "userName": "plain@example.com", "title": "Plain" }))
        .await;
    assert_eq!(
        s.names(r#"title eq "x' OR 1=1 --""#).await,
        sorted(&["sneaky@example.com"]),
        "the value is compared as text, exactly"
    );
}

// ---- errors ----------------------------------------------------------------

#[tokio::test]
async fn unknown_attribute_is_an_invalid_filter() {
    let s = Server::new();
    let reply = s.filter(r#"shoeSize eq "42""#).await;
    reply.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidFilter"),
        "shoeSize is not a User attribute",
    );
    assert!(
        reply.detail().contains("shoeSize"),
        "the detail names the attribute: {}",
        reply.detail()
    );
}

#[tokio::test]
async fn unknown_extension_attribute_is_an_invalid_filter() {
    let s = Server::new();
    s.filter(&format!(r#"{EXT}:shoeSize eq "42""#))
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            "the extension has no shoeSize",
        );
}

#[tokio::test]
async fn syntax_error_is_an_invalid_filter_with_a_readable_detail() {
    let s = Server::new();
    for bad in [
        r#"userName eq"#,
        r#"userName eq "unterminated"#,
        r#"(userName pr"#,
        r#"userName xx "a""#,
    ] {
        let reply = s.filter(bad).await;
        reply.expect_scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            &format!("'{bad}' does not parse"),
        );
        let detail = reply.detail().to_lowercase();
        assert!(
            detail.contains("filter"),
            "the detail says the filter is the problem: {detail}"
        );
        assert!(
            !detail.contains("sql") && !detail.contains("rusqlite") && !detail.contains("panick"),
            "the detail speaks to a person, not of internals: {detail}"
        );
    }
}

#[tokio::test]
async fn more_than_200_comparisons_is_too_many() {
    let s = Server::new();
    let filter = (0..201)
        .map(|i| format!(r#"userName eq "u{i}@example.com""#))
        .collect::<Vec<_>>()
        .join(" or ");
    s.filter(&filter).await.expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("tooMany"),
        "201 comparisons are more than the server accepts",
    );
}

#[tokio::test]
async fn exactly_200_comparisons_are_accepted() {
    let s = Server::new();
    people(&s).await;
    let mut terms: Vec<String> = (0..199)
        .map(|i| format!(r#"userName eq "u{i}@example.com""#))
        .collect();
    terms.push(r#"userName eq "alice@example.com""#.to_string());
    assert_eq!(
        s.names(&terms.join(" or ")).await,
        sorted(&[ALICE]),
        "200 comparisons are within the limit"
    );
}

#[tokio::test]
async fn empty_filter_lists_everyone() {
    let s = Server::new();
    people(&s).await;
    let reply = s.get("/scim/v2/Users?filter=").await;
    reply.expect(StatusCode::OK, "an empty filter is no filter");
    assert_eq!(reply.total(), 4, "everyone is listed");
}
