//! The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2).
//!
//! `parse_filter` turns text into a [`Filter`] tree; the server compiles the
//! tree to SQL with bound parameters, the client evaluates it over JSON with
//! [`Filter::matches`].

/// An attribute path: `[urn ":"] attr ["." subAttr]`.
///
/// Names are kept as written; SCIM attribute names are case-insensitive, so
/// consumers compare them with `eq_ignore_ascii_case` (see [`crate::schema`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN when the path was written fully qualified.
    pub urn: Option<String>,
    pub attr: String,
    pub sub_attr: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A comparison value: JSON `false`, `null`, `true`, a number or a string.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attrPath pr`
    Present(AttrPath),
    /// `attrPath op value`
    Compare(AttrPath, CompareOp, CompValue),
    /// `attrPath "[" valFilter "]"`: the path names a multi-valued complex
    /// attribute (never with a `sub_attr`); the inner filter's paths are
    /// relative to one element of it (their `attr` is the sub-attribute).
    ValuePath(AttrPath, Box<Filter>),
}

/// A PATCH path: `attrPath` or `valuePath ["." subAttr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    /// The `[...]` filter selecting elements of a multi-valued attribute.
    pub value_filter: Option<Filter>,
    /// The sub-attribute after `]`, as in `emails[type eq "work"].value`.
    pub sub_attr: Option<String>,
}

/// Why a filter or path could not be read, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct FilterError {
    pub message: String,
    /// 1-based character position where the problem was found.
    pub position: usize,
}
