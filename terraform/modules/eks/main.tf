data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
}

################################################################################
# KMS key: envelope encryption of Kubernetes secrets and of the control plane
# log group
################################################################################

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptsTheControlPlaneLogs"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/eks/${var.cluster_name}/cluster"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "EKS ${var.cluster_name}: secrets envelope encryption and control plane logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/eks/${var.cluster_name}"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Control plane
################################################################################

# Created before the cluster so that retention and encryption are ours, not
# the defaults of the log group EKS would create.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/eks/${var.cluster_name}/cluster"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = var.tags
}

# Reason: the public endpoint is on by default so that operators and CI can
# reach the API, restricted to public_access_cidrs (0.0.0.0/0 is refused by
# validation); set endpoint_public_access = false for a private-only API.
#tfsec:ignore:aws-eks-no-public-cluster-access
resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  version  = var.kubernetes_version
  role_arn = var.cluster_role_arn

  enabled_cluster_log_types = var.enabled_log_types

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.public_access_cidrs
  }

  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = aws_kms_key.this.arn
    }
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this]
}

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.admin_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"

  tags = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = aws_eks_access_entry.admin

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

################################################################################
# VPC CNI: prefix delegation. Each ENI slot gets a /28 (16 pod IPs) instead of
# one IP, so a small node's pod limit is the kubelet's max_pods, not its ENIs
# (t3.large: 35 pods with one IP per slot). Managed here so that the setting
# is in place before any node boots.
################################################################################

data "aws_eks_addon_version" "vpc_cni" {
  addon_name         = "vpc-cni"
  kubernetes_version = aws_eks_cluster.this.version
  most_recent        = false
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name  = aws_eks_cluster.this.name
  addon_name    = "vpc-cni"
  addon_version = data.aws_eks_addon_version.vpc_cni.version

  # EKS installs a self-managed aws-node with the cluster; take it over.
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  configuration_values = jsonencode({
    env = {
      ENABLE_PREFIX_DELEGATION = "true"
      # One spare /28 per node: a new pod gets an IP at once, and a node
      # holds 16 idle IPs, not a whole ENI's worth.
      WARM_PREFIX_TARGET = "1"
    }
  })

  tags = var.tags
}

################################################################################
# System managed node group
################################################################################

# A launch template so that instances require IMDSv2, root volumes are
# encrypted gp3, instances/volumes carry the cost-allocation tags (default_tags
# do not reach instances launched by the node group's ASG), and the kubelet
# takes max_pods (AL2023's nodeadm merges this NodeConfig with the one EKS
# writes).
resource "aws_launch_template" "node" {
  name_prefix            = "${var.cluster_name}-node-"
  description            = "Nodes of EKS cluster ${var.cluster_name}"
  update_default_version = true

  user_data = base64encode(<<-EOT
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="//"

    --//
    Content-Type: application/node.eks.aws

    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      kubelet:
        config:
          maxPods: ${var.max_pods}
    --//--
  EOT
  )

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.node_group.disk_size_gib
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  dynamic "tag_specifications" {
    for_each = toset(["instance", "volume", "network-interface"])

    content {
      resource_type = tag_specifications.key
      tags          = merge(var.tags, { Name = "${var.cluster_name}-node" })
    }
  }

  tags = var.tags
}

# The system node group: the platform's own pods, Karpenter among them (it
# must not run on the nodes it manages). Apps' capacity comes from Karpenter.
resource "aws_eks_node_group" "this" {
  cluster_name           = aws_eks_cluster.this.name
  node_group_name_prefix = "${var.cluster_name}-system-"
  node_role_arn          = var.node_role_arn
  subnet_ids             = var.subnet_ids
  version                = aws_eks_cluster.this.version
  ami_type               = "AL2023_x86_64_STANDARD"
  instance_types         = var.node_group.instance_types
  capacity_type          = var.node_group.capacity_type

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  scaling_config {
    min_size     = var.node_group.min_size
    desired_size = var.node_group.desired_size
    max_size     = var.node_group.max_size
  }

  update_config {
    max_unavailable = 1
  }

  tags = var.tags

  # Nodes boot with prefix delegation already configured.
  depends_on = [aws_eks_addon.vpc_cni]

  lifecycle {
    # A new instance type replaces the group: the new one first, so the
    # platform's pods always have nodes.
    create_before_destroy = true
    # An operator may resize the group by hand without Terraform undoing it.
    ignore_changes = [scaling_config[0].desired_size]
  }
}
