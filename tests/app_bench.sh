#!/usr/bin/env bash
# The app's benchmarks (tests/e2e/bench.js): a release build of the app and of
# roster-server, 100,000 demo users, the real window under tauri-driver in the
# prepared environment of tests/e2e.sh. Prints one `name: value unit` line per
# figure (among the harness's own lines; .ci/bench keeps only the figures):
#   app_cold_start_to_rows_from_copy, app_pss_with_100000_cached,
#   keystroke_to_repaint_p50/p95.
# E2E_BENCH_USERS changes the number of users.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
say "Release builds of the app and roster-server"
npm --prefix ui run build >/dev/null
cargo build --release --locked -p roster-server --bin roster-server
cargo build --release --locked --bin roster --features tauri/custom-protocol
# tests/e2e.sh also starts the debug server of the main suite.
cargo build --locked -p roster-server --bin roster-server

# The app logs at info, as shipped: debug logging would slow what is measured.
E2E_SPEC=bench.js \
  E2E_APP_OVERRIDE="$TARGET/release/roster" \
  E2E_APP_RUST_LOG=info \
  E2E_SERVER_BIN="$TARGET/release/roster-server" \
  bash "$ROOT/tests/e2e.sh"
