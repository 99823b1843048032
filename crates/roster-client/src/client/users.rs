//! Users: windows of rows for the table, the user panel, invitations and
//! lifecycle changes.

use reqwest::header::IF_MATCH;
use roster_scim::messages::{ListResponse, PatchOpKind, PatchOperation, PatchRequest};
use roster_scim::schema::{AttributeDef, CatalogueHints, Mutability, ResourceSchema};
use roster_scim::Filter;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::Client;
use crate::edit;
use crate::error::{ClientError, ClientResult};
use crate::model::{
    Capabilities, InviteRequest, Tab, TabCounts, UserDetail, UserEdit, UsersWindow, WindowRequest,
};
use crate::query::{self, TabQuery};
use crate::user_json;

/// One `GET /Users` request.
struct ListRequest<'a> {
    filter: Option<&'a Filter>,
    sort: Option<(String, bool)>,
    start_index: u64,
    count: u64,
    attributes: Option<&'a str>,
}

/// One page of users as the offline copy keeps them: parsed, or each user's
/// JSON text as received ([`Client::users_page_raw`]).
#[derive(Debug)]
pub struct UsersPage<T = Value> {
    pub total: u64,
    /// The users of the page, each with every attribute the user panel
    /// shows (or only `id`, for an id listing).
    pub resources: Vec<T>,
    /// The server's `Date` header, as sent (an HTTP date).
    pub server_date: Option<String>,
}

impl UsersPage<Box<RawValue>> {
    /// Each user parsed.
    pub fn parsed(self) -> ClientResult<UsersPage> {
        let resources = self
            .resources
            .iter()
            .map(|raw| UsersPage::parse_user(raw))
            .collect::<ClientResult<Vec<Value>>>()?;
        Ok(UsersPage {
            total: self.total,
            resources,
            server_date: self.server_date,
        })
    }
}

impl UsersPage {
    /// One user of a page read with [`Client::users_page_raw`], parsed.
    pub fn parse_user(raw: &RawValue) -> ClientResult<Value> {
        serde_json::from_str(raw.get()).map_err(not_json)
    }

    /// One user of a page read with [`Client::users_page_raw`], read for
    /// its row (the same attributes and errors as [`UsersPage::parse_user`]
    /// and [`user_json::row`], without building a `Value`).
    pub fn read_user(raw: &RawValue) -> ClientResult<user_json::UserDoc<'_>> {
        user_json::UserDoc::from_json(raw.get()).map_err(not_json)
    }
}

fn not_json(e: serde_json::Error) -> ClientError {
    ClientError::unreadable(format!("a user in the list is not JSON ({e})."))
}

/// The User schema for applying a PATCH here before a PUT: every attribute
/// writable, because what is read-only is the server's business (the
/// reference schema makes `entitlements` read-only; other servers do not).
fn writable_user_schema() -> ResourceSchema {
    fn writable(attributes: &mut [AttributeDef]) {
        for attribute in attributes {
            attribute.mutability = Mutability::ReadWrite;
            writable(&mut attribute.sub_attributes);
        }
    }
    let mut schema = ResourceSchema::user(&CatalogueHints::default());
    writable(&mut schema.core.attributes);
    for extension in &mut schema.extensions {
        writable(&mut extension.attributes);
    }
    schema
}

fn u32_of(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Client {
    async fn list_users(&self, req: &ListRequest<'_>) -> ClientResult<ListResponse<Value>> {
        Ok(self.list_users_dated(req).await?.0)
    }

    /// A list request, and the server's `Date` header.
    async fn list_users_dated<T: serde::de::DeserializeOwned>(
        &self,
        req: &ListRequest<'_>,
    ) -> ClientResult<(ListResponse<T>, Option<String>)> {
        let mut params: Vec<(&str, String)> = vec![
            ("startIndex", req.start_index.to_string()),
            ("count", req.count.to_string()),
        ];
        if let Some(attributes) = req.attributes {
            params.push(("attributes", attributes.to_owned()));
        }
        if let Some(filter) = req.filter {
            params.push(("filter", filter.to_string()));
        }
        if let Some((sort_by, descending)) = &req.sort {
            params.push(("sortBy", sort_by.clone()));
            let order = if *descending {
                "descending"
            } else {
                "ascending"
            };
            params.push(("sortOrder", order.to_owned()));
        }
        let url = self.inner.url.scim(&["Users"]);
        let answer = self
            .inner
            .send(|http| http.get(url.clone()).query(&params))
            .await?;
        let list = answer.json("the list of users")?;
        Ok((list, answer.date()))
    }

    /// A page of whole users (or of ids only) for the offline copy, in the
    /// server's own order, matching `filter` when given.
    pub async fn users_page(
        &self,
        filter: Option<&Filter>,
        start_index: u64,
        count: u64,
        ids_only: bool,
    ) -> ClientResult<UsersPage> {
        self.users_page_raw(filter, start_index, count, ids_only)
            .await?
            .parsed()
    }

    /// [`Client::users_page`] with each user's JSON text as the server sent
    /// it, for keeping it without writing it out again.
    pub async fn users_page_raw(
        &self,
        filter: Option<&Filter>,
        start_index: u64,
        count: u64,
        ids_only: bool,
    ) -> ClientResult<UsersPage<Box<RawValue>>> {
        let caps = self.capabilities().await?;
        let attributes = if ids_only {
            Some("id".to_owned())
        } else {
            query::detail_attributes(caps.roster_extension)
        };
        let (list, server_date) = self
            .list_users_dated(&ListRequest {
                filter,
                sort: None,
                start_index,
                count,
                attributes: attributes.as_deref(),
            })
            .await?;
        Ok(UsersPage {
            total: list.total_results,
            resources: list.resources,
            server_date,
        })
    }

    /// How many users a tab has for a search: a count-only request.
    async fn tab_count(
        &self,
        caps: &Capabilities,
        tab: Tab,
        search: Option<&Filter>,
    ) -> ClientResult<u32> {
        let TabQuery::Filter(tab_filter) = query::tab_query(tab, caps.roster_extension) else {
            return Ok(0);
        };
        let filter = query::combine(tab_filter, search);
        let list = self
            .list_users(&ListRequest {
                filter: Some(&filter),
                sort: None,
                start_index: 1,
                count: 0,
                attributes: Some("id"),
            })
            .await?;
        Ok(u32_of(list.total_results))
    }

    /// The rows of a window, fetched in pages of at most `max_results`, and
    /// the number of users matching.
    async fn window_rows(
        &self,
        caps: &Capabilities,
        req: &WindowRequest,
        search: Option<&Filter>,
    ) -> ClientResult<(u32, Vec<Value>)> {
        let TabQuery::Filter(tab_filter) = query::tab_query(req.tab, caps.roster_extension) else {
            return Ok((0, Vec::new()));
        };
        let filter = query::combine(tab_filter, search);
        let sort = caps.sort.then(|| {
            (
                query::sort_path(req.sort.key, caps.roster_extension).to_string(),
                req.sort.descending,
            )
        });
        let attributes = query::row_attributes(caps.roster_extension);
        let page_size = u64::from(caps.max_results.max(1));
        let mut start = u64::from(req.offset) + 1;
        let mut left = u64::from(req.limit);
        let mut rows = Vec::new();
        let mut total = None;
        loop {
            let list = self
                .list_users(&ListRequest {
                    filter: Some(&filter),
                    sort: sort.clone(),
                    start_index: start,
                    count: left.min(page_size),
                    attributes: Some(&attributes),
                })
                .await?;
            let total = *total.get_or_insert(list.total_results);
            // A server may send more than asked for; a window never holds more.
            let got = list
                .resources
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            rows.extend(list.resources.into_iter().take(got));
            left -= got as u64;
            start += got as u64;
            // A server may also send fewer than asked for (a smaller page
            // limit than it advertised): ask again for the rest.
            if left == 0 || got == 0 || start > total {
                break;
            }
        }
        Ok((u32_of(total.unwrap_or(0)), rows))
    }

    /// A window of the Users table: the rows of one tab matching a search,
    /// sorted, from `offset`, at most `limit`; plus the per-tab counts for
    /// the same search. The page and the counts are requested concurrently.
    pub async fn users_window(&self, req: &WindowRequest) -> ClientResult<UsersWindow> {
        let caps = self.capabilities().await?;
        let search = query::narrowing(
            &req.search,
            req.department.as_deref(),
            caps.roster_extension,
        )?;
        let search = search.as_ref();
        let catalogue = async {
            // Role names are a nicety: a window is still useful without them.
            if caps.roster_extension {
                Ok(self.catalogue().await.ok())
            } else {
                Ok(None)
            }
        };
        let ((total, resources), active, pending, archived, catalogue) = tokio::try_join!(
            self.window_rows(&caps, req, search),
            self.tab_count(&caps, Tab::Active, search),
            self.tab_count(&caps, Tab::Pending, search),
            self.tab_count(&caps, Tab::Archived, search),
            catalogue,
        )?;
        let rows = resources
            .iter()
            .map(|user| user_json::row(user, catalogue.as_ref()))
            .collect::<ClientResult<Vec<_>>>()?;
        Ok(UsersWindow {
            total,
            counts: TabCounts {
                active,
                pending,
                archived,
            },
            offset: req.offset,
            rows,
        })
    }

    /// One user as the server has it now, with its ETag.
    async fn fetch_user(
        &self,
        caps: &Capabilities,
        id: &str,
    ) -> ClientResult<(Value, Option<String>)> {
        if id.trim().is_empty() {
            return Err(ClientError::Validation("No user was chosen.".into()));
        }
        let url = self.inner.url.scim(&["Users", id]);
        let attributes = query::detail_attributes(caps.roster_extension);
        let answer = self
            .inner
            .send(|http| {
                let request = http.get(url.clone());
                match &attributes {
                    Some(attributes) => request.query(&[("attributes", attributes)]),
                    None => request,
                }
            })
            .await?;
        let user: Value = answer.json("the user")?;
        if !user.is_object() {
            return Err(ClientError::unreadable("the user is not a JSON object."));
        }
        Ok((user, answer.etag()))
    }

    /// One user's whole document as the server has it now, with its ETag
    /// (for the offline copy).
    pub async fn user_doc(&self, id: &str) -> ClientResult<(Value, Option<String>)> {
        let caps = self.capabilities().await?;
        self.fetch_user(&caps, id).await
    }

    /// Everything the user panel shows.
    pub async fn get_user(&self, id: &str) -> ClientResult<UserDetail> {
        let caps = self.capabilities().await?;
        let (user, etag) = self.fetch_user(&caps, id).await?;
        user_json::detail(&user, etag, caps.roster_extension)
    }

    /// Sends `ops` to a user: PATCH, or where the server has no PATCH, the
    /// operations applied here and the whole user sent back with PUT. With
    /// `version` (and ETag support) the server refuses if the user changed
    /// since: a [`ClientError::Conflict`].
    pub(super) async fn write_user(
        &self,
        caps: &Capabilities,
        id: &str,
        version: Option<&str>,
        ops: Vec<PatchOperation>,
        current: Option<Value>,
    ) -> ClientResult<()> {
        let url = self.inner.url.scim(&["Users", id]);
        let if_match = version.filter(|_| caps.etag).map(str::to_owned);
        let with_version = |request: reqwest::RequestBuilder| match &if_match {
            Some(version) => request.header(IF_MATCH, version.as_str()),
            None => request,
        };
        let body = if caps.patch {
            serde_json::to_value(PatchRequest::new(ops)).map_err(|e| {
                ClientError::Internal(format!("Roster could not write the change: {e}"))
            })?
        } else {
            let mut user = match current {
                Some(user) => user,
                None => self.fetch_user(caps, id).await?.0,
            };
            let schema = writable_user_schema();
            roster_scim::patch::apply_patch(&mut user, &ops, &schema)
                .map_err(|e| ClientError::Validation(e.detail))?;
            if let Some(object) = user.as_object_mut() {
                object.remove("meta");
            }
            user
        };
        let method = if caps.patch {
            reqwest::Method::PATCH
        } else {
            reqwest::Method::PUT
        };
        self.inner
            .send(|http| {
                with_version(http.request(method.clone(), url.clone()))
                    .header(reqwest::header::CONTENT_TYPE, "application/scim+json")
                    .body(body.to_string())
            })
            .await?;
        Ok(())
    }

    /// Saves the panel: only what differs from the user as the server has it
    /// now is sent. `version` is the ETag the panel was opened with; if the
    /// user changed since, nothing is saved and the error is a Conflict.
    /// Returns the user as saved.
    pub async fn save_user(
        &self,
        id: &str,
        version: Option<String>,
        edit: &UserEdit,
    ) -> ClientResult<UserDetail> {
        edit::validate(edit)?;
        let caps = self.capabilities().await?;
        let (current, etag) = self.fetch_user(&caps, id).await?;
        let ops = edit::patch_ops(&current, edit, caps.roster_extension);
        if ops.is_empty() {
            return user_json::detail(&current, etag, caps.roster_extension);
        }
        self.write_user(&caps, id, version.as_deref(), ops, Some(current))
            .await?;
        // The write's answer leaves out what is returned only on request
        // (and may be empty): read the user again.
        self.get_user(id).await
    }

    /// Invites a user: with the Roster extension a Pending user and an
    /// invitation (e-mailed when `send_email`); on other servers an active
    /// user.
    pub async fn invite(&self, req: &InviteRequest) -> ClientResult<UserDetail> {
        edit::validate(&req.user)?;
        let caps = self.capabilities().await?;
        let user = user_json::new_user(&req.user, caps.roster_extension);
        let (url, body) = if caps.roster_extension {
            (
                self.inner.url.at_root(&["roster", "v1", "invitations"]),
                json!({ "user": user, "sendEmail": req.send_email }),
            )
        } else {
            (self.inner.url.scim(&["Users"]), user)
        };
        let answer = self
            .inner
            .send(|http| {
                http.post(url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/scim+json")
                    .body(body.to_string())
            })
            .await?;
        let created: Value = answer.json("the new user")?;
        let id = user_json::id(&created)?;
        self.get_user(&id).await
    }

    /// Archives (disables sign-in, keeps the data) or reactivates a user.
    pub async fn set_archived(
        &self,
        id: &str,
        version: Option<String>,
        archived: bool,
    ) -> ClientResult<UserDetail> {
        let caps = self.capabilities().await?;
        let ops = vec![PatchOperation::new(
            PatchOpKind::Replace,
            Some("active"),
            Some(Value::Bool(!archived)),
        )];
        self.write_user(&caps, id, version.as_deref(), ops, None)
            .await?;
        self.get_user(id).await
    }

    /// Deletes a user. With `version`, only if nobody changed it since.
    pub async fn delete_user(&self, id: &str, version: Option<String>) -> ClientResult<()> {
        if id.trim().is_empty() {
            return Err(ClientError::Validation("No user was chosen.".into()));
        }
        let caps = self.capabilities().await?;
        let url = self.inner.url.scim(&["Users", id]);
        let if_match = version.filter(|_| caps.etag);
        self.inner
            .send(|http| {
                let request = http.delete(url.clone());
                match &if_match {
                    Some(version) => request.header(IF_MATCH, version.as_str()),
                    None => request,
                }
            })
            .await?;
        Ok(())
    }
}
