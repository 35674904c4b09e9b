variable "domain_name" {
  description = "Platform domain (e.g. \"idp.example.com\"); apps get <app>.<domain_name>."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "Give a lowercase DNS name without a trailing dot."
  }
}

variable "create_zone" {
  description = "Create a public hosted zone for domain_name. Off by default: the existing zone is looked up, so a second zone with the same name is never created."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
