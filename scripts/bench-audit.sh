#!/usr/bin/env bash
# Benchmark: `cors-doctor audit` against moto (its own instance, loopback only).
#   1. 50 -> 100 -> 200 REST APIs of RESOURCES resources each (one MOCK GET per resource, one
#      stage): AWS calls made and wall time at an unthrottled rate, to show both grow linearly.
#   2. LAT_APIS REST APIs with 100 ms of latency injected into every moto answer and a rate
#      limit of 10 calls/s (API Gateway's quota; default burst 40): the wall time must be
#      within 20 % of calls / rate.
#
#   scripts/bench-audit.sh                 # release build (PROFILE=dev for the debug build)
#   RESOURCES=100 LAT_APIS=200 scripts/bench-audit.sh     # the issue's size
#   BIN=/path/to/cors-doctor scripts/bench-audit.sh       # a binary built before (no cargo build)
# Measured (30 Nov 2026, debug build, 2 shared cores, RESOURCES=100 LAT_APIS=200):
#   50 / 100 / 200 APIs: 252 / 502 / 1002 calls, 18.6 / 38.7 / 81.0 s unthrottled (linear);
#   200 APIs, 100 ms per call, --rate 10: 1002 calls in 98.5 s, calls/rate 100.2 s (ratio 0.98).
#   Seeding 200 x 100 resources in moto took 88 + 106 + 279 s with 4 clients.
# Env: GROWTH (default "50 100 200"), SEED_JOBS (default 4: parallel seeding clients).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
PROFILE="${PROFILE:-release}"
RESOURCES="${RESOURCES:-10}"
LAT_APIS="${LAT_APIS:-100}"
LATENCY_MS="${LATENCY_MS:-100}"
RATE="${RATE:-10}"
REGION=us-west-2
GROWTH="${GROWTH:-50 100 200}"
SEED_JOBS="${SEED_JOBS:-4}"
if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  cargo build --quiet --profile "$PROFILE"
  dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
  bin="$CARGO_TARGET_DIR/$dir/cors-doctor"
fi
venv="${CORS_DOCTOR_VENV:-/var/tmp/cors-doctor-venv}"

export MOTO_LOG="${TMPDIR:-/tmp}/bench-audit-moto.$$.log"
env_out=$(scripts/moto.sh)
eval "$(echo "$env_out" | sed 's/^/export /')"
trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN || true

# Creates REST APIs until the Region has $1 (names bench-N), $RESOURCES resources each.
seed() {
  local t0=$SECONDS
  "$venv/bin/python" - "$MOTO_ENDPOINT" "$REGION" "$1" "$RESOURCES" "$SEED_JOBS" <<'PY'
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
ep, region, want, nres, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
have = len(boto3.client("apigateway", endpoint_url=ep, region_name=region).get_rest_apis(limit=500)["items"])
def one(n):
    c = boto3.session.Session().client("apigateway", endpoint_url=ep, region_name=region)
    api = c.create_rest_api(name=f"bench-{n}")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    for r in range(nres):
        rid = c.create_resource(restApiId=api, parentId=root, pathPart=f"r{r}")["id"]
        c.put_method(restApiId=api, resourceId=rid, httpMethod="GET", authorizationType="NONE")
        c.put_integration(restApiId=api, resourceId=rid, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
        c.put_method_response(restApiId=api, resourceId=rid, httpMethod="GET", statusCode="200")
        c.put_integration_response(restApiId=api, resourceId=rid, httpMethod="GET", statusCode="200")
    c.create_deployment(restApiId=api, stageName="prod")
with ThreadPoolExecutor(max_workers=jobs) as pool:
    list(pool.map(one, range(have, want)))
PY
  echo "   (seeded $1 APIs x $RESOURCES resources in $((SECONDS - t0)) s)" >&2
}

# Runs the audit; prints "apis calls wall_ms throttles".
run() {
  "$bin" audit --region "$REGION" --endpoint-url "$MOTO_ENDPOINT" --format json --quiet "$@" \
    | "$venv/bin/python" -c 'import json,sys; r=json.load(sys.stdin); print(len(r["apis"]), r["aws_calls"], r["wall_time_ms"], r["throttles"])' \
    || true
}

echo "== growth: REST APIs x $RESOURCES resources, unthrottled (--rate 100000)"
printf '%6s %8s %10s %12s %12s\n' apis calls wall_ms calls/api wall_ms/api
for n in $GROWTH; do
  seed "$n"
  read -r apis calls wall thr < <(run --rate 100000 --burst 100000)
  printf '%6s %8s %10s %12s %12s\n' "$apis" "$calls" "$wall" \
    "$(awk -v c="$calls" -v a="$apis" 'BEGIN{printf "%.2f", c/a}')" \
    "$(awk -v w="$wall" -v a="$apis" 'BEGIN{printf "%.0f", w/a}')"
done

echo "== $LAT_APIS REST APIs, ${LATENCY_MS} ms per call, --rate $RATE (default burst 40)"
"$venv/bin/python" - "$MOTO_ENDPOINT" "$REGION" "$LAT_APIS" <<'PY'
import sys, boto3
ep, region, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = boto3.client("apigateway", endpoint_url=ep, region_name=region)
for a in c.get_rest_apis(limit=500)["items"][keep:]:
    c.delete_rest_api(restApiId=a["id"])
PY
curl -fsS "$MOTO_ENDPOINT/cors-doctor/latency/$LATENCY_MS" >/dev/null
read -r apis calls wall thr < <(run --rate "$RATE")
ideal=$(awk -v c="$calls" -v r="$RATE" 'BEGIN{printf "%d", c/r*1000}')
ratio=$(awk -v w="$wall" -v i="$ideal" 'BEGIN{printf "%.3f", w/i}')
echo "apis=$apis calls=$calls wall_ms=$wall calls/rate_ms=$ideal ratio=$ratio throttles=$thr"
if awk -v x="$ratio" 'BEGIN{exit !(x >= 0.8 && x <= 1.2)}'; then
  echo "OK: wall time within 20 % of calls / rate"
else
  echo "FAIL: wall time not within 20 % of calls / rate"; exit 1
fi
