#!/usr/bin/env node
'use strict';

// Checks the shape of a rendered .gitlab-ci.yml against the platform's pipeline
// contract, for what cannot run here (no Docker, ECR, Trivy database or npm
// audit endpoint). gitlab-ci-local checks the schema and the rules separately,
// and resolves the includes: PREVIEW is its `--preview` of the pipeline.
// Prints PASS/FAIL lines like render-templates.js.
//
// Usage: node check-pipeline.js APP_DIR PREVIEW AUDIT_JOB AUDIT_COMMAND AUDIT_REPORT

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const [appDir, preview, auditJob, auditCommand, auditReport] = process.argv.slice(2);
const ci = YAML.parse(fs.readFileSync(preview, 'utf8'));

// Jobs with their `extends` merged in (one level is all the template uses).
function job(name) {
  const own = ci[name];
  if (!own) throw new Error(`no job ${name}`);
  const bases = [own.extends ?? []].flat().map((b) => ci[b]);
  return Object.assign({}, ...bases, own);
}

// gitlab-ci-local's preview writes needs as objects and cache as a list.
function needsOf(name) {
  return [job(name).needs ?? []].flat().map((n) => (typeof n === 'string' ? n : n.job));
}

function cacheKeysOf(name) {
  return [job(name).cache ?? []].flat().map((c) => String(c.key ?? ''));
}

function scriptOf(name) {
  const j = job(name);
  return [j.before_script ?? [], j.script ?? []].flat().join('\n');
}

function fileText(rel) {
  return fs.readFileSync(path.join(appDir, rel), 'utf8');
}

const MAIN_ONLY = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';
const checks = {
  'stages are lint, test, security, build, push, update-gitops, in that order': () =>
    // gitlab-ci-local's preview adds GitLab's implicit .pre and .post.
    JSON.stringify(ci.stages.filter((s) => !['.pre', '.post'].includes(s))) ===
    JSON.stringify(['lint', 'test', 'security', 'build', 'push', 'update-gitops']),
  [`${auditJob} runs "${auditCommand}" on every branch`]: () =>
    job(auditJob).stage === 'security' && !job(auditJob).rules && scriptOf(auditJob).split('\n').includes(auditCommand),
  [`${auditJob} keeps ${auditReport} as an artifact even when it fails`]: () =>
    job(auditJob).artifacts?.when === 'always' && job(auditJob).artifacts.paths.includes(auditReport),
  'trivy gates main on CRITICAL and HIGH': () =>
    job('trivy').stage === 'security' && job('trivy').rules?.[0]?.if === MAIN_ONLY &&
    /trivy fs .*--severity CRITICAL,HIGH --exit-code 1/.test(scriptOf('trivy')),
  'trivy-image scans the built image.tar, not a base image, and push waits for it': () =>
    job('trivy-image').rules?.[0]?.if === MAIN_ONLY &&
    JSON.stringify(needsOf('trivy-image')) === JSON.stringify(['build']) &&
    /trivy image --input image\.tar .*--severity CRITICAL,HIGH --exit-code 1/.test(scriptOf('trivy-image')) &&
    !/\$NODE_IMAGE|\$GO_IMAGE/.test(scriptOf('trivy-image')) &&
    needsOf('push').includes('trivy-image') &&
    job('build').artifacts?.paths?.includes('image.tar'),
  'build runs docker buildx for linux/amd64 and tags the commit SHA': () =>
    job('build').stage === 'build' &&
    /docker buildx build --platform linux\/amd64/.test(scriptOf('build').replace(/\s+/g, ' ')) &&
    scriptOf('build').includes('--tag "$IMAGE_REPOSITORY:$CI_COMMIT_SHA"'),
  'push logs in to ECR with the app\'s own CI role (GitLab OIDC), on main': () =>
    job('push').stage === 'push' && job('push').rules?.[0]?.if === MAIN_ONLY &&
    scriptOf('push').includes('ci/push-image.sh') &&
    job('push').id_tokens?.AWS_ID_TOKEN?.aud === 'sts.amazonaws.com' &&
    /^\$\{IDP_CI_ROLE_ARN_PREFIX\}[a-z0-9-]+$/.test(ci.variables?.AWS_ROLE_ARN ?? '') &&
    fileText('ci/push-image.sh').includes('AWS_WEB_IDENTITY_TOKEN_FILE') &&
    !fileText('ci/push-image.sh').includes('AWS_SECRET_ACCESS_KEY') &&
    fileText('ci/push-image.sh').includes('aws ecr get-login-password') &&
    fileText('ci/push-image.sh').includes('image="$IMAGE_REPOSITORY:$CI_COMMIT_SHA"') &&
    fileText('ci/push-image.sh').includes('docker push "$image"'),
  'images go to <registry>/apps/<name>': () =>
    /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/apps\/[a-z0-9-]+$/.test(ci.variables?.IMAGE_REPOSITORY ?? ''),
  'update-gitops installs the platform CLI and commits the image, on main, one at a time': () =>
    job('update-gitops').stage === 'update-gitops' && job('update-gitops').rules?.[0]?.if === MAIN_ONLY &&
    Boolean(job('update-gitops').resource_group) &&
    scriptOf('update-gitops').includes('go install "github.com/vibe-coder-biz/idp/cmp@$IDP_CMP_VERSION"') &&
    scriptOf('update-gitops').includes('ci/update-gitops.sh "$IMAGE_REPOSITORY:$CI_COMMIT_SHA"'),
  'update-gitops is a deployment of an environment, with the full history to compare commits': () =>
    Boolean(job('update-gitops').environment?.name) &&
    String(job('update-gitops').variables?.GIT_DEPTH) === '0',
  'the platform CLI is a pinned release, built once per version (cache keyed by it)': () =>
    /^v[0-9]+\.[0-9]+\.[0-9]+$/.test(String(ci.variables?.IDP_CMP_VERSION ?? '')) &&
    cacheKeysOf('update-gitops').some((k) => k.includes('$IDP_CMP_VERSION')) &&
    scriptOf('update-gitops').includes('[ -x ".idp-cmp/$IDP_CMP_VERSION/cmp" ] ||'),
  'update-gitops.sh commits with [skip ci] and retries with git pull --rebase': () =>
    /git commit .*\[skip ci\]/.test(fileText('ci/update-gitops.sh')) &&
    fileText('ci/update-gitops.sh').includes('git pull --quiet --rebase'),
};

let failed = 0;
for (const [name, fn] of Object.entries(checks)) {
  let ok = false;
  try {
    ok = fn();
  } catch (err) {
    console.log(`FAIL pipeline shape: ${name}: ${err.message}`);
    failed += 1;
    continue;
  }
  console.log(`${ok ? 'PASS' : 'FAIL'} pipeline shape: ${name}`);
  if (!ok) failed += 1;
}
process.exitCode = failed ? 1 : 0;
