#!/usr/bin/env bash
# Checks the Backstage templates under templates/ end to end:
#   1. renders every template with Backstage's own scaffolder code (pinned in
#      templates/test/package-lock.json) from the cases in templates/test/fixtures:
#      validates template.yaml and catalog-info.yaml, refuses bad and taken
#      names, finds no template markers left (templates/test/render-templates.js);
#   2. in each rendered app: installs, lints, tests, starts it and probes it,
#      stops it with SIGTERM; checks its .gitlab-ci.yml with gitlab-ci-local
#      and runs its lint and test jobs; lints its Dockerfile and CI scripts;
#   3. runs the app's update-gitops script against a local bare GitOps
#      repository, with concurrent pushes, and validates app.yaml with the
#      platform CLI when this checkout has it.
# Prints one PASS/FAIL line per check and ends with "N passed, M failed".
#
# Usage: hack/test-templates.sh
# Env:   IDP_CACHE (default ~/.cache/idp): where the harness's node_modules are
#        cached, keyed by its lockfile; KEEP_WORK=1 keeps the work folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="$ROOT/templates/test"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-templates.XXXXXX")"
mkdir -p "$WORK/logs" "$WORK/bin"
PASSED=0
FAILED=0
SERVER_PID=""
CMP_REAL=""
GITLAB_CI_LOCAL=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
skip() { echo "SKIP $* (not counted)"; }

# check NAME CMD...: one counted check. CMD runs in a subshell with errexit in
# force (bash ignores set -e inside a function called from an `if`, so a plain
# `if "$@"` would let a failing step pass); its output goes to a log that is
# shown only on failure. Never aborts the script, so every check reports.
check() {
  local name="$1" log rc=0
  shift
  log="$WORK/logs/$((PASSED + FAILED + 1)).log"
  (set -e; "$@") >"$log" 2>&1 &
  wait "$!" || rc=$?
  if [ "$rc" -eq 0 ]; then
    pass "$name"
  else
    fail "$name"
    tail -n 40 "$log" | sed 's/^/    | /'
  fi
}

# listed_checks PREFIX CMD...: runs a checker that prints PASS/FAIL lines,
# and counts them (prefixed). A checker that dies without saying FAIL is a
# failure too.
listed_checks() {
  local prefix="$1" out="$WORK/logs/listed-checks.out" rc=0 failed_before=$FAILED line
  shift
  "$@" >"$out" 2>&1 || rc=$?
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) pass "$prefix${line#PASS }" ;;
      FAIL\ *) fail "$prefix${line#FAIL }" ;;
      *) echo "$line" ;;
    esac
  done <"$out"
  if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$failed_before" ]; then
    fail "$prefix$(basename "${2:-$1}") exited with $rc"
  fi
}

# node_checks PREFIX SCRIPT ARGS...: a checker written for Node.
node_checks() {
  local prefix="$1"
  shift
  listed_checks "$prefix" node "$@"
}

# --- tools -------------------------------------------------------------------

# Debian packages the checks need; a CI machine may be fresh, so install them.
ensure_debian_packages() {
  local missing=() cmd
  for cmd in "$@"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "installing ${missing[*]} from Debian"
  if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# A linter that Debian may or may not package here: install it if it can.
debian_has() {
  command -v "$1" >/dev/null 2>&1 && return 0
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [0-9]' || return 1
  apt-get install -y -qq "$1" >/dev/null 2>&1 && command -v "$1" >/dev/null 2>&1
}

# The harness's npm dependencies (Backstage, gitlab-ci-local), cached.
install_harness() {
  local dir
  dir="$("$HARNESS/install-harness.sh")"
  export NODE_PATH="$dir"
  GITLAB_CI_LOCAL="$dir/.bin/gitlab-ci-local"
}

# The platform CLI from this checkout when it has one. Without it, a stand-in
# for `cmp set-image` still lets the update-gitops script be exercised.
# What the templates run against: the project's GitLab stand-in, which the
# scaffolder's real GitLab actions and the update-gitops job talk to, and the
# platform's scaffolder module, built from its source.
prepare_peers() {
  check "the GitLab stand-in and the platform's scaffolder module build (templates/test/build-peers.sh)" \
    "$HARNESS/build-peers.sh" "$WORK"
  export IDP_SCAFFOLDER_ACTIONS="$WORK/scaffolder-actions/dist/index.cjs.js"
}

prepare_cmp() {
  if compgen -G "$ROOT/cmp/*.go" >/dev/null && command -v go >/dev/null; then
    check "the platform CLI (./cmp) builds" bash -c "cd '$ROOT' && go build -o '$WORK/bin/cmp-real' ./cmp"
    if [ -x "$WORK/bin/cmp-real" ]; then CMP_REAL="$WORK/bin/cmp-real"; fi
  else
    skip "cmp validate: no ./cmp in this checkout; update-gitops runs with a sed stand-in for cmp set-image"
  fi
  cat >"$WORK/bin/cmp-stub" <<'EOF'
#!/usr/bin/env bash
# Stand-in for `cmp set-image FILE IMAGE`: rewrites only the image line.
set -euo pipefail
[ "$1" = set-image ] || { echo "cmp stand-in: only set-image" >&2; exit 2; }
sed -i -E "s|^(  image: ).*$|\1$3|" "$2"
EOF
  chmod +x "$WORK/bin/cmp-stub"
}

# --- the rendered app: probes for every language -----------------------------

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_for_url() {
  local _
  for _ in $(seq 1 100); do
    if curl -fsS --max-time 1 "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $1 after 10 s"
  return 1
}

health_is_ok() {
  local body
  body="$(curl -fsS --max-time 5 "http://127.0.0.1:$1/health")"
  echo "$body"
  [ "$body" = '{"status":"ok"}' ]
}

# The metrics listener is the app's second port, never the one the Ingress
# routes (which answers the metrics path with 404). RUNTIME: the lines, one
# extended regex a line, that the language's own metrics must also match.
metrics_are_red() {
  local text code pattern
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$2/metrics")"
  [ "$code" = 404 ] || { echo "the app port answers /metrics with $code"; return 1; }
  curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$2/"
  text="$(curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics")"
  grep -q '^http_requests_total{method="GET",route="/",status="200"} [0-9]' <<<"$text"
  # Health checks are not the users' requests.
  if grep -q 'route="/health"' <<<"$text"; then echo "health checks are in the RED metrics"; return 1; fi
  grep -q '^http_request_duration_seconds_bucket{' <<<"$text"
  while IFS= read -r pattern; do
    grep -Eq "$pattern" <<<"$text" || { echo "no line matches $pattern"; return 1; }
  done <<<"$3"
}

# Runs in this shell, not in check's subshell: only the parent can wait for
# the server it started.
stop_server_with_sigterm() {
  local label="$1" rc=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  if [ "$rc" -eq 0 ]; then
    pass "$label: SIGTERM stops it with exit code 0"
  else
    fail "$label: SIGTERM stops it with exit code 0 (got $rc)"
  fi
}

# Every log line is a JSON object with time, level and msg.
logs_are_json() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
    const msgs = lines.map((l) => { const o = JSON.parse(l); if (!o.time || !o.level || !o.msg) throw new Error(l); return o.msg; });
    for (const m of ["listening", "request", "shutting down"]) if (!msgs.includes(m)) throw new Error("no " + m + " line");
  ' "$1"
}

# smoke_test APP LABEL ID RUNTIME COMMAND...: starts COMMAND in APP on free
# loopback ports (PORT, METRICS_PORT), probes it, stops it with SIGTERM.
# RUNTIME is metrics_are_red's list of the language's own metrics.
smoke_test() {
  local app="$1" label="$2" runtime="$4" port metrics log="$WORK/logs/server-$3.log" shown
  shift 4
  shown="${*#"$WORK/"}"
  port="$(free_port)"
  metrics="$(free_port)"
  (cd "$app" && PORT="$port" METRICS_PORT="$metrics" HOST=127.0.0.1 exec "$@" >"$log" 2>&1) &
  SERVER_PID=$!
  check "$label: $shown answers on 127.0.0.1:$port" wait_for_url "http://127.0.0.1:$port/health"
  check "$label: GET /health is {\"status\":\"ok\"}" health_is_ok "$port"
  check "$label: GET /metrics on METRICS_PORT has RED and default metrics, the app port has none" metrics_are_red "$metrics" "$port" "$runtime"
  stop_server_with_sigterm "$label"
  check "$label: logs are JSON lines" logs_are_json "$log"
}

# --- the rendered app: Node.js -----------------------------------------------

# prom-client declares a counter before its first sample; collectDefaultMetrics.
NODE_RUNTIME_METRICS='^# TYPE http_request_errors_total counter$
^process_cpu_user_seconds_total '

check_app_node() {
  local app="$1" label="$2" id="$3"
  # Bounded, so that a test that leaves a socket open fails instead of hanging CI.
  check "$label: npm ci" bash -c "cd '$app' && timeout 600 npm ci --no-audit --no-fund"
  check "$label: ESLint" bash -c "cd '$app' && timeout 300 npm run lint"
  check "$label: Jest with coverage" bash -c "cd '$app' && timeout 300 npm test -- --ci"
  echo "    jest: $(grep -h '^Tests:' "$WORK/logs/$((PASSED + FAILED)).log" || echo 'no summary')"
  smoke_test "$app" "$label" "$id" "$NODE_RUNTIME_METRICS" node src/server.js
  check_pipeline "$app" "$label" npm-audit 'npm audit --audit-level=high --json > npm-audit.json' npm-audit.json
  run_lint_and_test_jobs "$app" "$label"
  check_container_files "$app" "$label"
}

# --- the rendered app: Go ----------------------------------------------------

# client_golang's Go runtime and process collectors. (It shows a counter only
# after its first sample, so http_request_errors_total is left to go test.)
GO_RUNTIME_METRICS='^go_goroutines [0-9]
^process_cpu_seconds_total [0-9]'

# No file that gofmt would change.
gofmt_is_clean() {
  local out
  out="$(cd "$1" && gofmt -l .)"
  [ -z "$out" ] || { echo "gofmt would change: $out"; return 1; }
}

# The lint job must fail on a file that gofmt would change: a copy of the app
# (committed, as make_git_repo leaves it) with one. ARGS go to gitlab-ci-local.
lint_job_rejects_unformatted_go() {
  local app="$1" dir="$WORK/gofmt-control" out
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  git -C "$app" archive HEAD | tar -x -C "$dir"
  printf 'package main\n\nfunc  unformatted() {}\n' >"$dir/unformatted.go"
  make_git_repo "$dir" control/gofmt
  if out="$(run_jobs "$dir" "$@" lint 2>&1)"; then
    echo "$out"
    echo "the lint job passed"
    return 1
  fi
  echo "$out"
  grep -q 'gofmt would change .*unformatted.go' <<<"$out"
}

check_app_go() {
  local app="$1" label="$2" id="$3"
  if ! command -v go >/dev/null; then
    fail "$label: go is needed for the Go checks"
    return
  fi
  # Into an empty module cache, so that every module of go.sum comes through
  # the Go module proxy and is checked against go.sum (writable, so that the
  # work folder can be removed). The other steps use the machine's caches.
  check "$label: go mod download and go mod verify (module proxy, go.sum)" \
    env GOMODCACHE="$WORK/gomodcache" GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw" bash -c \
    "set -o pipefail; cd '$app' && timeout 600 go mod download -x 2>&1 | grep -c '^# get ' && go mod verify"
  check "$label: gofmt -l lists nothing" gofmt_is_clean "$app"
  check "$label: go vet" bash -c "cd '$app' && timeout 300 go vet ./..."
  check "$label: go test with coverage" bash -c "cd '$app' && timeout 300 go test -count=1 -cover ./..."
  echo "    go test: $(grep -h '^ok ' "$WORK/logs/$((PASSED + FAILED)).log" || echo 'no summary')"
  check "$label: go build" bash -c "cd '$app' && CGO_ENABLED=0 go build -trimpath -o '$WORK/bin/$id' ."
  smoke_test "$app" "$label" "$id" "$GO_RUNTIME_METRICS" "$WORK/bin/$id"
  # shellcheck disable=SC2016 # the job's own command, expanded by the runner
  check_pipeline "$app" "$label" govulncheck \
    'go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -format json ./... > govulncheck.json' govulncheck.json
  # The jobs keep Go's caches in the project folder for GitLab's cache, which
  # gitlab-ci-local's shell executor puts under /builds on this machine; here
  # they use the machine's module and build caches (both safe to share), so
  # tools such as staticcheck are compiled once per machine.
  local -a caches=(--variable "GOPATH=$WORK/gopath" --variable "GOMODCACHE=$(go env GOMODCACHE)" --variable "GOCACHE=$(go env GOCACHE)")
  run_lint_and_test_jobs "$app" "$label" "${caches[@]}"
  check "$label: the lint job fails on a file gofmt would change (control)" lint_job_rejects_unformatted_go "$app" "${caches[@]}"
  check_container_files "$app" "$label"
}

# --- the rendered app: checks for every language -----------------------------

# gitlab-ci-local needs a git repository; the remote is only parsed, never contacted.
make_git_repo() {
  local dir="$1" project="$2"
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  git -C "$dir" -c user.name=test -c user.email=test@localhost commit -qm "rendered"
  git -C "$dir" remote add origin "git@gitlab.example.com:$project.git"
  git -C "$dir" update-ref refs/remotes/origin/main HEAD
  git -C "$dir" symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
}

# The jobs that gitlab-ci-local (GitLab's schema, then the rules) puts in a
# pipeline on BRANCH, by stage and then name (its own list puts included jobs first).
expect_jobs() {
  local dir="$1" branch="$2" want="$3" got
  git -C "$dir" checkout -q -B "$branch"
  (cd "$dir" && "$GITLAB_CI_LOCAL" --list-json >"$WORK/jobs.json")
  git -C "$dir" checkout -q main
  got="$(node -e '
    const stages = ["lint", "test", "security", "build", "push", "update-gitops"];
    const jobs = require(process.argv[1]).filter((x) => x.when !== "never");
    jobs.sort((a, b) => stages.indexOf(a.stage) - stages.indexOf(b.stage) || a.name.localeCompare(b.name));
    console.log(jobs.map((x) => x.name).join(" "));
  ' "$WORK/jobs.json")"
  echo "got:  $got"
  echo "want: $want"
  [ "$got" = "$want" ]
}

# The checker must catch what GitLab rejects: an unquoted "key: value" in a script.
rejects_unquoted_colon() {
  local dir="$WORK/colon-control"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$1/.gitlab-ci.yml" "$dir/"
  printf 'colon-control:\n  stage: lint\n  script:\n    - echo status: ok\n' >>"$dir/.gitlab-ci.yml"
  make_git_repo "$dir" control/colon
  if (cd "$dir" && "$GITLAB_CI_LOCAL" --list); then
    echo "gitlab-ci-local accepted it"
    return 1
  fi
}

# Args after LABEL: the audit job, its exact command and its report file.
# Every language's pipeline has the same jobs but for its audit job.
check_pipeline() {
  local app="$1" label="$2" audit="$3"
  shift 2
  make_git_repo "$app" "apps/$(basename "$app")"
  check "$label: gitlab-ci-local --list accepts .gitlab-ci.yml (GitLab's schema)" bash -c "cd '$app' && '$GITLAB_CI_LOCAL' --list"
  check "$label: gitlab-ci-local rejects an unquoted 'key: value' script line (control)" rejects_unquoted_colon "$app"
  check "$label: pipeline jobs on main" expect_jobs "$app" main "lint test $audit trivy build trivy-image push update-gitops"
  check "$label: pipeline jobs on a feature branch" expect_jobs "$app" feature "lint test $audit build"
  (cd "$app" && "$GITLAB_CI_LOCAL" --preview >"$WORK/preview.yml")
  node_checks "$label: " "$HARNESS/check-pipeline.js" "$app" "$WORK/preview.yml" "$@"
}

# run_jobs APP ARGS...: gitlab-ci-local runs jobs of APP's pipeline on this
# machine; ARGS are its options (e.g. --variable NAME=VALUE over the job's
# own) and the jobs.
run_jobs() {
  cd "$1" && shift
  timeout 900 "$GITLAB_CI_LOCAL" --force-shell-executor --shell-isolation --no-artifacts-to-source "$@"
}

run_lint_and_test_jobs() {
  local app="$1" label="$2"
  shift 2
  check "$label: gitlab-ci-local runs the lint and test jobs (shell executor)" run_jobs "$app" "$@" lint test
}

check_container_files() {
  local app="$1" label="$2"
  if debian_has hadolint; then
    check "$label: hadolint Dockerfile" hadolint "$app/Dockerfile"
  else
    skip "$label: hadolint Dockerfile: Debian has no hadolint package for this machine"
  fi
  if debian_has shellcheck; then
    check "$label: shellcheck ci/*.sh" bash -c "shellcheck '$app'/ci/*.sh"
  else
    skip "$label: shellcheck ci/*.sh: not installable here"
  fi
}

# --- the GitOps repository ---------------------------------------------------

# A bare GitOps repository holding the rendered GitOps skeleton, as publish:gitlab leaves it.
make_bare_gitops() {
  local src="$1" bare="$2" seed
  seed="$(mktemp -d "$WORK/seed.XXXXXX")"
  git init -q --bare -b main "$bare"
  cp -r "$src/." "$seed/"
  git -C "$seed" init -q -b main
  git -C "$seed" add -A
  git -C "$seed" -c user.name=backstage -c user.email=backstage@localhost commit -qm "Deploy [skip ci]"
  git -C "$seed" push -q "$bare" main
}

# A script that pushes a competing commit to the bare repository, as another
# pipeline or a person would between update-gitops' clone and its push.
write_race_commit() {
  cat >"$WORK/bin/race-commit" <<'EOF'
#!/usr/bin/env bash
# Usage: race-commit BARE_REPO readme|image
set -euo pipefail
dir="$(mktemp -d)"
git clone -q "$1" "$dir"
if [ "$2" = readme ]; then
  echo "Edited concurrently." >>"$dir/README.md"
else
  sed -i -E 's|^(  image: .*):[^:]*$|\1:concurrent|' "$dir/app.yaml"
fi
git -C "$dir" -c user.name=other -c user.email=other@localhost commit -qam "concurrent $2 change"
git -C "$dir" push -q origin main
rm -rf "$dir"
EOF
  chmod +x "$WORK/bin/race-commit"
}

# Runs the app's ci/update-gitops.sh against the bare repository. The `cmp` on
# its PATH first pushes one competing commit (when RACE is given), then hands
# over to the real CLI or its stand-in.
run_update_gitops() {
  local app="$1" bare="$2" image="$3" race="$4" bin
  bin="$(mktemp -d "$WORK/cmp-bin.XXXXXX")"
  cat >"$bin/cmp" <<EOF
#!/usr/bin/env bash
set -euo pipefail
if [ -n "$race" ] && [ ! -e "$bin/raced" ]; then
  touch "$bin/raced"
  "$WORK/bin/race-commit" "$bare" "$race"
fi
exec "${CMP_REAL:-$WORK/bin/cmp-stub}" "\$@"
EOF
  chmod +x "$bin/cmp"
  PATH="$bin:$PATH" GITOPS_REPO_URL="file://$bare" GITLAB_USER_NAME=ci GITLAB_USER_EMAIL=ci@localhost \
    bash "$app/ci/update-gitops.sh" "$image"
}

# After a deployment: app.yaml has IMAGE, the last commit is marked [skip ci]
# and changed only the image line, and the competing commit KEPT is still there.
deployed() {
  local bare="$1" image="$2" kept="$3" show
  show="$(git -C "$bare" show main:app.yaml)"
  echo "$show"
  grep -qx "  image: $image" <<<"$show"
  [[ "$(git -C "$bare" log -1 --format=%s main)" == *"[skip ci]"* ]]
  [ "$(git -C "$bare" diff --numstat main~1 main)" = "$(printf '1\t1\tapp.yaml')" ]
  grep -Fqx "$kept" <<<"$(git -C "$bare" log --format=%s main)"
}

# The first push must have been rejected, and the script must have recovered.
deploys_despite_a_concurrent_commit() {
  local app="$1" bare="$2" image="$3" race="$4" out
  out="$(run_update_gitops "$app" "$bare" "$image" "$race" 2>&1)"
  echo "$out"
  grep -q "push rejected" <<<"$out"
  deployed "$bare" "$image" "concurrent $race change"
}

same_image_is_a_no_op() {
  local before out
  before="$(git -C "$2" rev-parse main)"
  out="$(run_update_gitops "$1" "$2" "$3" "")"
  echo "$out"
  grep -q "already deploys" <<<"$out"
  [ "$before" = "$(git -C "$2" rev-parse main)" ]
}

# The app repository as the pipeline of SHA sees it: that commit and its
# history only, with the app's repository (BARE) as origin. The script runs
# in it, as a job runs in its checkout.
pipeline_checkout() {
  local bare="$1" sha="$2" dir="$3"
  rm -rf "$dir"
  git init -q "$dir"
  git -C "$dir" remote add origin "$bare"
  git -C "$dir" fetch -q origin "$sha"
  git -C "$dir" checkout -q --detach "$sha"
}

# Three commits of the app; their pipelines finish out of order: the newest
# first, then the oldest, whose deployment must stop and change nothing.
never_deploys_older() {
  local app="$1" bare="$2" repo="$3" app_bare="$WORK/app-history.git" work="$WORK/app-history" c=() before out rc=0 i
  rm -rf "$app_bare" "$work"
  git clone -q --bare "$app" "$app_bare"
  git -C "$app_bare" config uploadpack.allowAnySHA1InWant true
  git clone -q "$app_bare" "$work"
  for i in 1 2 3; do
    echo "change $i" >>"$work/README.md"
    git -C "$work" -c user.name=dev -c user.email=dev@localhost commit -qam "change $i"
    c+=("$(git -C "$work" rev-parse HEAD)")
  done
  git -C "$work" push -q origin HEAD:main
  pipeline_checkout "$app_bare" "${c[1]}" "$WORK/pipeline-2"
  (cd "$WORK/pipeline-2" && CI_COMMIT_SHA="${c[1]}" run_update_gitops "$app" "$bare" "$repo:${c[1]}" "")
  before="$(git -C "$bare" rev-parse main)"
  pipeline_checkout "$app_bare" "${c[0]}" "$WORK/pipeline-1"
  out="$(cd "$WORK/pipeline-1" && CI_COMMIT_SHA="${c[0]}" run_update_gitops "$app" "$bare" "$repo:${c[0]}" "" 2>&1)" || rc=$?
  echo "$out"
  [ "$rc" -ne 0 ] || { echo "the older pipeline deployed"; return 1; }
  grep -q "is already deployed" <<<"$out"
  [ "$before" = "$(git -C "$bare" rev-parse main)" ]
  pipeline_checkout "$app_bare" "${c[2]}" "$WORK/pipeline-3"
  (cd "$WORK/pipeline-3" && CI_COMMIT_SHA="${c[2]}" run_update_gitops "$app" "$bare" "$repo:${c[2]}" "")
  deployed "$bare" "$repo:${c[2]}" "deploy $(basename "$repo"):${c[1]} [skip ci]"
  [ "$(git -C "$bare" log -1 --format='%(trailers:key=App-Commit,valueonly)' main)" = "${c[2]}" ]
}

# Every rendered app.yaml, from every fixture case, must pass the platform's own validation.
validate_all_app_yamls() {
  local file
  [ -n "$CMP_REAL" ] || return 0
  for file in "$WORK"/rendered/*/*/gitops/*/app.yaml; do
    check "cmp validate ${file#"$WORK/rendered/"}" "$CMP_REAL" validate "$file"
  done
}

check_gitops() {
  local gitops="$1" app="$2" label="$3" id="$4" repo bare="$WORK/gitops-$4.git"
  repo="$(sed -nE 's|^  image: (.*):initial$|\1|p' "$gitops/app.yaml")"
  check "$label: app.yaml starts at a placeholder image of the app's repository" test -n "$repo"
  make_bare_gitops "$gitops" "$bare"
  check "$label: update-gitops deploys after a concurrent push (pull --rebase)" \
    deploys_despite_a_concurrent_commit "$app" "$bare" "$repo:1111111" readme
  check "$label: update-gitops deploys over a concurrent image change (reset, retry)" \
    deploys_despite_a_concurrent_commit "$app" "$bare" "$repo:2222222" image
  check "$label: update-gitops with the deployed image commits nothing" \
    same_image_is_a_no_op "$app" "$bare" "$repo:2222222"
  check "$label: update-gitops never deploys an older commit over a newer one" \
    never_deploys_older "$app" "$bare" "$repo"
  if [ -n "$CMP_REAL" ]; then
    GITLAB_CI_LOCAL="$GITLAB_CI_LOCAL" GITLABFAKE="$WORK/bin/gitlabfake" CMP="$CMP_REAL" \
      listed_checks "$label: " bash "$HARNESS/check-update-gitops-job.sh" "$app" "$gitops" "$WORK"
    git -C "$bare" show main:app.yaml >"$WORK/deployed-$id.yaml"
    check "$label: cmp validate app.yaml after set-image" "$CMP_REAL" validate "$WORK/deployed-$id.yaml"
  fi
}

# --- main ----------------------------------------------------------------------

main() {
  local started=$SECONDS entries template case checks app gitops
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "node and npm are needed" >&2
    exit 1
  fi
  ensure_debian_packages rsync curl git jq
  # In this shell, as it exports NODE_PATH; nothing else can run without it.
  install_harness
  pass "harness dependencies installed (npm ci, cached by lockfile) in $((SECONDS - started)) s"
  prepare_cmp
  prepare_peers
  # CI: Backstage's test command watches for changes without it.
  CI=true listed_checks "scaffolder module: " "$ROOT/templates/scaffolder-actions/test.sh"
  write_race_commit

  node_checks "" "$HARNESS/render-templates.js" --templates "$ROOT/templates" --out "$WORK/rendered" --gitlabfake "$WORK/bin/gitlabfake"
  validate_all_app_yamls

  entries="$(node -e 'for (const m of require(process.argv[1])) console.log([m.template, m.case, m.checks, m.app, m.gitops].join("\t"))' "$WORK/rendered/manifest.json" || true)"
  [ -n "$entries" ] || fail "no rendered app to check (each fixture marks one case with app: true)"
  while IFS=$'\t' read -r template case checks app gitops; do
    [ -n "$template" ] || continue
    "check_app_$checks" "$app" "$template/$case app" "$template-$case"
    check_gitops "$gitops" "$app" "$template/$case gitops" "$template-$case"
  done <<<"$entries"

  echo "took $((SECONDS - started)) s"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

main "$@"
