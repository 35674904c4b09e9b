variable "name_prefix" {
  description = "Name prefix of every secret, ending in \"/\" (e.g. \"idp/\"); External Secrets may read exactly this prefix."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]+/$", var.name_prefix))
    error_message = "The prefix must be a Secrets Manager path ending in \"/\"."
  }
}

variable "secrets" {
  description = "Secret containers to create, by path below name_prefix. Only names and descriptions: values are put out of band and never pass through Terraform."
  type = map(object({
    description = string
    keys        = list(string)
  }))
  default = {
    # Read whole by Backstage's ExternalSecret (manifests/backstage).
    "platform/backstage" = {
      description = "Backstage: GitHub OAuth app, GitHub and GitLab tokens, Argo CD token, PostgreSQL credentials"
      keys        = ["AUTH_GITHUB_CLIENT_ID", "AUTH_GITHUB_CLIENT_SECRET", "GITHUB_TOKEN", "GITLAB_TOKEN", "ARGOCD_AUTH_TOKEN", "POSTGRES_USER", "POSTGRES_PASSWORD"]
    }
    # Read by the plugin generator's ExternalSecrets (manifests/plugin-generator).
    "platform/plugin-generator" = {
      description = "Plugin generator: Argo CD's bearer token, the GitLab read_api token, the GitLab webhook secret"
      keys        = ["argocdToken", "gitlabToken", "gitlabWebhookSecret"]
    }
    # Argo CD's read-only credential for the GitOps group's private projects
    # (the repo-creds ExternalSecret in manifests/plugin-generator).
    "platform/argocd-gitops" = {
      description = "Argo CD: GitLab group access token of the GitOps group (Reporter, read_repository) and a user name"
      keys        = ["username", "password"]
    }
    "observability/grafana-cloud" = {
      description = "Grafana Cloud access policy token (and Prometheus instance ID) for remote-write and Loki"
      keys        = ["prometheusUsername", "password"]
    }
  }

  validation {
    condition     = alltrue([for k, s in var.secrets : can(regex("^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$", k)) && length(s.keys) > 0])
    error_message = "Secret paths use Secrets Manager characters and '/' separators, and each secret lists at least one key."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 7

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "Use 0 (immediate deletion) or 7 to 30 days."
  }
}

variable "tags" {
  description = "Extra tags for every resource (cost-allocation tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}
