package backstageconfig

// Tests of hack/deploy-backstage.sh, the script that deploys this config:
// it runs with stub git, aws, docker, kubectl and kustomize commands on
// PATH that record their calls, never the network. With a real kustomize
// (IDP_KUSTOMIZE, or hack/test-platform.sh builds one) the happy path also
// builds what the script applies.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

const (
	deployScript = "../../hack/deploy-backstage.sh"
	stubSHA      = "3f2a1bc0d4e5f60718293a4b5c6d7e8f90a1b2c3"
	appRepo      = "https://gitlab.example.com/platform/backstage-app.git"
)

// deployEnv is a complete, valid environment.
func deployEnv() map[string]string {
	return map[string]string{
		"AWS_ACCOUNT_ID":      "210987654321",
		"AWS_REGION":          "eu-west-1",
		"ECR_REGISTRY":        "210987654321.dkr.ecr.eu-west-1.amazonaws.com",
		"ACM_CERTIFICATE_ARN": "arn:aws:acm:eu-west-1:210987654321:certificate/1a2b3c4d-0000-4000-8000-123456789abc",
		"BASE_DOMAIN":         "apps.example.org",
		"GITLAB_HOST":         "gitlab.example.org",
		"ARGOCD_URL":          "https://argocd.example.org",
		"POSTGRES_HOST":       "backstage.cluster-x.eu-west-1.rds.amazonaws.com",
		"GRAFANA_URL":         "https://vibecoder.grafana.net",
	}
}

var requiredDeployEnv = []string{"AWS_ACCOUNT_ID", "AWS_REGION", "ECR_REGISTRY", "ACM_CERTIFICATE_ARN", "BASE_DOMAIN", "GITLAB_HOST", "ARGOCD_URL", "POSTGRES_HOST", "GRAFANA_URL"}

// Stubs: each appends "<name> <args>" to $STUB_LOG, then behaves as told by
// STUB_* variables.
var stubs = map[string]string{
	"git": `
case $1 in
  ls-remote)
    if [[ -n ${STUB_LS_REMOTE_EXIT:-} ]]; then echo "fatal: could not read from remote repository" >&2; exit "$STUB_LS_REMOTE_EXIT"; fi ;;
  clone)
    if [[ -n ${STUB_CLONE_FAIL:-} ]]; then echo "fatal: destination path exists or repository not found" >&2; exit 128; fi
    dir=${*: -1}
    mkdir -p "$dir" && touch "$dir/Dockerfile" ;;
  -C)
    [[ $3 == rev-parse ]] && echo "$STUB_SHA" ;;
esac`,
	"aws": `
case "$1 $2" in
  "ecr get-login-password") echo stub-ecr-password ;;
  "ecr describe-images")
    if [[ -z ${STUB_IMAGE_EXISTS:-} ]]; then echo "ImageNotFoundException" >&2; exit 254; fi ;;
esac`,
	"docker": `
if [[ $1 == login ]]; then
  read -r password
  echo "docker login-password $password" >>"$STUB_LOG"
fi`,
	"kubectl": `
[[ $1 == --context ]] && shift 2
case $1 in
  get) printf '%s' "${STUB_NAMESPACE_ROLE-platform}" ;;
  apply)
    if [[ -n ${REAL_KUSTOMIZE:-} ]]; then "$REAL_KUSTOMIZE" build "$3" >"$STUB_DIR/applied.yaml" || exit 1; fi ;;
  -n)
    case $3 in
      wait) exit "${STUB_WAIT_EXIT:-0}" ;;
      rollout) exit "${STUB_ROLLOUT_EXIT:-0}" ;;
    esac ;;
esac`,
	"kustomize": `
if [[ -n ${REAL_KUSTOMIZE:-} ]]; then exec "$REAL_KUSTOMIZE" "$@"; fi`,
}

type deployRun struct {
	code           int
	stdout, stderr string
	calls          []string
	dir            string // the stub directory (applied.yaml)
	tmp            string // TMPDIR the script ran with
}

// runDeploy runs the script with the stubs named in tools (all when nil).
func runDeploy(t *testing.T, args []string, env map[string]string, tools []string) deployRun {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{bin, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if tools == nil {
		tools = []string{"git", "aws", "docker", "kubectl", "kustomize"}
	}
	for _, name := range tools {
		body := "#!/bin/bash\nprintf '%s\\n' \"" + name + " $*\" >>\"$STUB_LOG\"\n" + strings.TrimSpace(stubs[name]) + "\nexit 0\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The few system commands the script needs, and nothing else: no real
	// git, aws, docker or kubectl can be reached.
	for _, name := range []string{"dirname", "mktemp", "cp", "rm", "cat", "mkdir", "touch"} {
		path, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(path, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	logFile := filepath.Join(dir, "calls.log")
	cmd := exec.Command("/bin/bash", append([]string{deployScript}, args...)...)
	cmd.Env = []string{"PATH=" + bin, "HOME=" + dir, "TMPDIR=" + tmp, "STUB_LOG=" + logFile, "STUB_DIR=" + dir, "STUB_SHA=" + stubSHA}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(logFile)
	var calls []string
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if l != "" {
			calls = append(calls, l)
		}
	}
	return deployRun{code: code, stdout: stdout.String(), stderr: stderr.String(), calls: calls, dir: dir, tmp: tmp}
}

func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func without(env map[string]string, keys ...string) map[string]string {
	out := with(env)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// TestDeployRefusesBeforeDoingAnything: bad arguments, missing or invalid
// variables and missing tools fail with a message naming every culprit at
// once, and no command has run.
func TestDeployRefusesBeforeDoingAnything(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		tools []string
		code  int
		want  []string
	}{
		{"no arguments", nil, deployEnv(), nil, 2, []string{"--app-repo URL is required", "usage: hack/deploy-backstage.sh"}},
		{"--app-repo without a value", []string{"--app-repo"}, deployEnv(), nil, 2, []string{"--app-repo needs a value"}},
		{"--app-repo followed by a flag", []string{"--app-repo", "--app-branch", "main"}, deployEnv(), nil, 2, []string{"--app-repo needs a value"}},
		{"--app-branch without a value", []string{"--app-repo", appRepo, "--app-branch"}, deployEnv(), nil, 2, []string{"--app-branch needs a value"}},
		{"empty --app-branch=", []string{"--app-repo=" + appRepo, "--app-branch="}, deployEnv(), nil, 2, []string{"--app-branch needs a value"}},
		{"unknown argument", []string{"--app-repo", appRepo, "--force"}, deployEnv(), nil, 2, []string{"unknown argument: --force"}},
		{"no variables", []string{"--app-repo", appRepo}, nil, nil, 1,
			[]string{"missing required environment variables: " + strings.Join(requiredDeployEnv, " ")}},
		{"two variables missing", []string{"--app-repo", appRepo}, without(deployEnv(), "ACM_CERTIFICATE_ARN", "POSTGRES_HOST"), nil, 1,
			[]string{"missing required environment variables: ACM_CERTIFICATE_ARN POSTGRES_HOST ("}},
		{"empty variable", []string{"--app-repo", appRepo}, with(deployEnv(), "ACM_CERTIFICATE_ARN", ""), nil, 1,
			[]string{"missing required environment variables: ACM_CERTIFICATE_ARN ("}},
		{"invalid variables", []string{"--app-repo", appRepo}, with(deployEnv(),
			"ECR_REGISTRY", "123456789012.dkr.ecr.us-east-2.amazonaws.com",
			"ACM_CERTIFICATE_ARN", "arn:aws:acm:us-east-1:210987654321:certificate/1a2b",
			"ARGOCD_URL", "http://argocd.example.org",
			"GRAFANA_URL", "vibecoder.grafana.net/"), nil, 1,
			[]string{"ECR_REGISTRY=123456789012.dkr.ecr.us-east-2.amazonaws.com is not 210987654321.dkr.ecr.eu-west-1.amazonaws.com",
				"ACM_CERTIFICATE_ARN=arn:aws:acm:us-east-1:210987654321:certificate/1a2b is not an ACM certificate of account 210987654321 in eu-west-1",
				"ARGOCD_URL=http://argocd.example.org must start with https://",
				"GRAFANA_URL=vibecoder.grafana.net/ must be https://<host> with no path"}},
		{"missing tools", []string{"--app-repo", appRepo}, deployEnv(), []string{"git", "aws", "kubectl"}, 1,
			[]string{"missing tools on PATH: docker kustomize"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runDeploy(t, c.args, c.env, c.tools)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, c.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if len(r.calls) > 0 {
				t.Errorf("commands ran before the refusal: %q", r.calls)
			}
		})
	}
}

// TestDeployStopsAtTheFirstFailure: each failure names its cause and
// nothing after it runs (no build when the branch is missing, no apply
// when the platform is missing, …).
func TestDeployStopsAtTheFirstFailure(t *testing.T) {
	args := []string{"--app-repo", appRepo, "--app-branch", "feature/x"}
	cases := []struct {
		name     string
		env      map[string]string
		want     string
		lastCall string // prefix of the last command that ran
	}{
		{"missing branch", with(deployEnv(), "STUB_LS_REMOTE_EXIT", "2"),
			"branch 'feature/x' does not exist in " + appRepo, "git ls-remote --exit-code --heads " + appRepo + " refs/heads/feature/x"},
		{"unreachable repository", with(deployEnv(), "STUB_LS_REMOTE_EXIT", "128"),
			"cannot read " + appRepo + " (git ls-remote exit 128): fatal: could not read from remote repository", "git ls-remote"},
		{"clone failure", with(deployEnv(), "STUB_CLONE_FAIL", "1"),
			"clone of " + appRepo + " (branch feature/x) failed: fatal: destination path exists or repository not found", "git clone"},
		{"platform not applied", with(deployEnv(), "STUB_NAMESPACE_ROLE", ""),
			"namespace backstage is not labelled idp-role=platform: apply manifests/platform first", "kubectl get namespace backstage"},
		{"secret not synced", with(deployEnv(), "STUB_WAIT_EXIT", "1"),
			"ExternalSecret backstage/backstage-secrets is not Ready: is idp/platform/backstage set in Secrets Manager?", "kubectl -n backstage wait externalsecret/backstage-secrets"},
		{"rollout timeout", with(deployEnv(), "STUB_ROLLOUT_EXIT", "1", "ROLLOUT_TIMEOUT", "90s"),
			"did not finish within 90s", "kubectl -n backstage rollout status deployment/backstage --timeout 90s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runDeploy(t, args, c.env, nil)
			if r.code != 1 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, c.want)
			}
			if len(r.calls) == 0 || !strings.HasPrefix(r.calls[len(r.calls)-1], c.lastCall) {
				t.Fatalf("last call %q, want one starting %q\ncalls: %q", last(r.calls), c.lastCall, r.calls)
			}
			assertTmpClean(t, r)
		})
	}
}

// TestDeployHappyPath: the commands run in order with the right arguments:
// the branch is checked and cloned, Docker logs in to ECR with the password
// on stdin, buildx builds linux/amd64 without cache and pushes the image
// tagged with the commit SHA, kustomize sets that image in a copy (the
// repository's manifests stay untouched), kubectl applies the copy and
// waits. With a real kustomize, what is applied carries the image and the
// settings.
func TestDeployHappyPath(t *testing.T) {
	env := deployEnv()
	real := realKustomize()
	if real != "" {
		env["REAL_KUSTOMIZE"] = real
	}
	kustomization := filepath.Join("..", "..", "manifests", "backstage", "kustomization.yaml")
	before, err := os.ReadFile(kustomization)
	if err != nil {
		t.Fatal(err)
	}
	r := runDeploy(t, []string{"--app-repo", appRepo}, env, nil)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s\ncalls: %q", r.code, r.stderr, r.calls)
	}
	image := env["ECR_REGISTRY"] + "/backstage:" + stubSHA
	want := []string{
		"git ls-remote --exit-code --heads " + appRepo + " refs/heads/main",
		"git clone --quiet --depth 1 --single-branch --branch main " + appRepo + " ",
		"git -C ",
		"kubectl get namespace backstage -o jsonpath={.metadata.labels.idp-role}",
		"aws ecr get-login-password --region eu-west-1",
		"docker login --username AWS --password-stdin " + env["ECR_REGISTRY"],
		"docker login-password stub-ecr-password",
		"aws ecr describe-images --region eu-west-1 --repository-name backstage --image-ids imageTag=" + stubSHA,
		"docker buildx build --platform linux/amd64 --no-cache --pull --file ",
		"kustomize edit set image backstage=" + image,
		"kustomize edit set configmap backstage-settings --namespace backstage --from-literal=BACKSTAGE_HOST=backstage.apps.example.org --from-literal=ACM_CERTIFICATE_ARN=" + env["ACM_CERTIFICATE_ARN"],
		"kubectl apply -k ",
		"kubectl -n backstage wait externalsecret/backstage-secrets --for=condition=Ready --timeout=2m",
		"kubectl -n backstage rollout status deployment/backstage --timeout 10m",
	}
	// aws and docker login run at once, as the two ends of one pipe: their
	// lines may land in either order; the password docker read comes after.
	if len(r.calls) > 5 {
		slices.Sort(r.calls[4:6])
	}
	if len(r.calls) != len(want) {
		t.Fatalf("%d calls, want %d:\n%s", len(r.calls), len(want), strings.Join(r.calls, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(r.calls[i], w) {
			t.Errorf("call %d = %q\nwant prefix  %q", i, r.calls[i], w)
		}
	}
	build := r.calls[8]
	if !strings.Contains(build, " --tag "+image+" --push ") {
		t.Errorf("build does not tag and push %s: %q", image, build)
	}
	if !strings.HasSuffix(r.stdout, "https://backstage.apps.example.org runs "+image+"\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	after, _ := os.ReadFile(kustomization)
	if !bytes.Equal(before, after) {
		t.Error("the script changed manifests/backstage/kustomization.yaml in the repository")
	}
	assertTmpClean(t, r)

	if real == "" {
		t.Log("no kustomize binary (IDP_KUSTOMIZE, or hack/test-platform.sh builds one): the applied manifests were not built")
		return
	}
	data, err := os.ReadFile(filepath.Join(r.dir, "applied.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kubetest.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	checks := 0
	for _, o := range objs {
		switch o.GetKind() {
		case "Deployment":
			var d appsv1.Deployment
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &d); err != nil {
				t.Fatal(err)
			}
			if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
				t.Errorf("applied image %s, want %s", got, image)
			}
			checks++
		case "Ingress":
			rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
			if host := rules[0].(map[string]any)["host"]; host != "backstage.apps.example.org" {
				t.Errorf("applied host %v", host)
			}
			if arn := o.GetAnnotations()["alb.ingress.kubernetes.io/certificate-arn"]; arn != env["ACM_CERTIFICATE_ARN"] {
				t.Errorf("applied certificate %s", arn)
			}
			checks++
		case "ConfigMap":
			if !strings.HasPrefix(o.GetName(), "backstage-settings-") {
				continue
			}
			data, _, _ := unstructured.NestedStringMap(o.Object, "data")
			for _, k := range []string{"AWS_ACCOUNT_ID", "AWS_REGION"} {
				if _, ok := data[k]; ok {
					t.Errorf("applied setting %s, which nothing in Backstage reads", k)
				}
			}
			for k, v := range map[string]string{"GITLAB_HOST": "gitlab.example.org", "ARGOCD_URL": "https://argocd.example.org", "BASE_DOMAIN": "apps.example.org", "GITLAB_GITOPS_GROUP": "gitops", "ECR_REGISTRY": env["ECR_REGISTRY"], "POSTGRES_HOST": env["POSTGRES_HOST"], "POSTGRES_PORT": "5432", "GRAFANA_URL": "https://vibecoder.grafana.net"} {
				if data[k] != v {
					t.Errorf("applied setting %s = %q, want %q", k, data[k], v)
				}
			}
			checks++
		}
	}
	if checks != 3 {
		t.Fatalf("found %d of the 3 objects to check among %d applied", checks, len(objs))
	}
}

// TestDeployReusesAnImageAlreadyInECR: ECR tags are immutable, so a re-run
// for the same commit skips the build and still applies.
func TestDeployReusesAnImageAlreadyInECR(t *testing.T) {
	r := runDeploy(t, []string{"--app-repo", appRepo}, with(deployEnv(), "STUB_IMAGE_EXISTS", "1"), nil)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, c := range r.calls {
		if strings.HasPrefix(c, "docker buildx") {
			t.Fatalf("built although ECR holds the tag: %q", r.calls)
		}
	}
	if !slices.ContainsFunc(r.calls, func(c string) bool { return strings.HasPrefix(c, "kubectl apply -k ") }) {
		t.Fatalf("not applied: %q", r.calls)
	}
	if !strings.Contains(r.stderr, "already in ECR (tags are immutable): not rebuilding") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestDeployScriptShape: bash -n, shellcheck (when installed), no heredoc
// or here-string, strict mode, and the options the issue asks for.
func TestDeployScriptShape(t *testing.T) {
	src, err := os.ReadFile(deployScript)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "<<") {
			t.Errorf("line %d uses heredoc or here-string syntax: %s", i+1, line)
		}
	}
	for _, want := range []string{"set -euo pipefail", "--platform linux/amd64 --no-cache --pull", "git ls-remote --exit-code", "--password-stdin", "kustomize edit set image", "rollout status"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the script does not contain %q", want)
		}
	}
	if strings.Contains(string(src), "sed ") {
		t.Error("the script edits with sed; manifests change through kustomize edit only")
	}
	if out, err := exec.Command("bash", "-n", deployScript).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Log("shellcheck not installed (apt-get install shellcheck): skipped")
		return
	}
	if out, err := exec.Command(shellcheck, deployScript).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// realKustomize finds a kustomize binary for the happy path's build:
// $IDP_KUSTOMIZE, kustomize on PATH, or the one hack/test-platform.sh
// caches.
func realKustomize() string {
	if p := os.Getenv("IDP_KUSTOMIZE"); p != "" {
		return p
	}
	if p, err := exec.LookPath("kustomize"); err == nil {
		return p
	}
	cache := os.Getenv("IDP_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "idp")
	}
	if p := filepath.Join(cache, "kustomize-v5.8.1", "kustomize"); isExecutable(p) {
		return p
	}
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func assertTmpClean(t *testing.T, r deployRun) {
	t.Helper()
	entries, err := os.ReadDir(r.tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("the script left %d entries in TMPDIR", len(entries))
	}
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}
