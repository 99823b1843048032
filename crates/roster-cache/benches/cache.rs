//! The offline copy with 100,000 users, against roster-server on loopback
//! HTTP (in this process, on a runtime of its own): full sync, the same full
//! read by the PyPI scim2-client and the ratio, an incremental sync of 100
//! changed users, opening the copy, and window queries. Prints one line per
//! figure, `name: value unit`.
//!
//! Run with `cargo bench -p roster-cache --bench cache` (release build), or
//! `bash .ci/bench`. `ROSTER_BENCH_USERS` changes the population (default
//! 100000); the Python comparison needs `.venv` (`bash .ci/setup`) and is
//! reported as missing otherwise.

// As in the app and the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use roster_cache::{new_key, Cache, Key};
use roster_client::model::{Sort, SortKey, SyncProgress, Tab, WindowRequest};
use roster_client::{Client, Secret, ServerUrl};
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "bench-token";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    ms(sorted[idx])
}

/// roster-server with `users` demo users on a loopback port, on its own
/// threads; returns its SCIM base URL.
fn start_server(dir: &Path, users: usize) -> String {
    let db = dir.join("server.db");
    let state = roster_server::build_state(db.to_str().expect("utf-8 path"), Some(TOKEN))
        .expect("server state");
    let started = Instant::now();
    roster_server::seed::seed_demo(&state.db, &state.loaded(), users).expect("seed");
    println!(
        "seed_{users}_users: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            tx.send(listener.local_addr().expect("address"))
                .expect("send");
            axum::serve(listener, roster_server::app(state))
                .await
                .expect("serve");
        });
    });
    let addr = rx.recv().expect("the server's address");
    format!("http://{addr}/scim/v2")
}

fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    python.exists().then_some(python)
}

/// The PyPI scim2-client reading every user: (seconds, users).
fn scim2_client_read(url: &str) -> Option<(f64, u64)> {
    let python = python()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scim2_client_read.py");
    let out = Command::new(python)
        .arg(script)
        .args([url, TOKEN, "1000"])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "scim2-client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn no_progress(_: SyncProgress) {}

/// CPU time used by this process so far (the server's threads and the
/// copy's), which another busy process on the machine does not inflate as
/// it does the wall time.
fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Searches a person types: prefixes of real names and e-mail parts.
fn searches(cache: &Cache) -> Vec<String> {
    let rows = cache
        .window(&request(Tab::Active, "", SortKey::Name, false, 0, 400))
        .expect("a window")
        .rows;
    let mut out = vec![String::new()];
    for (i, row) in rows.iter().enumerate().step_by(7) {
        let name = row.display_name.to_lowercase();
        let len = 1 + i % 5;
        out.push(name.chars().take(len).collect());
        if i % 3 == 0 {
            out.push(
                row.email
                    .split('@')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(6)
                    .collect(),
            );
        }
        if i % 5 == 0 {
            let words: Vec<&str> = name.split_whitespace().collect();
            if words.len() > 1 {
                out.push(format!(
                    "{} {}",
                    &words[0][..1.min(words[0].len())],
                    words[1]
                ));
            }
        }
    }
    out
}

fn request(
    tab: Tab,
    search: &str,
    key: SortKey,
    descending: bool,
    offset: u32,
    limit: u32,
) -> WindowRequest {
    WindowRequest {
        tab,
        search: search.to_owned(),
        sort: Sort { key, descending },
        offset,
        limit,
        department: None,
    }
}

fn main() {
    let users: usize = std::env::var("ROSTER_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = start_server(dir.path(), users);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = rt
        .block_on(Client::with_api_token(
            ServerUrl::parse(&url).expect("url"),
            Secret::new(TOKEN),
        ))
        .expect("the bench token signs in");
    let copy = dir.path().join("copy.db");
    let key = new_key();

    // Full sync into a new encrypted copy.
    let (cache, _) = Cache::open(&copy, Key::New(key)).expect("copy");
    let started = Instant::now();
    let cpu = cpu_seconds();
    let report = rt
        .block_on(cache.sync(&client, &no_progress, &CancellationToken::new()))
        .expect("full sync");
    let full = started.elapsed();
    let cpu = cpu_seconds() - cpu;
    assert_eq!(report.users as usize, users, "every user synced");
    println!("full_sync_{users}: {:.2} s", full.as_secs_f64());
    println!("full_sync_{users}_cpu_server_and_app: {cpu:.2} s");

    // The same read by scim2-client.
    match scim2_client_read(&url) {
        Some((seconds, read)) => {
            assert_eq!(read as usize, users, "scim2-client read every user");
            println!("scim2_client_full_read_{users}: {seconds:.2} s");
            println!(
                "full_read_speedup_vs_scim2_client: {:.1} x",
                seconds / full.as_secs_f64()
            );
        }
        None => println!("scim2_client_full_read_{users}: missing (run bash .ci/setup for .venv)"),
    }

    // Incremental: 100 users changed on the server.
    let ids: Vec<String> = cache
        .window(&request(Tab::Active, "", SortKey::Email, false, 0, 100))
        .expect("window")
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect();
    rt.block_on(async {
        for id in &ids {
            client.set_archived(id, None, true).await.expect("archive");
        }
    });
    let started = Instant::now();
    let report = rt
        .block_on(cache.sync(&client, &no_progress, &CancellationToken::new()))
        .expect("incremental sync");
    let incremental = started.elapsed();
    assert!(
        report.fetched >= 100,
        "the changes were fetched: {report:?}"
    );
    println!(
        "incremental_sync_100_changed: {:.1} ms (fetched {})",
        ms(incremental),
        report.fetched
    );
    drop(cache);

    // Opening the copy: decrypting, reading and indexing every user.
    let started = Instant::now();
    let (cache, notice) = Cache::open(&copy, Key::Kept(key)).expect("reopen");
    assert!(notice.is_none());
    println!("open_copy_{users}: {:.1} ms", ms(started.elapsed()));
    assert_eq!(cache.len(), users);

    // Each sort order is computed on first use.
    let started = Instant::now();
    for key in [
        SortKey::Name,
        SortKey::Email,
        SortKey::Role,
        SortKey::LastActive,
    ] {
        cache
            .window(&request(Tab::Active, "", key, false, 0, 40))
            .expect("window");
    }
    println!("sort_orders_first_use_4: {:.1} ms", ms(started.elapsed()));

    // Window queries: a new search each time (tab, sort and offset vary).
    let searches = searches(&cache);
    let keys = [
        SortKey::Name,
        SortKey::Email,
        SortKey::Role,
        SortKey::LastActive,
    ];
    let tabs = [Tab::Active, Tab::Pending, Tab::Archived];
    let mut fresh = Vec::new();
    let mut scroll = Vec::new();
    for (i, search) in searches.iter().cycle().take(600).enumerate() {
        let key = keys[i % keys.len()];
        let tab = tabs[(i / 4) % tabs.len()];
        let descending = i % 2 == 1;
        let started = Instant::now();
        let window = cache
            .window(&request(tab, search, key, descending, 0, 40))
            .expect("window");
        fresh.push(started.elapsed());
        // Then scrolling further down the same result.
        let offset = window.total / 2;
        let started = Instant::now();
        cache
            .window(&request(tab, search, key, descending, offset, 40))
            .expect("window");
        scroll.push(started.elapsed());
    }
    fresh.sort();
    scroll.sort();
    println!("window_query_p50: {:.3} ms", percentile(&fresh, 0.5));
    println!("window_query_p95: {:.3} ms", percentile(&fresh, 0.95));
    println!("window_scroll_p50: {:.3} ms", percentile(&scroll, 0.5));
    println!("window_scroll_p95: {:.3} ms", percentile(&scroll, 0.95));
    println!(
        "window_queries: {} (distinct searches {})",
        fresh.len(),
        searches.len()
    );
}
