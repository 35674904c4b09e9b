#!/usr/bin/env bash
# Regenerates a Node skeleton's package-lock.json after its package.json changed:
#   templates/test/relock-node-skeleton.sh nodejs-service
# The rendered app installs with `npm ci`, which refuses a stale lockfile, and
# hack/test-templates.sh runs exactly that.
set -euo pipefail

skeleton="$(cd "$(dirname "${BASH_SOURCE[0]}")/../${1:?usage: relock-node-skeleton.sh TEMPLATE}/skeleton" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# package.json holds template expressions: give npm plain values instead.
sed -e 's/\${{ values.name }}/relock-placeholder/g' \
    -e 's/\${{ values.description | dump }}/""/g' \
    "$skeleton/package.json" >"$tmp/package.json"

# A clean user config keeps the `resolved` URLs in the lockfile (a ~/.npmrc
# with omit-lockfile-registry-resolved would drop them).
(cd "$tmp" && npm_config_userconfig=/dev/null npm install --package-lock-only --no-audit --no-fund)

sed 's/"relock-placeholder"/"${{ values.name }}"/' "$tmp/package-lock.json" >"$skeleton/package-lock.json"
echo "wrote $skeleton/package-lock.json"
