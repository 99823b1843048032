//! The Roster management endpoints under `/roster/v1` that SCIM has no
//! resource type for: invitations, the outbox, password resets, resource
//! grants, credits and events, the audit log and delete with transfer.
//! Only servers with the Roster extension have them.

use std::collections::BTreeMap;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, Url};
use roster_scim::messages::{PatchOpKind, PatchOperation};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::Answer;
use super::Client;
use crate::error::{ClientError, ClientResult};
use crate::model::{
    AuditChange, AuditEntry, AuditPage, Catalogue, DeleteOutcome, DeleteRequest, DepartmentInfo,
    EventsPage, NewRole, NotificationSettings, OutboxMessage, OutboxPage, PasswordReset,
    ResourceRef, UsageEvent, UserDetail, UserLimits, UserResources, UserStatistics,
};
use crate::user_json;
use roster_scim::urn;

/// A page of a newest-first list: `before` is the previous page's
/// `nextBefore`.
fn page_query(before: Option<i64>, limit: Option<u32>) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(before) = before {
        query.push(("before", before.to_string()));
    }
    if let Some(limit) = limit {
        query.push(("limit", limit.to_string()));
    }
    query
}

fn non_empty(id: &str) -> ClientResult<&str> {
    if id.trim().is_empty() {
        Err(ClientError::Validation("No user was chosen.".into()))
    } else {
        Ok(id)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Paged<T> {
    total_results: u64,
    next_before: Option<i64>,
    #[serde(alias = "messages", alias = "events", alias = "entries")]
    items: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMessage {
    id: i64,
    kind: String,
    user_id: Option<String>,
    to: String,
    subject: String,
    #[serde(default)]
    body: String,
    created: String,
    status: String,
    sent_at: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    seq: i64,
    at: String,
    actor_id: Option<String>,
    #[serde(default)]
    actor: Option<String>,
    action: String,
    target_id: Option<String>,
    target: Option<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    before: Value,
    #[serde(default)]
    after: Value,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDelete {
    deleted: Named,
    transferred_to: Option<Named>,
    #[serde(default)]
    affected: Vec<ResourceRef>,
}

#[derive(Deserialize)]
struct ResourceList {
    resources: Vec<ResourceRef>,
}

/// The first http(s) link in an e-mail body: the accept or reset link.
fn link_in(body: &str) -> Option<String> {
    let start = body.find("https://").or_else(|| body.find("http://"))?;
    let link: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>' | ')'))
        .collect();
    Some(link.trim_end_matches(['.', ',']).to_owned())
}

/// A value as one line of text for the History tab.
fn readable(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(o) => o
                    .get("value")
                    .or_else(|| o.get("display"))
                    .map_or_else(|| item.to_string(), readable),
                other => readable(other),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// `before` and `after` as flat `field → text`, leaving out metadata.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                if matches!(key.as_str(), "meta" | "schemas" | "id" | "password") {
                    continue;
                }
                // The extension's attributes read as plain ones.
                let name = if key.starts_with("urn:") {
                    prefix.to_owned()
                } else if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, out);
            }
        }
        Value::Null => {}
        other => {
            out.insert(prefix.to_owned(), readable(other));
        }
    }
}

/// What an audited action changed, attribute by attribute.
fn audit_changes(before: &Value, after: &Value) -> Vec<AuditChange> {
    let (mut was, mut now) = (BTreeMap::new(), BTreeMap::new());
    flatten("", before, &mut was);
    flatten("", after, &mut now);
    let mut fields: Vec<&String> = was.keys().chain(now.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| was.get(*field) != now.get(*field))
        .map(|field| AuditChange {
            field: field.clone(),
            before: was.get(field).cloned(),
            after: now.get(field).cloned(),
        })
        .collect()
}

impl Client {
    fn roster_url(&self, segments: &[&str]) -> Url {
        let mut all = vec!["roster", "v1"];
        all.extend_from_slice(segments);
        self.inner.url.at_root(&all)
    }

    /// One request to a management endpoint, with a JSON body when given.
    async fn roster_call(
        &self,
        method: Method,
        url: Url,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> ClientResult<Answer> {
        if !self.capabilities().await?.roster_extension {
            return Err(ClientError::Validation(
                "This server has no Roster extension, so it cannot do this.".into(),
            ));
        }
        self.inner
            .send(|http| {
                let request = http.request(method.clone(), url.clone()).query(query);
                match &body {
                    Some(body) => request
                        .header(CONTENT_TYPE, "application/json")
                        .body(body.to_string()),
                    None => request,
                }
            })
            .await
    }

    async fn roster_get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
        what: &str,
    ) -> ClientResult<T> {
        let url = self.roster_url(segments);
        self.roster_call(Method::GET, url, query, None)
            .await?
            .json(what)
    }

    /// Sends the invitation again with a new link (the old one stops
    /// working); works on expired invitations.
    pub async fn resend_invitation(&self, id: &str) -> ClientResult<UserDetail> {
        let url = self.roster_url(&["users", non_empty(id)?, "invitation", "resend"]);
        self.roster_call(Method::POST, url, &[], None).await?;
        self.get_user(id).await
    }

    /// Revokes an invitation: the pending user is removed.
    pub async fn revoke_invitation(&self, id: &str) -> ClientResult<()> {
        let url = self.roster_url(&["users", non_empty(id)?, "invitation"]);
        self.roster_call(Method::DELETE, url, &[], None).await?;
        Ok(())
    }

    /// The e-mails the server wrote, newest first; only those to `user`
    /// when given.
    pub async fn outbox(
        &self,
        user: Option<&str>,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> ClientResult<OutboxPage> {
        let mut query = page_query(before, limit);
        if let Some(user) = user {
            query.push(("user", user.to_owned()));
        }
        let page: Paged<RawMessage> = self.roster_get(&["outbox"], &query, "the outbox").await?;
        Ok(OutboxPage {
            total: page.total_results,
            next_before: page.next_before,
            messages: page
                .items
                .into_iter()
                .map(|m| OutboxMessage {
                    link: link_in(&m.body),
                    id: m.id,
                    kind: m.kind,
                    user_id: m.user_id,
                    to: m.to,
                    subject: m.subject,
                    body: m.body,
                    created: m.created,
                    status: m.status,
                    sent_at: m.sent_at,
                    error: m.error,
                })
                .collect(),
        })
    }

    /// Sends the user a password reset link (to the outbox).
    pub async fn reset_password(&self, id: &str) -> ClientResult<PasswordReset> {
        let url = self.roster_url(&["users", non_empty(id)?, "password-reset"]);
        self.roster_call(Method::POST, url, &[], None)
            .await?
            .json("the password reset")
    }

    /// Every resource the signed-in administrator can see (and so share).
    pub async fn resources(&self) -> ClientResult<Vec<ResourceRef>> {
        let list: ResourceList = self
            .roster_get(&["resources"], &[], "the list of resources")
            .await?;
        Ok(list.resources)
    }

    /// The resources a user can use.
    pub async fn user_resources(&self, id: &str) -> ClientResult<UserResources> {
        self.roster_get(
            &["users", non_empty(id)?, "resources"],
            &[],
            "the user's resources",
        )
        .await
    }

    /// Shares resources with a user.
    pub async fn grant_resources(
        &self,
        id: &str,
        resources: &[String],
    ) -> ClientResult<UserResources> {
        let url = self.roster_url(&["users", non_empty(id)?, "resources"]);
        self.roster_call(
            Method::POST,
            url,
            &[],
            Some(json!({ "resources": resources })),
        )
        .await?
        .json("the user's resources")
    }

    /// Takes a resource away from a user (a Guest keeps their last one).
    pub async fn revoke_resource(&self, id: &str, resource: &str) -> ClientResult<UserResources> {
        let url = self.roster_url(&["users", non_empty(id)?, "resources", resource]);
        self.roster_call(Method::DELETE, url, &[], None).await?;
        self.user_resources(id).await
    }

    /// Records that a user spent credits in an application; refused past
    /// their limit or the account's balance.
    pub async fn record_usage(
        &self,
        id: &str,
        application: &str,
        description: &str,
        credits: i64,
    ) -> ClientResult<()> {
        let url = self.roster_url(&["users", non_empty(id)?, "usage"]);
        let body =
            json!({ "application": application, "description": description, "credits": credits });
        self.roster_call(Method::POST, url, &[], Some(body)).await?;
        Ok(())
    }

    /// The Statistics tab: account type, budget, credits.
    pub async fn statistics(&self, id: &str) -> ClientResult<UserStatistics> {
        self.roster_get(
            &["users", non_empty(id)?, "statistics"],
            &[],
            "the user's statistics",
        )
        .await
    }

    /// A user's usage events, newest first.
    pub async fn events(
        &self,
        id: &str,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> ClientResult<EventsPage> {
        let page: Paged<UsageEvent> = self
            .roster_get(
                &["users", non_empty(id)?, "events"],
                &page_query(before, limit),
                "the user's events",
            )
            .await?;
        Ok(EventsPage {
            total: page.total_results,
            next_before: page.next_before,
            events: page.items,
        })
    }

    /// The audit log, newest first; only entries about or by `user` when
    /// given.
    pub async fn audit(
        &self,
        user: Option<&str>,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> ClientResult<AuditPage> {
        let mut query = page_query(before, limit);
        if let Some(user) = user {
            query.push(("user", user.to_owned()));
        }
        let page: Paged<RawEntry> = self.roster_get(&["audit"], &query, "the audit log").await?;
        Ok(AuditPage {
            total: page.total_results,
            next_before: page.next_before,
            entries: page
                .items
                .into_iter()
                .map(|e| AuditEntry {
                    changes: audit_changes(&e.before, &e.after),
                    seq: e.seq,
                    at: e.at,
                    actor: e
                        .actor
                        .or_else(|| e.actor_id.clone())
                        .unwrap_or_else(|| "The server".to_owned()),
                    actor_id: e.actor_id,
                    action: e.action,
                    target_id: e.target_id,
                    target: e.target,
                    summary: e.summary,
                })
                .collect(),
        })
    }

    /// Deletes a user with their resources, or after moving them to another
    /// user (one transaction on the server); says what moved.
    pub async fn delete_with_transfer(
        &self,
        id: &str,
        request: &DeleteRequest,
    ) -> ClientResult<DeleteOutcome> {
        let url = self.roster_url(&["users", non_empty(id)?, "delete"]);
        let body = match &request.transfer_to {
            Some(to) if !to.trim().is_empty() => json!({ "transferTo": to }),
            Some(_) => {
                return Err(ClientError::Validation(
                    "Choose who receives their resources.".into(),
                ))
            }
            None => json!({ "resources": "delete" }),
        };
        let raw: RawDelete = self
            .roster_call(Method::POST, url, &[], Some(body))
            .await?
            .json("the deletion")?;
        Ok(DeleteOutcome {
            deleted_name: raw.deleted.name,
            transferred_to: raw.transferred_to.map(|n| n.name),
            affected: raw.affected,
        })
    }

    /// Defines a custom role; answers the catalogue with it.
    pub async fn create_role(&self, role: &NewRole) -> ClientResult<Catalogue> {
        if role.name.trim().is_empty() {
            return Err(ClientError::Validation("Give the role a name.".into()));
        }
        let url = self.roster_url(&["roles"]);
        let body = json!({
            "name": role.name.trim(),
            "description": role.description.trim(),
            "permissions": role.permissions,
        });
        self.roster_call(Method::POST, url, &[], Some(body)).await?;
        self.refresh_catalogue().await
    }

    /// Sets a user's credit limit (None: unlimited) and allowed IP ranges
    /// (empty: anywhere). The server validates the ranges.
    pub async fn set_limits(
        &self,
        id: &str,
        version: Option<String>,
        limits: &UserLimits,
    ) -> ClientResult<UserDetail> {
        if limits.credit_limit.is_some_and(|limit| limit < 0) {
            return Err(ClientError::Validation(
                "A credit limit cannot be negative; leave it empty for no limit.".into(),
            ));
        }
        let caps = self.capabilities().await?;
        let path = |attr: &str| format!("{}:{attr}", urn::ROSTER_USER);
        let ops = vec![
            match limits.credit_limit {
                Some(limit) => PatchOperation::new(
                    PatchOpKind::Replace,
                    Some(path("creditLimit").as_str()),
                    Some(json!(limit)),
                ),
                None => PatchOperation::new(
                    PatchOpKind::Remove,
                    Some(path("creditLimit").as_str()),
                    None,
                ),
            },
            if limits.allowed_ips.is_empty() {
                PatchOperation::new(PatchOpKind::Remove, Some(path("allowedIps").as_str()), None)
            } else {
                PatchOperation::new(
                    PatchOpKind::Replace,
                    Some(path("allowedIps").as_str()),
                    Some(json!(limits.allowed_ips)),
                )
            },
        ];
        self.write_user(&caps, non_empty(id)?, version.as_deref(), ops, None)
            .await?;
        self.get_user(id).await
    }

    /// Sets how a user is notified.
    pub async fn set_notifications(
        &self,
        id: &str,
        version: Option<String>,
        settings: &NotificationSettings,
    ) -> ClientResult<UserDetail> {
        let caps = self.capabilities().await?;
        if !caps.roster_extension {
            return Err(ClientError::Validation(
                "This server has no notification settings.".into(),
            ));
        }
        let path = format!("{}:notifications", urn::ROSTER_USER);
        let ops = vec![PatchOperation::new(
            PatchOpKind::Replace,
            Some(path.as_str()),
            Some(user_json::notifications_json(settings)),
        )];
        self.write_user(&caps, non_empty(id)?, version.as_deref(), ops, None)
            .await?;
        self.get_user(id).await
    }

    /// Changes a custom role's name, description and permissions (its
    /// holders' permissions follow); answers the new catalogue.
    pub async fn update_role(&self, id: &str, role: &NewRole) -> ClientResult<Catalogue> {
        if role.name.trim().is_empty() {
            return Err(ClientError::Validation("Give the role a name.".into()));
        }
        let url = self.roster_url(&["roles", id]);
        let body = json!({
            "name": role.name.trim(),
            "description": role.description.trim(),
            "permissions": role.permissions,
        });
        self.roster_call(Method::PATCH, url, &[], Some(body))
            .await?;
        self.refresh_catalogue().await
    }

    /// Deletes a custom role nobody holds; answers the new catalogue.
    pub async fn delete_role(&self, id: &str) -> ClientResult<Catalogue> {
        let url = self.roster_url(&["roles", id]);
        self.roster_call(Method::DELETE, url, &[], None).await?;
        self.refresh_catalogue().await
    }

    /// The departments with how many users belong to each.
    pub async fn departments(&self) -> ClientResult<Vec<DepartmentInfo>> {
        let list: DepartmentList = self
            .roster_get(&["departments"], &[], "the list of departments")
            .await?;
        Ok(list.infos())
    }

    /// Adds a department; answers the new list.
    pub async fn create_department(&self, name: &str) -> ClientResult<Vec<DepartmentInfo>> {
        let name = department_name(name)?;
        let url = self.roster_url(&["departments"]);
        self.department_change(Method::POST, url, Some(json!({ "name": name })))
            .await
    }

    /// Renames a department for every user in it; answers the new list.
    pub async fn rename_department(
        &self,
        name: &str,
        new_name: &str,
    ) -> ClientResult<Vec<DepartmentInfo>> {
        let new_name = department_name(new_name)?;
        let url = self.roster_url(&["departments", name]);
        self.department_change(Method::PATCH, url, Some(json!({ "name": new_name })))
            .await
    }

    /// Removes a department from the list and from every user in it;
    /// answers the new list.
    pub async fn delete_department(&self, name: &str) -> ClientResult<Vec<DepartmentInfo>> {
        let url = self.roster_url(&["departments", name]);
        self.department_change(Method::DELETE, url, None).await
    }

    async fn department_change(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
    ) -> ClientResult<Vec<DepartmentInfo>> {
        let list: DepartmentList = self
            .roster_call(method, url, &[], body)
            .await?
            .json("the list of departments")?;
        // The catalogue's list of names (for the department fields) follows.
        if let Err(e) = self.refresh_catalogue().await {
            tracing::debug!(error = %e, "the catalogue was not refreshed after a department change");
        }
        Ok(list.infos())
    }
}

/// The longest department name the client sends (the reference server's
/// limit too).
pub const MAX_DEPARTMENT_NAME: usize = 100;

fn department_name(name: &str) -> ClientResult<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ClientError::Validation(
            "Give the department a name.".into(),
        ));
    }
    if name.chars().count() > MAX_DEPARTMENT_NAME {
        return Err(ClientError::Validation(format!(
            "A department's name can be at most {MAX_DEPARTMENT_NAME} characters."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ClientError::Validation(
            "A department's name cannot contain line breaks or tabs.".into(),
        ));
    }
    Ok(name)
}

#[derive(Deserialize)]
struct DepartmentList {
    departments: Vec<String>,
    /// Servers that do not count members leave it out.
    #[serde(default)]
    members: BTreeMap<String, u32>,
}

impl DepartmentList {
    fn infos(self) -> Vec<DepartmentInfo> {
        let DepartmentList {
            departments,
            members,
        } = self;
        departments
            .into_iter()
            .map(|name| DepartmentInfo {
                members: members.get(&name).copied().unwrap_or(0),
                name,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_found_in_an_email_body() {
        let body = "Hello,\n\nOpen http://127.0.0.1:8080/invite/abc123 to join.\n";
        assert_eq!(
            link_in(body).as_deref(),
            Some("http://127.0.0.1:8080/invite/abc123")
        );
        assert_eq!(link_in("no link here"), None);
    }

    #[test]
    fn audit_changes_read_attribute_by_attribute() {
        let before = json!({
            "meta": { "version": "1" },
            "name": { "givenName": "Ada" },
            urn::ROSTER_USER: { "role": "member", "departments": ["Sales"] },
        });
        let after = json!({
            "meta": { "version": "2" },
            "name": { "givenName": "Ada" },
            urn::ROSTER_USER: { "role": "admin", "departments": ["Sales", "Ops"] },
            "active": false,
        });
        let changes = audit_changes(&before, &after);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["active", "departments", "role"]);
        assert_eq!(changes[1].after.as_deref(), Some("Sales, Ops"));
        assert_eq!(changes[2].before.as_deref(), Some("member"));
        assert_eq!(changes[0].before, None);
    }
}
