data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  oidc_host  = trimprefix(var.oidc_issuer_url, "https://")

  # Workloads that get an IAM role through IRSA, keyed by role suffix.
  irsa = {
    aws-load-balancer-controller = {
      service_account = var.load_balancer_controller_service_account
      policy_json     = data.aws_iam_policy_document.load_balancer_controller.json
    }
    external-secrets = {
      service_account = var.external_secrets_service_account
      policy_json     = data.aws_iam_policy_document.external_secrets["external-secrets"].json
    }
    external-secrets-platform = {
      service_account = var.external_secrets_platform_service_account
      policy_json     = data.aws_iam_policy_document.external_secrets["external-secrets-platform"].json
    }
    external-dns = {
      service_account = var.external_dns_service_account
      policy_json     = data.aws_iam_policy_document.external_dns.json
    }
    karpenter = {
      service_account = var.karpenter_service_account
      policy_json     = data.aws_iam_policy_document.karpenter_controller.json
    }
  }

  # Both node roles (the managed group's and Karpenter's) get these.
  node_policies = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
  ])

  # What each External Secrets identity may read, below secrets_name_prefix:
  # the apps' store its apps' keys, the platform's store the platform's.
  external_secrets_reads = {
    external-secrets          = ["apps/*"]
    external-secrets-platform = ["platform/*", "observability/*"]
  }
}

################################################################################
# Cluster and node roles
################################################################################

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = toset(["AmazonEKSClusterPolicy"])

  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-eks-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = local.node_policies

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

# Karpenter's nodes have a role of their own, so that the controller may pass
# this one role and no other. The instance profile is created here, not by
# Karpenter, which then needs no instance-profile write permissions.
resource "aws_iam_role" "karpenter_node" {
  name               = "${var.name}-karpenter-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "karpenter_node" {
  for_each = local.node_policies

  role       = aws_iam_role.karpenter_node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

resource "aws_iam_instance_profile" "karpenter_node" {
  name = "${var.name}-karpenter-node"
  role = aws_iam_role.karpenter_node.name

  tags = var.tags
}

################################################################################
# IRSA: the cluster's OIDC provider and the roles that trust it
################################################################################

module "oidc_thumbprint" {
  source = "./modules/oidc-thumbprint"

  url = var.oidc_issuer_url
}

resource "aws_iam_openid_connect_provider" "this" {
  url             = var.oidc_issuer_url
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [module.oidc_thumbprint.sha1_fingerprint]

  tags = merge(var.tags, { Name = "${var.name}-eks-irsa" })
}

data "aws_iam_policy_document" "irsa_assume" {
  for_each = local.irsa

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["system:serviceaccount:${each.value.service_account.namespace}:${each.value.service_account.name}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.irsa

  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.irsa_assume[each.key].json

  tags = var.tags
}

resource "aws_iam_policy" "irsa" {
  for_each = local.irsa

  name        = "${var.name}-${each.key}"
  description = "Permissions of ${each.key} (IRSA)"
  policy      = each.value.policy_json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "irsa" {
  for_each = local.irsa

  role       = aws_iam_role.irsa[each.key].name
  policy_arn = aws_iam_policy.irsa[each.key].arn
}

################################################################################
# External Secrets: each identity reads its own part of the secrets, no more
################################################################################

data "aws_iam_policy_document" "external_secrets" {
  for_each = local.external_secrets_reads

  statement {
    sid = "ReadSecrets"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetResourcePolicy",
      "secretsmanager:ListSecretVersionIds",
    ]
    resources = [for p in each.value : "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.secrets_name_prefix}${p}"]
  }

  statement {
    sid       = "DecryptThroughSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}
