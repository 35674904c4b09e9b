output "bucket_name" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.this.arn
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock table."
  value       = aws_dynamodb_table.lock.name
}

output "kms_key_arn" {
  description = "KMS key that encrypts the state objects and the lock table."
  value       = aws_kms_key.this.arn
}

output "backend_config" {
  description = "Arguments for `tofu init -backend-config=…` of the root configuration."
  value = {
    bucket         = aws_s3_bucket.this.id
    dynamodb_table = aws_dynamodb_table.lock.name
    kms_key_id     = aws_kms_key.this.arn
    encrypt        = true
  }
}
