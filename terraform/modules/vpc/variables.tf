variable "name" {
  description = "Name prefix for every resource of the VPC (e.g. \"idp-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "The name must be 3-40 characters of lowercase letters, digits and hyphens."
  }
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC. Private subnets get /20s (room for VPC CNI pod IPs), public subnets /24s."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) <= 18
    error_message = "The CIDR must be a valid IPv4 block of /18 or larger."
  }
}

variable "azs" {
  description = "Availability zones to span. Empty means the first az_count zones of the region."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.azs) == 0 || (length(var.azs) >= 2 && length(var.azs) <= 6)
    error_message = "Give either no zones or between 2 and 6 of them."
  }
}

variable "az_count" {
  description = "Number of availability zones to span when azs is empty."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "The VPC must span between 2 and 6 availability zones."
  }
}

variable "one_nat_gateway_per_az" {
  description = "HA option: one NAT gateway per availability zone instead of a single shared one (about 33 USD/month each)."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "EKS cluster name, used for the kubernetes.io/cluster/<name> subnet tags."
  type        = string

  validation {
    condition     = length(var.cluster_name) > 0
    error_message = "The cluster name must not be empty."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints from the private subnets (short service names). Each costs about 7.30 USD/month per zone; services left out go through the NAT gateway."
  type        = set(string)
  nullable    = false
  default = [
    "ecr.api",
    "ecr.dkr",
    "sts",
    "secretsmanager",
    "eks",
    "eks-auth",
    "ec2",
    "logs",
    "elasticloadbalancing",
  ]

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "Endpoint services are short names such as \"ecr.api\" or \"sts\"."
  }
}

variable "flow_logs_retention_days" {
  description = "Retention of the VPC flow logs in CloudWatch Logs, in days; 0 disables flow logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365], var.flow_logs_retention_days)
    error_message = "Use 0 or a retention that CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365)."
  }
}

variable "flow_logs_kms_key_arn" {
  description = "Optional KMS key ARN for the flow-log group; null keeps CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
