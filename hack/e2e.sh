#!/usr/bin/env bash
# End-to-end on loopback: a real kube-apiserver, Argo CD's real
# ApplicationSet controller (built from Argo CD's Go module, cached), the
# plugin generator and the fake GitLab. Prints the commit-to-Application
# times with and without the GitLab webhook.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
IDP_KUBE_ASSETS=$("$root/hack/tools/kube.sh")
IDP_CRDS=$("$root/hack/tools/crds.sh")
IDP_ARGOCD_BIN=$("$root/hack/tools/argocd.sh")
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/cmp" "$root/cmp"
IDP_CMP_BIN="$bin/cmp"
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; } >&2
export IDP_KUBE_ASSETS IDP_CRDS IDP_ARGOCD_BIN IDP_CMP_BIN
cd "$root/hack"
go test -tags e2e -count=1 -timeout 20m -v ./e2e "$@"
