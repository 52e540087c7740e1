#!/usr/bin/env bash
# Online export figures: 20,000 indicators (100 pages of 200) behind 100 ms of latency per
# request, ti-export against the legacy sequential loop, in the same run, on identical output.
# usage: bench/online.sh [COUNT] [LATENCY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
latency=${2:-100}
work=target/bench
mkdir -p "$work"
cargo build --quiet --release -p ti-export -p intelgraph-sim
export TI_EXPORT_NOW=2026-12-04T12:00:00Z IDEF_TOKEN=bench
target/release/intelgraph-sim --port 0 --token bench --count "$count" --seed 1 --now 2026-12-04T00:00:00Z --latency-ms "$latency" > "$work/sim.out" &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
base=$(head -1 "$work/sim.out" | sed 's/listening on //')
url="$base/rest/threatindicator/v0"
clock() { date +%s.%N; }
curl -s -X POST "$base/_sim/reset" >/dev/null
s=$(clock); target/release/ti-export --url "$url" -n 31 -o "$work/online.csv" -q; e=$(clock)
ours=$(python3 -c "print($e - $s)")
max_in_flight=$(curl -s "$base/_sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['max_in_flight'])")
requests=$(curl -s "$base/_sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['requests'])")
s=$(clock); python3 bench/legacy_loop.py "$url" 31 "$work/legacy.csv"; e=$(clock)
legacy=$(python3 -c "print($e - $s)")
same=$(cmp -s "$work/online.csv" "$work/legacy.csv" && echo identical || echo DIFFERENT)
rows=$(($(grep -c $'\r$' "$work/online.csv") - 1))
python3 - <<PY
print(f"data: $count indicators, ${latency} ms latency per request; {$rows} rows exported in $requests requests")
print(f"ti-export: {$ours:.2f} s, at most $max_in_flight requests in flight")
print(f"legacy loop: {$legacy:.2f} s")
print(f"speed-up: {$legacy / $ours:.1f}x (goal >= 4x with <= 6 in flight)")
print("outputs: $same")
PY
