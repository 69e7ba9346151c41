#!/usr/bin/env bash
# Benchmark (issue 9, item 8): peak memory of an offline `check` on a large export. Generates
# an OpenAPI export with PATHS paths (default 115,000: about 60 MB, the size of the largest
# real exports; each path a Lambda proxy GET with a Cognito authorizer and a MOCK OPTIONS),
# runs `check --openapi` once under /usr/bin/time -v and compares the peak RSS with the goal:
# at most 10x the file size and at most 300 MB. Exit 1 when the goal is missed.
#
#   scripts/bench-memory.sh              # release build (PROFILE=dev for the debug build)
#   PATHS=20000 scripts/bench-memory.sh
#   FORMAT=yaml scripts/bench-memory.sh  # the same export written as block-style YAML
#   BIN=/path/to/cors-doctor scripts/bench-memory.sh  # a binary already built (no build)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
PROFILE="${PROFILE:-release}"
PATHS="${PATHS:-115000}"
FORMAT="${FORMAT:-json}"
case "$FORMAT" in json | yaml) ;; *) echo "FORMAT must be json or yaml" >&2; exit 2 ;; esac
if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  cargo build --quiet --profile "$PROFILE"
  dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
  bin="$CARGO_TARGET_DIR/$dir/cors-doctor"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$PATHS" "$FORMAT" > "$work/export.$FORMAT" <<'PY'
import json, sys
n = int(sys.argv[1])
paths = {}
for i in range(n):
    paths[f"/s{i // 1000}/items{i}/{{id}}"] = {
        "get": {"x-amazon-apigateway-integration": {
            "type": "aws_proxy", "httpMethod": "POST",
            "uri": f"arn:aws:lambda:us-east-1:123456789012:function:f{i}"}},
        "options": {
            "responses": {"200": {"description": ""}},
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                "responses": {"default": {"statusCode": "200", "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'*'"}}}}}}
doc = {"openapi": "3.0.1", "info": {"title": "big", "version": "1"}, "paths": paths,
       "components": {"securitySchemes": {"auth": {
           "type": "apiKey", "name": "Authorization", "in": "header",
           "x-amazon-apigateway-authtype": "cognito_user_pools",
           "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
               "providerARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/x"]}}}}}
if sys.argv[2] == "json":
    json.dump(doc, sys.stdout, separators=(",", ":"))
    sys.exit(0)
# YAML, block style down to the path items (flow style within them): plain scalars where YAML reads them as the same string, else JSON strings
# (valid YAML double-quoted scalars).
import re
def s(x):
    plain = isinstance(x, str) and re.fullmatch(r"[A-Za-z_/][A-Za-z0-9_./:-]*", x) \
        and not x.endswith(":") and x.lower() not in ("true", "false", "null", "yes", "no")
    return x if plain else json.dumps(x)
out = []
def emit(v, indent):
    for k, x in v.items():
        key = " " * indent + s(k) + ":"
        if isinstance(x, dict) and x and indent < 4:
            out.append(key)
            emit(x, indent + 2)
        elif isinstance(x, list):
            out.append(key)
            out.extend(" " * indent + "- " + s(i) for i in x)
        elif isinstance(x, dict):
            # Operations in flow style: the file stays below the 64 MiB an export may have.
            out.append(key + " " + json.dumps(x, separators=(",", ":")))
        else:
            out.append(key + " " + s(x))
emit(doc, 0)
sys.stdout.write("\n".join(out) + "\n")
PY
size=$(stat -c %s "$work/export.$FORMAT")
/usr/bin/time -v "$bin" check --openapi "$work/export.$FORMAT" --path /s5/items5000/abc \
  --origin https://app.example.com --format json >/dev/null 2>"$work/time.txt" || {
  status=$?
  [ "$status" -le 1 ] || { cat "$work/time.txt" >&2; exit "$status"; }
}
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
peak=$((peak_kb * 1024))
goal=$((size * 10))
[ "$goal" -gt $((300 * 1024 * 1024)) ] && goal=$((300 * 1024 * 1024))
awk -v n="$PATHS" -v fmt="$FORMAT" -v size="$size" -v peak="$peak" -v goal="$goal" -v wall="$elapsed" 'BEGIN {
  printf "export: %d paths, %s, %.1f MB\npeak RSS: %.1f MB (%.1fx the file), wall %s\ngoal: <= %.1f MB\n",
    n, fmt, size / 1048576, peak / 1048576, peak / size, wall, goal / 1048576 }'
if [ "$peak" -gt "$goal" ]; then
  echo "FAIL: peak memory above the goal"
  exit 1
fi
echo "ok"
