//! Turns the panel's desired state of a user into a SCIM PATCH of only what
//! changed, so a save never overwrites a change it did not make.

use std::collections::BTreeSet;

use roster_scim::messages::{PatchOpKind, PatchOperation};
use roster_scim::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use serde_json::{json, Value};

use crate::error::{ClientError, ClientResult};
use crate::model::{PermissionMode, UserEdit};
use crate::query::{core_path, ext_path};
use crate::user_json as uj;

fn replace(path: impl ToString, value: Value) -> PatchOperation {
    PatchOperation::new(PatchOpKind::Replace, Some(&path.to_string()), Some(value))
}

fn remove(path: impl ToString) -> PatchOperation {
    PatchOperation::new(PatchOpKind::Remove, Some(&path.to_string()), None)
}

/// `attr[sub eq "value"].value`
fn element_value_path(attr: &str, sub: &str, value: &str) -> PatchPath {
    PatchPath {
        attr: core_path(attr, None),
        value_filter: Some(Filter::Compare(
            core_path(sub, None),
            CompareOp::Eq,
            CompValue::String(value.to_owned()),
        )),
        sub_attr: Some("value".to_owned()),
    }
}

/// Sets a multi-valued attribute, or removes it when the new list is empty.
fn set_list(ops: &mut Vec<PatchOperation>, path: AttrPath, value: Vec<Value>) {
    if value.is_empty() {
        ops.push(remove(path));
    } else {
        ops.push(replace(path, Value::Array(value)));
    }
}

fn set_of<'a>(items: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks what a person typed before anything is sent.
pub fn validate(edit: &UserEdit) -> ClientResult<()> {
    let email = edit.email.trim();
    if email.is_empty() {
        return Err(ClientError::Validation(
            "Enter the user's e-mail address.".into(),
        ));
    }
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    if local.is_empty() || domain.is_empty() || email.chars().any(char::is_whitespace) {
        return Err(ClientError::Validation(format!(
            "\"{email}\" is not an e-mail address; type it like name@example.com."
        )));
    }
    if edit.given_name.trim().is_empty() && edit.family_name.trim().is_empty() {
        return Err(ClientError::Validation(
            "Enter the user's first or last name.".into(),
        ));
    }
    Ok(())
}

/// The operations that turn `current` (the user as the server has it) into
/// `edit`. Empty when nothing changed.
pub fn patch_ops(current: &Value, edit: &UserEdit, roster_extension: bool) -> Vec<PatchOperation> {
    let mut ops = Vec::new();

    let given = edit.given_name.trim();
    let family = edit.family_name.trim();
    let mut name_changed = false;
    for (sub, old, new) in [
        ("givenName", uj::given_name(current), given),
        ("familyName", uj::family_name(current), family),
    ] {
        if old != new {
            name_changed = true;
            let path = core_path("name", Some(sub));
            if new.is_empty() {
                ops.push(remove(path));
            } else {
                ops.push(replace(path, json!(new)));
            }
        }
    }
    if name_changed {
        // The shown name follows the name, or the table would keep the old one.
        let full = uj::full_name(given, family);
        ops.push(replace(core_path("displayName", None), json!(full)));
        ops.push(replace(core_path("name", Some("formatted")), json!(full)));
    }

    let email = edit.email.trim();
    if uj::email(current) != email {
        ops.push(replace(core_path("userName", None), json!(email)));
        if uj::has_work_email(current) {
            ops.push(replace(
                element_value_path("emails", "type", "work"),
                json!(email),
            ));
        } else if let Some(old) = uj::shown_email(current)
            .and_then(|e| e.get("value"))
            .and_then(Value::as_str)
        {
            ops.push(replace(
                element_value_path("emails", "value", old),
                json!(email),
            ));
        } else {
            ops.push(replace(
                core_path("emails", None),
                json!([{ "value": email, "type": "work", "primary": true }]),
            ));
        }
    }

    if let Some(role) = edit
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        if uj::role(current).as_deref() != Some(role) {
            if roster_extension {
                ops.push(replace(ext_path("role"), json!(role)));
            } else {
                ops.push(replace(
                    core_path("roles", None),
                    json!([{ "value": role, "primary": true }]),
                ));
            }
        }
    }

    if roster_extension {
        let departments: Vec<String> = edit
            .departments
            .iter()
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        if set_of(&uj::departments(current)) != set_of(&departments) {
            set_list(
                &mut ops,
                ext_path("departments"),
                departments.into_iter().map(Value::String).collect(),
            );
        }

        let custom_now: BTreeSet<String> = uj::custom_applications(current)
            .into_iter()
            .map(|a| a.application)
            .collect();
        let custom_wanted: BTreeSet<String> = edit
            .applications
            .iter()
            .filter(|a| a.mode == PermissionMode::Custom)
            .map(|a| a.application.clone())
            .collect();
        if custom_now != custom_wanted {
            let Value::Array(apps) = uj::applications_json(&edit.applications) else {
                unreachable!("applications_json makes an array")
            };
            set_list(&mut ops, ext_path("applications"), apps);
        }
    }

    let permissions_now = uj::permissions(current, roster_extension);
    if set_of(&permissions_now) != set_of(&edit.permissions) {
        let wanted: Vec<String> = set_of(&edit.permissions).into_iter().collect();
        if roster_extension {
            set_list(
                &mut ops,
                ext_path("permissions"),
                wanted.into_iter().map(Value::String).collect(),
            );
        } else {
            set_list(
                &mut ops,
                core_path("entitlements", None),
                wanted.into_iter().map(|p| json!({ "value": p })).collect(),
            );
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ApplicationMode;
    use roster_scim::urn;

    fn current() -> Value {
        json!({
            "id": "u1",
            "userName": "ann@x.example",
            "name": { "givenName": "Ann", "familyName": "Lee" },
            "emails": [{ "value": "ann@x.example", "type": "work", "primary": true }],
            urn::ROSTER_USER: {
                "role": "member",
                "departments": ["Sales"],
                "applications": [{ "value": "cases", "mode": "custom" }],
                "permissions": ["cases:view"],
            },
        })
    }

    fn unchanged() -> UserEdit {
        UserEdit {
            given_name: "Ann".into(),
            family_name: "Lee".into(),
            email: "ann@x.example".into(),
            role: Some("member".into()),
            departments: vec!["Sales".into()],
            applications: vec![ApplicationMode {
                application: "cases".into(),
                mode: PermissionMode::Custom,
            }],
            permissions: vec!["cases:view".into()],
        }
    }

    fn paths(ops: &[PatchOperation]) -> Vec<String> {
        ops.iter()
            .map(|o| format!("{} {}", o.op, o.path.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn nothing_changed_means_no_operations() {
        assert!(patch_ops(&current(), &unchanged(), true).is_empty());
    }

    #[test]
    fn only_the_changed_attributes_are_patched() {
        let mut edit = unchanged();
        edit.permissions.push("cases:close".into());
        edit.email = "ann.lee@x.example".into();
        let ops = patch_ops(&current(), &edit, true);
        assert_eq!(
            paths(&ops),
            vec![
                "replace userName".to_owned(),
                "replace emails[type eq \"work\"].value".to_owned(),
                format!("replace {}:permissions", urn::ROSTER_USER),
            ]
        );
    }

    #[test]
    fn a_name_change_updates_the_display_name_and_emptied_lists_are_removed() {
        let mut edit = unchanged();
        edit.family_name = "Lee-Smith".into();
        edit.departments.clear();
        let ops = patch_ops(&current(), &edit, true);
        assert_eq!(
            paths(&ops),
            vec![
                "replace name.familyName".to_owned(),
                "replace displayName".to_owned(),
                "replace name.formatted".to_owned(),
                format!("remove {}:departments", urn::ROSTER_USER),
            ]
        );
        assert_eq!(ops[1].value, Some(json!("Ann Lee-Smith")));
    }

    #[test]
    fn without_emails_the_list_is_set() {
        let mut user = current();
        user.as_object_mut().unwrap().remove("emails");
        let mut edit = unchanged();
        edit.email = "new@x.example".into();
        let ops = patch_ops(&user, &edit, true);
        assert_eq!(paths(&ops), vec!["replace userName", "replace emails"]);
    }

    #[test]
    fn plain_scim_permissions_are_entitlements() {
        let user = json!({ "id": "u", "userName": "a@x.example", "name": { "givenName": "A" },
                           "entitlements": [{ "value": "read" }] });
        let edit = UserEdit {
            given_name: "A".into(),
            family_name: String::new(),
            email: "a@x.example".into(),
            role: None,
            departments: vec!["ignored without the extension".into()],
            applications: Vec::new(),
            permissions: vec!["read".into(), "write".into()],
        };
        let ops = patch_ops(&user, &edit, false);
        assert_eq!(paths(&ops), vec!["replace entitlements"]);
    }

    #[test]
    fn emails_are_checked_before_sending() {
        let mut edit = unchanged();
        edit.email = "not an address".into();
        assert!(matches!(validate(&edit), Err(ClientError::Validation(_))));
        edit.email = "  ".into();
        assert!(matches!(validate(&edit), Err(ClientError::Validation(_))));
        assert!(validate(&unchanged()).is_ok());
    }
}
