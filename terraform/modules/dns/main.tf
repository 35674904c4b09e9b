locals {
  zone_id  = var.create_zone ? aws_route53_zone.this[0].zone_id : data.aws_route53_zone.this[0].zone_id
  zone_arn = var.create_zone ? aws_route53_zone.this[0].arn : data.aws_route53_zone.this[0].arn
}

# The zone usually exists already (registrar delegation takes up to 48 h);
# it is read, never duplicated. Its records for the apps' and the platform's
# hosts are ExternalDNS's (addons module), one per Ingress host.
data "aws_route53_zone" "this" {
  count = var.create_zone ? 0 : 1

  name         = var.domain_name
  private_zone = false
}

# No query logging: it needs a CloudWatch log group in us-east-1 and costs per
# query; add aws_route53_query_log when an audit needs it.
resource "aws_route53_zone" "this" {
  count = var.create_zone ? 1 : 0

  name    = var.domain_name
  comment = "Platform domain, managed by Terraform"

  tags = var.tags
}
