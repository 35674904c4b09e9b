#!/usr/bin/env bash
# Creates the remote state backend of terraform/ with the AWS CLI alone:
# an S3 bucket (versioning, SSE-KMS, public access block, TLS-only policy)
# and a DynamoDB lock table (point-in-time recovery, encryption).
#
# Idempotent: the bucket and the table are created only if missing; their
# settings are (re)applied on every run, so a second run changes nothing.
# terraform/bootstrap/ creates the same resources with Terraform instead.
#
# Usage: hack/bootstrap-tf-backend.sh [--region R] [--bucket NAME] [--table NAME]
#                                     [--kms-key-id KEY] [--project NAME]
# Environment: AWS_REGION, TF_STATE_BUCKET, TF_LOCK_TABLE, TF_STATE_KMS_KEY_ID,
# PROJECT. Defaults: us-east-2, <project>-tfstate-<account id>,
# terraform-locks, the AWS managed key aws/s3, idp.
set -euo pipefail

region=${AWS_REGION:-us-east-2}
bucket=${TF_STATE_BUCKET:-}
table=${TF_LOCK_TABLE:-terraform-locks}
kms_key_id=${TF_STATE_KMS_KEY_ID:-}
project=${PROJECT:-idp}

die() {
  printf 'bootstrap-tf-backend: error: %s\n' "$*" >&2
  exit 1
}

say() { printf 'bootstrap-tf-backend: %s\n' "$*" >&2; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --region) region=${2:?--region needs a value}; shift 2 ;;
    --bucket) bucket=${2:?--bucket needs a value}; shift 2 ;;
    --table) table=${2:?--table needs a value}; shift 2 ;;
    --kms-key-id) kms_key_id=${2:?--kms-key-id needs a value}; shift 2 ;;
    --project) project=${2:?--project needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not on PATH"
[[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || die "not an AWS region: $region"

awscli() { aws --region "$region" "$@"; }

# --- credentials ------------------------------------------------------------
if ! account=$(awscli sts get-caller-identity --query Account --output text 2>/dev/null) || [[ -z $account ]]; then
  die "no usable AWS credentials (aws sts get-caller-identity failed): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run 'aws sso login'"
fi

bucket=${bucket:-$project-tfstate-$account}
[[ $bucket =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "not a valid S3 bucket name: $bucket"
say "account $account, region $region, bucket $bucket, table $table"

tag_set="TagSet=[{Key=Project,Value=$project},{Key=ManagedBy,Value=bootstrap-tf-backend},{Key=Purpose,Value=terraform-state}]"

# --- state bucket -----------------------------------------------------------
if head_err=$(awscli s3api head-bucket --bucket "$bucket" 2>&1 >/dev/null); then
  say "bucket $bucket exists"
elif [[ $head_err == *"Not Found"* || $head_err == *"404"* || $head_err == *"NoSuchBucket"* ]]; then
  say "creating bucket $bucket"
  if [[ $region == us-east-1 ]]; then
    awscli s3api create-bucket --bucket "$bucket" >/dev/null
  else
    awscli s3api create-bucket --bucket "$bucket" \
      --create-bucket-configuration "LocationConstraint=$region" >/dev/null
  fi
  awscli s3api wait bucket-exists --bucket "$bucket"
else
  die "cannot use bucket $bucket (it may belong to another account): $head_err"
fi

awscli s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
  "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
awscli s3api put-bucket-ownership-controls --bucket "$bucket" \
  --ownership-controls "Rules=[{ObjectOwnership=BucketOwnerEnforced}]"
awscli s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled

if [[ -n $kms_key_id ]]; then
  sse_default=$(printf '{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"%s"}' "$kms_key_id")
else
  sse_default='{"SSEAlgorithm":"aws:kms"}'
fi
awscli s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
  "$(printf '{"Rules":[{"ApplyServerSideEncryptionByDefault":%s,"BucketKeyEnabled":true}]}' "$sse_default")"

tls_only_policy=$(printf '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}' "$bucket" "$bucket")
awscli s3api put-bucket-policy --bucket "$bucket" --policy "$tls_only_policy"
awscli s3api put-bucket-tagging --bucket "$bucket" --tagging "$tag_set"

# --- lock table -------------------------------------------------------------
if describe_err=$(awscli dynamodb describe-table --table-name "$table" 2>&1 >/dev/null); then
  say "lock table $table exists"
elif [[ $describe_err == *"ResourceNotFoundException"* ]]; then
  say "creating lock table $table"
  awscli dynamodb create-table --table-name "$table" \
    --attribute-definitions AttributeName=LockID,AttributeType=S \
    --key-schema AttributeName=LockID,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST \
    --sse-specification Enabled=true \
    --deletion-protection-enabled \
    --tags "Key=Project,Value=$project" "Key=ManagedBy,Value=bootstrap-tf-backend" >/dev/null
  awscli dynamodb wait table-exists --table-name "$table"
else
  die "cannot describe lock table $table: $describe_err"
fi

awscli dynamodb update-continuous-backups --table-name "$table" \
  --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true >/dev/null

# --- result -----------------------------------------------------------------
say "done; put these lines in terraform/backend.hcl:"
printf 'bucket         = "%s"\n' "$bucket"
printf 'key            = "%s/platform.tfstate"\n' "${ENVIRONMENT:-prod}"
printf 'region         = "%s"\n' "$region"
printf 'dynamodb_table = "%s"\n' "$table"
printf 'encrypt        = true\n'
