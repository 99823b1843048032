//! The offline copy against the real reference server on a loopback port:
//! full and incremental sync, resuming, deletions, a network drop mid-sync,
//! damaged files and lost keys, and nothing readable on disk.

#[path = "../../roster-client/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use roster_cache::sync::{SyncError, SyncKind};
use roster_cache::{new_key, Cache, Key};
use roster_client::model::{SortKey, SyncPhase, SyncProgress, Tab, UserEdit, WindowRequest};
use roster_client::{Client, ServerUrl};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use common::{sorted, window};

const PAGE: u64 = 40;

fn no_progress(_: SyncProgress) {}

async fn sync(cache: &Cache, client: &Client) -> roster_cache::sync::SyncReport {
    cache
        .sync_in_pages(client, PAGE, &no_progress, &CancellationToken::new())
        .await
        .expect("the sync finishes")
}

fn open(dir: &Path, key: Key) -> (Cache, Option<String>) {
    Cache::open(&dir.join("copy.db"), key).expect("the copy opens")
}

/// Every id of a tab, in the cache's order, and the same from the server.
async fn same_as_server(cache: &Cache, client: &Client, req: &WindowRequest) {
    let ours = cache.window(req).expect("the copy answers");
    let theirs = client.users_window(req).await.expect("the server answers");
    assert_eq!(ours.counts, theirs.counts, "tab counts for {req:?}");
    assert_eq!(ours.total, theirs.total, "total for {req:?}");
    let mut a: Vec<_> = ours.rows.iter().map(|r| r.id.clone()).collect();
    let mut b: Vec<_> = theirs.rows.iter().map(|r| r.id.clone()).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same users for {req:?}");
}

#[tokio::test]
async fn a_full_sync_copies_every_user_and_answers_like_the_server() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let (cache, notice) = open(dir.path(), Key::New(new_key()));
    assert_eq!(notice, None);
    assert!(cache.as_of().is_none(), "no sync yet");
    let seen = Arc::new(Mutex::new(Vec::<SyncProgress>::new()));
    let record = {
        let seen = seen.clone();
        move |p: SyncProgress| seen.lock().unwrap().push(p)
    };
    let report = cache
        .sync_in_pages(&client, PAGE, &record, &CancellationToken::new())
        .await
        .expect("the sync finishes");
    assert_eq!(report.kind, SyncKind::Full);
    assert_eq!(report.users, u64::from(server.users));
    assert_eq!(cache.len(), server.users as usize);
    assert!(cache.as_of().is_some());
    {
        let seen = seen.lock().unwrap();
        let last_full = seen
            .iter()
            .rev()
            .find(|p| p.phase == SyncPhase::Full)
            .unwrap();
        assert_eq!(last_full.done, server.users, "progress reaches the total");
        assert!(seen.len() >= (server.users as usize).div_ceil(PAGE as usize));
    }

    for tab in [Tab::Active, Tab::Pending, Tab::Archived] {
        same_as_server(&cache, &client, &window(tab, "", 0, 1000)).await;
        for search in [
            "a",
            "zoe",
            "LUKASZ",
            "northwind.example",
            "ma ri",
            "nobody-has-this",
        ] {
            same_as_server(&cache, &client, &window(tab, search, 0, 1000)).await;
        }
    }
    // The department filter, alone and with a search, in any case.
    let catalogue = client.catalogue().await.unwrap();
    assert!(catalogue.departments.len() >= 2, "the demo has departments");
    for department in catalogue.departments.iter().take(3) {
        for (search, asked) in [("", department.clone()), ("a", department.to_uppercase())] {
            let req = WindowRequest {
                department: Some(asked),
                ..window(Tab::Active, search, 0, 1000)
            };
            same_as_server(&cache, &client, &req).await;
            let found = cache.window(&req).unwrap();
            assert!(found.total > 0, "someone is in {department}");
            assert!(found
                .rows
                .iter()
                .all(|r| r.departments.contains(department)));
        }
    }
    // Role names come from the catalogue; the panel works from the copy.
    let rows = cache.window(&window(Tab::Active, "", 0, 5)).unwrap().rows;
    assert!(rows.iter().all(|r| r.role_name.is_some()));
    let detail = cache
        .user(&rows[0].id)
        .unwrap()
        .expect("the user is in the copy");
    assert_eq!(detail.email, rows[0].email);
    assert!(detail.version.is_some(), "the ETag is kept");
}

#[tokio::test]
async fn a_full_syncs_wal_is_copied_into_the_file_while_the_copy_stays_in_use() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let wal = dir.path().join("copy.db-wal");
    {
        let (cache, _) = reopen(dir.path());
        sync(&cache, &client).await;
        // Read and written while the WAL may still be copied.
        assert_eq!(cache.len(), server.users as usize);
        same_as_server(&cache, &client, &window(Tab::Active, "ma", 0, 1000)).await;
        cache.settle();
        let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(left, 0, "the WAL was copied into the file and emptied");
        let id = cache.window(&window(Tab::Active, "", 0, 1)).unwrap().rows[0]
            .id
            .clone();
        client.set_archived(&id, None, true).await.unwrap();
        let report = sync(&cache, &client).await;
        assert_eq!(report.kind, SyncKind::Incremental);
        assert_eq!(report.fetched, 1);
    }
    // Without its WAL, the file alone holds every user.
    let _ = std::fs::remove_file(&wal);
    let (cache, notice) = reopen(dir.path());
    assert_eq!(notice, None);
    assert_eq!(cache.len(), server.users as usize);
    assert!(cache.as_of().is_some());
}

#[tokio::test]
async fn sorting_in_the_copy_follows_the_columns() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = open(dir.path(), Key::New(new_key()));
    sync(&cache, &client).await;
    let emails: Vec<String> = cache
        .window(&sorted(Tab::Active, SortKey::Email, false, 1000))
        .unwrap()
        .rows
        .into_iter()
        .map(|r| roster_scim::text::fold(&r.email))
        .collect();
    let mut expected = emails.clone();
    expected.sort();
    assert_eq!(emails, expected, "ascending by e-mail");
    let down = cache
        .window(&sorted(Tab::Active, SortKey::LastActive, true, 1000))
        .unwrap()
        .rows;
    for pair in down.windows(2) {
        assert!(
            pair[0].last_active >= pair[1].last_active,
            "most recent first"
        );
    }
    let page = cache
        .window(&sorted(Tab::Active, SortKey::Name, false, 10))
        .unwrap();
    let next = cache
        .window(&WindowRequest {
            offset: 10,
            ..sorted(Tab::Active, SortKey::Name, false, 10)
        })
        .unwrap();
    assert_eq!(page.rows.len(), 10);
    assert_eq!(next.offset, 10);
    assert!(
        page.rows.iter().all(|r| !next.rows.contains(r)),
        "windows do not overlap"
    );
}

#[tokio::test]
async fn an_incremental_sync_brings_changes_and_deletions() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = open(dir.path(), Key::New(new_key()));
    sync(&cache, &client).await;

    let rows = cache.window(&window(Tab::Active, "", 0, 50)).unwrap().rows;
    let renamed = rows
        .iter()
        .find(|r| r.role.as_deref() == Some("member"))
        .expect("a member")
        .clone();
    let detail = client.get_user(&renamed.id).await.unwrap();
    let edit = UserEdit {
        given_name: "Ångström".into(),
        ..detail.edit()
    };
    client
        .save_user(&renamed.id, detail.version, &edit)
        .await
        .unwrap();
    let archived = rows
        .iter()
        .find(|r| r.id != renamed.id && r.role.as_deref() == Some("member"))
        .unwrap()
        .clone();
    client.set_archived(&archived.id, None, true).await.unwrap();
    let deleted = rows
        .iter()
        .find(|r| r.id != renamed.id && r.id != archived.id && r.role.as_deref() == Some("viewer"))
        .unwrap()
        .clone();
    client.delete_user(&deleted.id, None).await.unwrap();

    let report = sync(&cache, &client).await;
    assert_eq!(report.kind, SyncKind::Incremental);
    assert_eq!(report.deleted, 1);
    assert!(
        report.fetched >= 2 && report.fetched < 20,
        "only the changes: {report:?}"
    );
    let found = cache
        .window(&window(Tab::Active, "angstrom", 0, 10))
        .unwrap();
    assert!(
        found.rows.iter().any(|r| r.id == renamed.id),
        "the new name is searchable"
    );
    let archived_now = cache.window(&window(Tab::Archived, "", 0, 1000)).unwrap();
    assert!(archived_now.rows.iter().any(|r| r.id == archived.id));
    assert!(
        cache.user(&deleted.id).unwrap().is_none(),
        "deleted from the copy"
    );
    assert_eq!(cache.len() as u32, server.users - 1);

    // Nothing changed: nothing fetched.
    let quiet = sync(&cache, &client).await;
    assert_eq!((quiet.kind, quiet.deleted), (SyncKind::Incremental, 0));
    assert!(quiet.fetched <= 3, "at most the margin's writes: {quiet:?}");
}

#[tokio::test]
async fn a_cancelled_full_sync_keeps_the_old_copy_and_the_next_one_resumes() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = reopen(dir.path());
    let cancel = CancellationToken::new();
    let stop_at = {
        let cancel = cancel.clone();
        move |p: SyncProgress| {
            if p.done >= 120 {
                cancel.cancel();
            }
        }
    };
    let result = cache.sync_in_pages(&client, PAGE, &stop_at, &cancel).await;
    assert!(matches!(result, Err(SyncError::Cancelled)), "{result:?}");
    assert_eq!(cache.len(), 0, "the copy is as it was: empty");
    assert!(cache.as_of().is_none());
    drop(cache);

    // Reopened (as after a restart), the next sync resumes the staged pages.
    let (cache, notice) = reopen(dir.path());
    assert_eq!(notice, None);
    let report = sync(&cache, &client).await;
    assert!(report.resumed, "{report:?}");
    assert_eq!(cache.len(), server.users as usize);
}

/// A key the test keeps, as the keychain would.
const KEY: [u8; 32] = [7; 32];

/// Opens the copy with the kept key (creating it the first time).
fn reopen(dir: &Path) -> (Cache, Option<String>) {
    open(dir, Key::Kept(KEY))
}

/// A loopback TCP proxy that can be cut, as a network drop or a stopped
/// server would: every open connection is dropped, new ones are refused.
struct Proxy {
    url: ServerUrl,
    cut: Arc<AtomicBool>,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(target: &ServerUrl) -> Proxy {
        let target = target
            .root()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let accept = {
            let (cut, tasks) = (cut.clone(), tasks.clone());
            tokio::spawn(async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if cut.load(Ordering::SeqCst) {
                        continue;
                    }
                    let target = target.clone();
                    tasks.lock().unwrap().push(tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(&target).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    }));
                }
            })
        };
        Proxy {
            url: ServerUrl::parse(&format!("http://{addr}")).unwrap(),
            cut,
            tasks,
            accept,
        }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.accept.abort();
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test]
async fn a_network_drop_mid_sync_keeps_the_previous_copy_and_the_next_sync_resumes() {
    let server = common::start().await;
    let proxy = Proxy::start(&server.url).await;
    let client = Client::with_api_token(
        proxy.url.clone(),
        roster_client::Secret::new(common::API_TOKEN),
    )
    .await
    .expect("the token signs in through the proxy");
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = reopen(dir.path());
    let pages = AtomicU32::new(0);
    let proxy = Arc::new(proxy);
    let cut_after_three = {
        let proxy = proxy.clone();
        move |_: SyncProgress| {
            if pages.fetch_add(1, Ordering::SeqCst) == 3 {
                proxy.cut();
            }
        }
    };
    let result = cache
        .sync_in_pages(&client, PAGE, &cut_after_three, &CancellationToken::new())
        .await;
    match result {
        Err(SyncError::Client(roster_client::ClientError::Offline(message))) => {
            assert!(!message.is_empty());
        }
        other => panic!("a network drop is Offline, not {other:?}"),
    }
    assert_eq!(cache.len(), 0, "the previous copy (empty) is intact");

    // The network is back (the server itself, directly): the sync resumes.
    let direct = server.owner().await;
    let report = sync(&cache, &direct).await;
    assert!(report.resumed);
    assert_eq!(cache.len(), server.users as usize);
    let active = cache.window(&window(Tab::Active, "", 0, 1000)).unwrap();
    same_as_server(&cache, &direct, &window(Tab::Active, "", 0, 1000)).await;
    assert!(active.total > 0);
}

/// A copy in a new folder, synced from the server and closed: (folder, file, key).
async fn synced_copy(client: &Client) -> (tempfile::TempDir, std::path::PathBuf, [u8; 32]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    let key = new_key();
    {
        let (cache, _) = Cache::open(&path, Key::New(key)).unwrap();
        sync(&cache, client).await;
    }
    (dir, path, key)
}

#[tokio::test]
async fn a_damaged_file_is_set_aside_and_a_fresh_copy_made() {
    let server = common::start().await;
    let client = server.owner().await;
    let (dir, path, key) = synced_copy(&client).await;
    // Scribble over the middle of the file.
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 4096] {
        *b ^= 0x5a;
    }
    // And over its header page too, where SQLCipher keeps the salt.
    for b in &mut bytes[..64] {
        *b ^= 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = std::fs::remove_file(dir.path().join("copy.db-wal"));
    let (cache, notice) = Cache::open(&path, Key::Kept(key)).expect("no crash");
    assert!(notice.unwrap().contains("damaged"));
    assert_eq!(cache.len(), 0);
    assert!(
        dir.path().join("copy.unreadable").exists(),
        "set aside, not deleted"
    );
    let report = sync(&cache, &client).await;
    assert_eq!(report.kind, SyncKind::Full);
    assert_eq!(cache.len(), server.users as usize);
}

#[tokio::test]
async fn damaged_pages_behind_an_intact_header_are_found_when_the_copy_opens() {
    let server = common::start().await;
    let client = server.owner().await;
    let (dir, path, key) = synced_copy(&client).await;
    let _ = std::fs::remove_file(dir.path().join("copy.db-wal"));
    // Every page but the first: the header and the schema still read, the
    // rows do not.
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[4096..] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let (cache, notice) = Cache::open(&path, Key::Kept(key)).expect("no crash");
    let notice = notice.expect("the damage is reported");
    assert!(
        notice.contains("damaged"),
        "the notice says what happened: {notice}"
    );
    assert_eq!(cache.len(), 0, "a fresh, empty copy replaces it");
    assert!(
        dir.path().join("copy.unreadable").exists(),
        "set aside, not deleted"
    );
}

#[tokio::test]
async fn a_copy_whose_key_is_lost_is_set_aside_with_a_clear_message() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    {
        let (cache, _) = Cache::open(&path, Key::New(new_key())).unwrap();
        sync(&cache, &client).await;
    }
    // The keychain entry is gone: the app makes a new key.
    let (cache, notice) = Cache::open(&path, Key::New(new_key())).unwrap();
    assert!(notice.unwrap().contains("missing from the keychain"));
    assert_eq!(cache.len(), 0);
    sync(&cache, &client).await;
    assert_eq!(cache.len(), server.users as usize);

    // A wrong key (a key from elsewhere) is caught the same way.
    drop(cache);
    let (cache, notice) = Cache::open(&path, Key::Kept(new_key())).unwrap();
    assert!(notice.is_some());
    assert_eq!(cache.len(), 0);
}

#[tokio::test]
async fn nothing_in_the_copy_is_readable_on_disk() {
    let server = common::start().await;
    let client = server.owner().await;
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = open(dir.path(), Key::New(new_key()));
    sync(&cache, &client).await;
    let someone = cache.window(&window(Tab::Active, "", 0, 1)).unwrap().rows[0].clone();
    drop(cache);
    let needles = [someone.email.as_bytes(), b"userName", b"northwind"];
    // The check itself can fail: a planted copy is found.
    let planted = dir.path().join("planted.txt");
    std::fs::write(&planted, someone.email.as_bytes()).unwrap();
    assert!(contains_anywhere(dir.path(), needles[0]));
    std::fs::remove_file(&planted).unwrap();
    for needle in needles {
        assert!(
            !contains_anywhere(dir.path(), needle),
            "{} is readable in the data folder",
            String::from_utf8_lossy(needle)
        );
    }
}

fn contains_anywhere(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let path = entry.unwrap().path();
        if path.is_dir() {
            return contains_anywhere(&path, needle);
        }
        let bytes = std::fs::read(&path).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}
