#!/usr/bin/env bash
# Sets up and runs every test: installs what the browser tests need (scripts/setup-web.sh:
# wasm target, pinned Trunk and wasm-bindgen-cli, binaryen, Chromium, npm packages), runs
# the native crates' tests (core, CLI, simulator) with cargo, then the browser app's tests
# (wasm-bindgen-test in headless Chromium, Playwright end to end: scripts/test-web.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log=$(mktemp -d)

echo "== setup"
bash scripts/setup-web.sh || { echo "setup failed"; exit 1; }

echo "== native tests: ti-core, ti-export, intelgraph-sim"
cargo test --locked 2>&1 | tee "$log/native.txt"
native_rc=${PIPESTATUS[0]}
native_passed=$(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed.*/\1/p' "$log/native.txt" | awk '{s += $1} END {print s + 0}')
native_failed=$(sed -n 's/^test result: [a-zA-Z]*\. [0-9]* passed; \([0-9]*\) failed.*/\1/p' "$log/native.txt" | awk '{s += $1} END {print s + 0}')
[ "$native_rc" -ne 0 ] && [ "$native_failed" -eq 0 ] && native_failed=1

echo "== browser app tests"
bash scripts/test-web.sh 2>&1 | tee "$log/web.txt"
web_rc=${PIPESTATUS[0]}
web_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log/web.txt" | tail -1)
web_passed=${web_line%% passed*}; web_passed=${web_passed:-0}
web_failed=$(echo "$web_line" | sed -n 's/.* \([0-9]*\) failed/\1/p'); web_failed=${web_failed:-0}
[ "$web_rc" -ne 0 ] && [ "$web_failed" -eq 0 ] && web_failed=1

echo
echo "native: $native_passed passed, $native_failed failed; browser: $web_passed passed, $web_failed failed"
echo "$((native_passed + web_passed)) passed, $((native_failed + web_failed)) failed"
[ "$native_rc" -eq 0 ] && [ "$web_rc" -eq 0 ]
