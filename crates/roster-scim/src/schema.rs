//! Schema definitions (RFC 7643 §7) as data: what the server publishes at
//! `/Schemas`, and what both sides consult for attribute types, case rules and
//! mutability.

use serde_json::{json, Map, Value};

use crate::filter::AttrPath;

mod roster;
mod standard;

pub use roster::{
    roster_user_extension, whole_user_attributes, CatalogueHints, RETURNED_ON_REQUEST,
};
pub use standard::{common_attributes, core_group_schema, core_user_schema};

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

impl AttrType {
    /// The name RFC 7643 §7 uses in a schema's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

impl Mutability {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

impl Returned {
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

impl Uniqueness {
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
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

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn find_attribute<'a>(attributes: &'a [AttributeDef], name: &str) -> Option<&'a AttributeDef> {
    attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

impl AttributeDef {
    /// A single-valued, optional, case-insensitive, read-write attribute that
    /// is returned by default and need not be unique (the RFC 7643 §2.2
    /// defaults); the methods below change one characteristic each.
    pub fn new(name: &str, ty: AttrType) -> Self {
        AttributeDef {
            name: name.to_string(),
            ty,
            multi_valued: false,
            description: String::new(),
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: Vec::new(),
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
        }
    }

    pub fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }

    pub fn mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }

    pub fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }

    pub fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }

    pub fn canonical(mut self, values: &[&str]) -> Self {
        self.canonical_values = strings(values);
        self
    }

    pub fn refs(mut self, types: &[&str]) -> Self {
        self.reference_types = strings(types);
        self
    }

    pub fn subs(mut self, sub_attributes: Vec<AttributeDef>) -> Self {
        self.sub_attributes = sub_attributes;
        self
    }

    pub fn describe(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    /// The sub-attribute called `name`, ignoring ASCII case.
    pub fn sub(&self, name: &str) -> Option<&AttributeDef> {
        find_attribute(&self.sub_attributes, name)
    }

    /// The attribute as RFC 7643 §7 writes it in a Schema resource.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), json!(self.name));
        out.insert("type".into(), json!(self.ty.as_str()));
        out.insert("multiValued".into(), json!(self.multi_valued));
        out.insert("description".into(), json!(self.description));
        out.insert("required".into(), json!(self.required));
        out.insert("caseExact".into(), json!(self.case_exact));
        out.insert("mutability".into(), json!(self.mutability.as_str()));
        out.insert("returned".into(), json!(self.returned.as_str()));
        out.insert("uniqueness".into(), json!(self.uniqueness.as_str()));
        if !self.canonical_values.is_empty() {
            out.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        // RFC 7643 §7: referenceTypes is required for reference attributes.
        if self.ty == AttrType::Reference || !self.reference_types.is_empty() {
            out.insert("referenceTypes".into(), json!(self.reference_types));
        }
        if self.ty == AttrType::Complex || !self.sub_attributes.is_empty() {
            let subs: Vec<Value> = self.sub_attributes.iter().map(Self::to_json).collect();
            out.insert("subAttributes".into(), Value::Array(subs));
        }
        Value::Object(out)
    }
}

impl SchemaDef {
    /// The top-level attribute called `name`, ignoring ASCII case.
    pub fn attribute(&self, name: &str) -> Option<&AttributeDef> {
        find_attribute(&self.attributes, name)
    }

    /// The Schema resource served at `{base_url}/Schemas/{id}`.
    pub fn to_json(&self, base_url: &str) -> Value {
        let attributes: Vec<Value> = self.attributes.iter().map(AttributeDef::to_json).collect();
        json!({
            "schemas": [crate::urn::SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": attributes,
            "meta": {
                "resourceType": "Schema",
                "location": format!("{}/Schemas/{}", base_url.trim_end_matches('/'), self.id),
            },
        })
    }
}

impl ResourceSchema {
    /// Finds the definition an attribute path names.
    ///
    /// With a URN, only that schema is searched (the common attributes `id`,
    /// `externalId` and `meta` also resolve under the core URN); without
    /// one, the common attributes, then the core schema, then the extensions
    /// in order. Names and URNs are compared ignoring ASCII case. A path whose
    /// sub-attribute the attribute does not have resolves to `None`.
    pub fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        let common = common_attributes();
        let (schema, in_extension, attr) = match &path.urn {
            Some(urn) if urn.eq_ignore_ascii_case(&self.core.id) => {
                let attr = self
                    .core
                    .attribute(&path.attr)
                    .or_else(|| find_attribute(common, &path.attr))?;
                (self.core.id.as_str(), false, attr)
            }
            Some(urn) => {
                let extension = self.extension(urn)?;
                (
                    extension.id.as_str(),
                    true,
                    extension.attribute(&path.attr)?,
                )
            }
            None => {
                if let Some(attr) = find_attribute(common, &path.attr) {
                    (self.core.id.as_str(), false, attr)
                } else if let Some(attr) = self.core.attribute(&path.attr) {
                    (self.core.id.as_str(), false, attr)
                } else {
                    self.extensions.iter().find_map(|extension| {
                        extension
                            .attribute(&path.attr)
                            .map(|attr| (extension.id.as_str(), true, attr))
                    })?
                }
            }
        };
        let sub_attr = match &path.sub_attr {
            Some(name) => Some(attr.sub(name)?),
            None => None,
        };
        Some(Resolved {
            schema,
            in_extension,
            attr,
            sub_attr,
        })
    }

    /// The extension schema with this URN, ignoring ASCII case.
    pub fn extension(&self, urn: &str) -> Option<&SchemaDef> {
        self.extensions
            .iter()
            .find(|extension| extension.id.eq_ignore_ascii_case(urn))
    }

    /// The User resource type: the core User schema and the Roster extension.
    pub fn user(hints: &CatalogueHints) -> Self {
        ResourceSchema {
            core: core_user_schema(),
            extensions: vec![roster_user_extension(hints)],
        }
    }

    /// The Group resource type: the core Group schema, no extensions.
    pub fn group() -> Self {
        ResourceSchema {
            core: core_group_schema(),
            extensions: Vec::new(),
        }
    }
}
