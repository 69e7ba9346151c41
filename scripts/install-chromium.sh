#!/usr/bin/env bash
# Installs Debian's Chromium for the real-browser retest and its differential suite
# (tests/it/browser_differential/). Idempotent: does nothing when Chromium is already there.
# Only Debian's package archive is used; Chromium itself never downloads anything here.
set -euo pipefail
if [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; then
    exit 0
fi
if [ -x /usr/bin/chromium ] || [ -x /usr/lib/chromium/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no apt-get here; install Chromium and set CHROMIUM=/path/to/chromium" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
