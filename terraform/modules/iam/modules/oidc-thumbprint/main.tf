# The IAM OIDC provider wants the SHA-1 thumbprint of the top intermediate/root
# CA of the issuer's chain: tls_certificate lists the chain root-first.
data "tls_certificate" "this" {
  url = var.url
}

locals {
  root_ca = data.tls_certificate.this.certificates[0]
}
