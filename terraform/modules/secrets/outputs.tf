output "secret_arns" {
  description = "Secret ARNs by path below the prefix."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "secret_names" {
  description = "Full secret names by path below the prefix (what ExternalSecrets reference as remoteRef.key)."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "kms_key_arn" {
  description = "KMS key that encrypts the secrets."
  value       = aws_kms_key.this.arn
}

output "put_secret_value_commands" {
  description = "The command that sets each secret's value, out of band (values never pass through Terraform)."
  value = {
    for k, s in aws_secretsmanager_secret.this : k => format(
      "aws secretsmanager put-secret-value --secret-id %s --secret-string '%s'",
      s.name,
      jsonencode({ for key in var.secrets[k].keys : key => "<${key}>" }),
    )
  }
}
