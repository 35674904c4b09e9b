#!/usr/bin/env bash
# Builds Prometheus' promtool (`promtool check rules`, `promtool test rules`)
# from the Go module proxy into $IDP_CACHE/promtool-<version>/promtool and
# prints that path. A warm cache costs nothing; a cold one took 290 s
# wall-clock (about 370 CPU-s, module downloads included) on a 2-core machine
# busy with other work. The stripped binary is about 84 MB: promtool links
# every service-discovery plugin, as Prometheus' own build does, so that
# `promtool check config` accepts any *_sd_configs.
#
# Prometheus 3.x publishes its Go module as v0.3MM.P for release 3.MM.P:
# v0.316.0 is Prometheus 3.16.0 (the module's VERSION file says 3.16.0). Its
# go.mod has no replace directives, so a plain `go install module/cmd@version`
# works (no writable copy of the source needed); it requires Go >= 1.26.7.
#
# Usage: hack/tools/promtool.sh      check: "$(hack/tools/promtool.sh)" --version
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

PROMTOOL_VERSION=${PROMTOOL_VERSION:-v0.316.0}
module=github.com/prometheus/prometheus
out="$IDP_CACHE/promtool-$PROMTOOL_VERSION"

build() {
  local dest=$1 start=$SECONDS rest mm release ldflags
  # v0.316.0 -> 3.16.0, what `promtool --version` reports.
  rest=${PROMTOOL_VERSION#v0.}
  mm=${rest%%.*}
  release=$((10#$mm / 100)).$((10#$mm % 100)).${rest#*.}
  # Version variables that Prometheus' release build (.promu.yml) sets. The
  # module zip carries no git metadata, so the revision is the module version;
  # BuildUser and BuildDate stay empty so that the binary is reproducible.
  ldflags="-s -w"
  ldflags+=" -X github.com/prometheus/common/version.Version=$release"
  ldflags+=" -X github.com/prometheus/common/version.Revision=$PROMTOOL_VERSION"
  ldflags+=" -X github.com/prometheus/common/version.Branch=HEAD"
  # CGO off and the netgo tag as in Prometheus' release build: a static binary.
  # (Its other tag, builtinassets, only embeds the web UI, which promtool does not import.)
  CGO_ENABLED=0 GOBIN="$dest" go install -trimpath -tags netgo -ldflags "$ldflags" \
    "$module/cmd/promtool@$PROMTOOL_VERSION" >&2
  echo "promtool: built $PROMTOOL_VERSION (Prometheus $release) in $((SECONDS - start)) s" >&2
}

cached "$out" build
echo "$out/promtool"
