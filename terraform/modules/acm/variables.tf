variable "domain_name" {
  description = "Platform domain; the certificate covers *.<domain_name> and <domain_name>."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "Give a lowercase DNS name without a trailing dot."
  }
}

variable "zone_id" {
  description = "Route53 hosted zone ID where the DNS validation records are written."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]+$", var.zone_id))
    error_message = "Give a Route53 hosted zone ID (Z…)."
  }
}

variable "validation_timeout" {
  description = "How long to wait for ACM to validate the certificate."
  type        = string
  default     = "45m"

  validation {
    condition     = can(regex("^[0-9]+[mh]$", var.validation_timeout))
    error_message = "Give a duration in minutes or hours, e.g. \"45m\"."
  }
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
