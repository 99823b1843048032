//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which
//! parts of a stored resource a response shows.
//!
//! - `returned: always` attributes (`id`, and `schemas`) are always shown,
//!   whatever is asked or excluded;
//! - `never` (`password`) are never shown;
//! - `request` only when named in `attributes`;
//! - `default` unless excluded, or, when `attributes` is given, only when
//!   named there.
//!
//! A path may name an attribute (`name`), a sub-attribute (`name.familyName`,
//! `emails.value`), either fully qualified by its schema URN, or a whole
//! extension by its URN. Names are compared ignoring case.

use serde_json::{Map, Value};

use crate::filter::AttrPath;
use crate::schema::{common_attributes, AttributeDef, ResourceSchema, Returned, SchemaDef};

/// What one `attributes`/`excludedAttributes` path names.
#[derive(Debug, Clone)]
enum Named {
    /// Every attribute of a schema: the core URN, or an extension's URN.
    Schema(String),
    /// An attribute (`ext` is the extension URN for an extension attribute),
    /// possibly one of its sub-attributes.
    Attribute {
        ext: Option<String>,
        attr: String,
        sub: Option<String>,
    },
}

/// Where an attribute of the resource sits: its extension's URN, if any.
#[derive(Clone, Copy)]
struct Place<'a> {
    ext: Option<&'a str>,
    name: &'a str,
}

impl Named {
    fn from_path(schema: &ResourceSchema, path: &AttrPath) -> Named {
        if path.sub_attr.is_none() {
            let whole = match &path.urn {
                Some(urn) => format!("{urn}:{}", path.attr),
                None => path.attr.clone(),
            };
            if whole.eq_ignore_ascii_case(&schema.core.id) {
                return Named::Schema(schema.core.id.clone());
            }
            if let Some(ext) = schema.extension(&whole) {
                return Named::Schema(ext.id.clone());
            }
        }
        match schema.resolve(path) {
            Some(resolved) => Named::Attribute {
                ext: resolved.in_extension.then(|| resolved.schema.to_owned()),
                attr: resolved.attr.name.clone(),
                sub: resolved.sub_attr.map(|s| s.name.clone()),
            },
            // Not in the schema: it can still name a key the resource has.
            None => Named::Attribute {
                ext: path.urn.clone().filter(|u| schema.extension(u).is_some()),
                attr: path.attr.clone(),
                sub: path.sub_attr.clone(),
            },
        }
    }

    fn names_schema_of(&self, schema: &ResourceSchema, place: Place<'_>) -> bool {
        match self {
            Named::Schema(urn) => match place.ext {
                Some(ext) => ext.eq_ignore_ascii_case(urn),
                None => urn.eq_ignore_ascii_case(&schema.core.id),
            },
            Named::Attribute { .. } => false,
        }
    }

    /// `Some(None)` when it names the whole attribute, `Some(Some(sub))`
    /// when one of its sub-attributes, `None` when neither.
    fn names_attribute(&self, place: Place<'_>) -> Option<Option<&str>> {
        match self {
            Named::Attribute { ext, attr, sub } => {
                let same_ext = match (ext, place.ext) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => false,
                };
                (same_ext && attr.eq_ignore_ascii_case(place.name)).then_some(sub.as_deref())
            }
            Named::Schema(_) => None,
        }
    }
}

/// What the paths say about one attribute.
struct Selection<'n> {
    /// Named whole (directly, or through its schema's URN).
    whole: bool,
    /// Sub-attributes named one by one.
    subs: Vec<&'n str>,
}

impl<'n> Selection<'n> {
    fn of(named: &'n [Named], schema: &ResourceSchema, place: Place<'_>) -> Self {
        let mut selection = Selection {
            whole: false,
            subs: Vec::new(),
        };
        for n in named {
            if n.names_schema_of(schema, place) {
                selection.whole = true;
            }
            match n.names_attribute(place) {
                Some(None) => selection.whole = true,
                Some(Some(sub)) => selection.subs.push(sub),
                None => {}
            }
        }
        selection
    }

    fn any(&self) -> bool {
        self.whole || !self.subs.is_empty()
    }

    fn has_sub(&self, name: &str) -> bool {
        self.subs.iter().any(|s| s.eq_ignore_ascii_case(name))
    }
}

struct Projector<'s> {
    schema: &'s ResourceSchema,
    attributes: Vec<Named>,
    excluded: Vec<Named>,
}

impl Projector<'_> {
    /// The attribute's value as shown, or `None` to leave it out.
    fn attribute(
        &self,
        place: Place<'_>,
        def: Option<&AttributeDef>,
        value: Value,
    ) -> Option<Value> {
        let returned = def.map_or(Returned::Default, |d| d.returned);
        let asked = Selection::of(&self.attributes, self.schema, place);
        let excluded = Selection::of(&self.excluded, self.schema, place);
        match returned {
            Returned::Never => None,
            // `excludedAttributes` has no effect on these (RFC 7644 §3.9).
            Returned::Always => Some(self.subs(def, value, &asked, None, false)),
            Returned::Request | Returned::Default => {
                if excluded.whole {
                    return None;
                }
                let shown = if self.attributes.is_empty() {
                    returned == Returned::Default
                } else {
                    // A schema URN asks for its default attributes only.
                    asked.any()
                        && (returned == Returned::Default
                            || self
                                .attributes
                                .iter()
                                .any(|n| n.names_attribute(place).is_some()))
                };
                if !shown {
                    return None;
                }
                let only_named = !self.attributes.is_empty() && !asked.whole;
                let value = self.subs(def, value, &asked, Some(&excluded), only_named);
                (!is_empty(&value)).then_some(value)
            }
        }
    }

    /// Applies the sub-attributes' own `returned` and the named
    /// sub-attributes to a complex value (each element, if multi-valued).
    fn subs(
        &self,
        def: Option<&AttributeDef>,
        value: Value,
        asked: &Selection<'_>,
        excluded: Option<&Selection<'_>>,
        only_named: bool,
    ) -> Value {
        let Some(def) = def.filter(|d| !d.sub_attributes.is_empty()) else {
            return value;
        };
        let element = |object: Map<String, Value>| -> Map<String, Value> {
            object
                .into_iter()
                .filter(|(key, _)| {
                    let returned = def.sub(key).map_or(Returned::Default, |s| s.returned);
                    match returned {
                        Returned::Never => false,
                        Returned::Always => true,
                        Returned::Request => asked.has_sub(key),
                        Returned::Default => {
                            !excluded.is_some_and(|e| e.has_sub(key))
                                && (!only_named || asked.has_sub(key))
                        }
                    }
                })
                .collect()
        };
        match value {
            Value::Object(object) => Value::Object(element(object)),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::Object(object) => {
                            let kept = element(object);
                            (!kept.is_empty()).then_some(Value::Object(kept))
                        }
                        other => Some(other),
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    fn extension(&self, ext: &SchemaDef, value: Value) -> Option<Value> {
        let Value::Object(object) = value else {
            return None;
        };
        let mut out = Map::new();
        for (key, value) in object {
            let def = ext.attribute(&key);
            let place = Place {
                ext: Some(&ext.id),
                name: def.map_or(key.as_str(), |d| d.name.as_str()),
            };
            if let Some(shown) = self.attribute(place, def, value) {
                out.insert(key, shown);
            }
        }
        (!out.is_empty()).then_some(Value::Object(out))
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        _ => false,
    }
}

/// The parts of `resource` a response shows, given the request's
/// `attributes` and `excludedAttributes` (either may be empty).
pub fn project(
    resource: &Value,
    schema: &ResourceSchema,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
) -> Value {
    Projection::new(schema, attributes, excluded).apply(resource.clone())
}

/// [`project`] for many resources: the paths are read once, and each
/// resource is taken apart rather than copied.
pub struct Projection<'s>(Projector<'s>);

impl<'s> Projection<'s> {
    pub fn new(schema: &'s ResourceSchema, attributes: &[AttrPath], excluded: &[AttrPath]) -> Self {
        let named =
            |paths: &[AttrPath]| paths.iter().map(|p| Named::from_path(schema, p)).collect();
        Projection(Projector {
            schema,
            attributes: named(attributes),
            excluded: named(excluded),
        })
    }

    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(object) = resource else {
            return resource;
        };
        let (projector, schema) = (&self.0, self.0.schema);
        let mut out = Map::new();
        for (key, value) in object {
            if key.eq_ignore_ascii_case("schemas") {
                out.insert(key, value);
                continue;
            }
            if let Some(ext) = schema.extension(&key) {
                if let Some(shown) = projector.extension(ext, value) {
                    out.insert(key, shown);
                }
                continue;
            }
            let def = common_attributes()
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(&key))
                .or_else(|| schema.core.attribute(&key));
            let place = Place {
                ext: None,
                name: def.map_or(key.as_str(), |d| d.name.as_str()),
            };
            if let Some(shown) = projector.attribute(place, def, value) {
                out.insert(key, shown);
            }
        }
        Value::Object(out)
    }
}
