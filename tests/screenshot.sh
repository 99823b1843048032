#!/usr/bin/env bash
# Makes the README's screenshots: the app on the embedded demo under a
# virtual display, in the light and the dark theme.
# Needs: target/debug/roster built with --features tauri/custom-protocol.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
OUT="$ROOT/tests/screenshots"
mkdir -p "$OUT"

shoot() { # NAME [ENV=VALUE]
  local name="$1"; shift
  local display=80 work
  while [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
  work="$(mktemp -d)"
  Xvfb ":$display" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
  STARTED_PIDS+=($!)
  export DISPLAY=":$display"
  for _ in $(seq 1 300); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  read -r DBUS_SESSION_BUS_ADDRESS DBUS_PID < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | paste -s -d ' ')
  export DBUS_SESSION_BUS_ADDRESS
  STARTED_PIDS+=("$DBUS_PID")
  env XDG_DATA_HOME="$work" "$@" "$ROOT/target/debug/roster" --demo >"$work/app.log" 2>&1 &
  STARTED_PIDS+=($!)
  # The demo seeds 10,000 users on first start; wait until two screenshots
  # in a row are the same and the page is no longer the start-up one.
  local previous=""
  for _ in $(seq 1 120); do
    sleep 1
    import -window root "$work/shot.png"
    local sum; sum="$(md5sum <"$work/shot.png")"
    [ "$sum" = "$previous" ] && [ "$(stat -c %s "$work/shot.png")" -gt 60000 ] && break
    previous="$sum"
  done
  convert "$work/shot.png" -crop 1200x800+40+30 +repage "$OUT/$name.png"
  echo "wrote $OUT/$name.png"
  stop_started
}

shoot users-light
shoot users-dark GTK_THEME=Adwaita:dark
