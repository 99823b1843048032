#!/usr/bin/env bash
# Builds the installers (.deb and .rpm) with the Tauri bundler, unpacks the
# .deb as an installation would, and launches the installed binary under a
# virtual display: it must show the Roster window, and, driven through
# tauri-driver with a fresh profile, the connect screen (the end-to-end
# suite's "first run" test). Needs target/debug/roster-server for that
# harness.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"

say "Bundling .deb and .rpm (release build)"
npm --prefix ui run tauri -- build --bundles deb,rpm
DEB="$(ls -t target/release/bundle/deb/*.deb | head -n1)"
RPM="$(ls -t target/release/bundle/rpm/*.rpm | head -n1)"
[ -s "$DEB" ] && [ -s "$RPM" ] || { echo "the bundler made no .deb or .rpm" >&2; exit 1; }
echo "built $DEB ($(du -h "$DEB" | cut -f1)) and $RPM ($(du -h "$RPM" | cut -f1))"

ROOTFS="$(mktemp -d)"
trap 'stop_started; rm -rf "$ROOTFS"' EXIT
dpkg-deb -x "$DEB" "$ROOTFS"
dpkg-deb -f "$DEB" Package Version Depends
[ -x "$ROOTFS/usr/bin/roster" ] || { echo "the .deb does not install /usr/bin/roster" >&2; exit 1; }
[ -f "$ROOTFS/usr/share/applications/Roster.desktop" ] || ls "$ROOTFS/usr/share/applications"
ROSTER_APP="$ROOTFS/usr/bin/roster" ROSTER_SHOT_NAME=installed bash "$ROOT/tests/shell_smoke.sh"
# A release build keeps its secrets under its own keychain service.
E2E_APP_OVERRIDE="$ROOTFS/usr/bin/roster" \
  E2E_KEYCHAIN_SERVICE=app.roster.desktop.release \
  E2E_LOGS="$ROOT/target/e2e-installed" \
  E2E_ONLY='first run:' \
  bash "$ROOT/tests/e2e.sh"
