package render_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// promtool is Prometheus' own rule checker, built once per machine by
// hack/tools/promtool.sh (IDP_PROMTOOL names it when hack/test.sh runs).
func promtool(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs promtool; run without -short (hack/test.sh builds it once per machine)")
	}
	if p := os.Getenv("IDP_PROMTOOL"); p != "" {
		return p
	}
	out, err := exec.Command(filepath.Join(kubetest.RepoRoot(t), "hack", "tools", "promtool.sh")).Output()
	if err != nil {
		t.Fatalf("hack/tools/promtool.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// rulesFile writes a case's rendered PrometheusRule as a Prometheus rules
// file, as the Prometheus Operator hands it to Prometheus.
func rulesFile(t *testing.T, dir string) string {
	t.Helper()
	var rule *monitoringv1.PrometheusRule
	for _, o := range render.App(load(t, dir), platformOf(t, dir)) {
		if r, ok := o.(*monitoringv1.PrometheusRule); ok {
			rule = r
		}
	}
	if rule == nil {
		t.Skipf("%s has metrics off: no SLO rules", dir)
	}
	data, err := yaml.Marshal(rule.Spec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runPromtool(t *testing.T, args ...string) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(promtool(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
}

// TestSLORulesPassPromtoolCheck: every case's rules are valid for
// Prometheus, as its own checker (with its linting) says.
func TestSLORulesPassPromtoolCheck(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			runPromtool(t, "check", "rules", "--lint=all", "--lint-fatal", rulesFile(t, dir))
		})
	}
}

// TestSLOAlertsFireWhenTheyShould runs promtool's rule unit tests
// (testdata/slo/*.test.yaml) against the rendered rules of hello-world
// (99.5 % available, 95 % under 250 ms): a burst at ten times the error
// budget pages within the six-hour window, a steady burn at twice the
// budget opens a ticket within two days, and a service at its objective
// alerts on nothing.
func TestSLOAlertsFireWhenTheyShould(t *testing.T) {
	rules := rulesFile(t, "testdata/hello-world")
	tests, err := filepath.Glob("testdata/slo/*.test.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule tests: %v", err)
	}
	for _, test := range tests {
		t.Run(filepath.Base(test), func(t *testing.T) {
			data, err := os.ReadFile(test)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.Symlink(rules, filepath.Join(dir, "rules.yaml")); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, filepath.Base(test))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			runPromtool(t, "test", "rules", path)
		})
	}
}
