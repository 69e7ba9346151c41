#!/usr/bin/env bash
# Installs Mermaid's own parser (the npm package `mermaid`, with jsdom for the DOM it expects;
# no browser) for the test that parses every mermaid diagram the Markdown report draws
# (tests/it/flows.rs). Idempotent: does nothing when the pinned versions are there. Prints the
# directory to set as CORS_DOCTOR_MERMAID.
set -euo pipefail
DIR="${CORS_DOCTOR_MERMAID:-/var/tmp/cdt-mermaid}"
MERMAID=11.17.2
JSDOM=24.1.3
installed() {
    node -e "process.exit(require('$DIR/node_modules/mermaid/package.json').version === '$MERMAID' && require('$DIR/node_modules/jsdom/package.json').version === '$JSDOM' ? 0 : 1)" 2>/dev/null
}
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "install-mermaid: no node/npm and no apt-get here" >&2
        exit 1
    fi
fi
if ! installed; then
    mkdir -p "$DIR"
    (cd "$DIR" && npm install --no-audit --no-fund --no-save --silent "mermaid@$MERMAID" "jsdom@$JSDOM" >/dev/null)
fi
installed
echo "$DIR"
