variable "cluster_name" {
  description = "Name of the EKS cluster (the load balancer controller tags what it creates with it)."
  type        = string

  validation {
    condition     = length(var.cluster_name) > 0
    error_message = "The cluster name must not be empty."
  }
}

variable "region" {
  description = "AWS region of the cluster; passed explicitly because nodes block pod access to IMDS (hop limit 1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "Give an AWS region such as us-east-2."
  }
}

variable "vpc_id" {
  description = "ID of the cluster's VPC; passed explicitly for the same reason as region."
  type        = string

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "Give a VPC ID (vpc-…)."
  }
}

variable "load_balancer_controller_role_arn" {
  description = "IRSA role ARN of the AWS Load Balancer Controller (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.load_balancer_controller_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "external_secrets_role_arn" {
  description = "IRSA role ARN of the External Secrets Operator (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.external_secrets_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "domain_name" {
  description = "Platform domain: ExternalDNS manages records of Ingress hosts below it (--domain-filter)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "Give a lowercase DNS name without a trailing dot."
  }
}

variable "zone_id" {
  description = "ID of the platform's hosted zone (from the dns module); ExternalDNS touches no other zone (--zone-id-filter)."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]+$", var.zone_id))
    error_message = "Give a Route53 hosted zone ID (Z…)."
  }
}

variable "external_dns_role_arn" {
  description = "IRSA role ARN of ExternalDNS (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.external_dns_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "karpenter_controller_role_arn" {
  description = "IRSA role ARN of the Karpenter controller (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.karpenter_controller_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "karpenter_instance_profile_name" {
  description = "Instance profile of Karpenter's nodes (from the iam module)."
  type        = string

  validation {
    condition     = length(var.karpenter_instance_profile_name) > 0
    error_message = "The instance profile name must not be empty."
  }
}

variable "karpenter_interruption_queue_name" {
  description = "Name of Karpenter's interruption queue (from the eks module)."
  type        = string

  validation {
    condition     = length(var.karpenter_interruption_queue_name) > 0
    error_message = "The queue name must not be empty."
  }
}

variable "system_node_group_name" {
  description = "Name of the system managed node group (from the eks module); the Karpenter controller runs there only."
  type        = string

  validation {
    condition     = length(var.system_node_group_name) > 0
    error_message = "The node group name must not be empty."
  }
}

variable "max_pods" {
  description = "Pods per Karpenter node (kubelet maxPods), the system node group's value (prefix delegation, eks module)."
  type        = number
  default     = 110

  validation {
    condition     = var.max_pods >= 17 && var.max_pods <= 110 && floor(var.max_pods) == var.max_pods
    error_message = "max_pods is a whole number from 17 to 110."
  }
}

variable "karpenter_node_pool" {
  description = "Karpenter's default NodePool for the apps: total CPU and memory caps, instance categories and vCPU sizes, capacity types, AMI alias and root volume size."
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

  validation {
    condition     = var.karpenter_node_pool.cpu_limit > 0 && var.karpenter_node_pool.memory_limit_gib > 0
    error_message = "The NodePool's CPU and memory limits must be positive."
  }

  validation {
    condition     = alltrue([for c in var.karpenter_node_pool.instance_cpus : c >= 2 && c < 30])
    error_message = "Instance sizes are 2 to 29 vCPUs (max_pods 110 is the EKS limit below 30 vCPUs)."
  }

  validation {
    condition     = length(var.karpenter_node_pool.capacity_types) > 0 && alltrue([for t in var.karpenter_node_pool.capacity_types : contains(["on-demand", "spot"], t)])
    error_message = "Capacity types are on-demand and/or spot."
  }

  validation {
    condition     = can(regex("^al2023@(latest|v[0-9]{8})$", var.karpenter_node_pool.ami_alias))
    error_message = "Give an AL2023 alias: al2023@latest or al2023@vYYYYMMDD."
  }

  validation {
    condition     = var.karpenter_node_pool.disk_size_gib >= 20
    error_message = "Nodes need at least 20 GiB of disk."
  }
}

variable "tags" {
  description = "Cost-allocation tags for the instances, volumes and ENIs Karpenter launches (the provider's default_tags do not reach them)."
  type        = map(string)
  default     = {}
}

variable "load_balancer_controller_chart_version" {
  description = "Pinned version of the eks-charts aws-load-balancer-controller chart."
  type        = string
  default     = "1.14.0"

  validation {
    condition     = can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+$", var.load_balancer_controller_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
  }
}

variable "external_secrets_chart_version" {
  description = "Pinned version of the external-secrets chart."
  type        = string
  default     = "0.20.1"

  validation {
    condition     = can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+$", var.external_secrets_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
  }
}

variable "external_dns_chart_version" {
  description = "Pinned version of the external-dns chart (kubernetes-sigs)."
  type        = string
  default     = "1.19.0"

  validation {
    condition     = can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+$", var.external_dns_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
  }
}

variable "karpenter_chart_version" {
  description = "Pinned version of the karpenter and karpenter-crd charts (public.ecr.aws/karpenter); 1.8 supports Kubernetes 1.29 to 1.34."
  type        = string
  default     = "1.8.2"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.karpenter_chart_version))
    error_message = "Pin an exact chart version (x.y.z), not a range."
  }
}

variable "helm_timeout" {
  description = "Seconds Helm waits for each release to become ready."
  type        = number
  default     = 600

  validation {
    condition     = var.helm_timeout >= 300
    error_message = "Give the controllers at least 300 seconds."
  }
}
