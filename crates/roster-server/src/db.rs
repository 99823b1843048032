//! SQLite access: a small connection pool and the forward-only migrations.
//!
//! SQLite calls block, so every query runs on tokio's blocking pool. Writes go
//! through one connection (SQLite allows one writer at a time anyway); reads
//! use a few more connections in WAL mode so a long list never stalls a write.
//! An in-memory database has a single connection, as connections to
//! `:memory:` cannot share it without shared-cache locking errors.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use crate::catalogue::Catalogue;
use crate::list::RowCache;
use crate::state::Loaded;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database task stopped unexpectedly")]
    TaskFailed,
    #[error("cannot open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// The migrations, applied in order and never edited once released: a change
/// to the schema is a new entry at the end.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_lifecycle.sql"),
    include_str!("migrations/0003_departments.sql"),
    include_str!("migrations/0004_row_versions.sql"),
];

#[derive(Clone)]
pub struct Db {
    inner: Arc<Pool>,
}

struct Pool {
    writer: Arc<Mutex<Connection>>,
    readers: Vec<Arc<Mutex<Connection>>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// The catalogue as read from this database, with the schemas built
    /// from it. It lives with the database, not with a server state, so
    /// that whatever changes the stored roles (a role endpoint, or demo
    /// seeding into a database whose server state is already built)
    /// publishes the new catalogue to everyone using the database.
    catalogue: RwLock<Arc<Loaded>>,
    /// Row numbers kept between the pages of a list, for this database.
    rows: Arc<RowCache>,
}

/// SCIM attribute values that are not case-exact compare after this fold,
/// which ignores accents too (a Roster choice: "zoe" finds "Zoë").
pub use roster_scim::text::fold;

fn configure(conn: &Connection, in_memory: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if !in_memory {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -32_000)?;
    conn.create_scalar_function(
        "scim_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let value: Option<String> = ctx.get(0)?;
            Ok(value.map(|v| fold(&v)))
        },
    )?;
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database at `path`, or an in-memory one
    /// for `:memory:`, and brings its schema up to date.
    pub fn open(path: &str) -> Result<Self, DbError> {
        let in_memory = path == ":memory:";
        let open = |p: &str| -> Result<Connection, DbError> {
            let conn = Connection::open(p).map_err(|source| DbError::Open {
                path: Path::new(p).to_path_buf(),
                source,
            })?;
            configure(&conn, in_memory)?;
            Ok(conn)
        };
        let writer = open(path)?;
        migrate(&writer)?;
        let writer = Arc::new(Mutex::new(writer));
        let readers = if in_memory {
            vec![writer.clone()]
        } else {
            let mut readers = Vec::new();
            for _ in 0..3 {
                readers.push(Arc::new(Mutex::new(open(path)?)));
            }
            readers
        };
        // Until the catalogue is read (crate::build_state does it at once),
        // an empty one: no roles, no applications.
        let empty = Catalogue {
            roles: Vec::new(),
            applications: Vec::new(),
        };
        Ok(Db {
            inner: Arc::new(Pool {
                writer,
                readers,
                next_reader: Default::default(),
                catalogue: RwLock::new(Arc::new(Loaded::new(empty))),
                rows: Arc::default(),
            }),
        })
    }

    /// The catalogue last published for this database.
    pub fn loaded(&self) -> Arc<Loaded> {
        self.inner
            .catalogue
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The row numbers kept between the pages of a list.
    pub fn row_cache(&self) -> Arc<RowCache> {
        self.inner.rows.clone()
    }

    /// Publishes the catalogue as now stored, after the roles changed.
    pub fn publish_catalogue(&self, catalogue: Catalogue) {
        *self
            .inner
            .catalogue
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(Loaded::new(catalogue));
    }

    /// Runs `f` on a read connection on the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let pool = &self.inner;
        let n = pool
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let conn = pool.readers[n % pool.readers.len()].clone();
        tokio::task::spawn_blocking(move || {
            let guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&guard)
        })
        .await
        .map_err(|_| E::from(DbError::TaskFailed))?
    }

    /// Runs `f` inside one transaction on the write connection: everything it
    /// does is committed together or not at all.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        let conn = self.inner.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            let tx = guard
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| E::from(DbError::Sqlite(e)))?;
            let value = f(&tx)?;
            tx.commit().map_err(|e| E::from(DbError::Sqlite(e)))?;
            Ok(value)
        })
        .await
        .map_err(|_| E::from(DbError::TaskFailed))?
    }

    /// Blocking access to the writer, for start-up work such as seeding.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut guard = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }
}

fn migrate(conn: &Connection) -> Result<(), DbError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let applied: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= applied {
            continue;
        }
        // The migration and its record commit together, or neither does.
        let now = crate::time::now_string();
        conn.execute_batch(&format!(
            "BEGIN; {sql}; INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, '{now}'); COMMIT;"
        ))?;
    }
    Ok(())
}
