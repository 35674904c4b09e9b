################################################################################
# What Karpenter needs from the cluster's AWS side: its interruption queue fed
# by EventBridge, the security group it discovers, and node access for the
# role of the nodes it launches. The controller's role and the node role are
# in the iam module, the controller and its NodePool in the addons module.
################################################################################

locals {
  # The EC2 and AWS Health events Karpenter acts on before a node goes away:
  # it cordons and drains the node and launches its replacement.
  karpenter_interruption_events = {
    spot-interruption = { source = "aws.ec2", detail_type = "EC2 Spot Instance Interruption Warning" }
    rebalance         = { source = "aws.ec2", detail_type = "EC2 Instance Rebalance Recommendation" }
    instance-state    = { source = "aws.ec2", detail_type = "EC2 Instance State-change Notification" }
    scheduled-change  = { source = "aws.health", detail_type = "AWS Health Event" }
  }
}

# Encrypted with SQS-managed keys (SSE-SQS), as in Karpenter's template:
# EventBridge cannot deliver to a queue under the AWS-managed KMS key, and the
# messages are AWS's own event notices, not data of the platform.
resource "aws_sqs_queue" "karpenter_interruption" {
  name                      = "${var.cluster_name}-karpenter"
  message_retention_seconds = 300
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

data "aws_iam_policy_document" "karpenter_interruption" {
  statement {
    sid       = "EventBridgeDeliversThisClustersRules"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.karpenter_interruption.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for r in aws_cloudwatch_event_rule.karpenter_interruption : r.arn]
    }
  }

  statement {
    sid       = "DenyHTTP"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.karpenter_interruption.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "karpenter_interruption" {
  queue_url = aws_sqs_queue.karpenter_interruption.id
  policy    = data.aws_iam_policy_document.karpenter_interruption.json
}

resource "aws_cloudwatch_event_rule" "karpenter_interruption" {
  for_each = local.karpenter_interruption_events

  name        = "${var.cluster_name}-karpenter-${each.key}"
  description = "Karpenter interruption handling: ${each.value.detail_type}"
  event_pattern = jsonencode({
    source        = [each.value.source]
    "detail-type" = [each.value.detail_type]
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "karpenter_interruption" {
  for_each = aws_cloudwatch_event_rule.karpenter_interruption

  rule      = each.value.name
  target_id = "KarpenterInterruptionQueue"
  arn       = aws_sqs_queue.karpenter_interruption.arn
}

# Karpenter's nodes join the security group EKS created for the cluster (as
# the managed nodes do); the EC2NodeClass finds it by this tag. The private
# subnets carry the same tag (vpc module).
resource "aws_ec2_tag" "karpenter_discovery" {
  resource_id = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  key         = "karpenter.sh/discovery"
  value       = var.cluster_name
}

# Nodes authenticate with their instance role; EC2_LINUX grants the node
# permissions (system:nodes) and nothing more.
resource "aws_eks_access_entry" "karpenter_node" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.karpenter_node_role_arn
  type          = "EC2_LINUX"

  tags = var.tags
}
