//! Generates the Tauri context (config, icons, ACL) for the desktop app.
//!
//! The app sources live in `src-tauri/` while the package root is the
//! repository root, so the capability glob is relative to the root.

fn main() {
    // New capability files must trigger a rebuild, not only edits to known ones.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");

    // Every app command is listed here, so the ACL rejects any command that
    // no capability grants explicitly (src-tauri/capabilities/default.json).
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_profiles",
        "current_connection",
        "connect_with_password",
        "connect_with_token",
        "open_demo",
        "switch_profile",
        "sign_out",
        "catalogue",
        "users_window",
        "first_users_window",
        "get_user",
        "save_user",
        "invite_user",
        "set_archived",
        "delete_user",
        "resend_invitation",
        "revoke_invitation",
        "outbox",
        "reset_password",
        "resources",
        "user_resources",
        "grant_resources",
        "revoke_resource",
        "set_limits",
        "user_statistics",
        "user_events",
        "audit_log",
        "delete_with_transfer",
        "create_role",
        "update_role",
        "delete_role",
        "set_notifications",
        "departments",
        "create_department",
        "rename_department",
        "delete_department",
        "sync_state",
        "sync_now",
        "cancel_sync",
    ]);
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(manifest);

    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
