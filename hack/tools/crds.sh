#!/usr/bin/env bash
# Collects the CRDs the tests install (Argo CD, External Secrets, Prometheus
# Operator) from their Go modules, and the Grafana Operator's from
# hack/tools/crds/ (its module is not served), into a cache outside the
# clone, keyed by version, and prints the directory.
set -euo pipefail
# shellcheck source=hack/tools/lib.sh
source "$(dirname "$0")/lib.sh"

ARGOCD_VERSION=${ARGOCD_VERSION:-v3.5.7}
ESO_VERSION=${ESO_VERSION:-v0.16.2}
PROM_OPERATOR_VERSION=${PROM_OPERATOR_VERSION:-v0.92.1}
# The vendored Grafana Operator CRDs (hack/tools/crds/grafana-operator-v5).
GRAFANA_OPERATOR_CRDS=$(cd "$(dirname "$0")" && pwd)/crds/grafana-operator-v5
# r2: with External Secrets' GeneratorState, without which its controller
# syncs no ExternalSecret; r3: with the Prometheus Operator's PrometheusRule;
# r4: with the Grafana Operator's Grafana, GrafanaDashboard and GrafanaFolder.
out="$IDP_CACHE/crds-argocd-$ARGOCD_VERSION-eso-$ESO_VERSION-promop-$PROM_OPERATOR_VERSION-grafop-v5-r4"

collect() {
  local dest=$1 argocd eso prom
  argocd=$(moddir "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION")
  eso=$(moddir "github.com/external-secrets/external-secrets@$ESO_VERSION")
  prom=$(moddir "github.com/prometheus-operator/prometheus-operator@$PROM_OPERATOR_VERSION")
  cp "$argocd"/manifests/crds/{application,applicationset,appproject}-crd.yaml "$dest/"
  cp "$eso"/config/crds/bases/external-secrets.io_{externalsecrets,clustersecretstores,secretstores}.yaml "$dest/"
  cp "$eso"/config/crds/bases/generators.external-secrets.io_generatorstates.yaml "$dest/"
  cp "$prom"/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml "$prom"/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml "$dest/"
  cp "$GRAFANA_OPERATOR_CRDS"/grafana.integreatly.org_{grafanas,grafanadashboards,grafanafolders}.yaml "$dest/"
  chmod u+w "$dest"/*.yaml
}

cached "$out" collect
echo "$out"
