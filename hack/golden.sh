#!/usr/bin/env bash
# The golden path as one test, on a real cluster that runs real pods
# (hack/cluster.sh): a developer's Node.js service, rendered by the
# Backstage template, built into an image, committed to a new GitOps
# project, discovered by the plugin generator (pods, with its tokens from
# the real External Secrets controller), synced by Argo CD, and checked as
# the README's smoke test says, one line per check:
#
#   smoke N: <what>: ok        or        smoke N: <what>: FAIL: <why>
#
# The cluster is torn down whatever happens, and teardown proves the
# machine is as it was (hack/cluster.sh down).
#
#   hack/golden.sh [go test flags]
#
# IDP_GOLDEN_CLUSTER=DIR uses the cluster already running in DIR and leaves
# it up (for working on the test; the test itself is not safe to re-run on
# the same cluster).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d "${TMPDIR:-/tmp}/idp-golden.XXXXXX")
cluster=${IDP_GOLDEN_CLUSTER:-$work/cluster}
down() {
  local rc=$?
  [[ -n ${IDP_GOLDEN_CLUSTER:-} ]] || hack/cluster.sh down "$cluster" || rc=1
  rm -rf "$work"
  exit "$rc"
}
trap down EXIT

step() { printf '\n== %s\n' "$*" >&2; }

step "peers (cached outside the clone)"
IDP_ARGOCD_BIN=$(hack/tools/argocd.sh)
IDP_ESO_BIN=$(hack/tools/eso.sh)
IDP_CRDS=$(hack/tools/crds.sh)
export IDP_ARGOCD_BIN IDP_ESO_BIN IDP_CRDS
hack/tools/debian.sh redis-server git

step "the template, rendered by Backstage's scaffolder"
rendered=$work/rendered
templates/test/render.sh "$rendered" >"$work/render.log" || { cat "$work/render.log" >&2; exit 1; }
# The Node.js template's app: its image builds here from Debian's Node.js.
app_dir=$(node -p 'require(process.argv[1]).find((m) => m.template === "nodejs-service").app' "$rendered/manifest.json")
gitops_dir=$(node -p 'require(process.argv[1]).find((m) => m.template === "nodejs-service").gitops' "$rendered/manifest.json")
[[ -d $app_dir && -d $gitops_dir ]] || { echo "no rendered app under $rendered" >&2; exit 1; }

step "the cluster"
[[ -n ${IDP_GOLDEN_CLUSTER:-} ]] || hack/cluster.sh up "$cluster"
# shellcheck source=/dev/null
source "$cluster/env"

step "images: the app from its rendered skeleton, the generator from its binary"
mkdir -p "$work/bin" "$work/images"
CGO_ENABLED=0 go build -trimpath -o "$work/bin/plugin-generator" ./plugin-generator
go build -o "$work/bin/cmp" ./cmp
# Two builds of the app, as its pipeline tags them (the commit SHA): the
# first pipeline's and the next one's.
repo=$(sed -n 's/^  image: //p' "$gitops_dir/app.yaml")
repo=${repo%:*}
images=("$repo:$(printf '1%.0s' {1..40})" "$repo:$(printf '2%.0s' {1..40})")
# Through a file, not a process substitution, whose failure bash ignores.
hack/cluster/images.sh app "$work/images" "${images[0]}" "$app_dir" >"$work/images.list"
hack/cluster/images.sh binary "$work/images" idp.local/plugin-generator:e2e "$work/bin/plugin-generator" "$IDP_CLUSTER_CA" >>"$work/images.list"
while IFS= read -r line; do
  hack/cluster.sh import "$cluster" "${line#*=}" "${line%%=*}"
done <"$work/images.list"
ctr --address "$IDP_CLUSTER_CONTAINERD" -n k8s.io images tag "${images[0]}" "${images[1]}" >/dev/null

step "the golden path"
export IDP_CMP_BIN=$work/bin/cmp IDP_APP_IMAGES="${images[*]}" IDP_GITOPS_DIR=$gitops_dir
(cd hack && go test -tags cluster -count=1 -timeout 30m -v ./golden "$@") | tee "$work/golden.out"
if grep -q '^smoke .*FAIL' "$work/golden.out"; then
  echo "golden path: a smoke check failed" >&2
  exit 1
fi
