locals {
  karpenter = {
    namespace       = "kube-system"
    service_account = "karpenter"
    repository      = "oci://public.ecr.aws/karpenter"
  }
}

# Karpenter adds nodes for pods that do not fit, sized to them, and removes
# nodes that are empty or can be consolidated. Chosen over the Cluster
# Autoscaler: no node group per instance shape to maintain, it launches the
# cheapest instance that fits the pending pods within seconds, bin-packs and
# consolidates, and it handles Spot interruptions and EC2 maintenance through
# its queue.

# The CRDs as a chart of their own, so that upgrades update them (Helm
# installs a chart's crds/ only once).
resource "helm_release" "karpenter_crd" {
  name       = "karpenter-crd"
  repository = local.karpenter.repository
  chart      = "karpenter-crd"
  version    = var.karpenter_chart_version
  namespace  = local.karpenter.namespace

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout
}

resource "helm_release" "karpenter" {
  name       = "karpenter"
  repository = local.karpenter.repository
  chart      = "karpenter"
  version    = var.karpenter_chart_version
  namespace  = local.karpenter.namespace
  skip_crds  = true

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    settings = {
      clusterName       = var.cluster_name
      interruptionQueue = var.karpenter_interruption_queue_name
    }
    serviceAccount = {
      create = true
      name   = local.karpenter.service_account
      annotations = {
        "eks.amazonaws.com/role-arn" = var.karpenter_controller_role_arn
      }
    }
    replicas = 2
    controller = {
      env = [{ name = "AWS_REGION", value = var.region }]
      resources = {
        requests = { cpu = "250m", memory = "512Mi" }
        limits   = { memory = "512Mi" }
      }
    }
    # On the system node group only: Karpenter must never run on (and so
    # consolidate away) a node it manages.
    nodeSelector = {
      "eks.amazonaws.com/nodegroup" = var.system_node_group_name
    }
    affinity = {
      nodeAffinity = {
        requiredDuringSchedulingIgnoredDuringExecution = {
          nodeSelectorTerms = [{
            matchExpressions = [{ key = "karpenter.sh/nodepool", operator = "DoesNotExist" }]
          }]
        }
      }
      podAntiAffinity = {
        requiredDuringSchedulingIgnoredDuringExecution = [{ topologyKey = "kubernetes.io/hostname" }]
      }
    }
  })]

  depends_on = [helm_release.karpenter_crd]
}

# The default EC2NodeClass and NodePool, rendered by a local chart (custom
# resources go through Helm here, as Calico's Installation does; the CRDs are
# in place: karpenter_crd comes first).
resource "helm_release" "karpenter_nodepool" {
  name      = "karpenter-nodepool"
  chart     = "${path.module}/charts/karpenter-nodepool"
  version   = "1.0.0" # = charts/karpenter-nodepool/Chart.yaml (CI checks it)
  namespace = local.karpenter.namespace

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    name = "default"
    ec2NodeClass = {
      # Pinned with karpenter_node_pool.ami_alias (e.g. al2023@v20251023);
      # @latest rolls nodes to each new AMI within the disruption budget.
      amiSelectorTerms           = [{ alias = var.karpenter_node_pool.ami_alias }]
      instanceProfile            = var.karpenter_instance_profile_name
      subnetSelectorTerms        = [{ tags = { "karpenter.sh/discovery" = var.cluster_name } }]
      securityGroupSelectorTerms = [{ tags = { "karpenter.sh/discovery" = var.cluster_name } }]
      # IMDSv2 only, and out of reach of pods (one hop: the node itself).
      metadataOptions = {
        httpEndpoint            = "enabled"
        httpProtocolIPv6        = "disabled"
        httpPutResponseHopLimit = 1
        httpTokens              = "required"
      }
      blockDeviceMappings = [{
        deviceName = "/dev/xvda"
        ebs = {
          volumeSize          = "${var.karpenter_node_pool.disk_size_gib}Gi"
          volumeType          = "gp3"
          encrypted           = true
          deleteOnTermination = true
        }
      }]
      kubelet = { maxPods = var.max_pods }
      # Instances, volumes and ENIs Karpenter launches get no default_tags.
      tags = var.tags
    }
    nodePool = {
      template = {
        spec = {
          nodeClassRef = { group = "karpenter.k8s.aws", kind = "EC2NodeClass", name = "default" }
          # Nitro instances of current generations (prefix delegation needs
          # Nitro), in vCPU sizes that default-sized app pods fill by CPU
          # before max_pods binds (terraform/README.md, pod budget).
          requirements = [
            { key = "karpenter.k8s.aws/instance-category", operator = "In", values = var.karpenter_node_pool.instance_categories },
            { key = "karpenter.k8s.aws/instance-generation", operator = "Gt", values = ["5"] },
            { key = "karpenter.k8s.aws/instance-hypervisor", operator = "In", values = ["nitro"] },
            { key = "karpenter.k8s.aws/instance-cpu", operator = "In", values = [for c in var.karpenter_node_pool.instance_cpus : tostring(c)] },
            { key = "kubernetes.io/arch", operator = "In", values = ["amd64"] },
            { key = "kubernetes.io/os", operator = "In", values = ["linux"] },
            { key = "karpenter.sh/capacity-type", operator = "In", values = var.karpenter_node_pool.capacity_types },
          ]
          # Nodes are replaced after 30 days (new AMI, no long-lived drift).
          expireAfter = "720h"
        }
      }
      # The most this NodePool may launch in total: the cost ceiling.
      limits = {
        cpu    = tostring(var.karpenter_node_pool.cpu_limit)
        memory = "${var.karpenter_node_pool.memory_limit_gib}Gi"
      }
      disruption = {
        consolidationPolicy = "WhenEmptyOrUnderutilized"
        consolidateAfter    = "1m"
        # At most a tenth of the nodes disrupted at once.
        budgets = [{ nodes = "10%" }]
      }
    }
  })]

  depends_on = [helm_release.karpenter]
}
