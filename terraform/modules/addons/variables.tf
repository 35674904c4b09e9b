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

variable "helm_timeout" {
  description = "Seconds Helm waits for each release to become ready."
  type        = number
  default     = 600

  validation {
    condition     = var.helm_timeout >= 300
    error_message = "Give the controllers at least 300 seconds."
  }
}
