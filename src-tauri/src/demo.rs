//! The embedded demo: the reference server, in-process on a loopback port,
//! with a demo organisation in the app's data folder.

use std::path::Path;

use tokio::task::JoinHandle;

/// How many users the demo organisation has.
pub const DEMO_USERS: usize = 10_000;

pub struct DemoServer {
    pub url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl DemoServer {
    /// Opens (seeding on first use) `dir/demo.db` and serves it on
    /// 127.0.0.1 at a free port.
    pub async fn start(dir: &Path) -> Result<DemoServer, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("Cannot create {}: {e}", dir.display()))?;
        let db = dir.join("demo.db");
        let db_path = db.to_string_lossy().into_owned();
        // Bound first: the demo's e-mails (invitations, a password reset)
        // link to this server's own pages.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("Cannot start the demo server: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let root = format!("http://{addr}");
        let state = tokio::task::spawn_blocking(move || -> Result<_, String> {
            let state = roster_server::build_state(&db_path, None).map_err(|e| e.to_string())?;
            roster_server::seed::seed_demo_at(&state.db, &state.loaded(), DEMO_USERS, &root)
                .map_err(|e| e.to_string())?;
            Ok(state)
        })
        .await
        .map_err(|e| e.to_string())??;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // With the caller's address, so that allowed IP ranges apply.
            let service = roster_server::app(state)
                .into_make_service_with_connect_info::<std::net::SocketAddr>();
            let _ = axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(DemoServer {
            url: format!("http://{addr}/scim/v2"),
            shutdown: Some(tx),
            task,
        })
    }

    pub fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}
