//! SCIM protocol messages (RFC 7644): the error body, list responses, PATCH
//! requests and `POST /.search` requests, as serde types.
//!
//! Deserialisation is lenient where real SCIM peers disagree with the RFC
//! (an error `status` sent as a number, capitalised PATCH ops, comma-separated
//! attribute lists); serialisation always writes the RFC's form.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::urn;

/// The `scimType` of an error response (RFC 7644 §3.12, table 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears on the wire, e.g. `"invalidFilter"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn error_schemas() -> Vec<String> {
    vec![urn::ERROR.to_owned()]
}

/// A SCIM error response body (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default = "error_schemas")]
    pub schemas: Vec<String>,
    /// The HTTP status code. The RFC makes it a JSON string; some servers
    /// send a number, which is accepted and kept as its decimal text.
    #[serde(deserialize_with = "string_or_number")]
    pub status: String,
    #[serde(rename = "scimType", default, skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<ScimType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorBody {
    /// `scim_type` and `detail` take either a value or an `Option`, so both
    /// `ErrorBody::new(404, None, "User not found".to_owned())` and
    /// `ErrorBody::new(400, ScimType::InvalidValue, Some(detail))` read well.
    pub fn new(
        status: u16,
        scim_type: impl Into<Option<ScimType>>,
        detail: impl Into<Option<String>>,
    ) -> Self {
        ErrorBody {
            schemas: error_schemas(),
            status: status.to_string(),
            scim_type: scim_type.into(),
            detail: detail.into(),
        }
    }

    /// The status as a number, when it is one.
    pub fn status_code(&self) -> Option<u16> {
        self.status.trim().parse().ok()
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct StatusVisitor;

    impl Visitor<'_> for StatusVisitor {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an HTTP status code as a string or a number")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }

    deserializer.deserialize_any(StatusVisitor)
}

fn list_schemas() -> Vec<String> {
    vec![urn::LIST_RESPONSE.to_owned()]
}

/// A page of query results (RFC 7644 §3.4.2).
///
/// When a server leaves out `startIndex`, `itemsPerPage` or `totalResults`
/// they are read as 1, the number of resources on the page, and that same
/// number respectively.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawListResponse<T>")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct ListResponse<T> {
    pub schemas: Vec<String>,
    #[serde(rename = "totalResults")]
    pub total_results: u64,
    #[serde(rename = "startIndex")]
    pub start_index: u64,
    #[serde(rename = "itemsPerPage")]
    pub items_per_page: u64,
    #[serde(rename = "Resources", default)]
    pub resources: Vec<T>,
}

impl<T> ListResponse<T> {
    /// A page starting at the 1-based `start_index` out of `total_results`.
    pub fn new(resources: Vec<T>, total_results: u64, start_index: u64) -> Self {
        ListResponse {
            schemas: list_schemas(),
            total_results,
            start_index,
            items_per_page: resources.len() as u64,
            resources,
        }
    }
}

#[derive(Deserialize)]
struct RawListResponse<T> {
    #[serde(default = "list_schemas")]
    schemas: Vec<String>,
    #[serde(rename = "totalResults")]
    total_results: Option<u64>,
    #[serde(rename = "startIndex")]
    start_index: Option<u64>,
    #[serde(rename = "itemsPerPage")]
    items_per_page: Option<u64>,
    // Some servers write `resources`; the RFC spells it with a capital R.
    #[serde(rename = "Resources", alias = "resources", default = "Vec::new")]
    resources: Vec<T>,
}

impl<T> From<RawListResponse<T>> for ListResponse<T> {
    fn from(raw: RawListResponse<T>) -> Self {
        let on_page = raw.resources.len() as u64;
        ListResponse {
            schemas: raw.schemas,
            total_results: raw.total_results.unwrap_or(on_page),
            start_index: raw.start_index.unwrap_or(1),
            items_per_page: raw.items_per_page.unwrap_or(on_page),
            resources: raw.resources,
        }
    }
}

fn patch_schemas() -> Vec<String> {
    vec![urn::PATCH_OP.to_owned()]
}

/// A PATCH request body (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchRequest {
    /// Required by RFC 7644 §3.5.2; left empty when a client omits it, so
    /// the server can refuse the request.
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    pub fn new(operations: Vec<PatchOperation>) -> Self {
        PatchRequest {
            schemas: patch_schemas(),
            operations,
        }
    }
}

/// One PATCH operation.
///
/// `value` is `None` when the member is absent and `Some(Value::Null)` when
/// it is present as `null`: an `add` without a value is a syntax error,
/// while `add` of `null` changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOperation {
    pub op: PatchOpKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(
        default,
        deserialize_with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Value>,
}

impl PatchOperation {
    pub fn new(op: PatchOpKind, path: Option<&str>, value: Option<Value>) -> Self {
        PatchOperation {
            op,
            path: path.map(str::to_owned),
            value,
        }
    }
}

/// Called only when `value` is present, so an explicit `null` stays visible.
fn present_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// The PATCH `op`. Read case-insensitively (Azure AD sends `"Add"`,
/// `"Replace"`, `"Remove"`), always written in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchOpKind {
    Add,
    Remove,
    Replace,
}

impl PatchOpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }
}

impl fmt::Display for PatchOpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PatchOpKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PatchOpKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "unknown PATCH op '{text}': expected add, remove or replace"
                ))
            })
    }
}

fn search_schemas() -> Vec<String> {
    vec![urn::SEARCH_REQUEST.to_owned()]
}

/// The sort direction of a query (RFC 7644 §3.4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Ascending,
    Descending,
}

impl<'de> Deserialize<'de> for SortOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.trim().to_ascii_lowercase().as_str() {
            "ascending" => Ok(SortOrder::Ascending),
            "descending" => Ok(SortOrder::Descending),
            _ => Err(de::Error::custom(format!(
                "unknown sortOrder '{text}': expected ascending or descending"
            ))),
        }
    }
}

/// The body of `POST /.search` (RFC 7644 §3.4.3).
///
/// `attributes` and `excludedAttributes` accept an array of names, a single
/// comma-separated string, or an array whose items are comma-separated; they
/// are always split into one name per item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    #[serde(default = "search_schemas")]
    pub schemas: Vec<String>,
    #[serde(
        default,
        deserialize_with = "attribute_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attributes: Vec<String>,
    #[serde(
        default,
        deserialize_with = "attribute_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub excluded_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// 1-based; the RFC says values below 1 mean 1, so any integer is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<i64>,
    /// The RFC says a negative count means 0, so any integer is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            schemas: search_schemas(),
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
            filter: None,
            sort_by: None,
            sort_order: None,
            start_index: None,
            count: None,
        }
    }
}

/// Splits `"a, b"` into `["a", "b"]`, dropping empty names.
pub fn split_attribute_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

fn attribute_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }

    let items = match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(text)) => vec![text],
        Some(OneOrMany::Many(items)) => items,
    };
    Ok(items
        .iter()
        .flat_map(|item| split_attribute_list(item))
        .collect())
}
