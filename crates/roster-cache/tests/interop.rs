//! Roster against a SCIM 2.0 server it did not write: the PyPI
//! `scim2-server` (installed into `.venv` by `.ci/setup`), started here on a
//! loopback port and seeded through its own API. Discovery, full and
//! incremental sync, search, edit, archive, reactivate, delete, and the
//! server's quirks: PATCH answering 204 without a body, `count` capped at
//! 1000 whatever was asked, opaque ETags, no Roster extension, and search
//! that ignores case but not accents.
//!
//! Without the server these tests fail under CI (env `CI` set) and are
//! skipped, loudly, elsewhere. `SCIM2_SERVER` names another binary.

#[path = "../../roster-client/tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use roster_cache::sync::{SyncKind, SyncReport};
use roster_cache::Cache;
use roster_client::model::{
    InviteRequest, Status, SyncPhase, SyncProgress, Tab, TabCounts, UserEdit, WindowRequest,
};
use roster_client::{Client, ClientError, Secret, ServerUrl};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use common::window;

const TOKEN: &str = "roster-interop-token";
/// Users seeded for the main scenario: three pages at the server's cap.
const USERS: usize = 2_500;
/// The server's real page cap.
const SERVER_CAP: usize = 1_000;
/// Seeding requests in flight (the server is one Python process: more
/// does not make it faster).
const SEEDING_IN_FLIGHT: usize = 4;
/// The watermark margin of an incremental sync (roster-cache's
/// `MARGIN_SECS`) plus the second a `Date` header may be truncated by.
const WATERMARK_MARGIN: Duration = Duration::from_secs(7);

// ---------------------------------------------------------------------------
// The server process

/// A running `scim2-server`, stopped with SIGTERM (by its PID) when dropped,
/// so it never outlives the test, even one that panics.
struct Scim2Server {
    child: Child,
    url: ServerUrl,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Scim2Server {
    fn drop(&mut self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a PID fits pid_t");
        // SAFETY: kill(2) on the PID of our own child, which has not been
        // reaped yet (so the PID cannot have been reused).
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Ignored SIGTERM: no choice left.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The workspace root, from this crate's manifest folder.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The `scim2-server` binary: `$SCIM2_SERVER`, else the workspace's venv.
/// Missing: a failure under CI, a loud skip elsewhere (`None`).
fn scim2_server_binary() -> Option<PathBuf> {
    let path = match std::env::var_os("SCIM2_SERVER") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join(".venv/bin/scim2-server"),
    };
    if path.is_file() {
        return Some(path);
    }
    let why = format!(
        "scim2-server is not installed at {} (run .ci/setup, or set SCIM2_SERVER)",
        path.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{why}: the interop tests must run in CI");
    }
    // Straight to stderr: the harness hides eprintln! of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "\n**********\nSKIPPED: Roster's interop tests against scim2-server: {why}.\n**********\n"
    );
    None
}

fn free_loopback_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Scim2Server {
    /// Starts the server (with a ServiceProviderConfig of our own when
    /// given) and waits until it answers; `None` when it is not installed.
    async fn start(config: Option<&Value>) -> Option<Scim2Server> {
        let binary = scim2_server_binary()?;
        let dir = tempfile::tempdir().expect("a temporary folder");
        let log = dir.path().join("scim2-server.log");
        let port = free_loopback_port();
        let mut command = Command::new(&binary);
        command
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
            .args(["--bearer-token", TOKEN])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            // A file, not a pipe: it logs every request, and a pipe nobody
            // reads would fill up and stall it.
            .stderr(File::create(&log).expect("the log file"));
        if let Some(config) = config {
            let path = dir.path().join("service-provider-config.json");
            std::fs::write(&path, config.to_string()).expect("the config file");
            command.arg("--service-provider-config").arg(path);
        }
        die_with_this_thread(&mut command);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", binary.display()));
        let url = ServerUrl::parse(&format!("http://127.0.0.1:{port}/v2")).unwrap();
        let mut server = Scim2Server {
            child,
            url,
            log,
            _dir: dir,
        };
        server.wait_until_it_answers().await;
        Some(server)
    }

    async fn wait_until_it_answers(&mut self) {
        let http = reqwest::Client::new();
        let probe = format!("{}/ServiceProviderConfig", self.url.base());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = http.get(&probe).bearer_auth(TOKEN).send().await;
            if answer.is_ok_and(|a| a.status().is_success()) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("scim2-server exited ({status}):\n{}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "scim2-server did not answer within a minute:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn client(&self) -> Client {
        Client::with_api_token(self.url.clone(), Secret::new(TOKEN))
            .await
            .expect("the API token connects")
    }

    fn raw(&self) -> Raw {
        Raw {
            http: reqwest::Client::new(),
            base: self.url.base().to_owned(),
        }
    }
}

/// Linux: the server gets SIGTERM if the thread that started it dies, even
/// when the test process is killed before the guard can run.
#[cfg(target_os = "linux")]
fn die_with_this_thread(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork
    // and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_this_thread(_: &mut Command) {}

// ---------------------------------------------------------------------------
// Seeding, through the server's own API (not through Roster)

/// Plain HTTP to the server, for seeding and for reading what it sends.
struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    async fn create(&self, user: &Value) -> Value {
        let answer = self
            .http
            .post(format!("{}/Users", self.base))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(user.to_string())
            .send()
            .await
            .expect("the server takes a new user");
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        assert_eq!(status.as_u16(), 201, "POST /Users: {body}");
        serde_json::from_str(&body).expect("the new user is JSON")
    }

    /// The `ETag` header of `GET /Users/<id>`, exactly as sent.
    async fn etag(&self, id: &str) -> String {
        let answer = self
            .http
            .get(format!("{}/Users/{id}", self.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("the server answers");
        assert!(answer.status().is_success(), "GET /Users/{id}");
        answer
            .headers()
            .get("etag")
            .expect("scim2-server sends ETags")
            .to_str()
            .unwrap()
            .to_owned()
    }
}

const GIVEN: [&str; 12] = [
    "Zoé",
    "Łukasz",
    "François",
    "Søren",
    "Chloë",
    "José",
    "Anna",
    "Oliver",
    "Ingrid",
    "Mehmet",
    "Björn",
    "Kenji",
];
const FAMILY: [&str; 11] = [
    "Ångström",
    "Müller",
    "Dvořák",
    "Smith",
    "Nguyễn",
    "Kowalski",
    "Øvergaard",
    "Lefèvre",
    "Jones",
    "Şahin",
    "O'Brien",
];
/// Nothing in the e-mail addresses repeats a name, so a search for a name
/// matches names only.
const DOMAIN: &str = "direction-des-ressources-humaines.organisation-internationale.example";

/// One seeded user, as written.
#[derive(Debug, Clone)]
struct Seed {
    given: &'static str,
    family: &'static str,
    email: String,
    /// `None`: no `active` at all (RFC 7643 gives it no default; Roster
    /// treats it as active).
    active: Option<bool>,
}

impl Seed {
    fn new(i: usize) -> Seed {
        let active = if i % 10 == 3 {
            Some(false)
        } else if i % 25 == 11 {
            None
        } else {
            Some(true)
        };
        Seed {
            given: GIVEN[i % GIVEN.len()],
            family: FAMILY[(i / GIVEN.len()) % FAMILY.len()],
            email: format!("agent.{i:04}.affectation-temporaire@{DOMAIN}"),
            active,
        }
    }

    fn archived(&self) -> bool {
        self.active == Some(false)
    }

    /// Plain SCIM core User JSON; every third has a displayName.
    fn json(&self, i: usize) -> Value {
        let mut user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": self.email,
            "name": { "givenName": self.given, "familyName": self.family },
            "emails": [{ "value": self.email, "type": "work", "primary": true }],
        });
        if let Some(active) = self.active {
            user["active"] = json!(active);
        }
        if i.is_multiple_of(3) {
            user["displayName"] = json!(format!("{} {}", self.given, self.family));
        }
        user
    }
}

/// The seeded users and their ids, by seed index.
struct Seeded {
    seeds: Vec<Seed>,
    ids: Vec<String>,
}

impl Seeded {
    fn counts(&self) -> TabCounts {
        let archived = self.seeds.iter().filter(|s| s.archived()).count();
        TabCounts {
            active: (self.seeds.len() - archived) as u32,
            pending: 0,
            archived: archived as u32,
        }
    }

    /// The ids of the users whose family name is `family`.
    fn family(&self, family: &str) -> BTreeSet<String> {
        self.seeds
            .iter()
            .zip(&self.ids)
            .filter(|(s, _)| s.family == family)
            .map(|(_, id)| id.clone())
            .collect()
    }
}

async fn seed(server: &Scim2Server, users: usize) -> Seeded {
    let raw = server.raw();
    let started = Instant::now();
    let seeds: Vec<Seed> = (0..users).map(Seed::new).collect();
    let mut ids = vec![String::new(); users];
    {
        let mut created = stream::iter(seeds.iter().enumerate())
            .map(|(i, seed)| {
                let raw = &raw;
                async move { (i, raw.create(&seed.json(i)).await) }
            })
            .buffer_unordered(SEEDING_IN_FLIGHT);
        while let Some((i, user)) = created.next().await {
            ids[i] = user["id"]
                .as_str()
                .expect("the new user has an id")
                .to_owned();
        }
    }
    eprintln!("seeded {users} users in {:.1?}", started.elapsed());
    Seeded { seeds, ids }
}

// ---------------------------------------------------------------------------
// Helpers

fn no_progress(_: SyncProgress) {}

/// A full sync, and the user counts its progress reported, one a page.
async fn full_sync(cache: &Cache, client: &Client, max_page: u64) -> (SyncReport, Vec<u32>) {
    let seen = Mutex::new(Vec::new());
    let record = |p: SyncProgress| {
        if p.phase == SyncPhase::Full {
            seen.lock().unwrap().push(p.done);
        }
    };
    let started = Instant::now();
    let report = cache
        .sync_in_pages(client, max_page, &record, &CancellationToken::new())
        .await
        .expect("the full sync finishes");
    eprintln!("full sync {report:?} in {:.1?}", started.elapsed());
    assert_eq!(report.kind, SyncKind::Full);
    (report, seen.into_inner().unwrap())
}

async fn sync(cache: &Cache, client: &Client) -> SyncReport {
    let started = Instant::now();
    let report = cache
        .sync(client, &no_progress, &CancellationToken::new())
        .await
        .expect("the sync finishes");
    eprintln!("{report:?} in {:.1?}", started.elapsed());
    report
}

fn ids(rows: &[roster_client::model::UserRow]) -> BTreeSet<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

/// What a search finds in one tab, and how many it finds in each tab.
#[derive(Debug, PartialEq)]
struct Found {
    ids: BTreeSet<String>,
    counts: TabCounts,
}

/// What a search finds: in the copy, and on the server.
async fn both_find(cache: &Cache, client: &Client, tab: Tab, search: &str) -> (Found, Found) {
    let req = window(tab, search, 0, USERS as u32 + 100);
    let ours = cache.window(&req).expect("the copy answers");
    let theirs = client.users_window(&req).await.expect("the server answers");
    assert_eq!(
        ours.total as usize,
        ours.rows.len(),
        "{search:?}: one window"
    );
    assert_eq!(
        theirs.total as usize,
        theirs.rows.len(),
        "{search:?}: one window"
    );
    let found = |w: roster_client::model::UsersWindow| Found {
        ids: ids(&w.rows),
        counts: w.counts,
    };
    (found(ours), found(theirs))
}

/// The tab counts of the copy and of the server, without a search.
async fn counts(cache: &Cache, client: &Client) -> (TabCounts, TabCounts) {
    let req = window(Tab::Active, "", 0, 0);
    let ours = cache.window(&req).expect("the copy answers").counts;
    let theirs = client
        .users_window(&req)
        .await
        .expect("the server answers")
        .counts;
    (ours, theirs)
}

// ---------------------------------------------------------------------------
// The tests

#[tokio::test]
async fn roster_syncs_searches_and_edits_users_on_scim2_server() {
    let test_started = Instant::now();
    let Some(server) = Scim2Server::start(None).await else {
        return;
    };
    let seeded = seed(&server, USERS).await;
    let seeded_at = Instant::now();
    let raw = server.raw();
    let client = server.client().await;

    // Discovery decides what the server lacks; nothing about it is an error.
    let caps = client.capabilities().await.expect("discovery");
    assert!(
        !caps.roster_extension,
        "scim2-server has no Roster extension"
    );
    assert!(caps.patch && caps.etag && caps.sort, "{caps:?}");
    assert_eq!(caps.max_results as usize, SERVER_CAP);
    let catalogue = client
        .catalogue()
        .await
        .expect("no catalogue is not an error");
    assert!(
        catalogue.roles.is_empty() && catalogue.applications.is_empty(),
        "no extension, no catalogue: {catalogue:?}"
    );
    let me = client.me().await.expect("who is connected");
    assert!(me.permissions.is_empty() && me.user_id.is_none(), "{me:?}");

    // `count` is capped silently: asking for every user at once gets 1000,
    // and the total says there are more.
    let page = client
        .users_page(None, 1, USERS as u64, false)
        .await
        .expect("a page");
    assert_eq!(
        (page.resources.len(), page.total as usize),
        (SERVER_CAP, USERS)
    );

    // Full sync: every user, in pages of the cap.
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = Cache::open(
        &dir.path().join("copy.db"),
        roster_cache::Key::New(roster_cache::new_key()),
    )
    .expect("the copy opens");
    let (report, steps) = full_sync(&cache, &client, roster_cache::sync::MAX_PAGE).await;
    assert_eq!((report.users as usize, cache.len()), (USERS, USERS));
    assert_eq!(steps.len(), USERS.div_ceil(SERVER_CAP), "pages of the cap");
    assert_eq!(steps.last(), Some(&(USERS as u32)));
    assert!(!cache.roster_extension());
    assert_eq!(cache.catalogue(), Default::default());

    // Tabs: the archived ones are `active: false`; no `active` is active
    // (on the server too); there is no Pending tab.
    let (ours, theirs) = counts(&cache, &client).await;
    assert_eq!(ours, seeded.counts(), "the copy's tab counts");
    assert_eq!(theirs, seeded.counts(), "the server's tab counts");
    let pending = window(Tab::Pending, "", 0, 100);
    assert_eq!(cache.window(&pending).unwrap().total, 0, "no Pending users");
    let online = client.users_window(&pending).await.expect("not an error");
    assert_eq!(online.total, 0, "no Pending users on the server either");
    let without_active = &seeded.ids[11];
    assert_eq!(seeded.seeds[11].active, None);
    assert_eq!(
        cache.user(without_active).unwrap().unwrap().status,
        Status::Active
    );

    // Search: the copy and the server agree (rows, and counts in every
    // tab) wherever the server's own matching, which ignores case but not
    // accents, can agree…
    let searching = Instant::now();
    let mut smiths = BTreeSet::new();
    for (search, tab) in [
        ("smith", Tab::Active),
        ("SMITH", Tab::Archived),
        ("ÅNGSTRÖM", Tab::Active),
        ("müller", Tab::Archived),
        ("øVERGAARD", Tab::Active),
        ("kowalski ANNA", Tab::Active),
    ] {
        let (ours, theirs) = both_find(&cache, &client, tab, search).await;
        assert!(!ours.ids.is_empty(), "{search:?} finds someone in {tab:?}");
        assert_eq!(ours, theirs, "{search:?} in {tab:?}");
        if search.eq_ignore_ascii_case("smith") {
            smiths.extend(ours.ids);
        }
    }
    assert_eq!(
        smiths,
        seeded.family("Smith"),
        "every Smith, in one tab or the other"
    );
    let (ours, theirs) = both_find(&cache, &client, Tab::Active, "0042").await;
    assert_eq!(
        ours.ids,
        BTreeSet::from([seeded.ids[42].clone()]),
        "by e-mail"
    );
    assert_eq!(ours, theirs);
    let (ours, theirs) = both_find(&cache, &client, Tab::Active, "nobody-has-this").await;
    assert!(ours.ids.is_empty());
    assert_eq!(ours, theirs);
    // …but only the copy ignores accents: the server's `co` is exact about
    // them. The Users table reads the copy, so this is what people get.
    let (ours, theirs) = both_find(&cache, &client, Tab::Active, "angstrom").await;
    let angstroms: BTreeSet<String> = seeded
        .family("Ångström")
        .into_iter()
        .filter(|id| cache.user(id).unwrap().unwrap().status == Status::Active)
        .collect();
    assert_eq!(ours.ids, angstroms, "the copy folds accents");
    assert!(theirs.ids.is_empty(), "scim2-server does not: {theirs:?}");
    eprintln!("searches compared in {:.1?}", searching.elapsed());

    // Incremental syncs: scim2-server filters on meta.lastModified, so
    // there is no fallback to a full sync. A sync asks for what changed
    // since the previous one began, less a margin: the first one started
    // at least that margin after the seeding fetches only the users seeded
    // within the margin, and the next one nothing.
    tokio::time::sleep(WATERMARK_MARGIN.saturating_sub(seeded_at.elapsed())).await;
    let settling = sync(&cache, &client).await;
    assert_eq!(settling.kind, SyncKind::Incremental, "{settling:?}");
    assert!(
        settling.fetched < SERVER_CAP as u64,
        "not everyone: {settling:?}"
    );
    let quiet = sync(&cache, &client).await;
    assert_eq!(
        (quiet.kind, quiet.fetched, quiet.deleted),
        (SyncKind::Incremental, 0, 0),
        "nothing changed, nothing fetched"
    );

    // Edit, with the ETag the copy holds: it is the server's, verbatim.
    let edited = &seeded.ids[42];
    let cached = cache.user(edited).unwrap().expect("in the copy");
    let etag = raw.etag(edited).await;
    assert_eq!(
        cached.version.as_deref(),
        Some(etag.as_str()),
        "the ETag as sent"
    );
    let detail = client.get_user(edited).await.unwrap();
    assert_eq!(detail.version.as_deref(), Some(etag.as_str()));
    let edit = UserEdit {
        given_name: "Zoë-Renée".into(),
        family_name: "Lefèvre-Ångström".into(),
        email: format!("zoe-renee.lefevre-angstrom.nouvelle-adresse@{DOMAIN}"),
        ..detail.edit()
    };
    let saved = client
        .save_user(edited, cached.version.clone(), &edit)
        .await
        .expect("PATCH answering 204 without a body is a success");
    assert_eq!(
        (
            saved.given_name.as_str(),
            saved.family_name.as_str(),
            saved.email.as_str()
        ),
        (
            edit.given_name.as_str(),
            edit.family_name.as_str(),
            edit.email.as_str()
        )
    );
    assert_ne!(saved.version, cached.version, "a new version");
    assert_eq!(saved.version, Some(raw.etag(edited).await));
    // The old ETag is stale now: the server refuses, nothing is written.
    let stale = client
        .save_user(
            edited,
            cached.version.clone(),
            &UserEdit {
                family_name: "Someone-Else".into(),
                ..edit.clone()
            },
        )
        .await;
    assert!(matches!(stale, Err(ClientError::Conflict(_))), "{stale:?}");
    assert_eq!(
        client.get_user(edited).await.unwrap().family_name,
        edit.family_name
    );

    // Archive and reactivate, with ETags; a stale one conflicts.
    let toggled = &seeded.ids[46];
    assert_eq!(seeded.seeds[46].active, Some(true));
    let before = client.get_user(toggled).await.unwrap();
    let archived = client
        .set_archived(toggled, before.version.clone(), true)
        .await
        .expect("archived");
    assert_eq!(archived.status, Status::Archived);
    let stale = client
        .set_archived(toggled, before.version.clone(), false)
        .await;
    assert!(matches!(stale, Err(ClientError::Conflict(_))), "{stale:?}");
    let reactivated = client
        .set_archived(toggled, archived.version.clone(), false)
        .await
        .expect("reactivated");
    assert_eq!(reactivated.status, Status::Active);
    let newly_archived = &seeded.ids[44];
    client
        .set_archived(newly_archived, None, true)
        .await
        .unwrap();
    let back = &seeded.ids[3];
    assert!(seeded.seeds[3].archived());
    client.set_archived(back, None, false).await.unwrap();

    // Invite (a plain POST /Users here), and a taken e-mail is a form error.
    let invite = InviteRequest {
        user: UserEdit {
            given_name: "Nuño".into(),
            family_name: "Brontë".into(),
            email: format!("nuno.bronte.recrutement-externe@{DOMAIN}"),
            role: None,
            departments: Vec::new(),
            applications: Vec::new(),
            permissions: Vec::new(),
        },
        send_email: false,
    };
    let invited = client.invite(&invite).await.expect("invited");
    assert_eq!(
        invited.status,
        Status::Active,
        "no Pending without the extension"
    );
    let taken = client.invite(&invite).await;
    assert!(
        matches!(taken, Err(ClientError::Validation(_))),
        "{taken:?}"
    );

    // Delete, with the ETag: a tag the user does not have conflicts.
    let deleted = &seeded.ids[45];
    let stale = client.delete_user(deleted, Some("W/\"0\"".into())).await;
    assert!(matches!(stale, Err(ClientError::Conflict(_))), "{stale:?}");
    let version = client.get_user(deleted).await.unwrap().version;
    client.delete_user(deleted, version).await.expect("deleted");
    let gone = client.get_user(deleted).await;
    assert!(matches!(gone, Err(ClientError::NotFound(_))), "{gone:?}");

    // The next sync fetches exactly the changed users and drops the deleted one.
    let report = sync(&cache, &client).await;
    assert_eq!(report.kind, SyncKind::Incremental);
    assert_eq!(
        (report.fetched, report.deleted),
        (5, 1),
        "the edited, toggled, archived, reactivated and invited users; one deletion"
    );
    assert_eq!(cache.len(), USERS);
    assert!(cache.user(deleted).unwrap().is_none(), "gone from the copy");
    let found = cache
        .window(&window(Tab::Active, "renee angstrom", 0, 10))
        .unwrap();
    assert_eq!(ids(&found.rows), BTreeSet::from([edited.clone()]));
    assert_eq!(
        cache.user(edited).unwrap().unwrap().version,
        Some(raw.etag(edited).await),
        "the copy holds the new ETag"
    );
    assert_eq!(
        cache.user(newly_archived).unwrap().unwrap().status,
        Status::Archived
    );
    assert_eq!(cache.user(back).unwrap().unwrap().status, Status::Active);
    assert_eq!(cache.user(toggled).unwrap().unwrap().status, Status::Active);
    assert!(
        cache.user(&invited.id).unwrap().is_some(),
        "the invited user"
    );
    let (ours, theirs) = counts(&cache, &client).await;
    assert_eq!(
        ours, theirs,
        "the copy and the server count alike after the changes"
    );
    assert_eq!(
        ours,
        seeded.counts(),
        "active: +1 invited, -1 deleted, +1 reactivated, -1 archived; archived: -1 +1"
    );
    eprintln!("interop scenario took {:.1?}", test_started.elapsed());
}

#[tokio::test]
async fn a_sync_asking_for_more_than_the_server_sends_still_gets_everyone() {
    // scim2-server announcing `maxResults` 5000 while serving pages of at
    // most 1000 (its RFC 9865 maxPageSize, which Roster does not read):
    // Roster asks for more than 1000 and gets 1000, silently.
    let config = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": 5000 },
        "changePassword": { "supported": false },
        "sort": { "supported": true },
        "etag": { "supported": true },
        "pagination": { "index": true, "cursor": false, "maxPageSize": SERVER_CAP },
        "authenticationSchemes": [],
    });
    let Some(server) = Scim2Server::start(Some(&config)).await else {
        return;
    };
    let users = SERVER_CAP + 200;
    let seeded = seed(&server, users).await;
    let client = server.client().await;
    assert_eq!(client.capabilities().await.unwrap().max_results, 5000);

    let cache = Cache::in_memory().unwrap();
    let (_, steps) = full_sync(&cache, &client, 5000).await;
    assert_eq!(cache.len(), users);
    assert_eq!(
        steps,
        vec![SERVER_CAP as u32, users as u32],
        "asked for 5000, got a page of 1000, then asked for the rest"
    );

    // The online window asks again for what a short page left out, too.
    let req = WindowRequest {
        limit: users as u32,
        department: None,
        ..window(Tab::Active, "", 0, 0)
    };
    let online = client.users_window(&req).await.expect("a window");
    assert_eq!(online.counts, seeded.counts());
    assert_eq!(online.rows.len() as u32, seeded.counts().active);
    assert_eq!(ids(&online.rows), ids(&cache.window(&req).unwrap().rows));
}
