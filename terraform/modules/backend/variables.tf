variable "bucket_name" {
  description = "Name of the S3 bucket that holds the Terraform state (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "Give a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB table that holds the state locks."
  type        = string
  default     = "terraform-locks"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "Give a valid DynamoDB table name."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days old state versions are kept before they expire."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "Keep old state versions at least one day."
  }
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
