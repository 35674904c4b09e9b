output "release" {
  description = "Name, namespace and chart version of the Tigera operator release."
  value = {
    name      = helm_release.tigera_operator.name
    namespace = helm_release.tigera_operator.namespace
    version   = helm_release.tigera_operator.version
  }
}
