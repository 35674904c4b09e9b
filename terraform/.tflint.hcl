# tflint with the bundled terraform ruleset, every rule on. The AWS ruleset
# (a plugin download) cannot be installed offline, so AWS-specific linting is
# covered by tfsec and the Go checks in this directory instead.
config {
  call_module_type = "local"
  format           = "compact"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
