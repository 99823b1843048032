//! The Tauri commands, one module per domain. Each takes the state, calls
//! the client core and maps its error to `{ kind, message }`.

pub mod manage;
pub mod profiles;
pub mod sync;
pub mod users;

/// What every command answers: its value, or an error the UI shows.
pub(crate) type CmdResult<T> = Result<T, roster_client::model::AppError>;

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
            $crate::commands::users::first_users_window,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The command names in `text` between `start` and `end`, each found by
    /// `pick` on a line.
    fn names(
        text: &str,
        start: &str,
        end: &str,
        pick: fn(&str) -> Option<String>,
    ) -> BTreeSet<String> {
        let from = text.find(start).expect("the list's start") + start.len();
        let to = from + text[from..].find(end).expect("the list's end");
        text[from..to]
            .lines()
            .filter_map(|line| pick(line.trim()))
            .collect()
    }

    /// A command missing from build.rs or the capability is refused at run
    /// time ("not allowed. Command not found"): the three lists must agree.
    #[test]
    fn every_command_is_in_the_manifest_and_the_capability() {
        let handler = names(include_str!("mod.rs"), "generate_handler![", "]", |line| {
            line.strip_prefix("$crate::commands::").map(|rest| {
                rest.split_once("::")
                    .map_or(rest, |(_, name)| name)
                    .trim_end_matches(',')
                    .to_owned()
            })
        });
        let manifest = names(
            include_str!("../../build.rs"),
            ".commands(&[",
            "]);",
            |line| {
                line.strip_prefix('"')
                    .map(|rest| rest.trim_end_matches(['"', ',']).to_owned())
            },
        );
        let capability = names(
            include_str!("../../capabilities/default.json"),
            "\"permissions\": [",
            "]",
            |line| {
                line.trim_end_matches(',')
                    .trim_matches('"')
                    .strip_prefix("allow-")
                    .map(|name| name.replace('-', "_"))
            },
        );
        assert!(handler.len() > 30, "{handler:?}");
        assert_eq!(handler, manifest, "src-tauri/build.rs lists other commands");
        assert_eq!(
            handler, capability,
            "capabilities/default.json allows other commands"
        );
    }
}
