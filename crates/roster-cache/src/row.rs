//! What the offline copy keeps of each user for the table: the row as shown
//! and the texts a search looks in (the same fields the server searches:
//! given and family name, display name, user name, every e-mail address).

use roster_client::model::{Catalogue, Status, UserRow};
use roster_client::user_json::UserDoc;
use roster_client::ClientResult;
use roster_scim::text::fold;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownRow {
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
}

/// What the copy keeps of a user: the row as shown, and its folded texts.
/// The index keeps the texts apart, all users' in one string, and shares
/// the shown row: 100,000 users are held in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedRow {
    pub shown: ShownRow,
    /// The folded texts a search looks in, separated by [`FIELD`]: family
    /// name, given name and display name (the Name order: the first
    /// `name_len` bytes), then the e-mail address (the E-mail order: the
    /// next `email_len` bytes, after a separator), then the user name and
    /// the other e-mail addresses.
    pub search_text: String,
    pub name_len: u32,
    pub email_len: u32,
}

impl std::ops::Deref for CachedRow {
    type Target = ShownRow;

    fn deref(&self) -> &ShownRow {
        &self.shown
    }
}

/// Separates folded fields; never part of a search word.
pub const FIELD: char = '\u{1}';

fn len_u32(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

impl CachedRow {
    pub fn from_doc(user: &Value) -> ClientResult<CachedRow> {
        CachedRow::from_user(&UserDoc::of(user))
    }

    pub fn from_user(user: &UserDoc<'_>) -> ClientResult<CachedRow> {
        let row = user.row(None)?;
        let email_key = fold(&row.email);
        let name_key = format!(
            "{}{FIELD}{}{FIELD}{}",
            fold(&user.family_name()),
            fold(&user.given_name()),
            fold(&row.display_name)
        );
        let mut search_text = format!("{name_key}{FIELD}{email_key}");
        let user_name = user.user_name.as_deref();
        let emails = user.emails.iter().filter_map(|e| e.value.as_deref());
        // The shown address is among the e-mails, as a rule: once is enough.
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
        Ok(CachedRow {
            name_len: len_u32(&name_key),
            email_len: len_u32(&email_key),
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
                invitation_expires_at: user.ext.invitation.expires_at.as_deref().map(str::to_owned),
                invitation_expired: row.invitation_expired,
            },
        })
    }
}

impl ShownRow {
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
