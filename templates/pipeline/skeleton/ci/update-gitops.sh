#!/usr/bin/env bash
# Deploys IMAGE by committing it to this app's GitOps repository: that commit
# is the whole deployment (Argo CD syncs the GitOps group).
#
# Usage: ci/update-gitops.sh IMAGE
# Env:   GITOPS_PROJECT  this app's GitOps project (<gitops group>/<name>)
#        GITOPS_TOKEN    a project access token of that project alone
#                        (write_repository), a masked, hidden and protected
#                        variable that the scaffolder sets on this project
#        CI_SERVER_URL, CI_COMMIT_SHA  (GitLab's own); run it in the app's
#        checkout, as a job does
#        GITOPS_REPO_URL overrides the clone URL (the template's tests);
#        GITOPS_BRANCH (main), GITOPS_PUSH_ATTEMPTS (5).
# Needs: git, and the platform CLI `cmp` on PATH (it rewrites only the image
#        line of app.yaml, keeping comments and layout).
#
# Each deployment commit carries the app commit it deploys in an App-Commit
# trailer. A pipeline whose commit is an ancestor of the last deployed one is
# older and stops, so a slow pipeline never rolls a newer deployment back.
set -euo pipefail

image="${1:?usage: update-gitops.sh IMAGE}"
branch="${GITOPS_BRANCH:-main}"
attempts="${GITOPS_PUSH_ATTEMPTS:-5}"
# The app's checkout: a job runs in it (CI_PROJECT_DIR, which a local runner
# such as gitlab-ci-local may name differently from where it runs).
app_dir="$PWD"
app_commit="${CI_COMMIT_SHA:-}"
repo_url="${GITOPS_REPO_URL:-${CI_SERVER_URL:-}/${GITOPS_PROJECT:-}.git}"

fail() {
  echo "update-gitops: $*" >&2
  exit 1
}

# The token reaches git through a credential helper that reads it from the
# environment: it is never part of a URL, an argument or a log line. No
# prompt: a refused token must fail, not wait for a terminal.
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_COUNT=2
export GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0=''
export GIT_CONFIG_KEY_1=credential.helper
# shellcheck disable=SC2016 # expanded by git's shell, when it asks
export GIT_CONFIG_VALUE_1='!f() { test "$1" = get && printf "username=oauth2\npassword=%s\n" "$GITOPS_TOKEN"; }; f'
if [ -z "${GITOPS_REPO_URL:-}" ]; then
  [ -n "${GITOPS_TOKEN:-}" ] || fail "GITOPS_TOKEN is not set. The scaffolder stores it as a protected variable, which only protected branches (main) can read; ask the platform team to re-issue it if it was removed."
  [ -n "${GITOPS_PROJECT:-}" ] || fail "GITOPS_PROJECT is not set (the app's GitOps project, e.g. gitops/<name>)."
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# git GIT_ARGS...: runs git, keeping its messages in $workdir/git.err.
run_git() {
  if git "$@" 2>"$workdir/git.err"; then return 0; fi
  cat "$workdir/git.err" >&2
  return 1
}

# Authentication and permission errors never heal by retrying.
refused() {
  grep -qE 'Authentication failed|Access denied|returned error: 40[13]|not allowed to|HTTP Basic' "$workdir/git.err"
}

refused_message() {
  fail "GitLab refused GITOPS_TOKEN for $GITOPS_PROJECT (revoked, expired, or without write_repository). The token is the app's own; ask the platform team to issue a new one. Not retrying."
}

if ! run_git clone --quiet --branch "$branch" "$repo_url" "$workdir/gitops"; then
  refused && refused_message
  fail "could not clone the GitOps repository $GITOPS_PROJECT."
fi
cd "$workdir/gitops"
git config user.name "${GITLAB_USER_NAME:-GitLab CI}"
git config user.email "${GITLAB_USER_EMAIL:-ci@localhost}"

# The app commit of the last deployment made by a pipeline, if any.
deployed_commit() {
  git log --format='%(trailers:key=App-Commit,valueonly)' "origin/$branch" | grep -m1 -E '^[0-9a-f]{40}$' || true
}

# Stops when this pipeline's commit is older than the deployed one. An unknown
# deployed commit (history rewritten) does not stop a deployment.
refuse_older() {
  local deployed
  deployed="$(deployed_commit)"
  [ -n "$app_commit" ] && [ -n "$deployed" ] && [ "$deployed" != "$app_commit" ] || return 0
  if ! git -C "$app_dir" cat-file -e "$deployed^{commit}" 2>/dev/null; then
    git -C "$app_dir" fetch --quiet origin 2>/dev/null || true
  fi
  if git -C "$app_dir" merge-base --is-ancestor "$app_commit" "$deployed" 2>/dev/null; then
    fail "not deploying ${app_commit:0:12}: the newer commit ${deployed:0:12} is already deployed."
  fi
}

# Sets the image and commits; returns 1 when app.yaml already has it.
commit_image() {
  refuse_older
  cmp set-image app.yaml "$image"
  if git diff --quiet -- app.yaml; then
    return 1
  fi
  # [skip ci]: the GitOps repository has no pipeline to run for a deployment.
  local trailer=()
  [ -z "$app_commit" ] || trailer=(--trailer "App-Commit: $app_commit")
  git commit --quiet -m "deploy ${image##*/} [skip ci]" "${trailer[@]}" -- app.yaml
}

if ! commit_image; then
  echo "app.yaml already deploys $image"
  exit 0
fi

for attempt in $(seq 1 "$attempts"); do
  if run_git push --quiet origin "HEAD:$branch"; then
    echo "deployed $image (push attempt $attempt)"
    exit 0
  fi
  refused && refused_message
  # Only a commit that landed first is worth another attempt.
  grep -qE '\[rejected\].*\((fetch first|non-fast-forward)\)' "$workdir/git.err" ||
    fail "GitLab refused the push to $GITOPS_PROJECT (see git's message above)."
  echo "push rejected: another commit landed first; rebasing (attempt $attempt of $attempts)" >&2
  if ! git pull --quiet --rebase origin "$branch"; then
    # The concurrent commit touched the same line: start again from the
    # remote state, so that this pipeline's image is the one that lands.
    git rebase --abort || true
    git reset --quiet --hard "origin/$branch"
    if ! commit_image; then
      echo "app.yaml already deploys $image"
      exit 0
    fi
  else
    # The rebased commit may now sit on a newer deployment.
    refuse_older
  fi
  sleep "$attempt"
done

fail "could not push to the GitOps repository after $attempts attempts: other commits kept landing first."
