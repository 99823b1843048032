//! List and get throughput of roster-server over loopback HTTP with 100,000
//! users: pages of 100 and 1000, with and without a filter, pages of whole
//! users as a sync reads them, and a single get. Prints one line per
//! figure, `name: value unit`.
//!
//! Run with `cargo bench -p roster-server --bench list` (release build).
//! `ROSTER_BENCH_USERS` changes the population (default 100000).

// As in the app and the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use roster_server::{app, build_state, seed};

const ROUNDS: usize = 30;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

async fn measure(
    client: &reqwest::Client,
    token: &str,
    name: &str,
    url: &str,
    expect_items: Option<usize>,
) {
    let mut times = Vec::with_capacity(ROUNDS);
    let mut bytes = 0;
    for round in 0..ROUNDS + 3 {
        let started = Instant::now();
        let response = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        assert!(
            response.status().is_success(),
            "{name}: {}",
            response.status()
        );
        let body = response.bytes().await.expect("body");
        let elapsed = started.elapsed();
        if round == 0 {
            if let Some(n) = expect_items {
                let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                let got = v["Resources"].as_array().map(|a| a.len()).unwrap_or(0);
                assert_eq!(got, n, "{name}: expected {n} users in the page");
            }
        }
        if round >= 3 {
            times.push(elapsed);
        }
        bytes = body.len();
    }
    times.sort();
    println!("{name}_p50: {:.2} ms", percentile(&times, 0.5));
    println!("{name}_p95: {:.2} ms", percentile(&times, 0.95));
    println!("{name}_bytes: {bytes} B");
}

fn main() {
    let users: usize = std::env::var("ROSTER_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("bench.db");
    let token = "bench-token";
    let state = build_state(db_path.to_str().expect("utf-8 path"), Some(token)).expect("state");
    let started = Instant::now();
    seed::seed_demo(&state.db, &state.loaded(), users).expect("seed");
    println!(
        "seed_{users}_users: {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move { axum::serve(listener, app(state)).await });
        let base = format!("http://{addr}/scim/v2");
        let client = reqwest::Client::new();
        let ext = roster_scim::urn::ROSTER_USER;
        let status_active = urlencode(&format!("{ext}:status eq \"active\""));
        let family_sw = urlencode("name.familyName sw \"m\"");
        let user_co = urlencode("userName co \"son\"");
        let last = users - 1000 + 1;
        measure(
            &client,
            token,
            "page_100",
            &format!("{base}/Users?startIndex=1&count=100"),
            Some(100),
        )
        .await;
        measure(
            &client,
            token,
            "page_1000",
            &format!("{base}/Users?startIndex=1&count=1000"),
            Some(1000),
        )
        .await;
        measure(
            &client,
            token,
            "page_1000_last",
            &format!("{base}/Users?startIndex={last}&count=1000"),
            Some(1000),
        )
        .await;
        // What the offline client's sync asks for: whole users.
        let whole = urlencode(&roster_scim::schema::whole_user_attributes());
        measure(
            &client,
            token,
            "page_1000_whole_users",
            &format!("{base}/Users?startIndex=1&count=1000&attributes={whole}"),
            Some(1000),
        )
        .await;
        measure(
            &client,
            token,
            "page_1000_whole_users_last",
            &format!("{base}/Users?startIndex={last}&count=1000&attributes={whole}"),
            Some(1000),
        )
        .await;
        measure(
            &client,
            token,
            "page_1000_sorted_family_name",
            &format!("{base}/Users?count=1000&sortBy=name.familyName"),
            Some(1000),
        )
        .await;
        measure(
            &client,
            token,
            "page_100_filter_status",
            &format!("{base}/Users?count=100&filter={status_active}"),
            Some(100),
        )
        .await;
        measure(
            &client,
            token,
            "page_1000_filter_status",
            &format!("{base}/Users?count=1000&filter={status_active}"),
            Some(1000),
        )
        .await;
        measure(
            &client,
            token,
            "page_100_filter_family_sw",
            &format!("{base}/Users?count=100&filter={family_sw}"),
            None,
        )
        .await;
        measure(
            &client,
            token,
            "page_1000_filter_family_sw",
            &format!("{base}/Users?count=1000&filter={family_sw}"),
            None,
        )
        .await;
        measure(
            &client,
            token,
            "page_100_filter_username_co",
            &format!("{base}/Users?count=100&filter={user_co}"),
            None,
        )
        .await;
        measure(
            &client,
            token,
            "page_1000_filter_username_co",
            &format!("{base}/Users?count=1000&filter={user_co}"),
            None,
        )
        .await;
        let first: serde_json::Value = client
            .get(format!("{base}/Users?count=1&startIndex=50000"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        let id = first["Resources"][0]["id"]
            .as_str()
            .expect("an id")
            .to_string();
        measure(
            &client,
            token,
            "get_one",
            &format!("{base}/Users/{id}"),
            None,
        )
        .await;
        server.abort();
    });
}

/// Both schemas and every attribute of the extension returned only on
/// request, as roster-client's sync asks.
fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
