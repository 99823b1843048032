//! Roster's reference SCIM 2.0 management API server.
//!
//! [`app`] builds the router, so tests call it in-process and the binary in
//! `main.rs` only parses flags and serves it.

pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod config;
pub mod credits;
pub mod db;
pub mod demo;
pub mod departments;
pub mod discovery;
pub mod error;
pub mod grants;
pub mod groups;
pub mod http;
pub mod invitations;
pub mod list;
pub mod outbox;
pub mod pages;
pub mod password_reset;
pub mod policy;
pub mod roles;
pub mod roster_api;
pub mod search;
pub mod seed;
pub mod sqlfilter;
pub mod state;
pub mod time;
pub mod transfer;
pub mod user_text;
pub mod users;

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;

pub use state::AppState;

/// The SCIM base URL of the request, e.g. `http://127.0.0.1:8350/scim/v2`,
/// for `meta.location` and `$ref`s.
pub struct BaseUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        let scheme = parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .filter(|s| *s == "https")
            .unwrap_or("http");
        Ok(BaseUrl(format!("{scheme}://{host}/scim/v2")))
    }
}

/// The whole HTTP API.
pub fn app(state: AppState) -> Router {
    use discovery::read_only;
    let scim = Router::new()
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config).fallback(read_only),
        )
        .route("/Schemas", get(discovery::list_schemas).fallback(read_only))
        .route(
            "/Schemas/{id}",
            get(discovery::get_schema).fallback(read_only),
        )
        .route(
            "/ResourceTypes",
            get(discovery::list_resource_types).fallback(read_only),
        )
        .route(
            "/ResourceTypes/{id}",
            get(discovery::get_resource_type).fallback(read_only),
        )
        .route("/.search", post(search::root))
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/.search", post(users::search))
        .route(
            "/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route("/Groups/.search", post(groups::search))
        .route(
            "/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        );
    let roster = Router::new()
        .route("/me", get(roster_api::me))
        .route("/roles", get(roles::list).post(roles::create))
        .route(
            "/roles/{id}",
            axum::routing::patch(roles::update).delete(roles::delete),
        )
        .route("/audit", get(audit::list))
        .route("/applications", get(roster_api::applications))
        .route("/resources", get(roster_api::resources))
        .route(
            "/departments",
            get(departments::list).post(departments::create),
        )
        .route(
            "/departments/{name}",
            axum::routing::patch(departments::rename).delete(departments::delete),
        )
        .route("/invitations", post(invitations::invite))
        .route(
            "/users/{id}/invitation",
            axum::routing::delete(invitations::revoke),
        )
        .route("/users/{id}/invitation/resend", post(invitations::resend))
        .route("/users/{id}/resources", get(grants::list).post(grants::add))
        .route(
            "/users/{id}/resources/{resource}",
            axum::routing::delete(grants::remove),
        )
        .route("/users/{id}/password-reset", post(password_reset::request))
        .route("/users/{id}/delete", post(transfer::delete))
        .route("/users/{id}/usage", post(credits::record))
        .route("/users/{id}/statistics", get(credits::statistics))
        .route("/users/{id}/events", get(credits::events))
        .route("/outbox", get(outbox::list));
    Router::new()
        .nest("/scim/v2", scim)
        .nest("/roster/v1", roster)
        .route(
            "/invite/{token}",
            get(invitations::accept_page).post(invitations::accept),
        )
        .route(
            "/reset/{token}",
            get(password_reset::page).post(password_reset::submit),
        )
        .route("/oauth/token", post(auth::token))
        .route("/oauth/revoke", post(auth::revoke))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .with_state(state)
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::MethodNotAllowed(format!("{} is not supported on {}.", method, uri.path()))
}

async fn not_found(uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::NotFound(format!(
        "There is nothing at {}. The SCIM endpoints are under /scim/v2.",
        uri.path()
    ))
}

/// Serves the API on `listener` with the peer address of each connection,
/// which allowed IP ranges are checked against. Serving [`app`] without
/// connection info works too, but then a user with allowed IP ranges is
/// refused (the server cannot tell where they are).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}

/// Opens the database, loads the catalogue and registers the API token:
/// everything a server needs before it serves.
pub fn build_state(db_path: &str, api_token: Option<&str>) -> Result<AppState, error::ApiError> {
    let db = db::Db::open(db_path)?;
    let catalogue = seed::load_catalogue(&db)?;
    if let Some(token) = api_token {
        db.with_writer(|c| {
            auth::register_api_token(c, "command-line API token", token, users::OWNER)
        })?;
    }
    Ok(AppState::new(db, catalogue))
}
