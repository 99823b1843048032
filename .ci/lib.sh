# Shared helpers for the .ci scripts. Source it; do not run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A CI run builds once: incremental compilation would only add gigabytes of
# caches to target/debug that nothing reuses.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi

say() { printf '\n==> %s\n' "$*"; }

# Processes started by a script, stopped (SIGTERM, by PID) when it exits.
STARTED_PIDS=()
stop_started() {
  local pid i
  # Newest first: an app before the bus and display it uses.
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${STARTED_PIDS[$i]}"
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  STARTED_PIDS=()
}
trap stop_started EXIT

# start_server LOGFILE ARGS... — starts roster-server on a free loopback port
# and sets SERVER_PID and SERVER_URL (the SCIM base URL).
start_server() {
  local log="$1"; shift
  "$ROOT/target/debug/roster-server" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  for _ in $(seq 1 600); do
    SERVER_URL="$(sed -n 's/.*SCIM base URL: \(http[^ ]*\).*/\1/p' "$log" | head -n1)"
    [ -n "$SERVER_URL" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log"; echo "roster-server did not start" >&2; return 1; }
    sleep 0.1
  done
  cat "$log"; echo "roster-server did not report its address in time" >&2; return 1
}
