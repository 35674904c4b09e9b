#!/usr/bin/env bash
# Builds the Terraform tooling from the Go module proxy into a cache outside
# the clone, keyed by version, and prints one NAME=PATH line per tool:
#
#   TOFU=…/tofu-v1.12.6/tofu                      OpenTofu CLI
#   TFLINT=…/tflint-v0.64.0/tflint                tflint (bundled terraform ruleset)
#   TFSEC=…/tfsec-v1.26.0/tfsec                   tfsec
#   TF_PLUGIN_MIRROR=…/tf-providers-tls-4.0.4     filesystem mirror with hashicorp/tls
#
# A warm cache costs well under a second; a cold one about 1,500 CPU-seconds
# (tofu ≈ 860, tflint ≈ 340, tfsec ≈ 220, tls ≈ 50), built one after the
# other so as not to starve a 2-core machine. Each tool is built under a lock
# into a private directory and renamed only when complete (lib.sh), so an
# interrupted build is redone and two runs never build the same tool twice.
#
# Usage: hack/tools/terraform.sh [tofu|tflint|tfsec|tls ...]   (default: all)
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

TOFU_VERSION=${TOFU_VERSION:-v1.12.6}
TFLINT_VERSION=${TFLINT_VERSION:-v0.64.0}
TFSEC_VERSION=${TFSEC_VERSION:-v1.26.0}
# terraform-provider-tls publishes no Go-module tags past v1.2; this commit is
# the v4.0.4 release and is what the proxy serves.
TLS_VERSION=${TLS_VERSION:-4.0.4}
TLS_MODULE_VERSION=${TLS_MODULE_VERSION:-v1.2.1-0.20230117062332-afdd54107aba}

cache=$IDP_CACHE
mkdir -p "$cache"

log() { printf 'terraform-tools: %s\n' "$*" >&2; }

# build_go_install DIR BINARY PACKAGE@VERSION
build_go_install() {
  cached "$1" go_install "$2" "$3"
}

go_install() {
  local dest=$1 bin=$2 pkg=$3 start=$SECONDS
  log "building $pkg (cold cache)"
  GOBIN="$dest" GOFLAGS="${GOFLAGS:-} -trimpath" go install -ldflags "-s -w" "$pkg" >&2
  log "built $bin in $((SECONDS - start)) s"
}

build_tofu() {
  cached "$cache/tofu-$TOFU_VERSION" tofu_build
}

tofu_build() {
  local dest=$1 start=$SECONDS
  log "building OpenTofu $TOFU_VERSION (cold cache, ≈ 860 CPU-s)"
  # OpenTofu's go.mod carries replace directives. version.dev=no as in
  # OpenTofu's release builds (else it reports "-dev").
  build_in_copy "github.com/opentofu/opentofu@$TOFU_VERSION" "$dest/tofu" ./cmd/tofu \
    "-s -w -X github.com/opentofu/opentofu/version.dev=no"
  log "built tofu in $((SECONDS - start)) s"
}

build_tls() {
  build_go_install "$cache/terraform-provider-tls-$TLS_VERSION" terraform-provider-tls \
    "github.com/hashicorp/terraform-provider-tls@$TLS_MODULE_VERSION"
  cached "$cache/tf-providers-tls-$TLS_VERSION" tls_mirror
}

# A filesystem mirror, laid out as OpenTofu looks providers up.
tls_mirror() {
  local plugin=$1/registry.opentofu.org/hashicorp/tls/$TLS_VERSION/linux_amd64
  mkdir -p "$plugin"
  cp "$cache/terraform-provider-tls-$TLS_VERSION/terraform-provider-tls" "$plugin/terraform-provider-tls_v$TLS_VERSION"
}

tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(tofu tflint tfsec tls)

for tool in "${tools[@]}"; do
  case $tool in
    tofu)
      build_tofu
      echo "TOFU=$cache/tofu-$TOFU_VERSION/tofu"
      ;;
    tflint)
      build_go_install "$cache/tflint-$TFLINT_VERSION" tflint "github.com/terraform-linters/tflint@$TFLINT_VERSION"
      echo "TFLINT=$cache/tflint-$TFLINT_VERSION/tflint"
      ;;
    tfsec)
      build_go_install "$cache/tfsec-$TFSEC_VERSION" tfsec "github.com/aquasecurity/tfsec/cmd/tfsec@$TFSEC_VERSION"
      echo "TFSEC=$cache/tfsec-$TFSEC_VERSION/tfsec"
      ;;
    tls)
      build_tls
      echo "TF_PLUGIN_MIRROR=$cache/tf-providers-tls-$TLS_VERSION"
      ;;
    *)
      log "unknown tool: $tool (want tofu, tflint, tfsec or tls)"
      exit 2
      ;;
  esac
done
