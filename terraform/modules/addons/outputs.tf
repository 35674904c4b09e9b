output "load_balancer_controller_release" {
  description = "Name, namespace and chart version of the AWS Load Balancer Controller release."
  value = {
    name      = helm_release.load_balancer_controller.name
    namespace = helm_release.load_balancer_controller.namespace
    version   = helm_release.load_balancer_controller.version
  }
}

output "external_secrets_release" {
  description = "Name, namespace and chart version of the External Secrets Operator release."
  value = {
    name      = helm_release.external_secrets.name
    namespace = helm_release.external_secrets.namespace
    version   = helm_release.external_secrets.version
  }
}

output "external_dns_release" {
  description = "Name, namespace and chart version of the ExternalDNS release."
  value = {
    name      = helm_release.external_dns.name
    namespace = helm_release.external_dns.namespace
    version   = helm_release.external_dns.version
  }
}

output "karpenter_releases" {
  description = "Chart versions of Karpenter's releases (CRDs, controller, default NodePool), by release."
  value = {
    for r in [helm_release.karpenter_crd, helm_release.karpenter, helm_release.karpenter_nodepool] : r.name => r.version
  }
}
