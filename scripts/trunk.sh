#!/usr/bin/env bash
# Runs the pinned Trunk with what it needs on PATH and nothing to download:
#   scripts/trunk.sh build --release      scripts/trunk.sh serve
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export TI_REAL_PATH="$HOME/.cargo/bin:$PATH"
export PATH="$root/scripts/trunk-cargo:$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Its own target dir: wasm builds do not wait on (or invalidate) the native builds' lock.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/web}"
cd "$root"
cmd="${1:-build}"; shift || true
case " $* " in
  *" --release "*) profile=(--cargo-profile web-release) ;;
  *) profile=() ;;
esac
exec trunk "$cmd" --offline "${profile[@]}" "$@"
