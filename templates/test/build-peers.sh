#!/usr/bin/env bash
# Builds what the template harness runs the templates against, into OUTDIR:
#   OUTDIR/bin/gitlabfake                       the project's GitLab stand-in
#   OUTDIR/scaffolder-actions/dist/index.cjs.js the platform's scaffolder module
#     (templates/scaffolder-actions), built as a Backstage backend installs it,
#     in a copy so the clone stays clean
# Usage: templates/test/build-peers.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$1
mkdir -p "$out/bin" "$out/scaffolder-actions"

(cd "$root" && go build -o "$out/bin/gitlabfake" ./internal/gitlabfake/cmd/gitlabfake)

src=$root/templates/scaffolder-actions
dir=$out/scaffolder-actions
cp -r "$src/package.json" "$src/tsconfig.json" "$src/config.d.ts" "$src/src" "$src/scripts" "$dir/"
ln -sfn "$("$src/install.sh")" "$dir/node_modules"
cd "$dir"
node_modules/.bin/tsc --noEmit false --declaration --emitDeclarationOnly
node_modules/.bin/backstage-cli package build
