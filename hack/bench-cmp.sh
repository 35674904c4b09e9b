#!/usr/bin/env bash
# Times one whole-process render of the example app three ways, side by side
# in one run: `cmp generate` (what Argo CD runs), `helm template` of an
# equivalent chart, and `kustomize build` of an equivalent base. The chart and
# the base are made from cmp's own output, so all three emit the same objects.
# The floor is a Go process that only copies app.yaml to stdout: the least
# any Go render can cost.
#
#   hack/bench-cmp.sh            # prints a Markdown table and helm/cmp
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
helm=$("$root/hack/tools/helm.sh")
kustomize=$("$root/hack/tools/kustomize.sh")
if ! command -v hyperfine >/dev/null || ! command -v jq >/dev/null; then
  apt-get update -qq >&2 && apt-get install -y -qq hyperfine jq >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Built as cmp/Dockerfile builds the image's binary.
build() { CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" "$@"; }
build -o "$work/bin/cmp" "$root/cmp"
(cd "$root/hack" && build -o "$work/bin/floor" ./bench/floor)
PATH="$work/bin:$(dirname "$helm"):$(dirname "$kustomize"):$PATH"
export PATH

app="$work/app"
mkdir -p "$app"
cp "$root/examples/hello-world/app.yaml" "$app/app.yaml"
(cd "$app" && cmp generate) >"$work/rendered.yaml"

image=123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc
chart="$work/chart"
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: hello-world\nversion: 0.1.0\n' >"$chart/Chart.yaml"
printf 'name: hello-world\nowner: team-a\nimage: %s\nport: 3000\n' "$image" >"$chart/values.yaml"
# Literal {{ }} (the dashboard's legend formats) are escaped for helm first.
sed -e 's#{{#{{"{{"}}#g' -e "s#$image#{{ .Values.image }}#" \
  -e 's#"3000"#{{ .Values.port | quote }}#' -e 's#\b3000\b#{{ .Values.port }}#' \
  -e 's#hello-world#{{ .Values.name }}#g' -e 's#team-a#{{ .Values.owner }}#g' \
  "$work/rendered.yaml" >"$chart/templates/app.yaml"

base="$work/base"
mkdir -p "$base"
cp "$work/rendered.yaml" "$base/app.yaml"
printf 'resources:\n- app.yaml\nimages:\n- name: %s\n  newTag: 3f2a1bc\nlabels:\n- pairs:\n    app.kubernetes.io/part-of: hello-world\n' "${image%:*}" >"$base/kustomization.yaml"

# All three must emit the same number of objects, or the race is unfair.
count() { grep -c '^kind: ' || true; }
n_cmp=$(count <"$work/rendered.yaml")
n_helm=$(helm template hello-world "$chart" | count)
n_kust=$(kustomize build "$base" | count)
# Either peer disagreeing with cmp is an error.
# shellcheck disable=SC2055
if [[ $n_cmp != "$n_helm" || $n_cmp != "$n_kust" ]]; then
  echo "object counts differ: cmp $n_cmp, helm $n_helm, kustomize $n_kust" >&2
  exit 1
fi
echo "each render emits $n_cmp objects" >&2

# cmp generate reads ./app.yaml, as under Argo CD; run all four from there.
cd "$app"
hyperfine --style basic --warmup 5 --runs "${RUNS:-50}" -N \
  --export-markdown "$work/table.md" --export-json "$work/times.json" \
  -n "cmp generate" "cmp generate" \
  -n "helm template" "helm template hello-world $chart" \
  -n "kustomize build" "kustomize build $base" \
  -n "floor" "floor" >&2
cat "$work/table.md"
ratio=$(jq '.results | map({(.command): .mean}) | add | .["helm template"] / .["cmp generate"]' "$work/times.json")
printf '\nhelm template / cmp generate: %.1fx (means)\n' "$ratio"
