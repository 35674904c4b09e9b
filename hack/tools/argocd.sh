#!/usr/bin/env bash
# Builds Argo CD's all-in-one binary (it dispatches on its name or
# ARGOCD_BINARY_NAME: argocd-applicationset-controller, argocd-repo-server,
# argocd-cmp-server, argocd-application-controller) from the hack module,
# whose go.mod carries the replace directives Argo CD needs, into a cache
# outside the clone keyed by version, and prints the binary's path.
set -euo pipefail

ARGOCD_VERSION=${ARGOCD_VERSION:-v3.5.7}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="${IDP_CACHE:-$HOME/.cache/idp}/argocd-$ARGOCD_VERSION"
if [[ ! -x $out/argocd ]]; then
  mkdir -p "$out.partial"
  (cd "$root/hack" && go build -trimpath -ldflags "-s -w -X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}" \
    -o "$out.partial/argocd" github.com/argoproj/argo-cd/v3/cmd) >&2
  rm -rf "$out"
  mv "$out.partial" "$out"
fi
# The repo-server runs Argo CD's git-verify-wrapper.sh from PATH on every
# manifest generation; Argo CD's image ships it, so it goes beside the binary.
if [[ ! -x $out/git-verify-wrapper.sh ]]; then
  dir=$(cd "$root/hack" && go mod download -json "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  install -m 0755 "$dir/hack/git-verify-wrapper.sh" "$out/git-verify-wrapper.sh"
fi
echo "$out/argocd"
