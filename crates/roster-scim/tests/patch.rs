//! PATCH (RFC 7644 §3.5.2) and the normalisation of POST/PUT bodies.

use roster_scim::messages::{PatchOperation, ScimType};
use roster_scim::patch::{
    apply_patch, carry_over_on_replace, is_date_time, normalize_resource, PatchError, WriteMode,
};
use roster_scim::schema::{
    AttrType, AttributeDef, CatalogueHints, Mutability, ResourceSchema, SchemaDef,
};
use roster_scim::urn;
use serde_json::{json, Value};

const EXT: &str = urn::ROSTER_USER;

fn user_schema() -> ResourceSchema {
    ResourceSchema::user(&CatalogueHints {
        role_ids: vec!["admin".into(), "member".into()],
        application_ids: vec!["crm".into(), "billing".into()],
        permission_ids: vec!["crm:read".into(), "crm:write".into(), "billing:read".into()],
    })
}

fn bjensen() -> Value {
    json!({
        "schemas": [urn::USER, EXT],
        "id": "2819c223",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "active": true,
        "meta": {
            "resourceType": "User",
            "created": "2024-01-01T00:00:00Z",
            "lastModified": "2024-01-01T00:00:00Z"
        },
        EXT: {"status": "active", "role": "member", "permissions": ["crm:read"]}
    })
}

fn admins() -> Value {
    json!({
        "schemas": [urn::GROUP],
        "id": "g1",
        "displayName": "Admins",
        "members": [
            {"value": "u1", "type": "User", "display": "Ann"},
            {"value": "u2", "type": "User"}
        ]
    })
}

fn ops(operations: Value) -> Vec<PatchOperation> {
    serde_json::from_value(operations).expect("test operations are well-formed")
}

fn patch_with(schema: &ResourceSchema, resource: Value, operations: Value) -> Value {
    let mut resource = resource;
    if let Err(e) = apply_patch(&mut resource, &ops(operations), schema) {
        panic!("patch failed: {e:?}");
    }
    resource
}

fn patched(operations: Value) -> Value {
    patch_with(&user_schema(), bjensen(), operations)
}

/// Applies operations that must fail, and checks that they left the
/// resource exactly as it was.
fn patch_error_on(schema: &ResourceSchema, resource: Value, operations: Value) -> PatchError {
    let mut work = resource.clone();
    let err = apply_patch(&mut work, &ops(operations), schema)
        .expect_err("the patch should have been refused");
    assert_eq!(
        work, resource,
        "a failed PATCH must leave the resource unchanged"
    );
    err
}

fn patch_error(operations: Value) -> PatchError {
    patch_error_on(&user_schema(), bjensen(), operations)
}

fn error(scim_type: ScimType, detail: &str) -> PatchError {
    PatchError {
        scim_type,
        detail: detail.to_owned(),
    }
}

// --- add ---------------------------------------------------------------

#[test]
fn add_sets_a_missing_simple_attribute() {
    let mut expected = bjensen();
    expected["nickName"] = json!("Babs");
    assert_eq!(
        patched(json!([{"op": "add", "path": "nickName", "value": "Babs"}])),
        expected
    );
}

#[test]
fn add_replaces_a_single_valued_attribute() {
    let mut expected = bjensen();
    expected["userName"] = json!("barbara");
    assert_eq!(
        patched(json!([{"op": "add", "path": "userName", "value": "barbara"}])),
        expected
    );
}

#[test]
fn add_without_path_sets_each_attribute_of_the_value() {
    let mut expected = bjensen();
    expected["nickName"] = json!("Babs");
    expected["title"] = json!("Tour Guide");
    assert_eq!(
        patched(json!([{"op": "add", "value": {"nickName": "Babs", "title": "Tour Guide"}}])),
        expected
    );
}

#[test]
fn add_without_path_reads_urn_qualified_keys_and_extension_objects() {
    let mut expected = bjensen();
    expected["name"]["familyName"] = json!("Smith");
    expected[EXT]["role"] = json!("admin");
    expected[EXT]["creditLimit"] = json!(100);
    assert_eq!(
        patched(json!([{"op": "add", "value": {
            "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName": "Smith",
            "urn:roster:params:scim:schemas:extension:roster:2.0:User:role": "admin",
            EXT: {"creditLimit": 100}
        }}])),
        expected
    );
}

#[test]
fn add_to_a_sub_attribute_keeps_the_others() {
    let mut expected = bjensen();
    expected["name"]["middleName"] = json!("Jane");
    assert_eq!(
        patched(json!([{"op": "add", "path": "name.middleName", "value": "Jane"}])),
        expected
    );
}

#[test]
fn add_of_a_complex_value_merges_its_sub_attributes() {
    let mut expected = bjensen();
    expected["name"]["honorificPrefix"] = json!("Ms.");
    expected["name"]["givenName"] = json!("Babs");
    assert_eq!(
        patched(json!([{"op": "add", "path": "name",
            "value": {"honorificPrefix": "Ms.", "givenName": "Babs"}}])),
        expected
    );
}

#[test]
fn add_to_a_multi_valued_attribute_appends() {
    let mut expected = bjensen();
    expected["emails"]
        .as_array_mut()
        .unwrap()
        .push(json!({"value": "b@other.org", "type": "other"}));
    assert_eq!(
        patched(json!([{"op": "add", "path": "emails",
            "value": [{"value": "b@other.org", "type": "other"}]}])),
        expected
    );
}

#[test]
fn add_of_a_single_object_to_a_multi_valued_attribute_wraps_it() {
    let mut expected = bjensen();
    expected["emails"]
        .as_array_mut()
        .unwrap()
        .push(json!({"value": "b@other.org"}));
    assert_eq!(
        patched(json!([{"op": "add", "path": "emails", "value": {"value": "b@other.org"}}])),
        expected
    );
}

#[test]
fn add_of_a_value_already_held_does_not_duplicate_it() {
    assert_eq!(
        patched(json!([{"op": "add", "path": "emails",
            "value": [{"value": "babs@jensen.org", "type": "home"}]}])),
        bjensen()
    );
    let mut expected = bjensen();
    expected[EXT]["permissions"] = json!(["crm:read", "crm:write"]);
    assert_eq!(
        patched(json!([{"op": "add", "path": "permissions",
            "value": ["crm:read", "crm:write", "crm:write"]}])),
        expected,
        "simple values are de-duplicated too"
    );
}

#[test]
fn add_of_a_member_already_in_the_group_changes_nothing() {
    let group = patch_with(
        &ResourceSchema::group(),
        admins(),
        json!([{"op": "add", "path": "members", "value": [{"value": "u2", "type": "User"}]}]),
    );
    assert_eq!(group, admins());
}

#[test]
fn add_of_members_appends_and_ignores_read_only_display() {
    let mut expected = admins();
    expected["members"]
        .as_array_mut()
        .unwrap()
        .push(json!({"value": "u3"}));
    assert_eq!(
        patch_with(
            &ResourceSchema::group(),
            admins(),
            json!([{"op": "Add", "path": "members", "value": [{"value": "u3", "display": "Cy"}]}])
        ),
        expected
    );
}

#[test]
fn add_of_a_primary_value_takes_primary_from_the_others() {
    let mut expected = bjensen();
    expected["emails"] = json!([
        {"value": "bjensen@example.com", "type": "work", "primary": false},
        {"value": "babs@jensen.org", "type": "home"},
        {"value": "new@jensen.org", "type": "other", "primary": true}
    ]);
    assert_eq!(
        patched(json!([{"op": "add", "path": "emails",
            "value": {"value": "new@jensen.org", "type": "other", "primary": true}}])),
        expected
    );
}

#[test]
fn add_of_null_or_an_empty_list_changes_nothing() {
    assert_eq!(
        patched(json!([
            {"op": "add", "path": "nickName", "value": null},
            {"op": "add", "path": "emails", "value": []},
            {"op": "add", "path": "name", "value": {}}
        ])),
        bjensen()
    );
}

#[test]
fn add_to_an_extension_attribute_of_a_resource_without_the_extension_lists_it() {
    let resource = json!({"schemas": [urn::USER], "id": "1", "userName": "x"});
    let result = patch_with(
        &user_schema(),
        resource,
        json!([{"op": "add", "path": "urn:roster:params:scim:schemas:extension:roster:2.0:User:role", "value": "admin"}]),
    );
    assert_eq!(
        result,
        json!({"schemas": [urn::USER, EXT], "id": "1", "userName": "x", EXT: {"role": "admin"}})
    );
}

#[test]
fn add_with_a_filter_that_matches_nothing_creates_the_value() {
    // What Azure AD sends for a user without a work phone number.
    let mut expected = bjensen();
    expected["phoneNumbers"] = json!([{"type": "work", "value": "555-0100"}]);
    assert_eq!(
        patched(
            json!([{"op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "555-0100"}])
        ),
        expected
    );
}

#[test]
fn add_with_a_filter_sets_the_sub_attribute_of_matching_values() {
    let mut expected = bjensen();
    expected["emails"][1]["display"] = json!("Home");
    assert_eq!(
        patched(
            json!([{"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}])
        ),
        expected
    );
}

#[test]
fn add_to_the_extension_urn_merges_its_attributes() {
    let mut expected = bjensen();
    expected[EXT]["role"] = json!("admin");
    expected[EXT]["departments"] = json!(["Sales"]);
    assert_eq!(
        patched(json!([{"op": "add", "path": EXT,
            "value": {"role": "admin", "departments": "Sales"}}])),
        expected
    );
}

#[test]
fn add_of_an_extension_complex_attribute() {
    let mut expected = bjensen();
    expected[EXT]["notifications"] = json!({"email": true, "digest": "weekly"});
    assert_eq!(
        patched(
            json!([{"op": "add", "path": "urn:roster:params:scim:schemas:extension:roster:2.0:User:notifications",
            "value": {"email": true, "Digest": "weekly"}}])
        ),
        expected
    );
}

// --- replace -----------------------------------------------------------

#[test]
fn replace_with_a_core_urn_prefixed_sub_attribute_path() {
    let mut expected = bjensen();
    expected["name"]["familyName"] = json!("Smith");
    assert_eq!(
        patched(json!([{"op": "replace",
            "path": "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "value": "Smith"}])),
        expected
    );
}

#[test]
fn replace_with_an_extension_urn_prefixed_path() {
    let mut expected = bjensen();
    expected[EXT]["role"] = json!("admin");
    assert_eq!(
        patched(json!([{"op": "replace",
            "path": "urn:roster:params:scim:schemas:extension:roster:2.0:User:role", "value": "admin"}])),
        expected
    );
}

#[test]
fn replace_with_a_bare_extension_attribute_name() {
    let mut expected = bjensen();
    expected[EXT]["role"] = json!("admin");
    assert_eq!(
        patched(json!([{"op": "replace", "path": "role", "value": "admin"}])),
        expected
    );
}

#[test]
fn replace_without_path_sets_each_attribute() {
    let mut expected = bjensen();
    expected["active"] = json!(false);
    expected["displayName"] = json!("Babs Jensen");
    assert_eq!(
        patched(
            json!([{"op": "Replace", "value": {"active": false, "displayName": "Babs Jensen"}}])
        ),
        expected
    );
}

#[test]
fn replace_of_a_complex_attribute_keeps_sub_attributes_not_given() {
    let mut expected = bjensen();
    expected["name"]["givenName"] = json!("Babs");
    assert_eq!(
        patched(json!([{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}])),
        expected
    );
}

#[test]
fn replace_of_a_multi_valued_attribute_replaces_the_whole_list() {
    let mut expected = bjensen();
    expected["emails"] = json!([{"value": "only@jensen.org", "primary": true}]);
    assert_eq!(
        patched(json!([{"op": "replace", "path": "emails",
            "value": [{"value": "only@jensen.org", "primary": true}]}])),
        expected
    );
}

#[test]
fn replace_with_a_filter_and_sub_attribute_changes_matching_values() {
    let mut expected = bjensen();
    expected["emails"][0]["value"] = json!("barbara@example.com");
    assert_eq!(
        patched(
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value",
            "value": "barbara@example.com"}])
        ),
        expected
    );
}

#[test]
fn replace_with_a_filter_replaces_matching_values_whole() {
    let mut expected = bjensen();
    expected["emails"][1] = json!({"value": "b@home.org", "type": "home"});
    assert_eq!(
        patched(json!([{"op": "replace", "path": "emails[type eq \"home\"]",
            "value": {"value": "b@home.org", "type": "home"}}])),
        expected
    );
}

#[test]
fn replace_making_a_value_primary_takes_primary_from_the_others() {
    let mut expected = bjensen();
    expected["emails"][0]["primary"] = json!(false);
    expected["emails"][1]["primary"] = json!(true);
    assert_eq!(
        patched(
            json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}])
        ),
        expected
    );
}

#[test]
fn replace_with_a_filter_that_matches_nothing_is_no_target() {
    assert_eq!(
        patch_error(
            json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@y.z"}])
        ),
        error(
            ScimType::NoTarget,
            "No value of 'emails' matches the path 'emails[type eq \"other\"].value'."
        )
    );
}

#[test]
fn replace_with_two_primary_values_is_invalid() {
    assert_eq!(
        patch_error(json!([{"op": "replace", "path": "emails", "value": [
            {"value": "a@x.org", "primary": true},
            {"value": "b@x.org", "primary": true}
        ]}])),
        error(
            ScimType::InvalidValue,
            "Only one value of 'emails' can be primary."
        )
    );
}

#[test]
fn attribute_names_are_case_insensitive_and_written_canonically() {
    let mut resource = bjensen();
    resource.as_object_mut().unwrap().remove("userName");
    resource["USERNAME"] = json!("old");
    let mut expected = bjensen();
    expected["userName"] = json!("new");
    expected["name"]["givenName"] = json!("Babs");
    expected[EXT]["role"] = json!("admin");
    assert_eq!(
        patch_with(
            &user_schema(),
            resource,
            json!([
                {"op": "replace", "path": "username", "value": "new"},
                {"op": "replace", "path": "NAME.GIVENNAME", "value": "Babs"},
                {"op": "replace", "path": "URN:ROSTER:PARAMS:SCIM:SCHEMAS:EXTENSION:ROSTER:2.0:USER:Role", "value": "admin"}
            ])
        ),
        expected
    );
}

#[test]
fn azure_ad_boolean_strings_are_stored_as_booleans() {
    let mut expected = bjensen();
    expected["active"] = json!(false);
    assert_eq!(
        patched(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        expected
    );
}

#[test]
fn replace_with_null_removes_the_attribute() {
    let mut expected = bjensen();
    expected["name"]
        .as_object_mut()
        .unwrap()
        .remove("givenName");
    assert_eq!(
        patched(json!([{"op": "replace", "path": "name.givenName", "value": null}])),
        expected
    );
}

// --- remove ------------------------------------------------------------

#[test]
fn remove_deletes_a_single_valued_attribute() {
    let mut expected = bjensen();
    expected.as_object_mut().unwrap().remove("active");
    assert_eq!(
        patched(json!([{"op": "remove", "path": "active"}])),
        expected
    );
}

#[test]
fn remove_of_an_absent_attribute_changes_nothing() {
    assert_eq!(
        patched(json!([{"op": "remove", "path": "nickName"}])),
        bjensen()
    );
}

#[test]
fn remove_of_a_sub_attribute() {
    let mut expected = bjensen();
    expected["name"] = json!({"givenName": "Barbara"});
    assert_eq!(
        patched(json!([{"op": "remove", "path": "name.familyName"}])),
        expected
    );
}

#[test]
fn remove_with_a_filter_removes_matching_values() {
    let mut expected = bjensen();
    expected["emails"].as_array_mut().unwrap().remove(1);
    assert_eq!(
        patched(json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])),
        expected
    );
}

#[test]
fn remove_of_a_group_member_by_filter() {
    let mut expected = admins();
    expected["members"] = json!([{"value": "u2", "type": "User"}]);
    assert_eq!(
        patch_with(
            &ResourceSchema::group(),
            admins(),
            json!([{"op": "remove", "path": "members[value eq \"u1\"]"}])
        ),
        expected
    );
}

#[test]
fn remove_of_members_listed_in_the_value() {
    // Azure AD's way of removing group members.
    let mut expected = admins();
    expected["members"] = json!([{"value": "u2", "type": "User"}]);
    assert_eq!(
        patch_with(
            &ResourceSchema::group(),
            admins(),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "u1"}]}])
        ),
        expected
    );
}

#[test]
fn removing_the_last_value_removes_the_attribute() {
    let mut expected = admins();
    expected.as_object_mut().unwrap().remove("members");
    assert_eq!(
        patch_with(
            &ResourceSchema::group(),
            admins(),
            json!([
                {"op": "remove", "path": "members[value eq \"u1\"]"},
                {"op": "remove", "path": "members[value eq \"u2\"]"}
            ])
        ),
        expected
    );
}

#[test]
fn removing_the_last_extension_attribute_removes_the_extension() {
    let resource = json!({"schemas": [urn::USER, EXT], "id": "1", "userName": "x", EXT: {"departments": ["Sales"]}});
    assert_eq!(
        patch_with(
            &user_schema(),
            resource,
            json!([{"op": "remove", "path": "departments"}])
        ),
        json!({"schemas": [urn::USER], "id": "1", "userName": "x"})
    );
}

#[test]
fn remove_of_a_multi_valued_attribute_without_filter_removes_it_all() {
    let mut expected = bjensen();
    expected.as_object_mut().unwrap().remove("emails");
    assert_eq!(
        patched(json!([{"op": "remove", "path": "emails"}])),
        expected
    );
}

#[test]
fn remove_of_the_extension_urn_keeps_read_only_attributes() {
    let mut resource = bjensen();
    resource[EXT].as_object_mut().unwrap().remove("role");
    let mut expected = bjensen();
    expected[EXT] = json!({"status": "active"});
    assert_eq!(
        patch_with(
            &user_schema(),
            resource,
            json!([{"op": "remove", "path": EXT}])
        ),
        expected
    );
}

#[test]
fn remove_of_the_extension_urn_is_refused_while_it_holds_a_required_attribute() {
    assert_eq!(
        patch_error(json!([{"op": "remove", "path": EXT}])),
        error(
            ScimType::InvalidValue,
            "'role' is required and cannot be removed."
        )
    );
}

#[test]
fn remove_with_a_filter_that_matches_nothing_is_no_target() {
    assert_eq!(
        patch_error(json!([{"op": "remove", "path": "emails[type eq \"other\"]"}])),
        error(
            ScimType::NoTarget,
            "No value of 'emails' matches the path 'emails[type eq \"other\"]'."
        )
    );
}

#[test]
fn remove_without_path_is_no_target() {
    assert_eq!(
        patch_error(json!([{"op": "remove"}])),
        error(
            ScimType::NoTarget,
            "A remove operation needs a path that says what to remove."
        )
    );
}

#[test]
fn removing_a_required_attribute_is_invalid() {
    let expected = error(
        ScimType::InvalidValue,
        "'userName' is required and cannot be removed.",
    );
    assert_eq!(
        patch_error(json!([{"op": "remove", "path": "userName"}])),
        expected
    );
    assert_eq!(
        patch_error(json!([{"op": "replace", "path": "userName", "value": null}])),
        expected,
        "replacing with null removes too"
    );
}

#[test]
fn removing_a_required_sub_attribute_is_invalid() {
    let mut resource = bjensen();
    resource[EXT]["applications"] = json!([{"value": "crm", "mode": "all"}]);
    assert_eq!(
        patch_error_on(
            &user_schema(),
            resource,
            json!([{"op": "remove", "path": "applications[value eq \"crm\"].value"}])
        ),
        error(
            ScimType::InvalidValue,
            "'applications.value' is required and cannot be removed."
        )
    );
}

// --- errors ------------------------------------------------------------

#[test]
fn unknown_attribute_is_invalid_path() {
    assert_eq!(
        patch_error(json!([{"op": "add", "path": "foo", "value": "x"}])),
        error(
            ScimType::InvalidPath,
            "The attribute 'foo' does not exist on User."
        )
    );
    assert_eq!(
        patch_error(json!([{"op": "replace", "value": {"foo": "x"}}])),
        error(
            ScimType::InvalidPath,
            "The attribute 'foo' does not exist on User."
        ),
        "a key of a path-less value is a path too"
    );
    assert_eq!(
        patch_error(json!([{"op": "add", "path": "name.nickname", "value": "x"}])),
        error(
            ScimType::InvalidPath,
            "The attribute 'name.nickname' does not exist on User."
        )
    );
}

#[test]
fn malformed_path_is_invalid_path_and_says_why() {
    let err = patch_error(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]));
    assert_eq!(err.scim_type, ScimType::InvalidPath);
    let reason = roster_scim::filter::parse_patch_path("emails[type eq").unwrap_err();
    assert_eq!(
        err.detail,
        format!("The path 'emails[type eq' is not valid: {reason}.")
    );
}

#[test]
fn a_filter_on_a_single_valued_attribute_is_invalid_path() {
    assert_eq!(
        patch_error(json!([{"op": "replace", "path": "name[givenName eq \"B\"]", "value": {}}]))
            .scim_type,
        ScimType::InvalidPath
    );
}

#[test]
fn read_only_attributes_cannot_be_changed() {
    assert_eq!(
        patch_error(json!([{"op": "replace", "path": "meta", "value": {"version": "2"}}])),
        error(
            ScimType::Mutability,
            "'meta' is read-only and cannot be changed."
        )
    );
    assert_eq!(
        patch_error(
            json!([{"op": "replace", "path": "meta.lastModified", "value": "2025-01-01T00:00:00Z"}])
        ),
        error(
            ScimType::Mutability,
            "'meta' is read-only and cannot be changed."
        )
    );
    assert_eq!(
        patch_error(json!([{"op": "replace", "value": {"id": "other"}}])),
        error(
            ScimType::Mutability,
            "'id' is read-only and cannot be changed."
        )
    );
    assert_eq!(
        patch_error(json!([{"op": "remove", "path": "id"}])),
        error(
            ScimType::Mutability,
            "'id' is read-only and cannot be changed."
        )
    );
    assert_eq!(
        patch_error(
            json!([{"op": "replace", "path": "urn:roster:params:scim:schemas:extension:roster:2.0:User:status", "value": "archived"}])
        ),
        error(
            ScimType::Mutability,
            "'status' is read-only and cannot be changed."
        )
    );
}

#[test]
fn read_only_sub_attribute_cannot_be_changed() {
    assert_eq!(
        patch_error_on(
            &ResourceSchema::group(),
            admins(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].display", "value": "X"}])
        ),
        error(
            ScimType::Mutability,
            "'members.display' is read-only and cannot be changed."
        )
    );
}

#[test]
fn immutable_sub_attribute_with_a_value_cannot_be_changed() {
    let expected = error(
        ScimType::Mutability,
        "'members.value' is immutable: it already has a value, which cannot be changed.",
    );
    assert_eq!(
        patch_error_on(
            &ResourceSchema::group(),
            admins(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u9"}])
        ),
        expected
    );
    assert_eq!(
        patch_error_on(
            &ResourceSchema::group(),
            admins(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"]", "value": {"value": "u9"}}])
        ),
        expected,
        "replacing the whole value changes it too"
    );
}

fn badge_schema() -> ResourceSchema {
    ResourceSchema {
        core: SchemaDef {
            id: "urn:example:Badge".into(),
            name: "Badge".into(),
            description: String::new(),
            attributes: vec![
                AttributeDef::new("serial", AttrType::String).mutability(Mutability::Immutable),
                AttributeDef::new("holder", AttrType::String),
                AttributeDef::new("issued", AttrType::DateTime),
                AttributeDef::new("weight", AttrType::Decimal),
            ],
        },
        extensions: Vec::new(),
    }
}

#[test]
fn immutable_attribute_can_be_set_once_but_not_changed() {
    let schema = badge_schema();
    let resource = json!({"schemas": ["urn:example:Badge"], "id": "b1"});
    let set = patch_with(
        &schema,
        resource,
        json!([{"op": "add", "path": "serial", "value": "S-1"}]),
    );
    assert_eq!(
        set,
        json!({"schemas": ["urn:example:Badge"], "id": "b1", "serial": "S-1"})
    );
    assert_eq!(
        patch_with(
            &schema,
            set.clone(),
            json!([{"op": "replace", "path": "serial", "value": "S-1"}])
        ),
        set,
        "the same value again is no change"
    );
    assert_eq!(
        patch_error_on(
            &schema,
            set,
            json!([{"op": "replace", "path": "serial", "value": "S-2"}])
        ),
        error(
            ScimType::Mutability,
            "'serial' is immutable: it already has a value, which cannot be changed."
        )
    );
}

#[test]
fn values_of_the_wrong_type_are_invalid() {
    let cases = [
        (
            json!({"op": "replace", "path": "active", "value": "yes"}),
            "The value of 'active' must be true or false, not a string.",
        ),
        (
            json!({"op": "replace", "path": "userName", "value": 5}),
            "The value of 'userName' must be a string, not a number.",
        ),
        (
            json!({"op": "replace", "path": "creditLimit", "value": 1.5}),
            "The value of 'creditLimit' must be a whole number, not a number.",
        ),
        (
            json!({"op": "replace", "path": "creditLimit", "value": "5"}),
            "The value of 'creditLimit' must be a whole number, not a string.",
        ),
        (
            json!({"op": "replace", "path": "name", "value": "Barbara"}),
            "The value of 'name' must be an object of sub-attributes, not a string.",
        ),
        (
            json!({"op": "replace", "path": "userName", "value": ["a", "b"]}),
            "'userName' takes a single value, not a list.",
        ),
        (
            json!({"op": "add", "path": "emails", "value": [["a@b.c"]]}),
            "Each value of 'emails' must be an object of sub-attributes, not a list.",
        ),
        (
            json!({"op": "add", "path": "emails", "value": [{"value": "a@b.c", "primary": "maybe"}]}),
            "The value of 'emails.primary' must be true or false, not a string.",
        ),
        (
            json!({"op": "add", "path": "emails", "value": [{"address": "a@b.c"}]}),
            "'emails' has no sub-attribute 'address'.",
        ),
    ];
    for (op, detail) in cases {
        assert_eq!(
            patch_error(json!([op.clone()])),
            error(ScimType::InvalidValue, detail),
            "operation {op}"
        );
    }
}

#[test]
fn date_times_must_be_rfc_3339() {
    let schema = badge_schema();
    let resource = json!({"schemas": ["urn:example:Badge"], "id": "b1"});
    assert_eq!(
        patch_with(
            &schema,
            resource.clone(),
            json!([{"op": "add", "path": "issued", "value": "2024-02-29T23:59:60.5+01:00"}])
        ),
        json!({"schemas": ["urn:example:Badge"], "id": "b1", "issued": "2024-02-29T23:59:60.5+01:00"})
    );
    assert_eq!(
        patch_error_on(&schema, resource, json!([{"op": "add", "path": "issued", "value": "yesterday"}])),
        error(
            ScimType::InvalidValue,
            "The value of 'issued' must be a date and time such as \"2024-05-01T12:00:00Z\" (RFC 3339), not \"yesterday\"."
        )
    );
}

#[test]
fn date_time_validation_covers_the_calendar() {
    for good in [
        "2024-05-01T12:00:00Z",
        "2024-05-01t12:00:00z",
        "2000-02-29T00:00:00.123456-08:00",
    ] {
        assert!(is_date_time(good), "{good} is a valid date-time");
    }
    for bad in [
        "2024-05-01",
        "2024-05-01T12:00:00",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00+0100",
        "2024-05-01 12:00:00Z",
    ] {
        assert!(!is_date_time(bad), "{bad} is not a valid date-time");
    }
}

#[test]
fn decimals_take_any_number() {
    let schema = badge_schema();
    let resource = json!({"schemas": ["urn:example:Badge"], "id": "b1"});
    assert_eq!(
        patch_with(
            &schema,
            resource,
            json!([{"op": "add", "path": "weight", "value": 2.5}])
        ),
        json!({"schemas": ["urn:example:Badge"], "id": "b1", "weight": 2.5})
    );
}

#[test]
fn add_or_replace_without_a_value_is_invalid_syntax() {
    assert_eq!(
        patch_error(json!([{"op": "add", "path": "nickName"}])),
        error(
            ScimType::InvalidSyntax,
            "The add operation on 'nickName' needs a value."
        )
    );
    assert_eq!(
        patch_error(json!([{"op": "replace"}])),
        error(
            ScimType::InvalidSyntax,
            "The replace operation on the resource needs a value."
        )
    );
}

#[test]
fn path_less_value_must_be_an_object() {
    assert_eq!(
        patch_error(json!([{"op": "add", "value": "Babs"}])),
        error(
            ScimType::InvalidSyntax,
            "Without a path, the value of an add operation must be an object of attributes, not a string."
        )
    );
}

#[test]
fn a_failing_operation_undoes_the_earlier_ones() {
    // patch_error checks that the resource is unchanged.
    let err = patch_error(json!([
        {"op": "replace", "path": "userName", "value": "changed"},
        {"op": "add", "path": "emails", "value": {"value": "x@y.z"}},
        {"op": "remove", "path": "emails[type eq \"nope\"]"}
    ]));
    assert_eq!(err.scim_type, ScimType::NoTarget);
}

#[test]
fn patch_errors_display_their_detail() {
    let err = patch_error(json!([{"op": "add", "path": "foo", "value": 1}]));
    assert_eq!(
        err.to_string(),
        "The attribute 'foo' does not exist on User."
    );
}

// --- normalize_resource ---------------------------------------------------

fn normalized(body: Value) -> Value {
    match normalize_resource(&body, &user_schema(), WriteMode::Create) {
        Ok(value) => value,
        Err(e) => panic!("normalisation failed: {e:?}"),
    }
}

fn normalize_error(body: Value) -> PatchError {
    normalize_resource(&body, &user_schema(), WriteMode::Create)
        .expect_err("the body should have been refused")
}

#[test]
fn normalize_canonicalises_names_of_core_extension_and_sub_attributes() {
    assert_eq!(
        normalized(json!({
            "schemas": [urn::USER, EXT],
            "USERNAME": "bjensen",
            "Name": {"GIVENNAME": "Barbara"},
            "emails": [{"Value": "b@x.org", "TYPE": "work"}],
            "urn:roster:params:scim:schemas:extension:ROSTER:2.0:User": {"Role": "admin"}
        })),
        json!({
            "schemas": [urn::USER, EXT],
            "userName": "bjensen",
            "name": {"givenName": "Barbara"},
            "emails": [{"value": "b@x.org", "type": "work"}],
            EXT: {"role": "admin"}
        })
    );
}

#[test]
fn normalize_moves_urn_qualified_keys_into_place() {
    assert_eq!(
        normalized(json!({
            "urn:ietf:params:scim:schemas:core:2.0:User:userName": "bjensen",
            "urn:roster:params:scim:schemas:extension:roster:2.0:User:role": "admin",
            "urn:ietf:params:scim:schemas:core:2.0:User": {"displayName": "Babs"}
        })),
        json!({
            "schemas": [urn::USER, EXT],
            "userName": "bjensen",
            "displayName": "Babs",
            EXT: {"role": "admin"}
        })
    );
}

#[test]
fn normalize_drops_read_only_attributes_and_keeps_external_id() {
    assert_eq!(
        normalized(json!({
            "schemas": [urn::USER],
            "id": "client-chosen",
            "externalId": "ext-1",
            "meta": {"resourceType": "User"},
            "userName": "bjensen",
            "groups": [{"value": "g1"}],
            EXT: {"status": "active", "creditsUsed": 3, "creditLimit": 10, "role": "member"}
        })),
        json!({
            "schemas": [urn::USER, EXT],
            "externalId": "ext-1",
            "userName": "bjensen",
            EXT: {"creditLimit": 10, "role": "member"}
        })
    );
}

#[test]
fn normalize_drops_an_extension_left_with_only_read_only_attributes() {
    assert_eq!(
        normalized(json!({"userName": "bjensen", EXT: {"status": "active"}})),
        json!({"schemas": [urn::USER], "userName": "bjensen"})
    );
}

#[test]
fn normalize_drops_nulls_and_wraps_single_values() {
    assert_eq!(
        normalized(json!({
            "userName": "bjensen",
            "nickName": null,
            "emails": {"value": "b@x.org"},
            "phoneNumbers": [],
            EXT: {"departments": "Sales", "role": "member", "creditLimit": null}
        })),
        json!({
            "schemas": [urn::USER, EXT],
            "userName": "bjensen",
            "emails": [{"value": "b@x.org"}],
            EXT: {"departments": ["Sales"], "role": "member"}
        })
    );
}

#[test]
fn normalize_adds_the_core_schema_when_missing() {
    assert_eq!(
        normalized(json!({"schemas": [], "userName": "bjensen"})),
        json!({"schemas": [urn::USER], "userName": "bjensen"})
    );
}

#[test]
fn normalize_requires_user_name_and_display_name() {
    assert_eq!(
        normalize_error(json!({"schemas": [urn::USER], "displayName": "Babs"})),
        error(ScimType::InvalidValue, "userName is required.")
    );
    assert_eq!(
        normalize_resource(
            &json!({"members": []}),
            &ResourceSchema::group(),
            WriteMode::Create
        )
        .unwrap_err(),
        error(ScimType::InvalidValue, "displayName is required.")
    );
    assert_eq!(
        normalize_resource(
            &json!({"userName": null}),
            &user_schema(),
            WriteMode::Replace
        )
        .unwrap_err()
        .scim_type,
        ScimType::InvalidValue,
        "null is no value"
    );
}

#[test]
fn normalize_requires_required_sub_attributes() {
    assert_eq!(
        normalize_error(
            json!({"userName": "b", EXT: {"role": "member", "applications": [{"mode": "all"}]}})
        ),
        error(ScimType::InvalidValue, "applications.value is required.")
    );
}

#[test]
fn normalize_rejects_unknown_attributes_naming_them() {
    assert_eq!(
        normalize_error(json!({"userName": "b", "shoeSize": 9})),
        error(
            ScimType::InvalidValue,
            "The attribute 'shoeSize' does not exist on User."
        )
    );
    assert_eq!(
        normalize_error(json!({"userName": "b", "shoeSize": 9, EXT: {"hatSize": 7}})),
        error(
            ScimType::InvalidValue,
            "These attributes do not exist on User: 'shoeSize', 'urn:roster:params:scim:schemas:extension:roster:2.0:User:hatSize'."
        )
    );
}

#[test]
fn normalize_rejects_unknown_schemas() {
    assert_eq!(
        normalize_error(json!({"schemas": [urn::USER, "urn:example:Other"], "userName": "b"})),
        error(
            ScimType::InvalidValue,
            "The schema 'urn:example:Other' is not one that User supports."
        )
    );
}

#[test]
fn normalize_type_checks_values() {
    assert_eq!(
        normalize_error(json!({"userName": "b", "active": "yes"})),
        error(
            ScimType::InvalidValue,
            "The value of 'active' must be true or false, not a string."
        )
    );
    assert_eq!(
        normalize_error(json!({"userName": "b", EXT: {"creditLimit": 2.5}})),
        error(
            ScimType::InvalidValue,
            "The value of 'creditLimit' must be a whole number, not a number."
        )
    );
    assert_eq!(
        normalize_error(json!({"userName": "b", EXT: "admin"})),
        error(
            ScimType::InvalidValue,
            "The value of 'urn:roster:params:scim:schemas:extension:roster:2.0:User' must be an object of its attributes, not a string."
        )
    );
}

#[test]
fn normalize_allows_one_primary_value_only() {
    assert_eq!(
        normalize_error(json!({"userName": "b", "emails": [
            {"value": "a@x.org", "primary": true},
            {"value": "b@x.org", "primary": true}
        ]})),
        error(
            ScimType::InvalidValue,
            "Only one value of 'emails' can be primary."
        )
    );
}

#[test]
fn normalize_rejects_an_attribute_given_twice() {
    assert_eq!(
        normalize_error(json!({"userName": "a", "USERNAME": "b"})),
        error(
            ScimType::InvalidValue,
            "'userName' is given more than once."
        )
    );
}

#[test]
fn normalize_rejects_a_body_that_is_not_an_object() {
    assert_eq!(
        normalize_error(json!(["userName"])),
        error(
            ScimType::InvalidSyntax,
            "The body must be a JSON object of User attributes, not a list."
        )
    );
}

#[test]
fn normalize_of_a_group() {
    assert_eq!(
        normalize_resource(
            &json!({"displayname": "Admins", "members": [{"value": "u1", "display": "Ann", "type": "User"}]}),
            &ResourceSchema::group(),
            WriteMode::Replace
        )
        .unwrap(),
        json!({"schemas": [urn::GROUP], "displayName": "Admins", "members": [{"value": "u1", "type": "User"}]})
    );
}

#[test]
fn carry_over_keeps_server_managed_values_and_the_password() {
    let stored = json!({
        "schemas": [urn::USER, EXT],
        "id": "1",
        "meta": {"resourceType": "User"},
        "userName": "old",
        "password": "secret",
        "nickName": "Babs",
        EXT: {"status": "active", "role": "member"}
    });
    let mut replacement = normalize_resource(
        &json!({"id": "1", "userName": "new"}),
        &user_schema(),
        WriteMode::Replace,
    )
    .unwrap();
    carry_over_on_replace(&stored, &mut replacement, &user_schema()).unwrap();
    assert_eq!(
        replacement,
        json!({
            "schemas": [urn::USER, EXT],
            "id": "1",
            "meta": {"resourceType": "User"},
            "userName": "new",
            "password": "secret",
            EXT: {"status": "active"}
        }),
        "nickName and role were left out of the PUT, so they are cleared"
    );
}

#[test]
fn carry_over_refuses_a_changed_immutable_attribute() {
    let schema = badge_schema();
    let stored = json!({"schemas": ["urn:example:Badge"], "id": "b1", "serial": "S-1"});
    let mut same = json!({"schemas": ["urn:example:Badge"], "serial": "S-1", "holder": "x"});
    carry_over_on_replace(&stored, &mut same, &schema).unwrap();
    assert_eq!(
        same,
        json!({"schemas": ["urn:example:Badge"], "id": "b1", "serial": "S-1", "holder": "x"})
    );
    let mut changed = json!({"schemas": ["urn:example:Badge"], "serial": "S-2"});
    assert_eq!(
        carry_over_on_replace(&stored, &mut changed, &schema).unwrap_err(),
        error(
            ScimType::Mutability,
            "'serial' is immutable: it already has a value, which cannot be changed."
        )
    );
}

#[test]
fn remove_from_a_multi_valued_string_attribute_by_filter() {
    let mut expected = bjensen();
    expected[EXT]["permissions"] = json!(["crm:read"]);
    let added = patched(json!([{"op": "add", "path": "permissions", "value": "crm:write"}]));
    assert_eq!(
        added[EXT]["permissions"],
        json!(["crm:read", "crm:write"]),
        "a single string is appended"
    );
    assert_eq!(
        patch_with(
            &user_schema(),
            added,
            json!([{"op": "remove", "path": "permissions[value eq \"crm:write\"]"}])
        ),
        expected
    );
}

#[test]
fn remove_of_a_sub_attribute_of_every_value() {
    let mut expected = bjensen();
    expected["emails"] = json!([
        {"value": "bjensen@example.com", "primary": true},
        {"value": "babs@jensen.org"}
    ]);
    assert_eq!(
        patched(json!([{"op": "remove", "path": "emails.type"}])),
        expected
    );
}
