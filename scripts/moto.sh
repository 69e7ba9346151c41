#!/usr/bin/env bash
# Starts moto's server (an emulator of the AWS control plane) on 127.0.0.1 for the SDK tests.
# Idempotent: creates the virtual environment if missing, installs moto[server]==5.2.5 and the
# AWS CLI (v1, awscli==1.46.3: pure Python, a few MB; the tests run every printed fix through
# it) and the validators (cfn-lint==1.58.0: the template fixtures and the snippets;
# python-hcl2==8.1.4: tests/it/snippets.rs runs scripts/validate_snippets.py with this venv's
# Python), starts the server in the background and waits until it answers.
# Prints "MOTO_ENDPOINT=http://127.0.0.1:PORT", "MOTO_PID=PID" and "MOTO_AWS_CLI=PATH" (the
# venv's `aws`) on stdout.
# Env: CORS_DOCTOR_VENV (default /var/tmp/cors-doctor-venv), MOTO_PORT (default: a free port),
#      MOTO_LOG (default $CORS_DOCTOR_VENV/moto.log).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CORS_DOCTOR_VENV:-/var/tmp/cors-doctor-venv}"
pin='moto[server]==5.2.5'
# awscli 1.x pins botocore exactly; installed together with moto, pip picks a boto3 that agrees.
cli_pin='awscli==1.46.3'
# The validators: cfn-lint (tests/it/templates.rs checks the template fixtures, tests/it/snippets.rs
# the snippets; it is also one of moto's own dependencies: pinned here to the version the tests
# were written against) and python-hcl2 (the Terraform snippets).
lint_pins=(cfn-lint==1.58.0 python-hcl2==8.1.4)
py="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "moto.sh: creating $venv" >&2
    if command -v uv >/dev/null 2>&1; then uv venv -q "$venv" >&2; else "$py" -m venv "$venv" >&2; fi
fi
if ! "$venv/bin/python" -c 'import moto, flask, awscli, sys; sys.exit(moto.__version__ != "5.2.5" or awscli.__version__ != "1.46.3")' 2>/dev/null \
    || ! "$venv/bin/python" -c 'import hcl2, sys; from importlib.metadata import version; sys.exit(version("cfn-lint") != "1.58.0" or version("python-hcl2") != "8.1.4")' 2>/dev/null; then
    echo "moto.sh: installing $pin $cli_pin ${lint_pins[*]} into $venv" >&2
    if command -v uv >/dev/null 2>&1; then
        uv pip install -q --python "$venv/bin/python" "$pin" "$cli_pin" "${lint_pins[@]}" >&2
    else
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "$pin" "$cli_pin" "${lint_pins[@]}" >&2
    fi
fi

port="${MOTO_PORT:-}"
if [ -z "$port" ]; then
    port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
fi
log="${MOTO_LOG:-$venv/moto.log}"
# No AWS credentials or metadata lookups from the emulator either.
AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    nohup "$venv/bin/python" "$here/moto_server.py" -H 127.0.0.1 -p "$port" >"$log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 100); do
    if "$venv/bin/python" - "$port" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1).read()
PY
    then
        echo "MOTO_ENDPOINT=http://127.0.0.1:$port"
        echo "MOTO_PID=$pid"
        echo "MOTO_AWS_CLI=$venv/bin/aws"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.2
done
echo "moto.sh: moto did not start on 127.0.0.1:$port; see $log" >&2
tail -20 "$log" >&2 || true
kill "$pid" 2>/dev/null || true
exit 1
