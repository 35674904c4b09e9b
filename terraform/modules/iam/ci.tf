# GitLab CI: each app's pipeline assumes a role of its own with the CI ID
# token GitLab issues (id_tokens, aud sts.amazonaws.com). The role trusts
# exactly one project on main, <gitlab_app_group>/<app>, and may push to
# exactly one repository, <image_prefix>/<app>, which ECR creates on the
# first push from the creation template (modules/ecr).
#
# Why one role per app, not one shared role: the GitLab token's claims are
# visible to IAM only in the trust policy (sub, aud); they do not reach the
# session, GitLab cannot issue session tags (https://aws.amazon.com/tags) or a
# source identity, and the caller picks the session name. A shared role's
# permissions would be the same for every app of the group, so one
# compromised pipeline could push images into every app's repository.
# README.md ("CI: GitLab OIDC") has the reasoning.

locals {
  ci_role_arn_prefix = "arn:${local.partition}:iam::${local.account_id}:role/${var.name}-ci-"
}

module "gitlab_thumbprint" {
  source = "./modules/oidc-thumbprint"

  url = "https://${var.gitlab_host}"
}

resource "aws_iam_openid_connect_provider" "gitlab" {
  url             = "https://${var.gitlab_host}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [module.gitlab_thumbprint.sha1_fingerprint]

  tags = merge(var.tags, { Name = "${var.name}-gitlab-ci" })
}

data "aws_iam_policy_document" "ci_assume" {
  for_each = var.ci_apps

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.gitlab.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.gitlab_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # GitLab's default sub: project_path:<group>/<project>:ref_type:branch:ref:<branch>.
    condition {
      test     = "StringEquals"
      variable = "${var.gitlab_host}:sub"
      values   = ["project_path:${var.gitlab_app_group}/${each.key}:ref_type:branch:ref:main"]
    }
  }
}

resource "aws_iam_role" "ci" {
  for_each = var.ci_apps

  name                 = "${var.name}-ci-${each.key}"
  description          = "GitLab CI of ${var.gitlab_app_group}/${each.key}: push to ${var.image_prefix}/${each.key}"
  assume_role_policy   = data.aws_iam_policy_document.ci_assume[each.key].json
  max_session_duration = 3600

  tags = merge(var.tags, { App = each.key })

  lifecycle {
    precondition {
      condition     = length("${var.name}-ci-${each.key}") <= 64
      error_message = "IAM role names hold at most 64 characters: shorten the platform name or the app name."
    }
  }
}

data "aws_iam_policy_document" "ci_push" {
  for_each = var.ci_apps

  # ecr:GetAuthorizationToken supports no resource-level permissions; AWS
  # requires "*" for it. Every other action is scoped to the app's repository.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  # CreateRepository: the first push creates the repository (create on push).
  statement {
    sid = "PushToOwnRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:CreateRepository",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = ["arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${var.image_prefix}/${each.key}"]
  }
}

resource "aws_iam_role_policy" "ci_push" {
  for_each = var.ci_apps

  name   = "ecr-push"
  role   = aws_iam_role.ci[each.key].id
  policy = data.aws_iam_policy_document.ci_push[each.key].json
}
