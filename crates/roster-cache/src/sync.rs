//! Bringing the copy up to date from the server.
//!
//! Full sync: pages of the server's largest size, several in flight, each
//! staged in the file as it arrives; the staged copy replaces the old one in
//! one transaction at the end, so an interrupted sync leaves the previous
//! copy whole, and the next sync resumes with the pages not yet staged.
//!
//! Incremental sync: `meta.lastModified gt <watermark>` (the server's own
//! clock, from its `Date` header, less a margin), then deletions: when the
//! server's count differs from the copy's, the ids are compared.

use std::collections::{HashSet, VecDeque};

use roster_client::model::{SyncPhase, SyncProgress};
use roster_client::query::core_path;
use roster_client::{Client, ClientError, UsersPage};
use roster_scim::{CompValue, CompareOp, Filter};
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::store::{FullRun, Prepared};
use crate::{now_rfc3339, prepare_raw, Cache};

/// Pages requested at once.
pub const IN_FLIGHT: usize = 4;
/// The largest page asked for.
pub const MAX_PAGE: u64 = 1000;
/// Ids asked for at once when fetching users the copy is missing.
const IDS_PER_FILTER: usize = 50;
/// How far before the server's clock a watermark is put, to cover writes
/// still committing and second-precision `Date` headers.
const MARGIN_SECS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("The sync was cancelled; the offline copy is as it was.")]
    Cancelled,
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl From<crate::CacheError> for SyncError {
    fn from(e: crate::CacheError) -> Self {
        SyncError::Client(e.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    Full,
    Incremental,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub kind: SyncKind,
    /// Users read from the server.
    pub fetched: u64,
    /// Users removed from the copy.
    pub deleted: u64,
    /// Users in the copy now.
    pub users: u64,
    /// Whether the full sync continued an interrupted one.
    pub resumed: bool,
}

pub type ProgressFn<'a> = &'a (dyn Fn(SyncProgress) + Send + Sync);

fn progress(phase: SyncPhase, done: u64, total: u64) -> SyncProgress {
    SyncProgress {
        phase,
        done: u32::try_from(done).unwrap_or(u32::MAX),
        total: u32::try_from(total).unwrap_or(u32::MAX),
    }
}

/// The watermark for "changed since this request": the server's clock less a
/// margin, or ours less a minute when it sent no date.
fn watermark(server_date: Option<&str>) -> String {
    let at = server_date
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc) - chrono::Duration::seconds(MARGIN_SECS))
        .unwrap_or_else(|| chrono::Utc::now() - chrono::Duration::seconds(60));
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn changed_since(watermark: &str) -> Filter {
    Filter::Compare(
        core_path("meta", Some("lastModified")),
        CompareOp::Gt,
        CompValue::String(watermark.to_owned()),
    )
}

fn docs(page: UsersPage) -> Vec<(Value, Option<String>)> {
    page.resources.into_iter().map(|doc| (doc, None)).collect()
}

/// Awaits `work` unless the sync is cancelled first.
async fn or_cancel<T>(
    cancel: &CancellationToken,
    work: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, SyncError> {
    tokio::select! {
        _ = cancel.cancelled() => Err(SyncError::Cancelled),
        result = work => Ok(result?),
    }
}

/// Reads every page of a listing, `IN_FLIGHT` at a time, after the first
/// (already read): each page is read and then turned into `T` by `prepare`
/// on a task of its own (parsing and preparing 1,000 users is CPU work that
/// should not hold up the writes), and `on_page` receives each page's start
/// index and `T`. A page shorter than asked for (a server capping its page
/// size below what it advertised) has its remainder asked for again.
/// Dropping the reads (a cancel, an error) aborts those still in flight.
async fn read_pages<T: Send + 'static>(
    client: &Client,
    filter: Option<&Filter>,
    ids_only: bool,
    pending: VecDeque<(u64, u64)>,
    cancel: &CancellationToken,
    prepare: fn(UsersPage<Box<RawValue>>) -> Result<T, ClientError>,
    mut on_page: impl FnMut(u64, T) -> Result<(), SyncError>,
) -> Result<(), SyncError> {
    let mut pending = pending;
    let mut flying = JoinSet::new();
    loop {
        while flying.len() < IN_FLIGHT {
            let Some((start, count)) = pending.pop_front() else {
                break;
            };
            let client = client.clone();
            let filter = filter.cloned();
            flying.spawn(async move {
                let page = client
                    .users_page_raw(filter.as_ref(), start, count, ids_only)
                    .await?;
                let (got, total) = (page.resources.len() as u64, page.total);
                let prepared = tokio::task::spawn_blocking(move || prepare(page))
                    .await
                    .map_err(|e| ClientError::Internal(format!("a page was lost: {e}")))??;
                Ok::<_, ClientError>((start, count, got, total, prepared))
            });
        }
        let next = tokio::select! {
            _ = cancel.cancelled() => return Err(SyncError::Cancelled),
            next = flying.join_next() => next,
        };
        let Some(done) = next else {
            return Ok(());
        };
        let (start, count, got, total, prepared) =
            done.map_err(|e| ClientError::Internal(format!("a page was lost: {e}")))??;
        if got > 0 && got < count && start + got <= total {
            pending.push_back((start + got, count - got));
        }
        on_page(start, prepared)?;
    }
}

fn parsed(page: UsersPage<Box<RawValue>>) -> Result<UsersPage, ClientError> {
    page.parsed()
}

fn prepared(page: UsersPage<Box<RawValue>>) -> Result<Vec<Prepared>, ClientError> {
    prepare_raw(&page.resources)
}

/// The starts of the pages after the first, `size` users each.
fn later_pages(total: u64, size: u64, skip: &HashSet<u64>) -> VecDeque<(u64, u64)> {
    let size = size.max(1);
    (1..=total)
        .step_by(size as usize)
        .filter(|start| *start > 1 && !skip.contains(start))
        .map(|start| (start, size))
        .collect()
}

impl Cache {
    /// Brings the copy up to date: a full sync the first time (or to finish
    /// an interrupted one), an incremental one after.
    pub async fn sync(
        &self,
        client: &Client,
        on_progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        self.sync_in_pages(client, MAX_PAGE, on_progress, cancel)
            .await
    }

    /// [`Cache::sync`] with pages of at most `max_page` users (the server's
    /// own limit applies too).
    pub async fn sync_in_pages(
        &self,
        client: &Client,
        max_page: u64,
        on_progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let caps = or_cancel(cancel, client.capabilities()).await?;
        let extension = if caps.roster_extension {
            "true"
        } else {
            "false"
        };
        self.store().set_meta(&[("roster_extension", extension)])?;
        if caps.roster_extension {
            // Role names and the panel offline; a sync is still worth it
            // without them.
            if let Ok(catalogue) = or_cancel(cancel, client.catalogue()).await {
                if catalogue != self.catalogue() {
                    self.set_catalogue(catalogue)?;
                }
            }
        }
        let page_size = u64::from(caps.max_results).clamp(1, max_page.max(1));
        let resumable = self.store().full_run()?;
        let watermark = self.store().meta("watermark")?;
        match (resumable, watermark) {
            (None, Some(watermark)) => {
                match self
                    .incremental(client, &watermark, page_size, on_progress, cancel)
                    .await
                {
                    // A server that cannot filter on lastModified: read all.
                    Err(SyncError::Client(ClientError::Validation(why))) => {
                        tracing::info!("incremental sync refused ({why}); full sync instead");
                        self.full(client, None, page_size, on_progress, cancel)
                            .await
                    }
                    other => other,
                }
            }
            (run, _) => self.full(client, run, page_size, on_progress, cancel).await,
        }
    }

    async fn full(
        &self,
        client: &Client,
        run: Option<FullRun>,
        page_size: u64,
        on_progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        self.store().begin_bulk_writes()?;
        let full = self
            .full_in_bulk(client, run, page_size, on_progress, cancel)
            .await;
        // Done or not, what was written goes into the file now.
        let ended = self.store().end_bulk_writes();
        let full = full?;
        ended?;
        Ok(full)
    }

    async fn full_in_bulk(
        &self,
        client: &Client,
        run: Option<FullRun>,
        page_size: u64,
        on_progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let resumed = run.is_some();
        let run = match run {
            Some(run) => run,
            None => {
                let first =
                    or_cancel(cancel, client.users_page_raw(None, 1, page_size, false)).await?;
                let got = first.resources.len() as u64;
                let run = FullRun {
                    watermark: watermark(first.server_date.as_deref()),
                    // A server may cap pages below what it advertised.
                    page_size: if got > 0 && got < page_size && got < first.total {
                        got
                    } else {
                        page_size
                    },
                    total: first.total,
                };
                self.store().begin_full_run(&run)?;
                self.store().stage_page(1, &prepared(first)?)?;
                run
            }
        };
        let staged: HashSet<u64> = self.store().staged_pages()?.into_iter().collect();
        // The index is built from the staged rows when the run finishes,
        // not read back from the file.
        let mut rows = self.store().staged_rows()?;
        let mut ids: HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut staged_twice = ids.len() != rows.len();
        on_progress(progress(SyncPhase::Full, rows.len() as u64, run.total));
        let pending = later_pages(run.total, run.page_size, &staged);
        read_pages(
            client,
            None,
            false,
            pending,
            cancel,
            prepared,
            |start, page| {
                for user in &page {
                    staged_twice |= !ids.insert(user.row.id.clone());
                }
                self.store().stage_page(start, &page)?;
                rows.extend(page.into_iter().map(|user| user.row));
                on_progress(progress(SyncPhase::Full, rows.len() as u64, run.total));
                Ok(())
            },
        )
        .await?;
        let now = now_rfc3339();
        let meta = [
            ("watermark", run.watermark.as_str()),
            ("synced_at", now.as_str()),
        ];
        self.store().finish_full_run(staged_twice, &meta)?;
        self.wrote_meta(&meta);
        if staged_twice {
            // The file kept the last copy of each user: read them back.
            rows = self.store().rows()?;
        }
        let done = rows.len() as u64;
        self.reindex(rows);
        // What changed while the pages were read, and any user that moved
        // between pages (deleted or added meanwhile) is found here.
        let after = self
            .incremental(client, &run.watermark, page_size, on_progress, cancel)
            .await?;
        Ok(SyncReport {
            kind: SyncKind::Full,
            fetched: done + after.fetched,
            deleted: after.deleted,
            users: after.users,
            resumed,
        })
    }

    async fn incremental(
        &self,
        client: &Client,
        since: &str,
        page_size: u64,
        on_progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<SyncReport, SyncError> {
        let filter = changed_since(since);
        let first = or_cancel(
            cancel,
            client.users_page(Some(&filter), 1, page_size, false),
        )
        .await?;
        let next_watermark = watermark(first.server_date.as_deref());
        let total = first.total;
        let mut changed = docs(first);
        on_progress(progress(SyncPhase::Changes, changed.len() as u64, total));
        let pending = later_pages(total, page_size, &HashSet::new());
        read_pages(
            client,
            Some(&filter),
            false,
            pending,
            cancel,
            parsed,
            |_, page| {
                changed.extend(docs(page));
                on_progress(progress(SyncPhase::Changes, changed.len() as u64, total));
                Ok(())
            },
        )
        .await?;
        // Deletions: every added or changed user is in `changed`, so when
        // the server counts as many users as the copy will hold, nobody was
        // deleted.
        let mut in_copy: HashSet<String> = self.index().ids().collect();
        for (doc, _) in &changed {
            if let Some(id) = doc.get("id").and_then(Value::as_str) {
                in_copy.insert(id.to_owned());
            }
        }
        let server_total = or_cancel(cancel, client.users_page(None, 1, 0, true))
            .await?
            .total;
        let mut deleted = Vec::new();
        if server_total != in_copy.len() as u64 {
            on_progress(progress(SyncPhase::Deletions, 0, server_total));
            let mut on_server: HashSet<String> = HashSet::with_capacity(server_total as usize);
            let first = or_cancel(cancel, client.users_page(None, 1, page_size, true)).await?;
            let id_page = first.resources.len() as u64;
            let take_ids = |set: &mut HashSet<String>, page: UsersPage| {
                for user in page.resources {
                    if let Some(id) = user.get("id").and_then(Value::as_str) {
                        set.insert(id.to_owned());
                    }
                }
            };
            let size = if id_page > 0 && id_page < page_size {
                id_page
            } else {
                page_size
            };
            let total = first.total;
            take_ids(&mut on_server, first);
            let pending = later_pages(total, size, &HashSet::new());
            read_pages(client, None, true, pending, cancel, parsed, |_, page| {
                take_ids(&mut on_server, page);
                on_progress(progress(
                    SyncPhase::Deletions,
                    on_server.len() as u64,
                    total,
                ));
                Ok(())
            })
            .await?;
            deleted = in_copy.difference(&on_server).cloned().collect();
            let missing: Vec<&String> = on_server.difference(&in_copy).collect();
            for chunk in missing.chunks(IDS_PER_FILTER) {
                let filter = chunk
                    .iter()
                    .map(|id| {
                        Filter::Compare(
                            core_path("id", None),
                            CompareOp::Eq,
                            CompValue::String((*id).clone()),
                        )
                    })
                    .reduce(|a, b| Filter::Or(Box::new(a), Box::new(b)))
                    .expect("chunks are not empty");
                let page = or_cancel(
                    cancel,
                    client.users_page(Some(&filter), 1, chunk.len() as u64, false),
                )
                .await?;
                changed.extend(docs(page));
            }
        }
        let now = now_rfc3339();
        let fetched = changed.len() as u64;
        self.apply(
            changed,
            &deleted,
            &[
                ("watermark", next_watermark.as_str()),
                ("synced_at", now.as_str()),
            ],
        )?;
        Ok(SyncReport {
            kind: SyncKind::Incremental,
            fetched,
            deleted: deleted.len() as u64,
            users: self.len() as u64,
            resumed: false,
        })
    }
}
