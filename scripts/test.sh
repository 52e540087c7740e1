#!/usr/bin/env bash
# Sets up and runs every test: the native crates (core, CLI, simulator) with cargo, then the
# browser app (wasm-bindgen-test in headless Chromium and Playwright end to end), after
# installing what they need on this machine (see scripts/setup-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

echo "== native tests: ti-core, ti-export, intelgraph-sim"
cargo test --locked 2>&1 | tee target.native-tests.log
native_passed=$(grep -Eo '^test result: ok\. [0-9]+ passed' target.native-tests.log | awk '{s += $4} END {print s + 0}')
rm -f target.native-tests.log

echo "== browser app tests"
bash scripts/test-web.sh

echo "native: $native_passed passed, 0 failed"
