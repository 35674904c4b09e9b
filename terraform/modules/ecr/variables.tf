variable "repository_prefix" {
  description = "Repository path of the apps: ECR creates <repository_prefix>/<app> on the app's first push."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.repository_prefix))
    error_message = "The prefix must be a repository path: lowercase letters and digits, optionally separated by . _ - or /."
  }
}

variable "images_to_keep" {
  description = "Number of images each repository keeps; older ones expire."
  type        = number
  default     = 30

  validation {
    condition     = var.images_to_keep >= 1 && floor(var.images_to_keep) == var.images_to_keep
    error_message = "Keep at least one image (a whole number)."
  }
}

variable "encryption_type" {
  description = "KMS (a customer managed key created here, or kms_key_arn) or AES256 (ECR's default key, no KMS cost)."
  type        = string
  default     = "KMS"

  validation {
    condition     = contains(["KMS", "AES256"], var.encryption_type)
    error_message = "encryption_type is KMS or AES256."
  }
}

variable "kms_key_arn" {
  description = "Existing KMS key for the repositories when encryption_type is KMS; null creates one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource and every repository the template creates (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
