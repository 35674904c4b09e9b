#!/usr/bin/env bash
# Builds the kustomize CLI (what hack/deploy-backstage.sh runs) into a cache
# outside the clone, keyed by version, and prints the binary's path.
# v5.8.2 and later need Go 1.27; v5.8.1 is the newest for Go 1.26.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.1}
dir="$IDP_CACHE/kustomize-$KUSTOMIZE_VERSION"
build() {
  (cd "$(mktemp -d)" && GOBIN="$1" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION") >&2
}
cached "$dir" build
echo "$dir/kustomize"
