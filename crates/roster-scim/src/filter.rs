//! The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2).
//!
//! `parse_filter` turns text into a [`Filter`] tree; the server compiles the
//! tree to SQL with bound parameters, the client evaluates it over JSON with
//! [`Filter::matches`]. `Display` writes a tree back as filter text that
//! parses to the same tree.

use std::fmt;

mod datetime;
mod eval;
mod parse;

pub use eval::matches_element;

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

/// How deeply parentheses, `not (...)` and `[...]` may nest.
pub const MAX_NESTING: usize = parse::MAX_NESTING;
/// How deep a parsed tree may be, counting every `and`, `or`, `not` and
/// value path: code that walks a tree recursively can rely on it.
pub const MAX_TREE_DEPTH: usize = parse::MAX_TREE_DEPTH;

/// Parses a filter such as `userName eq "bjensen" and not (emails pr)`.
///
/// Keywords, operators and `true`/`false`/`null` are case-insensitive;
/// `and` binds tighter than `or`, both group to the left.
pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    parse::filter(input)
}

/// Parses an attribute path such as `name.familyName`, as used by
/// `attributes`, `excludedAttributes` and `sortBy`.
pub fn parse_attr_path(input: &str) -> Result<AttrPath, FilterError> {
    parse::attr_path(input)
}

/// Parses a PATCH operation's path: `attrPath`, or
/// `attrPath "[" valFilter "]" ["." subAttr]`.
pub fn parse_patch_path(input: &str) -> Result<PatchPath, FilterError> {
    parse::patch_path(input)
}

impl CompareOp {
    /// The operator as written in a filter (lowercase).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Writes `text` as a JSON string literal.
fn write_json_string(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    use fmt::Write;
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if (c as u32) < 0x20 || c == '\u{7f}' => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => write_json_string(f, s),
        }
    }
}

/// Where a sub-tree sits, to decide whether it needs parentheses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Alone,
    AndLeft,
    AndRight,
    OrLeft,
    OrRight,
}

fn write_filter(f: &mut fmt::Formatter<'_>, filter: &Filter, slot: Slot) -> fmt::Result {
    // Parsing groups `and` and `or` to the left and binds `and` tighter, so
    // only a right-hand operand of the same operator, or an `or` under an
    // `and`, needs parentheses to come back as the same tree.
    let parens = match filter {
        Filter::Or(..) => matches!(slot, Slot::AndLeft | Slot::AndRight | Slot::OrRight),
        Filter::And(..) => slot == Slot::AndRight,
        _ => false,
    };
    if parens {
        f.write_str("(")?;
    }
    match filter {
        Filter::And(left, right) => {
            write_filter(f, left, Slot::AndLeft)?;
            f.write_str(" and ")?;
            write_filter(f, right, Slot::AndRight)?;
        }
        Filter::Or(left, right) => {
            write_filter(f, left, Slot::OrLeft)?;
            f.write_str(" or ")?;
            write_filter(f, right, Slot::OrRight)?;
        }
        Filter::Not(inner) => {
            f.write_str("not (")?;
            write_filter(f, inner, Slot::Alone)?;
            f.write_str(")")?;
        }
        Filter::Present(path) => write!(f, "{path} pr")?,
        Filter::Compare(path, op, value) => write!(f, "{path} {op} {value}")?,
        Filter::ValuePath(path, inner) => {
            write!(f, "{path}[")?;
            write_filter(f, inner, Slot::Alone)?;
            f.write_str("]")?;
        }
    }
    if parens {
        f.write_str(")")?;
    }
    Ok(())
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_filter(f, self, Slot::Alone)
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.value_filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
