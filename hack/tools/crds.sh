#!/usr/bin/env bash
# Collects the CRDs the tests install (Argo CD, External Secrets, Prometheus
# Operator, Grafana Operator) from their Go modules into a cache outside the
# clone, keyed by version, and prints the directory.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

ARGOCD_VERSION=${ARGOCD_VERSION:-v3.5.7}
ESO_VERSION=${ESO_VERSION:-v0.16.2}
PROM_OPERATOR_VERSION=${PROM_OPERATOR_VERSION:-v0.92.1}
# The release manifests/platform/grafana-operator installs.
GRAFANA_OPERATOR_VERSION=${GRAFANA_OPERATOR_VERSION:-v5.24.0}
# r2: with External Secrets' GeneratorState, without which its controller
# syncs no ExternalSecret; r3: with the Prometheus Operator's PrometheusRule;
# r4: with the Grafana Operator's Grafana, GrafanaDashboard and GrafanaFolder;
# r5: those from the operator's module at its release, not a vendored copy.
out="$IDP_CACHE/crds-argocd-$ARGOCD_VERSION-eso-$ESO_VERSION-promop-$PROM_OPERATOR_VERSION-grafop-$GRAFANA_OPERATOR_VERSION-r5"

collect() {
  local dest=$1 argocd eso prom grafop
  argocd=$(moddir "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION")
  eso=$(moddir "github.com/external-secrets/external-secrets@$ESO_VERSION")
  prom=$(moddir "github.com/prometheus-operator/prometheus-operator@$PROM_OPERATOR_VERSION")
  grafop=$(moddir "github.com/grafana/grafana-operator/v5@$GRAFANA_OPERATOR_VERSION")
  cp "$argocd"/manifests/crds/{application,applicationset,appproject}-crd.yaml "$dest/"
  cp "$eso"/config/crds/bases/external-secrets.io_{externalsecrets,clustersecretstores,secretstores}.yaml "$dest/"
  cp "$eso"/config/crds/bases/generators.external-secrets.io_generatorstates.yaml "$dest/"
  cp "$prom"/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml "$prom"/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml "$dest/"
  cp "$grafop"/config/crd/bases/grafana.integreatly.org_{grafanas,grafanadashboards,grafanafolders}.yaml "$dest/"
  chmod u+w "$dest"/*.yaml
}

cached "$out" collect
echo "$out"
