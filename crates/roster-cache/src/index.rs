//! The in-memory index behind the Users table: windows of rows for a tab, a
//! search and a sort, computed here without a server round trip.
//!
//! A search scans one folded text of all users with SIMD substring search
//! (`memchr::memmem`), so a new search over 100,000 users costs a few
//! milliseconds; the matches of the last searches are kept per sort order,
//! so scrolling costs a slice. Sort orders are computed when first asked for.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use memchr::memmem;
use roster_client::model::{
    Catalogue, SortKey, Status, Tab, TabCounts, UsersWindow, WindowRequest,
};
use roster_client::{ClientError, MAX_SEARCH_WORDS};
use roster_scim::text::fold;

use crate::row::{CachedRow, FIELD};

/// Kept results: the last few searches (typing, then deleting, goes back).
const KEPT: usize = 8;

struct Entry {
    cached: CachedRow,
    role_name: Option<String>,
    role_key: String,
    expired: bool,
}

/// The users of each tab matching one search, in one sort order.
struct Matches {
    words: Vec<String>,
    /// Folded; None: every department.
    department: Option<String>,
    sort: SortKey,
    descending: bool,
    tabs: [Vec<u32>; 3],
}

pub struct Index {
    entries: Vec<Entry>,
    /// Every user's folded search fields, one after another.
    text: String,
    /// Where each user's fields start in `text`.
    starts: Vec<usize>,
    orders: [OnceLock<Vec<u32>>; 4],
    kept: Mutex<VecDeque<Arc<Matches>>>,
}

fn tab_slot(status: Status) -> usize {
    match status {
        Status::Active => 0,
        Status::Pending => 1,
        Status::Archived => 2,
    }
}

fn tab_of(tab: Tab) -> usize {
    match tab {
        Tab::Active => 0,
        Tab::Pending => 1,
        Tab::Archived => 2,
    }
}

fn sort_slot(key: SortKey) -> usize {
    match key {
        SortKey::Name => 0,
        SortKey::Email => 1,
        SortKey::Role => 2,
        SortKey::LastActive => 3,
    }
}

/// The distinct folded words of a search, as the server would use them.
pub fn search_words(search: &str) -> Result<Vec<String>, ClientError> {
    let mut words: Vec<String> = Vec::new();
    for word in search.split_whitespace() {
        let word = fold(word);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if words.len() > MAX_SEARCH_WORDS {
        return Err(ClientError::Validation(format!(
            "Search for at most {MAX_SEARCH_WORDS} words at a time."
        )));
    }
    Ok(words)
}

impl Index {
    pub fn empty() -> Index {
        Index::build(Vec::new(), &Catalogue::default(), "")
    }

    /// Builds the index; `now` (RFC 3339) judges invitation expiry.
    pub fn build(rows: Vec<CachedRow>, catalogue: &Catalogue, now: &str) -> Index {
        let mut text =
            String::with_capacity(rows.iter().map(|r| r.search_text.len()).sum::<usize>() + 1);
        let mut starts = Vec::with_capacity(rows.len());
        let mut entries = Vec::with_capacity(rows.len());
        for cached in rows {
            starts.push(text.len());
            text.push_str(&cached.search_text);
            let role_name = cached.role_name(catalogue);
            entries.push(Entry {
                role_key: fold(role_name.as_deref().unwrap_or_default()),
                role_name,
                expired: cached.expired(now),
                cached,
            });
        }
        text.push(FIELD);
        Index {
            entries,
            text,
            starts,
            orders: Default::default(),
            kept: Mutex::new(VecDeque::new()),
        }
    }

    /// A new index with users added or replaced and others removed.
    pub fn changed(
        &self,
        upserts: Vec<CachedRow>,
        deletes: &[String],
        catalogue: &Catalogue,
        now: &str,
    ) -> Index {
        let mut replaced: std::collections::HashMap<String, CachedRow> =
            upserts.into_iter().map(|r| (r.id.clone(), r)).collect();
        let gone: std::collections::HashSet<&str> = deletes.iter().map(String::as_str).collect();
        let mut rows = Vec::with_capacity(self.entries.len() + replaced.len());
        for entry in &self.entries {
            let id = entry.cached.id.as_str();
            if gone.contains(id) {
                continue;
            }
            match replaced.remove(id) {
                Some(new) => rows.push(new),
                None => rows.push(entry.cached.clone()),
            }
        }
        rows.extend(replaced.into_values());
        Index::build(rows, catalogue, now)
    }

    pub fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.entries.iter().map(|e| e.cached.id.clone())
    }

    /// Every user, for a rebuild with another catalogue.
    pub fn rows(&self) -> Vec<CachedRow> {
        self.entries.iter().map(|e| e.cached.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All users in a sort order, ascending (computed once).
    fn order(&self, key: SortKey) -> &[u32] {
        self.orders[sort_slot(key)].get_or_init(|| {
            let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
            let e = &self.entries;
            let by_name = |a: &Entry, b: &Entry| {
                (a.cached.name_key.cmp(&b.cached.name_key))
                    .then_with(|| a.cached.email_key.cmp(&b.cached.email_key))
            };
            match key {
                SortKey::Name => order.sort_by(|&a, &b| by_name(&e[a as usize], &e[b as usize])),
                SortKey::Email => order.sort_by(|&a, &b| {
                    let (a, b) = (&e[a as usize], &e[b as usize]);
                    (a.cached.email_key.cmp(&b.cached.email_key)).then_with(|| by_name(a, b))
                }),
                SortKey::Role => order.sort_by(|&a, &b| {
                    let (a, b) = (&e[a as usize], &e[b as usize]);
                    a.role_key.cmp(&b.role_key).then_with(|| by_name(a, b))
                }),
                // Never active sorts before any time, as the oldest.
                SortKey::LastActive => order.sort_by(|&a, &b| {
                    let (a, b) = (&e[a as usize], &e[b as usize]);
                    (a.cached.last_active.cmp(&b.cached.last_active)).then_with(|| by_name(a, b))
                }),
            }
            order
        })
    }

    /// Which users contain every word, as a bit set; None for no words.
    fn matching(&self, words: &[String]) -> Option<Vec<u64>> {
        let mut all: Option<Vec<u64>> = None;
        for word in words {
            let mut bits = vec![0u64; self.entries.len().div_ceil(64)];
            let finder = memmem::Finder::new(word.as_bytes());
            let mut user = 0usize;
            for at in finder.find_iter(self.text.as_bytes()) {
                // Matches come in text order: move to the user holding `at`.
                while user + 1 < self.starts.len() && self.starts[user + 1] <= at {
                    user += 1;
                }
                bits[user / 64] |= 1 << (user % 64);
            }
            all = Some(match all {
                None => bits,
                Some(mut acc) => {
                    acc.iter_mut().zip(&bits).for_each(|(a, b)| *a &= b);
                    acc
                }
            });
        }
        all
    }

    fn matches(
        &self,
        words: Vec<String>,
        department: Option<String>,
        key: SortKey,
        descending: bool,
    ) -> Arc<Matches> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pos) = kept.iter().position(|m| {
            m.words == words
                && m.department == department
                && m.sort == key
                && m.descending == descending
        }) {
            let found = kept.remove(pos).expect("the position was just found");
            kept.push_front(found.clone());
            return found;
        }
        drop(kept);
        let bits = self.matching(&words);
        let mut tabs: [Vec<u32>; 3] = Default::default();
        let order = self.order(key);
        let in_department =
            |entry: &Entry| {
                department.as_deref().is_none_or(|wanted| {
                    entry.cached.departments.iter().any(|d| {
                        d.eq_ignore_ascii_case(wanted) || (!d.is_ascii() && fold(d) == wanted)
                    })
                })
            };
        let mut take = |i: u32| {
            let hit = bits
                .as_ref()
                .is_none_or(|b| b[i as usize / 64] & (1 << (i % 64)) != 0);
            if hit && in_department(&self.entries[i as usize]) {
                tabs[tab_slot(self.entries[i as usize].cached.status)].push(i);
            }
        };
        if descending {
            order.iter().rev().copied().for_each(&mut take);
        } else {
            order.iter().copied().for_each(&mut take);
        }
        let found = Arc::new(Matches {
            words,
            department,
            sort: key,
            descending,
            tabs,
        });
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.push_front(found.clone());
        kept.truncate(KEPT);
        found
    }

    /// A window of the table, with the per-tab counts for the search.
    pub fn window(&self, req: &WindowRequest) -> Result<UsersWindow, ClientError> {
        let words = search_words(&req.search)?;
        let department = req
            .department
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(fold);
        let matches = self.matches(words, department, req.sort.key, req.sort.descending);
        let tab = &matches.tabs[tab_of(req.tab)];
        let from = (req.offset as usize).min(tab.len());
        let to = from.saturating_add(req.limit as usize).min(tab.len());
        let rows = tab[from..to]
            .iter()
            .map(|&i| {
                let e = &self.entries[i as usize];
                e.cached.to_row(e.role_name.clone(), e.expired)
            })
            .collect();
        Ok(UsersWindow {
            total: tab.len() as u32,
            counts: TabCounts {
                active: matches.tabs[0].len() as u32,
                pending: matches.tabs[1].len() as u32,
                archived: matches.tabs[2].len() as u32,
            },
            offset: req.offset,
            rows,
        })
    }
}
