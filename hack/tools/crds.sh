#!/usr/bin/env bash
# Collects the CRDs the tests install (Argo CD, External Secrets, Prometheus
# Operator) from their Go modules into a cache outside the clone, keyed by
# version, and prints the directory.
set -euo pipefail

ARGOCD_VERSION=${ARGOCD_VERSION:-v3.5.7}
ESO_VERSION=${ESO_VERSION:-v0.16.2}
PROM_OPERATOR_VERSION=${PROM_OPERATOR_VERSION:-v0.92.1}
cache=${IDP_CACHE:-$HOME/.cache/idp}
out="$cache/crds-argocd-$ARGOCD_VERSION-eso-$ESO_VERSION-promop-$PROM_OPERATOR_VERSION"

if [[ -f $out/.complete ]]; then
  echo "$out"
  exit 0
fi

moddir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

argocd=$(moddir "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION")
eso=$(moddir "github.com/external-secrets/external-secrets@$ESO_VERSION")
prom=$(moddir "github.com/prometheus-operator/prometheus-operator@$PROM_OPERATOR_VERSION")

rm -rf "$out"
mkdir -p "$out"
cp "$argocd"/manifests/crds/{application,applicationset,appproject}-crd.yaml "$out/"
cp "$eso"/config/crds/bases/external-secrets.io_{externalsecrets,clustersecretstores,secretstores}.yaml "$out/"
cp "$prom"/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml "$out/"
chmod u+w "$out"/*.yaml
touch "$out/.complete"
echo "$out"
