#!/usr/bin/env bash
# Installs the module's npm dependencies (Backstage's CLI, scaffolder and
# GitLab module) once per lockfile and Node.js major version into a cache
# outside the clone, and prints the node_modules directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/tools/lib.sh
source "$here/../../hack/tools/lib.sh"

key="$(cat "$here/package-lock.json" "$here/.npmrc" | sha256sum | cut -c1-16)-node$(node -p 'process.versions.node.split(".")[0]')"
dir="$IDP_CACHE/scaffolder-actions-node-$key"
install() {
  echo "installing the module's npm dependencies into $dir" >&2
  cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$1/"
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error) >&2
}
cached "$dir" install
echo "$dir/node_modules"
