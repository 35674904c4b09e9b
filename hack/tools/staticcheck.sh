#!/usr/bin/env bash
# Installs staticcheck into a cache outside the clone, keyed by version, and
# prints the binary's path.
set -euo pipefail

STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}
out="${IDP_CACHE:-$HOME/.cache/idp}/staticcheck-$STATICCHECK_VERSION"
if [[ ! -x $out/staticcheck ]]; then
  GOBIN="$out" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" >&2
fi
echo "$out/staticcheck"
