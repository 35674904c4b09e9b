locals {
  create_kms_key = var.encryption_type == "KMS" && var.kms_key_arn == null
  kms_key_arn    = var.encryption_type == "KMS" ? coalesce(var.kms_key_arn, try(aws_kms_key.this[0].arn, null)) : null

  lifecycle_policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after a day"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last ${var.images_to_keep} images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.images_to_keep
        }
        action = { type = "expire" }
      },
    ]
  })
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "ECR repositories ${var.repository_prefix}/*"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/ecr/${var.repository_prefix}"
  target_key_id = aws_kms_key.this[0].key_id
}

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  repositories_arn = "arn:${data.aws_partition.current.partition}:ecr:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:repository/${var.repository_prefix}/*"
}

# Every app's repository, <repository_prefix>/<app>, is created by ECR on the
# app pipeline's first push (create on push) with these settings: no
# Terraform run per app. Encryption: a customer managed key by default
# (encryption_type = "KMS"); AES256 is an explicit, documented opt-out.
resource "aws_ecr_repository_creation_template" "apps" {
  prefix               = var.repository_prefix
  description          = "Apps' repositories, created on their pipeline's first push"
  applied_for          = ["CREATE_ON_PUSH"]
  image_tag_mutability = "IMMUTABLE"
  custom_role_arn      = aws_iam_role.creation_template.arn
  lifecycle_policy     = local.lifecycle_policy
  resource_tags        = var.tags

  encryption_configuration {
    encryption_type = var.encryption_type
    kms_key         = local.kms_key_arn
  }
}

# Scan on push for the repositories the template creates (creation templates
# carry no scanning setting: the registry's scanning configuration does).
resource "aws_ecr_registry_scanning_configuration" "apps" {
  scan_type = "BASIC"

  rule {
    scan_frequency = "SCAN_ON_PUSH"

    repository_filter {
      filter      = "${var.repository_prefix}/*"
      filter_type = "WILDCARD"
    }
  }
}

# The role ECR assumes to create a repository with the template's KMS key
# and tags (ECR's "custom role" of repository creation templates).
data "aws_iam_policy_document" "creation_template_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecr.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "creation_template" {
  name_prefix        = "ecr-template-"
  assume_role_policy = data.aws_iam_policy_document.creation_template_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "creation_template" {
  statement {
    sid       = "CreateAppRepositories"
    actions   = ["ecr:CreateRepository", "ecr:TagResource", "ecr:PutLifecyclePolicy"]
    resources = [local.repositories_arn]
  }

  dynamic "statement" {
    for_each = local.kms_key_arn == null ? [] : [local.kms_key_arn]

    content {
      sid       = "EncryptWithTheKey"
      actions   = ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "creation_template" {
  name   = "create-app-repositories"
  role   = aws_iam_role.creation_template.id
  policy = data.aws_iam_policy_document.creation_template.json
}
