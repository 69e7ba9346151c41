#!/usr/bin/env bash
# Benchmark: `cors-doctor check` against the simulator with 200 ms of latency injected into
# every response. The three probes (preflight, actual, no-Origin twin) run concurrently, so a
# check should take one round trip, not three: the budget is 2 x 200 ms + 50 ms = 450 ms.
#
#   scripts/bench-latency.sh            # release build (PROFILE=dev for the debug build)
#   RUNS=30 LATENCY_MS=200 scripts/bench-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
PROFILE="${PROFILE:-release}"
RUNS="${RUNS:-20}"
LATENCY_MS="${LATENCY_MS:-200}"
SCENARIO="${SCENARIO:-rest-healthy}"
cargo build --quiet --profile "$PROFILE"
dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
bin="$CARGO_TARGET_DIR/$dir/cors-doctor"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve "$SCENARIO" --port "$port" --latency-ms "$LATENCY_MS" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done

url="http://127.0.0.1:$port/prod/orders"
args=(check "$url" --origin https://app.example.com -X POST -H 'Content-Type: application/json' -d '{"sku":"A1"}' --format json)
"$bin" "${args[@]}" >/dev/null || true   # warm-up (page cache, first connection)
times=()
for _ in $(seq "$RUNS"); do
  start=$(date +%s%N)
  "$bin" "${args[@]}" >/dev/null || true
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
n=${#sorted[@]}
median=${sorted[$((n / 2))]}
p90=${sorted[$(( (n * 9) / 10 < n ? (n * 9) / 10 : n - 1 ))]}
budget=$((2 * LATENCY_MS + 50))
echo "check against $SCENARIO with ${LATENCY_MS} ms latency per response, $RUNS runs ($PROFILE build):"
echo "  min ${sorted[0]} ms · median $median ms · p90 $p90 ms · max ${sorted[$((n - 1))]} ms · budget $budget ms"
if [ "$median" -le "$budget" ]; then echo "  within budget"; else echo "  OVER BUDGET"; exit 1; fi
