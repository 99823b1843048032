//! The schemas RFC 7643 defines: the common attributes (§3.1), User and
//! Group (§4, written out in §8.7.1).

use std::sync::OnceLock;

use super::{AttrType, AttributeDef, Mutability, Returned, SchemaDef, Uniqueness};

use AttrType::{Binary, Boolean, Complex, DateTime, Reference};

fn string(name: &str) -> AttributeDef {
    AttributeDef::new(name, AttrType::String)
}

/// `id`, `externalId` and `meta`, which every resource has whatever its
/// schema (RFC 7643 §3.1). Built once: they are consulted on every resolve.
pub fn common_attributes() -> &'static [AttributeDef] {
    static COMMON: OnceLock<Vec<AttributeDef>> = OnceLock::new();
    COMMON.get_or_init(|| {
        let read_only = Mutability::ReadOnly;
        vec![
            string("id")
                .case_exact()
                .mutability(read_only)
                .returned(Returned::Always)
                .uniqueness(Uniqueness::Server)
                .describe(
                    "A unique identifier for a SCIM resource as defined by the service provider.",
                ),
            string("externalId").case_exact().describe(
                "A String that is an identifier for the resource as defined by the provisioning client.",
            ),
            AttributeDef::new("meta", Complex)
                .mutability(read_only)
                .describe("A complex attribute containing resource metadata.")
                .subs(vec![
                    string("resourceType")
                        .case_exact()
                        .mutability(read_only)
                        .describe("The name of the resource type of the resource."),
                    AttributeDef::new("created", DateTime)
                        .mutability(read_only)
                        .describe("The DateTime that the resource was added to the service provider."),
                    AttributeDef::new("lastModified", DateTime)
                        .mutability(read_only)
                        .describe(
                            "The most recent DateTime that the details of this resource were updated at the service provider.",
                        ),
                    AttributeDef::new("location", Reference)
                        .refs(&["uri"])
                        .case_exact()
                        .mutability(read_only)
                        .describe("The URI of the resource being returned."),
                    string("version")
                        .case_exact()
                        .mutability(read_only)
                        .describe("The version of the resource being returned."),
                ]),
        ]
    })
}

const DISPLAY: &str = "A human-readable name, primarily used for display purposes. READ-ONLY.";

/// `value`, `display`, `type` and `primary`: the sub-attributes the RFC's
/// multi-valued attributes share, with the description of `value`,
/// of `type`, the canonical types and the example for `primary`.
fn multi_valued_subs(
    value: AttributeDef,
    type_description: &str,
    types: &[&str],
    primary_example: Option<&str>,
) -> Vec<AttributeDef> {
    let primary = match primary_example {
        Some(example) => format!(
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., {example}. The primary attribute value 'true' MUST appear no more than once."
        ),
        None => "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.".to_string(),
    };
    vec![
        value,
        // The RFC says READ-ONLY in the text but readWrite in the schema;
        // the schema is what clients act on, so it stays readWrite.
        string("display").describe(DISPLAY),
        string("type").canonical(types).describe(type_description),
        AttributeDef::new("primary", Boolean).describe(&primary),
    ]
}

/// Every attribute of a complex attribute made read-only, sub-attributes
/// included, so that a client sees the whole attribute is server-managed.
fn read_only(attribute: AttributeDef) -> AttributeDef {
    let subs = attribute
        .sub_attributes
        .iter()
        .cloned()
        .map(|sub| sub.mutability(Mutability::ReadOnly))
        .collect();
    attribute.mutability(Mutability::ReadOnly).subs(subs)
}

fn name_part(name: &str, description: &str) -> AttributeDef {
    string(name).describe(description)
}

/// The core User schema of RFC 7643 §8.7.1, every attribute as the RFC
/// defines it, except where marked "Roster:".
pub fn core_user_schema() -> SchemaDef {
    let attributes = vec![
        string("userName")
            .required()
            .uniqueness(Uniqueness::Server)
            .describe("Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED."),
        AttributeDef::new("name", Complex)
            .describe("The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both. If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.")
            .subs(vec![
                name_part("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
                name_part("familyName", "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III')."),
                name_part("givenName", "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III')."),
                name_part("middleName", "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
                name_part("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III')."),
                name_part("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III')."),
            ]),
        string("displayName").describe("The name of the User, suitable for display to end-users. The name SHOULD be the full name of the User being described, if known."),
        string("nickName").describe("The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'. This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge')."),
        AttributeDef::new("profileUrl", Reference)
            .refs(&["external"])
            .describe("A fully qualified URL pointing to a page representing the User's online profile."),
        string("title").describe("The user's title, such as \"Vice President.\""),
        string("userType").describe("Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
        string("preferredLanguage").describe("Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
        string("locale").describe("Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
        string("timezone").describe("The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
        AttributeDef::new("active", Boolean).describe("A Boolean value indicating the User's administrative status."),
        string("password")
            .mutability(Mutability::WriteOnly)
            .returned(Returned::Never)
            .describe("The User's cleartext password. This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password."),
        AttributeDef::new("emails", Complex)
            .multi()
            .describe("Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.")
            .subs(multi_valued_subs(
                string("value").describe("Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'."),
                "A label indicating the attribute's function, e.g., 'work' or 'home'.",
                &["work", "home", "other"],
                Some("the preferred mailing address or primary email address"),
            )),
        AttributeDef::new("phoneNumbers", Complex)
            .multi()
            .describe("Phone numbers for the User. The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.")
            .subs(multi_valued_subs(
                string("value").describe("Phone number of the User."),
                "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
                &["work", "home", "mobile", "fax", "pager", "other"],
                Some("the preferred phone number or primary phone number"),
            )),
        AttributeDef::new("ims", Complex)
            .multi()
            .describe("Instant messaging addresses for the User.")
            .subs(multi_valued_subs(
                string("value").describe("Instant messaging address for the User."),
                "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
                &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
                Some("the preferred messenger or primary messenger"),
            )),
        AttributeDef::new("photos", Complex)
            .multi()
            .describe("URLs of photos of the User.")
            .subs(multi_valued_subs(
                AttributeDef::new("value", Reference)
                    .refs(&["external"])
                    .describe("URL of a photo of the User."),
                "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
                &["photo", "thumbnail"],
                Some("the preferred photo or thumbnail"),
            )),
        AttributeDef::new("addresses", Complex)
            .multi()
            .describe("A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'. This attribute is a complex type with the following sub-attributes.")
            .subs(vec![
                string("formatted").describe("The full mailing address, formatted for display or use with a mailing label. This attribute MAY contain newlines."),
                string("streetAddress").describe("The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information. This attribute MAY contain newlines."),
                string("locality").describe("The city or locality component."),
                string("region").describe("The state or region component."),
                string("postalCode").describe("The zip code or postal code component."),
                string("country").describe("The country name component."),
                string("type")
                    .canonical(&["work", "home", "other"])
                    .describe("A label indicating the attribute's function, e.g., 'work' or 'home'."),
            ]),
        read_only(
            AttributeDef::new("groups", Complex)
                .multi()
                .describe("A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.")
                .subs(vec![
                    string("value").describe("The identifier of the User's group."),
                    AttributeDef::new("$ref", Reference)
                        .refs(&["User", "Group"])
                        .describe("The URI of the corresponding 'Group' resource to which the user belongs."),
                    string("display").describe(DISPLAY),
                    string("type")
                        .canonical(&["direct", "indirect"])
                        .describe("A label indicating the attribute's function, e.g., 'direct' or 'indirect'."),
                ]),
        ),
        // Roster: readOnly (readWrite in the RFC). The server mirrors the
        // permissions a user holds through the Roster extension's
        // applications and permissions; they are changed there.
        read_only(
            AttributeDef::new("entitlements", Complex)
                .multi()
                .describe("A list of entitlements for the User that represent a thing the User has. Read-only here: it mirrors the permissions granted through the Roster extension (applications and permissions).")
                .subs(multi_valued_subs(
                    string("value").describe("The value of an entitlement."),
                    "A label indicating the attribute's function.",
                    &[],
                    None,
                )),
        ),
        // Roster: readOnly (readWrite in the RFC). The server mirrors the
        // user's role from the Roster extension's role; it is changed there.
        read_only(
            AttributeDef::new("roles", Complex)
                .multi()
                .describe("A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'. Read-only here: it mirrors the role set through the Roster extension (role).")
                .subs(multi_valued_subs(
                    string("value").describe("The value of a role."),
                    "A label indicating the attribute's function.",
                    &[],
                    None,
                )),
        ),
        AttributeDef::new("x509Certificates", Complex)
            .multi()
            .describe("A list of certificates issued to the User.")
            .subs(multi_valued_subs(
                AttributeDef::new("value", Binary).describe("The value of an X.509 certificate."),
                "A label indicating the attribute's function.",
                &[],
                None,
            )),
    ];
    SchemaDef {
        id: crate::urn::USER.to_string(),
        name: "User".to_string(),
        description: "User Account".to_string(),
        attributes,
    }
}

/// The core Group schema of RFC 7643 §8.7.1, except where marked "Roster:".
pub fn core_group_schema() -> SchemaDef {
    let immutable = Mutability::Immutable;
    let attributes = vec![
        // Roster: required (the RFC's text says REQUIRED, its schema says
        // required false); a group without a name cannot be shown.
        string("displayName")
            .required()
            .describe("A human-readable name for the Group. REQUIRED."),
        AttributeDef::new("members", Complex)
            .multi()
            .describe("A list of members of the Group.")
            .subs(vec![
                string("value")
                    .mutability(immutable)
                    .describe("Identifier of the member of this Group."),
                AttributeDef::new("$ref", Reference)
                    .refs(&["User", "Group"])
                    .mutability(immutable)
                    .describe(
                        "The URI corresponding to a SCIM resource that is a member of this Group.",
                    ),
                // Roster: the RFC's schema omits display (§4.2 lists it);
                // the server fills it in from the member's name.
                string("display")
                    .mutability(Mutability::ReadOnly)
                    .describe("A human-readable name for the member, primarily used for display purposes. READ-ONLY."),
                string("type")
                    .canonical(&["User", "Group"])
                    .mutability(immutable)
                    .describe("A label indicating the type of resource, e.g., 'User' or 'Group'."),
            ]),
    ];
    SchemaDef {
        id: crate::urn::GROUP.to_string(),
        name: "Group".to_string(),
        description: "Group".to_string(),
        attributes,
    }
}
