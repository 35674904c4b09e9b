// Package backstage holds no code: its tests check that what Backstage's
// plugins look for, per the golden path's catalog-info.yaml, is what the
// platform renders for an app.
package backstage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
)

// catalogAnnotations reads the skeleton's catalog-info.yaml as the
// scaffolder renders it for an app named name.
func catalogAnnotations(t *testing.T, root, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "templates", "nodejs-service", "skeleton", "catalog-info.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("${{ values.name }}", name, "${{ values.description | dump }}", `"d"`).Replace(string(data))
	var entity struct {
		Metadata struct{ Annotations map[string]string }
	}
	if err := yaml.Unmarshal([]byte(text), &entity); err != nil {
		t.Fatal(err)
	}
	return entity.Metadata.Annotations
}

func renderHelloWorld(t *testing.T, root string) []*unstructured.Unstructured {
	t.Helper()
	return manifesttest.RenderApp(t, filepath.Join(root, "cmp", "render", "testdata", "hello-world", "app.yaml"))
}

// TestAlertLabelSelectorMatchesTheSLOAlerts: the alerts card (unified
// alerting) lists the rules whose labels hold label=value for one of the
// annotation's comma-separated selectors; every SLO alert the renderer
// makes for the app must be among them.
func TestAlertLabelSelectorMatchesTheSLOAlerts(t *testing.T) {
	root := kubetest.RepoRoot(t)
	const name = "hello-world"
	selector := catalogAnnotations(t, root, name)["grafana/alert-label-selector"]
	if selector == "" {
		t.Fatal("catalog-info.yaml has no grafana/alert-label-selector: the alerts card shows nothing")
	}
	alerts := 0
	for _, o := range renderHelloWorld(t, root) {
		if o.GetKind() != "PrometheusRule" {
			continue
		}
		groups, _, _ := unstructured.NestedSlice(o.Object, "spec", "groups")
		for _, g := range groups {
			rules, _, _ := unstructured.NestedSlice(g.(map[string]any), "rules")
			for _, r := range rules {
				rule := r.(map[string]any)
				if rule["alert"] == nil {
					continue
				}
				alerts++
				labels, _, _ := unstructured.NestedStringMap(rule, "labels")
				if !slices.ContainsFunc(strings.Split(selector, ","), func(s string) bool {
					label, value, _ := strings.Cut(strings.TrimSpace(s), "=")
					return labels[label] == value
				}) {
					t.Errorf("alert %v (labels %v) is not matched by %q", rule["alert"], labels, selector)
				}
			}
		}
	}
	if alerts == 0 {
		t.Fatal("the renderer made no SLO alert for hello-world")
	}
}

// TestDashboardSelectorMatchesTheDashboard: the dashboards card's selector
// "tags @> '<name>'" finds the app's rendered dashboard.
func TestDashboardSelectorMatchesTheDashboard(t *testing.T) {
	root := kubetest.RepoRoot(t)
	const name = "hello-world"
	if got, want := catalogAnnotations(t, root, name)["grafana/dashboard-selector"], "tags @> '"+name+"'"; got != want {
		t.Fatalf("grafana/dashboard-selector %q, want %q", got, want)
	}
	for _, o := range renderHelloWorld(t, root) {
		if o.GetKind() != "GrafanaDashboard" {
			continue
		}
		model, _, _ := unstructured.NestedString(o.Object, "spec", "json")
		var d struct{ Tags []string }
		if err := json.Unmarshal([]byte(model), &d); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(d.Tags, name) {
			t.Errorf("the dashboard's tags %v do not hold %q", d.Tags, name)
		}
		return
	}
	t.Fatal("the renderer made no GrafanaDashboard for hello-world")
}
