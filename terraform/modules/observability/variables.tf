variable "cluster_name" {
  description = "Cluster name, added as the \"cluster\" label to every metric and log line."
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

variable "promtail_chart_version" {
  description = "Pinned version of the promtail chart."
  type        = string
  default     = "6.17.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.promtail_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
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
