#!/usr/bin/env bash
# Installs staticcheck into a cache outside the clone, keyed by version, and
# prints the binary's path.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}
dir="$IDP_CACHE/staticcheck-$STATICCHECK_VERSION"
build() { GOBIN="$1" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" >&2; }
cached "$dir" build
echo "$dir/staticcheck"
