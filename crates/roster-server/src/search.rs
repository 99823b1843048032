//! `POST /.search` at the root: one search over Users and Groups (RFC 7644
//! §3.4.3). Users come first, then groups; paging runs over both.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use roster_scim::messages::{ListResponse, ScimType, SearchRequest};
use serde_json::value::RawValue;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::{scim_json, JsonBody};
use crate::list::{split_page, DEFAULT_COUNT};
use crate::state::{AppState, Principal};
use crate::{groups, users, BaseUrl};

/// A filter naming an attribute that one resource type lacks simply matches
/// none of that type; it is an error only when no type can evaluate it.
fn unknown_attribute(e: &ApiError) -> bool {
    matches!(e, ApiError::BadRequest { scim_type: Some(ScimType::InvalidFilter), detail } if detail.contains("not an attribute"))
}

async fn one(
    state: &AppState,
    who: &Principal,
    base: &str,
    kind: usize,
    req: &SearchRequest,
) -> ApiResult<ListResponse<Box<RawValue>>> {
    if kind == 0 {
        users::query(state, who, base.to_string(), req).await
    } else {
        let page = groups::query(state, who, base.to_string(), req).await?;
        let resources = page
            .resources
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ListResponse::new(
            resources,
            page.total_results,
            page.start_index,
        ))
    }
}

pub async fn root(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(req): JsonBody<SearchRequest>,
) -> ApiResult<Response> {
    let counting = SearchRequest {
        count: Some(0),
        start_index: None,
        ..req.clone()
    };
    let mut totals = Vec::new();
    let mut unknown = Vec::new();
    for kind in 0..2 {
        match one(&state, &who, &base, kind, &counting).await {
            Ok(page) => totals.push(page.total_results as i64),
            Err(e) if unknown_attribute(&e) => {
                totals.push(0);
                unknown.push(e);
            }
            Err(e) => return Err(e),
        }
    }
    if unknown.len() == totals.len() {
        return Err(unknown.remove(0));
    }
    let start_index = req.start_index.unwrap_or(1).max(1);
    let mut resources = Vec::new();
    for (kind, start, count) in split_page(&totals, start_index, req.count.unwrap_or(DEFAULT_COUNT))
    {
        let part = SearchRequest {
            start_index: Some(start),
            count: Some(count),
            ..req.clone()
        };
        resources.extend(one(&state, &who, &base, kind, &part).await?.resources);
    }
    let total: i64 = totals.iter().sum();
    Ok(scim_json(&ListResponse::new(
        resources,
        total as u64,
        start_index as u64,
    ))
    .into_response())
}
