#!/usr/bin/env bash
# Checks the scaffolder module: installs its npm dependencies (cached by
# lockfile, see install.sh), checks that the name rules are those of
# appspec, type-checks (tsc, strict), lints (Backstage's ESLint config) and
# runs the Jest tests with Backstage's CLI: unit tests, and integration tests
# against the GitLab fake (built with go in Jest's global setup).
# Prints one PASS/FAIL line per check and test, then "N passed, M failed".
#
# Usage: templates/scaffolder-actions/test.sh [jest args...]
# Env:   IDP_CACHE (default ~/.cache/idp): where node_modules is cached.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/scaffolder-actions-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {
  local name=$1 log="$work/check.log"
  shift
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    tail -n 60 "$log" | sed 's/^/    | /'
  fi
}

# TypeScript and Jest resolve modules from the package folder, so the cached
# node_modules is linked there; a real node_modules folder is left alone.
modules=$("$here/install.sh")
if [ ! -d "$here/node_modules" ] || [ -L "$here/node_modules" ]; then
  ln -sfn "$modules" "$here/node_modules"
fi
cd "$here"
bin="$here/node_modules/.bin"

check "name rules are current with appspec (node scripts/name-rules.js --check)" node scripts/name-rules.js --check
check "tsc --noEmit (strict)" "$bin/tsc" --noEmit -p .
check "backstage-cli package lint" "$bin/backstage-cli" package lint --max-warnings 0

# config.d.ts is the schema `backstage-cli config:check` applies to the idp
# key. Other packages' schemas want keys an app has (app, backend), so only
# the errors under /idp count.
config_errors() {
  "$bin/backstage-cli" config:check --strict --config "$1" 2>&1 | grep ' at /idp' || true
}
config_accepted() { [ -z "$(config_errors testdata/app-config.good.yaml)" ]; }
config_refused() { config_errors testdata/app-config.bad.yaml | grep -q 'allowedValues=private,internal,public } at /idp/gitlab/visibility'; }
check "config:check accepts a valid idp key" config_accepted
check "config:check refuses idp.gitlab.visibility: secret" config_refused

# Backstage's package build: declarations from tsc, then the bundle, which
# must load as a backend feature.
build() {
  rm -rf dist dist-types
  "$bin/tsc" -p . --noEmit false --incremental false
  "$bin/backstage-cli" package build
  # shellcheck disable=SC2016 # $$type is JavaScript, not shell
  node -e 'const m = require("./dist/index.cjs.js"); if (m.default.$$type !== "@backstage/BackendFeature") process.exit(1)'
}
check "backstage-cli package build, and the bundle loads as a backend feature" build

results="$work/jest.json"
CI=true "$bin/backstage-cli" package test --ci --json --outputFile="$results" "$@" >"$work/jest.log" 2>&1 || true
if [ -s "$results" ]; then
  while IFS=$'\t' read -r status title; do
    case "$status" in
      passed) passed=$((passed + 1)) && echo "PASS $title" ;;
      failed) failed=$((failed + 1)) && echo "FAIL $title" ;;
      *) echo "SKIP $title ($status, not counted)" ;;
    esac
  done < <(node scripts/jest-summary.js "$results")
  grep -E '^(Tests|Time):' "$work/jest.log" | sed 's/^/    jest /' || true
fi
if ! grep -q '"numFailedTests":0' "$results" 2>/dev/null || ! grep -q '"success":true' "$results"; then
  echo "    jest output:"
  tail -n 80 "$work/jest.log" | sed 's/^/    | /'
  grep -q '"numFailedTests"' "$results" 2>/dev/null || failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
