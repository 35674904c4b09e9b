variable "cluster_name" {
  description = "Cluster name, added as the \"cluster\" label to every metric, log line and recorded rule, and the prefix of this cluster's rule namespaces in the ruler."
  type        = string

  validation {
    condition     = length(var.cluster_name) > 0
    error_message = "The cluster name must not be empty."
  }
}

variable "namespace" {
  description = "Namespace of the monitoring releases."
  type        = string
  default     = "monitoring"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace))
    error_message = "Give a valid Kubernetes namespace name."
  }
}

variable "prometheus_remote_write_url" {
  description = "Grafana Cloud Prometheus remote-write endpoint (https://prometheus-…grafana.net/api/prom/push)."
  type        = string

  validation {
    condition     = startswith(var.prometheus_remote_write_url, "https://")
    error_message = "The remote-write URL must be https://."
  }
}

variable "mimir_ruler_url" {
  description = "Grafana Cloud stack's Prometheus (Mimir) URL for the ruler API, without a path (https://prometheus-…grafana.net); Alloy writes the rules below its /prometheus/config/v1/rules."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+$", var.mimir_ruler_url))
    error_message = "Give the stack's https:// Prometheus host without a path (not the /api/prom/push URL)."
  }
}

variable "loki_push_url" {
  description = "Grafana Cloud Loki push endpoint (https://logs-…grafana.net/loki/api/v1/push)."
  type        = string

  validation {
    condition     = startswith(var.loki_push_url, "https://")
    error_message = "The Loki URL must be https://."
  }
}

variable "loki_username" {
  description = "Grafana Cloud Loki instance ID (basic-auth user; not a secret)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.loki_username))
    error_message = "The Grafana Cloud instance ID is numeric."
  }
}

variable "credentials_secret_name" {
  description = "Kubernetes Secret with keys \"prometheusUsername\" and \"password\" (the Grafana Cloud token); an ExternalSecret in manifests/platform creates it from the Secrets Manager secret <prefix>observability/grafana-cloud."
  type        = string
  default     = "grafana-cloud-credentials"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.credentials_secret_name))
    error_message = "Give a valid Kubernetes Secret name."
  }
}

variable "kube_prometheus_stack_chart_version" {
  description = "Pinned version of the kube-prometheus-stack chart."
  type        = string
  default     = "76.5.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.kube_prometheus_stack_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
  }
}

variable "alloy_chart_version" {
  description = "Pinned version of the alloy chart (grafana/helm-charts)."
  type        = string
  default     = "1.10.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.alloy_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
  }
}

variable "alloy_replicas" {
  description = "Alloy replicas (clustered: they share the pods whose logs they tail, one of them syncs the rules)."
  type        = number
  default     = 2

  validation {
    condition     = var.alloy_replicas >= 2 && floor(var.alloy_replicas) == var.alloy_replicas
    error_message = "Run at least two Alloy replicas, so that the PodDisruptionBudget lets a node drain."
  }
}

variable "alloy_resources" {
  description = "Requests and memory limit of each Alloy replica."
  type = object({
    cpu_request    = string
    memory_request = string
    memory_limit   = string
  })
  default = {
    cpu_request    = "100m"
    memory_request = "256Mi"
    memory_limit   = "1Gi"
  }

  validation {
    condition     = alltrue([for v in values(var.alloy_resources) : length(v) > 0])
    error_message = "Set every request and the memory limit."
  }
}

variable "helm_timeout" {
  description = "Seconds Helm waits for each release (long: the stack pulls many images on fresh nodes)."
  type        = number
  default     = 1200

  validation {
    condition     = var.helm_timeout >= 900
    error_message = "Give the monitoring stack at least 900 seconds."
  }
}
