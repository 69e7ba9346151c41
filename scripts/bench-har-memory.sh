#!/usr/bin/env bash
# Benchmark (issue 16, "bad HARs in bounded memory"): peak memory of `cors-doctor har` on a
# large HAR. Generates a Chrome-shaped HAR of ENTRIES entries (default 50,000) whose response
# bodies make it about SIZE_MB megabytes (default 200), runs the list once and one
# `--entry` diagnosis under /usr/bin/time -v, and compares each peak RSS with the goal: at most
# twice the file's size above the program's own footprint (a one-entry HAR's peak). Exit 1 when
# the goal is missed.
#
#   scripts/bench-har-memory.sh               # release build (PROFILE=dev for the debug build)
#   ENTRIES=5000 SIZE_MB=20 scripts/bench-har-memory.sh
#   BIN=/path/to/cors-doctor scripts/bench-har-memory.sh   # a binary already built (no build)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
PROFILE="${PROFILE:-release}"
ENTRIES="${ENTRIES:-50000}"
SIZE_MB="${SIZE_MB:-200}"
if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  cargo build --quiet --profile "$PROFILE"
  dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
  bin="$CARGO_TARGET_DIR/$dir/cors-doctor"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$ENTRIES" "$SIZE_MB" > "$work/big.har" <<'PY'
import json, sys
n, size_mb = int(sys.argv[1]), int(sys.argv[2])
# Each entry's response body pads the file to the size asked for (escaped text: quotes and
# \u sequences, as real JSON bodies are stored).
pad = max(0, size_mb * 1024 * 1024 // n - 830)
body = ('{"item":"\\u00e9t\\u00e9 \\"quoted\\"",' * (pad // 40 + 1))[:pad]
sys.stdout.write('{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},'
                 '"pages":[{"id":"page_1","title":"https://app.example.com/"}],"entries":[')
for i in range(n):
    failed = i % 10 == 0
    e = {
        "_resourceType": "fetch", "pageref": "page_1", "startedDateTime": "2026-11-30T20:00:00Z",
        "time": 12,
        "request": {"method": "GET", "url": f"https://abc123.execute-api.us-east-1.amazonaws.com/prod/items/{i}",
                    "httpVersion": "HTTP/1.1", "headers": [
                        {"name": "Origin", "value": "https://app.example.com"},
                        {"name": "Authorization", "value": f"Bearer tok{i % 50}abcdefghijkl"},
                        {"name": "Accept", "value": "application/json"}],
                    "cookies": [], "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 0 if failed else 200, "statusText": "", "httpVersion": "HTTP/1.1",
                     "headers": [] if failed else [
                         {"name": "content-type", "value": "application/json"},
                         {"name": "x-amzn-RequestId", "value": "r"},
                         {"name": "access-control-allow-origin", "value": "https://app.example.com"}],
                     "cookies": [], "content": {"size": len(body), "mimeType": "application/json",
                                                "text": "" if failed else body},
                     "redirectURL": "", "headersSize": -1, "bodySize": -1,
                     "_error": "net::ERR_FAILED" if failed else None},
        "cache": {}, "timings": {"send": 0, "wait": 12, "receive": 0},
    }
    sys.stdout.write(("," if i else "") + json.dumps(e, separators=(",", ":")))
sys.stdout.write("]}}\n")
PY
size=$(stat -c %s "$work/big.har")
# The program's own footprint (code, runtime, a one-entry HAR), measured, not counted against
# the file: the goal is at most twice the file's size above it.
printf '{"log":{"entries":[{"request":{"method":"GET","url":"https://a.example/","headers":[{"name":"Origin","value":"https://b.example"}]}}]}}' > "$work/tiny.har"
/usr/bin/time -v "$bin" har "$work/tiny.har" >/dev/null 2>"$work/time.txt" || true
base_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
base=$((base_kb * 1024))
goal=$((base + size * 2))
fail=0
run() {
  local label="$1"; shift
  /usr/bin/time -v "$bin" har "$work/big.har" "$@" >/dev/null 2>"$work/time.txt" || {
    status=$?
    [ "$status" -le 1 ] || { cat "$work/time.txt" >&2; exit "$status"; }
  }
  peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
  peak=$((peak_kb * 1024))
  awk -v label="$label" -v size="$size" -v peak="$peak" -v base="$base" -v wall="$elapsed" 'BEGIN {
    printf "%-28s peak RSS %.1f MB (%.2fx the file; %.2fx above the program'"'"'s own %.1f MB), wall %s\n",
      label, peak / 1048576, peak / size, (peak - base) / size, base / 1048576, wall }'
  [ "$peak" -le "$goal" ] || fail=1
}
awk -v n="$ENTRIES" -v size="$size" -v goal="$goal" 'BEGIN {
  printf "HAR: %d entries, %.1f MB; goal: peak RSS <= %.1f MB (the program + 2x the file)\n", n, size / 1048576, goal / 1048576 }'
run "list (--format json)" --format json
run "diagnose --entry 2" --entry 2 --format json
if [ "$fail" -ne 0 ]; then
  echo "FAIL: peak memory above the goal"
  exit 1
fi
echo "ok"
