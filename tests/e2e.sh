#!/usr/bin/env bash
# End-to-end tests: the real Roster desktop app, driven through tauri-driver
# and WebKitWebDriver under a virtual display, against the real roster-server.
#
# Builds nothing. Needs, from the repository root:
#   npm --prefix ui run build
#   cargo build --bin roster --features tauri/custom-protocol
#   cargo build -p roster-server --bin roster-server
# Installs tauri-driver (cargo install) and the test's npm packages when they
# are missing. Every process it starts is stopped by PID with SIGTERM when it
# ends; the last line it prints is "N passed, N failed".
#
# E2E_ONLY=word runs only the tests whose names contain that word.
# E2E_APP_OVERRIDE=/path/to/roster tests another build of the app (such as
# the binary installed from the .deb) instead of target/debug/roster, and
# E2E_KEYCHAIN_SERVICE then names its keychain service. Logs, screenshots
# and the app's output (app.log) go to target/e2e, or E2E_LOGS. Arguments,
# if given, are a command to run in the prepared environment instead of the
# suite (for debugging: bash tests/e2e.sh node my-probe.js).
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
APP="${E2E_APP_OVERRIDE:-$TARGET/debug/roster}"
SERVER_BIN="$TARGET/debug/roster-server"
E2E="$ROOT/tests/e2e"
LOGS="${E2E_LOGS:-$ROOT/target/e2e}"

[ -x "$APP" ] || { echo "e2e: $APP is missing; build the app first: npm --prefix ui run build && cargo build --bin roster --features tauri/custom-protocol" >&2; exit 1; }
[ -x "$SERVER_BIN" ] || { echo "e2e: build the server first: cargo build -p roster-server --bin roster-server" >&2; exit 1; }
for tool in Xvfb WebKitWebDriver dbus-daemon dbus-send gnome-keyring-daemon secret-tool node npm curl; do
  command -v "$tool" >/dev/null || {
    echo "e2e: $tool is missing (apt-get install -y xvfb webkit2gtk-driver dbus gnome-keyring libsecret-tools nodejs npm curl)" >&2
    exit 1
  }
done
if ! command -v tauri-driver >/dev/null; then
  say "Installing tauri-driver"
  cargo install tauri-driver --locked
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
# Reinstall the test's packages only when the lock file changed. Install
# scripts stay off: webdriverio's optional browser drivers would try to
# download binaries, and nothing here needs them (esbuild's binary comes as a
# package of its own).
if ! cmp -s "$E2E/package-lock.json" "$E2E/node_modules/.e2e-installed-lock" 2>/dev/null; then
  say "Installing the e2e test packages"
  npm ci --prefix "$E2E" --ignore-scripts --no-audit --no-fund --loglevel=error
  cp "$E2E/package-lock.json" "$E2E/node_modules/.e2e-installed-lock"
fi

# One folder per run: the app's profile store, the keyring, caches, logs.
WORK="$(mktemp -d)"
rm -rf "$LOGS" && mkdir -p "$LOGS"
cleanup() {
  stop_started
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/data" "$WORK/config" "$WORK/cache" "$WORK/runtime"
chmod 700 "$WORK/runtime"
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
export XDG_RUNTIME_DIR="$WORK/runtime"
# No accessibility bus: GTK would have the session bus start one that
# nothing here uses.
export NO_AT_BRIDGE=1
# Without a GPU, WebKitGTK's DMA-BUF renderer barely paints under Xvfb
# (about one animation frame a second): CSS animations then never finish
# and elements sit where clicks miss them. The shared-memory path paints
# normally. Real desktops are unaffected.
export WEBKIT_DISABLE_DMABUF_RENDERER=1
# Every process of this run inherits this mark, so the end can tell whether
# any of them outlived it.
export E2E_RUN_ID="roster-e2e-$$-$RANDOM"

# tauri-driver sends its WebKitWebDriver's output, and with it the app's,
# nowhere. The app is started through this script, which keeps it, at debug
# level: the tests check that no secret reaches the log.
APP_LOG="$LOGS/app.log"
printf '#!/usr/bin/env bash\nexport RUST_LOG=%q\nexec %q "$@" >>%q 2>&1\n' \
  "${E2E_APP_RUST_LOG:-debug}" "$APP" "$APP_LOG" >"$WORK/roster"
chmod +x "$WORK/roster"

# A display of its own: Xvfb picks a free number and tells it on fd 3.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$WORK/display" >"$LOGS/xvfb.log" 2>&1 &
STARTED_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done
[ -s "$WORK/display" ] || { echo "e2e: Xvfb did not start"; cat "$LOGS/xvfb.log"; exit 1; }
export DISPLAY=":$(head -n1 "$WORK/display")"

# A session bus of its own with an unlocked Secret Service (a fresh keyring
# in this run's XDG_DATA_HOME, so it never asks for a password on a prompt).
read -r DBUS_SESSION_BUS_ADDRESS DBUS_PID < <(dbus-daemon --session --fork --print-address=1 --print-pid=1 | paste -s -d ' ')
export DBUS_SESSION_BUS_ADDRESS
STARTED_PIDS+=("$DBUS_PID")
gnome-keyring-daemon --foreground --unlock --components=secrets < <(printf 'roster-e2e') >"$LOGS/keyring.log" 2>&1 &
STARTED_PIDS+=($!)
# Wait for it to own the Secret Service name; asking the service anything
# before that would have the bus start a second, locked keyring daemon.
secrets_up() {
  dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
    /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'
}
for _ in $(seq 1 100); do secrets_up && break; sleep 0.1; done
secrets_up || { echo "e2e: gnome-keyring-daemon did not start"; cat "$LOGS/keyring.log"; exit 1; }

API_TOKEN="e2e-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
DEMO_USERS=300
# Like .ci/lib.sh's start_server, from $TARGET (CARGO_TARGET_DIR may move it).
"$SERVER_BIN" --listen 127.0.0.1:0 --db :memory: --demo "$DEMO_USERS" --api-token "$API_TOKEN" >"$LOGS/server.log" 2>&1 &
SERVER_PID=$!
STARTED_PIDS+=("$SERVER_PID")
SERVER_URL=""
for _ in $(seq 1 600); do
  SERVER_URL="$(sed -n 's/.*SCIM base URL: \(http[^ ]*\).*/\1/p' "$LOGS/server.log" | head -n1)"
  [ -n "$SERVER_URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$SERVER_URL" ] || { cat "$LOGS/server.log"; echo "e2e: roster-server did not start" >&2; exit 1; }

# Two free loopback ports for tauri-driver and the WebKitWebDriver behind it.
read -r DRIVER_PORT NATIVE_PORT < <(node -e '
  const net = require("net");
  const free = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
  (async () => { const a = await free(); let b; do { b = await free(); } while (b === a); console.log(a, b); })();')
tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" >"$LOGS/tauri-driver.log" 2>&1 &
DRIVER_PID=$!
STARTED_PIDS+=("$DRIVER_PID")
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null 2>&1 && break
  kill -0 "$DRIVER_PID" 2>/dev/null || break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null 2>&1 || { echo "e2e: tauri-driver did not start"; cat "$LOGS/tauri-driver.log"; exit 1; }

RUN=(node "$E2E/run.js")
[ $# -eq 0 ] || RUN=("$@")
say "End-to-end tests ($DISPLAY, server $SERVER_URL, driver port $DRIVER_PORT)"
set +e
E2E_APP="$WORK/roster" \
  E2E_APP_LOG="$APP_LOG" \
  E2E_DRIVER_PORT="$DRIVER_PORT" \
  E2E_SERVER_URL="$SERVER_URL" \
  E2E_API_TOKEN="$API_TOKEN" \
  E2E_KEYCHAIN_SERVICE="${E2E_KEYCHAIN_SERVICE:-app.roster.desktop.debug}" \
  E2E_DEMO_USERS="$DEMO_USERS" \
  E2E_RESULTS="$WORK/results" \
  E2E_SHOTS="$LOGS" \
  E2E_SCREENS="$LOGS/screens" \
  "${RUN[@]}"
status=$?
set -e

# Stop everything now, then make sure nothing this run started is left.
stop_started
run_id="$E2E_RUN_ID"
unset E2E_RUN_ID
survivors() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    pid="${f#/proc/}"; pid="${pid%/environ}"
    if tr '\0' '\n' 2>/dev/null <"$f" | grep -qx "E2E_RUN_ID=$run_id"; then
      printf '%s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    fi
  done
}
left=""
for _ in $(seq 1 50); do
  left="$(survivors)"
  [ -z "$left" ] && break
  sleep 0.1
done
summary="$(tail -n1 "$WORK/results" 2>/dev/null || echo "0 passed, 1 failed")"
if [ -n "$left" ]; then
  # Counted as one more failed test: nothing may outlive the run.
  echo "FAIL processes outlived the run:"
  echo "$left"
  status=1
  summary="$(echo "$summary" | awk '{ print $1, "passed,", $3 + 1, "failed" }')"
fi
[ "$status" -eq 0 ] || echo "e2e: logs in $LOGS"
echo "$summary"
exit "$status"
