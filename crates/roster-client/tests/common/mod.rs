//! The real reference server, started in-process on a loopback port with
//! the demo organisation, and signed-in clients for it. Every test starts
//! its own server, so tests never share state.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::IntoFuture;

use roster_client::model::{Sort, SortKey, Tab, UserRow, WindowRequest};
use roster_client::{Client, Secret, ServerUrl};
use roster_server::demo::{
    DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD,
};
use roster_server::AppState;

/// The API token registered for the Owner role.
pub const API_TOKEN: &str = "roster-client-test-api-token";
/// How many demo users are seeded.
pub const DEMO_USERS: usize = 300;

pub struct TestServer {
    pub url: ServerUrl,
    pub state: AppState,
    /// How many users the server has.
    pub users: u32,
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// Starts a server whose state `configure` may adjust first.
pub async fn start_with(configure: impl FnOnce(&mut AppState)) -> TestServer {
    let mut state = roster_server::build_state(":memory:", Some(API_TOKEN)).expect("server state");
    configure(&mut state);
    let seeded = roster_server::seed::seed_demo(&state.db, &state.loaded(), DEMO_USERS)
        .expect("the demo organisation seeds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("the port's address");
    tokio::spawn(axum::serve(listener, roster_server::app(state.clone())).into_future());
    TestServer {
        url: ServerUrl::parse(&format!("http://{addr}")).expect("a loopback URL"),
        state,
        users: u32::try_from(seeded.users).expect("a small demo"),
    }
}

impl TestServer {
    pub async fn sign_in(&self, email: &str, password: &str) -> (Client, Secret) {
        Client::sign_in_password(self.url.clone(), email, &Secret::new(password))
            .await
            .unwrap_or_else(|e| panic!("{email} can sign in: {e}"))
    }

    pub async fn owner(&self) -> Client {
        self.sign_in(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD).await.0
    }

    pub async fn admin(&self) -> Client {
        self.sign_in(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await.0
    }

    /// Makes every access token the server issued so far expire now, as 15
    /// minutes of waiting would.
    pub fn expire_access_tokens(&self) {
        let now = std::time::Instant::now();
        let mut tokens = self.state.access_tokens.lock().expect("token map");
        assert!(!tokens.is_empty(), "someone must be signed in to expire");
        for token in tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// Registers an API token with a role.
    pub fn register_token(&self, token: &str, role: &str) {
        self.state
            .db
            .with_writer(|c| roster_server::auth::register_api_token(c, role, token, role))
            .expect("the token is registered");
    }
}

pub fn window(tab: Tab, search: &str, offset: u32, limit: u32) -> WindowRequest {
    WindowRequest {
        tab,
        search: search.to_owned(),
        sort: Sort {
            key: SortKey::Name,
            descending: false,
        },
        offset,
        limit,
        department: None,
    }
}

pub fn sorted(tab: Tab, key: SortKey, descending: bool, limit: u32) -> WindowRequest {
    WindowRequest {
        sort: Sort { key, descending },
        ..window(tab, "", 0, limit)
    }
}

pub fn ids(rows: &[UserRow]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

/// All rows of a tab (the demo has fewer than one page).
pub async fn all_rows(client: &Client, tab: Tab) -> Vec<UserRow> {
    client
        .users_window(&window(tab, "", 0, 1000))
        .await
        .expect("the tab lists")
        .rows
}
