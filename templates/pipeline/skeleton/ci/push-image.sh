#!/bin/sh
# Pushes the image saved by the build job (image.tar), scanned by trivy-image,
# to this app's ECR repository, <registry>/apps/<name> (IMAGE_REPOSITORY).
# ECR creates the repository on the first push (the platform's creation
# template). Credentials: GitLab OIDC only. The job's ID token AWS_ID_TOKEN
# (aud sts.amazonaws.com) is exchanged for this app's CI role, AWS_ROLE_ARN,
# which the pipeline derives from the group variable IDP_CI_ROLE_ARN_PREFIX;
# the role trusts this project's main branch and pushes to this repository only.
set -eu

image="$IMAGE_REPOSITORY:$CI_COMMIT_SHA"
# The region is part of the registry host: <account>.dkr.ecr.<region>.amazonaws.com
region="${AWS_REGION:-$(echo "$ECR_REGISTRY" | cut -d. -f4)}"

case "${AWS_ROLE_ARN:-}" in
  arn:aws*:iam::*:role/*) ;;
  *)
    echo "AWS_ROLE_ARN is \"${AWS_ROLE_ARN:-}\", not a role ARN: the apps group needs the CI/CD variable IDP_CI_ROLE_ARN_PREFIX (terraform output ci_role_arn_prefix; templates/README.md)" >&2
    exit 1
    ;;
esac
token_file="$(mktemp)"
printf '%s' "$AWS_ID_TOKEN" > "$token_file"
export AWS_WEB_IDENTITY_TOKEN_FILE="$token_file"
export AWS_ROLE_SESSION_NAME="gitlab-${CI_PROJECT_ID:-0}-${CI_PIPELINE_ID:-0}"

aws ecr get-login-password --region "$region" \
  | docker login --username AWS --password-stdin "$ECR_REGISTRY"
docker load --input image.tar
docker push "$image"
