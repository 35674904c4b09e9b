variable "url" {
  description = "HTTPS URL whose certificate chain is read (the EKS cluster's OIDC issuer)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/\\s]+(/.*)?$", var.url))
    error_message = "The URL must be an https:// URL."
  }
}
