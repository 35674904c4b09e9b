#!/usr/bin/env bash
# Backstage's own config check on manifests/backstage's two configs:
# `config:check --strict` from Backstage's CLI (the code `backstage-cli
# config:check` runs), with the config schemas of the plugins the production
# config configures (hack/backstage-config/package.json, with the
# platform's scaffolder module templates/scaffolder-actions for the idp key;
# installed once per lockfile and Node.js major version under
# ${IDP_CACHE:-$HOME/.cache/idp}).
# Strict: every key must be declared by a plugin's schema and every value
# must have the declared type.
#   1. the production config, with only the environment the Deployment
#      provides (hack/backstage-config/sample.env, sample values);
#   2. the development config, --lax (a laptop's environment varies);
#   3. copies of the production config with one mistake each (a misspelled
#      key, one in the idp key, a wrong type, GitHub sign-in, no Grafana, a required value from a
#      variable the Deployment does not set): each must be refused, naming
#      the mistake.
# Backstage's loader drops a value whose variable is unset, so an optional
# key with an unknown variable passes here: that, and the platform's other
# rules the schemas cannot know, are our own Go check's
# (internal/backstageconfig).
#
# Prints one PASS/FAIL line per check and ends with "N passed, M failed".
#
# Usage: hack/check-backstage-config.sh [PRODUCTION_CONFIG [DEVELOPMENT_CONFIG]]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/hack/backstage-config
# shellcheck source=hack/tools/lib.sh
source "$root/hack/tools/lib.sh"

production=$(realpath "${1:-$root/manifests/backstage/app-config.production.yaml}")
development=$(realpath "${2:-$root/manifests/backstage/app-config.development.yaml}")

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check-backstage-config: $tool is not on PATH" >&2; exit 1; }
done

# The config check's package depends on the platform's scaffolder module by
# path (file:../../templates/scaffolder-actions): the cache entry mirrors
# those two folders, so the path holds there too, and its key covers what
# npm installs of the module (package.json, config.d.ts).
actions=$root/templates/scaffolder-actions
actions_files=(package.json config.d.ts)
key="$( (cd "$here" && cat package.json package-lock.json .npmrc) | sha256sum | cut -c1-8)$( (cd "$actions" && cat "${actions_files[@]}") | sha256sum | cut -c1-8)-node$(node -p 'process.versions.node.split(".")[0]')"
entry="$IDP_CACHE/backstage-config-$key"
dir=$entry/hack/backstage-config
install() {
  echo "installing Backstage's config check and the plugins' schemas into $1" >&2
  mkdir -p "$1/hack/backstage-config" "$1/templates/scaffolder-actions"
  cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$1/hack/backstage-config/"
  (cd "$actions" && cp "${actions_files[@]}" "$1/templates/scaffolder-actions/")
  (cd "$1/hack/backstage-config" && npm ci --no-audit --no-fund --loglevel=error) >&2
}
cached "$entry" install

work=$(mktemp -d "${TMPDIR:-/tmp}/check-backstage-config.XXXXXX")
trap 'rm -rf "$work"' EXIT

deployment_env=()
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] || deployment_env+=("$line")
done <"$here/sample.env"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# backstage_check OUT FILE [FLAG...]: Backstage's config:check, run in the
# installed package (it reads that package's dependencies for the schemas)
# with nothing of the caller's environment but PATH and HOME, and the
# Deployment's variables.
backstage_check() {
  local out=$1 file=$2
  shift 2
  (cd "$dir" && env -i PATH="$PATH" HOME="$HOME" "${deployment_env[@]}" \
    node node_modules/@backstage/cli-module-config/bin/backstage-cli-module-config \
    config:check --config "$file" --strict "$@") >"$out" 2>&1
}

# accepted NAME FILE [FLAG...]
accepted() {
  local name=$1 out="$work/out"
  shift
  if backstage_check "$out" "$@"; then
    pass "$name"
  else
    fail "$name"
    sed 's/^/    /' "$out"
  fi
}

# refused NAME WANT EDIT...: a copy of the production config with EDITs
# (hack/backstage-config/mutate.js) must be refused with WANT in the output.
refused() {
  local name=$1 want=$2 out="$work/out" copy="$work/mutated.yaml"
  shift 2
  if ! NODE_PATH="$dir/node_modules" node "$here/mutate.js" "$production" "$copy" "$@" 2>"$out"; then
    fail "$name (the mutation did not apply)"
    sed 's/^/    /' "$out"
  elif backstage_check "$out" "$copy"; then
    fail "$name: accepted"
  elif ! grep -qF -- "$want" "$out"; then
    fail "$name: refused, but not for \"$want\""
    sed 's/^/    /' "$out"
  else
    pass "$name"
  fi
}

accepted "production config matches the plugins' schemas with the Deployment's environment" "$production"
accepted "development config matches the plugins' schemas (--lax)" "$development" --lax

refused "a misspelled key is refused" "additionalProperty=entityFileName" \
  "rename:catalog.providers.gitlab.apps.entityFilename=entityFileName"
refused "a misspelled key of the scaffolder module's idp is refused" "additionalProperty=gitOpsGroup" \
  "rename:idp.gitlab.gitopsGroup=gitOpsGroup"
refused "a wrong type is refused" "/catalog/providers/gitlab/apps/skipForkedRepos" \
  'set:catalog.providers.gitlab.apps.skipForkedRepos="yes"'
refused "GitHub sign-in is refused (no GitHub provider module)" "additionalProperty=github" \
  'set:auth.providers.github={"production":{"clientId":"x","clientSecret":"y"}}'
refused "a config without grafana is refused" "missingProperty=grafana" \
  "delete:grafana"
refused "a required value from a variable the Deployment does not provide is refused" "missingProperty=domain" \
  "set:grafana.hosts.0.domain=\"\${GRAFANA_DOMAIN}\""

echo "$passed passed, $failed failed"
((failed == 0))
