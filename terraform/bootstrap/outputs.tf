output "backend_config" {
  description = "Contents for terraform/backend.hcl (tofu init -backend-config=backend.hcl); add key = \"<env>/platform.tfstate\"."
  value       = merge(module.backend.backend_config, { region = var.region })
}
