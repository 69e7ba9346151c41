#!/usr/bin/env bash
# The project's test command (README): every test suite, each service it needs started here.
# Tests only ever talk to 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"

# tmux drives the end-to-end UI tests; a fresh machine may lack it.
if ! command -v tmux >/dev/null 2>&1; then
  echo "== installing tmux"
  (apt-get update -qq && apt-get install -y -qq tmux) >/dev/null 2>&1 || echo "tmux could not be installed: the tmux tests will skip"
fi

# Debian's Chromium for the real-browser retest and the engine-vs-Chromium differential suite.
bash scripts/install-chromium.sh
export CORS_DOCTOR_REQUIRE_CHROMIUM=1

# Mermaid's own parser (npm `mermaid` + jsdom, no browser) for the diagrams the Markdown report
# draws (tests/it/flows.rs); when npm cannot install it, that test skips and says so.
if CORS_DOCTOR_MERMAID="$(bash scripts/install-mermaid.sh)"; then
    export CORS_DOCTOR_MERMAID CORS_DOCTOR_REQUIRE_MERMAID=1
else
    echo "mermaid could not be installed: the mermaid parse test will skip"
    unset CORS_DOCTOR_MERMAID
fi

# moto's server (the AWS control-plane emulator) for tests/aws/ (the AWS SDK tests), on loopback only.
# CORS_DOCTOR_SKIP_MOTO=1 skips it (the moto tests then skip themselves).
if [ -z "${MOTO_ENDPOINT:-}" ] && [ -z "${CORS_DOCTOR_SKIP_MOTO:-}" ]; then
    moto_out="$(scripts/moto.sh)"
    export MOTO_ENDPOINT="$(sed -n 's/^MOTO_ENDPOINT=//p' <<<"$moto_out")"
    moto_pid="$(sed -n 's/^MOTO_PID=//p' <<<"$moto_out")"
    export MOTO_AWS_CLI="$(sed -n 's/^MOTO_AWS_CLI=//p' <<<"$moto_out")"
    trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
    export CORS_DOCTOR_REQUIRE_MOTO=1
fi
# The SDK's default credential chain must never reach instance metadata from a test.
export AWS_EC2_METADATA_DISABLED=true

cargo test --locked "$@"
