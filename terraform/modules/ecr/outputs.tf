output "repository_prefix" {
  description = "Repository path of the apps; an app's repository is <registry>/<repository_prefix>/<app>."
  value       = aws_ecr_repository_creation_template.apps.prefix
}

output "repositories_arn" {
  description = "ARN pattern of every app's repository (<repository_prefix>/*)."
  value       = local.repositories_arn
}

output "kms_key_arn" {
  description = "KMS key that encrypts the repositories (null with AES256)."
  value       = local.kms_key_arn
}
