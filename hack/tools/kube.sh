#!/usr/bin/env bash
# Builds Kubernetes from the Go module proxy into a cache outside the clone,
# keyed by version, and prints the directory: etcd, kube-apiserver and
# kubectl (what the API-server tests need), and kube-controller-manager,
# kube-scheduler, kubelet and kube-proxy (the node of hack/cluster.sh).
# A warm cache costs nothing; a cold one about 25 CPU-minutes.
#
# k8s.io/kubernetes replaces its staging modules with ./staging/..., which the
# module zip lacks, so a throw-away wrapper module maps each of them to its
# published version instead.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

KUBE_VERSION=${KUBE_VERSION:-v1.35.4}
ETCD_VERSION=${ETCD_VERSION:-v3.6.5}
out="$IDP_CACHE/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"
commands=(kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy)

build() {
  local dest=$1 work gomod staging minor ldflags
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  cd "$work"
  staging=v0.${KUBE_VERSION#v1.}
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  {
    printf 'module kubetools\n\ngo 1.25\n\n'
    printf 'require (\n\tk8s.io/kubernetes %s\n\tgo.etcd.io/etcd/server/v3 %s\n)\n\n' "$KUBE_VERSION" "$ETCD_VERSION"
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" |
      awk -v v="$staging" '{ printf "replace %s => %s %s\n", $1, $1, v }'
  } >go.mod
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n'
    printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "${commands[@]}"
    printf ')\n'
  } >tools.go
  go mod tidy >&2

  minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  done
  for cmd in "${commands[@]}"; do
    go build -trimpath -ldflags "$ldflags" -o "$dest/$cmd" "k8s.io/kubernetes/cmd/$cmd" >&2
  done
  go build -trimpath -ldflags "-s -w" -o "$dest/etcd" go.etcd.io/etcd/server/v3 >&2
}

cached "$out" build
echo "$out"
