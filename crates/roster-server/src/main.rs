use clap::Parser;
use roster_server::config::Config;
use roster_server::{app, build_state, demo, seed};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ROSTER_LOG")
                .unwrap_or_else(|_| EnvFilter::new("roster_server=info,warn")),
        )
        .init();
    let config = Config::parse();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roster-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let mut state =
        build_state(&config.db, config.api_token.as_deref()).map_err(|e| e.to_string())?;
    if let Some(url) = &config.smtp_url {
        let mailer = roster_server::outbox::Mailer::new(url, &config.smtp_from)?;
        state.mailer = Some(std::sync::Arc::new(mailer));
        println!("E-mail is sent by SMTP from {}.", config.smtp_from);
    }
    // Listening first, so that the demo's e-mails link to this address.
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(n) = config.demo {
        let started = std::time::Instant::now();
        let root = format!("http://{}", reachable(addr));
        let seeded =
            seed::seed_demo_at(&state.db, &state.loaded(), n, &root).map_err(|e| e.to_string())?;
        if seeded.created {
            println!(
                "Seeded a demo organisation of {} users in {:.1?}.",
                seeded.users,
                started.elapsed()
            );
        } else {
            println!(
                "The database already holds {} users; the demo was not seeded again.",
                seeded.users
            );
        }
        println!(
            "Sign in as the Owner: {} / {}",
            demo::DEMO_OWNER_EMAIL,
            demo::DEMO_OWNER_PASSWORD
        );
        println!(
            "Sign in as an Admin: {} / {}",
            demo::DEMO_ADMIN_EMAIL,
            demo::DEMO_ADMIN_PASSWORD
        );
    }
    println!("roster-server listening; SCIM base URL: http://{addr}/scim/v2");
    // The peer address is what allowed IP ranges are checked against.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(|e| e.to_string())
}

/// An address a browser on this machine can open: a server listening on
/// every interface is reached on loopback.
fn reachable(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// Stops on Ctrl-C or SIGTERM, finishing requests in flight.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
