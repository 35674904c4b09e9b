variable "region" {
  description = "AWS region of the state bucket and lock table."
  type        = string
  default     = "us-east-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "Give an AWS region such as us-east-2."
  }
}

variable "project" {
  description = "Project name (Project cost tag)."
  type        = string
  default     = "idp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project))
    error_message = "The project name must be 2-20 lowercase letters, digits or hyphens, starting with a letter."
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

variable "state_bucket_name" {
  description = "Globally unique name of the state bucket (e.g. \"<project>-tfstate-<account id>\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "Give a valid S3 bucket name."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB lock table."
  type        = string
  default     = "terraform-locks"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "Give a valid DynamoDB table name."
  }
}
