#!/usr/bin/env bash
# Rewrites the Go skeleton's go.mod and go.sum after its imports or
# requirements changed (`go mod tidy` through the Go module proxy):
#   templates/go-service/tidy-skeleton.sh
# go.mod's module line is a template expression, which the go command cannot
# read, so tidying runs on a copy with a plain module path, and the line is
# put back.
set -euo pipefail

skeleton="$(cd "$(dirname "${BASH_SOURCE[0]}")/skeleton" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

module_line="$(head -n 1 "$skeleton/go.mod")"
[[ $module_line == module\ * ]] || { echo "go.mod does not start with its module line" >&2; exit 1; }
cp "$skeleton"/*.go "$skeleton/go.sum" "$tmp/"
{ echo "module example.com/tidy-placeholder"; tail -n +2 "$skeleton/go.mod"; } >"$tmp/go.mod"
(cd "$tmp" && go mod tidy)
{ echo "$module_line"; tail -n +2 "$tmp/go.mod"; } >"$skeleton/go.mod"
cp "$tmp/go.sum" "$skeleton/go.sum"
echo "wrote $skeleton/go.mod and go.sum"
