//! SCIM User JSON → the rows and details the UI shows, and the JSON of a
//! new user. Reading is lenient: a missing optional attribute is simply
//! empty; only a user without an `id` is refused.

use roster_scim::urn;
use serde_json::{json, Map, Value};

use crate::error::{ClientError, ClientResult};
use crate::model::{
    ApplicationMode, Catalogue, Digest, NotificationSettings, PermissionMode, ResourceRef, Status,
    UserDetail, UserEdit, UserRow,
};

mod doc;

pub use doc::UserDoc;

/// A text as shown: trimmed, none when empty.
fn text_of(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn text(value: Option<&Value>) -> Option<String> {
    text_of(value.and_then(Value::as_str))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|v| text(Some(v))).collect())
        .unwrap_or_default()
}

/// The Roster extension object, when the user has one.
pub fn extension(user: &Value) -> Option<&Map<String, Value>> {
    user.get(urn::ROSTER_USER).and_then(Value::as_object)
}

fn ext_value<'a>(user: &'a Value, attr: &str) -> Option<&'a Value> {
    extension(user).and_then(|ext| ext.get(attr))
}

/// The rules of what a user shows, on the attributes they read (from the
/// JSON text, or from a `Value` through [`UserDoc::of`]).
impl UserDoc<'_> {
    pub fn id(&self) -> ClientResult<String> {
        text_of(self.id.as_deref())
            .ok_or_else(|| ClientError::unreadable("a user in the answer has no id."))
    }

    /// Which e-mail the UI shows (its place in `emails`): the work one,
    /// else the primary one, else the first.
    pub fn shown_email(&self) -> Option<usize> {
        let emails = &self.emails;
        emails
            .iter()
            .position(|e| e.is_work())
            .or_else(|| emails.iter().position(|e| e.primary == Some(true)))
            .or_else(|| (!emails.is_empty()).then_some(0))
            .filter(|&i| text_of(emails[i].value.as_deref()).is_some())
    }

    pub fn has_work_email(&self) -> bool {
        self.emails
            .iter()
            .any(|e| e.is_work() && text_of(e.value.as_deref()).is_some())
    }

    pub fn email(&self) -> String {
        self.shown_email()
            .and_then(|i| text_of(self.emails[i].value.as_deref()))
            .or_else(|| text_of(self.user_name.as_deref()))
            .unwrap_or_default()
    }

    pub fn given_name(&self) -> String {
        text_of(self.name.given_name.as_deref()).unwrap_or_default()
    }

    pub fn family_name(&self) -> String {
        text_of(self.name.family_name.as_deref()).unwrap_or_default()
    }

    pub fn display_name(&self) -> String {
        text_of(self.display_name.as_deref())
            .or_else(|| text_of(self.name.formatted.as_deref()))
            .or_else(|| {
                let joined = format!("{} {}", self.given_name(), self.family_name());
                text_of(Some(&joined))
            })
            .or_else(|| text_of(self.user_name.as_deref()))
            .unwrap_or_default()
    }

    pub fn status(&self) -> Status {
        match self.ext.status.as_deref() {
            Some(s) if s.eq_ignore_ascii_case("pending") => Status::Pending,
            Some(s) if s.eq_ignore_ascii_case("archived") => Status::Archived,
            Some(s) if s.eq_ignore_ascii_case("active") => Status::Active,
            // RFC 7643 leaves `active` optional; absent means the user can sign in.
            _ => match self.active {
                Some(false) => Status::Archived,
                _ => Status::Active,
            },
        }
    }

    /// The core `roles` entry to show: the primary one, else the first.
    fn core_role(&self) -> Option<&doc::Role<'_>> {
        let roles = &self.roles;
        roles
            .iter()
            .find(|r| r.primary == Some(true))
            .or_else(|| roles.first())
    }

    pub fn role(&self) -> Option<String> {
        text_of(self.ext.role.as_deref())
            .or_else(|| self.core_role().and_then(|r| text_of(r.value.as_deref())))
    }

    /// The role's name: from the catalogue, else the core role's display.
    pub fn role_name(&self, role: Option<&str>, catalogue: Option<&Catalogue>) -> Option<String> {
        role.and_then(|id| {
            catalogue
                .and_then(|c| c.roles.iter().find(|r| r.id == id))
                .map(|r| r.name.clone())
                .or_else(|| self.core_role().and_then(|r| text_of(r.display.as_deref())))
        })
    }

    pub fn departments(&self) -> Vec<String> {
        self.ext
            .departments
            .iter()
            .filter_map(|d| text_of(d.as_deref()))
            .collect()
    }

    pub fn last_active(&self) -> Option<String> {
        text_of(self.ext.last_active.as_deref())
    }

    pub fn invitation_expired(&self) -> bool {
        self.ext.invitation.expired.unwrap_or(false)
    }

    pub fn row(&self, catalogue: Option<&Catalogue>) -> ClientResult<UserRow> {
        let role = self.role();
        Ok(UserRow {
            id: self.id()?,
            display_name: self.display_name(),
            email: self.email(),
            status: self.status(),
            role_name: self.role_name(role.as_deref(), catalogue),
            role,
            last_active: self.last_active(),
            departments: self.departments(),
            invitation_expired: self.invitation_expired(),
        })
    }
}

impl doc::Email<'_> {
    fn is_work(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("work"))
    }
}

pub fn id(user: &Value) -> ClientResult<String> {
    UserDoc::of(user).id()
}

fn emails(user: &Value) -> &[Value] {
    user.get("emails")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Which e-mail the UI shows ([`UserDoc::shown_email`]).
pub fn shown_email(user: &Value) -> Option<&Value> {
    UserDoc::of(user)
        .shown_email()
        .and_then(|i| emails(user).get(i))
}

pub fn has_work_email(user: &Value) -> bool {
    UserDoc::of(user).has_work_email()
}

pub fn email(user: &Value) -> String {
    UserDoc::of(user).email()
}

pub fn given_name(user: &Value) -> String {
    UserDoc::of(user).given_name()
}

pub fn family_name(user: &Value) -> String {
    UserDoc::of(user).family_name()
}

pub fn role(user: &Value) -> Option<String> {
    UserDoc::of(user).role()
}

/// The values of a multi-valued complex attribute such as `entitlements`.
fn values(user: &Value, attr: &str) -> Vec<String> {
    user.get(attr)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| text(item.get("value")).or_else(|| text(Some(item))))
                .collect()
        })
        .unwrap_or_default()
}

pub fn departments(user: &Value) -> Vec<String> {
    UserDoc::of(user).departments()
}

/// Applications set to Custom (the others are All).
pub fn custom_applications(user: &Value) -> Vec<ApplicationMode> {
    ext_value(user, "applications")
        .and_then(Value::as_array)
        .map(|apps| {
            apps.iter()
                .filter(|a| {
                    a.get("mode")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.eq_ignore_ascii_case("custom"))
                })
                .filter_map(|a| text(a.get("value")))
                .map(|application| ApplicationMode {
                    application,
                    mode: PermissionMode::Custom,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The permission toggles: the extension's granted permissions, or the core
/// entitlements on a server without the extension.
pub fn permissions(user: &Value, roster_extension: bool) -> Vec<String> {
    if roster_extension {
        strings(ext_value(user, "permissions"))
    } else {
        values(user, "entitlements")
    }
}

pub fn row(user: &Value, catalogue: Option<&Catalogue>) -> ClientResult<UserRow> {
    UserDoc::of(user).row(catalogue)
}

pub fn detail(
    user: &Value,
    etag: Option<String>,
    roster_extension: bool,
) -> ClientResult<UserDetail> {
    if !user.is_object() {
        return Err(ClientError::unreadable("the user is not a JSON object."));
    }
    let ext = |attr: &str| ext_value(user, attr);
    let resources = ext("resources")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|r| {
                    Some(ResourceRef {
                        id: text(r.get("value"))?,
                        name: text(r.get("display")).unwrap_or_default(),
                        application: text(r.get("application")).unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let groups = user
        .get("groups")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|g| text(g.get("display")).or_else(|| text(g.get("value"))))
                .collect()
        })
        .unwrap_or_default();
    let doc = UserDoc::of(user);
    Ok(UserDetail {
        id: doc.id()?,
        version: etag.or_else(|| text_of(doc.meta.version.as_deref())),
        given_name: doc.given_name(),
        family_name: doc.family_name(),
        email: doc.email(),
        status: doc.status(),
        role: doc.role(),
        departments: doc.departments(),
        applications: custom_applications(user),
        permissions: permissions(user, roster_extension),
        entitlements: values(user, "entitlements"),
        groups,
        created: text_of(doc.meta.created.as_deref()),
        last_active: doc.last_active(),
        credit_limit: ext("creditLimit").and_then(Value::as_i64),
        credits_used: ext("creditsUsed").and_then(Value::as_i64),
        allowed_ips: strings(ext("allowedIps")),
        resources,
        invitation_expires_at: text_of(doc.ext.invitation.expires_at.as_deref()),
        notifications: roster_extension.then(|| notifications(ext("notifications"))),
    })
}

/// The notification settings, each missing part at its default.
pub fn notifications(value: Option<&Value>) -> NotificationSettings {
    let defaults = NotificationSettings::default();
    let flag = |name: &str, default: bool| {
        value
            .and_then(|n| n.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(default)
    };
    let digest = match value.and_then(|n| n.get("digest")).and_then(Value::as_str) {
        Some(d) if d.eq_ignore_ascii_case("never") => Digest::Never,
        Some(d) if d.eq_ignore_ascii_case("daily") => Digest::Daily,
        Some(d) if d.eq_ignore_ascii_case("weekly") => Digest::Weekly,
        _ => defaults.digest,
    };
    NotificationSettings {
        email: flag("email", defaults.email),
        in_app: flag("inApp", defaults.in_app),
        digest,
    }
}

/// The settings as the extension's `notifications` value.
pub fn notifications_json(settings: &NotificationSettings) -> Value {
    let digest = match settings.digest {
        Digest::Never => "never",
        Digest::Daily => "daily",
        Digest::Weekly => "weekly",
    };
    json!({ "email": settings.email, "inApp": settings.in_app, "digest": digest })
}

pub fn full_name(given: &str, family: &str) -> String {
    format!("{} {}", given.trim(), family.trim())
        .trim()
        .to_owned()
}

fn mode_text(mode: PermissionMode) -> &'static str {
    match mode {
        PermissionMode::All => "all",
        PermissionMode::Custom => "custom",
    }
}

pub fn applications_json(applications: &[ApplicationMode]) -> Value {
    Value::Array(
        applications
            .iter()
            .map(|a| json!({ "value": a.application, "mode": mode_text(a.mode) }))
            .collect(),
    )
}

/// A new user as SCIM JSON: active, with the extension when the server has
/// it (on other servers the role goes to `roles` and the permissions to
/// `entitlements`).
pub fn new_user(edit: &UserEdit, roster_extension: bool) -> Value {
    let email = edit.email.trim();
    let name = full_name(&edit.given_name, &edit.family_name);
    let mut user = json!({
        "schemas": [urn::USER],
        "userName": email,
        "name": {
            "givenName": edit.given_name.trim(),
            "familyName": edit.family_name.trim(),
            "formatted": name,
        },
        "displayName": name,
        "emails": [{ "value": email, "type": "work", "primary": true }],
        "active": true,
    });
    if roster_extension {
        let mut ext = json!({
            "departments": edit.departments,
            "applications": applications_json(&edit.applications),
            "permissions": edit.permissions,
        });
        if let Some(role) = &edit.role {
            ext["role"] = Value::String(role.clone());
        }
        user["schemas"] = json!([urn::USER, urn::ROSTER_USER]);
        user[urn::ROSTER_USER] = ext;
    } else {
        if let Some(role) = &edit.role {
            user["roles"] = json!([{ "value": role, "primary": true }]);
        }
        if !edit.permissions.is_empty() {
            user["entitlements"] = Value::Array(
                edit.permissions
                    .iter()
                    .map(|p| json!({ "value": p }))
                    .collect(),
            );
        }
    }
    user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_missing_attributes() {
        let row = row(&json!({ "id": "u1" }), None).unwrap();
        assert_eq!(row.id, "u1");
        assert_eq!(row.display_name, "");
        assert_eq!(row.status, Status::Active, "absent active means active");
        assert!(row.role.is_none() && row.departments.is_empty());
        let err = super::row(&json!({ "userName": "x" }), None).unwrap_err();
        assert!(
            matches!(err, ClientError::Internal(_)),
            "no id is unreadable"
        );
    }

    #[test]
    fn plain_scim_users_use_active_roles_and_entitlements() {
        let user = json!({
            "id": "u2",
            "userName": "kim",
            "name": { "givenName": "Kim", "familyName": "Lee" },
            "emails": [{ "value": "home@x.example", "type": "home" }, { "value": "kim@x.example", "primary": true }],
            "active": false,
            "roles": [{ "value": "editor", "display": "Editor" }],
            "entitlements": [{ "value": "reports" }],
        });
        let row = row(&user, None).unwrap();
        assert_eq!(row.display_name, "Kim Lee");
        assert_eq!(
            row.email, "kim@x.example",
            "the primary e-mail when there is no work one"
        );
        assert_eq!(row.status, Status::Archived);
        assert_eq!(row.role_name.as_deref(), Some("Editor"));
        let detail = detail(&user, None, false).unwrap();
        assert_eq!(detail.permissions, vec!["reports"]);
        assert_eq!(detail.version, None);
    }

    #[test]
    fn extension_status_wins_over_active() {
        let user = json!({
            "id": "u3",
            "active": false,
            urn::ROSTER_USER: {
                "status": "pending",
                "invitation": { "expired": true, "expiresAt": "2024-01-01T00:00:00Z" },
                "applications": [{ "value": "cases", "mode": "custom" }, { "value": "tasks", "mode": "all" }],
            },
            "meta": { "version": "W/\"4\"" },
        });
        assert_eq!(row(&user, None).unwrap().status, Status::Pending);
        assert!(row(&user, None).unwrap().invitation_expired);
        let detail = detail(&user, None, true).unwrap();
        assert_eq!(detail.version.as_deref(), Some("W/\"4\""));
        assert_eq!(
            detail.applications.len(),
            1,
            "only Custom applications are listed"
        );
        assert_eq!(
            detail.invitation_expires_at.as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
    }
}
