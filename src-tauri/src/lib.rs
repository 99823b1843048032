//! Roster desktop shell: wires the Tauri builder. Domain logic lives in the
//! Tauri-free crates under `crates/`; this crate stays thin.

use std::sync::Arc;

use tauri::Manager;
use tracing_subscriber::EnvFilter;

pub mod commands;
pub mod demo;
pub mod offline;
pub mod profiles;
pub mod secrets;
pub mod state;

/// Options read from the command line at start-up.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LaunchOptions {
    /// `--demo`: open straight into the embedded demo server.
    pub demo: bool,
}

impl LaunchOptions {
    /// Parses the arguments after the program name. Unknown arguments are
    /// returned rather than rejected: desktop launchers and WebDriver add
    /// their own, and refusing to start over them would help nobody.
    pub fn parse<I, S>(args: I) -> (Self, Vec<String>)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut options = Self::default();
        let mut ignored = Vec::new();
        for arg in args {
            let arg = arg.into();
            match arg.as_str() {
                "--demo" => options.demo = true,
                _ => ignored.push(arg),
            }
        }
        (options, ignored)
    }
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,roster_app=debug"));
    // A second initialisation (e.g. in tests) is harmless; ignore it.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Builds and runs the desktop app; returns when the last window closes.
pub fn run() {
    init_tracing();

    let (options, ignored) = LaunchOptions::parse(std::env::args_os().skip(1).map(|arg| {
        // Non-UTF-8 arguments cannot be one of ours; keep them only for the log.
        arg.to_string_lossy().into_owned()
    }));
    if !ignored.is_empty() {
        tracing::warn!(?ignored, "ignoring unknown command-line arguments");
    }
    tracing::info!(
        demo = options.demo,
        version = env!("CARGO_PKG_VERSION"),
        "starting Roster"
    );

    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .setup(move |app| {
            let keychain = secrets::Keychain::new(&app.config().identifier);
            tracing::debug!(service = keychain.service(), "keychain service");
            let store: Arc<dyn secrets::SecretStore> = Arc::new(keychain);
            // The copy opens while the window loads, not once the page asks.
            app.manage(state::AppState::new(store, options.clone()).open_last_early(app.handle()));
            Ok(())
        })
        .invoke_handler(all_commands!())
        .build(tauri::generate_context!())
        .expect("the Tauri runtime failed to start")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Stop the embedded demo server with the app.
                if let Some(state) = app.try_state::<state::AppState>() {
                    if let Some(demo) = state.demo.blocking_lock().take() {
                        demo.stop();
                    }
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::LaunchOptions;

    #[test]
    fn no_arguments_means_no_demo() {
        let (options, ignored) = LaunchOptions::parse(Vec::<String>::new());
        assert_eq!(
            options,
            LaunchOptions::default(),
            "defaults must not enable demo mode"
        );
        assert!(ignored.is_empty());
    }

    #[test]
    fn demo_flag_is_recognised() {
        let (options, ignored) = LaunchOptions::parse(["--demo"]);
        assert!(options.demo, "--demo must switch demo mode on");
        assert!(ignored.is_empty(), "--demo must not be reported as unknown");
    }

    #[test]
    fn unknown_arguments_are_kept_aside_not_fatal() {
        let (options, ignored) = LaunchOptions::parse(["--no-sandbox", "--demo", "file.txt"]);
        assert!(
            options.demo,
            "a known flag among unknown ones must still count"
        );
        assert_eq!(
            ignored,
            ["--no-sandbox", "file.txt"],
            "unknown arguments are reported in order"
        );
    }
}
