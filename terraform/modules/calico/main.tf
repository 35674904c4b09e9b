# Calico for NetworkPolicy enforcement only: the Amazon VPC CNI keeps doing
# pod networking (kubernetesProvider EKS, cni AmazonVPC), Calico adds policy.
# The Installation resource is rendered by the chart itself, whose crds/
# directory Helm installs first, so there is no CRD ordering race here.
resource "helm_release" "tigera_operator" {
  name             = "calico"
  repository       = "https://docs.tigera.io/calico/charts"
  chart            = "tigera-operator"
  version          = var.chart_version
  namespace        = var.namespace
  create_namespace = true

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    installation = {
      enabled            = true
      kubernetesProvider = "EKS"
      cni = {
        type = "AmazonVPC"
      }
      calicoNetwork = {
        bgp = "Disabled"
      }
    }
    apiServer = {
      enabled = false
    }
  })]
}
