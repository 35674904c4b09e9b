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

output "ecr_push_policy_arns" {
  description = "ARNs of the per-application ECR push policies, by application name."
  value       = { for app, p in aws_iam_policy.ecr_push : app => p.arn }
}
