#!/usr/bin/env bash
# Builds the benchmark peers (helm, kustomize) from the Go module proxy into a
# cache outside the clone, keyed by version, and prints the directory.
# kustomize v5.8.2 and later need Go 1.27; v5.8.1 is the newest for Go 1.26.
set -euo pipefail

HELM_VERSION=${HELM_VERSION:-v3.22.0}
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.1}
cache=${IDP_CACHE:-$HOME/.cache/idp}
out="$cache/peers-helm-$HELM_VERSION-kustomize-$KUSTOMIZE_VERSION"

if [[ -x $out/helm && -x $out/kustomize ]]; then
  echo "$out"
  exit 0
fi
mkdir -p "$out.partial"
[[ -x $out.partial/helm ]] || GOBIN="$out.partial" go install -trimpath -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
GOBIN="$out.partial" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
rm -rf "$out"
mv "$out.partial" "$out"
echo "$out"
