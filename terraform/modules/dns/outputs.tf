output "zone_id" {
  description = "ID of the public hosted zone of the platform domain."
  value       = local.zone_id
}

output "zone_arn" {
  description = "ARN of the public hosted zone (ExternalDNS's IAM policy is limited to it)."
  value       = local.zone_arn
}

output "zone_name_servers" {
  description = "Name servers of the zone (delegate to them at the registrar when the zone was created here)."
  value       = var.create_zone ? aws_route53_zone.this[0].name_servers : data.aws_route53_zone.this[0].name_servers
}
