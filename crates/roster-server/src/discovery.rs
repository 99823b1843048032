//! Discovery (RFC 7644 §4): what this server supports, described exactly.
//! These endpoints are public, as the RFC allows, so a client can learn how
//! to authenticate before it has a token.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use roster_scim::messages::ListResponse;
use roster_scim::schema::SchemaDef;
use roster_scim::urn;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::http::scim_json;
use crate::list::MAX_RESULTS;
use crate::state::AppState;
use crate::BaseUrl;

pub async fn service_provider_config(BaseUrl(base): BaseUrl) -> Response {
    scim_json(&json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": true },
        "sort": { "supported": true },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Bearer tokens: sign in at the token endpoint (password or refresh_token grant) or use an API token.",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig")
        }
    }))
    .into_response()
}

fn schemas(state: &AppState) -> Vec<SchemaDef> {
    let loaded = state.loaded();
    let mut out = vec![loaded.user_schema.core.clone()];
    out.extend(loaded.user_schema.extensions.iter().cloned());
    out.push(loaded.group_schema.core.clone());
    out
}

pub async fn list_schemas(State(state): State<AppState>, BaseUrl(base): BaseUrl) -> Response {
    let all: Vec<Value> = schemas(&state).iter().map(|s| s.to_json(&base)).collect();
    let total = all.len() as u64;
    scim_json(&ListResponse::new(all, total, 1)).into_response()
}

pub async fn get_schema(
    State(state): State<AppState>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    schemas(&state)
        .iter()
        .find(|s| s.id == id)
        .map(|s| scim_json(&s.to_json(&base)).into_response())
        .ok_or_else(|| ApiError::NotFound(format!("There is no schema '{id}' on this server.")))
}

fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [urn::RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person with access to this account",
            "schema": urn::USER,
            "schemaExtensions": [{ "schema": urn::ROSTER_USER, "required": true }],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") }
        }),
        json!({
            "schemas": [urn::RESOURCE_TYPE],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A named group of users",
            "schema": urn::GROUP,
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") }
        }),
    ]
}

pub async fn list_resource_types(BaseUrl(base): BaseUrl) -> Response {
    let all = resource_types(&base);
    let total = all.len() as u64;
    scim_json(&ListResponse::new(all, total, 1)).into_response()
}

pub async fn get_resource_type(
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    resource_types(&base)
        .into_iter()
        .find(|t| t["id"] == id.as_str())
        .map(|t| scim_json(&t).into_response())
        .ok_or_else(|| {
            ApiError::NotFound(format!("There is no resource type '{id}' on this server."))
        })
}

/// The answer to a write on a read-only discovery endpoint.
pub async fn read_only() -> ApiError {
    ApiError::MethodNotAllowed("This endpoint describes the server and cannot be changed.".into())
}
