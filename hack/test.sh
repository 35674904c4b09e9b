#!/usr/bin/env bash
# The project's test command, the one CI runs. On a fresh machine it first
# builds the real peers (etcd, kube-apiserver, kubectl; CRDs from their Go
# modules; staticcheck; kustomize; promtool) into ${IDP_CACHE:-$HOME/.cache/idp}, keyed by
# version, so later runs start in seconds. Then: gofmt, go vet, staticcheck,
# the product module's tests, the Argo CD tests in hack/, the template and
# Terraform checks, Backstage's own config check, the end-to-end run with
# Argo CD's own controllers, and the golden path on a real single-node
# cluster (hack/golden.sh).
#
#   hack/test.sh            everything
#   hack/test.sh go         only the Go modules
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
what=${1:-all}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

step() { printf '\n== %s\n' "$*" >&2; }

step "peers (cached outside the clone)"
IDP_KUBE_ASSETS=$(hack/tools/kube.sh)
IDP_CRDS=$(hack/tools/crds.sh)
staticcheck=$(hack/tools/staticcheck.sh)
IDP_KUSTOMIZE=$(hack/tools/kustomize.sh)
IDP_PROMTOOL=$(hack/tools/promtool.sh)
IDP_GRAFANA_OPERATOR=$(hack/tools/grafana-operator.sh) && export IDP_GRAFANA_OPERATOR
export IDP_KUBE_ASSETS IDP_CRDS IDP_KUSTOMIZE IDP_PROMTOOL

step "shellcheck"
hack/tools/debian.sh shellcheck
shellcheck -x .ci/run hack/*.sh hack/tools/*.sh hack/cluster/*.sh templates/test/*.sh

step "gofmt, go vet, staticcheck"
unformatted=$(git ls-files -z '*.go' | xargs -0 gofmt -l)
if [[ -n $unformatted ]]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
"$staticcheck" ./...
(cd hack && go vet ./... && go vet -tags e2e ./e2e && go vet -tags cluster ./golden && "$staticcheck" ./... && "$staticcheck" -tags cluster ./golden)

step "go test (product module)"
go test -json -count=1 ./... >"$log/root.json" || { grep -v '"Action":"output"' "$log/root.json" | grep '"Action":"fail"' >&2 || true; go test -count=1 ./... >&2 || true; exit 1; }
step "go test (hack: Argo CD's own code)"
(cd hack && go test -json -count=1 ./...) >"$log/hack.json" || { (cd hack && go test -count=1 ./... >&2) || true; exit 1; }

passed=$(cat "$log"/*.json | grep -c '"Action":"pass","Package":"[^"]*","Test"' || true)
failed=$(cat "$log"/*.json | grep -c '"Action":"fail","Package":"[^"]*","Test"' || true)
skipped=$(cat "$log"/*.json | grep -c '"Action":"skip","Package":"[^"]*","Test"' || true)
printf 'go tests: %s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped" >&2

# The other suites end with "N passed, M failed"; their counts join the total.
if [[ $what == all ]]; then
  step "hack/e2e.sh (Argo CD's controllers, end to end)"
  hack/e2e.sh | tee "$log/e2e.out"
  passed=$((passed + $(grep -c -- '^--- PASS' "$log/e2e.out" || true)))
  step "hack/golden.sh (the golden path on a real cluster)"
  hack/golden.sh | tee "$log/golden.out"
  passed=$((passed + $(grep -c -E '^smoke [0-9]+: .*: ok$' "$log/golden.out" || true)))
  for check in hack/test-templates.sh hack/test-terraform.sh hack/check-backstage-config.sh; do
    step "$check"
    "$check" | tee "$log/suite.out"
    counts=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log/suite.out" | tail -1)
    passed=$((passed + ${counts%% passed*}))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$counts")))
  done
fi
printf '\nall: %s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
