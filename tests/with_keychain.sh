#!/usr/bin/env bash
# Runs a command inside its own session bus with an unlocked gnome-keyring
# (Secret Service) and a throwaway data folder: a keyring made earlier with
# another password would ask for it on a prompt nobody can see.
# Example: bash tests/with_keychain.sh cargo test --test keychain
set -euo pipefail
export XDG_DATA_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n roster-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$@"
' with_keychain "$@"
