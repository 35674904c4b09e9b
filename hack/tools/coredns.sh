#!/usr/bin/env bash
# Builds a minimal CoreDNS (the test cluster's DNS) from the Go module proxy
# into $IDP_CACHE/coredns-<version>/coredns and prints that path. A warm
# cache costs nothing; a cold one took 133 s wall-clock (about 100 CPU-s,
# module downloads included) on a 2-core machine busy with another Go build.
#
# CoreDNS's own main links some 60 plugins (cloud DNS providers, etcd, geoip,
# …). A throw-away module with its own main links only what an offline
# cluster's Corefile uses: bind, cache, errors, health, kubernetes,
# loadbalance, log, ready and reload. There is deliberately no forward (no
# upstream resolver is reachable here), so a Corefile with `forward` fails to
# load with "Unknown directive". (`coredns -plugins` also lists metadata,
# prometheus and transfer, which the kubernetes plugin links in; they are not
# directives here, so a Corefile cannot use them.)
#
# Usage: hack/tools/coredns.sh      check: "$(hack/tools/coredns.sh)" -plugins
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
out="$IDP_CACHE/coredns-$COREDNS_VERSION"

build() {
  local dest=$1 start=$SECONDS work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  cd "$work"
  printf 'module idp.local/coredns\n\ngo 1.26\n\nrequire github.com/coredns/coredns %s\n' \
    "$COREDNS_VERSION" >go.mod
  # Plugins register themselves with caddy in their init functions, as
  # core/plugin/zplugin.go does for the full build. Which ones a Corefile may
  # name, and their order in the request chain, is dnsserver.Directives (read
  # lazily by the server type, so setting it in main's init is early enough);
  # the order below is the one of CoreDNS's own core/dnsserver/zdirectives.go.
  cat >main.go <<'EOF'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func init() {
	dnsserver.Directives = []string{
		"reload",
		"bind",
		"ready",
		"health",
		"errors",
		"log",
		"loadbalance",
		"cache",
		"kubernetes",
	}
}

func main() {
	coremain.Run()
}
EOF
  go mod tidy >&2
  # Static (CGO off): it runs in an image that holds nothing but this file.
  CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" \
    -o "$dest/coredns" . >&2
  echo "coredns: built $COREDNS_VERSION in $((SECONDS - start)) s" >&2
}

cached "$out" build
echo "$out/coredns"
