#!/usr/bin/env bash
# Runs a rendered app's update-gitops job as GitLab would (gitlab-ci-local,
# shell executor) against the project's GitLab stand-in, with the app's own
# GitOps token as the scaffolder leaves it: the job deploys with it, an older
# pipeline stops without changing the deployment, and a revoked token fails
# at once without retrying. Prints PASS/FAIL lines.
#
# Usage: check-update-gitops-job.sh APP_DIR GITOPS_DIR SCRATCH_DIR
# Env:   GITLAB_CI_LOCAL, GITLABFAKE (binaries), CMP (the platform CLI, in
#        place of the pinned release the job would build and cache).
set -euo pipefail

app_src="$1"
gitops_src="$2"
work="$3/update-gitops-job"
name="$(basename "$app_src")"
bot=glpat-backstage-bot-test-token
rm -rf "$work" && mkdir -p "$work"
fake_pid=""
trap '[ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null || true' EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }

"$GITLABFAKE" -listen 127.0.0.1:0 -token "$bot" -gitlab-com -group apps -group gitops \
  -git-root "$work/git" >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
for _ in $(seq 1 100); do [ -s "$work/fake.out" ] && break; sleep 0.05; done
base="$(head -1 "$work/fake.out")"
host="${base#http://}"

api() {
  local method="$1" path="$2"
  shift 2
  curl -fsS -X "$method" -H "PRIVATE-TOKEN: $bot" -H 'Content-Type: application/json' "$base/api/v4$path" "$@"
}

# A project in GROUP holding DIR's files on main, pushed with the bot's token.
create_and_push() {
  local group="$1" dir="$2" ns
  ns="$(api GET "/namespaces/$group" | jq -r .id)"
  api POST /projects -d "{\"namespace_id\": $ns, \"path\": \"$name\", \"visibility\": \"private\"}" >/dev/null
  git -C "$dir" push -q "http://oauth2:$bot@$host/$group/$name.git" HEAD:main
}

seed_repo() {
  local src="$1" dir="$2"
  cp -r "$src/." "$dir/"
  rm -rf "$dir/.git"
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  git -C "$dir" -c user.name=backstage -c user.email=backstage@localhost commit -qm "initial"
}

mkdir -p "$work/gitops-seed" "$work/app"
seed_repo "$gitops_src" "$work/gitops-seed"
create_and_push gitops "$work/gitops-seed"
seed_repo "$app_src" "$work/app"
create_and_push apps "$work/app"
# GitLab protects the default branch on its first push (Maintainers push).
gitops_id="gitops%2F$name"
expires="$(date -u -d '+30 days' +%F)"
token="$(api POST "/projects/$gitops_id/access_tokens" \
  -d "{\"name\": \"$name-deploy\", \"scopes\": [\"write_repository\"], \"access_level\": 40, \"expires_at\": \"$expires\"}")"
token_id="$(jq -r .id <<<"$token")"
token="$(jq -r .token <<<"$token")"

# The pipeline's checkout: origin carries a token, as GitLab Runner's does.
git -C "$work/app" remote add origin "http://gitlab-ci-token:$bot@$host/apps/$name.git"
git -C "$work/app" fetch -q origin
git -C "$work/app" branch -q -u origin/main
git -C "$work/app" remote set-head origin main

# The pinned platform CLI the job would build once per version and cache.
version="$(sed -nE 's/^  IDP_CMP_VERSION: (.*)$/\1/p' "$work/app/.gitlab-ci.yml")"
mkdir -p "$work/app/.idp-cmp/$version" "$work/gopath/bin"
cp "$CMP" "$work/app/.idp-cmp/$version/cmp"
export PATH="$work/gopath/bin:$PATH"

deployed_image() {
  git clone -q "http://oauth2:$bot@$host/gitops/$name.git" "$work/read" && sed -nE 's/^  image: (.*)$/\1/p' "$work/read/app.yaml"
  rm -rf "$work/read"
}

# run_job SHA: the update-gitops job of the app at SHA; its output in job.log.
run_job() {
  git -C "$work/app" checkout -q --detach "$1"
  git -C "$work/app" checkout -q -B main
  (cd "$work/app" && timeout 300 "$GITLAB_CI_LOCAL" --force-shell-executor --no-artifacts-to-source \
    --variable "CI_SERVER_URL=$base" --variable "GITOPS_TOKEN=$2" --variable "GOPATH=$work/gopath" \
    update-gitops) >"$work/job.log" 2>&1
}

commit_app() {
  git -C "$work/app" fetch -q origin
  git -C "$work/app" checkout -q -B main origin/main
  echo "$1" >>"$work/app/README.md"
  git -C "$work/app" -c user.name=dev -c user.email=dev@localhost commit -qam "$1"
  git -C "$work/app" push -q origin HEAD:main
  git -C "$work/app" rev-parse HEAD
}

older="$(commit_app "change 1")"
newer="$(commit_app "change 2")"

if run_job "$newer" "$token" && [[ "$(deployed_image)" == *":$newer" ]]; then
  pass "update-gitops job (gitlab-ci-local) deploys with the app's own GitOps token"
else
  fail "update-gitops job (gitlab-ci-local) deploys with the app's own GitOps token: $(tail -5 "$work/job.log" | tr '\n' ' ')"
fi

if ! run_job "$older" "$token" && grep -q "is already deployed" "$work/job.log" && [[ "$(deployed_image)" == *":$newer" ]]; then
  pass "update-gitops job refuses an older commit over a newer deployment"
else
  fail "update-gitops job refuses an older commit over a newer deployment: $(tail -5 "$work/job.log" | tr '\n' ' ')"
fi

other="$(api GET "/namespaces/gitops" | jq -r .id)"
api POST /projects -d "{\"namespace_id\": $other, \"path\": \"other-app\", \"visibility\": \"private\"}" >/dev/null
if ! GIT_TERMINAL_PROMPT=0 git ls-remote "http://oauth2:$token@$host/gitops/other-app.git" >/dev/null 2>&1; then
  pass "the app's GitOps token cannot read another app's GitOps project"
else
  fail "the app's GitOps token cannot read another app's GitOps project"
fi

api DELETE "/projects/$gitops_id/access_tokens/$token_id" >/dev/null
newest="$(commit_app "change 3")"
start=$SECONDS
if ! run_job "$newest" "$token" && grep -q "refused GITOPS_TOKEN" "$work/job.log" && ! grep -q "push rejected" "$work/job.log"; then
  pass "update-gitops job fails at once on a revoked token, without retrying ($((SECONDS - start)) s)"
else
  fail "update-gitops job fails at once on a revoked token, without retrying: $(tail -5 "$work/job.log" | tr '\n' ' ')"
fi
