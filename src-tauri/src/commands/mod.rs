//! The Tauri commands, one module per domain. Each takes the state, calls
//! the client core and maps its error to `{ kind, message }`.

pub mod manage;
pub mod profiles;
pub mod sync;
pub mod users;

/// Every command, for the invoke handler and the build-time ACL manifest
/// (src-tauri/build.rs keeps its own copy of these names).
#[macro_export]
macro_rules! all_commands {
    () => {
        tauri::generate_handler![
            $crate::commands::profiles::list_profiles,
            $crate::commands::profiles::current_connection,
            $crate::commands::profiles::connect_with_password,
            $crate::commands::profiles::connect_with_token,
            $crate::commands::profiles::open_demo,
            $crate::commands::profiles::switch_profile,
            $crate::commands::profiles::sign_out,
            $crate::commands::users::catalogue,
            $crate::commands::users::users_window,
            $crate::commands::users::get_user,
            $crate::commands::users::save_user,
            $crate::commands::users::invite_user,
            $crate::commands::users::set_archived,
            $crate::commands::users::delete_user,
            $crate::commands::manage::resend_invitation,
            $crate::commands::manage::revoke_invitation,
            $crate::commands::manage::outbox,
            $crate::commands::manage::reset_password,
            $crate::commands::manage::resources,
            $crate::commands::manage::user_resources,
            $crate::commands::manage::grant_resources,
            $crate::commands::manage::revoke_resource,
            $crate::commands::manage::set_limits,
            $crate::commands::manage::user_statistics,
            $crate::commands::manage::user_events,
            $crate::commands::manage::audit_log,
            $crate::commands::manage::delete_with_transfer,
            $crate::commands::manage::create_role,
            $crate::commands::manage::update_role,
            $crate::commands::manage::delete_role,
            $crate::commands::manage::set_notifications,
            $crate::commands::manage::departments,
            $crate::commands::manage::create_department,
            $crate::commands::manage::rename_department,
            $crate::commands::manage::delete_department,
            $crate::commands::sync::sync_state,
            $crate::commands::sync::sync_now,
            $crate::commands::sync::cancel_sync,
        ]
    };
}
