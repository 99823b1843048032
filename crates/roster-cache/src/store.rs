//! The file: one SQLCipher database per profile. Every write is one SQLite
//! transaction, so a crash (even SIGKILL) leaves the previous state; a full
//! sync fills `staging` and swaps it in with a single transaction.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::row::CachedRow;
use crate::CacheError;

/// Forward-only: each entry runs once, in order, and is never edited.
///
/// 1 keeps rows (what the table needs, read whole at start) and documents
/// (read one at a time, for the panel) apart, so that opening the copy reads
/// and decrypts only the rows; both in arrival order (an integer key) with a
/// small unique index on the id, so that a full sync appends instead of
/// inserting at random places in a large tree. It drops what the first
/// layout held: the next sync is a full one.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE users (id TEXT PRIMARY KEY, row TEXT NOT NULL, doc TEXT NOT NULL, etag TEXT);
     CREATE TABLE staging (id TEXT PRIMARY KEY, row TEXT NOT NULL, doc TEXT NOT NULL, etag TEXT);
     CREATE TABLE staging_pages (start_index INTEGER PRIMARY KEY);",
    "DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS staging;
     DROP TABLE IF EXISTS staging_users; DROP TABLE IF EXISTS staging_docs;
     DELETE FROM staging_pages;
     DELETE FROM meta WHERE key IN ('watermark', 'synced_at', 'full_run');
     CREATE TABLE users (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, row TEXT NOT NULL);
     CREATE TABLE docs (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, etag TEXT);
     CREATE TABLE staging_users (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, row TEXT NOT NULL);
     CREATE TABLE staging_docs (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, etag TEXT);",
    // 3: a full sync stages users without a unique index on the id, which
    // is built once when the run finishes: ids are random, so with the
    // index every staged page rewrote (and encrypted again) most of its
    // pages. A document has its row's number, so that only the rows need an
    // index on the id. Rows are kept in postcard (serde, binary) and
    // documents as LZ4-compressed JSON. The next sync is a full one.
    "DROP TABLE users; DROP TABLE docs; DROP TABLE staging_users; DROP TABLE staging_docs;
     DELETE FROM staging_pages;
     DELETE FROM meta WHERE key IN ('watermark', 'synced_at', 'full_run');
     CREATE TABLE users (n INTEGER PRIMARY KEY, id TEXT NOT NULL, row BLOB NOT NULL);
     CREATE UNIQUE INDEX users_by_id ON users (id);
     CREATE TABLE docs (n INTEGER PRIMARY KEY, doc BLOB NOT NULL, etag TEXT);
     CREATE TABLE staging_users (n INTEGER PRIMARY KEY, id TEXT NOT NULL, row BLOB NOT NULL);
     CREATE TABLE staging_docs (n INTEGER PRIMARY KEY, doc BLOB NOT NULL, etag TEXT);",
    // 4: a row keeps its folded texts in one string, the Name and E-mail
    // keys at its start, instead of three (the index holds them once for
    // every user, and only the shown part of each row). Rows in the old
    // form cannot be read: the next sync is a full one.
    "DELETE FROM users; DELETE FROM docs; DELETE FROM staging_users; DELETE FROM staging_docs;
     DELETE FROM staging_pages;
     DELETE FROM meta WHERE key IN ('watermark', 'synced_at', 'full_run');",
];

/// A user ready to be written: the row, and what the file keeps of it.
pub struct Prepared {
    pub row: CachedRow,
    /// The row, in postcard.
    pub row_bytes: Vec<u8>,
    /// The document's JSON, LZ4-compressed.
    pub doc: Vec<u8>,
    pub etag: Option<String>,
}

impl Prepared {
    /// `json`: the user's document.
    pub fn new(row: CachedRow, json: &[u8], etag: Option<String>) -> Result<Prepared, CacheError> {
        let row_bytes =
            postcard::to_allocvec(&row).map_err(|e| CacheError::Storage(e.to_string()))?;
        Ok(Prepared {
            row,
            row_bytes,
            doc: lz4_flex::compress_prepend_size(json),
            etag,
        })
    }
}

fn unreadable(e: impl std::fmt::Display) -> CacheError {
    CacheError::Unreadable(e.to_string())
}

/// A full sync under way, kept so that the next one resumes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullRun {
    /// RFC 3339: changes after this are picked up by the incremental sync
    /// that follows.
    pub watermark: String,
    pub page_size: u64,
    pub total: u64,
}

pub struct Store {
    conn: Connection,
    /// A second connection to the file, which copies the WAL into it after
    /// a full sync while the first goes on (none in memory).
    checkpointer: Option<Arc<Mutex<Connection>>>,
    /// That copy, while it runs.
    checkpointing: Option<JoinHandle<()>>,
}

impl Drop for Store {
    /// A file being written is not left to a thread: the copy of the WAL
    /// finishes before the file can be moved or deleted.
    fn drop(&mut self) {
        self.wait_for_checkpoint();
    }
}

fn sql(e: rusqlite::Error) -> CacheError {
    CacheError::Storage(e.to_string())
}

fn put_meta(tx: &rusqlite::Transaction<'_>, pairs: &[(&str, &str)]) -> Result<(), CacheError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .map_err(sql)?;
    for (key, value) in pairs {
        stmt.execute([key, value]).map_err(sql)?;
    }
    Ok(())
}

/// The 32-byte key as SQLCipher's raw-key literal.
fn key_pragma(key: &[u8; 32]) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("x'{hex}'")
}

/// A connection to the file, with its key.
fn keyed(path: &Path, key: &[u8; 32]) -> Result<Connection, CacheError> {
    let conn = Connection::open(path).map_err(sql)?;
    // A wrong key or a damaged page is an answer here, not news for stderr.
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    conn.pragma_update(None, "key", key_pragma(key))
        .map_err(sql)?;
    Ok(conn)
}

impl Store {
    /// Opens (or creates) the encrypted file. A file that the key does not
    /// open, or that is damaged, is [`CacheError::Unreadable`].
    pub fn open(path: &Path, key: &[u8; 32]) -> Result<Store, CacheError> {
        let conn = keyed(path, key)?;
        // The first read is where a wrong key or a damaged file shows.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| CacheError::Unreadable(e.to_string()))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| CacheError::Unreadable(e.to_string()))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        // 8 MiB of decrypted pages. A full sync appends (no index is kept
        // while it stages) and the rows are read once at start, so a larger
        // cache only held memory: 64 MiB stayed resident after a sync.
        conn.pragma_update(None, "cache_size", -8192).map_err(sql)?;
        let mut store = Store {
            conn,
            checkpointer: None,
            checkpointing: None,
        };
        store
            .migrate()
            .map_err(|e| CacheError::Unreadable(e.to_string()))?;
        // It reads no rows: a small cache.
        let checkpointer = keyed(path, key)?;
        checkpointer
            .pragma_update(None, "cache_size", -256)
            .map_err(sql)?;
        store.checkpointer = Some(Arc::new(Mutex::new(checkpointer)));
        // Every page is authenticated when read: a damaged row page shows
        // when the rows are read, right after this (as Unreadable).
        Ok(store)
    }

    /// A copy that lives in memory only (no keychain to keep a key in).
    pub fn in_memory() -> Result<Store, CacheError> {
        let conn = Connection::open_in_memory().map_err(sql)?;
        let mut store = Store {
            conn,
            checkpointer: None,
            checkpointing: None,
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), CacheError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        let done = usize::try_from(version).unwrap_or(0);
        if done > MIGRATIONS.len() {
            return Err(CacheError::Unreadable(format!(
                "the offline copy was written by a newer Roster (format {done})"
            )));
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(done) {
            let tx = self.conn.transaction().map_err(sql)?;
            tx.execute_batch(migration).map_err(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql)
    }

    pub fn set_meta(&self, pairs: &[(&str, &str)]) -> Result<(), CacheError> {
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        put_meta(&tx, pairs)?;
        tx.commit().map_err(sql)
    }

    /// Every row, for the index.
    pub fn rows(&self) -> Result<Vec<CachedRow>, CacheError> {
        self.rows_in("users")
    }

    /// The rows a full sync under way has staged so far, in order.
    pub fn staged_rows(&self) -> Result<Vec<CachedRow>, CacheError> {
        self.rows_in("staging_users")
    }

    fn rows_in(&self, table: &str) -> Result<Vec<CachedRow>, CacheError> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT row FROM {table} ORDER BY n"))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql)? {
            let bytes = row.get_ref(0).map_err(sql)?.as_blob().map_err(unreadable)?;
            out.push(postcard::from_bytes(bytes).map_err(unreadable)?);
        }
        Ok(out)
    }

    pub fn count(&self) -> Result<u64, CacheError> {
        self.conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(sql)
    }

    /// One user's whole document and ETag.
    pub fn doc(&self, id: &str) -> Result<Option<(Value, Option<String>)>, CacheError> {
        let found: Option<(Vec<u8>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT d.doc, d.etag FROM users u JOIN docs d ON d.n = u.n WHERE u.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        found
            .map(|(doc, etag)| {
                let json = lz4_flex::decompress_size_prepended(&doc).map_err(unreadable)?;
                let doc = serde_json::from_slice(&json).map_err(unreadable)?;
                Ok((doc, etag))
            })
            .transpose()
    }

    /// Writes users into `users` (replacing by id) or, for a full sync,
    /// appends them to `staging_users`; each document goes under its row's
    /// number.
    fn put(
        tx: &rusqlite::Transaction<'_>,
        staging: bool,
        users: &[Prepared],
    ) -> Result<(), CacheError> {
        let (rows, docs) = if staging {
            (
                tx.prepare_cached(
                    "INSERT INTO staging_users (id, row) VALUES (?1, ?2) RETURNING n",
                ),
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO staging_docs (n, doc, etag) VALUES (?1, ?2, ?3)",
                ),
            )
        } else {
            (
                tx.prepare_cached(
                    "INSERT INTO users (id, row) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET row = excluded.row RETURNING n",
                ),
                tx.prepare_cached("INSERT OR REPLACE INTO docs (n, doc, etag) VALUES (?1, ?2, ?3)"),
            )
        };
        let (mut rows, mut docs) = (rows.map_err(sql)?, docs.map_err(sql)?);
        for user in users {
            let n: i64 = rows
                .query_row(params![user.row.id, user.row_bytes], |r| r.get(0))
                .map_err(sql)?;
            docs.execute(params![n, user.doc, user.etag]).map_err(sql)?;
        }
        Ok(())
    }

    /// Adds or replaces users, and removes others, in one transaction.
    pub fn apply(
        &self,
        upserts: &[Prepared],
        deletes: &[String],
        meta: &[(&str, &str)],
    ) -> Result<(), CacheError> {
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        Self::put(&tx, false, upserts)?;
        {
            let mut remove = tx
                .prepare_cached("DELETE FROM users WHERE id = ?1 RETURNING n")
                .map_err(sql)?;
            let mut docs = tx
                .prepare_cached("DELETE FROM docs WHERE n = ?1")
                .map_err(sql)?;
            for id in deletes {
                let n: Option<i64> = remove
                    .query_row([id], |r| r.get(0))
                    .optional()
                    .map_err(sql)?;
                if let Some(n) = n {
                    docs.execute([n]).map_err(sql)?;
                }
            }
        }
        put_meta(&tx, meta)?;
        tx.commit().map_err(sql)
    }

    /// The full sync under way, if one was interrupted.
    pub fn full_run(&self) -> Result<Option<FullRun>, CacheError> {
        Ok(self
            .meta("full_run")?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Starts a full sync afresh: an empty staging area.
    pub fn begin_full_run(&self, run: &FullRun) -> Result<(), CacheError> {
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        tx.execute_batch(
            "DELETE FROM staging_users; DELETE FROM staging_docs; DELETE FROM staging_pages;",
        )
        .map_err(sql)?;
        let json = serde_json::to_string(run).map_err(|e| CacheError::Storage(e.to_string()))?;
        put_meta(&tx, &[("full_run", &json)])?;
        tx.commit().map_err(sql)
    }

    /// While a full sync stages pages, the WAL is not copied into the file
    /// every 1,000 pages (SQLite's default), which took about 40% of the
    /// staging time, but once at the end ([`Store::end_bulk_writes`]). A
    /// crash meanwhile loses nothing: SQLite recovers from the WAL.
    pub fn begin_bulk_writes(&self) -> Result<(), CacheError> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(sql)
    }

    /// Checkpoints as usual from now on, and has the second connection copy
    /// the WAL into the file and empty it, on a thread of its own: the
    /// users are in the file once their transactions commit (SQLite reads
    /// them from the WAL until then, after a crash too), and copying a full
    /// sync's WAL took 0.6 s that the sync no longer waits for. This
    /// connection keeps reading and writing meanwhile (SQLite's WAL lets a
    /// checkpoint run beside them).
    pub fn end_bulk_writes(&mut self) -> Result<(), CacheError> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 1000)
            .map_err(sql)?;
        let Some(checkpointer) = self.checkpointer.clone() else {
            return Ok(());
        };
        self.wait_for_checkpoint();
        self.checkpointing = Some(std::thread::spawn(move || {
            let conn = checkpointer.lock().unwrap_or_else(PoisonError::into_inner);
            // PASSIVE copies beside the other connection's reads and writes;
            // TRUNCATE then only empties the WAL, and waits for a write.
            let copied = ["PASSIVE", "TRUNCATE"].into_iter().try_for_each(|mode| {
                conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(()))
            });
            if let Err(e) = copied {
                // Nothing is lost: the next checkpoint copies what is left.
                tracing::warn!("the offline copy's WAL was not copied into it: {e}");
            }
        }));
        Ok(())
    }

    /// Waits for the WAL's copy into the file, if one runs.
    pub fn wait_for_checkpoint(&mut self) {
        if let Some(running) = self.checkpointing.take() {
            let _ = running.join();
        }
    }

    /// The pages of the run already staged, by start index.
    pub fn staged_pages(&self) -> Result<Vec<u64>, CacheError> {
        let mut stmt = self
            .conn
            .prepare("SELECT start_index FROM staging_pages")
            .map_err(sql)?;
        let pages = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(sql)?
            .map(|p| p.map(|p| p as u64))
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        Ok(pages)
    }

    /// Stages one page of a full sync, and marks it done, atomically.
    pub fn stage_page(&self, start_index: u64, users: &[Prepared]) -> Result<(), CacheError> {
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        Self::put(&tx, true, users)?;
        tx.execute(
            "INSERT OR IGNORE INTO staging_pages (start_index) VALUES (?1)",
            [start_index as i64],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// The staged copy replaces the users, in one transaction: a user staged
    /// twice (a page read again, a user moved between pages) keeps its last
    /// copy, the ids are indexed, and the tables swap names.
    pub fn finish_full_run(
        &self,
        staged_twice: bool,
        meta: &[(&str, &str)],
    ) -> Result<(), CacheError> {
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        if staged_twice {
            // Reads every staged page: only when some user came twice.
            tx.execute_batch(
                "DELETE FROM staging_users WHERE n NOT IN (SELECT max(n) FROM staging_users GROUP BY id);
                 DELETE FROM staging_docs WHERE n NOT IN (SELECT n FROM staging_users);",
            )
            .map_err(sql)?;
        }
        tx.execute_batch(
            "DROP TABLE users; DROP TABLE docs;
             CREATE UNIQUE INDEX users_by_id ON staging_users (id);
             ALTER TABLE staging_users RENAME TO users;
             ALTER TABLE staging_docs RENAME TO docs;
             CREATE TABLE staging_users (n INTEGER PRIMARY KEY, id TEXT NOT NULL, row BLOB NOT NULL);
             CREATE TABLE staging_docs (n INTEGER PRIMARY KEY, doc BLOB NOT NULL, etag TEXT);
             DELETE FROM staging_pages;
             DELETE FROM meta WHERE key = 'full_run';",
        )
        .map_err(sql)?;
        put_meta(&tx, meta)?;
        tx.commit().map_err(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_in_the_first_layout_moves_forward_to_a_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let key = [3u8; 32];
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "key", key_pragma(&key)).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute(
                "INSERT INTO users (id, row, doc, etag) VALUES ('u1', '{}', '{}', NULL)",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('watermark', '2026-01-01T00:00:00.000Z')",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&path, &key).unwrap();
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(
            store.meta("watermark").unwrap(),
            None,
            "the next sync is full"
        );
        assert_eq!(store.count().unwrap(), 0);
        assert!(store.rows().unwrap().is_empty());
        assert!(store.doc("u1").unwrap().is_none());
    }

    fn user(id: &str, name: &str) -> Prepared {
        let doc = serde_json::json!({
            "id": id, "userName": format!("{id}@example.com"), "displayName": name,
        });
        let row = CachedRow::from_doc(&doc).unwrap();
        Prepared::new(
            row,
            doc.to_string().as_bytes(),
            Some(format!("W/\"{name}\"")),
        )
        .unwrap()
    }

    fn names(store: &Store) -> Vec<String> {
        let rows = store.rows().unwrap();
        rows.into_iter().map(|r| r.shown.display_name).collect()
    }

    #[test]
    fn a_user_staged_twice_is_kept_once_as_last_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("copy.db"), &[5u8; 32]).unwrap();
        let run = FullRun {
            watermark: "2026-01-01T00:00:00.000Z".into(),
            page_size: 2,
            total: 3,
        };
        store.begin_full_run(&run).unwrap();
        store
            .stage_page(1, &[user("a", "Ana"), user("b", "Bo")])
            .unwrap();
        // "b" moved to the next page while the pages were read.
        store
            .stage_page(3, &[user("b", "Bo Berg"), user("c", "Cy")])
            .unwrap();
        assert_eq!(store.staged_rows().unwrap().len(), 4);
        store
            .finish_full_run(true, &[("synced_at", "now")])
            .unwrap();
        assert_eq!(names(&store), ["Ana", "Bo Berg", "Cy"]);
        let (doc, etag) = store.doc("b").unwrap().unwrap();
        assert_eq!(doc["displayName"], "Bo Berg");
        assert_eq!(etag.as_deref(), Some("W/\"Bo Berg\""));
        assert!(store.staged_rows().unwrap().is_empty());
        // The ids are unique again: writes replace.
        store
            .apply(&[user("c", "Cy Cole")], &["a".to_owned()], &[])
            .unwrap();
        assert_eq!(names(&store), ["Bo Berg", "Cy Cole"]);
        assert!(store.doc("a").unwrap().is_none());
        assert_eq!(store.doc("c").unwrap().unwrap().0["displayName"], "Cy Cole");
        let docs: i64 = store
            .conn
            .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(docs, 2, "no document is left without its row");
    }
}
