package backstageconfig

// Tests of what hack/check-backstage-config.sh (Backstage's own config
// check) is given: the Deployment's variables, and a plugin schema for every
// top-level key the production config sets.

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const (
	backstageCheckScript = "../../hack/check-backstage-config.sh"
	backstageCheckDir    = "../../hack/backstage-config/"
)

// TestSampleEnvIsTheDeployments: Backstage's check runs the production
// config with exactly the variables the Deployment sets.
func TestSampleEnvIsTheDeployments(t *testing.T) {
	data, err := os.ReadFile(backstageCheckDir + "sample.env")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || value == "" {
			t.Errorf("sample.env: %q is not NAME=value", line)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	if want := slices.Sorted(slices.Values(ProductionEnv)); !slices.Equal(names, want) {
		t.Errorf("sample.env sets %v\nProductionEnv     %v", names, want)
	}
}

// schemaOf names, for each top-level key of the production config, the
// package whose config schema declares it.
var schemaOf = map[string]string{
	"app":          "@backstage/core-app-api",
	"organization": "@backstage/core-app-api",
	"backend":      "@backstage/backend-defaults",
	"auth":         "@backstage/plugin-auth-backend-module-gitlab-provider",
	"integrations": "@backstage/integration",
	"catalog":      "@backstage/plugin-catalog-backend-module-gitlab",
	"argocd":       "@roadiehq/backstage-plugin-argo-cd-backend",
	"kubernetes":   "@backstage/plugin-kubernetes-backend",
	"proxy":        "@backstage/plugin-proxy-backend",
	"grafana":      "@backstage-community/plugin-grafana",
	"idp":          "@vibe-coder-biz/plugin-scaffolder-backend-module-idp",
}

// TestConfigCheckHasEverySchema: every top-level key the production config
// sets is declared by a package the config check installs, directly or as a
// dependency of one (strict mode would refuse it anyway; this names the
// package to add).
func TestConfigCheckHasEverySchema(t *testing.T) {
	var pkg struct {
		Name         string
		ConfigSchema json.RawMessage
	}
	var lock struct {
		Packages map[string]json.RawMessage
	}
	readJSON(t, backstageCheckDir+"package.json", &pkg)
	readJSON(t, backstageCheckDir+"package-lock.json", &lock)
	for key := range loadFile(t, productionFile) {
		name, ok := schemaOf[key]
		switch {
		case !ok:
			t.Errorf("%s: which plugin declares it? Add that package to hack/backstage-config/package.json and to schemaOf", key)
		case name == pkg.Name:
			if len(pkg.ConfigSchema) == 0 {
				t.Errorf("%s: hack/backstage-config/package.json has no configSchema", key)
			}
		case lock.Packages["node_modules/"+name] == nil:
			t.Errorf("%s: %s is not installed by hack/backstage-config/package-lock.json", key, name)
		}
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// TestCheckScriptShape: strict mode, bash -n, and shellcheck when installed.
func TestCheckScriptShape(t *testing.T) {
	src, err := os.ReadFile(backstageCheckScript)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"set -euo pipefail", "config:check", "--strict", "env -i", " passed, ", " failed"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the script does not contain %q", want)
		}
	}
	if out, err := exec.Command("bash", "-n", backstageCheckScript).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Log("shellcheck not installed (apt-get install shellcheck): skipped")
		return
	}
	// From the repository's root, as hack/test.sh runs it: the source=
	// directive names hack/tools/lib.sh from there.
	cmd := exec.Command(shellcheck, "-x", "hack/check-backstage-config.sh")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// TestConfigCheckLockHasTheScaffolderModule: the config check installs the
// platform's scaffolder module by path; the lockfile must record the
// module's dependencies as its package.json has them now, or npm ci
// refuses the lockfile (relock: npm install --package-lock-only in
// hack/backstage-config).
func TestConfigCheckLockHasTheScaffolderModule(t *testing.T) {
	var module struct {
		Name         string
		Dependencies map[string]string
	}
	readJSON(t, "../../templates/scaffolder-actions/package.json", &module)
	var pkg struct{ Dependencies map[string]string }
	readJSON(t, backstageCheckDir+"package.json", &pkg)
	if got, want := pkg.Dependencies[module.Name], "file:../../templates/scaffolder-actions"; got != want {
		t.Fatalf("hack/backstage-config/package.json: %s is %q, want %q", module.Name, got, want)
	}
	var lock struct {
		Packages map[string]struct {
			Resolved     string
			Dependencies map[string]string
		}
	}
	readJSON(t, backstageCheckDir+"package-lock.json", &lock)
	locked := lock.Packages["node_modules/"+module.Name]
	if locked.Resolved != "file:../../templates/scaffolder-actions" {
		t.Errorf("the lockfile resolves %s to %q", module.Name, locked.Resolved)
	}
	if !maps.Equal(locked.Dependencies, module.Dependencies) {
		t.Errorf("the lockfile has %s depend on %v\nits package.json: %v\nrelock: (cd hack/backstage-config && npm install --package-lock-only)", module.Name, locked.Dependencies, module.Dependencies)
	}
}
