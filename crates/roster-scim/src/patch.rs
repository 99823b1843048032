//! Applying PATCH operations (RFC 7644 §3.5.2) and turning POST/PUT bodies
//! into the canonical stored form (§3.3, §3.5.1).
//!
//! A stored resource is a JSON object: core and common attributes at the top
//! level under the schema's canonical names, each extension's attributes in
//! an object under the extension URN, and `schemas` listing the core URN and
//! the extensions present.

use serde_json::{Map, Value};

use crate::filter::{
    matches_element, parse_attr_path, parse_patch_path, AttrPath, CompValue, CompareOp, Filter,
};
use crate::messages::{PatchOpKind, PatchOperation, ScimType};
use crate::schema::{AttrType, AttributeDef, Mutability, ResourceSchema, Returned, SchemaDef};

/// Why a PATCH, POST or PUT body was refused, with the `scimType` the
/// server returns and a detail a person understands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{detail}")]
pub struct PatchError {
    pub scim_type: ScimType,
    pub detail: String,
}

impl PatchError {
    pub fn new(scim_type: ScimType, detail: impl Into<String>) -> Self {
        PatchError {
            scim_type,
            detail: detail.into(),
        }
    }
}

fn invalid_value(detail: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::InvalidValue, detail)
}

fn invalid_path(detail: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::InvalidPath, detail)
}

fn invalid_syntax(detail: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::InvalidSyntax, detail)
}

fn mutability(detail: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::Mutability, detail)
}

fn no_target(detail: impl Into<String>) -> PatchError {
    PatchError::new(ScimType::NoTarget, detail)
}

// ---------------------------------------------------------------------------
// Case-insensitive access to JSON objects.

fn get_ci<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Removes every key spelled like `name` in any case; returns the value of
/// the exactly spelled one if there is one, else of the first.
fn remove_ci(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let exact = map.remove(name);
    let others: Vec<String> = map
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .collect();
    let mut first = None;
    for key in others {
        let value = map.remove(&key);
        if first.is_none() {
            first = value;
        }
    }
    exact.or(first)
}

fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

// ---------------------------------------------------------------------------
// Value checking.

fn describe_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn expected_kind(ty: AttrType) -> &'static str {
    match ty {
        AttrType::String | AttrType::Binary | AttrType::Reference => "a string",
        AttrType::Boolean => "true or false",
        AttrType::Integer => "a whole number",
        AttrType::Decimal => "a number",
        AttrType::DateTime => "a date and time such as \"2024-05-01T12:00:00Z\"",
        AttrType::Complex => "an object of sub-attributes",
    }
}

fn wrong_type(label: &str, ty: AttrType, value: &Value) -> PatchError {
    invalid_value(format!(
        "The value of '{label}' must be {}, not {}.",
        expected_kind(ty),
        describe_kind(value)
    ))
}

/// Checks `value` against `def` and returns it in canonical form (sub-
/// attribute names as the schema spells them, a single value for a
/// multi-valued attribute wrapped in a list), or `None` when it means "no
/// value": null, an empty list, an object with nothing in it
/// (RFC 7643 §2.5). Read-only sub-attributes are dropped, as a POST ignores
/// read-only attributes.
fn coerce(def: &AttributeDef, value: &Value, label: &str) -> Result<Option<Value>, PatchError> {
    if value.is_null() {
        return Ok(None);
    }
    if !def.multi_valued {
        return coerce_one(def, value, label);
    }
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_array() {
            return Err(invalid_value(format!(
                "Each value of '{label}' must be {}, not a list.",
                expected_kind(def.ty)
            )));
        }
        if let Some(item) = coerce_one(def, item, label)? {
            out.push(item);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// Checks one value (one element, for a multi-valued attribute).
fn coerce_one(def: &AttributeDef, value: &Value, label: &str) -> Result<Option<Value>, PatchError> {
    let ok = |v: Value| Ok(Some(v));
    match (def.ty, value) {
        (_, Value::Null) => Ok(None),
        (_, Value::Array(_)) => Err(invalid_value(format!(
            "'{label}' takes a single value, not a list."
        ))),
        (AttrType::String | AttrType::Binary | AttrType::Reference, Value::String(_)) => {
            ok(value.clone())
        }
        (AttrType::Boolean, Value::Bool(_)) => ok(value.clone()),
        // Azure AD sends booleans as "True"/"False" in PATCH; they are
        // stored as real booleans.
        (AttrType::Boolean, Value::String(text)) if text.eq_ignore_ascii_case("true") => {
            ok(Value::Bool(true))
        }
        (AttrType::Boolean, Value::String(text)) if text.eq_ignore_ascii_case("false") => {
            ok(Value::Bool(false))
        }
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => ok(value.clone()),
        (AttrType::Decimal, Value::Number(_)) => ok(value.clone()),
        (AttrType::DateTime, Value::String(text)) => {
            if is_date_time(text) {
                ok(value.clone())
            } else {
                Err(invalid_value(format!(
                    "The value of '{label}' must be a date and time such as \"2024-05-01T12:00:00Z\" (RFC 3339), not \"{text}\"."
                )))
            }
        }
        (AttrType::Complex, Value::Object(object)) => coerce_complex(def, object, label),
        _ => Err(wrong_type(label, def.ty, value)),
    }
}

fn coerce_complex(
    def: &AttributeDef,
    object: &Map<String, Value>,
    label: &str,
) -> Result<Option<Value>, PatchError> {
    let mut out = Map::new();
    for (key, value) in object {
        let Some(sub) = def.sub(key.trim()) else {
            return Err(invalid_value(format!(
                "'{label}' has no sub-attribute '{key}'."
            )));
        };
        if sub.mutability == Mutability::ReadOnly {
            continue;
        }
        let sub_label = format!("{label}.{}", sub.name);
        if out.contains_key(&sub.name) {
            return Err(invalid_value(format!(
                "'{sub_label}' is given more than once."
            )));
        }
        if let Some(value) = coerce(sub, value, &sub_label)? {
            out.insert(sub.name.clone(), value);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

fn digits(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = text.get(range)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// True for an RFC 3339 date-time: `2024-05-01T12:00:00Z`,
/// `2024-05-01T12:00:00.123+02:00`. A time zone is required, so stored
/// times compare correctly.
pub fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return false;
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(text, 0..4),
        digits(text, 5..7),
        digits(text, 8..10),
        digits(text, 11..13),
        digits(text, 14..16),
        digits(text, 17..19),
    ) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            matches!((digits(rest, 1..3), digits(rest, 4..6)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

/// Equality of two values of `def` (one element each, for a multi-valued
/// attribute); strings of a case-insensitive attribute compare ignoring case.
fn same_simple(def: &AttributeDef, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !def.case_exact => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

fn sub_value<'v>(element: &'v Value, sub: &str) -> Option<&'v Value> {
    present(element.as_object().and_then(|o| get_ci(o, sub)))
}

/// Whether `incoming` is a value `existing` already holds: for complex
/// elements, the same `value` (and `type`, where both have one); otherwise
/// plain equality.
fn same_element(def: &AttributeDef, existing: &Value, incoming: &Value) -> bool {
    if def.ty != AttrType::Complex {
        return same_simple(def, existing, incoming);
    }
    let value_def = def.sub("value");
    match (
        sub_value(existing, "value"),
        sub_value(incoming, "value"),
        value_def,
    ) {
        (Some(a), Some(b), Some(value_def)) => {
            let types_agree = match (sub_value(existing, "type"), sub_value(incoming, "type")) {
                (Some(x), Some(y)) => def.sub("type").is_some_and(|t| same_simple(t, x, y)),
                _ => true,
            };
            same_simple(value_def, a, b) && types_agree
        }
        _ => existing == incoming,
    }
}

/// Whether an element given in a `remove` operation's value selects
/// `existing`: every sub-attribute it gives matches.
fn selects_element(def: &AttributeDef, existing: &Value, given: &Value) -> bool {
    match (existing, given) {
        (Value::Object(existing), Value::Object(given)) => given.iter().all(|(key, value)| {
            let Some(sub) = def.sub(key) else {
                return false;
            };
            present(get_ci(existing, key)).is_some_and(|e| same_simple(sub, e, value))
        }),
        _ => same_simple(def, existing, given),
    }
}

// ---------------------------------------------------------------------------
// Where attributes live.

/// An attribute and the object that holds it: the resource itself for core
/// and common attributes, the extension's object for extension attributes.
#[derive(Clone, Copy)]
struct Slot<'s> {
    ext: Option<&'s SchemaDef>,
    attr: &'s AttributeDef,
}

fn read_slot(resource: &Map<String, Value>, slot: Slot<'_>) -> Option<Value> {
    let container = match slot.ext {
        None => resource,
        Some(ext) => get_ci(resource, &ext.id)?.as_object()?,
    };
    present(get_ci(container, &slot.attr.name)).cloned()
}

fn ensure_schema_urn(resource: &mut Map<String, Value>, core: &str, urn: &str) {
    let schemas = resource
        .entry("schemas")
        .or_insert_with(|| Value::Array(vec![Value::String(core.to_owned())]));
    if !schemas.is_array() {
        *schemas = Value::Array(vec![Value::String(core.to_owned())]);
    }
    if let Value::Array(list) = schemas {
        let listed = list
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
        if !listed {
            list.push(Value::String(urn.to_owned()));
        }
    }
}

fn drop_schema_urn(resource: &mut Map<String, Value>, urn: &str) {
    if let Some(Value::Array(list)) = resource.get_mut("schemas") {
        list.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
    }
}

/// Stores `value` (or removes the attribute, for `None`) under the schema's
/// spelling, replacing any differently-cased key; keeps the extension object
/// and `schemas` in step.
fn write_slot(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    slot: Slot<'_>,
    value: Option<Value>,
) {
    let name = &slot.attr.name;
    match slot.ext {
        None => {
            remove_ci(resource, name);
            if let Some(value) = value {
                resource.insert(name.clone(), value);
            }
        }
        Some(ext) => {
            let mut container = match remove_ci(resource, &ext.id) {
                Some(Value::Object(container)) => container,
                _ => Map::new(),
            };
            remove_ci(&mut container, name);
            if let Some(value) = value {
                container.insert(name.clone(), value);
            }
            if container.is_empty() {
                drop_schema_urn(resource, &ext.id);
            } else {
                resource.insert(ext.id.clone(), Value::Object(container));
                ensure_schema_urn(resource, &schema.core.id, &ext.id);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// PATCH.

/// What a PATCH path names.
enum Target<'s> {
    /// A whole extension, named by its bare URN.
    Extension(&'s SchemaDef),
    Attribute(AttrTarget<'s>),
}

struct AttrTarget<'s> {
    slot: Slot<'s>,
    /// `name.givenName`, or the sub-attribute after a filter.
    sub: Option<&'s AttributeDef>,
    filter: Option<Filter>,
    /// The path as the client wrote it, for messages.
    path: String,
}

impl AttrTarget<'_> {
    fn label(&self) -> String {
        match self.sub {
            Some(sub) => format!("{}.{}", self.slot.attr.name, sub.name),
            None => self.slot.attr.name.clone(),
        }
    }
}

fn unknown_attribute(schema: &ResourceSchema, name: &str) -> PatchError {
    invalid_path(format!(
        "The attribute '{name}' does not exist on {}.",
        schema.core.name
    ))
}

fn slot_for<'s>(
    schema: &'s ResourceSchema,
    path: &AttrPath,
) -> Option<(Slot<'s>, Option<&'s AttributeDef>)> {
    let resolved = schema.resolve(path)?;
    let ext = if resolved.in_extension {
        Some(schema.extension(resolved.schema)?)
    } else {
        None
    };
    Some((
        Slot {
            ext,
            attr: resolved.attr,
        },
        resolved.sub_attr,
    ))
}

fn parse_target<'s>(schema: &'s ResourceSchema, path: &str) -> Result<Target<'s>, PatchError> {
    let trimmed = path.trim();
    if let Some(ext) = schema.extension(trimmed) {
        return Ok(Target::Extension(ext));
    }
    let parsed = parse_patch_path(trimmed)
        .map_err(|e| invalid_path(format!("The path '{path}' is not valid: {e}.")))?;
    let (slot, sub) =
        slot_for(schema, &parsed.attr).ok_or_else(|| unknown_attribute(schema, trimmed))?;
    let sub = match &parsed.sub_attr {
        Some(name) => Some(
            slot.attr
                .sub(name)
                .ok_or_else(|| unknown_attribute(schema, trimmed))?,
        ),
        None => sub,
    };
    if parsed.value_filter.is_some() && !slot.attr.multi_valued {
        return Err(invalid_path(format!(
            "The path '{path}' is not valid: '{}' has a single value, so no filter can select among its values.",
            slot.attr.name
        )));
    }
    Ok(Target::Attribute(AttrTarget {
        slot,
        sub,
        filter: parsed.value_filter,
        path: trimmed.to_owned(),
    }))
}

fn read_only_error(label: &str) -> PatchError {
    mutability(format!("'{label}' is read-only and cannot be changed."))
}

fn immutable_error(label: &str) -> PatchError {
    mutability(format!(
        "'{label}' is immutable: it already has a value, which cannot be changed."
    ))
}

fn check_writable(target: &AttrTarget<'_>) -> Result<(), PatchError> {
    if target.slot.attr.mutability == Mutability::ReadOnly {
        return Err(read_only_error(&target.slot.attr.name));
    }
    if target
        .sub
        .is_some_and(|sub| sub.mutability == Mutability::ReadOnly)
    {
        return Err(read_only_error(&target.label()));
    }
    Ok(())
}

fn check_sub_change(
    attr: &AttributeDef,
    sub: &AttributeDef,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Result<(), PatchError> {
    let old = present(old);
    if sub.mutability == Mutability::Immutable && old.is_some() && old != present(new) {
        return Err(immutable_error(&format!("{}.{}", attr.name, sub.name)));
    }
    Ok(())
}

/// Merges the (checked) sub-attributes of `incoming` into `element`.
fn merge_into(
    attr: &AttributeDef,
    element: &mut Map<String, Value>,
    incoming: &Map<String, Value>,
) -> Result<(), PatchError> {
    for (key, value) in incoming {
        let Some(sub) = attr.sub(key) else {
            continue;
        };
        check_sub_change(attr, sub, get_ci(element, key), Some(value))?;
        remove_ci(element, key);
        element.insert(sub.name.clone(), value.clone());
    }
    Ok(())
}

/// Sets (`Some`) or clears (`None`) one sub-attribute of `element`.
fn set_sub(
    attr: &AttributeDef,
    sub: &AttributeDef,
    element: &mut Map<String, Value>,
    value: Option<Value>,
) -> Result<(), PatchError> {
    check_sub_change(attr, sub, get_ci(element, &sub.name), value.as_ref())?;
    remove_ci(element, &sub.name);
    if let Some(value) = value {
        element.insert(sub.name.clone(), value);
    }
    Ok(())
}

fn as_items(value: Option<Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(single) => vec![single],
    }
}

fn from_items(items: Vec<Value>) -> Option<Value> {
    (!items.is_empty()).then_some(Value::Array(items))
}

fn element_object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

fn is_empty_element(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.values().all(Value::is_null),
        _ => false,
    }
}

/// After the elements at `written` were set, makes sure at most one element
/// is primary: a newly primary element takes primary from the others.
fn settle_primary(
    attr: &AttributeDef,
    items: &mut [Value],
    written: &[usize],
) -> Result<(), PatchError> {
    let Some(primary) = attr.sub("primary") else {
        return Ok(());
    };
    let is_primary = |v: &Value| {
        v.as_object()
            .and_then(|o| get_ci(o, &primary.name))
            .is_some_and(|p| p == &Value::Bool(true))
    };
    let mut chosen: Vec<usize> = written
        .iter()
        .copied()
        .filter(|&i| is_primary(&items[i]))
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    match chosen.as_slice() {
        [] => Ok(()),
        [keep] => {
            for (i, item) in items.iter_mut().enumerate() {
                if i != *keep && is_primary(item) {
                    let object = element_object(item);
                    remove_ci(object, &primary.name);
                    object.insert(primary.name.clone(), Value::Bool(false));
                }
            }
            Ok(())
        }
        _ => Err(invalid_value(format!(
            "Only one value of '{}' can be primary.",
            attr.name
        ))),
    }
}

/// An element that a filter such as `type eq "work"` (or several joined by
/// `and`) describes, so that `add` can create the value it selects.
fn element_from_filter(attr: &AttributeDef, filter: &Filter) -> Option<Value> {
    fn literal(value: &CompValue) -> Value {
        match value {
            CompValue::Null => Value::Null,
            CompValue::Bool(b) => Value::Bool(*b),
            CompValue::Number(n) => Value::Number(n.clone()),
            CompValue::String(s) => Value::String(s.clone()),
        }
    }
    fn collect(attr: &AttributeDef, filter: &Filter, out: &mut Map<String, Value>) -> Option<()> {
        match filter {
            Filter::And(left, right) => {
                collect(attr, left, out)?;
                collect(attr, right, out)
            }
            Filter::Compare(path, CompareOp::Eq, value) if path.sub_attr.is_none() => {
                let sub = attr.sub(&path.attr)?;
                let value = coerce(sub, &literal(value), &sub.name).ok()??;
                out.insert(sub.name.clone(), value);
                Some(())
            }
            _ => None,
        }
    }
    if attr.ty != AttrType::Complex {
        return match filter {
            Filter::Compare(path, CompareOp::Eq, value)
                if path.attr.eq_ignore_ascii_case("value") =>
            {
                coerce_one(attr, &literal(value), &attr.name).ok()?
            }
            _ => None,
        };
    }
    let mut element = Map::new();
    collect(attr, filter, &mut element)?;
    Some(Value::Object(element))
}

fn no_match(target: &AttrTarget<'_>) -> PatchError {
    no_target(format!(
        "No value of '{}' matches the path '{}'.",
        target.slot.attr.name, target.path
    ))
}

/// Checks the change of one attribute and stores it.
fn commit(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    target: &AttrTarget<'_>,
    old: Option<Value>,
    new: Option<Value>,
) -> Result<(), PatchError> {
    let attr = target.slot.attr;
    if old != new {
        if new.is_none() && attr.required {
            return Err(invalid_value(format!(
                "'{}' is required and cannot be removed.",
                attr.name
            )));
        }
        if attr.mutability == Mutability::Immutable && old.is_some() {
            return Err(immutable_error(&attr.name));
        }
    }
    if old.is_some() || new.is_some() {
        write_slot(schema, resource, target.slot, new);
    }
    Ok(())
}

fn required_value(op: &PatchOperation) -> Result<&Value, PatchError> {
    op.value.as_ref().ok_or_else(|| {
        let place = match &op.path {
            Some(path) => format!("'{path}'"),
            None => "the resource".to_owned(),
        };
        invalid_syntax(format!("The {} operation on {place} needs a value.", op.op))
    })
}

/// Applies `ops` in order to `resource`, all or nothing: on an error the
/// resource is left as it was.
pub fn apply_patch(
    resource: &mut Value,
    ops: &[PatchOperation],
    schema: &ResourceSchema,
) -> Result<(), PatchError> {
    let mut work = resource.clone();
    let Value::Object(object) = &mut work else {
        return Err(invalid_syntax(
            "The resource to patch is not a JSON object.",
        ));
    };
    for op in ops {
        apply_operation(schema, object, op)?;
    }
    *resource = work;
    Ok(())
}

fn apply_operation(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    op: &PatchOperation,
) -> Result<(), PatchError> {
    let path = op.path.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let Some(path) = path else {
        if op.op == PatchOpKind::Remove {
            return Err(no_target(
                "A remove operation needs a path that says what to remove.",
            ));
        }
        return match required_value(op)? {
            Value::Null => Ok(()),
            Value::Object(attributes) => {
                for (key, value) in attributes {
                    apply_key(schema, resource, op.op, key, value)?;
                }
                Ok(())
            }
            other => Err(invalid_syntax(format!(
                "Without a path, the value of an {} operation must be an object of attributes, not {}.",
                op.op,
                describe_kind(other)
            ))),
        };
    };
    match parse_target(schema, path)? {
        Target::Extension(ext) => apply_extension(schema, resource, op.op, ext, op.value.as_ref()),
        Target::Attribute(target) => match op.op {
            PatchOpKind::Add => add(schema, resource, &target, required_value(op)?),
            PatchOpKind::Replace => replace(schema, resource, &target, required_value(op)?),
            PatchOpKind::Remove => remove(schema, resource, &target, op.value.as_ref()),
        },
    }
}

fn check_schemas_known(schema: &ResourceSchema, value: &Value) -> Result<(), PatchError> {
    for urn in as_items(Some(value.clone())) {
        let known = urn.as_str().is_some_and(|urn| {
            urn.eq_ignore_ascii_case(&schema.core.id) || schema.extension(urn).is_some()
        });
        if !known {
            let shown = urn.as_str().map_or_else(|| urn.to_string(), str::to_owned);
            return Err(invalid_value(format!(
                "The schema '{shown}' is not one that {} supports.",
                schema.core.name
            )));
        }
    }
    Ok(())
}

/// One member of a path-less `add`/`replace` value: an attribute name,
/// maybe URN-qualified or with a sub-attribute, or an extension URN.
fn apply_key(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    kind: PatchOpKind,
    key: &str,
    value: &Value,
) -> Result<(), PatchError> {
    let name = key.trim();
    if name.eq_ignore_ascii_case("schemas") {
        // Extension URNs are added to `schemas` as their attributes are
        // written; an explicit list is only checked.
        return check_schemas_known(schema, value);
    }
    if let Some(ext) = schema.extension(name) {
        return apply_extension(schema, resource, kind, ext, Some(value));
    }
    if name.eq_ignore_ascii_case(&schema.core.id) {
        return match value {
            Value::Null => Ok(()),
            Value::Object(attributes) => attributes
                .iter()
                .try_for_each(|(k, v)| apply_key(schema, resource, kind, k, v)),
            other => Err(invalid_value(format!(
                "The value of '{name}' must be an object of attributes, not {}.",
                describe_kind(other)
            ))),
        };
    }
    let parsed = parse_attr_path(name).map_err(|_| unknown_attribute(schema, name))?;
    let (slot, sub) = slot_for(schema, &parsed).ok_or_else(|| unknown_attribute(schema, name))?;
    let target = AttrTarget {
        slot,
        sub,
        filter: None,
        path: name.to_owned(),
    };
    match kind {
        PatchOpKind::Add => add(schema, resource, &target, value),
        PatchOpKind::Replace => replace(schema, resource, &target, value),
        PatchOpKind::Remove => remove(schema, resource, &target, None),
    }
}

/// `add`/`replace`/`remove` with a bare extension URN as the path (or an
/// extension URN key in a path-less value): the extension's attributes.
fn apply_extension(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    kind: PatchOpKind,
    ext: &SchemaDef,
    value: Option<&Value>,
) -> Result<(), PatchError> {
    if kind == PatchOpKind::Remove {
        return remove_extension(schema, resource, ext);
    }
    let Some(value) = value else {
        return Err(invalid_syntax(format!(
            "The {kind} operation on '{}' needs a value.",
            ext.id
        )));
    };
    let attributes = match value {
        Value::Null if kind == PatchOpKind::Replace => {
            return remove_extension(schema, resource, ext)
        }
        Value::Null => return Ok(()),
        Value::Object(attributes) => attributes,
        other => {
            return Err(invalid_value(format!(
                "The value of '{}' must be an object of its attributes, not {}.",
                ext.id,
                describe_kind(other)
            )))
        }
    };
    for (key, value) in attributes {
        // Some clients serialise the extension as a resource of its own,
        // with a `schemas` list naming it: that list is not an attribute.
        if key.eq_ignore_ascii_case("schemas") {
            check_schemas_known(schema, value)?;
            continue;
        }
        let unknown = || {
            invalid_path(format!(
                "The attribute '{key}' does not exist in {}.",
                ext.id
            ))
        };
        let parsed = parse_attr_path(key.trim()).map_err(|_| unknown())?;
        if parsed
            .urn
            .as_deref()
            .is_some_and(|urn| !urn.eq_ignore_ascii_case(&ext.id))
        {
            return Err(unknown());
        }
        let attr = ext.attribute(&parsed.attr).ok_or_else(unknown)?;
        let sub = match &parsed.sub_attr {
            Some(name) => Some(attr.sub(name).ok_or_else(unknown)?),
            None => None,
        };
        let target = AttrTarget {
            slot: Slot {
                ext: Some(ext),
                attr,
            },
            sub,
            filter: None,
            path: format!("{}:{}", ext.id, key.trim()),
        };
        match kind {
            PatchOpKind::Add => add(schema, resource, &target, value)?,
            _ => replace(schema, resource, &target, value)?,
        }
    }
    Ok(())
}

/// Removes every attribute of the extension that a client may change;
/// read-only ones, which the server manages, stay.
fn remove_extension(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    ext: &SchemaDef,
) -> Result<(), PatchError> {
    for attr in &ext.attributes {
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        let target = AttrTarget {
            slot: Slot {
                ext: Some(ext),
                attr,
            },
            sub: None,
            filter: None,
            path: format!("{}:{}", ext.id, attr.name),
        };
        remove(schema, resource, &target, None)?;
    }
    Ok(())
}

/// Appends `incoming` (already checked) to a multi-valued attribute; a value
/// already held is updated in place rather than added twice.
fn append(attr: &AttributeDef, old: Option<Value>, incoming: Value) -> Result<Value, PatchError> {
    let mut items = as_items(old);
    let mut written = Vec::new();
    for item in as_items(Some(incoming)) {
        match items.iter().position(|e| same_element(attr, e, &item)) {
            Some(i) => {
                if let Value::Object(incoming) = &item {
                    merge_into(attr, element_object(&mut items[i]), incoming)?;
                }
                written.push(i);
            }
            None => {
                items.push(item);
                written.push(items.len() - 1);
            }
        }
    }
    settle_primary(attr, &mut items, &written)?;
    Ok(Value::Array(items))
}

/// Sets one sub-attribute on every element of a multi-valued attribute
/// (creating one element when there is none).
fn set_sub_everywhere(
    attr: &AttributeDef,
    sub: &AttributeDef,
    old: Option<Value>,
    value: Value,
) -> Result<Value, PatchError> {
    let mut items = as_items(old);
    if items.is_empty() {
        items.push(Value::Object(Map::new()));
    }
    for item in &mut items {
        set_sub(attr, sub, element_object(item), Some(value.clone()))?;
    }
    let written: Vec<usize> = (0..items.len()).collect();
    settle_primary(attr, &mut items, &written)?;
    Ok(Value::Array(items))
}

fn merge_single(
    attr: &AttributeDef,
    old: Option<Value>,
    incoming: &Value,
) -> Result<Value, PatchError> {
    let mut merged = match old {
        Some(Value::Object(object)) => Value::Object(object),
        _ => Value::Object(Map::new()),
    };
    if let Value::Object(incoming) = incoming {
        merge_into(attr, element_object(&mut merged), incoming)?;
    }
    Ok(merged)
}

fn matching_indices(attr: &AttributeDef, filter: &Filter, items: &[Value]) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| matches_element(filter, item, attr))
        .map(|(i, _)| i)
        .collect()
}

/// `add` or `replace` through a value filter, as in
/// `emails[type eq "work"].value`.
fn update_matching(
    target: &AttrTarget<'_>,
    filter: &Filter,
    old: Option<Value>,
    value: &Value,
    kind: PatchOpKind,
) -> Result<Option<Value>, PatchError> {
    let attr = target.slot.attr;
    let label = target.label();
    let mut items = as_items(old);
    let mut written = matching_indices(attr, filter, &items);
    if written.is_empty() {
        if kind != PatchOpKind::Add {
            return Err(no_match(target));
        }
        // Azure AD adds `emails[type eq "work"].value` to a user without a
        // work e-mail: create the element the filter describes.
        let Some(seed) = element_from_filter(attr, filter) else {
            return Err(no_match(target));
        };
        items.push(seed);
        written.push(items.len() - 1);
    }
    for &i in &written {
        match target.sub {
            Some(sub) => {
                let incoming = coerce(sub, value, &label)?;
                if incoming.is_none() && kind == PatchOpKind::Add {
                    continue;
                }
                set_sub(attr, sub, element_object(&mut items[i]), incoming)?;
            }
            None => {
                let Some(incoming) = coerce_one(attr, value, &label)? else {
                    continue;
                };
                match (&mut items[i], &incoming) {
                    (Value::Object(element), Value::Object(given)) if kind == PatchOpKind::Add => {
                        merge_into(attr, element, given)?;
                    }
                    (existing, _) => {
                        if let (Value::Object(old), Value::Object(new)) = (&*existing, &incoming) {
                            for sub in &attr.sub_attributes {
                                check_sub_change(
                                    attr,
                                    sub,
                                    get_ci(old, &sub.name),
                                    new.get(&sub.name),
                                )?;
                            }
                        }
                        *existing = incoming;
                    }
                }
            }
        }
    }
    settle_primary(attr, &mut items, &written)?;
    items.retain(|item| !is_empty_element(item));
    Ok(from_items(dedupe(attr, items)))
}

/// Every element was written by the request (a whole new list): at most one
/// may be primary.
fn check_new_list_primary(attr: &AttributeDef, items: &mut [Value]) -> Result<(), PatchError> {
    let all: Vec<usize> = (0..items.len()).collect();
    settle_primary(attr, items, &all)
}

/// Drops later elements equal to earlier ones.
fn dedupe(attr: &AttributeDef, items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out
            .iter()
            .any(|e| e == &item || (attr.ty != AttrType::Complex && same_simple(attr, e, &item)))
        {
            out.push(item);
        }
    }
    out
}

fn add(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    target: &AttrTarget<'_>,
    value: &Value,
) -> Result<(), PatchError> {
    check_writable(target)?;
    let attr = target.slot.attr;
    let label = target.label();
    let old = read_slot(resource, target.slot);
    let new = match (&target.filter, target.sub) {
        (Some(filter), _) => update_matching(target, filter, old.clone(), value, PatchOpKind::Add)?,
        (None, None) => {
            // Adding no value changes nothing (RFC 7643 §2.5).
            let Some(incoming) = coerce(attr, value, &label)? else {
                return Ok(());
            };
            Some(if attr.multi_valued {
                append(attr, old.clone(), incoming)?
            } else if attr.ty == AttrType::Complex {
                merge_single(attr, old.clone(), &incoming)?
            } else {
                incoming
            })
        }
        (None, Some(sub)) => {
            let Some(incoming) = coerce(sub, value, &label)? else {
                return Ok(());
            };
            Some(if attr.multi_valued {
                set_sub_everywhere(attr, sub, old.clone(), incoming)?
            } else {
                let mut object = match old.clone() {
                    Some(Value::Object(object)) => object,
                    _ => Map::new(),
                };
                set_sub(attr, sub, &mut object, Some(incoming))?;
                Value::Object(object)
            })
        }
    };
    commit(schema, resource, target, old, new)
}

fn replace(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    target: &AttrTarget<'_>,
    value: &Value,
) -> Result<(), PatchError> {
    check_writable(target)?;
    let attr = target.slot.attr;
    let label = target.label();
    let old = read_slot(resource, target.slot);
    let new = match (&target.filter, target.sub) {
        (Some(filter), _) => {
            if value.is_null() {
                return remove(schema, resource, target, None);
            }
            update_matching(target, filter, old.clone(), value, PatchOpKind::Replace)?
        }
        (None, None) => {
            // Replacing with no value leaves the attribute unassigned.
            let Some(incoming) = coerce(attr, value, &label)? else {
                return remove(schema, resource, target, None);
            };
            Some(if attr.multi_valued {
                let mut items = as_items(Some(incoming));
                check_new_list_primary(attr, &mut items)?;
                Value::Array(dedupe(attr, items))
            } else if attr.ty == AttrType::Complex {
                // RFC 7644 §3.5.2.3: sub-attributes not given are kept.
                merge_single(attr, old.clone(), &incoming)?
            } else {
                incoming
            })
        }
        (None, Some(sub)) => {
            let Some(incoming) = coerce(sub, value, &label)? else {
                return remove(schema, resource, target, None);
            };
            Some(if attr.multi_valued {
                set_sub_everywhere(attr, sub, old.clone(), incoming)?
            } else {
                let mut object = match old.clone() {
                    Some(Value::Object(object)) => object,
                    _ => Map::new(),
                };
                set_sub(attr, sub, &mut object, Some(incoming))?;
                Value::Object(object)
            })
        }
    };
    commit(schema, resource, target, old, new)
}

fn remove(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    target: &AttrTarget<'_>,
    value: Option<&Value>,
) -> Result<(), PatchError> {
    check_writable(target)?;
    let attr = target.slot.attr;
    let label = target.label();
    if let Some(sub) = target.sub {
        if sub.required {
            return Err(invalid_value(format!(
                "'{label}' is required and cannot be removed."
            )));
        }
    }
    let old = read_slot(resource, target.slot);
    let new = match (&target.filter, target.sub) {
        (None, None) => match present(value) {
            // Azure AD removes group members by listing them in the value
            // of a `remove` on `members`.
            Some(given) if attr.multi_valued => {
                let given = as_items(coerce(attr, given, &label)?);
                let mut items = as_items(old.clone());
                items.retain(|item| !given.iter().any(|g| selects_element(attr, item, g)));
                from_items(items)
            }
            _ => None,
        },
        (None, Some(sub)) => {
            if attr.multi_valued {
                let mut items = as_items(old.clone());
                for item in &mut items {
                    if let Value::Object(element) = item {
                        set_sub(attr, sub, element, None)?;
                    }
                }
                items.retain(|item| !is_empty_element(item));
                from_items(items)
            } else {
                match old.clone() {
                    Some(Value::Object(mut object)) => {
                        set_sub(attr, sub, &mut object, None)?;
                        (!object.is_empty()).then_some(Value::Object(object))
                    }
                    other => other,
                }
            }
        }
        (Some(filter), sub) => {
            let mut items = as_items(old.clone());
            let matched = matching_indices(attr, filter, &items);
            if matched.is_empty() {
                return Err(no_match(target));
            }
            match sub {
                None => {
                    let mut index = 0;
                    items.retain(|_| {
                        let keep = !matched.contains(&index);
                        index += 1;
                        keep
                    });
                }
                Some(sub) => {
                    for &i in &matched {
                        set_sub(attr, sub, element_object(&mut items[i]), None)?;
                    }
                    items.retain(|item| !is_empty_element(item));
                }
            }
            from_items(items)
        }
    };
    commit(schema, resource, target, old, new)
}

// ---------------------------------------------------------------------------
// POST and PUT bodies.

/// Whether a body creates a resource (POST) or replaces one (PUT). Both are
/// checked alike; a PUT then goes through [`carry_over_on_replace`] with the
/// stored resource, which alone can tell what may not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Create,
    Replace,
}

/// Where a key of the body is read.
#[derive(Clone, Copy)]
enum Scope<'s> {
    Top,
    /// Inside an object under the core URN: names resolve in the core schema.
    Core,
    Extension(&'s SchemaDef),
}

struct Normalizer<'s> {
    schema: &'s ResourceSchema,
    out: Map<String, Value>,
    unknown: Vec<String>,
}

impl<'s> Normalizer<'s> {
    fn key(&mut self, scope: Scope<'s>, key: &str, value: &Value) -> Result<(), PatchError> {
        let schema = self.schema;
        let name = key.trim();
        // Some clients serialise an extension as an object of its own with a
        // `schemas` list naming it; that list is not an attribute.
        if matches!(scope, Scope::Extension(_)) && name.eq_ignore_ascii_case("schemas") {
            return check_schemas_known(schema, value);
        }
        if let Scope::Top = scope {
            if name.eq_ignore_ascii_case("schemas") {
                return check_schemas_known(schema, value);
            }
            let nested = if let Some(ext) = schema.extension(name) {
                Some((Scope::Extension(ext), ext.id.as_str()))
            } else if name.eq_ignore_ascii_case(&schema.core.id) {
                Some((Scope::Core, schema.core.id.as_str()))
            } else {
                None
            };
            if let Some((inner, urn)) = nested {
                return match value {
                    Value::Null => Ok(()),
                    Value::Object(attributes) => attributes
                        .iter()
                        .try_for_each(|(k, v)| self.key(inner, k, v)),
                    other => Err(invalid_value(format!(
                        "The value of '{urn}' must be an object of its attributes, not {}.",
                        describe_kind(other)
                    ))),
                };
            }
        }
        let found = parse_attr_path(name).ok().and_then(|mut path| {
            match scope {
                Scope::Top => {}
                Scope::Core => {
                    path.urn.get_or_insert_with(|| schema.core.id.clone());
                }
                Scope::Extension(ext) => {
                    path.urn.get_or_insert_with(|| ext.id.clone());
                }
            }
            let in_scope = match scope {
                Scope::Top => true,
                Scope::Core => path
                    .urn
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(&schema.core.id)),
                Scope::Extension(ext) => path
                    .urn
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(&ext.id)),
            };
            if in_scope {
                slot_for(schema, &path)
            } else {
                None
            }
        });
        let Some((slot, sub)) = found else {
            self.unknown.push(match scope {
                Scope::Top => name.to_owned(),
                Scope::Core => format!("{}:{name}", schema.core.id),
                Scope::Extension(ext) => format!("{}:{name}", ext.id),
            });
            return Ok(());
        };
        self.place(slot, sub, value)
    }

    fn container(&mut self, slot: Slot<'_>) -> &mut Map<String, Value> {
        match slot.ext {
            None => &mut self.out,
            Some(ext) => element_object(
                self.out
                    .entry(ext.id.clone())
                    .or_insert_with(|| Value::Object(Map::new())),
            ),
        }
    }

    fn place(
        &mut self,
        slot: Slot<'_>,
        sub: Option<&AttributeDef>,
        value: &Value,
    ) -> Result<(), PatchError> {
        let attr = slot.attr;
        // RFC 7644 §3.3: read-only attributes in a request are ignored.
        if attr.mutability == Mutability::ReadOnly
            || sub.is_some_and(|s| s.mutability == Mutability::ReadOnly)
        {
            return Ok(());
        }
        match sub {
            None => {
                let Some(value) = coerce(attr, value, &attr.name)? else {
                    return Ok(());
                };
                let container = self.container(slot);
                match container.get_mut(&attr.name) {
                    None => {
                        container.insert(attr.name.clone(), value);
                    }
                    // `name` beside `name.givenName`: one object.
                    Some(Value::Object(existing)) if !attr.multi_valued => {
                        let Value::Object(given) = value else {
                            unreachable!("a complex value was checked to be an object")
                        };
                        for (key, v) in given {
                            if existing.contains_key(&key) {
                                return Err(invalid_value(format!(
                                    "'{}.{key}' is given more than once.",
                                    attr.name
                                )));
                            }
                            existing.insert(key, v);
                        }
                    }
                    Some(_) => {
                        return Err(invalid_value(format!(
                            "'{}' is given more than once.",
                            attr.name
                        )))
                    }
                }
            }
            Some(sub) => {
                let label = format!("{}.{}", attr.name, sub.name);
                if attr.multi_valued {
                    return Err(invalid_value(format!(
                        "'{label}' cannot be given on its own: give the list '{}'.",
                        attr.name
                    )));
                }
                let Some(value) = coerce(sub, value, &label)? else {
                    return Ok(());
                };
                let container = self.container(slot);
                let object = element_object(
                    container
                        .entry(attr.name.clone())
                        .or_insert_with(|| Value::Object(Map::new())),
                );
                if object.contains_key(&sub.name) {
                    return Err(invalid_value(format!("'{label}' is given more than once.")));
                }
                object.insert(sub.name.clone(), value);
            }
        }
        Ok(())
    }
}

fn check_required(
    attributes: &[AttributeDef],
    container: &Map<String, Value>,
    mode: WriteMode,
) -> Result<(), PatchError> {
    for attr in attributes {
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        let Some(value) = present(container.get(&attr.name)) else {
            if attr.required {
                return Err(invalid_value(match mode {
                    WriteMode::Create => format!("{} is required.", attr.name),
                    WriteMode::Replace => format!(
                        "{} is required: a replacement must give every required attribute.",
                        attr.name
                    ),
                }));
            }
            continue;
        };
        if attr.ty != AttrType::Complex {
            continue;
        }
        let elements = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for element in &elements {
            let Value::Object(element) = element else {
                continue;
            };
            for sub in &attr.sub_attributes {
                if sub.required
                    && sub.mutability != Mutability::ReadOnly
                    && present(element.get(&sub.name)).is_none()
                {
                    return Err(invalid_value(format!(
                        "{}.{} is required.",
                        attr.name, sub.name
                    )));
                }
            }
        }
        if attr.multi_valued {
            if let Some(primary) = attr.sub("primary") {
                let count = elements
                    .iter()
                    .filter(|e| e.get(&primary.name) == Some(&Value::Bool(true)))
                    .count();
                if count > 1 {
                    return Err(invalid_value(format!(
                        "Only one value of '{}' can be primary.",
                        attr.name
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Turns a client's POST/PUT body into the canonical stored form.
///
/// Attribute names take the schema's spelling, URN-qualified keys move to
/// where they belong, read-only attributes (`id`, `meta`, `groups` …) are
/// dropped as RFC 7644 §3.3 says, null values are dropped, a single value
/// for a multi-valued attribute is wrapped in a list, and `schemas` becomes
/// the core URN followed by the extensions present. Errors (`invalidValue`
/// unless said otherwise): an unknown attribute or schema, a value of the
/// wrong type, a missing required attribute, more than one primary value, a
/// body that is not an object (`invalidSyntax`).
pub fn normalize_resource(
    input: &Value,
    schema: &ResourceSchema,
    mode: WriteMode,
) -> Result<Value, PatchError> {
    let Value::Object(body) = input else {
        return Err(invalid_syntax(format!(
            "The body must be a JSON object of {} attributes, not {}.",
            schema.core.name,
            describe_kind(input)
        )));
    };
    let mut normalizer = Normalizer {
        schema,
        out: Map::new(),
        unknown: Vec::new(),
    };
    for (key, value) in body {
        normalizer.key(Scope::Top, key, value)?;
    }
    let Normalizer {
        mut out, unknown, ..
    } = normalizer;
    match unknown.as_slice() {
        [] => {}
        [one] => {
            return Err(invalid_value(format!(
                "The attribute '{one}' does not exist on {}.",
                schema.core.name
            )))
        }
        many => {
            let names: Vec<String> = many.iter().map(|n| format!("'{n}'")).collect();
            return Err(invalid_value(format!(
                "These attributes do not exist on {}: {}.",
                schema.core.name,
                names.join(", ")
            )));
        }
    }
    let mut common_and_core: Vec<AttributeDef> = crate::schema::common_attributes().to_vec();
    common_and_core.extend(schema.core.attributes.iter().cloned());
    check_required(&common_and_core, &out, mode)?;
    let mut schemas = vec![Value::String(schema.core.id.clone())];
    for ext in &schema.extensions {
        let Some(Value::Object(container)) = out.get(&ext.id) else {
            continue;
        };
        if container.is_empty() {
            out.remove(&ext.id);
            continue;
        }
        check_required(&ext.attributes, container, mode)?;
        schemas.push(Value::String(ext.id.clone()));
    }
    out.insert("schemas".to_owned(), Value::Array(schemas));
    Ok(Value::Object(out))
}

/// Completes a PUT: `replacement` (from [`normalize_resource`]) gets the
/// stored resource's read-only attributes (`id`, `meta`, server-managed
/// values) and the never-returned write-only ones the client cannot have
/// sent back (`password`) when it does not give them; an immutable attribute
/// that already has a value must come back unchanged (RFC 7644 §3.5.1), or
/// the PUT fails with `mutability`.
pub fn carry_over_on_replace(
    existing: &Value,
    replacement: &mut Value,
    schema: &ResourceSchema,
) -> Result<(), PatchError> {
    let (Value::Object(existing), Value::Object(out)) = (existing, replacement) else {
        return Err(invalid_syntax("A resource must be a JSON object."));
    };
    let mut slots: Vec<Slot<'_>> = crate::schema::common_attributes()
        .iter()
        .chain(&schema.core.attributes)
        .map(|attr| Slot { ext: None, attr })
        .collect();
    for ext in &schema.extensions {
        slots.extend(ext.attributes.iter().map(|attr| Slot {
            ext: Some(ext),
            attr,
        }));
    }
    for slot in slots {
        let attr = slot.attr;
        let Some(stored) = read_slot(existing, slot) else {
            continue;
        };
        let given = read_slot(out, slot);
        let keep_stored = match attr.mutability {
            Mutability::ReadOnly => true,
            Mutability::WriteOnly => attr.returned == Returned::Never && given.is_none(),
            Mutability::Immutable => match &given {
                None => true,
                Some(given) if given == &stored => false,
                Some(_) => return Err(immutable_error(&attr.name)),
            },
            Mutability::ReadWrite => false,
        };
        if keep_stored {
            write_slot(schema, out, slot, Some(stored));
        }
    }
    Ok(())
}
