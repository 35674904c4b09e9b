locals {
  # Both agents read the Grafana Cloud token from one Kubernetes Secret that
  # External Secrets writes from Secrets Manager (manifests/platform). Neither
  # blocks on it: the Prometheus operator retries until the Secret exists, and
  # Promtail mounts it as an optional volume and reads the password file on
  # every push, so both heal without a restart.
  credentials_mount = "/etc/grafana-cloud"
}

# Prometheus (operator, kube-state-metrics, node-exporter) with a short local
# retention that remote-writes everything to Grafana Cloud. Grafana,
# Alertmanager and the alerting rules live in Grafana Cloud.
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

# Promtail ships container logs to Grafana Cloud Loki. (Promtail is in
# long-term support; Grafana Alloy is its successor.)
resource "helm_release" "promtail" {
  name       = "promtail"
  repository = "https://grafana.github.io/helm-charts"
  chart      = "promtail"
  version    = var.promtail_chart_version
  namespace  = var.namespace

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    config = {
      clients = [{
        url             = var.loki_push_url
        external_labels = { cluster = var.cluster_name }
        basic_auth = {
          username      = var.loki_username
          password_file = "${local.credentials_mount}/password"
        }
      }]
    }
    extraVolumes = [{
      name   = "grafana-cloud"
      secret = { secretName = var.credentials_secret_name, optional = true }
    }]
    extraVolumeMounts = [{
      name      = "grafana-cloud"
      mountPath = local.credentials_mount
      readOnly  = true
    }]
  })]

  # The namespace is created by the kube-prometheus-stack release.
  depends_on = [helm_release.kube_prometheus_stack]
}
