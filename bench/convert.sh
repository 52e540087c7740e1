#!/usr/bin/env bash
# Offline conversion figures on a generated export (default 60,000 indicators, ~55 MB), all
# measured in one run: ti-export end to end (best of N), the Python model of the legacy
# conversion, the serde_json IgnoredAny parse floor, and peak memory.
# usage: bench/convert.sh [COUNT] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-60000}
runs=${2:-5}
work=target/bench
mkdir -p "$work"
cargo build --quiet --release -p ti-export -p intelgraph-sim
cargo build --quiet --release -p ti-core --example parse_floor
input=$work/export-$count.json
[ -s "$input" ] || target/release/intelgraph-sim generate --count "$count" --seed 1 --now 2026-12-01T00:00:00Z -o "$input"
size=$(stat -c %s "$input")

best() { # best wall time in seconds of "$@" over $runs runs
  local b=999999
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $e - $s))")
  done
  echo "$b"
}

cli=$(best target/release/ti-export --input "$input" -o "$work/out.csv" -q)
floor=$(target/release/examples/parse_floor "$input" "$runs")
peak_kb=$(/usr/bin/time -f %M target/release/ti-export --input "$input" -o "$work/out.csv" -q 2>&1 >/dev/null | tail -1)
py=$(runs=3 best python3 bench/legacy_model.py "$input" "$work/out.py.csv")
same=$(cmp -s "$work/out.csv" "$work/out.py.csv" && echo "identical" || echo "DIFFERENT")

python3 - "$size" "$cli" "$floor" "$py" "$peak_kb" "$same" "$count" <<'PY'
import sys
size, cli, floor, py, peak_kb, same, count = int(sys.argv[1]), *map(float, sys.argv[2:6]), sys.argv[6], sys.argv[7]
mb = size / 1e6
print(f"input: {count} indicators, {mb:.1f} MB")
print(f"ti-export --input (end to end, best run): {cli:.3f} s = {mb / cli:.0f} MB/s")
print(f"parse floor (read + serde_json IgnoredAny): {floor:.3f} s = {mb / floor:.0f} MB/s")
print(f"python model (json.load + mapping + csv.DictWriter, best of 3): {py:.3f} s = {mb / py:.1f} MB/s")
print(f"speed-up over the python model: {py / cli:.1f}x (goal >= 15x)")
print(f"ratio to the parse floor: {cli / floor:.2f}x (goal <= 3x)")
print(f"peak memory: {peak_kb / 1024:.0f} MiB = {peak_kb * 1024 / size:.2f}x the input (goal < 2.5x)")
print(f"output vs python model: {same}")
PY
