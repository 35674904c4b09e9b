#!/usr/bin/env bash
# Builds helm, the benchmark peer of cmp, from the Go module proxy into a
# cache outside the clone, keyed by version, and prints the binary's path.
# (kustomize comes from hack/tools/kustomize.sh.)
set -euo pipefail

HELM_VERSION=${HELM_VERSION:-v3.22.0}
dir="${IDP_CACHE:-$HOME/.cache/idp}/helm-$HELM_VERSION"
if [[ ! -x $dir/helm ]]; then
  rm -rf "$dir.partial"
  GOBIN="$dir.partial" go install -trimpath -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
fi
echo "$dir/helm"
