#!/usr/bin/env bash
# The desktop shell opens a window named "Roster" under a virtual display and
# paints the UI (a screenshot that is not a blank window).
# Needs: target/debug/roster built with --features tauri/custom-protocol, or
# ROSTER_APP=/path/to/roster (e.g. the binary installed from the .deb).
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"

APP="${ROSTER_APP:-$ROOT/target/debug/roster}"
SHOT_NAME="${ROSTER_SHOT_NAME:-shell}"
[ -x "$APP" ] || { echo "build the app first: cargo build --bin roster --features tauri/custom-protocol" >&2; exit 1; }
SHOTS="$ROOT/target/shots"
mkdir -p "$SHOTS"
WORK="$(mktemp -d)"

# A free display number.
DISPLAY_NUM=90
while [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] || [ -e "/tmp/.X$DISPLAY_NUM-lock" ]; do DISPLAY_NUM=$((DISPLAY_NUM + 1)); done
Xvfb ":$DISPLAY_NUM" -screen 0 1280x860x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
STARTED_PIDS+=($!)
export DISPLAY=":$DISPLAY_NUM"
ready=""
for _ in $(seq 1 300); do xdpyinfo >/dev/null 2>&1 && { ready=yes; break; }; sleep 0.1; done
[ -n "$ready" ] || { echo "shell: Xvfb did not start"; cat "$WORK/xvfb.log"; exit 1; }

# Its own data folder, and its own session bus (no portal processes left
# over), both stopped by PID when the test ends.
read -r DBUS_SESSION_BUS_ADDRESS DBUS_PID < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | paste -s -d ' ')
export DBUS_SESSION_BUS_ADDRESS
STARTED_PIDS+=("$DBUS_PID")
XDG_DATA_HOME="$WORK/data" "$APP" >"$WORK/app.log" 2>&1 &
APP_PID=$!
STARTED_PIDS+=("$APP_PID")

found=""
for _ in $(seq 1 300); do
  if xwininfo -root -tree 2>/dev/null | grep -q '"Roster"'; then found=yes; break; fi
  kill -0 "$APP_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$found" ]; then
  echo "shell: no window named Roster appeared"; cat "$WORK/app.log"; exit 1
fi
# Give the webview a moment to paint, then require a picture with content.
for _ in $(seq 1 50); do
  import -window root "$SHOTS/$SHOT_NAME.png" 2>/dev/null
  deviation=$(convert "$SHOTS/$SHOT_NAME.png" -colorspace Gray -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
  awk -v d="$deviation" 'BEGIN { exit !(d > 0.02) }' && break
  sleep 0.2
done
awk -v d="$deviation" 'BEGIN { exit !(d > 0.02) }' || { echo "shell: the window stayed blank"; cat "$WORK/app.log"; exit 1; }
echo "shell: 1 passed, 0 failed (window \"Roster\" painted; screenshot $SHOTS/$SHOT_NAME.png)"
