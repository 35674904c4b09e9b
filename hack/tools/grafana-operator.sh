#!/usr/bin/env bash
# Builds the Grafana Operator (the controller manifests/platform/grafana-operator
# installs) from its Go module into a cache outside the clone, keyed by
# version, with the release's CRDs beside it in crds/ (the operator watches
# every kind it defines, so a test that runs it installs them all), and
# prints the binary's path. Its main package is the module root.
#
# `go install MOD@VER` fails here (it asks the proxy for the module's version
# list, which is refused), so it is built with go build inside a copy of the
# module. Two of its requirements, Grafana's github.com/grafana/grafana/apps/folder
# and .../pkg/apimachinery (and grafana-app-sdk beneath them), are not served
# either. Only the folder controller behind the FoldersUseNewAPI feature
# flag (off unless --feature-flags names it) imports them, for five symbols;
# the copy replaces both modules with a shim of those symbols that makes the
# operator exit at start if that flag is set. Every other line of the binary
# is the release's.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

GRAFANA_OPERATOR_VERSION=${GRAFANA_OPERATOR_VERSION:-v5.24.0}
# r2: with the CRDs; r3: stamped with its version, as the release's .ko.yaml does.
dir="$IDP_CACHE/grafana-operator-$GRAFANA_OPERATOR_VERSION-r3"

# shim WORK: the unserved modules as local replacements, and the release's
# go.mod without the requirements only they bring.
shim() {
  local work=$1
  mkdir -p "$work/.shim/folder/pkg/apis/folder/v1" "$work/.shim/apimachinery/utils"
  cat >"$work/.shim/folder/go.mod" <<'MOD'
module github.com/grafana/grafana/apps/folder

go 1.26

require k8s.io/apimachinery v0.36.1
MOD
  cat >"$work/.shim/folder/pkg/apis/folder/v1/folder.go" <<'GO'
// Package v1 stands in for Grafana's folder.grafana.app/v1 types, which the
// module proxy does not serve. Only the FoldersUseNewAPI folder controller
// uses them, and FolderKind stops the operator when that controller starts.
package v1

import (
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var GroupVersion = schema.GroupVersion{Group: "folder.grafana.app", Version: "v1"}

type kind struct{}

func (kind) Kind() string { return "Folder" }

func (kind) GroupVersionResource() schema.GroupVersionResource {
	return GroupVersion.WithResource("folders")
}

// FolderKind is called when the FoldersUseNewAPI controller is set up.
func FolderKind() kind {
	os.Stderr.WriteString("this build lacks github.com/grafana/grafana/apps/folder: FoldersUseNewAPI is unavailable\n")
	os.Exit(2)
	return kind{}
}

type Spec struct{ Title string }

type Folder struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec `json:"spec"`
}

func NewFolder() *Folder { return &Folder{} }

func (f *Folder) DeepCopyObject() runtime.Object {
	c := *f
	f.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}
GO
  cat >"$work/.shim/apimachinery/go.mod" <<'MOD'
module github.com/grafana/grafana/pkg/apimachinery

go 1.26
MOD
  cat >"$work/.shim/apimachinery/utils/meta.go" <<'GO'
// Package utils holds the one constant of Grafana's apimachinery utils that
// the operator uses: the annotation naming a folder's parent.
package utils

const AnnoKeyFolder = "grafana.app/folder"
GO
  (cd "$work" &&
    go mod edit \
      -replace github.com/grafana/grafana/apps/folder=./.shim/folder \
      -replace github.com/grafana/grafana/pkg/apimachinery=./.shim/apimachinery \
      -droprequire github.com/grafana/grafana-app-sdk)
}

build() {
  local out=$1 src work rc=0
  src=$(moddir "github.com/grafana/grafana-operator/v5@$GRAFANA_OPERATOR_VERSION")
  [[ -d $src ]] || { echo "cannot download the Grafana Operator $GRAFANA_OPERATOR_VERSION" >&2; return 1; }
  work=$(mktemp -d)
  cp -R "$src/." "$work/"
  chmod -R u+w "$work"
  shim "$work"
  (cd "$work" && go build -mod=mod -trimpath \
    -ldflags "-s -w -X github.com/grafana/grafana-operator/v5/embeds.Version=$GRAFANA_OPERATOR_VERSION" -o "$out/grafana-operator" .) >&2 || rc=$?
  mkdir -p "$out/crds"
  cp "$src"/config/crd/bases/*.yaml "$out/crds/"
  chmod u+w "$out"/crds/*.yaml
  rm -rf "$work"
  return "$rc"
}

cached "$dir" build
echo "$dir/grafana-operator"
