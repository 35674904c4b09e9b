################################################################################
# Identity and cost allocation
################################################################################

variable "region" {
  description = "AWS region of the platform."
  type        = string
  default     = "us-east-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "Give an AWS region such as us-east-2."
  }
}

variable "project" {
  description = "Project name: prefix of resource names, ECR repositories and secrets, and the Project cost tag."
  type        = string
  default     = "idp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project))
    error_message = "The project name must be 2-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (Environment cost tag, part of resource names)."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment is dev, staging or prod."
  }
}

variable "owner" {
  description = "Team or person accountable for the platform (Owner cost tag)."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0
    error_message = "The owner must not be empty."
  }
}

variable "cost_center" {
  description = "Cost center billed for the platform (CostCenter cost tag)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.:/=+@-]{1,64}$", var.cost_center))
    error_message = "The cost center must be 1-64 characters valid in an AWS tag value."
  }
}

################################################################################
# Network and cluster
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "Give a valid IPv4 CIDR block."
  }
}

variable "az_count" {
  description = "Number of availability zones the VPC and the nodes span."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "Span between 2 and 6 availability zones."
  }
}

variable "one_nat_gateway_per_az" {
  description = "HA option: one NAT gateway per zone instead of one shared NAT gateway."
  type        = bool
  default     = false
}

variable "vpc_interface_endpoints" {
  description = "Interface VPC endpoints (short service names) for the private subnets; null keeps the module's nine (ecr.api, ecr.dkr, sts, secretsmanager, eks, eks-auth, ec2, logs, elasticloadbalancing)."
  type        = set(string)
  default     = null
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the EKS cluster."
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "Give a minor version such as \"1.34\"."
  }
}

variable "cluster_endpoint_public_access" {
  description = "Whether the Kubernetes API also has a public endpoint (limited to cluster_endpoint_public_access_cidrs)."
  type        = bool
  default     = true
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "CIDR blocks that may reach the public Kubernetes API endpoint (office, VPN, CI runners). 0.0.0.0/0 is refused."
  type        = list(string)

  validation {
    condition     = length(var.cluster_endpoint_public_access_cidrs) > 0 && alltrue([for c in var.cluster_endpoint_public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Give at least one valid CIDR block, and not 0.0.0.0/0."
  }
}

variable "node_group" {
  description = "Sizing of the system managed node group, the platform's own pods (see modules/eks): instance_types, capacity_type, min/desired/max size, disk_size_gib."
  type = object({
    instance_types = optional(list(string), ["t3.large"])
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = optional(number, 2)
    desired_size   = optional(number, 2)
    max_size       = optional(number, 4)
    disk_size_gib  = optional(number, 50)
  })
  default = {}
}

variable "max_pods_per_node" {
  description = "Pods per node, system and Karpenter nodes alike (kubelet maxPods; the VPC CNI's prefix delegation supplies the IPs). 110 is the EKS limit for nodes under 30 vCPUs."
  type        = number
  default     = 110

  validation {
    condition     = var.max_pods_per_node >= 17 && var.max_pods_per_node <= 110 && floor(var.max_pods_per_node) == var.max_pods_per_node
    error_message = "max_pods_per_node is a whole number from 17 to 110."
  }
}

variable "karpenter_node_pool" {
  description = "Karpenter's default NodePool for the apps (see modules/addons): cpu_limit, memory_limit_gib (the cost ceiling), instance_categories, instance_cpus, capacity_types, ami_alias, disk_size_gib."
  type = object({
    cpu_limit           = optional(number, 256)
    memory_limit_gib    = optional(number, 1024)
    instance_categories = optional(list(string), ["c", "m"])
    instance_cpus       = optional(list(number), [2, 4, 8])
    capacity_types      = optional(list(string), ["on-demand"])
    ami_alias           = optional(string, "al2023@latest")
    disk_size_gib       = optional(number, 50)
  })
  default = {}
}

variable "cluster_admin_principal_arns" {
  description = "IAM roles/users that get cluster-admin through EKS access entries (besides whoever applies)."
  type        = list(string)
  default     = []
}

################################################################################
# Applications, DNS and certificates
################################################################################

variable "image_prefix" {
  description = "Repository path of the apps' images: <account>.dkr.ecr.<region>.amazonaws.com/<image_prefix>/<app>, the same as the template's IMAGE_REPOSITORY and appspec's IDP_IMAGE_PREFIX."
  type        = string
  default     = "apps"

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.image_prefix))
    error_message = "The prefix must be lowercase letters and digits, optionally separated by . _ or -."
  }
}

variable "gitlab_host" {
  description = "Host of the GitLab instance (e.g. gitlab.com) whose CI ID tokens the apps' CI roles trust (GitLab OIDC)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.gitlab_host))
    error_message = "Give the GitLab host name only, e.g. gitlab.com (no scheme, no path)."
  }
}

variable "gitlab_app_group" {
  description = "Full path of the GitLab group of the apps' projects (the template's appGroup)."
  type        = string
  default     = "apps"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.gitlab_app_group))
    error_message = "Give a GitLab group full path such as apps or platform/apps."
  }
}

variable "apps" {
  description = "Application names; each gets a CI role that only its pipeline on main may assume (GitLab OIDC), allowed to push to its own repository <image_prefix>/<app> only. The repository itself is created on the first push."
  type        = list(string)
  default     = []

  validation {
    condition     = length(distinct(var.apps)) == length(var.apps)
    error_message = "Application names must be unique."
  }
}

variable "ecr_encryption_type" {
  description = "Encryption of the ECR repositories: KMS (customer managed key) or AES256."
  type        = string
  default     = "KMS"

  validation {
    condition     = contains(["KMS", "AES256"], var.ecr_encryption_type)
    error_message = "ecr_encryption_type is KMS or AES256."
  }
}

variable "domain_name" {
  description = "Platform domain with an existing public Route53 zone (apps are served at <app>.<domain_name>)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "Give a lowercase DNS name without a trailing dot."
  }
}

variable "create_dns_zone" {
  description = "Create the Route53 zone instead of looking up the existing one (off: a zone is never duplicated)."
  type        = bool
  default     = false
}

################################################################################
# Observability (Grafana Cloud). The token is not a variable: it goes into
# Secrets Manager out of band (see modules/secrets).
################################################################################

variable "grafana_cloud_prometheus_url" {
  description = "Grafana Cloud Prometheus remote-write URL (…/api/prom/push)."
  type        = string

  validation {
    condition     = startswith(var.grafana_cloud_prometheus_url, "https://")
    error_message = "The remote-write URL must be https://."
  }
}

variable "grafana_cloud_ruler_url" {
  description = "Grafana Cloud stack's Prometheus URL without a path (https://prometheus-…grafana.net): the ruler API that Alloy syncs the apps' PrometheusRules to."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+$", var.grafana_cloud_ruler_url))
    error_message = "Give the stack's https:// Prometheus host without a path."
  }
}

variable "grafana_cloud_loki_url" {
  description = "Grafana Cloud Loki push URL (…/loki/api/v1/push)."
  type        = string

  validation {
    condition     = startswith(var.grafana_cloud_loki_url, "https://")
    error_message = "The Loki URL must be https://."
  }
}

variable "grafana_cloud_loki_username" {
  description = "Grafana Cloud Loki instance ID (numeric basic-auth user, not a secret)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.grafana_cloud_loki_username))
    error_message = "The Loki instance ID is numeric."
  }
}
