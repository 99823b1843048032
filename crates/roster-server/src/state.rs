//! The shared server state: the database, the catalogue with the User schema
//! built from it, and the in-memory access tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use roster_scim::schema::{CatalogueHints, ResourceSchema};

use crate::catalogue::{Catalogue, Role};
use crate::db::Db;
use crate::error::ApiError;

/// The catalogue as loaded from the database, with the schemas that depend
/// on it (the Roster extension lists role, application and permission ids as
/// canonical values).
pub struct Loaded {
    pub catalogue: Catalogue,
    pub user_schema: ResourceSchema,
    pub group_schema: ResourceSchema,
}

impl Loaded {
    pub fn new(catalogue: Catalogue) -> Self {
        let hints = CatalogueHints {
            role_ids: catalogue.assignable_role_ids(),
            application_ids: catalogue
                .applications
                .iter()
                .map(|a| a.id.clone())
                .collect(),
            permission_ids: catalogue.all_permission_ids(),
        };
        Loaded {
            user_schema: ResourceSchema::user(&hints),
            group_schema: ResourceSchema::group(),
            catalogue,
        }
    }

    pub fn role(&self, id: &str) -> Result<&Role, ApiError> {
        self.catalogue
            .role(id)
            .ok_or_else(|| ApiError::Internal(format!("role '{id}' is missing from the catalogue")))
    }
}

/// Who is calling.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    /// The signed-in user, or None for an API token.
    pub user_id: Option<String>,
    /// A name for the audit trail: the user's e-mail or the token's name.
    pub name: String,
    pub role: String,
    /// The effective permission ids ("application:permission").
    pub permissions: Arc<std::collections::HashSet<String>>,
    /// Where the caller may connect from (CIDR ranges); empty means
    /// anywhere.
    pub allowed_ips: Arc<Vec<ipnet::IpNet>>,
}

#[derive(Clone)]
pub struct AccessToken {
    pub principal: Principal,
    pub expires_at: std::time::Instant,
    /// The sign-in session (refresh token family) it was issued for.
    pub family: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    /// The database, which also holds the loaded catalogue (see
    /// [`Db::loaded`]).
    pub db: Db,
    pub access_tokens: Arc<Mutex<HashMap<String, AccessToken>>>,
    /// How long an access token lives.
    pub access_ttl: std::time::Duration,
    /// How long a refresh token lives.
    pub refresh_ttl: chrono::Duration,
    /// Held while the catalogue is changed and reloaded, so two role edits
    /// cannot publish their catalogues in the wrong order.
    pub catalogue_lock: Arc<tokio::sync::Mutex<()>>,
    /// SMTP delivery of the outbox, when configured.
    pub mailer: Option<Arc<crate::outbox::Mailer>>,
}

impl AppState {
    pub fn new(db: Db, catalogue: Catalogue) -> Self {
        db.publish_catalogue(catalogue);
        AppState {
            db,
            access_tokens: Arc::default(),
            access_ttl: std::time::Duration::from_secs(15 * 60),
            refresh_ttl: chrono::Duration::days(30),
            catalogue_lock: Arc::default(),
            mailer: None,
        }
    }

    pub fn loaded(&self) -> Arc<Loaded> {
        self.db.loaded()
    }

    pub fn replace_catalogue(&self, catalogue: Catalogue) {
        self.db.publish_catalogue(catalogue);
    }
}
