#!/usr/bin/env bash
# Installs the template harness's npm dependencies (Backstage's scaffolder,
# gitlab-ci-local) once per lockfile and Node.js major version into a cache
# outside the clone, and prints the node_modules directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/tools/lib.sh
source "$here/../../hack/tools/lib.sh"

key="$(sha256sum <"$here/package-lock.json" | cut -c1-16)-node$(node -p 'process.versions.node.split(".")[0]')"
dir="$IDP_CACHE/templates-node-$key"
install() {
  echo "installing the harness's npm dependencies into $dir" >&2
  cp "$here/package.json" "$here/package-lock.json" "$1/"
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error) >&2
}
cached "$dir" install
echo "$dir/node_modules"
