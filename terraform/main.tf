locals {
  name         = "${var.project}-${var.environment}"
  cluster_name = local.name

  # Cost-allocation tags, applied to every AWS resource through the provider's
  # default_tags (and explicitly to node instances and volumes).
  tags = {
    Project     = var.project
    Environment = var.environment
    Owner       = var.owner
    CostCenter  = var.cost_center
    ManagedBy   = "terraform"
  }

  # External Secrets may read this prefix and nothing else.
  secrets_name_prefix = "${var.project}/"
}

################################################################################
# Network, identity, cluster
################################################################################

module "vpc" {
  source = "./modules/vpc"

  name                   = local.name
  cluster_name           = local.cluster_name
  cidr                   = var.vpc_cidr
  az_count               = var.az_count
  one_nat_gateway_per_az = var.one_nat_gateway_per_az
  interface_endpoints    = var.vpc_interface_endpoints
}

module "iam" {
  source = "./modules/iam"

  name                             = local.name
  cluster_name                     = local.cluster_name
  oidc_issuer_url                  = module.eks.oidc_issuer_url
  secrets_name_prefix              = local.secrets_name_prefix
  secrets_kms_key_arn              = module.secrets.kms_key_arn
  image_prefix                     = var.image_prefix
  gitlab_host                      = var.gitlab_host
  gitlab_app_group                 = var.gitlab_app_group
  ci_apps                          = toset(var.apps)
  domain_name                      = var.domain_name
  route53_zone_arn                 = module.dns.zone_arn
  karpenter_interruption_queue_arn = module.eks.karpenter_interruption_queue_arn
}

module "eks" {
  source = "./modules/eks"

  cluster_name            = local.cluster_name
  kubernetes_version      = var.kubernetes_version
  subnet_ids              = module.vpc.private_subnet_ids
  cluster_role_arn        = module.iam.cluster_role_arn
  node_role_arn           = module.iam.node_role_arn
  karpenter_node_role_arn = module.iam.karpenter_node_role_arn
  endpoint_public_access  = var.cluster_endpoint_public_access
  public_access_cidrs     = var.cluster_endpoint_public_access_cidrs
  node_group              = var.node_group
  max_pods                = var.max_pods_per_node
  admin_principal_arns    = var.cluster_admin_principal_arns

  # Instances and volumes launched by the node group do not get default_tags.
  tags = local.tags
}

################################################################################
# Images, DNS, certificates, secrets
################################################################################

module "ecr" {
  source = "./modules/ecr"

  repository_prefix = var.image_prefix
  encryption_type   = var.ecr_encryption_type
}

module "dns" {
  source = "./modules/dns"

  domain_name = var.domain_name
  create_zone = var.create_dns_zone
}

module "acm" {
  source = "./modules/acm"

  domain_name = var.domain_name
  zone_id     = module.dns.zone_id
}

module "secrets" {
  source = "./modules/secrets"

  name_prefix = local.secrets_name_prefix
}

################################################################################
# In-cluster components (Helm). Custom resources of the CRDs these charts
# install (ClusterSecretStore, ExternalSecret, ServiceMonitor, …) are not here:
# they live in manifests/platform and manifests/backstage, synced by Argo CD.
################################################################################

module "addons" {
  source = "./modules/addons"

  cluster_name                      = module.eks.cluster_name
  region                            = var.region
  vpc_id                            = module.vpc.vpc_id
  load_balancer_controller_role_arn = module.iam.load_balancer_controller_role_arn
  external_secrets_role_arn         = module.iam.external_secrets_role_arn

  # ExternalDNS: the apps' and the platform's records in the platform zone.
  domain_name           = var.domain_name
  zone_id               = module.dns.zone_id
  external_dns_role_arn = module.iam.external_dns_role_arn

  # Karpenter: app nodes, same max pods as the system node group.
  karpenter_controller_role_arn     = module.iam.karpenter_controller_role_arn
  karpenter_instance_profile_name   = module.iam.karpenter_node_instance_profile_name
  karpenter_interruption_queue_name = module.eks.karpenter_interruption_queue_name
  system_node_group_name            = module.eks.node_group_name
  max_pods                          = var.max_pods_per_node
  karpenter_node_pool               = var.karpenter_node_pool

  # Instances Karpenter launches do not get default_tags.
  tags = local.tags

  # Pods need nodes: wait for the node group, not only the control plane.
  depends_on = [module.eks]
}

module "calico" {
  source = "./modules/calico"

  depends_on = [module.eks]
}

module "observability" {
  source = "./modules/observability"

  cluster_name                = module.eks.cluster_name
  prometheus_remote_write_url = var.grafana_cloud_prometheus_url
  mimir_ruler_url             = var.grafana_cloud_ruler_url
  loki_push_url               = var.grafana_cloud_loki_url
  loki_username               = var.grafana_cloud_loki_username

  # Nodes must exist and the load balancer controller's webhooks must be
  # serving before these charts create their Services and DaemonSets.
  depends_on = [module.eks, module.addons]
}
