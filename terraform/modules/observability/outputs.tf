output "namespace" {
  description = "Namespace of the monitoring releases."
  value       = var.namespace
}

output "releases" {
  description = "Chart versions of the monitoring releases, by release name."
  value = {
    (helm_release.kube_prometheus_stack.name) = helm_release.kube_prometheus_stack.version
    (helm_release.alloy.name)                 = helm_release.alloy.version
  }
}

output "credentials_secret_name" {
  description = "Kubernetes Secret that manifests/platform must create (keys prometheusUsername, password)."
  value       = var.credentials_secret_name
}
