//! The real OS keychain (Secret Service through gnome-keyring on Linux):
//! a profile's secret is stored, read back by a fresh store (as after a
//! relaunch), and gone after sign-out — `secret-tool` finds no entry.
//!
//! Needs a session bus with an unlocked Secret Service: `tests/with_keychain.sh`
//! provides one (dbus-run-session + gnome-keyring-daemon). Without one the
//! test skips loudly, except under CI, where it fails.

use std::process::Command;

use roster_app::secrets::{Keychain, SecretStore};
use roster_client::Secret;

fn keychain_available() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI must run this test with a Secret Service (use tests/with_keychain.sh)");
    }
    eprintln!("SKIPPED: no session bus, so no Secret Service; run tests/with_keychain.sh");
    false
}

fn secret_tool_finds(service: &str) -> String {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", service])
        .output()
        .expect("secret-tool is installed (libsecret-tools)");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_profile_secret_survives_a_relaunch_and_is_gone_after_sign_out() {
    if !keychain_available() {
        return;
    }
    let identifier = format!("app.roster.test-{}", std::process::id());
    let account = "p0123456789abcdef";
    let secret = Secret::new("refresh-token-that-must-stay-secret");

    let first = Keychain::new(&identifier);
    assert!(
        first.get(account).expect("read before").is_none(),
        "a new profile has no secret"
    );
    first.set(account, &secret).expect("store the secret");

    // A new store object, as after quitting and relaunching the app.
    let relaunched = Keychain::new(&identifier);
    let read = relaunched
        .get(account)
        .expect("read after relaunch")
        .expect("the secret is still there");
    assert_eq!(read.expose(), secret.expose(), "the same secret comes back");
    assert!(
        secret_tool_finds(relaunched.service()).contains(account),
        "the entry is in the Secret Service under the app's namespaced service name"
    );

    relaunched
        .delete(account)
        .expect("sign out deletes the secret");
    assert!(
        relaunched
            .get(account)
            .expect("read after sign-out")
            .is_none(),
        "the keychain no longer has the secret"
    );
    let listing = secret_tool_finds(relaunched.service());
    assert!(
        !listing.contains(account) && !listing.contains(secret.expose()),
        "after sign-out secret-tool finds no entry, but found: {listing}"
    );
    relaunched
        .delete(account)
        .expect("deleting a missing entry is not an error");
}

#[test]
fn debug_and_release_builds_use_different_services() {
    let keychain = Keychain::new("app.roster.desktop");
    let kind = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    assert_eq!(keychain.service(), format!("app.roster.desktop.{kind}"));
}
