#!/usr/bin/env bash
# Installs everything the web app needs on a fresh Debian machine (run as root). Idempotent:
# each tool is installed only when missing or at another version.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock (and [tools] in Trunk.toml).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n== %s\n' "$*"; }

say "Rust target wasm32-unknown-unknown"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

say "Trunk $TRUNK_VERSION"
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

say "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

say "Chromium and chromedriver"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends chromium chromium-driver
fi

say "Node packages (binaryen's wasm-opt, playwright-core)"
if ! command -v npm >/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends nodejs npm
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

say "Native tools (simulator and CLI, for the demo and the tests)"
cargo build --release -p intelgraph-sim -p ti-export

echo
echo "Web setup complete: trunk $(trunk --version | cut -d' ' -f2), wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2), $(node_modules/.bin/wasm-opt --version), $(chromium --version 2>/dev/null | head -1)"
