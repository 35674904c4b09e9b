locals {
  load_balancer_controller = {
    namespace       = "kube-system"
    service_account = "aws-load-balancer-controller"
  }
  external_secrets = {
    namespace       = "external-secrets"
    service_account = "external-secrets"
  }
}

resource "helm_release" "load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = var.load_balancer_controller_chart_version
  namespace  = local.load_balancer_controller.namespace

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    clusterName  = var.cluster_name
    region       = var.region
    vpcId        = var.vpc_id
    replicaCount = 2
    serviceAccount = {
      create = true
      name   = local.load_balancer_controller.service_account
      annotations = {
        "eks.amazonaws.com/role-arn" = var.load_balancer_controller_role_arn
      }
    }
    # The Service mutating webhook intercepts every Service created while the
    # controller is not ready yet, which fails other charts' installs in the
    # same apply; plain Services keep the in-tree default here.
    enableServiceMutatorWebhook = false
  })]
}

resource "helm_release" "external_secrets" {
  name             = "external-secrets"
  repository       = "https://charts.external-secrets.io"
  chart            = "external-secrets"
  version          = var.external_secrets_chart_version
  namespace        = local.external_secrets.namespace
  create_namespace = true

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    installCRDs = true
    serviceAccount = {
      create = true
      name   = local.external_secrets.service_account
      annotations = {
        "eks.amazonaws.com/role-arn" = var.external_secrets_role_arn
      }
    }
  })]

  # Installed after the load balancer controller so that no webhook of a
  # half-started controller is in the way of its Services.
  depends_on = [helm_release.load_balancer_controller]
}
