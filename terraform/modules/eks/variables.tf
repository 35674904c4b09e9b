variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,99}$", var.cluster_name))
    error_message = "The cluster name must start with a letter and hold at most 100 letters, digits and hyphens."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and nodes (e.g. \"1.34\")."
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "Give a minor version such as \"1.34\"."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs (at least two zones) for the control plane ENIs and the nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones."
  }
}

variable "cluster_role_arn" {
  description = "IAM role ARN of the control plane (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.cluster_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "node_role_arn" {
  description = "IAM role ARN of the managed node group (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.node_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "karpenter_node_role_arn" {
  description = "IAM role ARN of the nodes Karpenter launches (from the iam module); it gets an EC2_LINUX access entry."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.karpenter_node_role_arn))
    error_message = "Give an IAM role ARN."
  }
}

variable "endpoint_public_access" {
  description = "Whether the API server also has a public endpoint (limited to public_access_cidrs). The private endpoint is always on."
  type        = bool
  default     = true
}

variable "public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public API endpoint (office/VPN/CI egress). 0.0.0.0/0 is refused."
  type        = list(string)

  validation {
    condition     = length(var.public_access_cidrs) > 0 && alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Give at least one valid CIDR block, and not 0.0.0.0/0."
  }
}

variable "enabled_log_types" {
  description = "Control plane log types shipped to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.enabled_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "Log types are api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "log_retention_days" {
  description = "Retention of the control plane logs, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365], var.log_retention_days)
    error_message = "Use a retention that CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365)."
  }
}

variable "node_group" {
  description = "Sizing of the system managed node group (the platform's own pods; apps run on Karpenter's nodes)."
  type = object({
    instance_types = optional(list(string), ["t3.large"])
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = optional(number, 2)
    desired_size   = optional(number, 2)
    max_size       = optional(number, 4)
    disk_size_gib  = optional(number, 50)
  })
  default = {}

  validation {
    condition     = var.node_group.min_size >= 1 && var.node_group.min_size <= var.node_group.desired_size && var.node_group.desired_size <= var.node_group.max_size
    error_message = "Node group sizes must satisfy 1 <= min_size <= desired_size <= max_size."
  }

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_group.capacity_type)
    error_message = "capacity_type is ON_DEMAND or SPOT."
  }

  validation {
    condition     = var.node_group.disk_size_gib >= 20
    error_message = "Nodes need at least 20 GiB of disk."
  }
}

variable "max_pods" {
  description = "Pods per node (kubelet maxPods), the same for Karpenter's nodes. With prefix delegation every Nitro instance supports 110, the EKS limit for nodes under 30 vCPUs."
  type        = number
  default     = 110

  validation {
    condition     = var.max_pods >= 17 && var.max_pods <= 110 && floor(var.max_pods) == var.max_pods
    error_message = "max_pods is a whole number from 17 to 110."
  }
}

variable "admin_principal_arns" {
  description = "IAM principals (roles/users) granted cluster-admin through EKS access entries, besides the creator."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", a))])
    error_message = "Every admin must be an IAM role or user ARN."
  }
}

variable "tags" {
  description = "Extra tags for every resource; also stamped on the node instances and volumes, which the provider's default_tags do not reach."
  type        = map(string)
  default     = {}
}
