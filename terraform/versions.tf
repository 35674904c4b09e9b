terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.0, < 4.0"
    }
  }

  # Partial configuration: bucket, key, region and dynamodb_table come from
  # `tofu init -backend-config=backend.hcl` (see README.md).
  backend "s3" {}
}
