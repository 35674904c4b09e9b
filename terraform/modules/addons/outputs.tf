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
