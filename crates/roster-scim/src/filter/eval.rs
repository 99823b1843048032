//! Evaluating a filter over a resource's JSON, as the client does over its
//! offline cache. The semantics follow the server's SQL compiler so that a
//! filter finds the same users online and offline:
//!
//! - attribute names and extension URNs are looked up ignoring ASCII case;
//!   attributes the schema does not define match nothing;
//! - a multi-valued attribute matches when any of its values does, and a
//!   multi-valued complex attribute without a sub-attribute compares its
//!   `value` sub-attribute (RFC 7644 §3.4.2.2);
//! - `eq null` means "not present" and `ne null` "present"; `ne` also
//!   matches a single-valued attribute that has no value;
//! - strings compare by the attribute's caseExact, dateTimes as instants,
//!   numbers numerically; `co`/`sw`/`ew` apply to strings and references
//!   only, ordering operators never to booleans or binary; a comparison the
//!   attribute's type does not support, or a value of the wrong type,
//!   matches nothing.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::{datetime, AttrPath, CompValue, CompareOp, Filter};
use crate::schema::{AttrType, AttributeDef, ResourceSchema};

impl Filter {
    /// Whether `resource` (a SCIM resource as JSON) matches this filter.
    pub fn matches(&self, resource: &Value, schema: &ResourceSchema) -> bool {
        eval(self, &Scope::Resource { resource, schema })
    }
}

/// Whether one element of the multi-valued attribute `parent` matches the
/// filter of a value path, whose paths name sub-attributes of `parent`
/// (`type eq "work"` in `emails[type eq "work"]`). For a multi-valued
/// attribute of simple values the element itself is called `value`.
pub fn matches_element(filter: &Filter, element: &Value, parent: &AttributeDef) -> bool {
    eval(filter, &Scope::Element { element, parent })
}

/// What the paths of a filter are relative to.
enum Scope<'a> {
    Resource {
        resource: &'a Value,
        schema: &'a ResourceSchema,
    },
    Element {
        element: &'a Value,
        parent: &'a AttributeDef,
    },
}

fn eval(filter: &Filter, scope: &Scope<'_>) -> bool {
    match filter {
        Filter::And(left, right) => eval(left, scope) && eval(right, scope),
        Filter::Or(left, right) => eval(left, scope) || eval(right, scope),
        Filter::Not(inner) => !eval(inner, scope),
        Filter::Present(path) => lookup(scope, path).is_some_and(|found| found.present()),
        Filter::Compare(path, op, value) => {
            lookup(scope, path).is_some_and(|found| found.compare(*op, value))
        }
        Filter::ValuePath(path, inner) => match scope {
            Scope::Resource { resource, schema } => value_path(resource, schema, path, inner),
            // The grammar does not allow a value path inside another.
            Scope::Element { .. } => false,
        },
    }
}

fn value_path(resource: &Value, schema: &ResourceSchema, path: &AttrPath, inner: &Filter) -> bool {
    let Some(resolved) = schema.resolve(path) else {
        return false;
    };
    if resolved.sub_attr.is_some() {
        return false;
    }
    let container = if resolved.in_extension {
        get_ignoring_case(resource, resolved.schema)
    } else {
        Some(resource)
    };
    let raw = container.and_then(|c| get_ignoring_case(c, &resolved.attr.name));
    elements(raw).any(|element| matches_element(inner, element, resolved.attr))
}

/// A JSON object member looked up by name, ignoring ASCII case.
fn get_ignoring_case<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    let object = value.as_object()?;
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The elements of a multi-valued attribute, or the value itself.
fn elements(raw: Option<&Value>) -> impl Iterator<Item = &Value> {
    let (many, one) = match raw {
        Some(Value::Array(items)) => (Some(items.iter()), None),
        other => (None, other),
    };
    many.into_iter().flatten().chain(one)
}

/// The values a path names, with their definition.
struct Found<'a> {
    def: &'a AttributeDef,
    /// Whether the path can have several values (an element per value).
    multi: bool,
    /// One entry per value; `None` where a value is missing (a single-valued
    /// attribute that is absent, or an element without the sub-attribute).
    values: Vec<Option<&'a Value>>,
}

fn lookup<'a>(scope: &Scope<'a>, path: &AttrPath) -> Option<Found<'a>> {
    match scope {
        Scope::Resource { resource, schema } => {
            let resolved = schema.resolve(path)?;
            let attr = resolved.attr;
            let container = if resolved.in_extension {
                get_ignoring_case(resource, resolved.schema)
            } else {
                Some(*resource)
            };
            let raw = container.and_then(|c| get_ignoring_case(c, &attr.name));
            let values: Vec<Option<&Value>> = match (resolved.sub_attr, attr.multi_valued) {
                (Some(sub), true) => elements(raw)
                    .map(|element| get_ignoring_case(element, &sub.name))
                    .collect(),
                (Some(sub), false) => vec![raw.and_then(|v| get_ignoring_case(v, &sub.name))],
                (None, true) => elements(raw).map(Some).collect(),
                (None, false) => vec![raw],
            };
            Some(Found {
                def: resolved.sub_attr.unwrap_or(attr),
                multi: attr.multi_valued,
                values,
            })
        }
        Scope::Element { element, parent } => {
            if path.urn.is_some() || path.sub_attr.is_some() {
                return None;
            }
            if parent.ty == AttrType::Complex {
                let def = parent.sub(&path.attr)?;
                Some(Found {
                    def,
                    multi: false,
                    values: vec![get_ignoring_case(element, &def.name)],
                })
            } else if path.attr.eq_ignore_ascii_case("value") {
                Some(Found {
                    def: parent,
                    multi: false,
                    values: vec![Some(*element)],
                })
            } else {
                None
            }
        }
    }
}

/// Present: not null, not an empty string, array or object (an object
/// counts when any of its members is present).
fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(is_present),
        Value::Object(members) => members.values().any(is_present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

impl Found<'_> {
    fn present(&self) -> bool {
        self.values.iter().flatten().any(|v| is_present(v))
    }

    fn compare(&self, op: CompareOp, value: &CompValue) -> bool {
        if *value == CompValue::Null {
            return match op {
                CompareOp::Eq => !self.present(),
                CompareOp::Ne => self.present(),
                _ => false,
            };
        }
        if self.def.ty == AttrType::Complex {
            // Only a multi-valued complex attribute has a default part to
            // compare: its "value".
            let Some(value_def) = self.def.sub("value").filter(|_| self.multi) else {
                return false;
            };
            let values = self
                .values
                .iter()
                .map(|element| element.and_then(|e| get_ignoring_case(e, &value_def.name)))
                .collect();
            let parts = Found {
                def: value_def,
                multi: true,
                values,
            };
            return parts.compare(op, value);
        }
        self.values.iter().any(|slot| match slot {
            Some(v) if !v.is_null() => compare_one(self.def, v, op, value),
            // A missing value is "not equal" to anything.
            _ => op == CompareOp::Ne,
        })
    }
}

fn ordering_matches(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// One present attribute value against the filter's value.
fn compare_one(def: &AttributeDef, actual: &Value, op: CompareOp, expected: &CompValue) -> bool {
    match (def.ty, actual, expected) {
        (AttrType::String | AttrType::Reference, Value::String(a), CompValue::String(e)) => {
            if def.case_exact {
                compare_text(a, e, op)
            } else {
                compare_text(&a.to_lowercase(), &e.to_lowercase(), op)
            }
        }
        (AttrType::Binary, Value::String(a), CompValue::String(e)) => match op {
            CompareOp::Eq => a == e,
            CompareOp::Ne => a != e,
            _ => false,
        },
        (AttrType::Boolean, Value::Bool(a), CompValue::Bool(e)) => match op {
            CompareOp::Eq => a == e,
            CompareOp::Ne => a != e,
            _ => false,
        },
        (AttrType::Integer | AttrType::Decimal, Value::Number(a), CompValue::Number(e)) => {
            compare_numbers(a, e).is_some_and(|o| ordering_matches(op, o))
        }
        (AttrType::DateTime, Value::String(a), CompValue::String(e)) => {
            match (datetime::parse(a), datetime::parse(e)) {
                (Some(a), Some(e)) => ordering_matches(op, a.cmp(&e)),
                _ => false,
            }
        }
        // A comparison the attribute's type does not support (or a value of
        // the wrong type) matches nothing, `ne` included.
        _ => false,
    }
}

fn compare_text(actual: &str, expected: &str, op: CompareOp) -> bool {
    match op {
        CompareOp::Co => actual.contains(expected),
        CompareOp::Sw => actual.starts_with(expected),
        CompareOp::Ew => actual.ends_with(expected),
        _ => ordering_matches(op, actual.cmp(expected)),
    }
}
