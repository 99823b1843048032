//! Schema definitions (RFC 7643 §7) as data: what the server publishes at
//! `/Schemas`, and what both sides consult for attribute types, case rules and
//! mutability.

use crate::filter::AttrPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDef {
    pub name: String,
    pub ty: AttrType,
    pub multi_valued: bool,
    pub description: String,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: Vec<String>,
    pub reference_types: Vec<String>,
    pub sub_attributes: Vec<AttributeDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDef {
    /// The schema URN.
    pub id: String,
    pub name: String,
    pub description: String,
    pub attributes: Vec<AttributeDef>,
}

/// A resource type's schemas: the core schema and its extensions.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSchema {
    pub core: SchemaDef,
    pub extensions: Vec<SchemaDef>,
}

/// Where an [`AttrPath`] lands in a [`ResourceSchema`].
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    /// The URN of the schema that defines the attribute (the core schema's
    /// URN for the common attributes `id`, `externalId`, `meta`).
    pub schema: &'a str,
    /// True when the attribute lives in an extension, i.e. in the JSON under
    /// the extension URN key.
    pub in_extension: bool,
    pub attr: &'a AttributeDef,
    pub sub_attr: Option<&'a AttributeDef>,
}
