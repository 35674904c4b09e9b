output "vpc_id" {
  description = "ID of the platform VPC."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets of the nodes."
  value       = module.vpc.private_subnet_ids
}

output "nat_gateway_public_ips" {
  description = "Egress IPs of the cluster (allow-list them on GitLab/GitHub if needed)."
  value       = module.vpc.nat_gateway_public_ips
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "kubeconfig_command" {
  description = "Command that writes a kubeconfig entry for the cluster."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.eks.cluster_name}"
}

output "ecr_repository_prefix" {
  description = "Repository path of the apps: an app's image is <account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<app>, created on its first push."
  value       = module.ecr.repository_prefix
}

output "ci_role_arn_prefix" {
  description = "Set as the CI/CD variable IDP_CI_ROLE_ARN_PREFIX of the apps' GitLab group: each pipeline assumes <prefix><app> (templates/README.md)."
  value       = module.iam.ci_role_arn_prefix
}

output "ci_role_arns" {
  description = "CI role of each application, by name."
  value       = module.iam.ci_role_arns
}

output "zone_id" {
  description = "Route53 zone of the platform domain."
  value       = module.dns.zone_id
}

output "zone_name_servers" {
  description = "Name servers of the platform zone."
  value       = module.dns.zone_name_servers
}

output "certificate_arn" {
  description = "Validated wildcard certificate for the shared ALB."
  value       = module.acm.certificate_arn
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role of the AWS Load Balancer Controller."
  value       = module.iam.load_balancer_controller_role_arn
}

output "external_secrets_role_arn" {
  description = "IRSA role of the External Secrets Operator (for the ClusterSecretStore in manifests/platform)."
  value       = module.iam.external_secrets_role_arn
}

output "external_secrets_platform_role_arn" {
  description = "IRSA role ARN of the platform secret store (EXTERNAL_SECRETS_PLATFORM_ROLE_ARN in manifests/platform's platform-settings)."
  value       = module.iam.external_secrets_platform_role_arn
}

output "external_dns_role_arn" {
  description = "IRSA role of ExternalDNS (records of the platform zone only)."
  value       = module.iam.external_dns_role_arn
}

output "karpenter_controller_role_arn" {
  description = "IRSA role of the Karpenter controller."
  value       = module.iam.karpenter_controller_role_arn
}

output "karpenter_node_role_arn" {
  description = "IAM role of the nodes Karpenter launches."
  value       = module.iam.karpenter_node_role_arn
}

output "karpenter_interruption_queue_name" {
  description = "SQS queue of Spot interruption, rebalance, instance state and scheduled change events for Karpenter."
  value       = module.eks.karpenter_interruption_queue_name
}

output "secret_names" {
  description = "Secrets Manager names of the platform secrets, by path."
  value       = module.secrets.secret_names
}

output "put_secret_value_commands" {
  description = "Commands that set the secret values out of band after the first apply."
  value       = module.secrets.put_secret_value_commands
}

output "helm_releases" {
  description = "Chart versions installed in the cluster, by release."
  value = merge(
    { (module.addons.load_balancer_controller_release.name) = module.addons.load_balancer_controller_release.version },
    { (module.addons.external_secrets_release.name) = module.addons.external_secrets_release.version },
    { (module.addons.external_dns_release.name) = module.addons.external_dns_release.version },
    module.addons.karpenter_releases,
    { (module.calico.release.name) = module.calico.release.version },
    module.observability.releases,
  )
}
