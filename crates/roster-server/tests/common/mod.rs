//! Shared helpers for the in-process route tests: a [`Server`] wrapping the
//! router with a bearer token, request helpers that return a [`Reply`]
//! (status, headers, JSON body), and fixtures (users, the demo organisation,
//! signed-in sessions).
//!
//! Every test builds its own in-memory server, so tests never share state.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use roster_server::AppState;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const TOKEN: &str = "test-token";
pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const EXT: &str = "urn:roster:params:scim:schemas:extension:roster:2.0:User";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SCIM_JSON: &str = "application/scim+json";

/// Percent-encodes a query parameter value (everything but RFC 3986's
/// unreserved characters).
pub fn enc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/scim/v2/Users?filter=…&count=1000`, the filter encoded.
pub fn users_filter_path(filter: &str) -> String {
    format!("/scim/v2/Users?count=1000&filter={}", enc(filter))
}

/// An answer: status, headers and the body as JSON (`Null` when empty, a
/// JSON string holding the text when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs; `why` says
    /// what the request was meant to show.
    #[track_caller]
    pub fn expect(&self, status: StatusCode, why: &str) -> &Self {
        assert_eq!(
            self.status, status,
            "{why}: expected {status}, got {} with body {}",
            self.status, self.body
        );
        self
    }

    pub fn scim_type(&self) -> Option<&str> {
        self.body["scimType"].as_str()
    }

    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or("")
    }

    /// The `Resources` of a list response (empty when absent).
    pub fn resources(&self) -> Vec<Value> {
        self.body["Resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn total(&self) -> i64 {
        self.body["totalResults"]
            .as_i64()
            .unwrap_or_else(|| panic!("a list response has totalResults: {}", self.body))
    }

    pub fn ids(&self) -> Vec<String> {
        self.resources()
            .iter()
            .map(|r| {
                r["id"]
                    .as_str()
                    .expect("every resource has an id")
                    .to_string()
            })
            .collect()
    }

    /// The userNames of a list response, in the order served.
    pub fn user_names(&self) -> Vec<String> {
        self.resources()
            .iter()
            .map(|r| r["userName"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Asserts a SCIM error (RFC 7644 §3.12): the error schema, the status
    /// as a string, a human detail, `application/scim+json`, and the
    /// `scimType` when one is expected.
    #[track_caller]
    pub fn expect_scim_error(
        &self,
        status: StatusCode,
        scim_type: Option<&str>,
        why: &str,
    ) -> &Self {
        self.expect(status, why);
        assert_eq!(
            self.body["schemas"],
            json!([ERROR]),
            "{why}: an error body lists only the SCIM Error schema: {}",
            self.body
        );
        assert_eq!(
            self.body["status"],
            json!(status.as_u16().to_string()),
            "{why}: the error status is the HTTP status as a JSON string: {}",
            self.body
        );
        let detail = self.detail();
        assert!(
            detail.len() > 10 && detail.contains(' '),
            "{why}: the error has a detail a person can read: {}",
            self.body
        );
        let ct = self.header("content-type").unwrap_or("");
        assert!(
            ct.starts_with(SCIM_JSON),
            "{why}: errors are served as {SCIM_JSON}, not '{ct}'"
        );
        if let Some(t) = scim_type {
            assert_eq!(
                self.scim_type(),
                Some(t),
                "{why}: the scimType tells a client what kind of error this is: {}",
                self.body
            );
        }
        self
    }
}

/// The router with a bearer token to send.
#[derive(Clone)]
pub struct Server {
    pub app: Router,
    pub state: AppState,
    pub token: Option<String>,
}

impl Server {
    /// An empty in-memory server with the API token [`TOKEN`] (Owner rights).
    pub fn new() -> Server {
        let state = roster_server::build_state(":memory:", Some(TOKEN))
            .expect("an in-memory server starts");
        Server {
            app: roster_server::app(state.clone()),
            state,
            token: Some(TOKEN.to_string()),
        }
    }

    /// An empty in-memory server whose state `adjust` may change first
    /// (e.g. to configure SMTP).
    pub fn with_state(adjust: impl FnOnce(&mut AppState)) -> Server {
        let mut state = roster_server::build_state(":memory:", Some(TOKEN))
            .expect("an in-memory server starts");
        adjust(&mut state);
        Server {
            app: roster_server::app(state.clone()),
            state,
            token: Some(TOKEN.to_string()),
        }
    }

    /// The outbox, newest first; panics unless it can be read.
    pub async fn outbox(&self) -> Vec<Value> {
        let reply = self.get("/roster/v1/outbox?limit=500").await;
        reply.expect(StatusCode::OK, "reading the outbox");
        reply.body["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The path (`/invite/…` or `/reset/…`) of the link in the newest
    /// outbox e-mail to `recipient`.
    pub async fn link_for(&self, recipient: &str) -> String {
        let mail = self
            .outbox()
            .await
            .into_iter()
            .find(|m| m["to"] == recipient)
            .unwrap_or_else(|| panic!("an e-mail to {recipient} is in the outbox"));
        let body = mail["body"].as_str().unwrap_or_default();
        let start = body
            .find("http://roster.test/")
            .unwrap_or_else(|| panic!("the e-mail has a link: {body}"));
        let link = body[start..].split_whitespace().next().unwrap_or_default();
        link.trim_start_matches("http://roster.test").to_string()
    }

    /// Invites a user (e-mail sent) with `ext` as the Roster extension;
    /// returns their id and the path of the link in the e-mail.
    pub async fn invite(&self, email: &str, ext: Value) -> (String, String) {
        let mut user = user_body(email, "Ina", "Invitee");
        user[EXT] = ext;
        let reply = self
            .post(
                "/roster/v1/invitations",
                &json!({ "user": user, "sendEmail": true }),
            )
            .await;
        reply.expect(StatusCode::CREATED, "the invitation is created");
        let id = People::id(&reply.body);
        (id, self.link_for(email).await)
    }

    /// The id of the account's one Owner.
    pub async fn owner_id(&self) -> String {
        let reply = self
            .get(&users_filter_path(&format!(r#"{EXT}:role eq "owner""#)))
            .await;
        reply
            .ids()
            .into_iter()
            .next()
            .expect("the account has an Owner")
    }

    /// A server holding the demo organisation of `n` users.
    pub fn demo(n: usize) -> Server {
        let server = Server::new();
        let seeded = roster_server::seed::seed_demo(&server.state.db, &server.state.loaded(), n)
            .expect("the demo organisation seeds");
        assert!(seeded.created, "a new database gets the demo organisation");
        server
    }

    /// The same server, calling with another token.
    pub fn with_token(&self, token: &str) -> Server {
        Server {
            token: Some(token.to_string()),
            ..self.clone()
        }
    }

    /// The same server, calling without a token.
    pub fn anonymous(&self) -> Server {
        Server {
            token: None,
            ..self.clone()
        }
    }

    /// Sends a request with the token (unless `headers` names an
    /// Authorization) and, with a body, `Content-Type: application/scim+json`
    /// (unless `headers` names one).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let has = |name: &str| headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(name));
        let mut extra: Vec<(&str, String)> =
            headers.iter().map(|(h, v)| (*h, v.to_string())).collect();
        if body.is_some() && !has("content-type") {
            extra.push(("content-type", SCIM_JSON.to_string()));
        }
        let bytes = body
            .map(|b| serde_json::to_vec(b).expect("JSON"))
            .unwrap_or_default();
        self.raw_owned(method, path, bytes, extra).await
    }

    /// Sends exactly these bytes and headers (plus the token unless an
    /// Authorization header is given).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let extra = headers.iter().map(|(h, v)| (*h, v.to_string())).collect();
        self.raw_owned(method, path, body, extra).await
    }

    async fn raw_owned(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        headers: Vec<(&str, String)>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "roster.test");
        let has_auth = headers
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case("authorization"));
        if let (Some(token), false) = (&self.token, has_auth) {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let request = builder.body(Body::from(body)).expect("a valid request");
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("the router always answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body can be read")
            .to_bytes()
            .to_vec();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.request(Method::GET, path, None, headers).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn put_with(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Reply {
        self.request(Method::PUT, path, Some(body), headers).await
    }

    /// PATCHes with a plain JSON body (the /roster/v1 endpoints).
    pub async fn patch_json(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::PATCH, path, Some(body), &[]).await
    }

    /// PATCHes with a PatchOp body made of `operations`.
    pub async fn patch(&self, path: &str, operations: Value) -> Reply {
        self.request(Method::PATCH, path, Some(&patch_body(operations)), &[])
            .await
    }

    pub async fn patch_with(
        &self,
        path: &str,
        operations: Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.request(Method::PATCH, path, Some(&patch_body(operations)), headers)
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request(Method::DELETE, path, None, &[]).await
    }

    pub async fn delete_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.request(Method::DELETE, path, None, headers).await
    }

    /// POSTs an `application/x-www-form-urlencoded` form (the OAuth
    /// endpoints), without the bearer token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.anonymous()
            .raw(
                Method::POST,
                path,
                body.into_bytes(),
                &[("content-type", "application/x-www-form-urlencoded")],
            )
            .await
    }

    /// The password grant.
    pub async fn token_for(&self, username: &str, password: &str) -> Reply {
        self.form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Signs in with the password grant; panics unless it works.
    pub async fn sign_in(&self, username: &str, password: &str) -> Session {
        let reply = self.token_for(username, password).await;
        reply.expect(
            StatusCode::OK,
            &format!("{username} signs in with the right password"),
        );
        Session::from_reply(self, &reply)
    }

    /// Creates a user; panics unless the answer is 201.
    pub async fn create_user(&self, body: Value) -> Value {
        let reply = self.post("/scim/v2/Users", &body).await;
        reply.expect(
            StatusCode::CREATED,
            &format!("the fixture user can be created from {body}"),
        );
        reply.body
    }

    /// Creates a user with a password and a role, and signs them in.
    pub async fn user_session(&self, email: &str, role: &str) -> (Value, Session) {
        let password = "correct horse battery staple";
        let mut body = user_body(email, "Test", "Person");
        body["password"] = json!(password);
        body[EXT] = json!({ "role": role });
        let user = self.create_user(body).await;
        let session = self.sign_in(email, password).await;
        (user, session)
    }

    /// GET `/scim/v2/Users` with a filter, up to 1000 results.
    pub async fn filter(&self, filter: &str) -> Reply {
        self.get(&users_filter_path(filter)).await
    }

    /// The userNames a filter finds, sorted; panics unless the answer is 200.
    #[track_caller]
    pub fn names_of(reply: &Reply, filter: &str) -> Vec<String> {
        reply.expect(StatusCode::OK, &format!("the filter {filter} is valid"));
        let mut names = reply.user_names();
        names.sort();
        names
    }

    pub async fn names(&self, filter: &str) -> Vec<String> {
        let reply = self.filter(filter).await;
        Self::names_of(&reply, filter)
    }

    /// Every user, fetched page by page.
    pub async fn all_users(&self) -> Vec<Value> {
        self.all_users_with(&[]).await
    }

    /// Every user with only `attributes` (plus id and schemas), or
    /// everything returned by default when `attributes` is empty.
    pub async fn all_users_with(&self, attributes: &[&str]) -> Vec<Value> {
        let attributes = if attributes.is_empty() {
            String::new()
        } else {
            format!("&attributes={}", enc(&attributes.join(",")))
        };
        let mut out = Vec::new();
        let mut start = 1;
        loop {
            let reply = self
                .get(&format!(
                    "/scim/v2/Users?startIndex={start}&count=1000{attributes}"
                ))
                .await;
            reply.expect(StatusCode::OK, "listing every user");
            let page = reply.resources();
            if page.is_empty() {
                break;
            }
            start += page.len();
            out.extend(page);
        }
        out
    }

    pub async fn get_user(&self, id: &str) -> Reply {
        self.get(&format!("/scim/v2/Users/{id}")).await
    }

    /// The extension's `status` of a user, which is returned on request
    /// only.
    pub async fn status_of(&self, id: &str) -> String {
        let reply = self
            .get(&format!(
                "/scim/v2/Users/{id}?attributes={}",
                enc(&format!("{EXT}:status"))
            ))
            .await;
        reply.expect(StatusCode::OK, "asking for a user's status");
        reply.body[EXT]["status"]
            .as_str()
            .unwrap_or_else(|| panic!("status is returned when asked for: {}", reply.body))
            .to_string()
    }
}

/// A signed-in user: a server calling with their access token, and the
/// refresh token.
pub struct Session {
    pub server: Server,
    pub access: String,
    pub refresh: String,
}

impl Session {
    pub fn from_reply(server: &Server, reply: &Reply) -> Session {
        let access = reply.body["access_token"]
            .as_str()
            .expect("an access token is issued")
            .to_string();
        let refresh = reply.body["refresh_token"]
            .as_str()
            .expect("a refresh token is issued")
            .to_string();
        Session {
            server: server.with_token(&access),
            access,
            refresh,
        }
    }
}

/// A PatchOp body.
pub fn patch_body(operations: Value) -> Value {
    json!({ "schemas": [PATCH_OP], "Operations": operations })
}

/// A minimal valid user.
pub fn user_body(user_name: &str, given: &str, family: &str) -> Value {
    json!({
        "schemas": [CORE_USER],
        "userName": user_name,
        "name": { "givenName": given, "familyName": family },
        "displayName": format!("{given} {family}"),
    })
}

/// Four users with known attributes, for filter and sort tests.
pub struct People {
    pub alice: Value,
    pub bob: Value,
    pub zoe: Value,
    pub wang: Value,
}

impl People {
    pub fn id(user: &Value) -> String {
        user["id"]
            .as_str()
            .expect("a created user has an id")
            .to_string()
    }
}

pub const ALICE: &str = "alice@example.com";
pub const BOB: &str = "bob@example.com";
pub const ZOE: &str = "zoe@example.org";
pub const WANG: &str = "wang.fang@example.cn";

/// Creates:
/// - alice@example.com: Alice Anderson, "Engineer", active, work and home
///   e-mails, member, Engineering, creditLimit 100;
/// - bob@example.com: Bob Brown, "Sales Manager", archived (active false),
///   work e-mail, manager, Sales, creditLimit 500;
/// - zoe@example.org: Zoë Zimmermann, no title, active, home e-mail only,
///   viewer, Engineering and Design, no credit limit;
/// - wang.fang@example.cn: 芳 王 (displayName 王芳), "Designer", active, work
///   e-mail, admin, Design, creditLimit 0.
pub async fn people(server: &Server) -> People {
    let alice = server
        .create_user(json!({
            "userName": ALICE,
            "name": { "givenName": "Alice", "familyName": "Anderson" },
            "displayName": "Alice Anderson",
            "title": "Engineer",
            "active": true,
            "emails": [
                { "value": ALICE, "type": "work", "primary": true },
                { "value": "alice@home.test", "type": "home" }
            ],
            EXT: { "role": "member", "departments": ["Engineering"], "creditLimit": 100 }
        }))
        .await;
    let bob = server
        .create_user(json!({
            "userName": BOB,
            "name": { "givenName": "Bob", "familyName": "Brown" },
            "displayName": "Bob Brown",
            "title": "Sales Manager",
            "active": false,
            "emails": [{ "value": BOB, "type": "work", "primary": true }],
            EXT: { "role": "manager", "departments": ["Sales"], "creditLimit": 500 }
        }))
        .await;
    let zoe = server
        .create_user(json!({
            "userName": ZOE,
            "name": { "givenName": "Zoë", "familyName": "Zimmermann" },
            "displayName": "Zoë Zimmermann",
            "active": true,
            "emails": [{ "value": ZOE, "type": "home" }],
            EXT: { "role": "viewer", "departments": ["Engineering", "Design"] }
        }))
        .await;
    let wang = server
        .create_user(json!({
            "userName": WANG,
            "name": { "givenName": "芳", "familyName": "王" },
            "displayName": "王芳",
            "title": "Designer",
            "active": true,
            "emails": [{ "value": WANG, "type": "work" }],
            EXT: { "role": "admin", "departments": ["Design"], "creditLimit": 0 }
        }))
        .await;
    People {
        alice,
        bob,
        zoe,
        wang,
    }
}

/// Sorted owned strings, for comparing sets of userNames.
pub fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}
