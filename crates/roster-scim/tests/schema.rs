//! Schema definitions: the RFC 7643 User and Group, the common attributes,
//! the Roster extension, the builder, JSON rendering and path resolution.

use roster_scim::filter::parse_attr_path;
use roster_scim::schema::{
    common_attributes, core_group_schema, core_user_schema, roster_user_extension, AttrType,
    AttributeDef, CatalogueHints, Mutability, ResourceSchema, Returned, SchemaDef, Uniqueness,
};
use roster_scim::urn;
use serde_json::{json, Value};

fn hints() -> CatalogueHints {
    CatalogueHints {
        role_ids: vec![
            "admin".into(),
            "manager".into(),
            "member".into(),
            "viewer".into(),
        ],
        application_ids: vec!["crm".into(), "billing".into()],
        permission_ids: vec!["crm:read".into(), "crm:export".into(), "billing:pay".into()],
    }
}

fn user() -> ResourceSchema {
    ResourceSchema::user(&hints())
}

fn names(attributes: &[AttributeDef]) -> Vec<&str> {
    attributes.iter().map(|a| a.name.as_str()).collect()
}

fn attr<'a>(schema: &'a SchemaDef, name: &str) -> &'a AttributeDef {
    schema
        .attribute(name)
        .unwrap_or_else(|| panic!("{} has no {name}", schema.name))
}

/// Every value of `key` anywhere in a JSON document.
fn collect<'a>(value: &'a Value, key: &str, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(members) => {
            for (k, v) in members {
                if k == key {
                    if let Some(s) = v.as_str() {
                        out.push(s);
                    }
                }
                collect(v, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, key, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------- builder

#[test]
fn builder_defaults_follow_rfc_7643() {
    let a = AttributeDef::new("nickName", AttrType::String);
    assert_eq!(a.name, "nickName");
    assert_eq!(a.ty, AttrType::String);
    assert!(!a.multi_valued && !a.required && !a.case_exact);
    assert_eq!(a.mutability, Mutability::ReadWrite);
    assert_eq!(a.returned, Returned::Default);
    assert_eq!(a.uniqueness, Uniqueness::None);
    assert!(a.description.is_empty() && a.canonical_values.is_empty());
    assert!(a.reference_types.is_empty() && a.sub_attributes.is_empty());
}

#[test]
fn builder_sets_each_characteristic() {
    let a = AttributeDef::new("owner", AttrType::Reference)
        .multi()
        .required()
        .case_exact()
        .mutability(Mutability::Immutable)
        .returned(Returned::Request)
        .uniqueness(Uniqueness::Global)
        .canonical(&["a", "b"])
        .refs(&["User"])
        .describe("Who owns it.")
        .subs(vec![AttributeDef::new("Value", AttrType::String)]);
    assert!(a.multi_valued && a.required && a.case_exact);
    assert_eq!(a.mutability, Mutability::Immutable);
    assert_eq!(a.returned, Returned::Request);
    assert_eq!(a.uniqueness, Uniqueness::Global);
    assert_eq!(a.canonical_values, ["a", "b"]);
    assert_eq!(a.reference_types, ["User"]);
    assert_eq!(a.description, "Who owns it.");
    assert_eq!(
        a.sub("value").map(|s| s.name.as_str()),
        Some("Value"),
        "sub() ignores case"
    );
    assert_eq!(a.sub("VALUE").map(|s| s.name.as_str()), Some("Value"));
    assert!(a.sub("display").is_none());
}

// ------------------------------------------------------------------- JSON

#[test]
fn attribute_json_names_every_characteristic() {
    let types = [
        (AttrType::String, "string"),
        (AttrType::Boolean, "boolean"),
        (AttrType::Decimal, "decimal"),
        (AttrType::Integer, "integer"),
        (AttrType::DateTime, "dateTime"),
        (AttrType::Binary, "binary"),
        (AttrType::Reference, "reference"),
        (AttrType::Complex, "complex"),
    ];
    for (ty, name) in types {
        assert_eq!(AttributeDef::new("a", ty).to_json()["type"], name);
        assert_eq!(ty.as_str(), name);
    }
    let mutabilities = [
        (Mutability::ReadOnly, "readOnly"),
        (Mutability::ReadWrite, "readWrite"),
        (Mutability::Immutable, "immutable"),
        (Mutability::WriteOnly, "writeOnly"),
    ];
    for (m, name) in mutabilities {
        let j = AttributeDef::new("a", AttrType::String)
            .mutability(m)
            .to_json();
        assert_eq!(j["mutability"], name);
    }
    let returned = [
        (Returned::Always, "always"),
        (Returned::Never, "never"),
        (Returned::Default, "default"),
        (Returned::Request, "request"),
    ];
    for (r, name) in returned {
        assert_eq!(
            AttributeDef::new("a", AttrType::String)
                .returned(r)
                .to_json()["returned"],
            name
        );
    }
    let uniqueness = [
        (Uniqueness::None, "none"),
        (Uniqueness::Server, "server"),
        (Uniqueness::Global, "global"),
    ];
    for (u, name) in uniqueness {
        assert_eq!(
            AttributeDef::new("a", AttrType::String)
                .uniqueness(u)
                .to_json()["uniqueness"],
            name
        );
    }
}

#[test]
fn attribute_json_is_an_rfc_7643_attribute_object() {
    let emails = attr(&core_user_schema(), "emails").to_json();
    assert_eq!(emails["name"], "emails");
    assert_eq!(emails["type"], "complex");
    assert_eq!(emails["multiValued"], true);
    assert_eq!(emails["required"], false);
    assert_eq!(emails["caseExact"], false);
    assert_eq!(emails["mutability"], "readWrite");
    assert_eq!(emails["returned"], "default");
    assert_eq!(emails["uniqueness"], "none");
    assert!(emails["description"]
        .as_str()
        .unwrap()
        .starts_with("Email addresses for the user."));
    let subs = emails["subAttributes"].as_array().unwrap();
    let sub_names: Vec<&str> = subs.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(sub_names, ["value", "display", "type", "primary"]);
    assert_eq!(subs[2]["canonicalValues"], json!(["work", "home", "other"]));
    assert!(
        subs[0].get("canonicalValues").is_none(),
        "no empty canonicalValues"
    );
    assert!(
        subs[0].get("subAttributes").is_none(),
        "only complex attributes have subAttributes"
    );

    let profile = attr(&core_user_schema(), "profileUrl").to_json();
    assert_eq!(profile["referenceTypes"], json!(["external"]));
    let user_name = attr(&core_user_schema(), "userName").to_json();
    assert!(user_name.get("referenceTypes").is_none());
    assert_eq!(user_name["required"], true);
    assert_eq!(user_name["uniqueness"], "server");
}

#[test]
fn schema_json_is_a_schema_resource() {
    let j = core_user_schema().to_json("https://example.com/scim/v2");
    assert_eq!(j["schemas"], json!([urn::SCHEMA]));
    assert_eq!(j["id"], urn::USER);
    assert_eq!(j["name"], "User");
    assert_eq!(j["description"], "User Account");
    assert_eq!(j["meta"]["resourceType"], "Schema");
    assert_eq!(
        j["meta"]["location"],
        format!("https://example.com/scim/v2/Schemas/{}", urn::USER)
    );
    assert_eq!(j["attributes"].as_array().unwrap().len(), 21);

    let j = roster_user_extension(&hints()).to_json("http://127.0.0.1:8080/scim/v2/");
    assert_eq!(
        j["meta"]["location"],
        format!("http://127.0.0.1:8080/scim/v2/Schemas/{}", urn::ROSTER_USER),
        "a trailing slash on the base URL does not double"
    );
    assert_eq!(j["name"], "RosterUser");
}

#[test]
fn published_schemas_use_the_rfc_vocabulary() {
    let mut user_json = core_user_schema().to_json("https://x");
    let extension = roster_user_extension(&hints()).to_json("https://x");
    let group = core_group_schema().to_json("https://x");
    user_json["attributes"]
        .as_array_mut()
        .unwrap()
        .extend(common_attributes().iter().map(AttributeDef::to_json));
    let all = json!([user_json, extension, group]);

    let mut mutabilities = Vec::new();
    collect(&all, "mutability", &mut mutabilities);
    for m in ["readOnly", "readWrite", "immutable", "writeOnly"] {
        assert!(mutabilities.contains(&m), "some attribute is {m}");
    }
    assert!(mutabilities
        .iter()
        .all(|m| ["readOnly", "readWrite", "immutable", "writeOnly"].contains(m)));

    let mut returned = Vec::new();
    collect(&all, "returned", &mut returned);
    for r in ["always", "never", "default"] {
        assert!(returned.contains(&r), "some attribute is returned {r}");
    }
    assert!(returned
        .iter()
        .all(|r| ["always", "never", "default", "request"].contains(r)));

    let mut uniqueness = Vec::new();
    collect(&all, "uniqueness", &mut uniqueness);
    assert!(uniqueness.contains(&"none") && uniqueness.contains(&"server"));
    assert!(uniqueness
        .iter()
        .all(|u| ["none", "server", "global"].contains(u)));

    let mut types = Vec::new();
    collect(&all, "type", &mut types);
    for t in [
        "string",
        "boolean",
        "integer",
        "dateTime",
        "binary",
        "reference",
        "complex",
    ] {
        assert!(types.contains(&t), "some attribute is a {t}");
    }
}

// ---------------------------------------------------------- RFC 7643 User

#[test]
fn core_user_has_every_rfc_attribute_in_order() {
    let schema = core_user_schema();
    assert_eq!(schema.id, urn::USER);
    assert_eq!(
        names(&schema.attributes),
        [
            "userName",
            "name",
            "displayName",
            "nickName",
            "profileUrl",
            "title",
            "userType",
            "preferredLanguage",
            "locale",
            "timezone",
            "active",
            "password",
            "emails",
            "phoneNumbers",
            "ims",
            "photos",
            "addresses",
            "groups",
            "entitlements",
            "roles",
            "x509Certificates",
        ]
    );
    assert_eq!(
        names(&attr(&schema, "name").sub_attributes),
        [
            "formatted",
            "familyName",
            "givenName",
            "middleName",
            "honorificPrefix",
            "honorificSuffix"
        ]
    );
    assert_eq!(
        names(&attr(&schema, "addresses").sub_attributes),
        [
            "formatted",
            "streetAddress",
            "locality",
            "region",
            "postalCode",
            "country",
            "type"
        ]
    );
    for multi in [
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "entitlements",
        "roles",
        "x509Certificates",
    ] {
        let a = attr(&schema, multi);
        assert!(
            a.multi_valued && a.ty == AttrType::Complex,
            "{multi} is multi-valued complex"
        );
        assert_eq!(
            names(&a.sub_attributes),
            ["value", "display", "type", "primary"],
            "{multi}"
        );
        assert_eq!(a.sub("primary").unwrap().ty, AttrType::Boolean);
    }
    assert_eq!(
        attr(&schema, "phoneNumbers")
            .sub("type")
            .unwrap()
            .canonical_values,
        ["work", "home", "mobile", "fax", "pager", "other"]
    );
    assert_eq!(
        attr(&schema, "ims").sub("type").unwrap().canonical_values,
        ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]
    );
    let photo = attr(&schema, "photos").sub("value").unwrap();
    assert_eq!(
        (photo.ty, photo.reference_types.as_slice()),
        (AttrType::Reference, &["external".to_string()][..])
    );
    assert_eq!(
        attr(&schema, "photos")
            .sub("type")
            .unwrap()
            .canonical_values,
        ["photo", "thumbnail"]
    );
    assert_eq!(
        attr(&schema, "x509Certificates").sub("value").unwrap().ty,
        AttrType::Binary
    );
    assert_eq!(attr(&schema, "active").ty, AttrType::Boolean);
}

#[test]
fn core_user_characteristics() {
    let schema = core_user_schema();
    let user_name = attr(&schema, "userName");
    assert!(user_name.required && !user_name.case_exact);
    assert_eq!(user_name.uniqueness, Uniqueness::Server);

    let password = attr(&schema, "password");
    assert_eq!(
        (password.mutability, password.returned),
        (Mutability::WriteOnly, Returned::Never)
    );

    let groups = attr(&schema, "groups");
    assert_eq!(groups.mutability, Mutability::ReadOnly);
    assert_eq!(
        names(&groups.sub_attributes),
        ["value", "$ref", "display", "type"]
    );
    assert!(groups
        .sub_attributes
        .iter()
        .all(|s| s.mutability == Mutability::ReadOnly));
    assert_eq!(
        groups.sub("$REF").unwrap().reference_types,
        ["User", "Group"]
    );
    assert_eq!(
        groups.sub("type").unwrap().canonical_values,
        ["direct", "indirect"]
    );

    // Roster's deliberate differences: mirrored from the extension.
    for mirrored in ["roles", "entitlements"] {
        let a = attr(&schema, mirrored);
        assert_eq!(
            a.mutability,
            Mutability::ReadOnly,
            "{mirrored} is server-managed"
        );
        assert!(a
            .sub_attributes
            .iter()
            .all(|s| s.mutability == Mutability::ReadOnly));
    }
    // Everything else a client may write.
    for writable in [
        "name",
        "displayName",
        "emails",
        "addresses",
        "x509Certificates",
        "active",
    ] {
        assert_eq!(
            attr(&schema, writable).mutability,
            Mutability::ReadWrite,
            "{writable}"
        );
    }
    assert_eq!(
        attr(&schema, "emails").sub("display").unwrap().mutability,
        Mutability::ReadWrite
    );
}

#[test]
fn core_group() {
    let schema = core_group_schema();
    assert_eq!(
        (schema.id.as_str(), schema.name.as_str()),
        (urn::GROUP, "Group")
    );
    assert_eq!(names(&schema.attributes), ["displayName", "members"]);
    assert!(attr(&schema, "displayName").required);
    let members = attr(&schema, "members");
    assert!(members.multi_valued && members.ty == AttrType::Complex);
    let value = members.sub("value").unwrap();
    assert_eq!(value.mutability, Mutability::Immutable);
    let reference = members.sub("$ref").unwrap();
    assert_eq!(
        (reference.ty, reference.mutability),
        (AttrType::Reference, Mutability::Immutable)
    );
    assert_eq!(reference.reference_types, ["User", "Group"]);
    assert_eq!(
        members.sub("display").unwrap().mutability,
        Mutability::ReadOnly
    );
    let ty = members.sub("type").unwrap();
    assert_eq!(ty.mutability, Mutability::Immutable);
    assert_eq!(ty.canonical_values, ["User", "Group"]);
}

#[test]
fn common_attributes_are_built_once() {
    let common = common_attributes();
    assert!(std::ptr::eq(common, common_attributes()), "one shared list");
    assert_eq!(names(common), ["id", "externalId", "meta"]);
    let id = &common[0];
    assert!(id.case_exact);
    assert_eq!(
        (id.mutability, id.returned, id.uniqueness),
        (Mutability::ReadOnly, Returned::Always, Uniqueness::Server)
    );
    let external = &common[1];
    assert!(external.case_exact);
    assert_eq!(external.mutability, Mutability::ReadWrite);
    let meta = &common[2];
    assert_eq!(
        (meta.ty, meta.mutability),
        (AttrType::Complex, Mutability::ReadOnly)
    );
    assert_eq!(
        names(&meta.sub_attributes),
        [
            "resourceType",
            "created",
            "lastModified",
            "location",
            "version"
        ]
    );
    assert_eq!(meta.sub("created").unwrap().ty, AttrType::DateTime);
    assert_eq!(meta.sub("lastModified").unwrap().ty, AttrType::DateTime);
    let location = meta.sub("location").unwrap();
    assert_eq!(
        (location.ty, location.reference_types.as_slice()),
        (AttrType::Reference, &["uri".to_string()][..])
    );
    let version = meta.sub("version").unwrap();
    assert!(version.case_exact && version.ty == AttrType::String);
}

// ------------------------------------------------------ Roster extension

#[test]
fn roster_extension_attributes() {
    let ext = roster_user_extension(&hints());
    assert_eq!(
        (ext.id.as_str(), ext.name.as_str()),
        (urn::ROSTER_USER, "RosterUser")
    );
    assert!(!ext.description.is_empty());
    use AttrType::*;
    use Mutability::*;
    let expected = [
        ("status", String, false, ReadOnly),
        ("role", String, false, ReadWrite),
        ("applications", Complex, true, ReadWrite),
        ("permissions", String, true, ReadWrite),
        ("resources", Complex, true, ReadOnly),
        ("departments", String, true, ReadWrite),
        ("creditLimit", Integer, false, ReadWrite),
        ("creditsUsed", Integer, false, ReadOnly),
        ("allowedIps", String, true, ReadWrite),
        ("notifications", Complex, false, ReadWrite),
        ("lastActive", DateTime, false, ReadOnly),
        ("invitation", Complex, false, ReadOnly),
    ];
    assert_eq!(
        names(&ext.attributes),
        expected.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    for (name, ty, multi, mutability) in expected {
        let a = attr(&ext, name);
        assert_eq!(
            (a.ty, a.multi_valued, a.mutability),
            (ty, multi, mutability),
            "{name}"
        );
        assert!(
            !a.description.is_empty(),
            "{name} is described for plain SCIM clients"
        );
        for sub in &a.sub_attributes {
            assert!(
                !sub.description.is_empty(),
                "{name}.{} is described",
                sub.name
            );
        }
    }
}

#[test]
fn roster_extension_details() {
    let ext = roster_user_extension(&hints());
    let status = attr(&ext, "status");
    assert!(status.case_exact);
    assert_eq!(status.mutability, Mutability::ReadOnly);
    assert_eq!(
        status.returned,
        Returned::Request,
        "server state is returned on request"
    );
    assert!(
        attr(&ext, "role").required,
        "role is required when the extension is sent"
    );
    assert_eq!(status.canonical_values, ["pending", "active", "archived"]);

    let role = attr(&ext, "role");
    assert!(role.case_exact);
    assert_eq!(
        role.canonical_values,
        ["admin", "manager", "member", "viewer"]
    );

    let apps = attr(&ext, "applications");
    // No display: a name the server fills in would not read back as written.
    assert_eq!(names(&apps.sub_attributes), ["value", "mode"]);
    let value = apps.sub("value").unwrap();
    assert!(value.required && value.case_exact);
    assert_eq!(value.canonical_values, ["crm", "billing"]);
    assert_eq!(value.mutability, Mutability::ReadWrite);
    let mode = apps.sub("mode").unwrap();
    assert!(mode.case_exact);
    assert_eq!(mode.canonical_values, ["all", "custom"]);
    assert_eq!(mode.mutability, Mutability::ReadWrite);

    let permissions = attr(&ext, "permissions");
    assert!(permissions.case_exact);
    assert_eq!(
        permissions.canonical_values,
        ["crm:read", "crm:export", "billing:pay"]
    );

    let resources = attr(&ext, "resources");
    assert_eq!(
        names(&resources.sub_attributes),
        ["value", "display", "application"]
    );
    assert!(resources
        .sub_attributes
        .iter()
        .all(|s| s.mutability == Mutability::ReadOnly));

    assert!(attr(&ext, "creditLimit")
        .description
        .contains("absent means unlimited"));
    assert_eq!(
        attr(&ext, "allowedIps").canonical_values,
        [
            "127.0.0.1/32",
            "::1/128",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16"
        ]
    );

    let notifications = attr(&ext, "notifications");
    assert_eq!(
        names(&notifications.sub_attributes),
        ["email", "inApp", "digest"]
    );
    assert_eq!(notifications.sub("email").unwrap().ty, AttrType::Boolean);
    assert_eq!(notifications.sub("inApp").unwrap().ty, AttrType::Boolean);
    assert_eq!(
        notifications.sub("digest").unwrap().canonical_values,
        ["never", "daily", "weekly"]
    );
    assert!(notifications
        .sub_attributes
        .iter()
        .all(|s| s.mutability == Mutability::ReadWrite));

    let invitation = attr(&ext, "invitation");
    assert_eq!(
        names(&invitation.sub_attributes),
        ["sentAt", "expiresAt", "invitedBy", "expired"]
    );
    assert!(invitation
        .sub_attributes
        .iter()
        .all(|s| s.mutability == Mutability::ReadOnly));
    assert_eq!(invitation.sub("expiresAt").unwrap().ty, AttrType::DateTime);
    assert_eq!(invitation.sub("expired").unwrap().ty, AttrType::Boolean);
}

#[test]
fn empty_catalogues_publish_no_canonical_values() {
    let ext = roster_user_extension(&CatalogueHints::default());
    assert!(attr(&ext, "role").canonical_values.is_empty());
    assert!(attr(&ext, "permissions").canonical_values.is_empty());
    let j = attr(&ext, "role").to_json();
    assert!(j.get("canonicalValues").is_none());
}

// --------------------------------------------------------------- resolve

fn resolve(schema: &ResourceSchema, text: &str) -> Option<(String, bool, String, Option<String>)> {
    let path = parse_attr_path(text).unwrap();
    schema.resolve(&path).map(|r| {
        (
            r.schema.to_string(),
            r.in_extension,
            r.attr.name.clone(),
            r.sub_attr.map(|s| s.name.clone()),
        )
    })
}

fn found(
    schema: &str,
    in_extension: bool,
    attr: &str,
    sub: Option<&str>,
) -> Option<(String, bool, String, Option<String>)> {
    Some((
        schema.into(),
        in_extension,
        attr.into(),
        sub.map(Into::into),
    ))
}

#[test]
fn resolve_unqualified_names() {
    let schema = user();
    assert_eq!(
        resolve(&schema, "userName"),
        found(urn::USER, false, "userName", None)
    );
    assert_eq!(
        resolve(&schema, "USERNAME"),
        found(urn::USER, false, "userName", None)
    );
    assert_eq!(
        resolve(&schema, "name.familyName"),
        found(urn::USER, false, "name", Some("familyName"))
    );
    assert_eq!(
        resolve(&schema, "NAME.FAMILYNAME"),
        found(urn::USER, false, "name", Some("familyName"))
    );
    assert_eq!(
        resolve(&schema, "role"),
        found(urn::ROSTER_USER, true, "role", None)
    );
    assert_eq!(
        resolve(&schema, "applications.mode"),
        found(urn::ROSTER_USER, true, "applications", Some("mode"))
    );
    assert_eq!(
        resolve(&schema, "groups.$ref"),
        found(urn::USER, false, "groups", Some("$ref"))
    );
}

#[test]
fn resolve_common_attributes() {
    let schema = user();
    assert_eq!(resolve(&schema, "id"), found(urn::USER, false, "id", None));
    assert_eq!(
        resolve(&schema, "externalId"),
        found(urn::USER, false, "externalId", None)
    );
    assert_eq!(
        resolve(&schema, "meta.lastModified"),
        found(urn::USER, false, "meta", Some("lastModified"))
    );
    assert_eq!(
        resolve(&schema, &format!("{}:meta.version", urn::USER)),
        found(urn::USER, false, "meta", Some("version")),
        "common attributes resolve under the core URN"
    );
    assert_eq!(
        resolve(&schema, &format!("{}:id", urn::ROSTER_USER)),
        None,
        "but not under an extension's"
    );
    let group = ResourceSchema::group();
    assert_eq!(resolve(&group, "id"), found(urn::GROUP, false, "id", None));
    assert_eq!(
        resolve(&group, &format!("{}:id", urn::GROUP)),
        found(urn::GROUP, false, "id", None)
    );
}

#[test]
fn resolve_qualified_names() {
    let schema = user();
    assert_eq!(
        resolve(&schema, &format!("{}:name.givenName", urn::USER)),
        found(urn::USER, false, "name", Some("givenName"))
    );
    assert_eq!(
        resolve(&schema, &format!("{}:role", urn::ROSTER_USER)),
        found(urn::ROSTER_USER, true, "role", None)
    );
    assert_eq!(
        resolve(
            &schema,
            &format!("{}:ROLE", urn::ROSTER_USER.to_uppercase())
        ),
        found(urn::ROSTER_USER, true, "role", None),
        "URNs compare ignoring case"
    );
    assert_eq!(
        resolve(&schema, &format!("{}:role", urn::USER)),
        None,
        "role is not in the core schema"
    );
    assert_eq!(
        resolve(&schema, &format!("{}:userName", urn::ROSTER_USER)),
        None
    );
    assert_eq!(
        resolve(
            &schema,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
        ),
        None,
        "an extension this resource type does not have"
    );
}

#[test]
fn resolve_rejects_unknown_attributes_and_sub_attributes() {
    let schema = user();
    assert_eq!(resolve(&schema, "nonsense"), None);
    assert_eq!(resolve(&schema, "name.nonsense"), None);
    assert_eq!(
        resolve(&schema, "userName.value"),
        None,
        "a simple attribute has no sub-attributes"
    );
    assert_eq!(
        resolve(&schema, "roles.display"),
        found(urn::USER, false, "roles", Some("display"))
    );
}

#[test]
fn resolved_definitions_are_the_schema_s_own() {
    let schema = user();
    let path = parse_attr_path("emails.value").unwrap();
    let r = schema.resolve(&path).unwrap();
    assert!(std::ptr::eq(
        r.attr,
        schema.core.attribute("emails").unwrap()
    ));
    assert_eq!(r.sub_attr.unwrap().ty, AttrType::String);
}

#[test]
fn extension_lookup_ignores_case() {
    let schema = user();
    assert_eq!(
        schema.extension(urn::ROSTER_USER).map(|e| e.name.as_str()),
        Some("RosterUser")
    );
    assert_eq!(
        schema
            .extension(&urn::ROSTER_USER.to_lowercase())
            .map(|e| e.name.as_str()),
        Some("RosterUser")
    );
    assert!(
        schema.extension(urn::USER).is_none(),
        "the core schema is not an extension"
    );
    assert!(ResourceSchema::group()
        .extension(urn::ROSTER_USER)
        .is_none());
    assert_eq!(user().core, core_user_schema());
    assert_eq!(user().extensions, vec![roster_user_extension(&hints())]);
}
