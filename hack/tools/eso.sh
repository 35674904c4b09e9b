#!/usr/bin/env bash
# Builds the External Secrets Operator's controller binary from the Go module
# proxy into a cache outside the clone, keyed by version, and prints its path:
#
#   …/eso-v0.16.2/external-secrets
#
# The version is that of the CRDs the tests install (hack/tools/crds.sh), so
# the controller serves the same external-secrets.io/v1 API. A warm cache
# costs well under a second; a cold one about 320 CPU-seconds (7 minutes on a
# busy 2-core machine, module downloads included): ESO links every provider
# (AWS, Azure, GCP, Vault, …). The binary is about 150 MB.
#
# It is ESO's root main.go (cmd/controller's cobra command). Run as the
# controller against the AWS fake (internal/awsfake) it is:
#
#   KUBECONFIG=… AWS_SECRETSMANAGER_ENDPOINT=$URL AWS_STS_ENDPOINT=$URL \
#   AWS_CA_BUNDLE=fake-ca.pem external-secrets --metrics-addr=0 \
#     --enable-leader-election=false --concurrent=1 \
#     --enable-push-secret-reconciler=false \
#     --enable-cluster-push-secret-reconciler=false \
#     --enable-cluster-external-secret-reconciler=false
#
# There is no --kubeconfig flag: controller-runtime reads $KUBECONFIG. Every
# ExternalSecret reconcile commits generator state, so the GeneratorState CRD
# (config/crds/bases/generators.external-secrets.io_generatorstates.yaml in
# the module) must be installed besides the three crds.sh copies, or no
# secret ever syncs ("no matches for kind GeneratorState"); the three
# reconcilers switched off above would need their CRDs too.
#
# Usage: hack/tools/eso.sh
set -euo pipefail

ESO_VERSION=${ESO_VERSION:-v0.16.2}
ESO_MODULE=github.com/external-secrets/external-secrets

# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

log() { printf 'eso: %s\n' "$*" >&2; }

# build_eso DIR: the controller binary into DIR. ESO's go.mod replaces
# Masterminds/sprig with its fork, so `go install MOD@VER` refuses it: build
# inside a writable copy of the module source instead (lib.sh's build_in_copy).
build_eso() {
  local dir=$1 start=$SECONDS
  log "building $ESO_MODULE@$ESO_VERSION into $dir (cold cache)"
  # GOTOOLCHAIN=local: build with the installed Go, never fetch another.
  GOTOOLCHAIN=local build_in_copy "$ESO_MODULE@$ESO_VERSION" "$dir/external-secrets" . "-s -w"
  log "built external-secrets in $((SECONDS - start)) s"
}

cached "$IDP_CACHE/eso-$ESO_VERSION" build_eso
echo "$IDP_CACHE/eso-$ESO_VERSION/external-secrets"
