#!/usr/bin/env bash
# Sets everything up, then serves the app with the simulator as a local demo API:
# open the printed address, type the token `demo`, click "Fetch indicators", get ti.csv.
# The simulator sits behind a same-origin proxy, exactly as docs/browser-app.md deploys the
# real API. Ports: DEMO_PORT (default 8080) and SIM_PORT (default 8788). Ctrl-C stops both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ "${DEMO_SKIP_SETUP:-}" = 1 ] || scripts/setup-web.sh
scripts/trunk.sh build --release
DEMO_PORT="${DEMO_PORT:-8080}" SIM_PORT="${SIM_PORT:-8788}"

target/release/intelgraph-sim --port "$SIM_PORT" --token demo --count "${DEMO_COUNT:-5000}" --latency-ms 40 > /tmp/ti-demo-sim.log 2>&1 &
sim=$!
node tests/e2e/server.mjs --dir dist --port "$DEMO_PORT" --proxy "http://127.0.0.1:$SIM_PORT" --config '{"api_url": "/rest/threatindicator/v0"}' &
site=$!
trap 'kill $sim $site 2>/dev/null' EXIT INT TERM
sleep 1
cat <<MSG

  ti-export demo: http://127.0.0.1:$DEMO_PORT/
  API URL is preset to /rest/threatindicator/v0 (proxied to the simulator); token: demo
  Click "Fetch indicators", then "Download". Or "Try a sample" to convert offline.
  (The simulator also answers directly, with CORS, at http://127.0.0.1:$SIM_PORT/rest/threatindicator/v0.)
  Ctrl-C stops the demo.

MSG
wait $site
