//! Start-up data: the default catalogue on a new database, and the demo
//! organisation for `--demo N`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use roster_scim::urn;
use rusqlite::params;
use serde_json::{json, Value};

use crate::audit::{self, Entry};
use crate::auth::{new_token, token_hash};
use crate::catalogue::{Catalogue, Role};
use crate::db::Db;
use crate::demo::{self, DemoAction, DemoOrg, DemoStatus};
use crate::error::{ApiError, ApiResult};
use crate::invitations::invitation_mail;
use crate::password_reset::{reset_mail, RESET_HOURS};
use crate::state::{Loaded, Principal};
use crate::users::{display_label, insert, prepare_owner, prepare_user, Lifecycle};

/// Loads the catalogue, writing the default one into a new database first.
pub fn load_catalogue(db: &Db) -> ApiResult<Catalogue> {
    db.with_writer(|conn| -> ApiResult<Catalogue> {
        let tx = conn.transaction()?;
        let count: i64 = tx.query_row("SELECT COUNT(*) FROM roles", [], |r| r.get(0))?;
        if count == 0 {
            let default = Catalogue::default_catalogue();
            for (i, role) in default.roles.iter().enumerate() {
                tx.execute(
                    "INSERT INTO roles (id, position, data) VALUES (?1, ?2, ?3)",
                    params![role.id, i as i64, serde_json::to_string(role)?],
                )?;
            }
            for (i, app) in default.applications.iter().enumerate() {
                tx.execute(
                    "INSERT INTO applications (id, position, data) VALUES (?1, ?2, ?3)",
                    params![app.id, i as i64, serde_json::to_string(app)?],
                )?;
            }
        }
        let catalogue = read_catalogue(&tx)?;
        tx.commit()?;
        Ok(catalogue)
    })
}

/// Reads the catalogue (built-in and custom roles, applications) as stored.
pub fn read_catalogue(conn: &rusqlite::Connection) -> ApiResult<Catalogue> {
    let read = |table: &str| -> ApiResult<Vec<String>> {
        let mut stmt = conn.prepare(&format!("SELECT data FROM {table} ORDER BY position"))?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    };
    let roles = read("roles")?
        .iter()
        .map(|d| serde_json::from_str::<Role>(d))
        .collect::<Result<Vec<_>, _>>()?;
    let applications = read("applications")?
        .iter()
        .map(|d| serde_json::from_str(d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Catalogue {
        roles,
        applications,
    })
}

/// The identity that seeding acts as: the Owner's rights, no user.
fn system(loaded: &Loaded) -> Principal {
    let owner = loaded.catalogue.role(crate::users::OWNER);
    Principal {
        user_id: None,
        name: "roster-server".into(),
        role: crate::users::OWNER.into(),
        permissions: Arc::new(
            owner
                .map(|r| r.permissions.iter().cloned().collect())
                .unwrap_or_default(),
        ),
        ..Principal::default()
    }
}

/// What a seeded demo prints so a person can sign in.
pub struct DemoSignIn {
    pub created: bool,
    pub users: i64,
}

/// Where the links in the demo's e-mails point when the caller does not
/// say: the server's default address (`--listen 127.0.0.1:8350`).
pub const DEFAULT_DEMO_ROOT: &str = "http://127.0.0.1:8350";

/// Seeds the demo organisation of `n` users into an empty database, its
/// e-mails linking to [`DEFAULT_DEMO_ROOT`]. A database that already has
/// users is left as it is.
pub fn seed_demo(db: &Db, loaded: &Loaded, n: usize) -> ApiResult<DemoSignIn> {
    seed_demo_at(db, loaded, n, DEFAULT_DEMO_ROOT)
}

/// Seeds the demo organisation of `n` users into an empty database: users,
/// resources, groups, the custom roles (published to everyone using `db`),
/// usage events and the account's balance, the outbox (the pending users'
/// invitation e-mails, a password reset) and the audit log's recent history.
/// `root` is where the server is reached (`http://127.0.0.1:8350`), for the
/// links in the e-mails; their tokens are random, as real ones are, and work
/// on the accept and reset pages. A database that already has users is left
/// as it is.
///
/// Cost at 100 000 users, debug build, on 2 cores busy with other builds:
/// run in turns with the version before the custom roles, usage events,
/// outbox, history and department memberships, seeding took 35.4–38.8 s of
/// CPU against 35.8–36.3 s (wall time varies more with the load). Inserting
/// the 110 000 usage events takes 1.2 s, the outbox 0.13 s, the audit log
/// 0.08 s, the department memberships about 1.8 s.
pub fn seed_demo_at(db: &Db, loaded: &Loaded, n: usize, root: &str) -> ApiResult<DemoSignIn> {
    let existing: i64 =
        db.with_writer(|c| c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0)))?;
    if existing > 0 {
        return Ok(DemoSignIn {
            created: false,
            users: existing,
        });
    }
    let now = chrono::Utc::now().timestamp();
    let org = demo::generate(n.max(1), now);
    // Hash the two demo passwords before taking the write lock.
    let passwords: HashMap<usize, String> = org
        .users
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.password.map(|p| (i, crate::auth::hash_password(p))))
        .collect();
    let invitation_tokens: HashMap<usize, String> = org
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.invitation.is_some())
        .map(|(i, _)| (i, new_token()))
        .collect();
    let who = system(loaded);
    let catalogue = db.with_writer(|conn| -> ApiResult<Catalogue> {
        let tx = conn.transaction()?;
        let loaded = insert_roles(&tx, &org)?;
        let seeded = insert_users(&tx, &loaded, &who, &org, &passwords, &invitation_tokens)?;
        insert_resources(&tx, &org, &seeded.ids)?;
        insert_groups(&tx, &org, &seeded.ids)?;
        insert_usage(&tx, &org, &seeded.ids)?;
        insert_mail(&tx, &org, &seeded.ids, &invitation_tokens, root)?;
        insert_history(&tx, &loaded, &org, &seeded)?;
        tx.commit()?;
        Ok(loaded.catalogue.clone())
    })?;
    db.publish_catalogue(catalogue);
    Ok(DemoSignIn {
        created: true,
        users: org.users.len() as i64,
    })
}

/// Stores the demo's custom roles; returns the catalogue with them.
fn insert_roles(tx: &rusqlite::Transaction<'_>, org: &DemoOrg) -> ApiResult<Loaded> {
    for role in &org.roles {
        let author = &org.users[role.defined_by].email;
        crate::roles::store_role(tx, &role.to_role(author))?;
    }
    Ok(Loaded::new(read_catalogue(tx)?))
}

fn user_doc(u: &demo::DemoUser) -> Value {
    let mut ext = json!({
        "role": u.role,
        "departments": u.departments,
        "notifications": { "email": u.notify_email, "inApp": u.notify_in_app, "digest": u.digest },
    });
    let custom: Vec<Value> = u
        .applications
        .iter()
        .map(
            |(app, custom)| json!({ "value": app, "mode": if *custom { "custom" } else { "all" } }),
        )
        .collect();
    if !custom.is_empty() {
        ext["applications"] = Value::Array(custom);
        ext["permissions"] = json!(u.permissions);
    }
    if let Some(limit) = u.credit_limit {
        ext["creditLimit"] = json!(limit);
    }
    if !u.allowed_ips.is_empty() {
        ext["allowedIps"] = json!(u.allowed_ips);
    }
    let mut doc = json!({
        "schemas": [urn::USER, urn::ROSTER_USER],
        "userName": u.email,
        "name": {
            "givenName": u.given_name,
            "familyName": u.family_name,
            "formatted": format!("{} {}", u.given_name, u.family_name),
        },
        "displayName": format!("{} {}", u.given_name, u.family_name),
        "emails": [{ "value": u.email, "type": "work", "primary": true }],
        "locale": u.locale,
        "timezone": u.timezone,
        "active": u.status == DemoStatus::Active,
        urn::ROSTER_USER: ext,
    });
    if let Some(t) = &u.title {
        doc["title"] = json!(t);
    }
    if let Some(p) = &u.phone {
        doc["phoneNumbers"] = json!([{ "value": p, "type": "work" }]);
    }
    doc
}

/// The users as stored: their ids, and the documents of those the audit
/// log mentions.
struct Seeded {
    ids: Vec<String>,
    docs: HashMap<usize, Value>,
}

fn insert_users(
    tx: &rusqlite::Transaction<'_>,
    loaded: &Loaded,
    who: &Principal,
    org: &DemoOrg,
    passwords: &HashMap<usize, String>,
    invitation_tokens: &HashMap<usize, String>,
) -> ApiResult<Seeded> {
    let mentioned: HashSet<usize> = org
        .history
        .iter()
        .filter_map(|e| match e.action {
            DemoAction::DefineRole { .. } => None,
            DemoAction::Invite { user, .. }
            | DemoAction::Accept { user }
            | DemoAction::ChangeRole { user, .. }
            | DemoAction::Archive { user }
            | DemoAction::PasswordReset { user } => Some(user),
        })
        .collect();
    let mut ids = Vec::with_capacity(org.users.len());
    let mut docs = HashMap::with_capacity(mentioned.len());
    for (i, u) in org.users.iter().enumerate() {
        let prepared = if u.role == crate::users::OWNER {
            prepare_owner(loaded, who, user_doc(u))?
        } else {
            prepare_user(loaded, who, None, user_doc(u))?
        };
        let invitation = u.invitation.as_ref().map(|inv| {
            (
                crate::time::from_unix(inv.sent_at),
                crate::time::from_unix(inv.expires_at),
                org.users[inv.invited_by].email.clone(),
            )
        });
        let life = Lifecycle {
            status: Some(match u.status {
                DemoStatus::Pending => "pending",
                DemoStatus::Active => "active",
                DemoStatus::Archived => "archived",
            }),
            created: Some(crate::time::from_unix(u.created)),
            last_active: u.last_active.map(crate::time::from_unix),
            credits_used: u.credits_used,
            invitation,
            invitation_token_hash: invitation_tokens.get(&i).map(|t| token_hash(t)),
        };
        let id = insert(tx, &prepared, &life)?;
        if mentioned.contains(&i) {
            docs.insert(i, prepared.data);
        }
        if let Some(hash) = passwords.get(&i) {
            tx.execute(
                "INSERT INTO passwords (user_id, hash, updated_at) VALUES (?1, ?2, ?3)",
                params![id, hash, crate::time::now_string()],
            )?;
        }
        ids.push(id);
    }
    Ok(Seeded { ids, docs })
}

fn insert_resources(
    tx: &rusqlite::Transaction<'_>,
    org: &DemoOrg,
    ids: &[String],
) -> ApiResult<()> {
    let now = crate::time::now_string();
    let mut res = tx.prepare("INSERT INTO resources (id, application, name, owner_id, created) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for r in &org.resources {
        res.execute(params![r.id, r.application, r.name, ids.get(r.owner), now])?;
    }
    let mut grant =
        tx.prepare("INSERT OR IGNORE INTO resource_grants (user_id, resource_id) VALUES (?1, ?2)")?;
    for (i, u) in org.users.iter().enumerate() {
        for &r in &u.resources {
            let resource = org.resources.get(r).ok_or_else(|| {
                ApiError::Internal(format!("demo user {i} names a missing resource {r}"))
            })?;
            grant.execute(params![ids[i], resource.id])?;
        }
    }
    Ok(())
}

fn insert_groups(tx: &rusqlite::Transaction<'_>, org: &DemoOrg, ids: &[String]) -> ApiResult<()> {
    let now = crate::time::now_string();
    for (name, roles) in [
        ("Administrators", &["owner", "admin"][..]),
        ("Managers", &["manager"][..]),
    ] {
        let gid = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "INSERT INTO groups (id, display_name, data, version, created, last_modified) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
            params![gid, name, json!({ "displayName": name }).to_string(), now],
        )?;
        let mut stmt = tx.prepare(
            "INSERT INTO group_members (group_id, member_id, member_type) VALUES (?1, ?2, 'User')",
        )?;
        for (i, u) in org.users.iter().enumerate() {
            if roles.contains(&u.role.as_str()) && u.status == DemoStatus::Active {
                stmt.execute(params![gid, ids[i]])?;
            }
        }
    }
    Ok(())
}

/// The usage events, each user's in time order, and the account's balance
/// after them.
fn insert_usage(tx: &rusqlite::Transaction<'_>, org: &DemoOrg, ids: &[String]) -> ApiResult<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO usage_events (id, user_id, application, description, credits, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (u, id) in org.users.iter().zip(ids) {
        for e in &u.events {
            stmt.execute(params![
                uuid::Uuid::new_v4().to_string(),
                id,
                e.application,
                e.description,
                e.credits,
                crate::time::from_unix(e.at)
            ])?;
        }
    }
    tx.execute(
        "UPDATE account SET credit_balance = ?1 WHERE id = 1",
        [org.account_balance],
    )?;
    Ok(())
}

/// The outbox in the order the e-mails were written: the invitations of the
/// pending users invited with an e-mail, and the password reset (with its
/// link, valid for a day).
fn insert_mail(
    tx: &rusqlite::Transaction<'_>,
    org: &DemoOrg,
    ids: &[String],
    invitation_tokens: &HashMap<usize, String>,
    root: &str,
) -> ApiResult<()> {
    let users = &org.users;
    // (when, user, invitation?) in time order.
    let mut mails: Vec<(i64, usize, bool)> = users
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            let inv = u.invitation.as_ref()?;
            inv.emailed.then_some((inv.sent_at, i, true))
        })
        .collect();
    if let Some(reset) = &org.password_reset {
        mails.push((reset.at, reset.user, false));
    }
    mails.sort_unstable();
    for (at, i, invitation) in mails {
        let u = &users[i];
        let created = crate::time::from_unix(at);
        if invitation {
            let (Some(inv), Some(token)) = (&u.invitation, invitation_tokens.get(&i)) else {
                continue;
            };
            let expires = crate::time::from_unix(inv.expires_at);
            let inviter = &users[inv.invited_by].email;
            let mail = invitation_mail(&ids[i], &u.email, inviter, root, token, &expires);
            crate::outbox::enqueue_at(tx, mail, &created)?;
        } else if let Some(reset) = &org.password_reset {
            let token = new_token();
            let expires = crate::time::from_unix(at + RESET_HOURS * 3_600);
            tx.execute(
                "INSERT INTO password_resets (token_hash, user_id, created, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash(&token), ids[i], created, expires],
            )?;
            let by = &users[reset.requested_by].email;
            let mail = reset_mail(&ids[i], &u.email, by, root, &token, &expires);
            crate::outbox::enqueue_at(tx, mail, &created)?;
        }
    }
    Ok(())
}

/// A user document as it was with another role.
fn with_role(loaded: &Loaded, doc: &Value, role: &str) -> ApiResult<Value> {
    let mut doc = doc.clone();
    doc[urn::ROSTER_USER]["role"] = json!(role);
    crate::users::derive_role_attributes(loaded, &mut doc, loaded.role(role)?);
    Ok(doc)
}

/// The audit log's history, oldest first, as the endpoints would have
/// written it.
fn insert_history(
    tx: &rusqlite::Transaction<'_>,
    loaded: &Loaded,
    org: &DemoOrg,
    seeded: &Seeded,
) -> ApiResult<()> {
    let users = &org.users;
    // The role someone was invited with, when it changed later.
    let first_roles: HashMap<usize, &str> = org
        .history
        .iter()
        .filter_map(|e| match e.action {
            DemoAction::ChangeRole { user, from, .. } => Some((user, from)),
            _ => None,
        })
        .collect();
    let doc_of = |user: usize| -> ApiResult<&Value> {
        seeded.docs.get(&user).ok_or_else(|| {
            ApiError::Internal(format!(
                "the demo's history names user {user} without a document"
            ))
        })
    };
    let role_name = |id: &str| -> ApiResult<String> { Ok(loaded.role(id)?.name.clone()) };
    for entry in &org.history {
        let actor = &users[entry.actor];
        let who = Principal {
            user_id: Some(seeded.ids[entry.actor].clone()),
            name: actor.email.clone(),
            role: actor.role.clone(),
            ..Principal::default()
        };
        let at = crate::time::from_unix(entry.at);
        let (action, target, summary, before, after) = match entry.action {
            DemoAction::DefineRole { role } => {
                let role = loaded.role(org.roles[role].id)?;
                audit::record_at(
                    tx,
                    &who,
                    Entry {
                        action: "role.create",
                        target: Some((&role.id, &role.name)),
                        summary: format!("Defined the role {}", role.name),
                        before: None,
                        after: Some(serde_json::to_value(role)?),
                    },
                    &at,
                )?;
                continue;
            }
            DemoAction::Invite { user, emailed } => {
                let role = first_roles.get(&user).copied().unwrap_or(&users[user].role);
                let mut doc = with_role(loaded, doc_of(user)?, role)?;
                doc["active"] = json!(false);
                let summary = format!(
                    "Invited {} as {}{}",
                    display_label(&doc),
                    role_name(role)?,
                    if emailed { "" } else { " (no e-mail sent)" }
                );
                ("user.invite", user, summary, None, Some(doc))
            }
            DemoAction::Accept { user } => {
                let role = first_roles.get(&user).copied().unwrap_or(&users[user].role);
                let mut before = with_role(loaded, doc_of(user)?, role)?;
                before["active"] = json!(false);
                let mut after = before.clone();
                after["active"] = json!(true);
                let summary = format!(
                    "{} accepted the invitation and set a password",
                    display_label(&after)
                );
                ("user.accept", user, summary, Some(before), Some(after))
            }
            DemoAction::ChangeRole { user, from, to } => {
                let doc = doc_of(user)?;
                let mut before = with_role(loaded, doc, from)?;
                let mut after = with_role(loaded, doc, to)?;
                // Whether they were active then: an archive comes later.
                before["active"] = json!(true);
                after["active"] = json!(true);
                let summary = format!("Changed {}: role", display_label(&after));
                ("user.update", user, summary, Some(before), Some(after))
            }
            DemoAction::Archive { user } => {
                let after = doc_of(user)?.clone();
                let mut before = after.clone();
                before["active"] = json!(true);
                let summary = format!("Archived {}", display_label(&after));
                ("user.archive", user, summary, Some(before), Some(after))
            }
            DemoAction::PasswordReset { user } => {
                let expires = crate::time::from_unix(entry.at + RESET_HOURS * 3_600);
                let summary = format!(
                    "Sent {} a password reset link",
                    display_label(doc_of(user)?)
                );
                (
                    "user.password-reset",
                    user,
                    summary,
                    None,
                    Some(json!({ "expiresAt": expires })),
                )
            }
        };
        let label = display_label(doc_of(target)?);
        audit::record_at(
            tx,
            &who,
            Entry {
                action,
                target: Some((&seeded.ids[target], &label)),
                summary,
                before,
                after,
            },
            &at,
        )?;
    }
    Ok(())
}
