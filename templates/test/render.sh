#!/usr/bin/env bash
# Renders every template as Backstage's scaffolder does (render-templates.js)
# into OUTDIR, whose manifest.json names each rendered app's repositories.
#
#   templates/test/render.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NODE_PATH=$("$here/install-harness.sh")
export NODE_PATH
node "$here/render-templates.js" --templates "$here/.." --out "$1"
