#!/usr/bin/env bash
# Rewrites the Go skeleton's go.mod and go.sum after its imports or
# requirements changed (`go mod tidy` through the Go module proxy):
#   templates/go-service/tidy-skeleton.sh
# go.mod's module line is a template expression, which the go command cannot
# read, so tidying runs on a copy with a plain module path.
set -euo pipefail

skeleton="$(cd "$(dirname "${BASH_SOURCE[0]}")/skeleton" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2016 # the template's own expression, kept literal
module='${{ values.repoHost }}/${{ values.appGroup }}/${{ values.name }}'
cp "$skeleton"/*.go "$skeleton/go.mod" "$skeleton/go.sum" "$tmp/"
sed -i "s|^module .*|module example.com/tidy-placeholder|" "$tmp/go.mod"
(cd "$tmp" && go mod tidy)
sed "s|^module .*|module $module|" "$tmp/go.mod" >"$skeleton/go.mod"
cp "$tmp/go.sum" "$skeleton/go.sum"
echo "wrote $skeleton/go.mod and go.sum"
