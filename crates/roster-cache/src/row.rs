//! What the offline copy keeps of each user for the table: the row as shown
//! and the texts a search looks in (the same fields the server searches:
//! given and family name, display name, user name, every e-mail address).

use roster_client::model::{Catalogue, Status, UserRow};
use roster_client::{user_json, ClientResult};
use roster_scim::text::fold;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedRow {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub status: Status,
    pub role: Option<String>,
    /// The role's display name as the user document gives it (core
    /// `roles`), for servers without a catalogue.
    pub role_display: Option<String>,
    pub last_active: Option<String>,
    pub departments: Vec<String>,
    pub invitation_expires_at: Option<String>,
    pub invitation_expired: bool,
    /// The folded texts a search looks in, each after a `\u{1}`: given and
    /// family name, display name, user name and every e-mail address (kept
    /// only folded, here: 100,000 rows are held in memory).
    pub search_text: String,
    /// Folded family name, given name, display name: the Name order.
    pub name_key: String,
    /// The folded e-mail address: the E-mail order.
    pub email_key: String,
}

/// Separates folded fields; never part of a search word.
pub const FIELD: char = '\u{1}';

impl CachedRow {
    pub fn from_doc(user: &Value) -> ClientResult<CachedRow> {
        let row = user_json::row(user, None)?;
        let emails: Vec<String> = user
            .get("emails")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|e| e.get("value").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let invitation = user_json::extension(user).and_then(|ext| ext.get("invitation"));
        let given_name = user_json::given_name(user);
        let family_name = user_json::family_name(user);
        let user_name = user
            .get("userName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut search_text = String::new();
        for field in [&given_name, &family_name, &row.display_name, &user_name]
            .into_iter()
            .chain(&emails)
        {
            search_text.push(FIELD);
            search_text.push_str(&fold(field));
        }
        let name_key = format!(
            "{}{FIELD}{}{FIELD}{}",
            fold(&family_name),
            fold(&given_name),
            fold(&row.display_name)
        );
        Ok(CachedRow {
            search_text,
            name_key,
            email_key: fold(&row.email),
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
        })
    }

    /// The role's name from the catalogue, else as the document gave it.
    pub fn role_name(&self, catalogue: &Catalogue) -> Option<String> {
        self.role
            .as_ref()
            .and_then(|id| catalogue.roles.iter().find(|r| &r.id == id))
            .map(|r| r.name.clone())
            .or_else(|| self.role_display.clone())
    }

    /// Whether the invitation has expired by `now` (RFC 3339, UTC).
    pub fn expired(&self, now: &str) -> bool {
        self.invitation_expired
            || (self.status == Status::Pending
                && self
                    .invitation_expires_at
                    .as_deref()
                    .is_some_and(|at| at < now))
    }

    /// The row as the table shows it.
    pub fn to_row(&self, role_name: Option<String>, expired: bool) -> UserRow {
        UserRow {
            id: self.id.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            status: self.status,
            role: self.role.clone(),
            role_name,
            last_active: self.last_active.clone(),
            departments: self.departments.clone(),
            invitation_expired: expired,
        }
    }
}
