#!/usr/bin/env bash
# Builds helm, the benchmark peer of cmp, from the Go module proxy into a
# cache outside the clone, keyed by version, and prints the binary's path.
# (kustomize comes from hack/tools/kustomize.sh.)
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

HELM_VERSION=${HELM_VERSION:-v3.22.0}
dir="$IDP_CACHE/helm-$HELM_VERSION"
build() { GOBIN="$1" go install -trimpath -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2; }
cached "$dir" build
echo "$dir/helm"
