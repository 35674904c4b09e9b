locals {
  external_dns = {
    namespace       = "external-dns"
    service_account = "external-dns"
  }
}

# ExternalDNS gives each Ingress host under the domain its own alias record
# to the Ingress's ALB: apps are spread over several ALB groups, so one
# wildcard record cannot serve them.
#
# Policy sync, not upsert-only: a deleted app's record is deleted with it
# (upsert-only would keep pointing it at a shared ALB, and such records pile
# up toward the zone's quota). The TXT registry confines every change to
# records this cluster created (owner id = cluster name, ownership records
# under the txt prefix, which keeps them off the names of the records
# themselves), so the ACM validation records, the apex and other owners'
# records are never touched. While an app moves between ALBs its old Ingress
# is annotated ingress-hostname-source: annotation-only and yields no host, so
# the record moves to the new ALB instead of flapping between two.
#
# Interval, for ~1,000 apps and Route53's 5 requests/s per account (shared
# with Terraform, ACM and anything else in the account): a sync lists the
# zone at 300 record sets a call, about 10 calls for 1,000 apps (alias A,
# alias AAAA and a TXT each); the zone lookup is cached for an hour. Ingress
# events trigger a sync at most once a minute (a new app resolves within
# about a minute of its ALB), and a full resync runs every 5 minutes: at most
# ~10 calls a minute, about 3 % of the account's budget.
resource "helm_release" "external_dns" {
  name             = "external-dns"
  repository       = "https://kubernetes-sigs.github.io/external-dns/"
  chart            = "external-dns"
  version          = var.external_dns_chart_version
  namespace        = local.external_dns.namespace
  create_namespace = true

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = var.helm_timeout

  values = [yamlencode({
    provider           = { name = "aws" }
    sources            = ["ingress"]
    domainFilters      = [var.domain_name]
    policy             = "sync"
    registry           = "txt"
    txtOwnerId         = var.cluster_name
    txtPrefix          = "edns-"
    interval           = "5m"
    triggerLoopOnEvent = true
    extraArgs = [
      "--aws-zone-type=public",
      "--zone-id-filter=${var.zone_id}",
      "--aws-zones-cache-duration=1h",
      "--min-event-sync-interval=1m",
    ]
    # Route53 is global, the SDK still wants a region; pods cannot reach IMDS.
    env = [{ name = "AWS_DEFAULT_REGION", value = var.region }]
    serviceAccount = {
      create = true
      name   = local.external_dns.service_account
      annotations = {
        "eks.amazonaws.com/role-arn" = var.external_dns_role_arn
      }
    }
    resources = {
      requests = { cpu = "50m", memory = "128Mi" }
      limits   = { memory = "256Mi" }
    }
  })]

  depends_on = [helm_release.load_balancer_controller]
}
