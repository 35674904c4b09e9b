# Runs offline: the tls provider is mocked, so no certificate is fetched.
mock_provider "tls" {
  mock_data "tls_certificate" {
    defaults = {
      # Every attribute of the real schema is required here: tofu checks the
      # mock against hashicorp/tls's schema.
      certificates = [
        {
          sha1_fingerprint     = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
          subject              = "CN=Starfield Services Root Certificate Authority - G2"
          issuer               = "OU=Starfield Class 2 Certification Authority"
          is_ca                = true
          version              = 3
          serial_number        = "1"
          signature_algorithm  = "SHA256-RSA"
          public_key_algorithm = "RSA"
          not_before           = "2009-09-02T00:00:00Z"
          not_after            = "2034-06-28T17:39:16Z"
          cert_pem             = "-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"
        },
        {
          sha1_fingerprint     = "06b25927c42a721631c1efd9431e648fa62e1e39"
          subject              = "CN=oidc.eks.us-east-2.amazonaws.com"
          issuer               = "CN=Amazon RSA 2048 M02"
          is_ca                = false
          version              = 3
          serial_number        = "2"
          signature_algorithm  = "SHA256-RSA"
          public_key_algorithm = "RSA"
          not_before           = "2026-01-01T00:00:00Z"
          not_after            = "2027-01-01T00:00:00Z"
          cert_pem             = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n"
        },
      ]
    }
  }
}

variables {
  url = "https://oidc.eks.us-east-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

run "returns_the_root_ca_thumbprint" {
  command = plan

  assert {
    condition     = output.sha1_fingerprint == "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
    error_message = "The thumbprint must be the root-most certificate's."
  }

  assert {
    condition     = output.certificate_count == 2
    error_message = "The whole chain must be read."
  }
}

run "rejects_a_plain_http_issuer" {
  command = plan

  variables {
    url = "http://oidc.eks.us-east-2.amazonaws.com/id/EXAMPLE"
  }

  expect_failures = [var.url]
}
