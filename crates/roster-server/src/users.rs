//! `/Users`: SCIM User resources with the Roster extension.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_scim::messages::{ListResponse, PatchRequest, ScimType, SearchRequest};
use roster_scim::patch::{apply_patch, normalize_resource, WriteMode};
use roster_scim::projection::{project, Projection};
use roster_scim::schema::Resolved;
use roster_scim::urn;
use rusqlite::{params, OptionalExtension};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::audit::{self, Entry};
use crate::auth::{forget_sessions, Auth};
use crate::db::fold;
use crate::error::{ApiError, ApiResult};
use crate::http::{
    check_if_match, etag, if_none_match_hits, not_modified, resource_response, JsonBody,
};
use crate::list::{self, ListQuery};
use crate::sqlfilter::{Column, Mapping, Relation};
use crate::state::{AppState, Loaded, Principal};
use crate::user_text::{self, push_json_str, ShowsAll};
use crate::BaseUrl;

pub const OWNER: &str = "owner";
pub const DEFAULT_ROLE: &str = "member";
/// Longest accepted name part, display name or userName.
pub const MAX_NAME_CHARS: usize = 256;
/// Longest accepted text anywhere else in a user.
pub const MAX_TEXT_CHARS: usize = 2048;

/// Where the server keeps what the User schema describes.
pub struct UserMapping;

impl Mapping for UserMapping {
    fn doc(&self) -> &'static str {
        "d.data"
    }

    fn column(&self, r: &Resolved<'_>) -> Option<Column> {
        let sub = r.sub_attr.map(|s| s.name.as_str());
        let col = |expr, folded| Some(Column { expr, folded });
        if r.schema == urn::ROSTER_USER {
            return match (r.attr.name.as_str(), sub) {
                ("status", None) => col("t.status", None),
                ("role", None) => col("t.role", None),
                ("lastActive", None) => col("t.last_active", None),
                ("creditsUsed", None) => col("t.credits_used", None),
                ("invitation", Some("sentAt")) => col("t.invitation_sent_at", None),
                ("invitation", Some("expiresAt")) => col("t.invitation_expires_at", None),
                ("invitation", Some("invitedBy")) => col("t.invited_by", None),
                ("invitation", Some("expired")) => col(
                    "(t.invitation_expires_at IS NOT NULL AND t.invitation_expires_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    None,
                ),
                _ => None,
            };
        }
        match (r.attr.name.as_str(), sub) {
            ("id", None) => col("t.id", None),
            ("userName", None) => col("t.user_name", Some("t.user_name_fold")),
            ("meta", Some("created")) => col("t.created", None),
            ("meta", Some("lastModified")) => col("t.last_modified", None),
            ("meta", Some("version")) => col("('W/\"' || t.version || '\"')", None),
            ("meta", Some("resourceType")) => col("'User'", None),
            ("name", Some("familyName")) => col(
                "json_extract(d.data, '$.name.familyName')",
                Some("t.sort_family"),
            ),
            ("name", Some("givenName")) => col(
                "json_extract(d.data, '$.name.givenName')",
                Some("t.sort_given"),
            ),
            _ => None,
        }
    }

    fn relation(&self, r: &Resolved<'_>) -> Option<Relation> {
        if r.schema == urn::ROSTER_USER && r.attr.name == "resources" {
            return Some(Relation {
                from_where: "resource_grants rg JOIN resources rs ON rs.id = rg.resource_id WHERE rg.user_id = t.id",
                subs: &[
                    ("value", "rg.resource_id"),
                    ("display", "rs.name"),
                    ("application", "rs.application"),
                ],
            });
        }
        if r.schema == urn::USER && r.attr.name == "groups" {
            return Some(Relation {
                from_where:
                    "group_members gm JOIN groups g ON g.id = gm.group_id WHERE gm.member_id = t.id",
                subs: &[
                    ("value", "gm.group_id"),
                    ("display", "g.display_name"),
                    ("type", "'direct'"),
                ],
            });
        }
        None
    }
}

/// Joins a user's JSON document.
const DOCS: &str = "JOIN user_docs d ON d.seq = t.seq";

pub const TABLE: list::Table = list::Table {
    name: "users",
    doc_join: Some(DOCS),
    versioned: true,
};

const COLUMNS: &str =
    "t.id, d.data, t.version, t.created, t.last_modified, t.status, t.last_active, \
     t.credits_used, t.invitation_sent_at, t.invitation_expires_at, t.invited_by, t.role";

/// One user as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    /// The stored JSON text of the client-writable document.
    pub data: String,
    pub version: i64,
    pub created: String,
    pub last_modified: String,
    pub status: String,
    pub last_active: Option<String>,
    pub credits_used: i64,
    pub invitation_sent_at: Option<String>,
    pub invitation_expires_at: Option<String>,
    pub invited_by: Option<String>,
    pub role: Option<String>,
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        id: r.get(0)?,
        data: r.get(1)?,
        version: r.get(2)?,
        created: r.get(3)?,
        last_modified: r.get(4)?,
        status: r.get(5)?,
        last_active: r.get(6)?,
        credits_used: r.get(7)?,
        invitation_sent_at: r.get(8)?,
        invitation_expires_at: r.get(9)?,
        invited_by: r.get(10)?,
        role: r.get(11)?,
    })
}

pub fn load(conn: &rusqlite::Connection, id: &str) -> ApiResult<Option<Stored>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM users t {DOCS} WHERE t.id = ?1"),
            [id],
            read_row,
        )
        .optional()?)
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("There is no user with the id '{id}'."))
}

/// Group memberships and resource grants of a page of users, fetched in two
/// queries for the whole page, each user's as the JSON text of its array.
struct Related {
    groups: HashMap<String, String>,
    resources: HashMap<String, String>,
}

/// Adds an element (JSON text) to the array of `key` in `arrays`, opening
/// it if needed; [`close_arrays`] closes them all.
fn push_element(
    arrays: &mut HashMap<String, String>,
    key: String,
    element: impl FnOnce(&mut String),
) {
    let array = arrays.entry(key).or_insert_with(|| String::from("["));
    if array.len() > 1 {
        array.push(',');
    }
    element(array);
}

fn close_arrays(arrays: &mut HashMap<String, String>) {
    for array in arrays.values_mut() {
        array.push(']');
    }
}

/// A text column, borrowed from the row.
fn text_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn related(conn: &rusqlite::Connection, ids: &[&str], base: &str) -> ApiResult<Related> {
    let ids_json = serde_json::to_string(ids)?;
    let mut groups: HashMap<String, String> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT gm.member_id, g.id, g.display_name FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.member_id IN (SELECT value FROM json_each(?1)) ORDER BY g.display_name",
    )?;
    let mut rows = stmt.query([&ids_json])?;
    while let Some(r) = rows.next()? {
        let gid = text_at(r, 1)?;
        let name = text_at(r, 2)?;
        // Members in key order, as serde_json writes a Value.
        push_element(&mut groups, r.get(0)?, |out| {
            out.push_str("{\"$ref\":");
            push_json_str(out, &format!("{base}/Groups/{gid}"));
            out.push_str(",\"display\":");
            push_json_str(out, name);
            out.push_str(",\"type\":\"direct\",\"value\":");
            push_json_str(out, gid);
            out.push('}');
        });
    }
    close_arrays(&mut groups);
    // Sorted here rather than by SQL (a temporary B-tree of every grant of
    // the page): by application and name, then by user and resource id,
    // which is how SQLite's sort broke ties (it is stable, and the grants
    // came to it in that order, by the IN list and the primary key).
    let mut grants: Vec<(String, String, String, String)> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT rs.application, rs.name, rg.user_id, rs.id FROM resource_grants rg JOIN resources rs ON rs.id = rg.resource_id
         WHERE rg.user_id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut rows = stmt.query([&ids_json])?;
    while let Some(r) = rows.next()? {
        grants.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
    }
    grants.sort_unstable();
    let mut resources: HashMap<String, String> = HashMap::new();
    for (application, display, user_id, value) in grants {
        push_element(&mut resources, user_id, |out| {
            out.push_str("{\"application\":");
            push_json_str(out, &application);
            out.push_str(",\"display\":");
            push_json_str(out, &display);
            out.push_str(",\"value\":");
            push_json_str(out, &value);
            out.push('}');
        });
    }
    close_arrays(&mut resources);
    Ok(Related { groups, resources })
}

impl Stored {
    pub fn doc(&self) -> ApiResult<Value> {
        Ok(serde_json::from_str(&self.data)?)
    }
}

fn meta_json(u: &Stored, base: &str) -> Value {
    json!({
        "resourceType": "User",
        "created": u.created,
        "lastModified": u.last_modified,
        "location": format!("{base}/Users/{}", u.id),
        "version": etag(u.version),
    })
}

/// [`meta_json`] as text, its members in key order.
fn push_meta(out: &mut String, u: &Stored, base: &str) {
    out.push_str("{\"created\":");
    push_json_str(out, &u.created);
    out.push_str(",\"lastModified\":");
    push_json_str(out, &u.last_modified);
    out.push_str(",\"location\":");
    push_json_str(out, &format!("{base}/Users/{}", u.id));
    out.push_str(",\"resourceType\":\"User\",\"version\":");
    push_json_str(out, &etag(u.version));
    out.push('}');
}

/// The default representation, spliced as text: the stored document plus
/// `id`, `meta` and `groups`, without parsing it. Attributes returned only on
/// request are not part of it.
fn render_default(u: &Stored, related: &Related, base: &str) -> ApiResult<String> {
    let mut out = String::with_capacity(u.data.len() + 256);
    out.push_str("{\"id\":");
    push_json_str(&mut out, &u.id);
    out.push_str(",\"meta\":");
    push_meta(&mut out, u, base);
    if let Some(groups) = related.groups.get(&u.id) {
        out.push_str(",\"groups\":");
        out.push_str(groups);
    }
    let rest = u.data.trim().strip_prefix('{').ok_or_else(|| {
        ApiError::Internal(format!(
            "the stored document of user {} is not an object",
            u.id
        ))
    })?;
    if !rest.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
    Ok(out)
}

/// The invitation as shown in the extension, when the user has one.
fn invitation_json(u: &Stored) -> Option<Value> {
    let (Some(sent), Some(expires)) = (&u.invitation_sent_at, &u.invitation_expires_at) else {
        return None;
    };
    let expired = expires.as_str() < crate::time::now_string().as_str();
    let mut inv = json!({ "sentAt": sent, "expiresAt": expires, "expired": expired });
    if let Some(by) = &u.invited_by {
        inv["invitedBy"] = Value::String(by.clone());
    }
    Some(inv)
}

/// [`render`] as text when the page's projection shows all of it, spliced
/// into the stored text; `None` when the user's document needs the `Value`
/// path (a value the projection would leave out, an escaped key).
fn render_whole(u: &Stored, related: &Related, base: &str, all: &ShowsAll) -> Option<String> {
    let shown = all.shown(&u.data, urn::ROSTER_USER)?;
    let mut top = shown.top;
    let mut ext_text = None;
    if let Some(mut ext) = shown.ext {
        // Server-managed state shows in the extension, when the user has it.
        let mut text = String::with_capacity(16 + u.status.len());
        push_json_str(&mut text, &u.status);
        ext.insert("status", Cow::Owned(text));
        if let Some(t) = &u.last_active {
            let mut text = String::with_capacity(t.len() + 2);
            push_json_str(&mut text, t);
            ext.insert("lastActive", Cow::Owned(text));
        }
        ext.insert("creditsUsed", Cow::Owned(u.credits_used.to_string()));
        if let Some(inv) = invitation_json(u) {
            ext.insert("invitation", Cow::Owned(inv.to_string()));
        }
        if let Some(res) = related.resources.get(&u.id) {
            ext.insert("resources", Cow::Borrowed(res.as_str()));
        }
        let mut text = String::with_capacity(u.data.len());
        user_text::push_object(&mut text, &ext);
        ext_text = Some(text);
    }
    if let Some(text) = ext_text {
        top.insert(urn::ROSTER_USER, Cow::Owned(text));
    }
    let mut id = String::with_capacity(u.id.len() + 2);
    push_json_str(&mut id, &u.id);
    top.insert("id", Cow::Owned(id));
    if let Some(groups) = related.groups.get(&u.id) {
        top.insert("groups", Cow::Borrowed(groups.as_str()));
    }
    let mut meta = String::with_capacity(256);
    push_meta(&mut meta, u, base);
    top.insert("meta", Cow::Owned(meta));
    let mut out = String::with_capacity(u.data.len() + 512);
    user_text::push_object(&mut out, &top);
    Some(out)
}

/// The full SCIM representation of a stored user.
fn render(u: Stored, related: &Related, base: &str) -> ApiResult<Value> {
    let mut doc = match u.doc()? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    doc.insert("id".into(), Value::String(u.id.clone()));
    if let Some(groups) = related.groups.get(&u.id) {
        doc.insert("groups".into(), serde_json::from_str(groups)?);
    }
    // Server-managed state shows in the extension, when the user has it.
    if let Some(Value::Object(ext)) = doc.get_mut(urn::ROSTER_USER) {
        ext.insert("status".into(), Value::String(u.status.clone()));
        if let Some(t) = &u.last_active {
            ext.insert("lastActive".into(), Value::String(t.clone()));
        }
        ext.insert("creditsUsed".into(), json!(u.credits_used));
        if let Some(inv) = invitation_json(&u) {
            ext.insert("invitation".into(), inv);
        }
        if let Some(res) = related.resources.get(&u.id) {
            ext.insert("resources".into(), serde_json::from_str(res)?);
        }
    }
    doc.insert("meta".into(), meta_json(&u, base));
    Ok(Value::Object(doc))
}

/// Renders one user with its relations.
pub fn render_one(conn: &rusqlite::Connection, u: Stored, base: &str) -> ApiResult<Value> {
    let rel = related(conn, &[u.id.as_str()], base)?;
    render(u, &rel, base)
}

// ---- listing -------------------------------------------------------------

pub async fn list(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let req = list::search_from_query(&params)?;
    search_users(state, who, base, req).await
}

pub async fn search(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(req): JsonBody<SearchRequest>,
) -> ApiResult<Response> {
    search_users(state, who, base, req).await
}

async fn search_users(
    state: AppState,
    who: Principal,
    base: String,
    req: SearchRequest,
) -> ApiResult<Response> {
    let page = query_texts(&state, &who, base, &req).await?;
    Ok(crate::http::ScimJson(list_body(page)?).into_response())
}

/// A list response whose resources are JSON text already, written without
/// parsing them again (as `RawValue::from_string` would, to check them).
fn list_body(page: ListResponse<String>) -> ApiResult<Vec<u8>> {
    let envelope = ListResponse::<()> {
        schemas: page.schemas,
        total_results: page.total_results,
        start_index: page.start_index,
        items_per_page: page.items_per_page,
        resources: Vec::new(),
    };
    let mut out = serde_json::to_vec(&envelope)?;
    // It ends with `"Resources":[]}`: the users go between the brackets.
    if !out.ends_with(b"[]}") {
        return Err(ApiError::Internal(
            "a list response does not end with its resources".into(),
        ));
    }
    out.truncate(out.len() - 2);
    out.reserve(page.resources.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
    for (i, user) in page.resources.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(user.as_bytes());
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

/// One page of users matching a search request.
pub async fn query(
    state: &AppState,
    who: &Principal,
    base: String,
    req: &SearchRequest,
) -> ApiResult<ListResponse<Box<RawValue>>> {
    let page = query_texts(state, who, base, req).await?;
    let resources = page
        .resources
        .into_iter()
        .map(RawValue::from_string)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ListResponse::new(
        resources,
        page.total_results,
        page.start_index,
    ))
}

/// [`query`] with each user as the JSON text served.
async fn query_texts(
    state: &AppState,
    who: &Principal,
    base: String,
    req: &SearchRequest,
) -> ApiResult<ListResponse<String>> {
    who.require("users:view", "see the users of this account")?;
    let loaded = state.loaded();
    let q: ListQuery = list::prepare(req, &loaded.user_schema, &UserMapping, list::SEQ_ORDER)?;
    let row_cache = state.db.row_cache();
    state
        .db
        .read(move |conn| -> ApiResult<ListResponse<String>> {
            let (total, rows) = list::run(conn, &TABLE, Some(&row_cache), COLUMNS, &q, read_row)?;
            let ids: Vec<&str> = rows.iter().map(|u| u.id.as_str()).collect();
            let rel = if ids.is_empty() {
                Related {
                    groups: HashMap::new(),
                    resources: HashMap::new(),
                }
            } else {
                related(conn, &ids, &base)?
            };
            let plain = q.attributes.is_empty() && q.excluded.is_empty();
            let projection = Projection::new(&loaded.user_schema, &q.attributes, &q.excluded);
            // When the projection shows every attribute (a sync asking for
            // the whole users), their stored text is spliced rather than
            // projected.
            let shows_all = (!plain && q.excluded.is_empty())
                .then(|| ShowsAll::check(&loaded.user_schema, &projection))
                .flatten();
            let mut resources = Vec::with_capacity(rows.len());
            for u in rows {
                // Without attributes/excludedAttributes the stored text is
                // served as it is; otherwise the document is projected.
                let text = if plain {
                    Some(render_default(&u, &rel, &base)?)
                } else {
                    shows_all
                        .as_ref()
                        .and_then(|all| render_whole(&u, &rel, &base, all))
                };
                let text = match text {
                    Some(text) => text,
                    None => serde_json::to_string(&projection.apply(render(u, &rel, &base)?))?,
                };
                resources.push(text);
            }
            Ok(ListResponse::new(
                resources,
                total.max(0) as u64,
                q.start_index as u64,
            ))
        })
        .await
}

// ---- single resource -----------------------------------------------------

pub async fn get(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    who.require("users:view", "see the users of this account")?;
    let req = list::search_from_query(&params)?;
    let attributes = list::attr_paths(&req.attributes, "attributes")?;
    let excluded = list::attr_paths(&req.excluded_attributes, "excludedAttributes")?;
    let loaded = state.loaded();
    let found = state
        .db
        .read(move |conn| -> ApiResult<Option<(i64, Value)>> {
            match load(conn, &id)? {
                None => Err(not_found(&id)),
                Some(u) if if_none_match_hits(&headers, u.version) => {
                    Ok(Some((u.version, Value::Null)))
                }
                Some(u) => {
                    let version = u.version;
                    Ok(Some((version, render_one(conn, u, &base)?)))
                }
            }
        })
        .await?;
    let (version, doc) = found.expect("handled above");
    if doc.is_null() {
        return Ok(not_modified(version));
    }
    let body = project(&doc, &loaded.user_schema, &attributes, &excluded);
    let location = doc["meta"]["location"].as_str().map(str::to_string);
    Ok(resource_response(
        StatusCode::OK,
        &body,
        Some(&etag(version)),
        location.as_deref(),
    ))
}

// ---- writes --------------------------------------------------------------

/// A validated user document, ready to store.
pub struct Prepared {
    pub data: Value,
    pub user_name: String,
    pub role: String,
    pub active: bool,
    pub departments: Vec<String>,
}

fn ext(doc: &Value) -> Option<&Map<String, Value>> {
    doc.get(urn::ROSTER_USER).and_then(Value::as_object)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_lengths(doc: &Value) -> ApiResult<()> {
    let named = [
        ("userName", doc.get("userName")),
        ("displayName", doc.get("displayName")),
        ("nickName", doc.get("nickName")),
        ("name.givenName", doc.pointer("/name/givenName")),
        ("name.familyName", doc.pointer("/name/familyName")),
        ("name.middleName", doc.pointer("/name/middleName")),
        ("name.formatted", doc.pointer("/name/formatted")),
    ];
    for (label, value) in named {
        if let Some(s) = value.and_then(Value::as_str) {
            let n = chars(s);
            if n > MAX_NAME_CHARS {
                return Err(ApiError::invalid_value(format!(
                    "{label} is {n} characters long; at most {MAX_NAME_CHARS} are allowed."
                )));
            }
        }
    }
    fn walk(v: &Value, path: &str) -> ApiResult<()> {
        match v {
            Value::String(s) if chars(s) > MAX_TEXT_CHARS => Err(ApiError::invalid_value(format!(
                "{path} is {} characters long; at most {MAX_TEXT_CHARS} are allowed.",
                chars(s)
            ))),
            Value::Array(items) => items.iter().try_for_each(|i| walk(i, path)),
            Value::Object(m) => m.iter().try_for_each(|(k, v)| {
                let label = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, &label)
            }),
            _ => Ok(()),
        }
    }
    walk(doc, "")
}

/// The permissions a user holds: per application, all of them (mode "all")
/// or the granted ones (mode "custom"), never more than the role allows.
pub fn effective_permissions(loaded: &Loaded, role: &str, doc: &Value) -> Vec<String> {
    let Some(role) = loaded.catalogue.role(role) else {
        return Vec::new();
    };
    let ceiling: HashSet<&str> = role.permissions.iter().map(String::as_str).collect();
    let ext = ext(doc);
    let custom: HashSet<&str> = ext
        .and_then(|e| e.get("applications"))
        .and_then(Value::as_array)
        .map(|apps| {
            apps.iter()
                .filter(|a| a.get("mode").and_then(Value::as_str) == Some("custom"))
                .filter_map(|a| a.get("value").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let granted: HashSet<&str> = ext
        .and_then(|e| e.get("permissions"))
        .and_then(Value::as_array)
        .map(|p| p.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for app in &loaded.catalogue.applications {
        let is_custom = custom.contains(app.id.as_str());
        for p in &app.permissions {
            let held =
                ceiling.contains(p.id.as_str()) && (!is_custom || granted.contains(p.id.as_str()));
            if held {
                out.push(p.id.clone());
            }
        }
    }
    out
}

/// Re-derives the core `roles` and `entitlements` of every user with the
/// role `role_id` after the role itself changed; returns their ids, whose
/// sessions must re-read what they may do.
pub fn rederive_role(
    tx: &rusqlite::Connection,
    loaded: &Loaded,
    role_id: &str,
) -> ApiResult<Vec<String>> {
    let role = loaded.role(role_id)?;
    let mut stmt = tx.prepare(&format!(
        "SELECT {COLUMNS} FROM users t {DOCS} WHERE t.role = ?1"
    ))?;
    let users = stmt
        .query_map([role_id], read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let now = crate::time::now_string();
    let mut ids = Vec::with_capacity(users.len());
    for u in users {
        let mut doc = u.doc()?;
        derive_role_attributes(loaded, &mut doc, role);
        store_doc(tx, &u.id, &doc, &now)?;
        ids.push(u.id);
    }
    Ok(ids)
}

/// Sets the core `roles` and `entitlements` a user document derives from
/// its role (the extension's `role` is `role`).
pub fn derive_role_attributes(loaded: &Loaded, doc: &mut Value, role: &crate::catalogue::Role) {
    doc["roles"] =
        json!([{ "value": role.id, "display": role.name, "type": "roster", "primary": true }]);
    doc["entitlements"] = entitlements_json(effective_permissions(loaded, &role.id, doc));
}

/// Stores a new document for an existing user as a write of its own: the
/// version (ETag) and `meta.lastModified` move on, so that incremental syncs
/// (`meta.lastModified gt …`) see the change, and the user's department
/// memberships follow the document. For changes the server makes to many
/// users at once (a role's permissions, a department renamed or removed),
/// which do not pass through [`prepare_user`]'s per-user rules.
pub fn store_doc(tx: &rusqlite::Connection, id: &str, doc: &Value, now: &str) -> ApiResult<()> {
    tx.prepare_cached("UPDATE users SET version = version + 1, last_modified = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    tx.prepare_cached(
        "UPDATE user_docs SET data = ?2 WHERE seq = (SELECT seq FROM users WHERE id = ?1)",
    )?
    .execute(params![id, serde_json::to_string(doc)?])?;
    sync_departments(tx, id, &departments_of(doc), true)
}

/// The department names in a user document's extension.
pub fn departments_of(doc: &Value) -> Vec<String> {
    ext(doc)
        .and_then(|e| e.get("departments"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The users who belong to the department `name` (compared as the
/// departments table compares names), each as stored.
pub fn department_members(conn: &rusqlite::Connection, name: &str) -> ApiResult<Vec<Stored>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM users t {DOCS}
         WHERE t.id IN (SELECT user_id FROM user_departments WHERE department = ?1)
         ORDER BY t.seq"
    ))?;
    let users = stmt
        .query_map([name], read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(users)
}

fn entitlements_json(permissions: Vec<String>) -> Value {
    Value::Array(
        permissions
            .into_iter()
            .map(|p| json!({ "value": p, "type": "permission" }))
            .collect(),
    )
}

/// Checks and completes a user document: role, applications, permissions,
/// departments, credit limit, allowed IPs, notification settings, lengths,
/// and the derived core `roles` and `entitlements`.
pub fn prepare_user(
    loaded: &Loaded,
    who: &Principal,
    existing: Option<&Stored>,
    doc: Value,
) -> ApiResult<Prepared> {
    prepare(loaded, who, existing, doc, false)
}

/// Prepares the account's one Owner: only start-up seeding creates it.
pub fn prepare_owner(loaded: &Loaded, who: &Principal, doc: Value) -> ApiResult<Prepared> {
    prepare(loaded, who, None, doc, true)
}

fn prepare(
    loaded: &Loaded,
    who: &Principal,
    existing: Option<&Stored>,
    mut doc: Value,
    creating_owner: bool,
) -> ApiResult<Prepared> {
    check_lengths(&doc)?;
    let user_name = doc
        .get("userName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_value("userName is required and cannot be empty."))?
        .to_string();
    doc["userName"] = Value::String(user_name.clone());
    let catalogue = &loaded.catalogue;
    let previous_role = existing.and_then(|e| e.role.clone());
    // The extension is optional: a new user always gets it, but a client
    // may remove it, leaving a plain SCIM user with the default role.
    let has_ext = ext(&doc).is_some() || existing.is_none();
    let mut ext_obj = ext(&doc).cloned().unwrap_or_default();

    // Role.
    let role = ext_obj
        .get("role")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| previous_role.clone().filter(|_| has_ext))
        .unwrap_or_else(|| DEFAULT_ROLE.to_string());
    let role_def = catalogue.role(&role).ok_or_else(|| {
        ApiError::invalid_value(format!(
            "'{role}' is not a role of this account; choose one of: {}.",
            catalogue.assignable_role_ids().join(", ")
        ))
    })?;
    let was_owner = previous_role.as_deref() == Some(OWNER) || creating_owner;
    if role == OWNER && !was_owner {
        return Err(ApiError::Forbidden(
            "There is exactly one Owner and ownership cannot be transferred; choose another role."
                .into(),
        ));
    }
    if was_owner && role != OWNER {
        return Err(ApiError::Forbidden(
            "The Owner's role cannot be changed: ownership cannot be transferred.".into(),
        ));
    }
    if let Some(existing) = existing {
        crate::policy::guard_target(who, existing)?;
        crate::policy::guard_identity_change(who, existing, &existing.doc()?, &doc)?;
    } else if was_owner && !who.is_owner() {
        return Err(ApiError::Forbidden(
            "Only the Owner can change the Owner's account.".into(),
        ));
    }
    if previous_role.as_deref() != Some(role.as_str()) {
        if let Some(missing) = role_def.permissions.iter().find(|p| !who.can(p)) {
            return Err(ApiError::Forbidden(format!(
                "You cannot give the role {} because it includes '{missing}', which you do not hold yourself.",
                role_def.name
            )));
        }
    }
    if has_ext {
        ext_obj.insert("role".into(), Value::String(role.clone()));
    }

    // Applications and their mode.
    if let Some(apps) = ext_obj
        .get_mut("applications")
        .and_then(Value::as_array_mut)
    {
        let mut seen = HashSet::new();
        for app in apps.iter_mut() {
            let id = app
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            catalogue.application(&id).ok_or_else(|| {
                ApiError::invalid_value(format!("'{id}' is not an application of this account."))
            })?;
            if !seen.insert(id.clone()) {
                return Err(ApiError::invalid_value(format!(
                    "The application '{id}' is listed twice."
                )));
            }
            let mode = app.get("mode").and_then(Value::as_str).unwrap_or("all");
            if mode != "all" && mode != "custom" {
                return Err(ApiError::invalid_value(format!(
                    "The permission mode of '{id}' must be 'all' or 'custom', not '{mode}'."
                )));
            }
            app["mode"] = Value::String(mode.into());
        }
    }
    if let Some(perms) = ext_obj.get("permissions").and_then(Value::as_array) {
        for p in perms {
            let id = p.as_str().unwrap_or("");
            if catalogue.permission(id).is_none() {
                return Err(ApiError::invalid_value(format!(
                    "'{id}' is not a permission of this account."
                )));
            }
        }
    }

    // Departments: names, created on first use.
    let mut departments = Vec::new();
    if let Some(list) = ext_obj.get_mut("departments").and_then(Value::as_array_mut) {
        let mut seen = BTreeSet::new();
        let mut cleaned = Vec::new();
        for d in list.iter() {
            let name = crate::departments::check_name(d.as_str().unwrap_or(""))?;
            if seen.insert(fold(&name)) {
                cleaned.push(Value::String(name.clone()));
                departments.push(name);
            }
        }
        *list = cleaned;
    }

    if let Some(limit) = ext_obj.get("creditLimit") {
        if limit.as_i64().map(|l| l < 0).unwrap_or(true) {
            return Err(ApiError::invalid_value(
                "creditLimit must be a whole number of credits, 0 or more.",
            ));
        }
    }
    if let Some(ips) = ext_obj.get_mut("allowedIps").and_then(Value::as_array_mut) {
        for ip in ips.iter_mut() {
            let text = ip.as_str().unwrap_or("").trim();
            let net = parse_cidr(text).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "\"{text}\" is not an IP range; write it in CIDR notation such as 192.168.1.0/24 or 2001:db8::/32."
                ))
            })?;
            *ip = Value::String(net.to_string());
        }
    }
    if let Some(digest) = ext_obj
        .get("notifications")
        .and_then(|n| n.get("digest"))
        .and_then(Value::as_str)
    {
        if !["never", "daily", "weekly"].contains(&digest) {
            return Err(ApiError::invalid_value(format!(
                "The notification digest must be never, daily or weekly, not '{digest}'."
            )));
        }
    }

    // Active / archived.
    let active = doc.get("active").and_then(Value::as_bool).unwrap_or(true);
    if let Some(existing) = existing {
        if existing.status == "pending" && active {
            return Err(ApiError::invalid_value(
                "This user has not accepted the invitation yet, so they cannot be made active; resend the invitation instead.",
            ));
        }
        let was_active = existing.status == "active";
        if was_active && !active {
            if was_owner {
                return Err(ApiError::Forbidden("The Owner cannot be archived.".into()));
            }
            crate::policy::guard_not_self(who, &existing.id, "archive")?;
            who.require("users:archive", "archive users")?;
        }
        if existing.status == "archived" && active {
            who.require("users:archive", "reactivate users")?;
        }
    }
    // An absent `active` means active (RFC 7643 leaves it optional); a
    // pending user is never active until they accept.
    if existing.map(|e| e.status == "pending").unwrap_or(false) {
        doc["active"] = Value::Bool(false);
    }

    if has_ext {
        // The extension names its schema inside too, as scim2-models and
        // other clients that treat an extension as an object of its own
        // expect; stored so the default representation is served as text.
        ext_obj.insert("schemas".into(), json!([urn::ROSTER_USER]));
        doc[urn::ROSTER_USER] = Value::Object(ext_obj);
    }
    let entitlements = effective_permissions(loaded, &role, &doc);
    // No escalation: nobody grants a permission they do not hold, unless the
    // user already had it.
    let before: HashSet<String> = existing
        .map(|e| {
            let doc = e.doc().unwrap_or(Value::Null);
            effective_permissions(loaded, e.role.as_deref().unwrap_or(DEFAULT_ROLE), &doc)
        })
        .unwrap_or_default()
        .into_iter()
        .collect();
    if let Some(p) = entitlements
        .iter()
        .find(|p| !who.can(p) && !before.contains(*p))
    {
        return Err(ApiError::Forbidden(format!(
            "You cannot grant '{p}' because you do not hold it yourself."
        )));
    }
    doc["roles"] =
        json!([{ "value": role, "display": role_def.name, "type": "roster", "primary": true }]);
    doc["entitlements"] = entitlements_json(entitlements);
    let mut schemas = vec![Value::String(urn::USER.into())];
    if has_ext {
        schemas.push(Value::String(urn::ROSTER_USER.into()));
    }
    doc["schemas"] = Value::Array(schemas);
    Ok(Prepared {
        data: doc,
        user_name,
        role,
        active,
        departments,
    })
}

/// A CIDR range, or a bare address meaning just that address.
pub fn parse_cidr(text: &str) -> Option<ipnet::IpNet> {
    text.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| {
            text.parse::<std::net::IpAddr>()
                .ok()
                .map(ipnet::IpNet::from)
        })
        .map(|n| n.trunc())
}

fn sort_keys(doc: &Value) -> (Option<String>, Option<String>) {
    let f = doc
        .pointer("/name/familyName")
        .and_then(Value::as_str)
        .map(fold);
    let g = doc
        .pointer("/name/givenName")
        .and_then(Value::as_str)
        .map(fold);
    (f, g)
}

/// Records the departments a user belongs to: a name the account does not
/// list yet is added (departments are created on first use), and the user's
/// memberships become these (`replace`: an existing user's earlier ones go).
fn sync_departments(
    tx: &rusqlite::Connection,
    user_id: &str,
    names: &[String],
    replace: bool,
) -> ApiResult<()> {
    if replace {
        tx.prepare_cached("DELETE FROM user_departments WHERE user_id = ?1")?
            .execute([user_id])?;
    }
    let mut listed = tx.prepare_cached("INSERT OR IGNORE INTO departments (name) VALUES (?1)")?;
    let mut member = tx.prepare_cached(
        "INSERT OR IGNORE INTO user_departments (user_id, department) VALUES (?1, ?2)",
    )?;
    for n in names {
        listed.execute([n])?;
        member.execute(params![user_id, n])?;
    }
    Ok(())
}

/// The uniqueness key of a userName: case-insensitive, as the schema says.
fn user_name_key(user_name: &str) -> String {
    user_name.to_lowercase()
}

fn uniqueness(user_name: &str) -> ApiError {
    ApiError::Conflict(format!(
        "A user with the userName '{user_name}' already exists."
    ))
}

fn taken(tx: &rusqlite::Connection, key: &str, except: Option<&str>) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM users WHERE user_name_key = ?1 AND id IS NOT ?2",
            params![key, except],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// New-user fields not in the SCIM document.
#[derive(Default)]
pub struct Lifecycle {
    pub status: Option<&'static str>,
    pub created: Option<String>,
    pub last_active: Option<String>,
    pub credits_used: i64,
    pub invitation: Option<(String, String, String)>,
    /// SHA-256 of the invitation link's token (see [`crate::auth::token_hash`]).
    pub invitation_token_hash: Option<String>,
}

/// Inserts a prepared user; returns its id.
pub fn insert(tx: &rusqlite::Connection, p: &Prepared, life: &Lifecycle) -> ApiResult<String> {
    let key = user_name_key(&p.user_name);
    if taken(tx, &key, None)? {
        return Err(uniqueness(&p.user_name));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = crate::time::now_string();
    let created = life.created.clone().unwrap_or_else(|| now.clone());
    let status = life
        .status
        .unwrap_or(if p.active { "active" } else { "archived" });
    let (f, g) = sort_keys(&p.data);
    let (sent, expires, by) = match &life.invitation {
        Some((s, e, b)) => (Some(s.as_str()), Some(e.as_str()), Some(b.as_str())),
        None => (None, None, None),
    };
    tx.prepare_cached(
        "INSERT INTO users (id, user_name, user_name_key, status, role, version, created, last_modified,
                            last_active, credits_used, invitation_sent_at, invitation_expires_at, invited_by, sort_family, sort_given,
                            user_name_fold, invitation_token_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        id,
        p.user_name,
        key,
        status,
        p.role,
        created,
        life.last_active,
        life.credits_used,
        sent,
        expires,
        by,
        f,
        g,
        fold(&p.user_name),
        life.invitation_token_hash
    ])?;
    tx.prepare_cached("INSERT INTO user_docs (seq, data) VALUES (last_insert_rowid(), ?1)")?
        .execute([serde_json::to_string(&p.data)?])?;
    sync_departments(tx, &id, &p.departments, false)?;
    Ok(id)
}

fn update(tx: &rusqlite::Connection, existing: &Stored, p: &Prepared) -> ApiResult<()> {
    let key = user_name_key(&p.user_name);
    if taken(tx, &key, Some(&existing.id))? {
        return Err(uniqueness(&p.user_name));
    }
    let status = match existing.status.as_str() {
        "pending" => "pending",
        _ if p.active => "active",
        _ => "archived",
    };
    let (f, g) = sort_keys(&p.data);
    tx.execute(
        "UPDATE users SET user_name = ?2, user_name_key = ?3, status = ?4, role = ?5,
                version = version + 1, last_modified = ?6, sort_family = ?7, sort_given = ?8, user_name_fold = ?9
         WHERE id = ?1",
        params![
            existing.id,
            p.user_name,
            key,
            status,
            p.role,
            crate::time::now_string(),
            f,
            g,
            fold(&p.user_name)
        ],
    )?;
    tx.execute(
        "UPDATE user_docs SET data = ?2 WHERE seq = (SELECT seq FROM users WHERE id = ?1)",
        params![existing.id, serde_json::to_string(&p.data)?],
    )?;
    sync_departments(tx, &existing.id, &p.departments, true)
}

/// Sets a password given through SCIM (`password` is write-only).
fn take_password(doc: &mut Value) -> Option<String> {
    doc.as_object_mut()
        .and_then(|m| m.remove("password"))
        .and_then(|p| p.as_str().map(str::to_string))
}

fn store_password(tx: &rusqlite::Connection, id: &str, hash: Option<String>) -> ApiResult<()> {
    if let Some(hash) = hash {
        tx.execute(
            "INSERT INTO passwords (user_id, hash, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
            params![id, hash, crate::time::now_string()],
        )?;
    }
    Ok(())
}

async fn hash_if_any(password: Option<String>) -> Option<String> {
    match password {
        Some(p) => tokio::task::spawn_blocking(move || crate::auth::hash_password(&p))
            .await
            .ok(),
        None => None,
    }
}

pub async fn create(
    State(state): State<AppState>,
    Auth(who): Auth,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    who.require("users:invite", "add users")?;
    let loaded = state.loaded();
    let mut doc = normalize_resource(&body, &loaded.user_schema, WriteMode::Create)?;
    let password = hash_if_any(take_password(&mut doc)).await;
    let prepared = prepare_user(&loaded, &who, None, doc)?;
    let (version, doc) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value)> {
            let id = insert(tx, &prepared, &Lifecycle::default())?;
            store_password(tx, &id, password)?;
            let u = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            let label = display_label(&prepared.data);
            audit::record(
                tx,
                &who,
                Entry {
                    action: "user.create",
                    target: Some((&id, &label)),
                    summary: format!("Added {label} as {}", prepared.role),
                    before: None,
                    after: Some(prepared.data.clone()),
                },
            )?;
            Ok((u.version, render_one(tx, u, &base)?))
        })
        .await?;
    written(StatusCode::CREATED, &state, &doc, version)
}

/// The answer to a write: the resource as a GET would show it (attributes
/// returned only on request are left out, RFC 7643 §7).
fn written(status: StatusCode, state: &AppState, doc: &Value, version: i64) -> ApiResult<Response> {
    let body = project(doc, &state.loaded().user_schema, &[], &[]);
    let location = doc["meta"]["location"].as_str();
    Ok(resource_response(
        status,
        &body,
        Some(&etag(version)),
        location,
    ))
}

/// Shared by PUT and PATCH: load, check the version, compute the new
/// document, validate and store — all in one transaction.
async fn modify(
    state: AppState,
    who: Principal,
    base: String,
    id: String,
    headers: HeaderMap,
    change: impl FnOnce(&Loaded, &Stored) -> ApiResult<(Value, Option<String>)> + Send + 'static,
) -> ApiResult<Response> {
    who.require("users:edit", "change users")?;
    let loaded = state.loaded();
    let state2 = state.clone();
    let (version, doc, rights_changed) = state
        .db
        .write(move |tx| -> ApiResult<(i64, Value, bool)> {
            let existing = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            check_if_match(&headers, existing.version)?;
            let before = existing.doc()?;
            let (doc, password) = change(&loaded, &existing)?;
            let prepared = prepare_user(&loaded, &who, Some(&existing), doc)?;
            if prepared.data == before && password.is_none() {
                // Nothing changed: keep the version, as the ETag promises.
                let version = existing.version;
                return Ok((version, render_one(tx, existing, &base)?, false));
            }
            // What the user may do changed: their sessions must re-read it.
            let rights_changed = existing.role.as_deref() != Some(prepared.role.as_str())
                || (existing.status == "active") != prepared.active
                || before.get("entitlements") != prepared.data.get("entitlements")
                || crate::auth::allowed_ips(&before) != crate::auth::allowed_ips(&prepared.data)
                || password.is_some();
            update(tx, &existing, &prepared)?;
            record_change(tx, &who, &existing, &before, &prepared, password.is_some())?;
            if let Some(p) = password {
                store_password(tx, &id, Some(crate::auth::hash_password(&p)))?;
            }
            let u = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            Ok((u.version, render_one(tx, u, &base)?, rights_changed))
        })
        .await?;
    if let (true, Some(user_id)) = (rights_changed, doc["id"].as_str()) {
        forget_sessions(&state2, user_id);
    }
    written(StatusCode::OK, &state2, &doc, version)
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
    let mut doc = normalize_resource(&body, &loaded.user_schema, WriteMode::Replace)?;
    let password = take_password(&mut doc);
    modify(
        state,
        who,
        base,
        id,
        headers,
        // The User schema has no immutable attributes; read-only ones were
        // dropped by normalising, as RFC 7644 §3.5.1 asks. A replacement
        // that leaves `active` out keeps the user's status.
        move |_, existing| {
            let mut doc = doc;
            if doc.get("active").is_none() {
                doc["active"] = Value::Bool(existing.status == "active");
            }
            Ok((doc, password))
        },
    )
    .await
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
    if req.operations.is_empty() {
        return Err(ApiError::bad(
            ScimType::InvalidSyntax,
            "The PATCH request has no Operations.",
        ));
    }
    modify(state, who, base, id, headers, move |loaded, existing| {
        let mut doc = existing.doc()?;
        // The stored copy of the extension's own `schemas` is not an
        // attribute a patch can address; prepare() puts it back.
        if let Some(ext) = doc.get_mut(urn::ROSTER_USER).and_then(Value::as_object_mut) {
            ext.remove("schemas");
        }
        apply_patch(&mut doc, &req.operations, &loaded.user_schema)?;
        let password = take_password(&mut doc);
        Ok((doc, password))
    })
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    who.require("users:delete", "delete users")?;
    let id2 = id.clone();
    state
        .db
        .write(move |tx| -> ApiResult<()> {
            let existing = load(tx, &id)?.ok_or_else(|| not_found(&id))?;
            check_if_match(&headers, existing.version)?;
            guard_delete(&who, &existing)?;
            remove(tx, &who, &existing, "Deleted")?;
            Ok(())
        })
        .await?;
    forget_sessions(&state, &id2);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The rules for deleting `target`: never the Owner, never oneself, never
/// someone who holds more than the caller.
pub fn guard_delete(who: &Principal, target: &Stored) -> ApiResult<()> {
    if target.role.as_deref() == Some(OWNER) {
        return Err(ApiError::Forbidden("The Owner cannot be deleted.".into()));
    }
    crate::policy::guard_not_self(who, &target.id, "delete")?;
    crate::policy::guard_target(who, target)
}

/// Deletes a user (their grants, memberships, tokens and events go with
/// them) and records it.
pub fn remove(
    tx: &rusqlite::Connection,
    who: &Principal,
    existing: &Stored,
    verb: &str,
) -> ApiResult<()> {
    let before = existing.doc()?;
    let label = display_label(&before);
    tx.execute(
        "DELETE FROM group_members WHERE member_id = ?1",
        [&existing.id],
    )?;
    tx.execute("DELETE FROM users WHERE id = ?1", [&existing.id])?;
    audit::record(
        tx,
        who,
        Entry {
            action: "user.delete",
            target: Some((&existing.id, &label)),
            summary: format!("{verb} {label}"),
            before: Some(before),
            after: None,
        },
    )
}

/// A user's name for people: the display name, else the userName.
pub fn display_label(doc: &Value) -> String {
    doc.get("displayName")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .or_else(|| doc.get("userName").and_then(Value::as_str))
        .unwrap_or("a user")
        .to_string()
}

/// The attributes that differ between two documents, the extension's
/// counted one by one (`role`, `permissions` …).
fn changed_attributes(before: &Value, after: &Value) -> Vec<String> {
    let empty = Map::new();
    let keys = |v: &Value| -> BTreeSet<String> {
        v.as_object().unwrap_or(&empty).keys().cloned().collect()
    };
    let mut out = Vec::new();
    for key in keys(before).union(&keys(after)) {
        if key == "schemas" || key == "meta" || key == "roles" || key == "entitlements" {
            continue;
        }
        let (b, a) = (before.get(key), after.get(key));
        if b == a {
            continue;
        }
        if key == urn::ROSTER_USER {
            let null = Value::Null;
            let (b, a) = (b.unwrap_or(&null), a.unwrap_or(&null));
            for sub in keys(b).union(&keys(a)) {
                if sub != "schemas" && b.get(sub) != a.get(sub) {
                    out.push(sub.clone());
                }
            }
        } else {
            out.push(key.clone());
        }
    }
    out
}

fn record_change(
    tx: &rusqlite::Connection,
    who: &Principal,
    existing: &Stored,
    before: &Value,
    prepared: &Prepared,
    password: bool,
) -> ApiResult<()> {
    let label = display_label(&prepared.data);
    let was_active = existing.status == "active";
    let (action, summary) = if existing.status != "pending" && was_active != prepared.active {
        if prepared.active {
            ("user.reactivate", format!("Reactivated {label}"))
        } else {
            ("user.archive", format!("Archived {label}"))
        }
    } else {
        let mut changed = changed_attributes(before, &prepared.data);
        if password {
            changed.push("password".into());
        }
        (
            "user.update",
            format!("Changed {label}: {}", changed.join(", ")),
        )
    };
    audit::record(
        tx,
        who,
        Entry {
            action,
            target: Some((&existing.id, &label)),
            summary,
            before: Some(before.clone()),
            after: Some(prepared.data.clone()),
        },
    )
}
