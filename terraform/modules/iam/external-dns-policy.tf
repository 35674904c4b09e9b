# IAM policy of ExternalDNS, after the permissions its AWS tutorial lists,
# narrowed to the platform's zone: it changes records of that zone only, of
# the types it manages (A, AAAA, CNAME and its TXT ownership records) and
# below the apex only. ListHostedZones supports no resource-level permission,
# so it alone is granted on "*".
data "aws_iam_policy_document" "external_dns" {
  statement {
    sid       = "ChangeRecordsOfThePlatformZone"
    actions   = ["route53:ChangeResourceRecordSets"]
    resources = [var.route53_zone_arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "route53:ChangeResourceRecordSetsRecordTypes"
      values   = ["A", "AAAA", "CNAME", "TXT"]
    }

    condition {
      test     = "ForAllValues:StringLike"
      variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
      values   = ["*.${var.domain_name}"]
    }
  }

  statement {
    sid = "ReadThePlatformZone"
    actions = [
      "route53:ListResourceRecordSets",
      "route53:ListTagsForResource",
    ]
    resources = [var.route53_zone_arn]
  }

  statement {
    sid       = "FindTheZone"
    actions   = ["route53:ListHostedZones"]
    resources = ["*"]
  }
}
