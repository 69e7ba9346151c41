#!/usr/bin/env bash
# Benchmark: the real binary's time to its first frame in a real terminal (tmux), and to the
# finished diagnosis. Each run starts `cors-doctor demo SCENARIO` in a fresh tmux session,
# releases it, and polls `tmux capture-pane` until the step list is on screen ("Steps"), then
# until the verdict is ("Browser:"). The same harness timing a plain `echo` gives the cost of
# tmux and of the polling itself, reported as the baseline.
#
#   scripts/bench-tui-start.sh              # release build (PROFILE=dev for the debug build)
#   RUNS=30 SCENARIO=options-missing scripts/bench-tui-start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
PROFILE="${PROFILE:-release}"
RUNS="${RUNS:-20}"
SCENARIO="${SCENARIO:-rest-healthy}"
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 2; }
cargo build --quiet --profile "$PROFILE" --bin cors-doctor
dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
bin="$CARGO_TARGET_DIR/$dir/cors-doctor"

sock="cdt-bench-$$"
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# One run: prints "first_ms done_ms" (done_ms is 0 when `done` is empty).
run_once() {
  local cmd=$1 first=$2 done=$3
  tmux -L "$sock" kill-server 2>/dev/null || true
  tmux -L "$sock" new-session -d -s b -x 100 -y 30 \
    "sh -c 'tmux -L $sock wait-for go; exec $cmd'"
  sleep 0.2
  local start t_first=0 t_done=0 screen
  start=$(now_ns)
  tmux -L "$sock" wait-for -S go
  while :; do
    screen=$(tmux -L "$sock" capture-pane -p -t b 2>/dev/null || true)
    local t
    t=$(now_ns)
    if [ "$t_first" = 0 ] && grep -q -- "$first" <<<"$screen"; then
      t_first=$(( (t - start) / 1000000 ))
      [ -z "$done" ] && break
    fi
    if [ -n "$done" ] && [ "$t_first" != 0 ] && grep -q -- "$done" <<<"$screen"; then
      t_done=$(( (t - start) / 1000000 ))
      break
    fi
    if [ $(( (t - start) / 1000000 )) -gt 10000 ]; then
      echo "timed out; last screen:" >&2
      echo "$screen" >&2
      exit 1
    fi
  done
  tmux -L "$sock" kill-server 2>/dev/null || true
  echo "$t_first $t_done"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
maxof() { sort -n | tail -1; }

env_cmd="env XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config NO_COLOR=1"
run_once "$env_cmd $bin demo $SCENARIO" "Steps" "Browser:" >/dev/null   # warm-up
base=(); first=(); done=()
for _ in $(seq "$RUNS"); do
  read -r b _ < <(run_once "sh -c \"echo READY; sleep 5\"" "READY" "")
  base+=("$b")
  read -r f d < <(run_once "$env_cmd $bin demo $SCENARIO" "Steps" "Browser:")
  first+=("$f"); done+=("$d")
done
echo "cors-doctor demo $SCENARIO in tmux 100x30, $RUNS runs ($PROFILE build):"
printf '  baseline (tmux + polling, echo)   median %4s ms  max %4s ms\n' \
  "$(printf '%s\n' "${base[@]}" | median)" "$(printf '%s\n' "${base[@]}" | maxof)"
printf '  first frame (step list visible)   median %4s ms  max %4s ms\n' \
  "$(printf '%s\n' "${first[@]}" | median)" "$(printf '%s\n' "${first[@]}" | maxof)"
printf '  diagnosis shown (verdict line)    median %4s ms  max %4s ms\n' \
  "$(printf '%s\n' "${done[@]}" | median)" "$(printf '%s\n' "${done[@]}" | maxof)"
