# Every AWS resource inherits the cost-allocation tags. (Activate the tag keys
# once under Billing → Cost allocation tags.) Instances and volumes of the node
# group do not inherit default_tags; the eks module stamps them explicitly.
provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# Helm talks to the cluster this configuration creates, with a token from the
# AWS CLI. On the very first apply the cluster does not exist yet: see the
# apply order in README.md.
provider "helm" {
  kubernetes = {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)

    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
    }
  }
}
