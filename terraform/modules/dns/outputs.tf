output "zone_id" {
  description = "ID of the public hosted zone of the platform domain."
  value       = local.zone_id
}

output "zone_name_servers" {
  description = "Name servers of the zone (delegate to them at the registrar when the zone was created here)."
  value       = var.create_zone ? aws_route53_zone.this[0].name_servers : data.aws_route53_zone.this[0].name_servers
}

output "wildcard_fqdn" {
  description = "The wildcard record's name, or null when it is not created."
  value       = try(aws_route53_record.wildcard[0].fqdn, null)
}

output "alb_dns_name" {
  description = "DNS name of the shared ALB the wildcard points to, or null."
  value       = var.create_wildcard_record ? local.alb.dns_name : null
}
