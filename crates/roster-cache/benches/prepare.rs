//! What the copy makes of each user of a full sync's pages (the row, the
//! compressed document, the version: `prepare_raw`), over 1000 demo users
//! as roster-server sends them. Prints `name: value unit` lines; CPU time
//! is this thread's, so other work on the machine matters less.
//!
//! Run with `cargo bench -p roster-cache --bench prepare`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use roster_cache::row::CachedRow;
use roster_client::{Client, Secret, ServerUrl, UsersPage};

const TOKEN: &str = "bench-token";
const USERS: usize = 1000;
const ROUNDS: usize = 300;

fn thread_cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("server.db");
    let state = roster_server::build_state(db.to_str().expect("utf-8 path"), Some(TOKEN))
        .expect("server state");
    roster_server::seed::seed_demo(&state.db, &state.loaded(), USERS).expect("seed");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let page = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            axum::serve(listener, roster_server::app(state))
                .await
                .expect("serve")
        });
        let url = ServerUrl::parse(&format!("http://{addr}/scim/v2")).expect("url");
        let client = Client::with_api_token(url, Secret::new(TOKEN))
            .await
            .expect("the bench token signs in");
        client
            .users_page_raw(None, 1, USERS as u64, false)
            .await
            .expect("a page")
    });
    assert_eq!(page.resources.len(), USERS, "a whole page");
    let (wall, cpu) = timed(|| {
        let prepared = roster_cache::prepare_raw(&page.resources).expect("prepared");
        std::hint::black_box(prepared);
    });
    println!("prepare_raw_{USERS}_users: {wall:.2} ms");
    println!("prepare_raw_{USERS}_users_cpu: {cpu:.2} ms");
    // Of which reading each user and making its row (the rest is the
    // row's postcard and the document's compression).
    let (_, cpu) = timed(|| {
        for raw in &page.resources {
            let doc = UsersPage::read_user(raw).expect("a user");
            std::hint::black_box(CachedRow::from_user(&doc).expect("a row"));
        }
    });
    println!("read_user_and_row_{USERS}_users_cpu: {cpu:.2} ms");
}

/// Milliseconds per round of `round`: (wall, this thread's CPU).
fn timed(mut round: impl FnMut()) -> (f64, f64) {
    round();
    let started = Instant::now();
    let cpu = thread_cpu_seconds();
    for _ in 0..ROUNDS {
        round();
    }
    let cpu = thread_cpu_seconds() - cpu;
    let per = |s: f64| s * 1e3 / ROUNDS as f64;
    (per(started.elapsed().as_secs_f64()), per(cpu))
}
