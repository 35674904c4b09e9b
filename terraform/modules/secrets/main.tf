# Only the secret *containers* are managed here. No aws_secretsmanager_secret_version
# exists in this configuration, so no secret value is ever in a tfvars file,
# a plan or the state. Values are put by an operator (see README.md):
#
#   aws secretsmanager put-secret-value --secret-id <name> --secret-string file://value.json

resource "aws_kms_key" "this" {
  description             = "Secrets Manager secrets ${var.name_prefix}*"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/secrets/${trimsuffix(var.name_prefix, "/")}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secrets

  name                    = "${var.name_prefix}${each.key}"
  description             = "${each.value.description} (JSON keys: ${join(", ", each.value.keys)})"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = var.tags
}
