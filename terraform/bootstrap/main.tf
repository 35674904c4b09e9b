locals {
  tags = {
    Project     = var.project
    Environment = "shared"
    Owner       = var.owner
    CostCenter  = var.cost_center
    ManagedBy   = "terraform"
  }
}

module "backend" {
  source = "../modules/backend"

  bucket_name     = var.state_bucket_name
  lock_table_name = var.lock_table_name
}
