//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).

use roster_scim::filter::parse_attr_path;
use roster_scim::projection::project;
use roster_scim::schema::{
    AttrType, AttributeDef, CatalogueHints, ResourceSchema, Returned, SchemaDef,
};
use roster_scim::{urn, AttrPath};
use serde_json::{json, Value};

const EXT: &str = urn::ROSTER_USER;

fn user_schema() -> ResourceSchema {
    ResourceSchema::user(&CatalogueHints {
        role_ids: vec!["admin".into(), "member".into()],
        application_ids: vec!["crm".into()],
        permission_ids: vec!["crm:read".into()],
    })
}

fn bjensen() -> Value {
    json!({
        "schemas": [urn::USER, EXT],
        "id": "2819c223",
        "externalId": "bjensen-ext",
        "userName": "bjensen",
        "password": "t1meMa$heen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "meta": {
            "resourceType": "User",
            "created": "2024-01-01T00:00:00Z",
            "lastModified": "2024-02-01T00:00:00Z"
        },
        EXT: {"status": "active", "role": "member"}
    })
}

fn paths(list: &[&str]) -> Vec<AttrPath> {
    list.iter()
        .map(|p| parse_attr_path(p).expect("test paths parse"))
        .collect()
}

fn projected(attributes: &[&str], excluded: &[&str]) -> Value {
    project(
        &bjensen(),
        &user_schema(),
        &paths(attributes),
        &paths(excluded),
    )
}

#[test]
fn without_parameters_everything_but_never_returned_attributes_is_shown() {
    let mut expected = shown_by_default();
    expected.as_object_mut().unwrap().remove("password");
    assert_eq!(projected(&[], &[]), expected);
}

#[test]
fn attributes_limit_to_the_named_ones_plus_always_returned() {
    assert_eq!(
        projected(&["userName"], &[]),
        json!({"schemas": [urn::USER, EXT], "id": "2819c223", "userName": "bjensen"})
    );
}

#[test]
fn attribute_names_are_case_insensitive() {
    assert_eq!(
        projected(&["USERNAME", "Name.FamilyName"], &[]),
        json!({
            "schemas": [urn::USER, EXT],
            "id": "2819c223",
            "userName": "bjensen",
            "name": {"familyName": "Jensen"}
        })
    );
}

#[test]
fn a_sub_attribute_selects_that_part_of_each_value() {
    assert_eq!(
        projected(&["emails.value"], &[]),
        json!({
            "schemas": [urn::USER, EXT],
            "id": "2819c223",
            "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}]
        })
    );
}

#[test]
fn a_meta_sub_attribute_can_be_asked_for() {
    assert_eq!(
        projected(&["meta.lastModified"], &[]),
        json!({
            "schemas": [urn::USER, EXT],
            "id": "2819c223",
            "meta": {"lastModified": "2024-02-01T00:00:00Z"}
        })
    );
}

#[test]
fn urn_qualified_core_paths_are_understood() {
    assert_eq!(
        projected(
            &["urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"],
            &[]
        ),
        json!({
            "schemas": [urn::USER, EXT],
            "id": "2819c223",
            "name": {"givenName": "Barbara"}
        })
    );
}

#[test]
fn an_extension_attribute_can_be_asked_for_by_its_urn() {
    assert_eq!(
        projected(
            &["urn:roster:params:scim:schemas:extension:roster:2.0:User:role"],
            &[]
        ),
        json!({"schemas": [urn::USER, EXT], "id": "2819c223", EXT: {"role": "member"}})
    );
}

#[test]
fn an_extension_attribute_can_be_asked_for_by_its_bare_name() {
    assert_eq!(
        projected(&["role"], &[]),
        json!({"schemas": [urn::USER, EXT], "id": "2819c223", EXT: {"role": "member"}})
    );
}

#[test]
fn a_whole_extension_can_be_asked_for_by_its_urn() {
    assert_eq!(
        projected(&[EXT], &[]),
        json!({
            "schemas": [urn::USER, EXT],
            "id": "2819c223",
            EXT: {"role": "member"}
        })
    );
}

#[test]
fn the_core_urn_asks_for_every_core_attribute() {
    let mut expected = shown_by_default();
    let object = expected.as_object_mut().unwrap();
    object.remove("password");
    object.remove(EXT);
    assert_eq!(projected(&[urn::USER], &[]), expected);
}

#[test]
fn an_extension_with_nothing_asked_for_is_left_out() {
    assert_eq!(
        projected(&["emails"], &[]),
        json!({
            "schemas": [urn::USER, EXT],
            "id": "2819c223",
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ]
        })
    );
}

#[test]
fn excluded_attributes_are_left_out() {
    let mut expected = shown_by_default();
    let object = expected.as_object_mut().unwrap();
    object.remove("password");
    object.remove("emails");
    object.remove("meta");
    assert_eq!(projected(&[], &["emails", "META"]), expected);
}

#[test]
fn excluded_sub_attributes_are_left_out() {
    let mut expected = shown_by_default();
    expected.as_object_mut().unwrap().remove("password");
    expected["name"] = json!({"givenName": "Barbara"});
    expected["emails"] = json!([
        {"value": "bjensen@example.com", "type": "work"},
        {"value": "babs@jensen.org", "type": "home"}
    ]);
    assert_eq!(
        projected(&[], &["name.familyName", "emails.primary"]),
        expected
    );
}

#[test]
fn always_returned_attributes_cannot_be_excluded() {
    let mut expected = shown_by_default();
    expected.as_object_mut().unwrap().remove("password");
    assert_eq!(projected(&[], &["id", "schemas"]), expected);
}

#[test]
fn never_returned_attributes_are_not_shown_even_when_asked_for() {
    assert_eq!(
        projected(&["password"], &[]),
        json!({"schemas": [urn::USER, EXT], "id": "2819c223"})
    );
}

#[test]
fn excluding_the_only_shown_extension_attribute_drops_the_extension() {
    let mut expected = shown_by_default();
    let object = expected.as_object_mut().unwrap();
    object.remove("password");
    object.remove(EXT);
    assert_eq!(projected(&[], &["role"]), expected);
    let mut expected = shown_by_default();
    let object = expected.as_object_mut().unwrap();
    object.remove("password");
    object.remove(EXT);
    assert_eq!(
        projected(
            &[],
            &[
                "role",
                "urn:roster:params:scim:schemas:extension:roster:2.0:User:status"
            ]
        ),
        expected,
        "an extension object with nothing left is dropped"
    );
}

#[test]
fn a_whole_extension_can_be_excluded_by_its_urn() {
    let mut expected = shown_by_default();
    let object = expected.as_object_mut().unwrap();
    object.remove("password");
    object.remove(EXT);
    assert_eq!(projected(&[], &[EXT]), expected);
}

#[test]
fn excluding_part_of_an_asked_for_attribute() {
    assert_eq!(
        projected(&["name"], &["name.givenName"]),
        json!({"schemas": [urn::USER, EXT], "id": "2819c223", "name": {"familyName": "Jensen"}})
    );
}

fn badge_schema() -> ResourceSchema {
    ResourceSchema {
        core: SchemaDef {
            id: "urn:example:Badge".into(),
            name: "Badge".into(),
            description: String::new(),
            attributes: vec![
                AttributeDef::new("holder", AttrType::String),
                AttributeDef::new("history", AttrType::String)
                    .multi()
                    .returned(Returned::Request),
                AttributeDef::new("colour", AttrType::String).returned(Returned::Always),
                AttributeDef::new("photo", AttrType::Complex).subs(vec![
                    AttributeDef::new("url", AttrType::Reference),
                    AttributeDef::new("raw", AttrType::Binary).returned(Returned::Request),
                ]),
            ],
        },
        extensions: Vec::new(),
    }
}

fn badge() -> Value {
    json!({
        "schemas": ["urn:example:Badge"],
        "id": "b1",
        "holder": "Ann",
        "history": ["issued", "renewed"],
        "colour": "red",
        "photo": {"url": "https://example.invalid/p.png", "raw": "aGk="}
    })
}

fn badge_projected(attributes: &[&str], excluded: &[&str]) -> Value {
    project(
        &badge(),
        &badge_schema(),
        &paths(attributes),
        &paths(excluded),
    )
}

#[test]
fn request_returned_attributes_need_asking_for() {
    assert_eq!(
        badge_projected(&[], &[]),
        json!({
            "schemas": ["urn:example:Badge"],
            "id": "b1",
            "holder": "Ann",
            "colour": "red",
            "photo": {"url": "https://example.invalid/p.png"}
        })
    );
    assert_eq!(
        badge_projected(&["history", "photo.raw"], &[]),
        json!({
            "schemas": ["urn:example:Badge"],
            "id": "b1",
            "history": ["issued", "renewed"],
            "colour": "red",
            "photo": {"raw": "aGk="}
        })
    );
}

#[test]
fn a_schema_urn_does_not_ask_for_request_returned_attributes() {
    assert_eq!(
        badge_projected(&["urn:example:Badge"], &[]),
        json!({
            "schemas": ["urn:example:Badge"],
            "id": "b1",
            "holder": "Ann",
            "colour": "red",
            "photo": {"url": "https://example.invalid/p.png"}
        })
    );
}

#[test]
fn custom_always_returned_attributes_survive_exclusion() {
    assert_eq!(
        badge_projected(&["holder"], &["colour"]),
        json!({"schemas": ["urn:example:Badge"], "id": "b1", "holder": "Ann", "colour": "red"})
    );
}

#[test]
fn keys_outside_the_schema_follow_the_default_rule() {
    let mut resource = badge();
    resource["legacy"] = json!(1);
    let schema = badge_schema();
    assert_eq!(
        project(
            &resource,
            &schema,
            &[],
            &paths(&["history", "photo", "holder"])
        )["legacy"],
        json!(1)
    );
    assert_eq!(
        project(&resource, &schema, &paths(&["holder"]), &[]).get("legacy"),
        None,
        "not named, so not shown when attributes are given"
    );
}

/// bjensen as shown without `attributes`: no password, and no extension
/// attributes that are returned only on request (status).
fn shown_by_default() -> Value {
    let mut user = bjensen();
    user[EXT].as_object_mut().unwrap().remove("status");
    user
}

#[test]
fn request_only_attributes_are_shown_when_asked_for() {
    assert_eq!(
        projected(
            &["urn:roster:params:scim:schemas:extension:roster:2.0:User:status"],
            &[]
        ),
        json!({"schemas": [urn::USER, EXT], "id": "2819c223", EXT: {"status": "active"}})
    );
}
