//! A user read from its JSON text straight into a `UserDoc` (the full
//! sync's path) gives exactly what reading it into a `Value` gave before
//! (`oracle`: the rules as they were, on a `Value`): the same cached row,
//! version, row with role names, e-mail chosen for edits, and the same
//! error for text that is not JSON. Over the demo seed's users as
//! roster-server sends them, a scim2-server style user, and odd documents.

#[path = "../../roster-client/tests/common/mod.rs"]
mod common;

use roster_cache::row::CachedRow;
use roster_client::model::{Catalogue, RoleInfo};
use roster_client::user_json::{self, UserDoc};
use roster_client::UsersPage;
use roster_scim::urn;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// The rules before `UserDoc`, verbatim on a `Value`.
mod oracle {
    use roster_cache::row::{CachedRow, ShownRow, FIELD};
    use roster_client::model::{Catalogue, Status, UserRow};
    use roster_scim::text::fold;
    use roster_scim::urn;
    use serde_json::{Map, Value};

    fn text(value: Option<&Value>) -> Option<String> {
        value
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    fn extension(user: &Value) -> Option<&Map<String, Value>> {
        user.get(urn::ROSTER_USER).and_then(Value::as_object)
    }

    fn ext_value<'a>(user: &'a Value, attr: &str) -> Option<&'a Value> {
        extension(user).and_then(|ext| ext.get(attr))
    }

    fn emails(user: &Value) -> &[Value] {
        user.get("emails")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn email_type_is(email: &Value, kind: &str) -> bool {
        email
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(kind))
    }

    pub fn shown_email(user: &Value) -> Option<&Value> {
        let emails = emails(user);
        emails
            .iter()
            .find(|e| email_type_is(e, "work"))
            .or_else(|| {
                emails
                    .iter()
                    .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
            })
            .or_else(|| emails.first())
            .filter(|e| text(e.get("value")).is_some())
    }

    pub fn has_work_email(user: &Value) -> bool {
        emails(user)
            .iter()
            .any(|e| email_type_is(e, "work") && text(e.get("value")).is_some())
    }

    fn email(user: &Value) -> String {
        shown_email(user)
            .and_then(|e| text(e.get("value")))
            .or_else(|| text(user.get("userName")))
            .unwrap_or_default()
    }

    fn given_name(user: &Value) -> String {
        text(user.pointer("/name/givenName")).unwrap_or_default()
    }

    fn family_name(user: &Value) -> String {
        text(user.pointer("/name/familyName")).unwrap_or_default()
    }

    fn display_name(user: &Value) -> String {
        text(user.get("displayName"))
            .or_else(|| text(user.pointer("/name/formatted")))
            .or_else(|| {
                let joined = format!("{} {}", given_name(user), family_name(user));
                text(Some(&Value::String(joined)))
            })
            .or_else(|| text(user.get("userName")))
            .unwrap_or_default()
    }

    fn status(user: &Value) -> Status {
        match ext_value(user, "status").and_then(Value::as_str) {
            Some(s) if s.eq_ignore_ascii_case("pending") => Status::Pending,
            Some(s) if s.eq_ignore_ascii_case("archived") => Status::Archived,
            Some(s) if s.eq_ignore_ascii_case("active") => Status::Active,
            _ => match user.get("active").and_then(Value::as_bool) {
                Some(false) => Status::Archived,
                _ => Status::Active,
            },
        }
    }

    fn core_role(user: &Value) -> Option<&Value> {
        let roles = user.get("roles").and_then(Value::as_array)?;
        roles
            .iter()
            .find(|r| r.get("primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| roles.first())
    }

    fn role(user: &Value) -> Option<String> {
        text(ext_value(user, "role")).or_else(|| core_role(user).and_then(|r| text(r.get("value"))))
    }

    fn departments(user: &Value) -> Vec<String> {
        ext_value(user, "departments")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|v| text(Some(v))).collect())
            .unwrap_or_default()
    }

    pub fn row(user: &Value, catalogue: Option<&Catalogue>) -> Option<UserRow> {
        let role = role(user);
        let role_name = role.as_ref().and_then(|id| {
            catalogue
                .and_then(|c| c.roles.iter().find(|r| &r.id == id))
                .map(|r| r.name.clone())
                .or_else(|| core_role(user).and_then(|r| text(r.get("display"))))
        });
        Some(UserRow {
            id: text(user.get("id"))?,
            display_name: display_name(user),
            email: email(user),
            status: status(user),
            role,
            role_name,
            last_active: text(ext_value(user, "lastActive")),
            departments: departments(user),
            invitation_expired: ext_value(user, "invitation")
                .and_then(|i| i.get("expired"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    pub fn version(doc: &Value) -> Option<String> {
        doc.pointer("/meta/version")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    pub fn cached_row(user: &Value) -> Option<CachedRow> {
        let row = row(user, None)?;
        let email_key = fold(&row.email);
        let name_key = format!(
            "{}{FIELD}{}{FIELD}{}",
            fold(&family_name(user)),
            fold(&given_name(user)),
            fold(&row.display_name)
        );
        let mut search_text = format!("{name_key}{FIELD}{email_key}");
        let user_name = user.get("userName").and_then(Value::as_str);
        let emails = user
            .get("emails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("value").and_then(Value::as_str));
        let mut shown_email_seen = false;
        for field in user_name.into_iter().chain(emails) {
            let folded = fold(field);
            if !shown_email_seen && folded == email_key {
                shown_email_seen = true;
                continue;
            }
            search_text.push(FIELD);
            search_text.push_str(&folded);
        }
        let invitation = extension(user).and_then(|ext| ext.get("invitation"));
        Some(CachedRow {
            name_len: u32::try_from(name_key.len()).unwrap(),
            email_len: u32::try_from(email_key.len()).unwrap(),
            search_text,
            shown: ShownRow {
                id: row.id,
                display_name: row.display_name,
                email: row.email,
                status: row.status,
                role: row.role,
                role_display: row.role_name,
                last_active: row.last_active,
                departments: row.departments,
                invitation_expires_at: invitation
                    .and_then(|i| i.get("expiresAt"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                invitation_expired: row.invitation_expired,
            },
        })
    }
}

fn catalogue() -> Catalogue {
    let role = |id: &str, name: &str| RoleInfo {
        id: id.to_owned(),
        name: name.to_owned(),
        description: String::new(),
        permissions: Vec::new(),
        assignable: true,
        grantable: true,
        not_grantable_reason: None,
        custom: false,
    };
    Catalogue {
        roles: vec![
            role("admin", "Administrator"),
            role("editor", "Editor (catalogue)"),
        ],
        ..Catalogue::default()
    }
}

/// Checks one user's JSON text both ways; returns its cached row.
fn same_both_ways(json: &str) -> Option<CachedRow> {
    let value: Value = serde_json::from_str(json).expect("JSON");
    let doc = UserDoc::from_json(json).expect("read like a Value");
    let typed = CachedRow::from_user(&doc).ok();
    assert_eq!(
        typed,
        oracle::cached_row(&value),
        "the cached row of {json}"
    );
    assert_eq!(
        CachedRow::from_doc(&value).ok(),
        typed,
        "the same from the Value"
    );
    assert_eq!(
        doc.meta.version.as_deref(),
        oracle::version(&value).as_deref(),
        "the version of {json}"
    );
    let catalogue = catalogue();
    for catalogue in [None, Some(&catalogue)] {
        assert_eq!(
            doc.row(catalogue).ok(),
            oracle::row(&value, catalogue),
            "the row of {json}"
        );
        assert_eq!(
            user_json::row(&value, catalogue).ok(),
            oracle::row(&value, catalogue),
            "the row of the Value {json}"
        );
    }
    assert!(
        std::ptr::eq(
            user_json::shown_email(&value).map_or(std::ptr::null(), |e| e as *const Value),
            oracle::shown_email(&value).map_or(std::ptr::null(), |e| e as *const Value),
        ),
        "the e-mail an edit replaces in {json}"
    );
    assert_eq!(
        user_json::has_work_email(&value),
        oracle::has_work_email(&value),
        "whether {json} has a work e-mail"
    );
    // Through the page's raw text too, when serde_json takes it as raw.
    if let Ok(raw) = RawValue::from_string(json.to_owned()) {
        let read = UsersPage::read_user(&raw).ok();
        let read = read.as_ref().map(|doc| CachedRow::from_user(doc).ok());
        assert_eq!(read, Some(typed.clone()), "the page's raw text of {json}");
    }
    typed
}

#[tokio::test]
async fn the_demo_seeds_users_read_the_same_from_their_text() {
    let server = common::start().await;
    let client = server.owner().await;
    let page = client
        .users_page_raw(None, 1, 1000, false)
        .await
        .expect("a page");
    assert_eq!(page.resources.len(), common::DEMO_USERS);
    let mut pending = 0;
    let mut with_role_and_departments = 0;
    for raw in &page.resources {
        let row = same_both_ways(raw.get()).expect("a demo user has an id");
        pending += usize::from(row.invitation_expires_at.is_some());
        with_role_and_departments += usize::from(row.role.is_some() && !row.departments.is_empty());
    }
    assert!(pending > 0, "some demo users are invited");
    assert!(with_role_and_departments > 0, "the extension is read");
}

#[test]
fn a_scim2_server_user_reads_the_same() {
    // As scim2-server (Python) sends a user: no Roster extension, the
    // enterprise one, `meta` with a version, roles and groups.
    let user = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "bjensen",
        "meta": {
            "resourceType": "User",
            "created": "2011-08-01T18:29:49.793Z",
            "lastModified": "2011-08-01T18:29:49.793Z",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
            "version": "W/\"f250dd84f0671c3\""
        },
        "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "III"
        },
        "userName": "bjensen@example.com",
        "phoneNumbers": [{ "value": "555-555-8377", "type": "work" }],
        "emails": [
            { "value": "babs@jensen.org", "type": "home" },
            { "value": "bjensen@example.com", "type": "Work", "primary": true }
        ],
        "active": false,
        "roles": [
            { "value": "viewer", "display": "Viewer" },
            { "value": "editor", "display": "Editor", "primary": true }
        ],
        "groups": [{ "value": "e9e30dba", "display": "Tour Guides", "$ref": "../Groups/e9e30dba" }],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "manager": { "value": "26118915", "displayName": "John Smith" }
        }
    })
    .to_string();
    let row = same_both_ways(&user).unwrap();
    // And the fields themselves, not only the same as before.
    assert_eq!(row.id, "2819c223-7f76-453a-919d-413861904646");
    assert_eq!(row.display_name, "Ms. Barbara J Jensen, III");
    assert_eq!(row.email, "bjensen@example.com");
    assert_eq!(row.status, roster_client::model::Status::Archived);
    assert_eq!(row.role.as_deref(), Some("editor"));
    assert_eq!(row.role_display.as_deref(), Some("Editor"));
    assert!(row.search_text.contains("babs@jensen.org"));
    let doc = UserDoc::from_json(&user).unwrap();
    assert_eq!(doc.meta.version.as_deref(), Some("W/\"f250dd84f0671c3\""));
    assert_eq!(doc.given_name(), "Barbara");
    assert_eq!(doc.family_name(), "Jensen");
}

#[test]
fn odd_documents_read_the_same() {
    let ext = urn::ROSTER_USER;
    let users = [
        json!({ "id": "u1" }).to_string(),
        json!({ "id": "  u2  ", "userName": "  kim  " }).to_string(),
        json!({ "id": "" }).to_string(),
        json!({ "userName": "no id" }).to_string(),
        json!({ "id": 7, "userName": "number id" }).to_string(),
        "null".to_owned(),
        "\"just text\"".to_owned(),
        "[{\"id\": \"in an array\"}]".to_owned(),
        "{}".to_owned(),
        // Nulls and wrong types everywhere.
        json!({
            "id": "u3", "userName": null, "displayName": 5, "name": ["givenName"],
            "emails": { "value": "x@y" }, "active": "false", "roles": "admin",
            "meta": { "version": 3 }, ext: ["status", "pending"],
        })
        .to_string(),
        json!({
            "id": "u4", "name": { "givenName": null, "familyName": {}, "formatted": [] },
            "emails": [null, 3, "a@b", { "value": null }, { "value": "  " , "type": "work" }, { "value": "p@x", "primary": true }],
            "roles": [7, { "value": "editor", "display": "Editor" }],
            ext: { "status": 1, "role": [], "departments": ["  Sales ", "", 4, null, "Ops"], "lastActive": false,
                   "invitation": { "expired": "yes", "expiresAt": "" } },
        })
        .to_string(),
        // The work e-mail wins; then the primary; then the first.
        json!({ "id": "u5", "userName": "u5", "emails": [
            { "value": "home@x", "type": "home", "primary": true },
            { "value": " WORK@X ", "type": "WoRk" },
            { "value": "other@x" },
        ] })
        .to_string(),
        json!({ "id": "u6", "emails": [{ "value": "first@x" }, { "value": "prim@x", "primary": true }], "userName": "prim@x" }).to_string(),
        json!({ "id": "u7", "emails": [{ "value": "first@x" }, { "value": "second@x", "primary": "true" }] }).to_string(),
        json!({ "id": "u8", "emails": [], "userName": "UserName@X" }).to_string(),
        // Names: given and family only, formatted only, none.
        json!({ "id": "u9", "name": { "givenName": " Åsa ", "familyName": "Öberg" } }).to_string(),
        json!({ "id": "u10", "name": { "givenName": "Solo" } }).to_string(),
        json!({ "id": "u11", "name": { "formatted": "  The Formatted  " }, "displayName": "   " }).to_string(),
        // Status: extension (any case), else active.
        json!({ "id": "u12", "active": false, ext: { "status": "PENDING", "invitation": { "expired": true, "expiresAt": " 2024-01-01T00:00:00Z " } } }).to_string(),
        json!({ "id": "u13", "active": true, ext: { "status": "Archived" } }).to_string(),
        json!({ "id": "u14", "active": false, ext: { "status": "active" } }).to_string(),
        json!({ "id": "u15", "active": false, ext: { "status": "suspended" } }).to_string(),
        json!({ "id": "u16", "active": null }).to_string(),
        // Roles: the extension's, else the primary core role, else the first.
        json!({ "id": "u17", ext: { "role": " admin " }, "roles": [{ "value": "x", "display": "X role" }] }).to_string(),
        json!({ "id": "u18", "roles": [{ "value": "a", "display": "A" }, { "value": "editor", "primary": true }] }).to_string(),
        json!({ "id": "u19", "roles": [{ "value": "  ", "display": "Blank" }] }).to_string(),
        json!({ "id": "u20", "roles": [] }).to_string(),
        // The extension under another name is not the extension.
        json!({ "id": "u21", "urn:other:User": { "status": "pending", "role": "admin" }, "active": false }).to_string(),
        json!({ "id": "u22", ext: null, "meta": { "version": "  W/\"2\"  ", "created": "c" } }).to_string(),
        json!({ "id": "u23", ext: { "lastActive": " 2025-05-05 ", "invitation": "expired" } }).to_string(),
    ];
    for user in &users {
        same_both_ways(user);
    }
    // Text a Value cannot hold in a `json!`: escapes, duplicate attributes
    // (the last counts), escaped keys, big and odd numbers, deep unknowns.
    let written = [
        r#"{"id":"u\u0030","userName":"\u00c5sa@x","displayName":"\"Quoted\" \\ Name\n","emails":[{"value":"tab\t@x","type":"w\u006frk"}]}"#.to_owned(),
        r#"{"id":"first","id":"second","name":{"givenName":"A"},"name":{"familyName":"B"},"emails":[{"value":"a@x"}],"emails":7}"#.to_owned(),
        r#"{"user\u004eame":"escaped-key@x","id":"u31","\u0061ctive":false}"#.to_owned(),
        format!(r#"{{"id":"u32","{ext}":{{"status":"pending"}},"{ext}":{{"role":"editor"}}}}"#),
        r#"{"id":"u33","big":123456789012345678901234567890,"neg":-1.5e300,"deep":[[[{"a":[{"b":{"c":[1,2,{"d":null}]}}]}]]],"active":true}"#.to_owned(),
        r#"{"id":"u34","emails":[{"value":"a@x","primary":true,"primary":false},{"value":"b@x","primary":true}]}"#.to_owned(),
        "{\"id\":\"u35\",\"displayName\":\"\u{1F600} emoji\",\"emails\":[{\"value\":\"\\ud83d\\ude00@x\"}]}".to_owned(),
        " \n\t{ \"id\" : \"u36\" , \"userName\" : \"spaced\" } \n".to_owned(),
    ];
    for user in &written {
        same_both_ways(user);
    }
}

#[test]
fn text_that_is_not_json_gives_the_same_error() {
    let deep = format!(
        "{{\"id\":\"x\",\"a\":{}{}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let bad = [
        "",
        "{",
        "{\"id\":\"x\",}",
        "{\"id\":\"x\"} trailing",
        "{\"id\":\"\\ud800\"}",
        "{\"id\":\"x\",\"other\":\"\\ud800 lone\"}",
        "{\"id\":\"x\",\"other\":1e400}",
        "{\"id\":\"x\",\"other\":\"bad \\q escape\"}",
        "{\"id\":\"x\",\"other\":\"control \u{1} char\"}",
        "{\"id\":\"x\",\"other\":tru}",
        deep.as_str(),
    ];
    for text in bad {
        let value = serde_json::from_str::<Value>(text).map(|_| ());
        let typed = UserDoc::from_json(text).map(|_| ());
        assert_eq!(
            typed.map_err(|e| e.to_string()),
            value.map_err(|e| e.to_string()),
            "the error for {text:?}"
        );
        // The page's own check lets some through (unchecked escapes and
        // numbers): those must fail as parse_user fails.
        if let Ok(raw) = RawValue::from_string(text.to_owned()) {
            let parsed = UsersPage::parse_user(&raw)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let read = UsersPage::read_user(&raw)
                .map(|_| ())
                .map_err(|e| e.to_string());
            assert_eq!(read, parsed, "the error for the raw {text:?}");
            assert!(read.is_err(), "{text:?} is refused");
        }
    }
}
