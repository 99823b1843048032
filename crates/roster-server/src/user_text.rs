//! Users written as JSON text: the stored document with the server's state
//! spliced in, without parsing it into a `Value`, changing it and writing it
//! out again. Serving pages of whole users is most of a full sync's work.
//!
//! The text has the same members in the same order (sorted, as serde_json
//! writes a `Value`) as the `Value` path in `users::render` followed by the
//! page's projection; where that cannot be guaranteed cheaply, the callers
//! take the `Value` path.

use std::borrow::Cow;
use std::collections::BTreeMap;

use roster_scim::projection::Projection;
use roster_scim::schema::{common_attributes, AttributeDef, ResourceSchema, Returned};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it.
pub fn push_json_str(out: &mut String, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(&Value::from(s).to_string());
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

/// Appends an object whose members are already JSON text, in key order.
/// The keys were read without escapes (borrowed `&str`), so they are
/// written as they are.
pub fn push_object(out: &mut String, members: &BTreeMap<&str, Cow<'_, str>>) {
    out.push('{');
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(key);
        out.push_str("\":");
        out.push_str(value);
    }
    out.push('}');
}

/// The members of a JSON object as text, or `None` when it is not an
/// object or a key holds an escape (a borrowed key cannot).
pub fn members(text: &str) -> Option<BTreeMap<&str, Cow<'_, str>>> {
    let raw: BTreeMap<&str, &RawValue> = serde_json::from_str(text).ok()?;
    Some(
        raw.into_iter()
            .map(|(k, v)| (k, Cow::Borrowed(v.get())))
            .collect(),
    )
}

/// True when the text may hold a `null`, `[]` or `{}` (inside a string
/// too: then it is only a false alarm). A projection leaves such values
/// out, so a document holding one takes the `Value` path.
pub fn may_hold_empty(text: &str) -> bool {
    if text.contains("null") {
        return true;
    }
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        (b == b'[' || b == b'{')
            && bytes[i + 1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|&c| c == b']' || c == b'}')
    })
}

/// What a page's projection does to whole users, found once per page by
/// projecting a probe that holds every attribute of the schema (and an
/// unknown one at each level): when nothing of the probe is left out, the
/// projection shows every stored member, and a user's text can be served
/// as it is once its `returned: never` attributes are known to be absent.
pub struct ShowsAll {
    /// Lowercase names of the core schema's `returned: never` attributes.
    never_core: Vec<String>,
    /// Per extension URN, the lowercase names of its `returned: never`
    /// attributes.
    extensions: Vec<(String, Vec<String>)>,
}

const UNKNOWN: &str = "zzNotInTheSchema";

fn never_names(attributes: &[AttributeDef]) -> Vec<String> {
    attributes
        .iter()
        .filter(|a| a.returned == Returned::Never)
        .map(|a| a.name.to_ascii_lowercase())
        .collect()
}

/// A value of `def` holding every sub-attribute, or `None` when one of
/// them is never returned (the probe could not tell that apart).
fn sample(def: &AttributeDef) -> Option<Value> {
    let one = if def.sub_attributes.is_empty() {
        json!("x")
    } else {
        let mut object = Map::new();
        for sub in &def.sub_attributes {
            if sub.returned == Returned::Never {
                return None;
            }
            object.insert(sub.name.clone(), json!("x"));
        }
        object.insert(UNKNOWN.into(), json!("x"));
        Value::Object(object)
    };
    Some(if def.multi_valued { json!([one]) } else { one })
}

fn sample_attributes<'a>(
    attributes: impl Iterator<Item = &'a AttributeDef>,
) -> Option<Map<String, Value>> {
    let mut object = Map::new();
    for def in attributes.filter(|a| a.returned != Returned::Never) {
        object.insert(def.name.clone(), sample(def)?);
    }
    object.insert(UNKNOWN.into(), json!("x"));
    Some(object)
}

impl ShowsAll {
    /// `Some` when `projection` (with no excludedAttributes) shows every
    /// attribute a stored user can have.
    pub fn check(schema: &ResourceSchema, projection: &Projection<'_>) -> Option<ShowsAll> {
        let mut probe =
            sample_attributes(common_attributes().iter().chain(&schema.core.attributes))?;
        probe.insert("schemas".into(), json!(["x"]));
        for ext in &schema.extensions {
            probe.insert(
                ext.id.clone(),
                Value::Object(sample_attributes(ext.attributes.iter())?),
            );
        }
        let probe = Value::Object(probe);
        if projection.apply(probe.clone()) != probe {
            return None;
        }
        Some(ShowsAll {
            never_core: never_names(&schema.core.attributes),
            extensions: schema
                .extensions
                .iter()
                .map(|e| (e.id.clone(), never_names(&e.attributes)))
                .collect(),
        })
    }

    /// The members of a stored document and of its extension `ext_urn`
    /// as the projection shows them: without the empty values it leaves
    /// out (but the extension itself, which the server's state fills).
    /// `None` when that cannot be told from the text alone: a member never
    /// returned, an empty value deeper down, an extension that is not an
    /// object or is spelt otherwise, an escaped key.
    pub fn shown<'t>(&self, text: &'t str, ext_urn: &str) -> Option<Shown<'t>> {
        let is_never =
            |names: &[String], key: &str| names.iter().any(|n| n.eq_ignore_ascii_case(key));
        let mut top = members(text)?;
        top.retain(|key, value| *key == ext_urn || !is_empty_value(value));
        let mut ext = None;
        for (key, value) in &top {
            match self
                .extensions
                .iter()
                .find(|(urn, _)| urn.eq_ignore_ascii_case(key))
            {
                None => {
                    if is_never(&self.never_core, key) || may_hold_empty(value) {
                        return None;
                    }
                }
                Some((_, never)) => {
                    // Borrowed from `text`, not from `top`.
                    let (true, Cow::Borrowed(value)) = (*key == ext_urn, value) else {
                        return None;
                    };
                    let mut members = members(value)?;
                    members.retain(|_, value| !is_empty_value(value));
                    if members
                        .iter()
                        .any(|(k, v)| is_never(never, k) || may_hold_empty(v))
                    {
                        return None;
                    }
                    ext = Some(members);
                }
            }
        }
        Some(Shown { top, ext })
    }
}

/// A document's members as a projection that shows all shows them, see
/// [`ShowsAll::shown`]; `top` still holds the extension's original text.
pub struct Shown<'t> {
    pub top: BTreeMap<&'t str, Cow<'t, str>>,
    pub ext: Option<BTreeMap<&'t str, Cow<'t, str>>>,
}

/// `null`, `[]` or `{}`: a value a projection leaves out.
fn is_empty_value(text: &str) -> bool {
    let text = text.trim();
    text == "null"
        || ((text.starts_with('[') && text.ends_with(']'))
            || (text.starts_with('{') && text.ends_with('}')))
            && text[1..text.len() - 1].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shows_all(attributes: &[&str], excluded: &[&str]) -> bool {
        use roster_scim::filter::parse_attr_path;
        use roster_scim::schema::CatalogueHints;
        let schema = ResourceSchema::user(&CatalogueHints::default());
        let paths = |names: &[&str]| -> Vec<_> {
            names
                .iter()
                .map(|n| parse_attr_path(n).expect("a path"))
                .collect()
        };
        let projection = Projection::new(&schema, &paths(attributes), &paths(excluded));
        ShowsAll::check(&schema, &projection).is_some()
    }

    #[test]
    fn only_a_projection_of_every_attribute_shows_all() {
        let ext = roster_scim::urn::ROSTER_USER;
        let core = roster_scim::urn::USER;
        let sync = roster_scim::schema::whole_user_attributes();
        let sync: Vec<&str> = sync.split(',').collect();
        assert_eq!(sync.last(), Some(&format!("{ext}:creditsUsed").as_str()));
        assert!(shows_all(&sync, &[]), "what a sync asks for is everything");
        assert!(
            !shows_all(&sync[..sync.len() - 1], &[]),
            "creditsUsed is returned only on request"
        );
        assert!(!shows_all(&[core, ext], &[]), "the schemas' defaults only");
        assert!(!shows_all(&["userName"], &[]), "one attribute");
        assert!(!shows_all(&[], &[]), "the default representation");
        assert!(
            !shows_all(&sync, &["emails"]),
            "an excluded attribute is left out"
        );
    }

    #[test]
    fn empty_values_are_noticed_with_or_without_spaces() {
        for text in [
            r#"{"a":null}"#,
            r#"{"a":[]}"#,
            r#"{"a":{ }}"#,
            "{\"a\":[\n]}",
            "{}",
        ] {
            assert!(may_hold_empty(text), "{text} holds an empty value");
        }
        assert!(
            !may_hold_empty(r#"{"a":[1],"b":{"c":"[x]"}}"#),
            "nothing there is empty"
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        for s in [
            "plain",
            "quote \" and \\ slash",
            "tab\tnew\nline\u{1}",
            "é ü 漢",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "escaping {s:?}");
        }
    }

    #[test]
    fn members_are_written_back_in_key_order() {
        let text = r#"{"b":[1,2],"a":{"x":"y"},"c":"d"}"#;
        let mut out = String::new();
        push_object(&mut out, &members(text).expect("an object"));
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(out, value.to_string(), "same text as serde_json writes");
        assert!(
            members(r#"{"a\"b":1}"#).is_none(),
            "an escaped key is not borrowed"
        );
    }
}
