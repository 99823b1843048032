//! Discovery (`/ServiceProviderConfig`, `/Schemas`), who is signed in, and
//! the role and permission catalogue of the Roster extension.

use roster_scim::messages::ListResponse;
use roster_scim::urn;
use serde::Deserialize;
use serde_json::Value;

use super::{lock, Client};
use crate::error::{ClientError, ClientResult};
use crate::model::{
    ApplicationInfo, AuthKind, Capabilities, Catalogue, Me, PermissionInfo, RoleInfo,
};

/// The page size assumed when a server does not say.
const DEFAULT_MAX_RESULTS: u32 = 1000;
/// The role nobody can be given: the account creator's.
const OWNER_ROLE: &str = "owner";

fn supported(config: &Value, feature: &str) -> bool {
    config
        .get(feature)
        .and_then(|f| f.get("supported"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Reads a ServiceProviderConfig and the ids of the published schemas.
fn capabilities_from(config: &Value, schema_ids: &[String]) -> ClientResult<Capabilities> {
    if !config.is_object() {
        return Err(ClientError::unreadable(
            "the server description (ServiceProviderConfig) is not a JSON object.",
        ));
    }
    let max_results = config
        .get("filter")
        .and_then(|f| f.get("maxResults"))
        .and_then(Value::as_u64)
        .filter(|&n| n > 0)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        .unwrap_or(DEFAULT_MAX_RESULTS);
    Ok(Capabilities {
        roster_extension: schema_ids
            .iter()
            .any(|id| id.eq_ignore_ascii_case(urn::ROSTER_USER)),
        etag: supported(config, "etag"),
        patch: supported(config, "patch"),
        sort: supported(config, "sort"),
        max_results,
    })
}

/// The schema ids of a `/Schemas` answer (a ListResponse, or a bare array
/// as some servers send).
fn schema_ids(answer: &Value) -> Vec<String> {
    let items = match answer {
        Value::Array(items) => items.clone(),
        other => serde_json::from_value::<ListResponse<Value>>(other.clone())
            .map(|list| list.resources)
            .unwrap_or_default(),
    };
    items
        .iter()
        .filter_map(|s| s.get("id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MeAnswer {
    user_id: Option<String>,
    name: Option<String>,
    role: Option<String>,
    #[serde(default)]
    permissions: Vec<String>,
}

#[derive(Deserialize)]
struct RolesAnswer {
    roles: Vec<RoleEntry>,
}

#[derive(Deserialize)]
struct RoleEntry {
    id: String,
    /// The server says which roles can be given; older answers do not, and
    /// then every role but the Owner can.
    #[serde(default)]
    assignable: Option<bool>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    grantable: Option<bool>,
    #[serde(default, rename = "notGrantableReason")]
    not_grantable_reason: Option<String>,
    #[serde(default)]
    builtin: Option<bool>,
}

#[derive(Deserialize)]
struct ApplicationsAnswer {
    applications: Vec<ApplicationEntry>,
}

#[derive(Deserialize)]
struct ApplicationEntry {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    permissions: Vec<PermissionEntry>,
}

#[derive(Deserialize)]
struct PermissionEntry {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
struct DepartmentsAnswer {
    departments: Vec<String>,
}

impl Client {
    /// What the server supports, read once and cached.
    pub async fn capabilities(&self) -> ClientResult<Capabilities> {
        if let Some(caps) = lock(&self.inner.capabilities).clone() {
            return Ok(caps);
        }
        self.refresh_capabilities().await
    }

    /// Reads the server's capabilities again.
    pub async fn refresh_capabilities(&self) -> ClientResult<Capabilities> {
        let inner = &self.inner;
        let config_url = inner.url.scim(&["ServiceProviderConfig"]);
        let schemas_url = inner.url.scim(&["Schemas"]);
        let (config, schemas) = tokio::join!(
            inner.send(|http| http.get(config_url.clone())),
            inner.send(|http| http.get(schemas_url.clone())),
        );
        let config: Value = config?.json("the server description (ServiceProviderConfig)")?;
        let ids = match schemas {
            Ok(answer) => schema_ids(&answer.json("the list of schemas")?),
            // A server that does not publish its schemas has no extension
            // Roster could rely on.
            Err(ClientError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        let caps = capabilities_from(&config, &ids)?;
        *lock(&inner.capabilities) = Some(caps.clone());
        Ok(caps)
    }

    /// Who is signed in and what they may do. Without the Roster extension
    /// the server does not say: the account name and no permissions.
    pub async fn me(&self) -> ClientResult<Me> {
        let caps = self.capabilities().await?;
        if !caps.roster_extension {
            let name = match (self.account(), self.auth_kind()) {
                (Some(account), _) => account.to_owned(),
                (None, AuthKind::ApiToken) => "API token".to_owned(),
                (None, AuthKind::Password) => "Signed-in administrator".to_owned(),
            };
            return Ok(Me {
                user_id: None,
                name,
                role: None,
                permissions: Vec::new(),
            });
        }
        let url = self.inner.url.at_root(&["roster", "v1", "me"]);
        let me: MeAnswer = self
            .inner
            .send(|http| http.get(url.clone()))
            .await?
            .json("the description of your account")?;
        Ok(Me {
            user_id: me.user_id,
            name: me
                .name
                .or_else(|| self.account().map(str::to_owned))
                .unwrap_or_default(),
            role: me.role,
            permissions: me.permissions,
        })
    }

    /// The role and permission catalogue, read once and cached (empty
    /// without the Roster extension).
    pub async fn catalogue(&self) -> ClientResult<Catalogue> {
        if let Some(catalogue) = lock(&self.inner.catalogue).clone() {
            return Ok(catalogue);
        }
        self.refresh_catalogue().await
    }

    /// Reads the catalogue again (after the server's roles changed).
    pub async fn refresh_catalogue(&self) -> ClientResult<Catalogue> {
        let caps = self.capabilities().await?;
        let catalogue = if caps.roster_extension {
            self.fetch_catalogue().await?
        } else {
            Catalogue::default()
        };
        *lock(&self.inner.catalogue) = Some(catalogue.clone());
        Ok(catalogue)
    }

    async fn fetch_catalogue(&self) -> ClientResult<Catalogue> {
        let inner = &self.inner;
        let roles_url = inner.url.at_root(&["roster", "v1", "roles"]);
        let apps_url = inner.url.at_root(&["roster", "v1", "applications"]);
        let departments_url = inner.url.at_root(&["roster", "v1", "departments"]);
        let (roles, applications, departments) = tokio::try_join!(
            inner.send(|http| http.get(roles_url.clone())),
            inner.send(|http| http.get(apps_url.clone())),
            inner.send(|http| http.get(departments_url.clone())),
        )?;
        let roles: RolesAnswer = roles.json("the list of roles")?;
        let applications: ApplicationsAnswer = applications.json("the list of applications")?;
        let departments: DepartmentsAnswer = departments.json("the list of departments")?;
        Ok(Catalogue {
            roles: roles
                .roles
                .into_iter()
                .map(|r| RoleInfo {
                    assignable: r.assignable.unwrap_or(r.id != OWNER_ROLE),
                    name: r.name.unwrap_or_else(|| r.id.clone()),
                    id: r.id,
                    description: r.description,
                    permissions: r.permissions,
                    grantable: r.grantable.unwrap_or(true),
                    not_grantable_reason: r.not_grantable_reason,
                    custom: r.builtin == Some(false),
                })
                .collect(),
            applications: applications
                .applications
                .into_iter()
                .map(|a| ApplicationInfo {
                    name: a.name.unwrap_or_else(|| a.id.clone()),
                    id: a.id,
                    description: a.description,
                    permissions: a
                        .permissions
                        .into_iter()
                        .map(|p| PermissionInfo {
                            name: p.name.unwrap_or_else(|| p.id.clone()),
                            id: p.id,
                            description: p.description,
                            parent: p.parent,
                        })
                        .collect(),
                })
                .collect(),
            departments: departments.departments,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_read_flags_and_default_page_size() {
        let config = json!({
            "patch": { "supported": true },
            "etag": { "supported": false },
            "filter": { "supported": true },
        });
        let caps = capabilities_from(&config, &[]).unwrap();
        assert!(caps.patch && !caps.etag && !caps.sort && !caps.roster_extension);
        assert_eq!(caps.max_results, 1000, "absent maxResults means 1000");

        let config = json!({ "filter": { "maxResults": 50 }, "sort": { "supported": true } });
        let ids = vec![urn::USER.to_owned(), urn::ROSTER_USER.to_owned()];
        let caps = capabilities_from(&config, &ids).unwrap();
        assert!(caps.sort && caps.roster_extension);
        assert_eq!(caps.max_results, 50);

        assert!(capabilities_from(&json!("hello"), &[]).is_err());
    }

    #[test]
    fn schema_ids_accept_a_list_response_or_an_array() {
        let list = json!({ "Resources": [{ "id": "a" }, { "id": "b" }], "totalResults": 2 });
        assert_eq!(schema_ids(&list), vec!["a", "b"]);
        assert_eq!(
            schema_ids(&json!([{ "id": "c" }, { "name": "x" }])),
            vec!["c"]
        );
        assert!(schema_ids(&json!({ "unexpected": true })).is_empty());
    }
}
