#!/usr/bin/env bash
# Builds kube-router (the NetworkPolicy enforcer of the test cluster) from the
# Go module proxy into $IDP_CACHE/kube-router-<version>/kube-router and prints
# that path. A warm cache costs nothing; a cold one took 171 s wall-clock
# (about 140 CPU-s, module downloads included) on a 2-core machine busy with
# another Go build.
#
# Only v2.1.0 is served by the proxy (v2.2.0 and v2.5.0 are refused). It has
# security advisories against it: fine for a test-only enforcer on loopback,
# never for the product. Its go.mod has no replace directives, so a plain
# `go install module/cmd@version` works (no writable copy of the source needed).
#
# Usage: hack/tools/kube-router.sh
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

KUBE_ROUTER_VERSION=${KUBE_ROUTER_VERSION:-v2.1.0}
module=github.com/cloudnativelabs/kube-router/v2
out="$IDP_CACHE/kube-router-$KUBE_ROUTER_VERSION"

build() {
  local dest=$1 start=$SECONDS
  # CGO off as in kube-router's own Makefile: a static binary, no libc coupling.
  # The version variable is what `kube-router --version` reports.
  CGO_ENABLED=0 GOBIN="$dest" go install -trimpath \
    -ldflags "-s -w -X $module/pkg/version.Version=$KUBE_ROUTER_VERSION" \
    "$module/cmd/kube-router@$KUBE_ROUTER_VERSION" >&2
  echo "kube-router: built $KUBE_ROUTER_VERSION in $((SECONDS - start)) s" >&2
}

cached "$out" build
echo "$out/kube-router"
