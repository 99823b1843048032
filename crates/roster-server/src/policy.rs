//! The rules of who may do what to whom, in one place. Routes check the
//! caller's permissions with [`Principal::require`]; what depends on the
//! target of an action is decided here, with the reason in words the person
//! refused can act on.

use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::{Loaded, Principal};
use crate::users::{Stored, OWNER};

/// The built-in role whose holders, besides the Owner, are administrators.
pub const ADMIN: &str = "admin";

impl Principal {
    pub fn is_owner(&self) -> bool {
        self.role == OWNER
    }

    /// The Owner and Admins: the only ones who change another user's name or
    /// e-mail address (seed 002: "only an Admin can change the name and
    /// email of any existing user").
    pub fn is_admin(&self) -> bool {
        self.is_owner() || self.role == ADMIN
    }

    /// Whether the caller sees every resource, not only those shared with
    /// them: roles with the Full Access capability (Owner, Admin, Manager).
    pub fn full_access(&self, loaded: &Loaded) -> bool {
        loaded
            .catalogue
            .role(&self.role)
            .is_some_and(|r| r.has_capability(crate::catalogue::Capability::FullAccess))
    }

    pub fn is(&self, user_id: &str) -> bool {
        self.user_id.as_deref() == Some(user_id)
    }
}

/// The permissions a stored user holds (the derived `entitlements`).
pub fn held_permissions(doc: &Value) -> Vec<String> {
    doc.get("entitlements")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| e.get("value").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `who` may act on `target` at all: only the Owner touches the
/// Owner, and nobody changes someone who holds a permission they do not
/// hold themselves (otherwise an Admin with fewer rights could archive or
/// strip a more powerful one).
pub fn guard_target(who: &Principal, target: &Stored) -> ApiResult<()> {
    if target.role.as_deref() == Some(OWNER) {
        if who.is_owner() {
            return Ok(());
        }
        return Err(ApiError::Forbidden(
            "Only the Owner can change the Owner's account.".into(),
        ));
    }
    if who.is_owner() || who.is(&target.id) {
        return Ok(());
    }
    if let Some(p) = held_permissions(&target.doc()?)
        .iter()
        .find(|p| !who.can(p))
    {
        return Err(ApiError::Forbidden(format!(
            "This user holds the permission '{p}', which you do not hold yourself, so you cannot change them; ask the Owner or an Admin who holds it."
        )));
    }
    Ok(())
}

/// The parts of a user that are their identity: userName, name, display
/// name and e-mail addresses.
fn identity(doc: &Value) -> [Option<&Value>; 4] {
    ["userName", "name", "displayName", "emails"].map(|k| doc.get(k))
}

/// Only the Owner and Admins change another user's name or e-mail address.
pub fn guard_identity_change(
    who: &Principal,
    target: &Stored,
    before: &Value,
    after: &Value,
) -> ApiResult<()> {
    if who.is_admin() || who.is(&target.id) || identity(before) == identity(after) {
        return Ok(());
    }
    Err(ApiError::Forbidden(
        "Only the Owner or an Admin can change another user's name or e-mail address.".into(),
    ))
}

/// Nobody archives or deletes themselves.
pub fn guard_not_self(who: &Principal, target_id: &str, doing: &str) -> ApiResult<()> {
    if who.is(target_id) {
        return Err(ApiError::Forbidden(format!("You cannot {doing} yourself.")));
    }
    Ok(())
}
