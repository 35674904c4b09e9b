variable "name" {
  description = "Name prefix for the roles and policies (e.g. \"idp-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9+=,.@_-]{1,37}$", var.name))
    error_message = "The name must be 2-38 IAM-safe characters starting with a letter."
  }
}

variable "oidc_issuer_url" {
  description = "OIDC issuer URL of the EKS cluster (https://oidc.eks.<region>.amazonaws.com/id/<id>), for IRSA."
  type        = string

  validation {
    condition     = startswith(var.oidc_issuer_url, "https://")
    error_message = "The OIDC issuer URL must start with https://."
  }
}

variable "secrets_name_prefix" {
  description = "Secrets Manager name prefix of the platform's secrets; External Secrets may read these and nothing else."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]+/$", var.secrets_name_prefix))
    error_message = "The prefix must be a Secrets Manager path ending in \"/\" (e.g. \"idp/\")."
  }
}

variable "secrets_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the platform secrets (External Secrets may decrypt through Secrets Manager only)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.secrets_kms_key_arn))
    error_message = "Give a KMS key ARN."
  }
}

variable "image_prefix" {
  description = "Repository path of the apps in ECR: a CI role may push to <image_prefix>/<its app> only."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.image_prefix))
    error_message = "The prefix must be a repository path such as \"apps\"."
  }
}

variable "gitlab_host" {
  description = "Host of the GitLab instance whose CI ID tokens the CI roles trust (its OIDC issuer is https://<gitlab_host>)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.gitlab_host))
    error_message = "Give the GitLab host name only, e.g. gitlab.com (no scheme, no path)."
  }
}

variable "gitlab_app_group" {
  description = "Full path of the GitLab group of the apps' projects: the role of app A trusts project <gitlab_app_group>/A on main only."
  type        = string
  default     = "apps"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.gitlab_app_group))
    error_message = "Give a GitLab group full path such as apps or platform/apps."
  }
}

variable "ci_apps" {
  description = "Application names; each gets a CI role that its pipeline assumes with GitLab OIDC."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ci_apps : can(regex("^[a-z]([-a-z0-9]*[a-z0-9])?$", a))])
    error_message = "Application names follow app.yaml's name rules (lowercase letters, digits and -)."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster: Karpenter may act only on resources tagged kubernetes.io/cluster/<cluster_name> and describe only this cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,99}$", var.cluster_name))
    error_message = "The cluster name must start with a letter and hold at most 100 letters, digits and hyphens."
  }
}

variable "domain_name" {
  description = "Platform domain; ExternalDNS may change records below it only (not the apex)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "Give a lowercase DNS name without a trailing dot."
  }
}

variable "route53_zone_arn" {
  description = "ARN of the platform's public hosted zone (from the dns module), the only zone whose records ExternalDNS may change."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:route53:::hostedzone/[A-Z0-9]+$", var.route53_zone_arn))
    error_message = "Give a hosted zone ARN (arn:aws:route53:::hostedzone/<id>)."
  }
}

variable "karpenter_interruption_queue_arn" {
  description = "ARN of Karpenter's interruption queue (from the eks module), the only queue the controller may read."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:", var.karpenter_interruption_queue_arn))
    error_message = "Give an SQS queue ARN."
  }
}

variable "load_balancer_controller_service_account" {
  description = "Namespace and name of the AWS Load Balancer Controller's service account (IRSA subject)."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "kube-system"
    name      = "aws-load-balancer-controller"
  }
}

variable "external_secrets_service_account" {
  description = "Namespace and name of the External Secrets Operator's service account (IRSA subject)."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "external-secrets"
    name      = "external-secrets"
  }
}

variable "external_secrets_platform_service_account" {
  description = "Namespace and name of the service account of the platform's secret store (manifests/platform), the IRSA subject of the role reading the platform's secrets."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "external-secrets"
    name      = "external-secrets-platform"
  }
}

variable "external_dns_service_account" {
  description = "Namespace and name of ExternalDNS's service account (IRSA subject)."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "external-dns"
    name      = "external-dns"
  }
}

variable "karpenter_service_account" {
  description = "Namespace and name of the Karpenter controller's service account (IRSA subject)."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "kube-system"
    name      = "karpenter"
  }
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
