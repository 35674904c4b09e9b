output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded CA certificate of the cluster."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "cluster_security_group_id" {
  description = "Security group that EKS created for the control plane and the nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster (for IRSA)."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts Kubernetes secrets and the control plane logs."
  value       = aws_kms_key.this.arn
}

output "node_group_name" {
  description = "Name of the system managed node group (the eks.amazonaws.com/nodegroup label of its nodes)."
  value       = aws_eks_node_group.this.node_group_name
}

output "log_group_name" {
  description = "CloudWatch log group of the control plane logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "karpenter_interruption_queue_arn" {
  description = "ARN of Karpenter's interruption queue."
  value       = aws_sqs_queue.karpenter_interruption.arn
}

output "karpenter_interruption_queue_name" {
  description = "Name of Karpenter's interruption queue (its settings.interruptionQueue)."
  value       = aws_sqs_queue.karpenter_interruption.name
}
