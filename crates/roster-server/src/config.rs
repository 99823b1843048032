//! The command line: part of the product, scripts rely on it. Every flag has
//! an environment fallback.

use clap::Parser;

/// Roster's reference SCIM 2.0 management API server.
///
/// Serves SCIM 2.0 at http://ADDR/scim/v2 (Users, Groups, discovery), the
/// Roster catalogue at /roster/v1 and OAuth 2.0 sign-in at /oauth/token.
#[derive(Debug, Parser)]
#[command(name = "roster-server", version, about, long_about)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8350")]
    pub listen: String,

    /// SQLite database file, created if missing; `:memory:` keeps everything
    /// in memory until the server stops.
    #[arg(long, env = "ROSTER_DB", default_value = "roster.db")]
    pub db: String,

    /// Seed a demo organisation of N users into an empty database, and print
    /// how to sign in as its Owner and an Admin.
    #[arg(long, env = "ROSTER_DEMO", value_name = "N")]
    pub demo: Option<usize>,

    /// Register a static API token with Owner rights, for automation and
    /// tests (send it as `Authorization: Bearer TOKEN`).
    #[arg(
        long,
        env = "ROSTER_API_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub api_token: Option<String>,

    /// Deliver the outbox (invitations, password resets) by SMTP:
    /// `smtps://user:pass@host:465` (TLS), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtp://host:25` (unencrypted, a local relay only).
    /// Without it e-mails stay in the outbox for an administrator to read.
    #[arg(
        long,
        env = "ROSTER_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,

    /// The sender of the server's e-mails.
    #[arg(
        long,
        env = "ROSTER_SMTP_FROM",
        value_name = "ADDRESS",
        default_value = "Roster <roster@localhost>"
    )]
    pub smtp_from: String,
}
