#!/usr/bin/env bash
# Type-checks every CDK TypeScript snippet cors-doctor renders with `tsc --strict` against
# aws-cdk-lib v2 from npm. Not part of CI: the npm install is about 210 MB.
#
# It installs aws-cdk-lib@2.276.0, constructs@10.8.1 and typescript@5.9.3 into
# $CORS_DOCTOR_CDK_DIR (default /var/tmp/cors-doctor-cdk; once), runs the snippet tests
# (tests/it/snippets.rs) with CORS_DOCTOR_SNIPPETS_DIR set so they write every snippet they
# render (hand-built change sets and every scenario's remedies), and compiles the .cdk.ts ones.
# Exit status: 0 every snippet type-checks; non-zero otherwise (tsc's errors name the file).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cdt}"
cdk_dir="${CORS_DOCTOR_CDK_DIR:-/var/tmp/cors-doctor-cdk}"
pins=(aws-cdk-lib@2.276.0 constructs@10.8.1 typescript@5.9.3)

mkdir -p "$cdk_dir"
if ! (cd "$cdk_dir" && node -e '
  const v = (p) => require(p + "/package.json").version;
  process.exit(v("aws-cdk-lib") === "2.276.0" && v("constructs") === "10.8.1" && v("typescript") === "5.9.3" ? 0 : 1)' 2>/dev/null); then
    echo "check-cdk-snippets: installing ${pins[*]} into $cdk_dir" >&2
    [ -f "$cdk_dir/package.json" ] || echo '{ "name": "cors-doctor-cdk-check", "private": true, "version": "0.0.0" }' >"$cdk_dir/package.json"
    (cd "$cdk_dir" && npm install --no-audit --no-fund --ignore-scripts "${pins[@]}" >&2)
fi

out="$cdk_dir/snippets"
rm -rf "$out"
mkdir -p "$out"
CORS_DOCTOR_SNIPPETS_DIR="$out" cargo test --locked --test it snippets:: >&2

shopt -s nullglob
files=("$out"/*.cdk.ts)
if [ "${#files[@]}" -eq 0 ]; then
    echo "check-cdk-snippets: the tests wrote no CDK snippet into $out" >&2
    exit 1
fi
cat >"$out/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2020",
    "module": "commonjs",
    "moduleResolution": "node",
    "strict": true,
    "noEmit": true,
    "noUnusedLocals": true,
    "skipLibCheck": true,
    "types": []
  },
  "include": ["*.cdk.ts"]
}
EOF
echo "check-cdk-snippets: tsc --strict on ${#files[@]} snippets" >&2
(cd "$out" && "$cdk_dir/node_modules/.bin/tsc" -p tsconfig.json)
echo "check-cdk-snippets: ${#files[@]} CDK snippets type-check against aws-cdk-lib 2.276.0"
