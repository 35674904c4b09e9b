resource "aws_acm_certificate" "this" {
  domain_name               = "*.${var.domain_name}"
  subject_alternative_names = [var.domain_name]
  validation_method         = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  tags = merge(var.tags, { Name = "*.${var.domain_name}" })

  lifecycle {
    create_before_destroy = true
  }
}

# Keyed by domain name, which is known at plan time (the record names are
# not). The wildcard and the apex share one validation record: both entries
# upsert the same record, hence allow_overwrite.
resource "aws_route53_record" "validation" {
  for_each = {
    for o in aws_acm_certificate.this.domain_validation_options : o.domain_name => {
      name  = o.resource_record_name
      type  = o.resource_record_type
      value = o.resource_record_value
    }
  }

  zone_id         = var.zone_id
  name            = each.value.name
  type            = each.value.type
  records         = [each.value.value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = distinct([for r in aws_route53_record.validation : r.fqdn])

  timeouts {
    create = var.validation_timeout
  }
}
