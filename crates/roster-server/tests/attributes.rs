//! `attributes` and `excludedAttributes` on list and get (RFC 7644 §3.4.2.5,
//! §3.9), and `POST /.search` (§3.4.3).

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn attributes_user_name_on_list_returns_id_schemas_and_user_name() {
    let s = Server::new();
    people(&s).await;
    let reply = s.get("/scim/v2/Users?attributes=userName").await;
    reply.expect(StatusCode::OK, "attributes=userName");
    assert_eq!(reply.resources().len(), 4, "every user is listed");
    for u in reply.resources() {
        assert_eq!(
            keys(&u),
            set(&["id", "schemas", "userName"]),
            "only what was asked, and id and schemas: {u}"
        );
    }
}

#[tokio::test]
async fn attributes_user_name_on_get() {
    let s = Server::new();
    let p = people(&s).await;
    let reply = s
        .get(&format!(
            "/scim/v2/Users/{}?attributes=userName",
            People::id(&p.alice)
        ))
        .await;
    reply.expect(StatusCode::OK, "get with attributes");
    assert_eq!(
        keys(&reply.body),
        set(&["id", "schemas", "userName"]),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn attributes_sub_attribute() {
    let s = Server::new();
    let p = people(&s).await;
    let reply = s
        .get(&format!(
            "/scim/v2/Users/{}?attributes=name.familyName",
            People::id(&p.alice)
        ))
        .await;
    reply.expect(StatusCode::OK, "a sub-attribute");
    assert_eq!(
        keys(&reply.body),
        set(&["id", "schemas", "name"]),
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["name"],
        json!({ "familyName": "Anderson" }),
        "only familyName of name"
    );
}

#[tokio::test]
async fn attributes_several_names_comma_separated() {
    let s = Server::new();
    people(&s).await;
    let reply = s
        .get("/scim/v2/Users?attributes=userName,%20title&filter=title%20pr")
        .await;
    reply.expect(StatusCode::OK, "a list of names");
    for u in reply.resources() {
        assert_eq!(
            keys(&u),
            set(&["id", "schemas", "userName", "title"]),
            "{u}"
        );
    }
}

#[tokio::test]
async fn excluded_attributes_removes_emails() {
    let s = Server::new();
    let p = people(&s).await;
    let reply = s.get("/scim/v2/Users?excludedAttributes=emails").await;
    reply.expect(StatusCode::OK, "excludedAttributes=emails");
    for u in reply.resources() {
        assert!(u.get("emails").is_none(), "emails are excluded: {u}");
        assert!(u.get("userName").is_some(), "everything else stays: {u}");
        assert!(u.get("meta").is_some(), "meta stays: {u}");
    }
    let one = s
        .get(&format!(
            "/scim/v2/Users/{}?excludedAttributes=emails",
            People::id(&p.alice)
        ))
        .await;
    assert!(
        one.body.get("emails").is_none(),
        "also on get: {}",
        one.body
    );
    assert!(
        one.body.get("name").is_some(),
        "name stays on get: {}",
        one.body
    );
}

#[tokio::test]
async fn excluded_id_is_still_returned() {
    let s = Server::new();
    let p = people(&s).await;
    let one = s
        .get(&format!(
            "/scim/v2/Users/{}?excludedAttributes=id,userName",
            People::id(&p.alice)
        ))
        .await;
    assert!(
        one.body.get("id").is_some(),
        "id is returned always: {}",
        one.body
    );
    assert!(
        one.body.get("userName").is_none(),
        "userName can be excluded: {}",
        one.body
    );
}

#[tokio::test]
async fn attributes_extension_by_urn() {
    let s = Server::new();
    let p = people(&s).await;
    let reply = s
        .get(&format!(
            "/scim/v2/Users/{}?attributes={}",
            People::id(&p.alice),
            enc(EXT)
        ))
        .await;
    reply.expect(StatusCode::OK, "the whole extension by its URN");
    assert_eq!(
        keys(&reply.body),
        set(&["id", "schemas", EXT]),
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body[EXT]["role"], "member",
        "the extension's attributes are there"
    );
    assert_eq!(reply.body[EXT]["creditLimit"], 100, "all of them");

    let reply = s
        .get(&format!(
            "/scim/v2/Users/{}?attributes={}",
            People::id(&p.alice),
            enc(&format!("{EXT}:role"))
        ))
        .await;
    reply.expect(StatusCode::OK, "one extension attribute by its URN");
    assert_eq!(
        reply.body[EXT],
        json!({ "role": "member" }),
        "only role of the extension"
    );
    assert!(
        reply.body.get("userName").is_none(),
        "nothing else: {}",
        reply.body
    );
}

#[tokio::test]
async fn excluded_extension_by_urn() {
    let s = Server::new();
    let p = people(&s).await;
    let reply = s
        .get(&format!(
            "/scim/v2/Users/{}?excludedAttributes={}",
            People::id(&p.alice),
            enc(EXT)
        ))
        .await;
    reply.expect(StatusCode::OK, "excluding the extension");
    assert!(
        reply.body.get(EXT).is_none(),
        "the extension is gone: {}",
        reply.body
    );
    assert_eq!(reply.body["userName"], ALICE, "the core remains");
}

#[tokio::test]
async fn password_is_never_returned() {
    let s = Server::new();
    let mut body = user_body("pw@example.com", "Pass", "Word");
    body["password"] = json!("s3cret-passw0rd");
    let created = s.create_user(body).await;
    assert!(
        created.get("password").is_none(),
        "not in the 201 answer: {created}"
    );
    let id = People::id(&created);
    for query in ["", "?attributes=password", "?attributes=password,userName"] {
        let reply = s.get(&format!("/scim/v2/Users/{id}{query}")).await;
        reply.expect(StatusCode::OK, "get");
        assert!(
            reply.body.get("password").is_none(),
            "no password with '{query}': {}",
            reply.body
        );
        assert!(
            !String::from_utf8_lossy(&reply.bytes).contains("s3cret"),
            "the password text never appears"
        );
    }
    let list = s.get("/scim/v2/Users?attributes=password").await;
    assert!(
        !String::from_utf8_lossy(&list.bytes).contains("s3cret"),
        "nor in a list"
    );
    for u in list.resources() {
        assert!(u.get("password").is_none(), "no password in a list: {u}");
    }
}

#[tokio::test]
async fn unparsable_attribute_name_is_a_bad_request() {
    let s = Server::new();
    s.get("/scim/v2/Users?attributes=%22quoted%22")
        .await
        .expect_scim_error(
            StatusCode::BAD_REQUEST,
            None,
            "a quoted string is not an attribute name",
        );
}

// ---- POST /.search -----------------------------------------------------------

#[tokio::test]
async fn search_users_with_a_search_request() {
    let s = Server::new();
    people(&s).await;
    let body = json!({
        "schemas": [SEARCH_REQUEST],
        "filter": "active eq true",
        "sortBy": "userName",
        "sortOrder": "descending",
        "startIndex": 1,
        "count": 2,
        "attributes": ["userName"],
    });
    let reply = s.post("/scim/v2/Users/.search", &body).await;
    reply.expect(StatusCode::OK, "POST /Users/.search");
    assert_eq!(
        reply.body["schemas"],
        json!([LIST_RESPONSE]),
        "a list response"
    );
    assert_eq!(reply.total(), 3, "three active users");
    assert_eq!(
        reply.user_names(),
        [ZOE, WANG],
        "sorted descending, two per page"
    );
    for u in reply.resources() {
        assert_eq!(
            keys(&u),
            set(&["id", "schemas", "userName"]),
            "attributes apply: {u}"
        );
    }
    let get = s
        .get(&format!(
            "/scim/v2/Users?filter={}&sortBy=userName&sortOrder=descending&startIndex=1&count=2&attributes=userName",
            enc("active eq true")
        ))
        .await;
    assert_eq!(
        get.body, reply.body,
        "GET with the same parameters gives the same answer"
    );
}

#[tokio::test]
async fn search_users_with_excluded_attributes_as_a_string() {
    let s = Server::new();
    people(&s).await;
    let reply = s
        .post(
            "/scim/v2/Users/.search",
            &json!({ "schemas": [SEARCH_REQUEST], "excludedAttributes": "emails, title" }),
        )
        .await;
    reply.expect(StatusCode::OK, "a comma-separated string is accepted");
    for u in reply.resources() {
        assert!(
            u.get("emails").is_none() && u.get("title").is_none(),
            "both excluded: {u}"
        );
    }
}

#[tokio::test]
async fn search_with_an_invalid_filter_is_an_invalid_filter() {
    let s = Server::new();
    s.post(
        "/scim/v2/Users/.search",
        &json!({ "schemas": [SEARCH_REQUEST], "filter": "userName eq" }),
    )
    .await
    .expect_scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidFilter"),
        "the same errors as GET",
    );
}

#[tokio::test]
async fn search_groups() {
    let s = Server::new();
    let p = people(&s).await;
    for name in ["Alpha", "Beta", "Gamma"] {
        s.post(
            "/scim/v2/Groups",
            &json!({ "schemas": [CORE_GROUP], "displayName": name, "members": [{ "value": People::id(&p.alice) }] }),
        )
        .await
        .expect(StatusCode::CREATED, "a group");
    }
    let reply = s
        .post(
            "/scim/v2/Groups/.search",
            &json!({ "schemas": [SEARCH_REQUEST], "filter": "displayName sw \"a\" or displayName eq \"beta\"",
                     "sortBy": "displayName", "sortOrder": "descending", "attributes": ["displayName"] }),
        )
        .await;
    reply.expect(StatusCode::OK, "POST /Groups/.search");
    let names: Vec<&str> = reply.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Beta", "Alpha"],
        "displayName is not case-exact; sorted descending"
    );
    for g in reply.resources() {
        assert_eq!(
            keys(&g),
            set(&["id", "schemas", "displayName"]),
            "attributes apply to groups: {g}"
        );
    }
}
