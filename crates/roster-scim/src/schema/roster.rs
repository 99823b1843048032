//! The Roster extension to User: what the products Roster unifies keep about
//! a user that core SCIM has no attribute for.

use super::{AttrType, AttributeDef, Mutability, Returned, SchemaDef};
use crate::urn;

use AttrType::{Boolean, Complex, DateTime, Integer};

/// What the server's catalogues currently offer, published as the
/// extension's canonical values so that a plain SCIM client can offer them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueHints {
    /// The role catalogue's assignable role ids.
    pub role_ids: Vec<String>,
    /// The permission catalogue's application ids.
    pub application_ids: Vec<String>,
    /// The permission catalogue's permission ids, as "application:permission".
    pub permission_ids: Vec<String>,
}

fn string(name: &str) -> AttributeDef {
    AttributeDef::new(name, AttrType::String)
}

fn canonical(attribute: AttributeDef, values: &[String]) -> AttributeDef {
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    attribute.canonical(&values)
}

/// The extension's attributes returned only when asked for (`returned:
/// "request"` in [`roster_user_extension`]).
pub const RETURNED_ON_REQUEST: [&str; 5] = [
    "status",
    "lastActive",
    "invitation",
    "resources",
    "creditsUsed",
];

/// The `attributes` that read a user whole from a Roster server: both
/// schemas (what each returns by default) and the extension's attributes
/// returned only on request. The sync and the user panel ask for it.
pub fn whole_user_attributes() -> String {
    let mut names = vec![urn::USER.to_owned(), urn::ROSTER_USER.to_owned()];
    names.extend(
        RETURNED_ON_REQUEST
            .iter()
            .map(|attr| format!("{}:{attr}", urn::ROSTER_USER)),
    );
    names.join(",")
}

/// The Roster User extension (`urn::ROSTER_USER`), its canonical values
/// taken from the server's catalogues.
///
/// Mutabilities are deliberate: conformance checkers write random values
/// into every readWrite attribute, so only what an administrator sets
/// directly is readWrite; what the server derives is readOnly.
pub fn roster_user_extension(hints: &CatalogueHints) -> SchemaDef {
    let read_only = Mutability::ReadOnly;
    // The server-managed state is returned when asked for (`attributes=`),
    // so that what a client writes into the extension reads back unchanged.
    let on_request = Returned::Request;
    let attributes = vec![
        string("status")
            .case_exact()
            .mutability(read_only)
            .returned(on_request)
            .canonical(&["pending", "active", "archived"])
            .describe("Where the user is in their lifecycle: pending until the invitation is accepted; active and archived mirror the core active attribute (archived users cannot sign in, and their data is kept). Set by the server when a user is invited, accepts, is archived or is reactivated."),
        canonical(string("role").required().case_exact(), &hints.role_ids)
            .describe("The user's role, one of the role catalogue's assignable role ids (listed here as canonical values). It decides what the user may do; the core roles attribute mirrors it. Required whenever the extension is sent; a user created without the extension gets the Member role."),
        AttributeDef::new("applications", Complex)
            .multi()
            .describe("The permission mode per application. With mode all, the user holds every permission of the application; with mode custom, only the permissions of that application listed in permissions.")
            .subs(vec![
                canonical(string("value").required().case_exact(), &hints.application_ids)
                    .describe("The application id, from the permission catalogue."),
                string("mode")
                    .case_exact()
                    .canonical(&["all", "custom"])
                    .describe("all: every permission of the application; custom: only the permissions of the application listed in permissions."),
            ]),
        canonical(string("permissions").multi().case_exact(), &hints.permission_ids)
            .describe("The permissions granted in the applications whose mode is custom, each an \"application:permission\" id from the permission catalogue. The core entitlements attribute mirrors what the user holds."),
        AttributeDef::new("resources", Complex)
            .multi()
            .mutability(read_only)
            .returned(on_request)
            .describe("The resources (tasks, monitors, reviews …) this user was granted access to. Read-only here: grants are managed through the Roster resource endpoints.")
            .subs(vec![
                string("value")
                    .case_exact()
                    .mutability(read_only)
                    .describe("The resource id."),
                string("display")
                    .mutability(read_only)
                    .describe("The resource's name, for display."),
                string("application")
                    .case_exact()
                    .mutability(read_only)
                    .describe("The id of the application the resource belongs to."),
            ]),
        string("departments")
            .multi()
            .describe("The departments the user belongs to."),
        AttributeDef::new("creditLimit", Integer)
            .describe("The most credits the user may spend; absent means unlimited. What the user spends is charged to the account."),
        AttributeDef::new("creditsUsed", Integer)
            .mutability(read_only)
            .returned(on_request)
            .describe("The credits the user has spent so far."),
        string("allowedIps")
            .multi()
            .canonical(&["127.0.0.1/32", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])
            .describe("The IP address ranges, in CIDR notation such as 192.168.0.0/16, from which the user may sign in or call the API. Absent or empty means from anywhere. The canonical values are only suggestions."),
        AttributeDef::new("notifications", Complex)
            .describe("How the user wants to be notified.")
            .subs(vec![
                AttributeDef::new("email", Boolean).describe("Send notifications by e-mail."),
                AttributeDef::new("inApp", Boolean).describe("Show notifications inside the application."),
                string("digest")
                    .canonical(&["never", "daily", "weekly"])
                    .describe("How often to send a summary of activity: never, daily or weekly."),
            ]),
        AttributeDef::new("lastActive", DateTime)
            .mutability(read_only)
            .returned(on_request)
            .describe("When the user last signed in or used the API."),
        AttributeDef::new("invitation", Complex)
            .mutability(read_only)
            .returned(on_request)
            .describe("The invitation of a pending user, until it is accepted.")
            .subs(vec![
                AttributeDef::new("sentAt", DateTime)
                    .mutability(read_only)
                    .describe("When the invitation e-mail was last sent."),
                AttributeDef::new("expiresAt", DateTime)
                    .mutability(read_only)
                    .describe("When the invitation stops working unless it is resent."),
                string("invitedBy")
                    .case_exact()
                    .mutability(read_only)
                    .describe("The id of the user who sent the invitation."),
                AttributeDef::new("expired", Boolean)
                    .mutability(read_only)
                    .describe("True when the invitation expired before it was accepted."),
            ]),
    ];
    SchemaDef {
        id: crate::urn::ROSTER_USER.to_string(),
        name: "RosterUser".to_string(),
        description: "Roster's additions to the User: invitation status, role, per-application permissions, resource access, departments, credits, allowed IP ranges and notification settings.".to_string(),
        attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_user_asks_for_every_attribute_returned_only_on_request() {
        let schema = roster_user_extension(&CatalogueHints::default());
        let mut on_request: Vec<&str> = schema
            .attributes
            .iter()
            .filter(|a| a.returned == Returned::Request)
            .map(|a| a.name.as_str())
            .collect();
        on_request.sort_unstable();
        let mut listed = RETURNED_ON_REQUEST;
        listed.sort_unstable();
        assert_eq!(on_request, listed);
        let asked = whole_user_attributes();
        let asked: Vec<&str> = asked.split(',').collect();
        assert_eq!(asked[..2], [urn::USER, urn::ROSTER_USER]);
        for attr in RETURNED_ON_REQUEST {
            assert!(asked.contains(&format!("{}:{attr}", urn::ROSTER_USER).as_str()));
        }
    }
}
