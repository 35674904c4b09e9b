# Grafana Alloy: the platform's PrometheusRules to Grafana Cloud's ruler
# (mimir.rules.kubernetes) and every pod's logs to Grafana Cloud Loki
# (loki.source.kubernetes), in place of Promtail. A clustered Deployment
# that reads logs through the Kubernetes API: no hostPath, no root, no
# DaemonSet. The configuration is alloy/config.alloy.
locals {
  alloy_user = 473 # the grafana/alloy image's alloy user

  # The restricted Pod Security profile, for both containers.
  alloy_security_context = {
    runAsNonRoot             = true
    runAsUser                = local.alloy_user
    runAsGroup               = local.alloy_user
    allowPrivilegeEscalation = false
    readOnlyRootFilesystem   = true
    capabilities             = { drop = ["ALL"] }
    seccompProfile           = { type = "RuntimeDefault" }
  }
}

resource "helm_release" "alloy" {
  name       = "alloy"
  repository = "https://grafana.github.io/helm-charts"
  chart      = "alloy"
  version    = var.alloy_chart_version
  namespace  = var.namespace

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    # The chart's CRDs are PodLogs (loki.source.podlogs), which this
    # configuration does not use.
    crds = { create = false }

    controller = {
      type     = "deployment"
      replicas = var.alloy_replicas
      # One replica may be down (a drain, a rollout); the other keeps the
      # rule sync and takes over the first one's pods.
      podDisruptionBudget = { enabled = true, maxUnavailable = 1 }
      topologySpreadConstraints = [{
        maxSkew           = 1
        topologyKey       = "kubernetes.io/hostname"
        whenUnsatisfiable = "ScheduleAnyway"
        labelSelector = {
          matchLabels = { "app.kubernetes.io/name" = "alloy", "app.kubernetes.io/instance" = "alloy" }
        }
      }]
      volumes = {
        extra = [
          # Optional: the pods start before External Secrets has written it
          # (manifests/platform is synced after this apply), and the kubelet
          # fills the volume once it exists; password_file is read on every
          # request, so Alloy heals without a restart, and so does a token
          # rotation.
          {
            name   = "grafana-cloud"
            secret = { secretName = var.credentials_secret_name, optional = true }
          },
          # Alloy's data path (storagePath), on a read-only root filesystem.
          { name = "data", emptyDir = {} },
        ]
      }
    }

    alloy = {
      configMap = {
        content = templatefile("${path.module}/alloy/config.alloy", {
          ruler_url       = var.mimir_ruler_url
          loki_url        = var.loki_push_url
          loki_username   = var.loki_username
          cluster         = var.cluster_name
          credentials_dir = local.credentials_mount
        })
      }
      clustering      = { enabled = true }
      storagePath     = "/var/lib/alloy"
      enableReporting = false
      extraEnv = [{
        # The ruler's basic-auth user is the stack's Prometheus instance ID,
        # the key kube-prometheus-stack's remote-write reads too.
        name = "GRAFANA_CLOUD_PROMETHEUS_USERNAME"
        valueFrom = {
          secretKeyRef = { name = var.credentials_secret_name, key = "prometheusUsername", optional = true }
        }
      }]
      mounts = {
        extra = [
          { name = "grafana-cloud", mountPath = local.credentials_mount, readOnly = true },
          { name = "data", mountPath = "/var/lib/alloy" },
        ]
      }
      securityContext = local.alloy_security_context
      resources = {
        requests = { cpu = var.alloy_resources.cpu_request, memory = var.alloy_resources.memory_request }
        limits   = { memory = var.alloy_resources.memory_limit }
      }
    }

    configReloader = {
      securityContext = local.alloy_security_context
      resources = {
        requests = { cpu = "10m", memory = "50Mi" }
        limits   = { memory = "100Mi" }
      }
    }

    global = {
      podSecurityContext = {
        fsGroup        = local.alloy_user
        seccompProfile = { type = "RuntimeDefault" }
      }
    }

    # What the configuration's components need, and no more (the chart's
    # default also reads every Secret and ConfigMap in the cluster, nodes and
    # kubelet metrics): discovery.kubernetes lists and watches pods,
    # loki.source.kubernetes reads their logs, mimir.rules.kubernetes
    # watches namespaces and PrometheusRules. Clustering finds its peers
    # through the chart's headless Service (DNS), which needs no RBAC.
    rbac = {
      create = true
      rules = [
        {
          apiGroups = [""]
          resources = ["pods", "namespaces"]
          verbs     = ["get", "list", "watch"]
        },
        {
          apiGroups = [""]
          resources = ["pods/log"]
          verbs     = ["get"]
        },
        {
          apiGroups = ["monitoring.coreos.com"]
          resources = ["prometheusrules"]
          verbs     = ["get", "list", "watch"]
        },
      ]
      clusterRules = []
    }
  })]

  # The namespace and the PrometheusRule CRD come with kube-prometheus-stack.
  depends_on = [helm_release.kube_prometheus_stack]
}
