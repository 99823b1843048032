//! `/Groups`: SCIM Group resources. Members live in `group_members`, so a
//! user's `groups` and a group's `members` are the same rows.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_scim::messages::{ListResponse, PatchRequest, ScimType, SearchRequest};
use roster_scim::patch::{apply_patch, normalize_resource, WriteMode};
use roster_scim::projection::project;
use roster_scim::schema::Resolved;
use roster_scim::urn;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::{
    check_if_match, etag, if_none_match_hits, not_modified, resource_response, JsonBody,
};
use crate::list;
use crate::sqlfilter::{Column, Mapping, Relation};
use crate::state::{AppState, Principal};
use crate::BaseUrl;

pub struct GroupMapping;

impl Mapping for GroupMapping {
    fn column(&self, r: &Resolved<'_>) -> Option<Column> {
        let col = |expr| Some(Column { expr, folded: None });
        match (r.attr.name.as_str(), r.sub_attr.map(|s| s.name.as_str())) {
            ("id", None) => col("t.id"),
            ("displayName", None) => col("t.display_name"),
            ("meta", Some("created")) => col("t.created"),
            ("meta", Some("lastModified")) => col("t.last_modified"),
            ("meta", Some("version")) => col("('W/\"' || t.version || '\"')"),
            ("meta", Some("resourceType")) => col("'Group'"),
            _ => None,
        }
    }

    fn relation(&self, r: &Resolved<'_>) -> Option<Relation> {
        (r.attr.name == "members").then_some(Relation {
            from_where: "group_members m WHERE m.group_id = t.id",
            subs: &[("value", "m.member_id"), ("type", "m.member_type")],
        })
    }
}

const COLUMNS: &str = "t.id, t.data, t.version, t.created, t.last_modified";

const TABLE: list::Table = list::Table {
    name: "groups",
    doc_join: None,
    versioned: false,
};

struct Stored {
    id: String,
    data: Value,
    version: i64,
    created: String,
    last_modified: String,
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    let data: String = r.get(1)?;
    Ok(Stored {
        id: r.get(0)?,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
        version: r.get(2)?,
        created: r.get(3)?,
        last_modified: r.get(4)?,
    })
}

fn load(conn: &rusqlite::Connection, id: &str) -> ApiResult<Option<Stored>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM groups t WHERE t.id = ?1"),
            [id],
            read_row,
        )
        .optional()?)
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("There is no group with the id '{id}'."))
}

/// The members of a group as SCIM values (value, $ref, type, display).
fn members(conn: &rusqlite::Connection, id: &str, base: &str) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.member_id, m.member_type FROM group_members m WHERE m.group_id = ?1 ORDER BY m.rowid",
    )?;
    // No `display`: members are ids; a client that shows names reads them
    // from the users it already lists (and a PATCH round-trips unchanged).
    let rows = stmt.query_map([id], |r| {
        let (mid, kind): (String, String) = (r.get(0)?, r.get(1)?);
        let path = if kind == "User" { "Users" } else { "Groups" };
        Ok(json!({ "value": mid, "$ref": format!("{base}/{path}/{mid}"), "type": kind }))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn render(
    conn: &rusqlite::Connection,
    g: Stored,
    base: &str,
    with_members: bool,
) -> ApiResult<Value> {
    let mut doc = match g.data {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    doc.insert("id".into(), Value::String(g.id.clone()));
    doc.insert("schemas".into(), json!([urn::GROUP]));
    if with_members {
        let m = members(conn, &g.id, base)?;
        if !m.is_empty() {
            doc.insert("members".into(), Value::Array(m));
        }
    }
    doc.insert(
        "meta".into(),
        json!({
            "resourceType": "Group",
            "created": g.created,
            "lastModified": g.last_modified,
            "location": format!("{base}/Groups/{}", g.id),
            "version": etag(g.version),
        }),
    );
    Ok(Value::Object(doc))
}

pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let req = list::search_from_query(&params)?;
    search_groups(state, who, base, req).await
}

pub async fn search(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(req): JsonBody<SearchRequest>,
) -> ApiResult<Response> {
    search_groups(state, who, base, req).await
}

async fn search_groups(
    state: AppState,
    who: Principal,
    base: String,
    req: SearchRequest,
) -> ApiResult<Response> {
    let page = query(&state, &who, base, &req).await?;
    Ok(crate::http::scim_json(&page).into_response())
}

/// One page of groups matching a search request.
pub async fn query(
    state: &AppState,
    who: &Principal,
    base: String,
    req: &SearchRequest,
) -> ApiResult<ListResponse<Value>> {
    who.require("users:view", "see the groups of this account")?;
    let loaded = state.loaded();
    let q = list::prepare(req, &loaded.group_schema, &GroupMapping, "t.seq ASC")?;
    // Members are only fetched when they will be shown.
    let members_path = roster_scim::filter::parse_attr_path("members").expect("static path");
    let with_members = (q.attributes.is_empty()
        || q.attributes
            .iter()
            .any(|a| a.attr.eq_ignore_ascii_case("members")))
        && !q.excluded.iter().any(|a| a == &members_path);
    state
        .db
        .read(move |conn| -> ApiResult<ListResponse<Value>> {
            let (total, rows) = list::run(conn, &TABLE, None, COLUMNS, &q, read_row)?;
            let mut resources = Vec::with_capacity(rows.len());
            for g in rows {
                let doc = render(conn, g, &base, with_members)?;
                resources.push(project(
                    &doc,
                    &loaded.group_schema,
                    &q.attributes,
                    &q.excluded,
                ));
            }
            Ok(ListResponse::new(
                resources,
                total.max(0) as u64,
                q.start_index as u64,
            ))
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    who.require("users:view", "see the groups of this account")?;
    let req = list::search_from_query(&params)?;
    let attributes = list::attr_paths(&req.attributes, "attributes")?;
    let excluded = list::attr_paths(&req.excluded_attributes, "excludedAttributes")?;
    let loaded = state.loaded();
    let (version, doc) = state
        .db
        .read(move |conn| -> ApiResult<(i64, Option<Value>)> {
            let g = load(conn, &id)?.ok_or_else(|| not_found(&id))?;
            if if_none_match_hits(&headers, g.version) {
                return Ok((g.version, None));
            }
            Ok((g.version, Some(render(conn, g, &base, true)?)))
        })
        .await?;
    let Some(doc) = doc else {
        return Ok(not_modified(version));
    };
    let body = project(&doc, &loaded.group_schema, &attributes, &excluded);
    let location = doc["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::OK,
        &body,
        Some(&etag(version)),
        location.as_deref(),
    ))
}

/// Splits `members` out of a group document and checks that each exists.
fn take_members(
    tx: &rusqlite::Connection,
    doc: &mut Value,
    group_id: Option<&str>,
) -> ApiResult<Vec<(String, String)>> {
    let list = doc.as_object_mut().and_then(|m| m.remove("members"));
    let mut out: Vec<(String, String)> = Vec::new();
    for m in list.and_then(|l| l.as_array().cloned()).unwrap_or_default() {
        let id = m
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if id.is_empty() {
            return Err(ApiError::invalid_value(
                "Each member needs a value: the id of a user or group.",
            ));
        }
        let is_user: bool = tx
            .query_row("SELECT 1 FROM users WHERE id = ?1", [&id], |_| Ok(()))
            .optional()?
            .is_some();
        let is_group = !is_user
            && tx
                .query_row("SELECT 1 FROM groups WHERE id = ?1", [&id], |_| Ok(()))
                .optional()?
                .is_some();
        let kind = match (is_user, is_group) {
            (true, _) => "User",
            (_, true) => "Group",
            _ => {
                return Err(ApiError::invalid_value(format!(
                    "The member '{id}' is neither a user nor a group of this account."
                )))
            }
        };
        if Some(id.as_str()) == group_id {
            return Err(ApiError::invalid_value(
                "A group cannot be a member of itself.",
            ));
        }
        if !out.iter().any(|(existing, _)| existing == &id) {
            out.push((id, kind.to_string()));
        }
    }
    Ok(out)
}

fn display_name(doc: &Value) -> ApiResult<String> {
    let name = doc
        .get("displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_value("displayName is required and cannot be empty."))?;
    if name.chars().count() > crate::users::MAX_NAME_CHARS {
        return Err(ApiError::invalid_value(format!(
            "displayName can be at most {} characters long.",
            crate::users::MAX_NAME_CHARS
        )));
    }
    Ok(name.to_string())
}

fn write_members(
    tx: &rusqlite::Connection,
    id: &str,
    members: &[(String, String)],
) -> ApiResult<()> {
    tx.execute("DELETE FROM group_members WHERE group_id = ?1", [id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO group_members (group_id, member_id, member_type) VALUES (?1, ?2, ?3)",
    )?;
    for (mid, kind) in members {
        stmt.execute(params![id, mid, kind])?;
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    who.require("users:edit", "create groups")?;
    let loaded = state.loaded();
    let mut doc = normalize_resource(&body, &loaded.group_schema, WriteMode::Create)?;
    let name = display_name(&doc)?;
    let (version, out) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value)> {
            let members = take_members(tx, &mut doc, None)?;
            let id = uuid::Uuid::new_v4().to_string();
            let now = crate::time::now_string();
            tx.execute(
                "INSERT INTO groups (id, display_name, data, version, created, last_modified) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
                params![id, name, serde_json::to_string(&doc)?, now],
            )?;
            write_members(tx, &id, &members)?;
            let g = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            Ok((g.version, render(tx, g, &base, true)?))
        })
        .await?;
    let location = out["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::CREATED,
        &out,
        Some(&etag(version)),
        location.as_deref(),
    ))
}

async fn modify(
    state: AppState,
    who: Principal,
    base: String,
    id: String,
    headers: HeaderMap,
    change: impl FnOnce(Value) -> ApiResult<Value> + Send + 'static,
) -> ApiResult<Response> {
    who.require("users:edit", "change groups")?;
    let (version, out) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value)> {
            let g = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            check_if_match(&headers, g.version)?;
            let mut current = g.data.clone();
            let before_members: Vec<Value> = members(tx, &id, "")?
                .into_iter()
                .map(|m| json!({ "value": m["value"], "type": m["type"] }))
                .collect();
            if !before_members.is_empty() {
                current["members"] = Value::Array(before_members.clone());
            }
            let mut doc = change(current)?;
            let name = display_name(&doc)?;
            let new_members = take_members(tx, &mut doc, Some(&id))?;
            let old: Vec<(String, String)> = before_members
                .iter()
                .map(|m| (m["value"].as_str().unwrap_or("").to_string(), m["type"].as_str().unwrap_or("").to_string()))
                .collect();
            if doc == g.data && new_members == old {
                let version = g.version;
                return Ok((version, render(tx, g, &base, true)?));
            }
            tx.execute(
                "UPDATE groups SET display_name = ?2, data = ?3, version = version + 1, last_modified = ?4 WHERE id = ?1",
                params![id, name, serde_json::to_string(&doc)?, crate::time::now_string()],
            )?;
            write_members(tx, &id, &new_members)?;
            let g = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            Ok((g.version, render(tx, g, &base, true)?))
        })
        .await?;
    let location = out["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::OK,
        &out,
        Some(&etag(version)),
        location.as_deref(),
    ))
}

pub async fn replace(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let loaded = state.loaded();
    let doc = normalize_resource(&body, &loaded.group_schema, WriteMode::Replace)?;
    modify(state, who, base, id, headers, move |_| Ok(doc)).await
}

pub async fn patch(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<PatchRequest>,
) -> ApiResult<Response> {
    if !req.schemas.iter().any(|s| s == urn::PATCH_OP) {
        return Err(ApiError::bad(
            ScimType::InvalidSyntax,
            format!("A PATCH body must list the schema {}.", urn::PATCH_OP),
        ));
    }
    let loaded = state.loaded();
    modify(state, who, base, id, headers, move |mut doc| {
        apply_patch(&mut doc, &req.operations, &loaded.group_schema)?;
        Ok(doc)
    })
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    who.require("users:edit", "delete groups")?;
    state
        .db
        .write(move |tx| -> ApiResult<()> {
            let g = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            check_if_match(&headers, g.version)?;
            tx.execute("DELETE FROM group_members WHERE member_id = ?1", [&id])?;
            tx.execute("DELETE FROM groups WHERE id = ?1", [&id])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
