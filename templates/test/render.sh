#!/usr/bin/env bash
# Renders every template as Backstage's scaffolder does (render-templates.js,
# against the GitLab stand-in) into OUTDIR, whose manifest.json names each
# rendered app's repositories.
#
#   templates/test/render.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=$(mktemp -d "${TMPDIR:-/tmp}/render-peers.XXXXXX")
trap 'rm -rf "$peers"' EXIT
"$here/build-peers.sh" "$peers" >&2
NODE_PATH=$("$here/install-harness.sh")
export NODE_PATH IDP_SCAFFOLDER_ACTIONS="$peers/scaffolder-actions/dist/index.cjs.js"
node "$here/render-templates.js" --templates "$here/.." --out "$1" --gitlabfake "$peers/bin/gitlabfake"
