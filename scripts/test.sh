#!/usr/bin/env bash
# The project's test command (README): every test suite, each service it needs started here.
# Tests only ever talk to 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
cargo test --locked "$@"
