#!/usr/bin/env bash
# Builds the release site and runs every web test: the app's plain-Rust unit tests on the
# host, wasm-bindgen-test in headless Chromium, and Playwright end to end against the
# simulator and the CLI. Run scripts/setup-web.sh first on a fresh machine.
# Ends with a line "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/web}"
passed=0 failed=0
log=$(mktemp -d)

# Adds the counts of cargo's "test result:" lines in $1; a run with none counts one failure.
count_cargo() {
  local p f any=0
  while read -r p f; do
    passed=$((passed + p)); failed=$((failed + f)); any=1
  done < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$1")
  if [ "$2" -ne 0 ] && { [ $any -eq 0 ] || ! grep -q "failed; " "$1"; }; then failed=$((failed + 1)); fi
}

step() { printf '\n== %s\n' "$*"; }

step "App unit tests (host)"
cargo test -p ti-export-web --lib 2>&1 | tee "$log/unit.txt" | grep -E "^test |test result|error" ; count_cargo "$log/unit.txt" "${PIPESTATUS[0]}"

step "wasm-bindgen-test in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  cargo test -p ti-export-web --target wasm32-unknown-unknown --tests 2>&1 | tee "$log/wasm.txt" | grep -E "^test |test result|error|panicked"
count_cargo "$log/wasm.txt" "${PIPESTATUS[0]}"

step "Release site (trunk build --release)"
if scripts/trunk.sh build --release > "$log/trunk.txt" 2>&1; then
  passed=$((passed + 1)); echo "built dist/"
else
  failed=$((failed + 1)); tail -20 "$log/trunk.txt"
fi

step "Simulator and CLI (native release builds the end-to-end tests compare against)"
CARGO_TARGET_DIR="$root/target" cargo build --release -p intelgraph-sim -p ti-export 2>&1 | tail -1

step "Playwright end to end (system Chromium)"
node --test --test-concurrency=1 --test-reporter=tap tests/e2e/ 2>&1 | tee "$log/e2e.txt" | grep -E "^(not )?ok |^# (pass|fail)"
e2e_rc=${PIPESTATUS[0]}
p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log/e2e.txt" | tail -1); f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log/e2e.txt" | tail -1)
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
if [ "$e2e_rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); tail -30 "$log/e2e.txt"; fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
