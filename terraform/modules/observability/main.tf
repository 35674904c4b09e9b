locals {
  # Prometheus and Alloy read the Grafana Cloud token from one Kubernetes
  # Secret that External Secrets writes from Secrets Manager
  # (manifests/platform). Neither blocks on it: the Prometheus operator
  # retries until the Secret exists, and Alloy mounts it as an optional volume
  # and reads the password file on every request, so both heal without a
  # restart.
  credentials_mount = "/etc/grafana-cloud"
}

# Prometheus (operator, kube-state-metrics, node-exporter) with a short local
# retention that remote-writes everything to Grafana Cloud. Grafana and
# Alertmanager live in Grafana Cloud; the apps' PrometheusRules are evaluated
# by Grafana Cloud's ruler (Alloy syncs them, alloy.tf), not by this
# Prometheus, which selects only rules labelled with its release (the chart's
# default ruleSelector), so no rule is evaluated twice.
resource "helm_release" "kube_prometheus_stack" {
  name             = "kube-prometheus-stack"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "kube-prometheus-stack"
  version          = var.kube_prometheus_stack_chart_version
  namespace        = var.namespace
  create_namespace = true

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    grafana      = { enabled = false }
    alertmanager = { enabled = false }
    defaultRules = { create = false }
    prometheus = {
      prometheusSpec = {
        retention      = "6h"
        externalLabels = { cluster = var.cluster_name }
        # Select the ServiceMonitors/PodMonitors of manifests/platform and
        # manifests/backstage too, not only the chart's own.
        serviceMonitorSelectorNilUsesHelmValues = false
        podMonitorSelectorNilUsesHelmValues     = false
        remoteWrite = [{
          url = var.prometheus_remote_write_url
          basicAuth = {
            username = { name = var.credentials_secret_name, key = "prometheusUsername" }
            password = { name = var.credentials_secret_name, key = "password" }
          }
        }]
      }
    }
  })]
}
