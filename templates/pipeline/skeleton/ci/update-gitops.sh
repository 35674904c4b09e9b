#!/usr/bin/env bash
# Deploys IMAGE by committing it to this app's GitOps repository: that commit
# is the whole deployment (Argo CD syncs the GitOps group).
#
# Usage: ci/update-gitops.sh IMAGE
# Env:   GITOPS_PROJECT, CI_SERVER_HOST, GITOPS_DEPLOY_USER, GITOPS_DEPLOY_TOKEN
#        (the GitOps group's deploy token, set once as group-level CI variables);
#        GITOPS_REPO_URL overrides the clone URL (the template's tests use a
#        local bare repository); GITOPS_BRANCH (main), GITOPS_PUSH_ATTEMPTS (5).
# Needs: git, and the platform CLI `cmp` on PATH (it rewrites only the image
#        line of app.yaml, keeping comments and layout).
set -euo pipefail

image="${1:?usage: update-gitops.sh IMAGE}"
branch="${GITOPS_BRANCH:-main}"
attempts="${GITOPS_PUSH_ATTEMPTS:-5}"
# Never print this URL: it carries the token.
repo_url="${GITOPS_REPO_URL:-https://${GITOPS_DEPLOY_USER:-}:${GITOPS_DEPLOY_TOKEN:-}@${CI_SERVER_HOST:-}/${GITOPS_PROJECT:-}.git}"

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

git clone --quiet --branch "$branch" "$repo_url" "$workdir/gitops"
cd "$workdir/gitops"
git config user.name "${GITLAB_USER_NAME:-GitLab CI}"
git config user.email "${GITLAB_USER_EMAIL:-ci@localhost}"

# Sets the image and commits; returns 1 when app.yaml already has it.
commit_image() {
  cmp set-image app.yaml "$image"
  if git diff --quiet -- app.yaml; then
    return 1
  fi
  # [skip ci]: the GitOps repository has no pipeline to run for a deployment.
  git commit --quiet -m "deploy ${image##*/} [skip ci]" -- app.yaml
}

if ! commit_image; then
  echo "app.yaml already deploys $image"
  exit 0
fi

for attempt in $(seq 1 "$attempts"); do
  if git push --quiet origin "HEAD:$branch"; then
    echo "deployed $image (push attempt $attempt)"
    exit 0
  fi
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
  fi
  sleep "$attempt"
done

echo "could not push to the GitOps repository after $attempts attempts" >&2
exit 1
