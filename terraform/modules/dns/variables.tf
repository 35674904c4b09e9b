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

variable "create_wildcard_record" {
  description = "Create the *.<domain_name> alias record to the shared ALB. Turn on once the ALB exists (it is created by the load balancer controller from the shared Ingress) or when alb_dns_name/alb_zone_id are given."
  type        = bool
  default     = false
}

variable "alb_name" {
  description = "Name of the shared ALB to look up (the Ingress annotation alb.ingress.kubernetes.io/load-balancer-name). Used when alb_dns_name is null."
  type        = string
  default     = null
}

variable "alb_tags" {
  description = "Tags of the shared ALB to look up when alb_name is null (e.g. { \"ingress.k8s.aws/stack\" = \"<group>\" })."
  type        = map(string)
  default     = {}
}

variable "alb_dns_name" {
  description = "DNS name of the shared ALB, passed in directly instead of looking it up."
  type        = string
  default     = null
}

variable "alb_zone_id" {
  description = "Canonical hosted zone ID of the shared ALB; required with alb_dns_name."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
