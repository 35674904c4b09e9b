# IAM policy of the Karpenter controller (v1), transcribed from the
# controller policy of Karpenter's getting-started CloudFormation template and
# limited to the calls Karpenter 1.8 makes.
# Everything it creates, tags or deletes must carry this cluster's tag
# (kubernetes.io/cluster/<cluster> = owned) and a NodePool tag; it may pass
# only its node role, read the interruption queue only and describe only this
# cluster. The node instance profile is created by Terraform (iam main.tf), so
# the template's instance-profile write statements are left out.
locals {
  karpenter_ec2      = "arn:${local.partition}:ec2:${local.region}"
  karpenter_owned    = "kubernetes.io/cluster/${var.cluster_name}"
  karpenter_launched = ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"]
}

data "aws_iam_policy_document" "karpenter_controller" {
  # Shared inputs of a launch: images, snapshots, subnets and security groups
  # are not Karpenter's and carry no tag of it; the template scopes them by
  # region only.
  statement {
    sid     = "AllowScopedEC2InstanceAccessActions"
    actions = ["ec2:RunInstances", "ec2:CreateFleet"]
    resources = [
      "${local.karpenter_ec2}::image/*",
      "${local.karpenter_ec2}::snapshot/*",
      "${local.karpenter_ec2}:*:security-group/*",
      "${local.karpenter_ec2}:*:subnet/*",
    ]
  }

  statement {
    sid       = "AllowScopedEC2LaunchTemplateAccessActions"
    actions   = ["ec2:RunInstances", "ec2:CreateFleet"]
    resources = ["${local.karpenter_ec2}:*:launch-template/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.karpenter_owned}"
      values   = ["owned"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowScopedEC2InstanceActionsWithTags"
    actions   = ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"]
    resources = [for r in local.karpenter_launched : "${local.karpenter_ec2}:*:${r}/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.karpenter_owned}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.cluster_name]
    }

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowScopedResourceCreationTagging"
    actions   = ["ec2:CreateTags"]
    resources = [for r in local.karpenter_launched : "${local.karpenter_ec2}:*:${r}/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.karpenter_owned}"
      values   = ["owned"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.cluster_name]
    }

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  statement {
    sid       = "AllowScopedResourceTagging"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.karpenter_ec2}:*:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.karpenter_owned}"
      values   = ["owned"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.sh/nodepool"
      values   = ["*"]
    }

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:RequestTag/eks:eks-cluster-name"
      values   = [var.cluster_name]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
    }
  }

  statement {
    sid     = "AllowScopedDeletion"
    actions = ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"]
    resources = [
      "${local.karpenter_ec2}:*:instance/*",
      "${local.karpenter_ec2}:*:launch-template/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.karpenter_owned}"
      values   = ["owned"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/karpenter.sh/nodepool"
      values   = ["*"]
    }
  }

  # EC2 Describe* calls support no resource-level permissions. (Capacity
  # reservations are not used: no DescribeCapacityReservations.)
  statement {
    sid = "AllowRegionalReadActions"
    actions = [
      "ec2:DescribeImages",
      "ec2:DescribeInstances",
      "ec2:DescribeInstanceTypeOfferings",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplates",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSpotPriceHistory",
      "ec2:DescribeSubnets",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [local.region]
    }
  }

  # The AMI alias (al2023@…) resolves through AWS's public SSM parameters.
  statement {
    sid       = "AllowSSMReadActions"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${local.partition}:ssm:${local.region}::parameter/aws/service/*"]
  }

  statement {
    sid       = "AllowPricingReadActions"
    actions   = ["pricing:GetProducts"]
    resources = ["*"]
  }

  statement {
    sid       = "AllowInterruptionQueueActions"
    actions   = ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]
    resources = [var.karpenter_interruption_queue_arn]
  }

  statement {
    sid       = "AllowPassingInstanceRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.karpenter_node.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowInstanceProfileReadActions"
    actions   = ["iam:GetInstanceProfile"]
    resources = [aws_iam_instance_profile.karpenter_node.arn]
  }

  # Karpenter's instance-profile garbage collection lists the profiles under
  # its path; IAM list calls support no resource-level permissions.
  statement {
    sid       = "AllowUnscopedInstanceProfileListAction"
    actions   = ["iam:ListInstanceProfiles"]
    resources = ["*"]
  }

  statement {
    sid       = "AllowAPIServerEndpointDiscovery"
    actions   = ["eks:DescribeCluster"]
    resources = ["arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.cluster_name}"]
  }
}
