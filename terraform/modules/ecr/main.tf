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

  description             = "ECR repositories ${var.name_prefix}/*"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = "alias/ecr/${var.name_prefix}"
  target_key_id = aws_kms_key.this[0].key_id
}

# Encryption: a customer managed key by default (encryption_type = "KMS");
# AES256 is an explicit, documented opt-out.
resource "aws_ecr_repository" "this" {
  for_each = var.repositories

  name                 = "${var.name_prefix}/${each.key}"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = var.encryption_type
    kms_key         = local.kms_key_arn
  }

  tags = merge(var.tags, { App = each.key })
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy     = local.lifecycle_policy
}
