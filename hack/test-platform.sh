#!/usr/bin/env bash
# Checks manifests/platform, manifests/backstage, the Backstage config check
# and hack/deploy-backstage.sh: shellcheck and bash -n, the configs through
# the check command, then the Go tests (on the real kube-apiserver, and the
# deploy script's happy path through a real kustomize). Peers are built once
# into ${IDP_CACHE:-$HOME/.cache/idp}, keyed by version.
#
#   hack/test-platform.sh            everything (about 1 minute warm)
#   FUZZTIME=60s hack/test-platform.sh   also fuzz the config parser
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n== %s\n' "$*" >&2; }

step "peers (cached outside the clone)"
IDP_KUSTOMIZE=$(hack/tools/kustomize.sh)
IDP_KUBE_ASSETS=${IDP_KUBE_ASSETS:-$(hack/tools/kube.sh)}
IDP_CRDS=${IDP_CRDS:-$(hack/tools/crds.sh)}
export IDP_KUSTOMIZE IDP_KUBE_ASSETS IDP_CRDS

step "scripts: bash -n, shellcheck, no heredocs"
bash -n hack/deploy-backstage.sh
if command -v shellcheck >/dev/null; then
  shellcheck hack/deploy-backstage.sh hack/test-platform.sh
else
  echo "shellcheck not installed (apt-get install shellcheck): skipped" >&2
fi
if grep -n '<<' hack/deploy-backstage.sh; then
  echo "hack/deploy-backstage.sh uses heredoc syntax" >&2
  exit 1
fi

step "Backstage configs"
go run ./internal/backstageconfig/cmd/check manifests/backstage/app-config.production.yaml
go run ./internal/backstageconfig/cmd/check -development manifests/backstage/app-config.development.yaml

step "kustomize build (the CLI the deploy script uses)"
"$IDP_KUSTOMIZE" build manifests/platform >/dev/null
"$IDP_KUSTOMIZE" build manifests/backstage >/dev/null

step "go test"
go vet ./internal/backstageconfig/... ./manifests/
go test -count=1 ./internal/backstageconfig/...
go test -count=1 -run 'Platform' ./manifests/

if [[ -n ${FUZZTIME:-} ]]; then
  step "fuzz the config parser ($FUZZTIME)"
  go test -run '^$' -fuzz FuzzParse -fuzztime "$FUZZTIME" ./internal/backstageconfig/
fi
