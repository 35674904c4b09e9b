#!/usr/bin/env bash
# Offline checks of terraform/ (issue 6). Called by CI; also runs by hand.
#
#   fmt            tofu fmt -check -recursive (and the tfvars examples)
#   config         tofu get + tofu providers: OpenTofu's own loader parses the
#                  root, bootstrap and every module; every provider requirement
#                  carries a version constraint
#   validate/test  tofu init -backend=false + validate + test with the real
#                  hashicorp/tls schema, for the one module whose providers can
#                  be built here (modules/iam/modules/oidc-thumbprint)
#   tflint         bundled terraform ruleset, preset "all", zero findings
#   tfsec          --no-module-downloads, zero findings (accepted ones carry an
#                  inline #tfsec:ignore with a Reason: comment)
#   go             static checks over the parsed HCL (terraform/*_test.go) and
#                  the stub-aws test of hack/bootstrap-tf-backend.sh
#   shell lint     shellcheck over the three scripts
#
# Tools come from hack/tools/terraform.sh (cached outside the clone). Nothing
# here writes into the clone: tofu runs on copies in a temporary directory.
# VERBOSE=1 prints the output of every check, not only of the failed ones.
# The last line is "N passed, M failed"; the exit status is non-zero on any
# failure. Every step is a function whose failures are returned explicitly:
# "set -e" does not apply inside the "if" of check().
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tf=$repo/terraform
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
summary=()

# check NAME COMMAND...: runs COMMAND with its output in a log, prints the log
# only on failure.
check() {
  local name=$1
  shift
  local log=$work/log.$((passed + failed)) start=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    summary+=("PASS  $(printf '%4ds' $((SECONDS - start)))  $name")
    printf 'PASS  %s (%ds)\n' "$name" $((SECONDS - start))
    if [[ -n ${VERBOSE:-} ]]; then sed 's/^/    /' "$log"; fi
  else
    failed=$((failed + 1))
    summary+=("FAIL  $(printf '%4ds' $((SECONDS - start)))  $name")
    printf 'FAIL  %s (%ds)\n' "$name" $((SECONDS - start))
    sed 's/^/    /' "$log"
  fi
}

finish() {
  printf '\n'
  printf '%s\n' "${summary[@]}"
  printf '%d passed, %d failed\n' "$passed" "$failed"
  [[ $failed -eq 0 ]]
}

# --- tools -------------------------------------------------------------------
tools() {
  "$repo/hack/tools/terraform.sh" tofu tflint tfsec tls >"$work/tools.env" || return 1
  cat "$work/tools.env"
}
check "tools: OpenTofu, tflint, tfsec, hashicorp/tls (hack/tools/terraform.sh)" tools
if [[ $failed -ne 0 ]]; then
  finish
  exit 1
fi
TOFU=$(sed -n 's/^TOFU=//p' "$work/tools.env")
TFLINT=$(sed -n 's/^TFLINT=//p' "$work/tools.env")
TFSEC=$(sed -n 's/^TFSEC=//p' "$work/tools.env")
TF_PLUGIN_MIRROR=$(sed -n 's/^TF_PLUGIN_MIRROR=//p' "$work/tools.env")

# Our own CLI configuration (the machine presets one that does not exist):
# hashicorp/tls from the local mirror, and never a registry.
printf '%s\n' \
  'provider_installation {' \
  '  filesystem_mirror {' \
  "    path    = \"$TF_PLUGIN_MIRROR\"" \
  '    include = ["registry.opentofu.org/hashicorp/tls"]' \
  '  }' \
  '  direct {' \
  '    exclude = ["registry.opentofu.org/*/*", "registry.terraform.io/*/*"]' \
  '  }' \
  '}' >"$work/tofurc"
export TF_CLI_CONFIG_FILE=$work/tofurc
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR

# Every tool check takes a configuration tree, so that the negative controls
# below can run it on broken copies: a check that cannot fail is a defect.
fresh_copy() {
  local dst=$work/$1
  rm -rf "$dst"
  cp -R "$tf" "$dst"
  find "$dst" -name '.terraform*' -prune -exec rm -rf {} +
  # The S3 backend is partial (configured at init); get/providers need none.
  sed -i '/^[[:space:]]*backend "s3" {}$/d' "$dst/versions.tf"
  printf '%s\n' "$dst"
}

# --- fmt ---------------------------------------------------------------------
fmt_check() {
  "$TOFU" fmt -check -recursive -diff -no-color "$1"
}

fmt_examples() {
  local f rc=0
  while IFS= read -r f; do
    "$TOFU" fmt -no-color - <"$f" >"$work/formatted" || { rc=1; continue; }
    diff -u "$f" "$work/formatted" || { echo "not formatted: $f"; rc=1; }
  done < <(find "$1" -name '*.tfvars.example' -not -path '*/.terraform/*')
  return $rc
}

# --- OpenTofu's own configuration loader over every module ---------------------
config_tree() {
  local out
  (cd "$1" && "$TOFU" get -no-color) || return 1
  out=$(cd "$1" && "$TOFU" providers -no-color) || return 1
  printf '%s\n' "$out"
  if grep 'provider\[' <<<"$out" | grep -v '\] [<>=~!]'; then
    echo "provider requirements above have no version constraint"
    return 1
  fi
}

# --- real provider schema: the hashicorp/tls submodule ------------------------
thumb_rel=modules/iam/modules/oidc-thumbprint
tofu_validate() {
  (cd "$1/$thumb_rel" && "$TOFU" init -backend=false -input=false -no-color && "$TOFU" validate -no-color)
}
tofu_test() {
  (cd "$1/$thumb_rel" && "$TOFU" init -backend=false -input=false -no-color >/dev/null && "$TOFU" test -no-color)
}

# --- tflint --------------------------------------------------------------------
tflint_all() {
  mkdir -p "$work/tflint-plugins"
  TFLINT_PLUGIN_DIR=$work/tflint-plugins "$TFLINT" --chdir="$1" --recursive \
    --config="$1/.tflint.hcl" --no-color --format=compact
}

# --- tfsec ---------------------------------------------------------------------
# --force-all-dirs: scan bootstrap/ and every module on its own too, not only
# the first root tfsec finds.
tfsec_all() {
  local dir=$1 rc results directives findings stale=0 line
  "$TFSEC" "$dir" --force-all-dirs --no-module-downloads --exclude-downloaded-modules \
    --no-colour --format json >"$work/tfsec.json" 2>"$work/tfsec.err"
  rc=$?
  results=$(jq '.results // [] | length' "$work/tfsec.json") || { cat "$work/tfsec.err"; return 1; }
  if [[ $rc -ne 0 || $results -ne 0 ]]; then
    "$TFSEC" "$dir" --force-all-dirs --no-module-downloads --exclude-downloaded-modules --no-colour
    return 1
  fi
  # Every #tfsec:ignore must match a finding that it suppresses (no stale ones).
  directives=$(grep -rEo --include='*.tf' '#tfsec:ignore:[a-z0-9-]+' "$dir" | sed 's/:#tfsec:ignore:/ /' | sort -u)
  findings=$("$TFSEC" "$dir" --force-all-dirs --no-module-downloads --exclude-downloaded-modules \
    --no-ignores --soft-fail --format json 2>/dev/null |
    jq -r '.results // [] | .[] | "\(.location.filename) \(.long_id)"' | sort -u)
  while IFS= read -r line; do
    [[ -z $line ]] && continue
    if grep -qxF "$line" <<<"$findings"; then
      echo "accepted: ${line#"$dir"/}"
    else
      echo "stale ignore (no such finding): ${line#"$dir"/}"
      stale=1
    fi
  done <<<"$directives"
  echo "findings: $results unexplained, $(grep -c . <<<"$findings") accepted (inline #tfsec:ignore + Reason: comment)"
  [[ $stale -eq 0 ]]
}

check "tofu fmt -check -recursive terraform/" fmt_check "$tf"
check "tofu fmt: terraform.tfvars.example files" fmt_examples "$tf"
ok_tree=$(fresh_copy ok)
check "tofu get + providers: root configuration and its 11 modules" config_tree "$ok_tree"
check "tofu get + providers: bootstrap configuration (modules/backend)" config_tree "$ok_tree/bootstrap"
check "tofu init -backend=false + validate: iam/modules/oidc-thumbprint (real hashicorp/tls schema)" tofu_validate "$ok_tree"
check "tofu test: iam/modules/oidc-thumbprint (mock_provider tls, offline)" tofu_test "$ok_tree"
check "tflint (bundled terraform ruleset, preset all): zero findings" tflint_all "$tf"
check "tfsec --no-module-downloads: zero unexplained findings, no stale ignores" tfsec_all "$tf"

# --- negative controls: each tool check must reject a broken copy ---------------
# expect_failure NAME FILE SED-SCRIPT|+APPEND-TEXT CHECK-FUNCTION
expect_failure() {
  local name=$1 file=$2 edit=$3 fn=$4 dir
  dir=$(fresh_copy "neg-$name")
  if [[ $edit == +* ]]; then
    printf '%b' "${edit#+}" >>"$dir/$file"
  else
    cp "$dir/$file" "$work/before"
    sed -i "$edit" "$dir/$file"
    if cmp -s "$dir/$file" "$work/before"; then
      echo "the mutation did not apply to $file"
      return 1
    fi
  fi
  if "$fn" "$dir" >"$work/neg.log" 2>&1; then
    echo "$fn passed on a broken copy ($file)"
    return 1
  fi
  echo "rejected as expected:"
  grep -v '^[[:space:]]*$' "$work/neg.log" | tail -n 4
}
check "control: fmt rejects a misformatted file" \
  expect_failure fmt modules/calico/main.tf 's/^  chart            = "tigera-operator"$/  chart = "tigera-operator"/' fmt_check
check "control: the config loader rejects an invalid type" \
  expect_failure loader modules/calico/variables.tf '+\nvariable "broken" {\n  description = "Broken type."\n  type        = strin\n}\n' config_tree
check "control: validate rejects an argument unknown to the tls schema" \
  expect_failure validate "$thumb_rel/main.tf" 's/^  url = var.url$/  uri = var.url/' tofu_validate
check "control: tofu test rejects the wrong certificate of the chain" \
  expect_failure test "$thumb_rel/main.tf" 's/certificates\[0\]/certificates[1]/' tofu_test
check "control: tflint rejects an unused variable" \
  expect_failure tflint modules/dns/variables.tf '+\nvariable "unused" {\n  description = "Declared, never used."\n  type        = string\n  default     = ""\n}\n' tflint_all
check "control: tfsec rejects a finding without its ignore" \
  expect_failure tfsec modules/eks/main.tf '/^#tfsec:ignore:aws-eks-no-public-cluster-access$/d' tfsec_all
check "control: tfsec rejects a stale ignore" \
  expect_failure tfsec-stale modules/vpc/main.tf 's/^resource "aws_vpc" "this" {$/#tfsec:ignore:aws-ec2-no-public-ip-subnet\n&/' tfsec_all

# --- Go: static checks over the parsed HCL + bootstrap script test -------------
go_tests() {
  (cd "$repo" && go test -count=1 -v ./terraform/) >"$work/go.log" 2>&1
  local rc=$?
  grep -E '^(--- |ok|FAIL|PASS)|^\s+--- FAIL|_test.go:[0-9]+:' "$work/go.log" || true
  printf 'go test: %d top-level tests, %d subtests passed, %d failed\n' \
    "$(grep -c '^--- PASS' "$work/go.log")" "$(grep -cE '^\s+--- PASS' "$work/go.log")" \
    "$(grep -cE -- '--- FAIL' "$work/go.log")"
  return $rc
}
check "go test ./terraform/ (static HCL checks, mutation tests, bootstrap script with stub aws)" go_tests

# --- shellcheck ------------------------------------------------------------------
shellcheck_all() {
  if ! command -v shellcheck >/dev/null 2>&1; then
    echo "shellcheck missing: installing the Debian package"
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq shellcheck >/dev/null 2>&1; } || true
    fi
    command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is not available"; return 1; }
  fi
  shellcheck --version | sed -n 2p
  (cd "$repo" && shellcheck -x hack/bootstrap-tf-backend.sh hack/test-terraform.sh hack/tools/terraform.sh)
}
check "shellcheck: bootstrap-tf-backend.sh, test-terraform.sh, tools/terraform.sh" shellcheck_all

finish
