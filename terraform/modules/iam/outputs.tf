output "cluster_role_arn" {
  description = "ARN of the EKS control plane's IAM role."
  value       = aws_iam_role.cluster.arn
}

output "node_role_arn" {
  description = "ARN of the managed node group's IAM role."
  value       = aws_iam_role.node.arn
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider of the cluster (IRSA)."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role ARN for the AWS Load Balancer Controller's service account."
  value       = aws_iam_role.irsa["aws-load-balancer-controller"].arn
}

output "external_secrets_role_arn" {
  description = "IRSA role ARN for the External Secrets Operator's service account."
  value       = aws_iam_role.irsa["external-secrets"].arn
}

output "external_secrets_platform_role_arn" {
  description = "IRSA role ARN of the platform secret store's service account (EXTERNAL_SECRETS_PLATFORM_ROLE_ARN in manifests/platform)."
  value       = aws_iam_role.irsa["external-secrets-platform"].arn
}

output "external_dns_role_arn" {
  description = "IRSA role ARN for ExternalDNS's service account."
  value       = aws_iam_role.irsa["external-dns"].arn
}

output "karpenter_controller_role_arn" {
  description = "IRSA role ARN for the Karpenter controller's service account."
  value       = aws_iam_role.irsa["karpenter"].arn
}

output "karpenter_node_role_arn" {
  description = "ARN of the IAM role of the nodes Karpenter launches (EKS access entry of type EC2_LINUX)."
  value       = aws_iam_role.karpenter_node.arn
}

output "karpenter_node_instance_profile_name" {
  description = "Instance profile of Karpenter's nodes (the EC2NodeClass's instanceProfile)."
  value       = aws_iam_instance_profile.karpenter_node.name
}

output "gitlab_oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider of the GitLab instance (the CI roles' federated principal)."
  value       = aws_iam_openid_connect_provider.gitlab.arn
}

output "ci_role_arn_prefix" {
  description = "ARN of the CI roles without the app name: an app's pipeline assumes <prefix><app> (IDP_CI_ROLE_ARN_PREFIX, templates/README.md)."
  value       = local.ci_role_arn_prefix
}

output "ci_role_arns" {
  description = "ARNs of the CI roles, by application name."
  value       = { for app, r in aws_iam_role.ci : app => r.arn }
}
