//! The default role and permission catalogue, as data.
//!
//! The catalogue is what the reference server serves to clients: the roles a
//! user can be given, the applications (tools) of the account and, per
//! application, the named permissions with the tooltip text the client shows
//! beside each toggle. Every concept comes from the help pages the product
//! unifies:
//!
//! - six coarse permission profiles ([`Capability`]): Full Control (managing
//!   the organisation), Full Access, View, Execution, Create and Modify, User
//!   Admin;
//! - the roles Owner, Admin, Manager, Member (Specialist, Collaborator, User,
//!   Case handler), Viewer (Statistics viewer, Reviewer) and Guest;
//! - the applications named by the seeds, with sub-permissions for a case
//!   handler's actions inside a case.
//!
//! Each role carries its concrete ceiling: the permission ids (`"app:perm"`) a
//! user with that role may hold. A user's effective permissions never exceed
//! their role's ceiling, whatever their All/Custom settings say.

use serde::{Deserialize, Serialize};

/// The six permission profiles every role is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Capability {
    /// "Full Control": manage the organisation itself — billing, branding,
    /// configuration and security.
    AccountSettings,
    /// Add, edit, archive and delete users and set their roles.
    UserAdmin,
    /// See every resource of the organisation, not only those shared through
    /// an access list.
    FullAccess,
    /// Create and modify resources, and share them through access lists.
    CreateModify,
    /// Run tasks and other executable resources.
    Execute,
    /// View resources, output logs and reports.
    View,
}

impl Capability {
    /// Every capability, in the order the catalogue lists them.
    pub const ALL: [Capability; 6] = [
        Capability::AccountSettings,
        Capability::UserAdmin,
        Capability::FullAccess,
        Capability::CreateModify,
        Capability::Execute,
        Capability::View,
    ];

    /// A short human label, as the seeds name the profile.
    pub fn label(self) -> &'static str {
        match self {
            Capability::AccountSettings => "Full Control",
            Capability::UserAdmin => "User Admin",
            Capability::FullAccess => "Full Access",
            Capability::CreateModify => "Create and Modify",
            Capability::Execute => "Execution",
            Capability::View => "View",
        }
    }

    /// The tooltip text for the capability.
    pub fn description(self) -> &'static str {
        match self {
            Capability::AccountSettings => {
                "Manage the organisation itself: billing, branding, configuration and security settings."
            }
            Capability::UserAdmin => {
                "Invite, edit, archive and delete users, and set their roles and permissions."
            }
            Capability::FullAccess => {
                "See every resource that belongs to the organisation, not only those shared with you."
            }
            Capability::CreateModify => {
                "Create and modify resources, such as tasks, monitors, reviews and cases, and share them with others."
            }
            Capability::Execute => "Run tasks and other executable resources you can see.",
            Capability::View => "View resources, output logs and reports, and download them.",
        }
    }
}

/// A role: a named set of capabilities with a concrete permission ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Built-in roles ship with the server; user-defined roles do not.
    pub builtin: bool,
    pub capabilities: Vec<Capability>,
    /// The permission ids (`"app:perm"`) this role may hold; a user's
    /// effective permissions never exceed them.
    pub permissions: Vec<String>,
    /// A Guest must keep access to at least one resource.
    pub requires_resource: bool,
    /// Who defined a user-defined role (absent for built-in roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl Role {
    /// Whether the role has the given coarse capability.
    pub fn has_capability(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// Whether `permission_id` lies within the role's ceiling.
    pub fn allows(&self, permission_id: &str) -> bool {
        self.permissions.iter().any(|p| p == permission_id)
    }
}

/// One named permission of an application: one toggle in the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    /// `"application:permission"`, e.g. `"cases:close"`.
    pub id: String,
    pub name: String,
    /// The tooltip text: one or two plain sentences saying what it allows.
    pub description: String,
    /// Sub-permissions hang under a parent, e.g. a case handler's actions
    /// inside a case hang under `"cases:handle"`.
    pub parent: Option<String>,
}

/// An application (tool) of the account and its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Billing, branding, configuration, security, users: what Managers
    /// never get.
    pub account_setting: bool,
    /// Whether the application holds resources that are shared per user
    /// through access lists.
    pub has_resources: bool,
    /// What one resource is called: `"task"`, `"monitor"`, `"review"`, `"case"`.
    pub resource_kind: Option<String>,
    pub permissions: Vec<Permission>,
}

/// The role and permission catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalogue {
    pub roles: Vec<Role>,
    pub applications: Vec<Application>,
}

/// How far down the role ladder a permission reaches. Used only to derive the
/// default roles' ceilings from the table below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// Everyone's own things (profile): every role.
    Own,
    /// Viewing and downloading: Viewer and Guest upwards.
    View,
    /// Day-to-day work — create, edit, run, comment: Member upwards.
    Work,
    /// Managing what others made, deleting, configuring: Manager upwards
    /// (Admin and Owner for account settings).
    Manage,
}

struct PermDef {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    parent: Option<&'static str>,
    tier: Tier,
}

struct AppDef {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    account_setting: bool,
    resource_kind: Option<&'static str>,
    permissions: &'static [PermDef],
}

const fn p(id: &'static str, name: &'static str, tier: Tier, description: &'static str) -> PermDef {
    PermDef {
        id,
        name,
        description,
        parent: None,
        tier,
    }
}

const fn sub(
    id: &'static str,
    parent: &'static str,
    name: &'static str,
    tier: Tier,
    description: &'static str,
) -> PermDef {
    PermDef {
        id,
        name,
        description,
        parent: Some(parent),
        tier,
    }
}

use Tier::{Manage, Own, View, Work};

/// The application whose permissions only the Owner holds.
const BILLING: &str = "billing";

const APPLICATIONS: &[AppDef] = &[
    AppDef {
        id: "profile",
        name: "Profile settings",
        description: "Your own name, password, language, time zone and notification preferences.",
        account_setting: false,
        resource_kind: None,
        permissions: &[
            p("profile:view", "View own profile", Own,
              "See your own profile, sign-in history and notification settings."),
            p("profile:edit", "Edit own profile", Own,
              "Change your own password, language, time zone and notification preferences. Only an admin can change your name or e-mail address."),
        ],
    },
    AppDef {
        id: "cases",
        name: "Cases",
        description: "Reports received through the reporting channels, handled as cases by case handlers.",
        account_setting: false,
        resource_kind: Some("case"),
        permissions: &[
            p("cases:view", "View cases", View,
              "Open and read the cases shared with you, including their messages and attachments."),
            p("cases:create", "Register cases", Work,
              "Register a new case by hand, for example for a report received by phone or in person."),
            p("cases:handle", "Handle cases", Work,
              "Work on the cases assigned to you as a case handler. The actions allowed inside a case are chosen below."),
            sub("cases:comment", "cases:handle", "Comment and message", Work,
                "Write internal notes on a case and reply to the person who reported it."),
            sub("cases:assign", "cases:handle", "Assign case handlers", Work,
                "Add or remove case handlers on a case you handle."),
            sub("cases:change-status", "cases:handle", "Change status", Work,
                "Move a case between statuses such as New, In progress and Awaiting reply."),
            sub("cases:close", "cases:handle", "Close and reopen", Work,
                "Close a case when it is resolved, or reopen a closed case."),
            sub("cases:export", "cases:handle", "Export case", Work,
                "Download a case with its history and attachments as a PDF."),
            sub("cases:delete", "cases:handle", "Delete case", Manage,
                "Permanently delete a case and everything in it. This cannot be undone."),
        ],
    },
    AppDef {
        id: "statistics",
        name: "Statistics",
        description: "Dashboards and reports about cases, tasks, credit usage and activity.",
        account_setting: false,
        resource_kind: None,
        permissions: &[
            p("statistics:view", "View statistics", View,
              "See the dashboards and reports for the work you have access to."),
            p("statistics:export", "Download reports", View,
              "Download statistics as CSV or PDF reports."),
            p("statistics:view-all", "View everyone's statistics", Manage,
              "See statistics, credit usage and event costs for every user, not only your own."),
        ],
    },
    AppDef {
        id: "tasks",
        name: "Tools and tasks",
        description: "The tools of the account and the tasks run with them, such as audits, crawls and reports.",
        account_setting: false,
        resource_kind: Some("task"),
        permissions: &[
            p("tasks:view", "View tasks", View,
              "See the tasks shared with you and their latest results."),
            p("tasks:download", "Download reports", View,
              "Download the reports that tasks produce."),
            p("tasks:execute", "Run tasks", Work,
              "Run or update a task. Each run spends credits from the account's balance, within your credit limit."),
            p("tasks:create", "Create tasks", Work,
              "Create new tasks with the tools you have access to. Creating a task spends credits."),
            p("tasks:edit", "Edit tasks", Work,
              "Change the settings and schedule of a task and share it with other users."),
            p("tasks:delete", "Delete tasks", Manage,
              "Delete a task together with its results and reports."),
        ],
    },
    AppDef {
        id: "monitors",
        name: "Monitors",
        description: "Checks that watch websites, servers and jobs, and alert the people on their access list.",
        account_setting: false,
        resource_kind: Some("monitor"),
        permissions: &[
            p("monitors:view", "View monitors", View,
              "See the monitors shared with you and their current state."),
            p("monitors:view-logs", "View output logs", View,
              "Read and download the output logs of monitor checks."),
            p("monitors:create", "Create monitors", Work,
              "Set up new monitors and choose who is notified."),
            p("monitors:edit", "Edit monitors", Work,
              "Change a monitor's checks, schedule, alerts and access list."),
            p("monitors:delete", "Delete monitors", Manage,
              "Delete a monitor and its history."),
        ],
    },
    AppDef {
        id: "reviews",
        name: "Reviews",
        description: "Documents and artwork circulated for comments and approval.",
        account_setting: false,
        resource_kind: Some("review"),
        permissions: &[
            p("reviews:view", "View reviews", View,
              "Open the reviews shared with you and download their files."),
            p("reviews:comment", "Comment", Work,
              "Add comments and mark-ups to a review."),
            p("reviews:approve", "Approve", Work,
              "Approve a review or request changes to it."),
            p("reviews:create", "Create reviews", Work,
              "Start new projects and reviews and upload their files."),
            p("reviews:share", "Share reviews", Work,
              "Share a review with other users or with guests outside the account."),
        ],
    },
    AppDef {
        id: "categories",
        name: "Categories and departments",
        description: "The categories cases are filed under and the departments users belong to.",
        account_setting: false,
        resource_kind: None,
        permissions: &[
            p("categories:view", "View categories and departments", View,
              "See the list of categories and departments."),
            p("categories:manage", "Add and remove categories and departments", Manage,
              "Create, rename and remove categories and departments. Removing one does not delete its cases or users."),
        ],
    },
    AppDef {
        id: "channels",
        name: "Reporting channels",
        description: "The web forms, hotlines and mailboxes through which reports arrive.",
        account_setting: false,
        resource_kind: None,
        permissions: &[
            p("channels:view", "View reporting channels", View,
              "See the reporting channels and their public links."),
            p("channels:manage", "Add and remove reporting channels", Manage,
              "Create, change and close reporting channels. Closing a channel stops new reports from arriving through it."),
        ],
    },
    AppDef {
        id: "users",
        name: "User management",
        description: "The people who can sign in to the account, their roles and their permissions.",
        account_setting: true,
        resource_kind: None,
        permissions: &[
            p("users:view", "View users", Manage,
              "See every user of the account with their role, status, statistics and history."),
            p("users:invite", "Invite users", Manage,
              "Invite new users by e-mail, and resend or revoke pending invitations."),
            p("users:edit", "Edit users", Manage,
              "Change users' details, roles, permissions and resource access. You can only grant what you hold yourself."),
            p("users:archive", "Archive and reactivate users", Manage,
              "Archive a user so they can no longer sign in while their data is kept, or reactivate them."),
            p("users:delete", "Delete users", Manage,
              "Delete a user, either with their resources or after transferring them to another user."),
            p("users:reset-password", "Reset passwords", Manage,
              "Send a user an e-mail with a link to set a new password."),
        ],
    },
    AppDef {
        id: "configuration",
        name: "Access configuration",
        description: "Account-wide rules for who can reach what: default permissions, sharing and API access.",
        account_setting: true,
        resource_kind: None,
        permissions: &[
            p("configuration:view", "View access configuration", Manage,
              "See the account's default permissions, sharing rules and API tokens."),
            p("configuration:edit", "Change access configuration", Manage,
              "Change the account's default permissions, sharing rules and API tokens. Changes apply to every user."),
        ],
    },
    AppDef {
        id: "security",
        name: "Security settings",
        description: "Sign-in rules for the whole account and the audit log of administrator actions.",
        account_setting: true,
        resource_kind: None,
        permissions: &[
            p("security:view", "View security settings", Manage,
              "See the password policy, two-step verification and allowed IP ranges of the account."),
            p("security:edit", "Change security settings", Manage,
              "Change the password policy, two-step verification and allowed IP ranges. A wrong IP range can lock users out."),
            p("security:audit-log", "View audit log", Manage,
              "Read and export the account-wide log of administrator actions."),
        ],
    },
    AppDef {
        id: "branding",
        name: "Branding",
        description: "How the account looks to users, guests and reporters: logo, colours and e-mail templates.",
        account_setting: true,
        resource_kind: None,
        permissions: &[
            p("branding:view", "View branding", Manage,
              "See the logo, colours and e-mail templates of the account."),
            p("branding:edit", "Change branding", Manage,
              "Change the logo, colours and e-mail templates that users and guests see."),
        ],
    },
    AppDef {
        id: BILLING,
        name: "Billing and subscription",
        description: "The account's subscription, credit balance and invoices. Only the Owner has access.",
        account_setting: true,
        resource_kind: None,
        permissions: &[
            p("billing:view-invoices", "View invoices", Manage,
              "See and download the account's invoices and payment history."),
            p("billing:manage-subscription", "Manage subscription", Manage,
              "Change the plan, payment method and billing details of the account."),
            p("billing:manage-credits", "Buy credits", Manage,
              "Buy credits for the account. Every user's spending is charged to this balance."),
        ],
    },
];

struct RoleDef {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    capabilities: &'static [Capability],
    requires_resource: bool,
    /// Whether a permission of `app` at `tier` lies within the ceiling.
    ceiling: fn(app: &AppDef, tier: Tier) -> bool,
}

const ROLES: &[RoleDef] = &[
    RoleDef {
        id: "owner",
        name: "Owner",
        description: "The person who created the account. There is exactly one Owner, who holds every \
                      permission including billing and the subscription. The Owner cannot be archived or \
                      deleted, and ownership cannot be transferred.",
        capabilities: &Capability::ALL,
        requires_resource: false,
        ceiling: |_, _| true,
    },
    RoleDef {
        id: "admin",
        name: "Admin",
        description: "Full access to every application and resource, including user management and \
                      account-wide settings such as configuration, branding and security; billing stays \
                      with the Owner. An Admin cannot grant a permission, role or resource they do not \
                      hold themselves, and cannot change the Owner.",
        capabilities: &[
            Capability::UserAdmin,
            Capability::AccountSettings,
            Capability::FullAccess,
            Capability::CreateModify,
            Capability::Execute,
            Capability::View,
        ],
        requires_resource: false,
        ceiling: |app, _| app.id != BILLING,
    },
    RoleDef {
        id: "manager",
        name: "Manager",
        description: "Sees and works with all resources of all applications, including those created by \
                      other users, but has no account-level settings: billing, branding, configuration, \
                      security and user management are out of reach.",
        capabilities: &[
            Capability::FullAccess,
            Capability::CreateModify,
            Capability::Execute,
            Capability::View,
        ],
        requires_resource: false,
        ceiling: |app, _| !app.account_setting,
    },
    RoleDef {
        id: "member",
        name: "Member",
        description: "The everyday role, also called Specialist, Collaborator, User or Case handler. \
                      Creates, edits and runs what they are granted, and sees only the resources they \
                      created or that are shared with them. Their work spends the account's credits, up \
                      to their credit limit when one is set.",
        capabilities: &[Capability::CreateModify, Capability::Execute, Capability::View],
        requires_resource: false,
        ceiling: |app, tier| !app.account_setting && tier <= Work,
    },
    RoleDef {
        id: "viewer",
        name: "Viewer",
        description: "Also called Statistics viewer or Reviewer. Views and downloads the resources and \
                      reports shared with them, but cannot create, edit or run anything.",
        capabilities: &[Capability::View],
        requires_resource: false,
        ceiling: |app, tier| !app.account_setting && tier <= View,
    },
    RoleDef {
        id: "guest",
        name: "Guest",
        description: "Someone outside the organisation, such as a client or consultant, who can only view \
                      and download the resources shared with them. A Guest must keep access to at least \
                      one resource.",
        capabilities: &[Capability::View],
        requires_resource: true,
        ceiling: |app, tier| !app.account_setting && tier <= View,
    },
];

impl Catalogue {
    /// The catalogue the reference server ships with.
    pub fn default_catalogue() -> Self {
        let applications = APPLICATIONS
            .iter()
            .map(|app| Application {
                id: app.id.to_owned(),
                name: app.name.to_owned(),
                description: app.description.to_owned(),
                account_setting: app.account_setting,
                has_resources: app.resource_kind.is_some(),
                resource_kind: app.resource_kind.map(str::to_owned),
                permissions: app
                    .permissions
                    .iter()
                    .map(|perm| Permission {
                        id: perm.id.to_owned(),
                        name: perm.name.to_owned(),
                        description: perm.description.to_owned(),
                        parent: perm.parent.map(str::to_owned),
                    })
                    .collect(),
            })
            .collect();
        let roles = ROLES
            .iter()
            .map(|role| Role {
                id: role.id.to_owned(),
                name: role.name.to_owned(),
                description: role.description.to_owned(),
                builtin: true,
                capabilities: role.capabilities.to_vec(),
                permissions: APPLICATIONS
                    .iter()
                    .flat_map(|app| {
                        app.permissions
                            .iter()
                            .filter(move |perm| (role.ceiling)(app, perm.tier))
                            .map(|perm| perm.id.to_owned())
                    })
                    .collect(),
                requires_resource: role.requires_resource,
                created_by: None,
            })
            .collect();
        Catalogue {
            roles,
            applications,
        }
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn application(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.id == id)
    }

    /// Looks a permission up by its `"app:perm"` id.
    pub fn permission(&self, id: &str) -> Option<(&Application, &Permission)> {
        let (app_id, _) = id.split_once(':')?;
        let app = self.application(app_id)?;
        let perm = app.permissions.iter().find(|p| p.id == id)?;
        Some((app, perm))
    }

    /// Every permission id, in catalogue order.
    pub fn all_permission_ids(&self) -> Vec<String> {
        self.applications
            .iter()
            .flat_map(|a| a.permissions.iter().map(|p| p.id.clone()))
            .collect()
    }

    /// The roles a user can be given: every role but the Owner, which belongs
    /// to the account's creator alone.
    pub fn assignable_role_ids(&self) -> Vec<String> {
        self.roles
            .iter()
            .filter(|r| r.id != "owner")
            .map(|r| r.id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn cat() -> Catalogue {
        Catalogue::default_catalogue()
    }

    fn role<'a>(c: &'a Catalogue, id: &str) -> &'a Role {
        c.role(id).unwrap_or_else(|| panic!("role {id} missing"))
    }

    #[test]
    fn default_roles_are_the_six_of_the_seeds() {
        let c = cat();
        let ids: Vec<&str> = c.roles.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["owner", "admin", "manager", "member", "viewer", "guest"]
        );
        let names: Vec<&str> = c.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["Owner", "Admin", "Manager", "Member", "Viewer", "Guest"]
        );
        assert!(c
            .roles
            .iter()
            .all(|r| r.builtin && !r.description.is_empty()));
    }

    #[test]
    fn ids_are_unique() {
        let c = cat();
        let roles: HashSet<_> = c.roles.iter().map(|r| &r.id).collect();
        assert_eq!(roles.len(), c.roles.len());
        let apps: HashSet<_> = c.applications.iter().map(|a| &a.id).collect();
        assert_eq!(apps.len(), c.applications.len());
        let perms = c.all_permission_ids();
        let unique: HashSet<_> = perms.iter().collect();
        assert_eq!(unique.len(), perms.len());
        for role in &c.roles {
            let unique: HashSet<_> = role.permissions.iter().collect();
            assert_eq!(unique.len(), role.permissions.len(), "{}", role.id);
            let caps: HashSet<_> = role.capabilities.iter().collect();
            assert_eq!(caps.len(), role.capabilities.len(), "{}", role.id);
        }
    }

    #[test]
    fn permission_ids_are_prefixed_by_their_application_and_parents_exist() {
        let c = cat();
        for app in &c.applications {
            assert!(!app.permissions.is_empty(), "{}", app.id);
            assert_eq!(app.has_resources, app.resource_kind.is_some(), "{}", app.id);
            for perm in &app.permissions {
                let (prefix, rest) = perm.id.split_once(':').expect("app:perm");
                assert_eq!(prefix, app.id);
                assert!(!rest.is_empty() && !rest.contains(':'));
                if let Some(parent) = &perm.parent {
                    let (parent_app, parent_perm) = c.permission(parent).expect("parent exists");
                    assert_eq!(parent_app.id, app.id);
                    assert!(parent_perm.parent.is_none(), "one level of nesting");
                }
            }
        }
        assert!(c
            .permission("cases:close")
            .is_some_and(|(_, p)| p.parent.as_deref() == Some("cases:handle")));
        assert!(c.permission("cases:nonexistent").is_none());
        assert!(c.permission("nonexistent:view").is_none());
        assert!(c.permission("no-colon").is_none());
    }

    #[test]
    fn every_role_permission_exists() {
        let c = cat();
        for role in &c.roles {
            for perm in &role.permissions {
                assert!(c.permission(perm).is_some(), "{}: {perm}", role.id);
            }
            // A sub-permission is only useful together with its parent.
            for perm in &role.permissions {
                if let Some(parent) = &c.permission(perm).unwrap().1.parent {
                    assert!(role.allows(parent), "{}: {perm} without {parent}", role.id);
                }
            }
        }
    }

    #[test]
    fn every_permission_has_a_tooltip() {
        let c = cat();
        for app in &c.applications {
            assert!(!app.name.trim().is_empty() && !app.description.trim().is_empty());
            for perm in &app.permissions {
                assert!(!perm.name.trim().is_empty(), "{}", perm.id);
                let d = perm.description.trim();
                assert!(!d.is_empty(), "{}", perm.id);
                assert!(d.ends_with('.'), "{}: tooltips are sentences", perm.id);
            }
        }
    }

    #[test]
    fn owner_holds_everything() {
        let c = cat();
        let owner = role(&c, "owner");
        assert_eq!(owner.permissions, c.all_permission_ids());
        assert_eq!(owner.capabilities, Capability::ALL);
    }

    #[test]
    fn admin_holds_everything_but_billing() {
        let c = cat();
        let admin = role(&c, "admin");
        let billing = c.application("billing").unwrap();
        assert!(billing.account_setting && !billing.permissions.is_empty());
        for id in c.all_permission_ids() {
            assert_eq!(admin.allows(&id), !id.starts_with("billing:"), "{id}");
        }
        assert!(admin.has_capability(Capability::UserAdmin));
        assert!(admin.has_capability(Capability::AccountSettings));
    }

    #[test]
    fn manager_holds_no_account_setting() {
        let c = cat();
        let manager = role(&c, "manager");
        for id in c.all_permission_ids() {
            let (app, _) = c.permission(&id).unwrap();
            assert_eq!(manager.allows(&id), !app.account_setting, "{id}");
        }
        for app in ["billing", "branding", "configuration", "security", "users"] {
            assert!(c.application(app).unwrap().account_setting, "{app}");
        }
        assert!(!manager.has_capability(Capability::UserAdmin));
        assert!(!manager.has_capability(Capability::AccountSettings));
        assert!(manager.has_capability(Capability::FullAccess));
    }

    #[test]
    fn ceilings_nest() {
        let c = cat();
        let chain = ["guest", "viewer", "member", "manager", "admin", "owner"];
        for pair in chain.windows(2) {
            let lower = role(&c, pair[0]);
            let upper = role(&c, pair[1]);
            for perm in &lower.permissions {
                assert!(
                    upper.allows(perm),
                    "{} has {perm}, {} not",
                    lower.id,
                    upper.id
                );
            }
        }
        assert_eq!(
            role(&c, "guest").permissions,
            role(&c, "viewer").permissions
        );
    }

    #[test]
    fn member_works_but_does_not_manage() {
        let c = cat();
        let member = role(&c, "member");
        for id in [
            "tasks:create",
            "tasks:execute",
            "reviews:comment",
            "cases:handle",
            "cases:close",
        ] {
            assert!(member.allows(id), "{id}");
        }
        for id in [
            "tasks:delete",
            "users:view",
            "categories:manage",
            "statistics:view-all",
        ] {
            assert!(!member.allows(id), "{id}");
        }
    }

    #[test]
    fn viewer_and_guest_only_view_and_download() {
        let c = cat();
        for id in ["viewer", "guest"] {
            let r = role(&c, id);
            assert_eq!(r.capabilities, [Capability::View]);
            assert!(r.allows("tasks:view") && r.allows("tasks:download"));
            assert!(r.allows("monitors:view-logs") && r.allows("reviews:view"));
            for forbidden in [
                "tasks:execute",
                "tasks:create",
                "reviews:comment",
                "cases:handle",
            ] {
                assert!(!r.allows(forbidden), "{id}: {forbidden}");
            }
        }
    }

    #[test]
    fn guest_requires_a_resource() {
        let c = cat();
        for r in &c.roles {
            assert_eq!(r.requires_resource, r.id == "guest", "{}", r.id);
        }
    }

    #[test]
    fn every_role_has_its_profile() {
        let c = cat();
        for r in &c.roles {
            assert!(
                r.allows("profile:view") && r.allows("profile:edit"),
                "{}",
                r.id
            );
        }
    }

    #[test]
    fn resource_applications_are_the_seeds() {
        let c = cat();
        let kinds: Vec<(&str, &str)> = c
            .applications
            .iter()
            .filter_map(|a| Some((a.id.as_str(), a.resource_kind.as_deref()?)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("cases", "case"),
                ("tasks", "task"),
                ("monitors", "monitor"),
                ("reviews", "review")
            ]
        );
    }

    #[test]
    fn assignable_roles_exclude_the_owner() {
        let c = cat();
        assert_eq!(
            c.assignable_role_ids(),
            ["admin", "manager", "member", "viewer", "guest"]
        );
    }

    #[test]
    fn serialises_in_camel_case_and_round_trips() {
        let c = cat();
        let json = serde_json::to_value(&c).unwrap();
        let guest = &json["roles"][5];
        assert_eq!(guest["requiresResource"], true);
        assert_eq!(json["roles"][0]["capabilities"][0], "accountSettings");
        assert_eq!(json["applications"][1]["resourceKind"], "case");
        assert!(json["applications"][1]["accountSetting"].is_boolean());
        let back: Catalogue = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
