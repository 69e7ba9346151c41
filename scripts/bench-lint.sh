#!/usr/bin/env bash
# Benchmark: the real binary's `lint --format sarif` of the inputs of `cargo bench --bench lint`
# (a 500-resource REST API as a CloudFormation template in YAML and as a Terraform plan),
# RUNS times each: median and best wall time, and median CPU time (user + system; a loaded,
# shared machine inflates wall time, much less CPU time). Budget: 100 ms.
#
#   scripts/bench-lint.sh            # release build
#   RUNS=50 scripts/bench-lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
RUNS="${RUNS:-20}"
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is needed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LINT_BENCH_WRITE="$tmp" cargo bench --quiet --bench lint
cargo build --quiet --release --bin cors-doctor
bin="$CARGO_TARGET_DIR/release/cors-doctor"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for file in template.yaml plan.json; do
  : >"$tmp/cpu"
  : >"$tmp/wall"
  for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    # `lint` exits 1 when it finds an error-severity trap: not a failure here.
    /usr/bin/time -f "%U %S" -a -o "$tmp/cpu" \
      "$bin" lint "$tmp/$file" --origin https://app.example.com --format sarif >/dev/null || true
    echo $(( ($(date +%s%N) - start) / 1000000 )) >>"$tmp/wall"
  done
  wall=$(median <"$tmp/wall")
  best=$(sort -n "$tmp/wall" | head -1)
  cpu=$(awk '{print ($1 + $2) * 1000}' "$tmp/cpu" | median)
  echo "lint --format sarif of $file ($RUNS runs): median ${wall} ms wall (best ${best} ms), median ${cpu} ms CPU (budget 100 ms)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
