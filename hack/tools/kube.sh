#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kubectl from the Go module proxy into a
# cache outside the clone, keyed by version, and prints the directory.
# A warm cache costs nothing; a cold one about 20 CPU-minutes.
#
# k8s.io/kubernetes replaces its staging modules with ./staging/..., which the
# module zip lacks, so a throw-away wrapper module maps each of them to its
# published version instead.
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-v1.35.4}
ETCD_VERSION=${ETCD_VERSION:-v3.6.5}
cache=${IDP_CACHE:-$HOME/.cache/idp}
out="$cache/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"

if [[ -x $out/kube-apiserver && -x $out/kubectl && -x $out/etcd ]]; then
  echo "$out"
  exit 0
fi

staging=v0.${KUBE_VERSION#v1.}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
{
  printf 'module kubetools\n\ngo 1.25\n\n'
  printf 'require (\n\tk8s.io/kubernetes %s\n\tgo.etcd.io/etcd/server/v3 %s\n)\n\n' "$KUBE_VERSION" "$ETCD_VERSION"
  grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" |
    awk -v v="$staging" '{ printf "replace %s => %s %s\n", $1, $1, v }'
} >go.mod
printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n' >tools.go
go mod tidy >&2

minor=${KUBE_VERSION#v1.}
minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
done

mkdir -p "$out.partial"
go build -trimpath -ldflags "$ldflags" -o "$out.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
go build -trimpath -ldflags "$ldflags" -o "$out.partial/kubectl" k8s.io/kubernetes/cmd/kubectl >&2
go build -trimpath -ldflags "-s -w" -o "$out.partial/etcd" go.etcd.io/etcd/server/v3 >&2
rm -rf "$out"
mv "$out.partial" "$out"
echo "$out"
