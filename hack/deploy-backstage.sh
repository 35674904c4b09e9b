#!/usr/bin/env bash
# Deploys Backstage to the cluster of the current kubectl context:
#   1. checks the arguments, the environment and the tools, naming every
#      missing one at once, before touching anything;
#   2. checks that the branch exists (git ls-remote) and clones it;
#   3. logs Docker in to ECR and builds the image for linux/amd64 from
#      scratch (--no-cache --pull), tagged with the commit SHA, and pushes it
#      (skipped when ECR already holds that tag: tags are immutable);
#   4. copies manifests/backstage to a temporary directory and sets the image
#      and the cluster's settings there with `kustomize edit`;
#   5. applies it, waits for the Backstage secret to sync and for the rollout.
#
#   hack/deploy-backstage.sh --app-repo URL [--app-branch BRANCH] [--dockerfile PATH]
#
# The Backstage app (its package.json, plugins and Dockerfile) lives in its
# own repository; this one holds how it runs. Apply manifests/platform first.
#
# Required environment:
#   AWS_ACCOUNT_ID       12 digits
#   AWS_REGION           e.g. us-east-2
#   ECR_REGISTRY         <account>.dkr.ecr.<region>.amazonaws.com
#   ACM_CERTIFICATE_ARN  the *.<domain> certificate, in AWS_REGION and the account
#   BASE_DOMAIN          Backstage is served at https://backstage.<BASE_DOMAIN>,
#                        apps at https://<name>.<BASE_DOMAIN>
#   GITLAB_HOST          e.g. gitlab.example.com
#   ARGOCD_URL           https://… of Argo CD's UI and API
#   POSTGRES_HOST        the catalog database
#   GRAFANA_URL          https://<stack>.grafana.net, the Grafana Cloud stack the
#                        Grafana plugin reads (its token: GRAFANA_TOKEN in
#                        idp/platform/backstage)
# Optional: ECR_REPOSITORY (backstage), GITLAB_APP_GROUP (apps),
#   GITLAB_ORG_GROUP (platform), GITLAB_GITOPS_GROUP (gitops), K8S_CLUSTER_NAME (idp-prod),
#   POSTGRES_PORT (5432), ROLLOUT_TIMEOUT (10m), KUBE_CONTEXT.
set -euo pipefail

prog=deploy-backstage
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  printf 'usage: hack/deploy-backstage.sh --app-repo URL [--app-branch BRANCH] [--dockerfile PATH]\n'
  printf '  --app-repo URL      Git URL of the Backstage app repository (required)\n'
  printf '  --app-branch NAME   branch to build (default: main)\n'
  printf '  --dockerfile PATH   Dockerfile inside that repository (default: Dockerfile)\n'
  printf 'Environment: see the head of this script.\n'
}
die() {
  printf '%s: %s\n' "$prog" "$*" >&2
  exit 1
}
usage_error() {
  printf '%s: %s\n' "$prog" "$*" >&2
  usage >&2
  exit 2
}
step() { printf '\n== %s\n' "$*" >&2; }

app_repo=""
app_branch=main
dockerfile=Dockerfile
while (($# > 0)); do
  case $1 in
    --app-repo | --app-branch | --dockerfile)
      if (($# < 2)) || [[ -z $2 || $2 == --* ]]; then
        usage_error "$1 needs a value"
      fi
      case $1 in
        --app-repo) app_repo=$2 ;;
        --app-branch) app_branch=$2 ;;
        --dockerfile) dockerfile=$2 ;;
      esac
      shift 2
      ;;
    --app-repo=* | --app-branch=* | --dockerfile=*)
      value=${1#*=}
      [[ -n $value ]] || usage_error "${1%%=*} needs a value"
      case $1 in
        --app-repo=*) app_repo=$value ;;
        --app-branch=*) app_branch=$value ;;
        --dockerfile=*) dockerfile=$value ;;
      esac
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[[ -n $app_repo ]] || usage_error "--app-repo URL is required: the Backstage app lives in its own repository"

required=(AWS_ACCOUNT_ID AWS_REGION ECR_REGISTRY ACM_CERTIFICATE_ARN BASE_DOMAIN GITLAB_HOST ARGOCD_URL POSTGRES_HOST GRAFANA_URL)
missing=()
for name in "${required[@]}"; do
  [[ -n ${!name:-} ]] || missing+=("$name")
done
if ((${#missing[@]} > 0)); then
  die "missing required environment variables: ${missing[*]} (see the head of hack/deploy-backstage.sh)"
fi

invalid=()
[[ $AWS_ACCOUNT_ID =~ ^[0-9]{12}$ ]] || invalid+=("AWS_ACCOUNT_ID=$AWS_ACCOUNT_ID is not 12 digits")
[[ $AWS_REGION =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]+$ ]] || invalid+=("AWS_REGION=$AWS_REGION is not a region name")
expected_registry="$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com"
[[ $ECR_REGISTRY == "$expected_registry" ]] || invalid+=("ECR_REGISTRY=$ECR_REGISTRY is not $expected_registry")
[[ $ACM_CERTIFICATE_ARN =~ ^arn:aws[a-z-]*:acm:${AWS_REGION}:${AWS_ACCOUNT_ID}:certificate/[0-9a-f-]+$ ]] ||
  invalid+=("ACM_CERTIFICATE_ARN=$ACM_CERTIFICATE_ARN is not an ACM certificate of account $AWS_ACCOUNT_ID in $AWS_REGION (the ALB's region)")
[[ $BASE_DOMAIN =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$ ]] || invalid+=("BASE_DOMAIN=$BASE_DOMAIN is not a domain name")
[[ $ARGOCD_URL == https://* ]] || invalid+=("ARGOCD_URL=$ARGOCD_URL must start with https://")
# The plugin appends /d/<uid>… to it and the proxy its API paths.
[[ $GRAFANA_URL =~ ^https://[a-z0-9.-]+$ ]] || invalid+=("GRAFANA_URL=$GRAFANA_URL must be https://<host> with no path")
if ((${#invalid[@]} > 0)); then
  printf '%s: invalid environment:\n' "$prog" >&2
  printf '  %s\n' "${invalid[@]}" >&2
  exit 1
fi

tools=()
for tool in git aws docker kubectl kustomize; do
  command -v "$tool" >/dev/null 2>&1 || tools+=("$tool")
done
((${#tools[@]} == 0)) || die "missing tools on PATH: ${tools[*]}"

ecr_repository=${ECR_REPOSITORY:-backstage}
rollout_timeout=${ROLLOUT_TIMEOUT:-10m}
host="backstage.$BASE_DOMAIN"
kubectl_args=()
[[ -z ${KUBE_CONTEXT:-} ]] || kubectl_args=(--context "$KUBE_CONTEXT")

work=$(mktemp -d "${TMPDIR:-/tmp}/deploy-backstage.XXXXXX")
trap 'rm -rf "$work"' EXIT

step "checking $app_repo has branch $app_branch"
rc=0
git ls-remote --exit-code --heads "$app_repo" "refs/heads/$app_branch" >/dev/null 2>"$work/git.err" || rc=$?
case $rc in
  0) ;;
  2) die "branch '$app_branch' does not exist in $app_repo (git ls-remote found no refs/heads/$app_branch)" ;;
  *) die "cannot read $app_repo (git ls-remote exit $rc): $(cat "$work/git.err")" ;;
esac

step "cloning $app_repo ($app_branch)"
git clone --quiet --depth 1 --single-branch --branch "$app_branch" "$app_repo" "$work/app" 2>"$work/git.err" ||
  die "clone of $app_repo (branch $app_branch) failed: $(cat "$work/git.err")"
sha=$(git -C "$work/app" rev-parse HEAD)
[[ $sha =~ ^[0-9a-f]{40}$ ]] || die "unexpected commit id from git rev-parse: $sha"
[[ -f $work/app/$dockerfile ]] || die "no $dockerfile in $app_repo at $sha (use --dockerfile)"
image="$ECR_REGISTRY/$ecr_repository:$sha"

step "checking the platform is in place"
role=$(kubectl "${kubectl_args[@]}" get namespace backstage -o 'jsonpath={.metadata.labels.idp-role}' 2>"$work/kubectl.err") ||
  die "cannot read namespace backstage: $(cat "$work/kubectl.err") (apply manifests/platform first: kubectl apply -k manifests/platform)"
[[ $role == platform ]] || die "namespace backstage is not labelled idp-role=platform: apply manifests/platform first"

step "logging in to $ECR_REGISTRY"
aws ecr get-login-password --region "$AWS_REGION" |
  docker login --username AWS --password-stdin "$ECR_REGISTRY" >/dev/null ||
  die "ECR login to $ECR_REGISTRY failed"

if aws ecr describe-images --region "$AWS_REGION" --repository-name "$ecr_repository" --image-ids "imageTag=$sha" >/dev/null 2>&1; then
  step "$image is already in ECR (tags are immutable): not rebuilding"
else
  step "building and pushing $image"
  docker buildx build --platform linux/amd64 --no-cache --pull \
    --file "$work/app/$dockerfile" --tag "$image" --push "$work/app" ||
    die "docker buildx build of $app_repo at $sha failed"
fi

step "setting the image and the settings in a copy of manifests/backstage"
cp -R "$root/manifests/backstage" "$work/manifests"
settings=(
  "--from-literal=BACKSTAGE_HOST=$host"
  "--from-literal=ACM_CERTIFICATE_ARN=$ACM_CERTIFICATE_ARN"
  "--from-literal=BASE_DOMAIN=$BASE_DOMAIN"
  "--from-literal=ECR_REGISTRY=$ECR_REGISTRY"
  "--from-literal=GITLAB_HOST=$GITLAB_HOST"
  "--from-literal=ARGOCD_URL=$ARGOCD_URL"
  "--from-literal=POSTGRES_HOST=$POSTGRES_HOST"
  "--from-literal=GRAFANA_URL=$GRAFANA_URL"
)
[[ -z ${GITLAB_APP_GROUP:-} ]] || settings+=("--from-literal=GITLAB_APP_GROUP=$GITLAB_APP_GROUP")
[[ -z ${GITLAB_ORG_GROUP:-} ]] || settings+=("--from-literal=GITLAB_ORG_GROUP=$GITLAB_ORG_GROUP")
[[ -z ${GITLAB_GITOPS_GROUP:-} ]] || settings+=("--from-literal=GITLAB_GITOPS_GROUP=$GITLAB_GITOPS_GROUP")
[[ -z ${K8S_CLUSTER_NAME:-} ]] || settings+=("--from-literal=K8S_CLUSTER_NAME=$K8S_CLUSTER_NAME")
[[ -z ${POSTGRES_PORT:-} ]] || settings+=("--from-literal=POSTGRES_PORT=$POSTGRES_PORT")
(
  cd "$work/manifests"
  kustomize edit set image "backstage=$image"
  kustomize edit set configmap backstage-settings --namespace backstage "${settings[@]}"
) || die "kustomize edit in $work/manifests failed"

step "applying"
kubectl "${kubectl_args[@]}" apply -k "$work/manifests"

step "waiting for the Backstage secret (idp/platform/backstage) to sync"
kubectl "${kubectl_args[@]}" -n backstage wait externalsecret/backstage-secrets --for=condition=Ready --timeout=2m ||
  die "ExternalSecret backstage/backstage-secrets is not Ready: is idp/platform/backstage set in Secrets Manager? (kubectl -n backstage describe externalsecret backstage-secrets)"

step "waiting for the rollout (timeout $rollout_timeout)"
kubectl "${kubectl_args[@]}" -n backstage rollout status deployment/backstage --timeout "$rollout_timeout" ||
  die "rollout of $image did not finish within $rollout_timeout (kubectl -n backstage get pods; kubectl -n backstage logs deploy/backstage)"

printf '%s: https://%s runs %s\n' "$prog" "$host" "$image"
