//! A SCIM 2.0 server without the Roster extension, PATCH, ETags or sorting,
//! and with a smaller page limit than it advertises: the client must still
//! list, count, search, edit and invite.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use roster_client::model::{ErrorKind, InviteRequest, Status, Tab, UserEdit};
use roster_client::{Client, Secret, ServerUrl};
use roster_scim::filter::parse_filter;
use roster_scim::messages::ListResponse;
use roster_scim::schema::{core_user_schema, ResourceSchema};
use roster_scim::urn;
use serde_json::{json, Value};

/// What the server advertises as its largest page.
const ADVERTISED_MAX: u64 = 7;
/// What it really sends at most.
const REAL_MAX: u64 = 5;

#[derive(Default)]
struct Fake {
    users: Vec<Value>,
    /// The `count` of every list request.
    counts_asked: Vec<u64>,
    puts: usize,
}

type Shared = Arc<Mutex<Fake>>;

fn schema() -> ResourceSchema {
    ResourceSchema {
        core: core_user_schema(),
        extensions: Vec::new(),
    }
}

async fn config() -> Json<Value> {
    Json(json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "patch": { "supported": false },
        "etag": { "supported": false },
        "sort": { "supported": false },
        "filter": { "supported": true, "maxResults": ADVERTISED_MAX },
    }))
}

async fn schemas() -> Json<Value> {
    Json(json!({ "totalResults": 1, "Resources": [{ "id": urn::USER }] }))
}

async fn list(
    State(fake): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, StatusCode> {
    let mut fake = fake.lock().unwrap();
    let filter = match params.get("filter") {
        Some(text) => Some(parse_filter(text).map_err(|_| StatusCode::BAD_REQUEST)?),
        None => None,
    };
    let start: u64 = params
        .get("startIndex")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let count: u64 = params
        .get("count")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    fake.counts_asked.push(count);
    let schema = schema();
    let matching: Vec<Value> = fake
        .users
        .iter()
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u, &schema)))
        .cloned()
        .collect();
    let total = matching.len() as u64;
    let page: Vec<Value> = matching
        .into_iter()
        .skip(start.saturating_sub(1) as usize)
        .take(count.min(REAL_MAX) as usize)
        .collect();
    Ok(Json(
        serde_json::to_value(ListResponse::new(page, total, start)).unwrap(),
    ))
}

async fn get_one(
    State(fake): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, StatusCode> {
    let fake = fake.lock().unwrap();
    fake.users
        .iter()
        .find(|u| u["id"] == id.as_str())
        .cloned()
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

async fn put_one(
    State(fake): State<Shared>,
    Path(id): Path<String>,
    Json(mut body): Json<Value>,
) -> Result<Json<Value>, StatusCode> {
    let mut fake = fake.lock().unwrap();
    fake.puts += 1;
    body["id"] = json!(id);
    let slot = fake
        .users
        .iter_mut()
        .find(|u| u["id"] == id.as_str())
        .ok_or(StatusCode::NOT_FOUND)?;
    *slot = body.clone();
    Ok(Json(body))
}

async fn create(
    State(fake): State<Shared>,
    Json(mut body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut fake = fake.lock().unwrap();
    body["id"] = json!(format!("new-{}", fake.users.len()));
    fake.users.push(body.clone());
    (StatusCode::CREATED, Json(body))
}

fn user(i: usize, given: &str, family: &str, active: bool) -> Value {
    let email = format!("{}.{}@plain.example", given.to_lowercase(), i);
    json!({
        "schemas": [urn::USER],
        "id": format!("u{i}"),
        "userName": email,
        "name": { "givenName": given, "familyName": family },
        "emails": [{ "value": email, "type": "work", "primary": true }],
        "active": active,
        "entitlements": [{ "value": "reports" }],
    })
}

async fn plain_server() -> (ServerUrl, Shared) {
    let mut fake = Fake::default();
    for i in 0..20 {
        let given = if i == 4 { "Zoë" } else { "Pat" };
        fake.users
            .push(user(i, given, &format!("Person{i}"), i % 3 != 0));
    }
    // RFC 7643 gives `active` no default: without it a user is active.
    fake.users[1].as_object_mut().unwrap().remove("active");
    let shared: Shared = Arc::new(Mutex::new(fake));
    let scim = Router::new()
        .route("/ServiceProviderConfig", get(config))
        .route("/Schemas", get(schemas))
        .route("/Users", get(list).post(create))
        .route("/Users/{id}", get(get_one).put(put_one))
        .with_state(shared.clone());
    let app = Router::new().nest("/tenant/scim/v2", scim);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app).into_future());
    let url = ServerUrl::parse(&format!("http://{addr}/tenant/scim/v2")).unwrap();
    (url, shared)
}

fn window(tab: Tab, search: &str, limit: u32) -> roster_client::model::WindowRequest {
    roster_client::model::WindowRequest {
        tab,
        search: search.into(),
        sort: roster_client::model::Sort {
            key: roster_client::model::SortKey::LastActive,
            descending: false,
        },
        offset: 0,
        limit,
        department: None,
    }
}

async fn connect(url: &ServerUrl) -> Client {
    Client::with_api_token(url.clone(), Secret::new("plain-token"))
        .await
        .expect("a plain SCIM server accepts the token")
}

#[tokio::test]
async fn discovery_finds_no_extension() {
    let (url, _) = plain_server().await;
    let client = connect(&url).await;
    let caps = client.capabilities().await.unwrap();
    assert!(!caps.roster_extension && !caps.patch && !caps.etag && !caps.sort);
    assert_eq!(caps.max_results, ADVERTISED_MAX as u32);
    let me = client.me().await.unwrap();
    assert_eq!((me.name.as_str(), me.role), ("API token", None));
    assert!(me.permissions.is_empty());
    assert_eq!(client.catalogue().await.unwrap(), Default::default());
}

#[tokio::test]
async fn windows_use_active_and_page_within_the_servers_limit() {
    let (url, fake) = plain_server().await;
    let client = connect(&url).await;
    fake.lock().unwrap().counts_asked.clear();
    let active = client
        .users_window(&window(Tab::Active, "", 12))
        .await
        .unwrap();
    assert_eq!(
        active.rows.len(),
        12,
        "short pages are followed by more requests"
    );
    assert!(active.rows.iter().all(|r| r.status == Status::Active));
    assert_eq!(active.total, 13);
    assert_eq!(active.counts.active + active.counts.archived, 20);
    assert_eq!(
        active.counts.pending, 0,
        "no Pending tab without the extension"
    );
    let asked = fake.lock().unwrap().counts_asked.clone();
    assert!(
        asked.iter().all(|&c| c <= ADVERTISED_MAX),
        "never more than maxResults per request: {asked:?}"
    );
    assert!(
        asked.iter().filter(|&&c| c > 0).count() >= 3,
        "12 rows in pages of 5: {asked:?}"
    );

    let pending = client
        .users_window(&window(Tab::Pending, "", 12))
        .await
        .unwrap();
    assert_eq!(pending.total, 0);
    assert!(pending.rows.is_empty());

    let found = client
        .users_window(&window(Tab::Active, "zoë", 12))
        .await
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].id, "u4");
}

#[tokio::test]
async fn edits_without_patch_are_sent_with_put() {
    let (url, fake) = plain_server().await;
    let client = connect(&url).await;
    let detail = client.get_user("u1").await.unwrap();
    assert_eq!(
        detail.permissions,
        vec!["reports"],
        "entitlements are the toggles"
    );
    assert_eq!(detail.version, None, "no ETags on this server");
    let edit = UserEdit {
        given_name: detail.given_name.clone(),
        family_name: "Changed".into(),
        email: detail.email.clone(),
        role: None,
        departments: Vec::new(),
        applications: Vec::new(),
        permissions: vec!["reports".into(), "exports".into()],
    };
    let saved = client.save_user("u1", None, &edit).await.unwrap();
    assert_eq!(fake.lock().unwrap().puts, 1, "one PUT for the change");
    assert_eq!(saved.family_name, "Changed");
    let mut permissions = saved.permissions.clone();
    permissions.sort();
    assert_eq!(permissions, vec!["exports", "reports"]);

    let archived = client.set_archived("u1", None, true).await.unwrap();
    assert_eq!(archived.status, Status::Archived);
    assert_eq!(
        archived.family_name, "Changed",
        "the PUT keeps the rest of the user"
    );

    let err = client.get_user("nobody").await.expect_err("no such user");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn invitations_create_active_users() {
    let (url, _) = plain_server().await;
    let client = connect(&url).await;
    let detail = client
        .invite(&InviteRequest {
            user: UserEdit {
                given_name: "New".into(),
                family_name: "Person".into(),
                email: "new.person@plain.example".into(),
                role: None,
                departments: Vec::new(),
                applications: Vec::new(),
                permissions: Vec::new(),
            },
            send_email: false,
        })
        .await
        .unwrap();
    assert_eq!(detail.status, Status::Active);
    assert_eq!(detail.email, "new.person@plain.example");
}
