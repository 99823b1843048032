//! What crosses IPC between the Rust core and the web UI. Every type here
//! derives `TS`; `cargo test -p roster-client` writes the TypeScript to
//! `ui/src/lib/bindings/` (CI fails when the committed copy is stale).
//!
//! Times are RFC 3339 strings; ids are the server's.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The three tabs of the Users table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Tab {
    Active,
    Pending,
    Archived,
}

/// A user's place in their lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Status {
    Pending,
    Active,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SortKey {
    /// Full name (family name, then given name).
    Name,
    Email,
    Role,
    LastActive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// The UI asks for a window of rows; it never receives the whole list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WindowRequest {
    pub tab: Tab,
    /// Matched against name and e-mail, ignoring case and accents.
    pub search: String,
    pub sort: Sort,
    pub offset: u32,
    pub limit: u32,
    /// Only users in this department (compared ignoring case); None: all.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TabCounts {
    pub active: u32,
    pub pending: u32,
    pub archived: u32,
}

/// One row of the Users table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserRow {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub status: Status,
    /// The role id, when the server has roles.
    pub role: Option<String>,
    /// The role's name from the catalogue, for display.
    pub role_name: Option<String>,
    pub last_active: Option<String>,
    pub departments: Vec<String>,
    /// For pending users: the invitation has expired.
    pub invitation_expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UsersWindow {
    /// Rows matching the tab and search.
    pub total: u32,
    /// Per-tab counts for the current search.
    pub counts: TabCounts,
    pub offset: u32,
    pub rows: Vec<UserRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PermissionMode {
    All,
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApplicationMode {
    pub application: String,
    pub mode: PermissionMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ResourceRef {
    pub id: String,
    pub name: String,
    pub application: String,
}

/// Everything the user panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserDetail {
    pub id: String,
    /// The ETag to send back with a change, when the server has them.
    pub version: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub status: Status,
    pub role: Option<String>,
    pub departments: Vec<String>,
    /// Applications set to Custom; the others are All.
    pub applications: Vec<ApplicationMode>,
    /// Granted permission ids in the Custom applications.
    pub permissions: Vec<String>,
    /// What the user holds in effect (the core `entitlements`).
    pub entitlements: Vec<String>,
    pub groups: Vec<String>,
    pub created: Option<String>,
    pub last_active: Option<String>,
    /// JSON numbers on the wire, so `number` in TypeScript.
    #[ts(type = "number | null")]
    pub credit_limit: Option<i64>,
    #[ts(type = "number | null")]
    pub credits_used: Option<i64>,
    pub allowed_ips: Vec<String>,
    pub resources: Vec<ResourceRef>,
    pub invitation_expires_at: Option<String>,
    /// None on servers without the Roster extension.
    #[serde(default)]
    pub notifications: Option<NotificationSettings>,
}

impl UserDetail {
    /// The editable part, as it is now.
    pub fn edit(&self) -> UserEdit {
        UserEdit {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            email: self.email.clone(),
            role: self.role.clone(),
            departments: self.departments.clone(),
            applications: self.applications.clone(),
            permissions: self.permissions.clone(),
        }
    }
}

/// The editable part of a user: the panel sends the whole desired state and
/// the client turns the difference into a PATCH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserEdit {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub role: Option<String>,
    pub departments: Vec<String>,
    pub applications: Vec<ApplicationMode>,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InviteRequest {
    pub user: UserEdit,
    /// Send the invitation e-mail now.
    pub send_email: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PermissionInfo {
    pub id: String,
    pub name: String,
    /// The tooltip text.
    pub description: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApplicationInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub permissions: Vec<PermissionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RoleInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The most this role can hold.
    pub permissions: Vec<String>,
    /// False for the Owner: nobody can be given it.
    pub assignable: bool,
    /// Whether the signed-in administrator may give it (the server says;
    /// older answers and copies do not, and then it is true).
    #[serde(default = "yes")]
    pub grantable: bool,
    /// Why not, when not grantable: shown beside the disabled choice.
    #[serde(default)]
    pub not_grantable_reason: Option<String>,
    /// A role defined by an administrator rather than built in.
    #[serde(default)]
    pub custom: bool,
}

fn yes() -> bool {
    true
}

/// The role and permission catalogue (empty on servers without the Roster
/// extension).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Catalogue {
    pub roles: Vec<RoleInfo>,
    pub applications: Vec<ApplicationInfo>,
    pub departments: Vec<String>,
}

/// The signed-in administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Me {
    pub user_id: Option<String>,
    pub name: String,
    pub role: Option<String>,
    /// Permission ids held; empty when the server does not say.
    pub permissions: Vec<String>,
}

/// What the server supports, from discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Capabilities {
    /// The Roster extension: pending users, roles, permissions, catalogue.
    pub roster_extension: bool,
    pub etag: bool,
    pub patch: bool,
    pub sort: bool,
    pub max_results: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AuthKind {
    Password,
    ApiToken,
}

/// A saved connection. Holds nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileSummary {
    pub id: String,
    pub name: String,
    pub server_url: String,
    /// The e-mail signed in with, for password profiles.
    pub account: Option<String>,
    pub auth: AuthKind,
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionStatus {
    pub profile: ProfileSummary,
    pub me: Me,
    pub capabilities: Capabilities,
    /// Set when the keychain could not be used: the session lives in memory
    /// only and ends with the app.
    pub keychain_warning: Option<String>,
}

/// What the UI branches on; it never matches message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorKind {
    Unauthorized,
    Forbidden,
    Offline,
    NotFound,
    Conflict,
    Validation,
    Keychain,
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

/// What a sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SyncPhase {
    /// Reading every user (the first sync, or after the copy was lost).
    Full,
    /// Reading what changed since the last sync.
    Changes,
    /// Comparing the lists to find users deleted on the server.
    Deletions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u32,
    /// 0 while not known yet.
    pub total: u32,
}

/// The offline copy of the active connection, as the title bar shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncState {
    /// When the copy was last brought up to date (RFC 3339); None before
    /// the first sync finished.
    pub as_of: Option<String>,
    /// The server cannot be reached: the app works from the copy.
    pub offline: bool,
    /// Users in the copy.
    pub users: u32,
    /// A sync under way.
    pub running: Option<SyncProgress>,
    /// Why the last sync did not finish, in the user's words.
    pub error: Option<String>,
    /// Something the user should know about the copy itself (set aside,
    /// kept in memory only).
    pub notice: Option<String>,
    /// The server no longer accepts this session (revoked, expired): the
    /// UI asks to sign in again; the copy stays browsable meanwhile.
    pub session_ended: bool,
    /// Counts the changes of this state: the UI keeps the newest it saw, as
    /// an answer to "what is the state?" may arrive after later events.
    pub revision: u32,
}

// ---- The Roster management endpoints (`/roster/v1`): invitations, the
// outbox, resources, credits, history, delete with transfer.

/// One e-mail the server wrote: an invitation or a password reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxMessage {
    #[ts(type = "number")]
    pub id: i64,
    /// `invitation` or `password-reset`.
    pub kind: String,
    pub user_id: Option<String>,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The accept or reset link in the body.
    pub link: Option<String>,
    pub created: String,
    /// `queued` (the outbox is the delivery), `sent` or `failed`.
    pub status: String,
    pub sent_at: Option<String>,
    pub error: Option<String>,
}

/// A page of the outbox, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxPage {
    #[ts(type = "number")]
    pub total: u64,
    /// Pass back as `before` for the next page; None on the last.
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
    pub messages: Vec<OutboxMessage>,
}

/// A password reset link was written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PasswordReset {
    #[ts(type = "number")]
    pub outbox_id: i64,
    pub expires_at: String,
}

/// The resources a user can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserResources {
    pub user_id: String,
    /// The role sees every resource, whatever is granted.
    pub full_access: bool,
    /// The role (a Guest) must keep at least one resource.
    pub requires_resource: bool,
    pub resources: Vec<ResourceRef>,
}

/// The Statistics tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserStatistics {
    pub user_id: String,
    pub role: Option<String>,
    pub account_type: String,
    pub status: Status,
    /// None: unlimited.
    #[ts(type = "number | null")]
    pub credit_limit: Option<i64>,
    #[ts(type = "number")]
    pub credits_used: i64,
    #[ts(type = "number")]
    pub remaining_credits: i64,
    #[ts(type = "number")]
    pub account_balance: i64,
    pub created: Option<String>,
    pub last_active: Option<String>,
    #[ts(type = "number")]
    pub events: u64,
    #[ts(type = "number")]
    pub event_credits: i64,
}

/// One usage event: something the user did that cost credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UsageEvent {
    #[ts(type = "number")]
    pub seq: i64,
    pub id: String,
    pub application: String,
    pub description: String,
    #[ts(type = "number")]
    pub credits: i64,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EventsPage {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
    pub events: Vec<UsageEvent>,
}

/// One attribute an audited action changed, written out for reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditChange {
    pub field: String,
    /// None: it was not set.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of the audit log: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor: String,
    /// `user.update`, `role.create` …
    pub action: String,
    pub target_id: Option<String>,
    pub target: Option<String>,
    pub summary: String,
    pub changes: Vec<AuditChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditPage {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
    pub entries: Vec<AuditEntry>,
}

/// What happens to a deleted user's resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeleteRequest {
    /// The active user who receives them; None deletes them with the user.
    pub transfer_to: Option<String>,
}

/// What a delete did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeleteOutcome {
    pub deleted_name: String,
    /// The recipient's name; None when the resources were deleted.
    pub transferred_to: Option<String>,
    /// The resources moved or deleted.
    pub affected: Vec<ResourceRef>,
}

/// The limits on a user: credits and where they may sign in from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserLimits {
    /// None: unlimited.
    #[ts(type = "number | null")]
    pub credit_limit: Option<i64>,
    /// CIDR ranges or bare addresses; empty: anywhere.
    pub allowed_ips: Vec<String>,
}

/// How often a user gets a summary of activity by e-mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Digest {
    Never,
    Daily,
    #[default]
    Weekly,
}

/// A user's notification settings (the Roster extension's
/// `notifications`). A user without any has the defaults: e-mail and in-app
/// notifications on, a weekly summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NotificationSettings {
    pub email: bool,
    pub in_app: bool,
    pub digest: Digest,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            email: true,
            in_app: true,
            digest: Digest::Weekly,
        }
    }
}

/// A department and how many users (of any status) belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DepartmentInfo {
    pub name: String,
    pub members: u32,
}

/// A custom role to define: only permissions the author holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
}
