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

output "ecr_push_policy_arns" {
  description = "ARNs of the per-application ECR push policies, by application name."
  value       = { for app, p in aws_iam_policy.ecr_push : app => p.arn }
}
