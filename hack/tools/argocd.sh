#!/usr/bin/env bash
# Builds Argo CD's all-in-one binary (it dispatches on its name or
# ARGOCD_BINARY_NAME: argocd-applicationset-controller, argocd-repo-server,
# argocd-cmp-server, argocd-application-controller) from the hack module,
# whose go.mod carries the replace directives Argo CD needs, into a cache
# outside the clone keyed by version, and prints the binary's path.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

ARGOCD_VERSION=${ARGOCD_VERSION:-v3.5.7}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$IDP_CACHE/argocd-$ARGOCD_VERSION"

build() {
  (cd "$root/hack" && go build -trimpath -ldflags "-s -w -X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}" \
    -o "$1/argocd" github.com/argoproj/argo-cd/v3/cmd) >&2
  # The repo-server runs Argo CD's git-verify-wrapper.sh from PATH on every
  # manifest generation; Argo CD's image ships it, so it goes beside the binary.
  local src
  src=$(cd "$root/hack" && moddir "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION")
  install -m 0755 "$src/hack/git-verify-wrapper.sh" "$1/git-verify-wrapper.sh"
}

cached "$out" build
echo "$out/argocd"
