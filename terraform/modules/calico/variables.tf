variable "chart_version" {
  description = "Pinned version of the tigera-operator chart (Calico release)."
  type        = string
  default     = "v3.30.3"

  validation {
    condition     = can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+$", var.chart_version))
    error_message = "Pin an exact chart version (vX.Y.Z), not a range."
  }
}

variable "namespace" {
  description = "Namespace of the Tigera operator."
  type        = string
  default     = "tigera-operator"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace))
    error_message = "Give a valid Kubernetes namespace name."
  }
}

variable "helm_timeout" {
  description = "Seconds Helm waits for the operator to become ready."
  type        = number
  default     = 600

  validation {
    condition     = var.helm_timeout >= 300
    error_message = "Give the operator at least 300 seconds."
  }
}
