output "repository_arns" {
  description = "Repository ARNs by application name."
  value       = { for app, r in aws_ecr_repository.this : app => r.arn }
}

output "repository_urls" {
  description = "Repository URLs (<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<app>) by application name."
  value       = { for app, r in aws_ecr_repository.this : app => r.repository_url }
}

output "kms_key_arn" {
  description = "KMS key that encrypts the repositories (null with AES256)."
  value       = local.kms_key_arn
}
