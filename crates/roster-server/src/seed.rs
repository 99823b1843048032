//! Start-up data: the default catalogue on a new database, and the demo
//! organisation for `--demo N`.

use std::collections::HashMap;
use std::sync::Arc;

use roster_scim::urn;
use rusqlite::params;
use serde_json::{json, Value};

use crate::catalogue::{Catalogue, Role};
use crate::db::Db;
use crate::demo::{self, DemoOrg, DemoStatus};
use crate::error::{ApiError, ApiResult};
use crate::state::{Loaded, Principal};
use crate::users::{insert, prepare_owner, prepare_user, Lifecycle};

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

/// Seeds the demo organisation of `n` users into an empty database. A
/// database that already has users is left as it is.
pub fn seed_demo(db: &Db, loaded: &Loaded, n: usize) -> ApiResult<DemoSignIn> {
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
    let who = system(loaded);
    db.with_writer(|conn| -> ApiResult<()> {
        let tx = conn.transaction()?;
        let ids = insert_users(&tx, loaded, &who, &org, &passwords)?;
        insert_resources(&tx, &org, &ids)?;
        insert_groups(&tx, &org, &ids)?;
        tx.commit()?;
        Ok(())
    })?;
    Ok(DemoSignIn {
        created: true,
        users: org.users.len() as i64,
    })
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

fn insert_users(
    tx: &rusqlite::Transaction<'_>,
    loaded: &Loaded,
    who: &Principal,
    org: &DemoOrg,
    passwords: &HashMap<usize, String>,
) -> ApiResult<Vec<String>> {
    let mut ids = Vec::with_capacity(org.users.len());
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
        };
        let id = insert(tx, &prepared, &life)?;
        if let Some(hash) = passwords.get(&i) {
            tx.execute(
                "INSERT INTO passwords (user_id, hash, updated_at) VALUES (?1, ?2, ?3)",
                params![id, hash, crate::time::now_string()],
            )?;
        }
        ids.push(id);
    }
    Ok(ids)
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
