output "certificate_arn" {
  description = "ARN of the validated wildcard certificate (use it on the shared ALB's HTTPS listener)."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "validation_record_fqdns" {
  description = "FQDNs of the DNS validation records."
  value       = distinct([for r in aws_route53_record.validation : r.fqdn])
}
