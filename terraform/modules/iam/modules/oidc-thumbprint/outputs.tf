output "sha1_fingerprint" {
  description = "SHA-1 fingerprint of the root-most certificate that the URL presents."
  value       = local.root_ca.sha1_fingerprint
}

output "certificate_count" {
  description = "Number of certificates in the chain that the URL presents."
  value       = length(data.tls_certificate.this.certificates)
}
