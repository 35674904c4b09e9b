#!/bin/sh
# Pushes the image saved by the build job (image.tar) to this app's ECR
# repository with this project's own, per-app scoped AWS credentials:
# AWS_ROLE_ARN (assumed through GitLab's OIDC token AWS_ID_TOKEN, preferred) or
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, set as masked project CI variables.
set -eu

image="$IMAGE_REPOSITORY:$CI_COMMIT_SHA"
# The region is part of the registry host: <account>.dkr.ecr.<region>.amazonaws.com
region="${AWS_REGION:-$(echo "$ECR_REGISTRY" | cut -d. -f4)}"

if [ -n "${AWS_ROLE_ARN:-}" ]; then
  token_file="$(mktemp)"
  printf '%s' "$AWS_ID_TOKEN" > "$token_file"
  export AWS_WEB_IDENTITY_TOKEN_FILE="$token_file"
  export AWS_ROLE_SESSION_NAME="gitlab-${CI_PROJECT_ID:-0}-${CI_PIPELINE_ID:-0}"
fi

aws ecr get-login-password --region "$region" \
  | docker login --username AWS --password-stdin "$ECR_REGISTRY"
docker load --input image.tar
docker push "$image"
