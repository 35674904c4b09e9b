locals {
  zone_id = var.create_zone ? aws_route53_zone.this[0].zone_id : data.aws_route53_zone.this[0].zone_id

  alb_passed_in = var.alb_dns_name != null
  lookup_alb    = var.create_wildcard_record && !local.alb_passed_in

  alb = local.alb_passed_in ? {
    dns_name = var.alb_dns_name
    zone_id  = var.alb_zone_id
    } : {
    dns_name = try(data.aws_lb.shared[0].dns_name, null)
    zone_id  = try(data.aws_lb.shared[0].zone_id, null)
  }
}

# The zone usually exists already (registrar delegation takes up to 48 h);
# it is read, never duplicated.
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

data "aws_lb" "shared" {
  count = local.lookup_alb ? 1 : 0

  name = var.alb_name
  tags = var.alb_name == null ? var.alb_tags : null

  lifecycle {
    precondition {
      condition     = var.alb_name != null || length(var.alb_tags) > 0
      error_message = "To look up the shared ALB give alb_name or alb_tags (or pass alb_dns_name and alb_zone_id)."
    }
  }
}

resource "aws_route53_record" "wildcard" {
  count = var.create_wildcard_record ? 1 : 0

  zone_id = local.zone_id
  name    = "*.${var.domain_name}"
  type    = "A"

  alias {
    name                   = local.alb.dns_name
    zone_id                = local.alb.zone_id
    evaluate_target_health = true
  }

  lifecycle {
    precondition {
      condition     = !local.alb_passed_in || var.alb_zone_id != null
      error_message = "alb_dns_name needs alb_zone_id (the ALB's canonical hosted zone ID)."
    }
  }
}
