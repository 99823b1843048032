//! The in-memory index behind the Users table: windows of rows for a tab, a
//! search and a sort, computed here without a server round trip.
//!
//! A search scans one folded text of all users with SIMD substring search
//! (`memchr::memmem`), so a new search over 100,000 users costs a few
//! milliseconds; the matches of the last searches are kept per sort order,
//! so scrolling costs a slice. Sort orders are computed when first asked for.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use memchr::memmem;
use roster_client::model::{
    Catalogue, SortKey, Status, Tab, TabCounts, UsersWindow, WindowRequest,
};
use roster_client::{ClientError, MAX_SEARCH_WORDS};
use roster_scim::text::fold;

use crate::row::{CachedRow, ShownRow, FIELD};

/// Kept results: the last few searches (typing, then deleting, goes back).
const KEPT: usize = 8;

struct Entry {
    /// Shared with the index this one was made from, and the next.
    shown: Arc<ShownRow>,
    /// Shared by every user with the role.
    role: Arc<RoleText>,
    /// The lengths of the user's Name and E-mail keys in the index's text
    /// (see [`CachedRow::search_text`]).
    name_len: u32,
    email_len: u32,
    expired: bool,
}

/// A role's name as shown, and folded for sorting.
struct RoleText {
    name: Option<String>,
    key: String,
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
    /// Each user's tab, apart from the entries: a search walks every user
    /// in a sort order, and reading the status through each entry cost
    /// a cache miss or two per user (20 ms for 100,000).
    tabs: Vec<u8>,
    orders: [OnceLock<Vec<u32>>; 4],
    kept: Mutex<VecDeque<Arc<Matches>>>,
    /// The users holding each of the last words searched for.
    kept_words: Mutex<VecDeque<(String, Arc<Vec<u64>>)>>,
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

/// Puts an index together, one user after another.
struct Builder<'a> {
    entries: Vec<Entry>,
    text: String,
    starts: Vec<usize>,
    tabs: Vec<u8>,
    /// A few roles for many users: each role's name kept and folded once.
    roles: HashMap<Option<String>, Arc<RoleText>>,
    catalogue: &'a Catalogue,
    now: &'a str,
}

impl<'a> Builder<'a> {
    fn new(users: usize, text_len: usize, catalogue: &'a Catalogue, now: &'a str) -> Self {
        Builder {
            entries: Vec::with_capacity(users),
            text: String::with_capacity(text_len + 1),
            starts: Vec::with_capacity(users),
            tabs: Vec::with_capacity(users),
            roles: HashMap::new(),
            catalogue,
            now,
        }
    }

    fn push(&mut self, shown: Arc<ShownRow>, search_text: &str, name_len: u32, email_len: u32) {
        self.starts.push(self.text.len());
        self.text.push(FIELD);
        self.text.push_str(search_text);
        self.tabs.push(tab_slot(shown.status) as u8);
        let role = self
            .roles
            .entry(shown.role_name(self.catalogue))
            .or_insert_with_key(|name| {
                Arc::new(RoleText {
                    key: fold(name.as_deref().unwrap_or_default()),
                    name: name.clone(),
                })
            })
            .clone();
        self.entries.push(Entry {
            role,
            name_len,
            email_len,
            expired: shown.expired(self.now),
            shown,
        });
    }

    fn finish(mut self) -> Index {
        self.text.push(FIELD);
        Index {
            entries: self.entries,
            text: self.text,
            starts: self.starts,
            tabs: self.tabs,
            orders: Default::default(),
            kept: Mutex::new(VecDeque::new()),
            kept_words: Mutex::new(VecDeque::new()),
        }
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
        let text_len = rows.iter().map(|r| r.search_text.len() + 1).sum::<usize>();
        let mut builder = Builder::new(rows.len(), text_len, catalogue, now);
        for row in rows {
            builder.push(
                Arc::new(row.shown),
                &row.search_text,
                row.name_len,
                row.email_len,
            );
        }
        builder.finish()
    }

    /// A new index with users added or replaced and others removed (and
    /// role names from `catalogue`): the users that stay keep their shown
    /// rows and texts.
    pub fn changed(
        &self,
        upserts: Vec<CachedRow>,
        deletes: &[String],
        catalogue: &Catalogue,
        now: &str,
    ) -> Index {
        let mut replaced: HashMap<String, CachedRow> =
            upserts.into_iter().map(|r| (r.id.clone(), r)).collect();
        let gone: HashSet<&str> = deletes.iter().map(String::as_str).collect();
        let text_len = self.text.len()
            + replaced
                .values()
                .map(|r| r.search_text.len() + 1)
                .sum::<usize>();
        let mut builder = Builder::new(
            self.entries.len() + replaced.len(),
            text_len,
            catalogue,
            now,
        );
        let push_new = |builder: &mut Builder, row: CachedRow| {
            builder.push(
                Arc::new(row.shown),
                &row.search_text,
                row.name_len,
                row.email_len,
            )
        };
        for (u, entry) in self.entries.iter().enumerate() {
            let id = entry.shown.id.as_str();
            if gone.contains(id) {
                continue;
            }
            match replaced.remove(id) {
                Some(new) => push_new(&mut builder, new),
                None => builder.push(
                    entry.shown.clone(),
                    self.search_text(u),
                    entry.name_len,
                    entry.email_len,
                ),
            }
        }
        for row in replaced.into_values() {
            push_new(&mut builder, row);
        }
        builder.finish()
    }

    pub fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.entries.iter().map(|e| e.shown.id.clone())
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
            let name = |u: u32| self.name_key(u as usize);
            let email = |u: u32| self.email_key(u as usize);
            let by_name =
                |a: u32, b: u32| name(a).cmp(name(b)).then_with(|| email(a).cmp(email(b)));
            match key {
                SortKey::Name => order.sort_by(|&a, &b| by_name(a, b)),
                SortKey::Email => {
                    order.sort_by(|&a, &b| email(a).cmp(email(b)).then_with(|| by_name(a, b)))
                }
                SortKey::Role => order.sort_by(|&a, &b| {
                    (e[a as usize].role.key.cmp(&e[b as usize].role.key))
                        .then_with(|| by_name(a, b))
                }),
                // Never active sorts before any time, as the oldest.
                SortKey::LastActive => order.sort_by(|&a, &b| {
                    (e[a as usize]
                        .shown
                        .last_active
                        .cmp(&e[b as usize].shown.last_active))
                    .then_with(|| by_name(a, b))
                }),
            }
            order
        })
    }

    /// The folded fields of user `u`, each after a [`FIELD`].
    fn user_text(&self, u: usize) -> &[u8] {
        let end = self.starts.get(u + 1).copied().unwrap_or(self.text.len());
        &self.text.as_bytes()[self.starts[u]..end]
    }

    /// User `u`'s [`CachedRow::search_text`].
    fn search_text(&self, u: usize) -> &str {
        // The last user's is followed by the closing separator.
        let end = (self.starts.get(u + 1).copied()).unwrap_or(self.text.len() - FIELD.len_utf8());
        &self.text[self.starts[u] + FIELD.len_utf8()..end]
    }

    /// Folded family name, given name, display name: the Name order.
    fn name_key(&self, u: usize) -> &[u8] {
        let from = self.starts[u] + FIELD.len_utf8();
        &self.text.as_bytes()[from..from + self.entries[u].name_len as usize]
    }

    /// The folded e-mail address: the E-mail order.
    fn email_key(&self, u: usize) -> &[u8] {
        let entry = &self.entries[u];
        let from = self.starts[u] + FIELD.len_utf8() * 2 + entry.name_len as usize;
        &self.text.as_bytes()[from..from + entry.email_len as usize]
    }

    /// Which users contain the word, looking through every user.
    fn scan_all(&self, finder: &memmem::Finder<'_>) -> Vec<u64> {
        let mut bits = vec![0u64; self.entries.len().div_ceil(64)];
        let text = self.text.as_bytes();
        let mut user = 0usize;
        let mut from = 0usize;
        while let Some(found) = finder.find(&text[from..]) {
            let at = from + found;
            // Matches come in text order: move to the user holding `at`.
            while user + 1 < self.starts.len() && self.starts[user + 1] <= at {
                user += 1;
            }
            bits[user / 64] |= 1 << (user % 64);
            // One match is enough: go on from the next user's fields (a
            // short word occurs many times in each user's).
            match self.starts.get(user + 1) {
                Some(&next) => from = next,
                None => break,
            }
        }
        bits
    }

    /// Which of the users in `within` contain the word.
    fn scan_within(&self, finder: &memmem::Finder<'_>, within: &[u64]) -> Vec<u64> {
        let mut bits = vec![0u64; within.len()];
        for (slot, &set) in within.iter().enumerate() {
            let mut left = set;
            while left != 0 {
                let bit = left.trailing_zeros();
                left &= left - 1;
                if finder
                    .find(self.user_text(slot * 64 + bit as usize))
                    .is_some()
                {
                    bits[slot] |= 1 << bit;
                }
            }
        }
        bits
    }

    /// Which users contain one word. Typing narrows: when the users holding
    /// a shorter word inside this one are known, only they are looked at.
    fn word_bits(&self, word: &str, finder: &memmem::Finder<'_>) -> Arc<Vec<u64>> {
        let kept = self
            .kept_words
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, bits)) = kept.iter().find(|(w, _)| w == word) {
            return bits.clone();
        }
        let narrower = kept
            .iter()
            .filter(|(w, _)| word.contains(w.as_str()))
            .max_by_key(|(w, _)| w.len())
            .map(|(_, bits)| bits.clone());
        drop(kept);
        let bits = Arc::new(match narrower {
            Some(within) => self.scan_within(finder, &within),
            None => self.scan_all(finder),
        });
        let mut kept = self
            .kept_words
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        kept.push_front((word.to_owned(), bits.clone()));
        kept.truncate(KEPT);
        bits
    }

    /// Which users contain every word, as a bit set; None for no words. The
    /// longest word first (the fewest users, as a rule), the others looked
    /// for only in the users that have it.
    fn matching(&self, words: &[String]) -> Option<Vec<u64>> {
        let mut longest_first: Vec<&String> = words.iter().collect();
        longest_first.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut all: Option<Vec<u64>> = None;
        for word in longest_first {
            let finder = memmem::Finder::new(word.as_bytes());
            all = Some(match all {
                None => self.word_bits(word, &finder).as_ref().clone(),
                Some(within) => self.scan_within(&finder, &within),
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
                    entry.shown.departments.iter().any(|d| {
                        d.eq_ignore_ascii_case(wanted) || (!d.is_ascii() && fold(d) == wanted)
                    })
                })
            };
        let mut take = |i: u32| {
            let hit = bits
                .as_ref()
                .is_none_or(|b| b[i as usize / 64] & (1 << (i % 64)) != 0);
            if hit && (department.is_none() || in_department(&self.entries[i as usize])) {
                tabs[self.tabs[i as usize] as usize].push(i);
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
                e.shown.to_row(e.role.name.clone(), e.expired)
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

#[cfg(test)]
mod tests {
    use super::*;
    use roster_client::model::Sort;
    use serde_json::json;

    const FAMILIES: [&str; 6] = [
        "Adéyẹmí",
        "Ærøskøbing",
        "Martins",
        "Marx",
        "Okafor",
        "Søren",
    ];
    const GIVEN: [&str; 5] = ["Ana", "Mads", "Emeka", "Marta", "Zoë"];

    fn index() -> Index {
        let rows = (0..300)
            .map(|i| {
                let (given, family) = (GIVEN[i % GIVEN.len()], FAMILIES[i % FAMILIES.len()]);
                let doc = json!({
                    "id": format!("u{i}"),
                    "userName": format!("user{i}@example.com"),
                    "name": { "givenName": given, "familyName": family },
                    "displayName": format!("{given} {family}"),
                    "emails": [{ "value": format!("{}.{i}@example.com", given.to_lowercase()), "primary": true }],
                    "active": i % 7 != 0,
                });
                CachedRow::from_doc(&doc).unwrap()
            })
            .collect();
        Index::build(rows, &Catalogue::default(), "2026-01-01T00:00:00Z")
    }

    fn ids(index: &Index, search: &str) -> Vec<String> {
        let mut all = Vec::new();
        for tab in [Tab::Active, Tab::Archived] {
            let window = index
                .window(&WindowRequest {
                    tab,
                    search: search.to_owned(),
                    sort: Sort {
                        key: SortKey::Name,
                        descending: false,
                    },
                    offset: 0,
                    limit: 1000,
                    department: None,
                })
                .unwrap();
            all.extend(window.rows.into_iter().map(|r| r.id));
        }
        all
    }

    /// What a search finds by reading every user's texts, as a person would.
    fn by_hand(search: &str) -> usize {
        let words: Vec<String> = search.split_whitespace().map(fold).collect();
        (0..300)
            .filter(|i| {
                let (given, family) = (GIVEN[i % GIVEN.len()], FAMILIES[i % FAMILIES.len()]);
                let texts = [
                    fold(given),
                    fold(family),
                    fold(&format!("{given} {family}")),
                    format!("user{i}@example.com"),
                    fold(&format!("{}.{i}@example.com", given.to_lowercase())),
                ];
                words
                    .iter()
                    .all(|w| texts.iter().any(|t| t.contains(w.as_str())))
            })
            .count()
    }

    fn doc(i: usize, given: &str, family: &str, email: &str) -> serde_json::Value {
        json!({
            "id": format!("u{i}"),
            "userName": format!("user{i}@example.com"),
            "name": { "givenName": given, "familyName": family },
            "displayName": format!("{given} {family}"),
            "emails": [
                { "value": format!("other{i}@example.org") },
                { "value": email, "primary": true },
            ],
            "active": true,
        })
    }

    fn order(index: &Index, key: SortKey, search: &str) -> Vec<String> {
        index
            .window(&WindowRequest {
                tab: Tab::Active,
                search: search.to_owned(),
                sort: Sort {
                    key,
                    descending: false,
                },
                offset: 0,
                limit: 1000,
                department: None,
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    /// The Name and E-mail orders and the searches read each user's keys
    /// and texts out of the index's one string: after a change, which
    /// copies the texts of the users who stay (the last one included), they
    /// must still be each user's own.
    #[test]
    fn orders_and_searches_read_each_users_own_texts_after_a_change() {
        let people = [
            ("Zoë", "Adéyẹmí", "zoe@example.com"),
            ("Ana", "Martins", "b.ana@example.com"),
            ("Émile", "Martins", "a.emile@example.com"),
            ("Mads", "Søren", "mads@example.com"),
            ("Ana", "Okafor", "c.ana@example.com"),
        ];
        let rows = people
            .iter()
            .enumerate()
            .map(|(i, (g, f, e))| CachedRow::from_doc(&doc(i, g, f, e)).unwrap())
            .collect();
        let index = Index::build(rows, &Catalogue::default(), "2026-01-01T00:00:00Z");
        let keys = |index: &Index, u: usize| {
            let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
            (text(index.name_key(u)), text(index.email_key(u)))
        };
        assert_eq!(
            keys(&index, 2),
            (
                "martins\u{1}emile\u{1}emile martins".into(),
                "a.emile@example.com".into()
            )
        );
        assert_eq!(
            keys(&index, 4),
            (
                "okafor\u{1}ana\u{1}ana okafor".into(),
                "c.ana@example.com".into()
            )
        );
        assert_eq!(
            order(&index, SortKey::Name, ""),
            ["u0", "u1", "u2", "u4", "u3"]
        );
        assert_eq!(
            order(&index, SortKey::Email, ""),
            ["u2", "u1", "u4", "u3", "u0"]
        );
        // Every e-mail address and the user name are searched.
        assert_eq!(order(&index, SortKey::Name, "other3"), ["u3"]);
        assert_eq!(order(&index, SortKey::Name, "user4@"), ["u4"]);
        assert_eq!(order(&index, SortKey::Name, "a.emile"), ["u2"]);

        // Ana Martins becomes Ana Zimmer; Mads leaves; a newcomer arrives.
        let changed = index.changed(
            vec![
                CachedRow::from_doc(&doc(1, "Ana", "Zimmer", "b.ana@example.com")).unwrap(),
                CachedRow::from_doc(&doc(5, "Åsa", "Berg", "asa@example.com")).unwrap(),
            ],
            &["u3".to_owned()],
            &Catalogue::default(),
            "2026-01-01T00:00:00Z",
        );
        assert_eq!(
            order(&changed, SortKey::Name, ""),
            ["u0", "u5", "u2", "u4", "u1"]
        );
        assert_eq!(
            order(&changed, SortKey::Email, ""),
            ["u2", "u5", "u1", "u4", "u0"]
        );
        assert_eq!(order(&changed, SortKey::Name, "martins"), ["u2"]);
        assert_eq!(order(&changed, SortKey::Name, "okafor"), ["u4"]);
        assert_eq!(order(&changed, SortKey::Name, "other4"), ["u4"]);
        assert!(order(&changed, SortKey::Name, "mads").is_empty());
        // A rebuild of the rebuild (the last user's text copied again).
        let again = changed.changed(
            Vec::new(),
            &[],
            &Catalogue::default(),
            "2026-01-01T00:00:00Z",
        );
        assert_eq!(
            again.text, changed.text,
            "the texts are copied as they were"
        );
        assert_eq!(
            keys(&again, 4),
            ("berg\u{1}asa\u{1}asa berg".into(), "asa@example.com".into())
        );
        for key in [SortKey::Name, SortKey::Email] {
            assert_eq!(order(&again, key, ""), order(&changed, key, ""));
        }
        assert_eq!(order(&again, SortKey::Name, "asa berg"), ["u5"]);
        assert_eq!(order(&again, SortKey::Name, "user5@example.com"), ["u5"]);
    }

    #[test]
    fn typing_narrows_to_the_same_users_as_a_fresh_search() {
        let typed = index();
        let mut checked = 0;
        for search in [
            "m", "ma", "mar", "mart", "martins", "mar", "ma", "m", "a", "ad", "ade", "adey", "s",
            "so", "sor", "zo", "zoe", "zoe s", "zoe so", "ma 1", "ma 12", "m x", "ærø", "aer",
        ] {
            let fresh = index();
            let got = ids(&typed, search);
            assert_eq!(got, ids(&fresh, search), "typed {search:?}");
            assert_eq!(got.len(), by_hand(search), "found by hand {search:?}");
            checked += got.len();
        }
        assert!(checked > 1000, "the searches find users: {checked}");
    }
}
