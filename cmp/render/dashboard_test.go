package render_test

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The platform's Grafana resource carries these labels
// (manifests/platform/grafana-cloud.yaml); every dashboard selects them.
var wantInstanceLabels = map[string]any{
	"app.kubernetes.io/part-of":  "idp",
	"idp.vibe-coder.biz/grafana": "cloud",
}

// renderedDashboard returns the GrafanaDashboard of a case's render, as the
// API server reads it, failing when the render has none or still has the
// sidecar ConfigMap, which no Grafana in the cluster would ever load.
func renderedDashboard(t *testing.T, dir string) *unstructured.Unstructured {
	t.Helper()
	a, _ := renderCase(t, dir)
	var found *unstructured.Unstructured
	for _, o := range decode(t, a) {
		switch o.GetKind() {
		case "ConfigMap":
			t.Errorf("%s: renders ConfigMap %s for a Grafana sidecar that does not exist", dir, o.GetName())
		case "GrafanaDashboard":
			found = o
		}
	}
	if found == nil {
		t.Fatalf("%s: no GrafanaDashboard in the render", dir)
	}
	return found
}

// dashboardCases are the golden cases with metrics on.
func dashboardCases(t *testing.T) []string {
	var out []string
	for _, dir := range cases(t) {
		if *load(t, dir).Spec.Metrics.Enabled {
			out = append(out, dir)
		}
	}
	return out
}

// TestDashboardIsAGrafanaDashboard: each app with metrics gets a Grafana
// Operator GrafanaDashboard that the platform's external Grafana selects,
// in its owner's folder, with a uid Grafana accepts, and the dashboard
// JSON tagged so that the Backstage entity's selector finds it.
func TestDashboardIsAGrafanaDashboard(t *testing.T) {
	for _, dir := range dashboardCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			app := load(t, dir)
			d := renderedDashboard(t, dir)
			if d.GetAPIVersion() != "grafana.integreatly.org/v1beta1" || d.GetNamespace() != app.Metadata.Name {
				t.Errorf("%s %s/%s", d.GetAPIVersion(), d.GetNamespace(), d.GetName())
			}
			sel, _, _ := unstructured.NestedMap(d.Object, "spec", "instanceSelector", "matchLabels")
			if !maps.Equal(sel, wantInstanceLabels) {
				t.Errorf("instanceSelector %v, want %v", sel, wantInstanceLabels)
			}
			// The Grafana resource is in the monitoring namespace.
			if cross, _, _ := unstructured.NestedBool(d.Object, "spec", "allowCrossNamespaceImport"); !cross {
				t.Error("allowCrossNamespaceImport is off: the Grafana in monitoring would not take the dashboard")
			}
			if folder, _, _ := unstructured.NestedString(d.Object, "spec", "folder"); folder != app.Spec.Owner {
				t.Errorf("folder %q, want the owner %q", folder, app.Spec.Owner)
			}
			uid, _, _ := unstructured.NestedString(d.Object, "spec", "uid")
			if uid == "" || len(uid) > 40 || !strings.Contains(uid, app.Metadata.Name) {
				t.Errorf("uid %q: want one from the app name, at most 40 characters", uid)
			}
			if r, _, _ := unstructured.NestedString(d.Object, "spec", "resyncPeriod"); r == "" {
				t.Error("no resyncPeriod")
			}
			raw, _, _ := unstructured.NestedString(d.Object, "spec", "json")
			var model struct {
				UID   string   `json:"uid"`
				Title string   `json:"title"`
				Tags  []string `json:"tags"`
			}
			if err := json.Unmarshal([]byte(raw), &model); err != nil {
				t.Fatalf("spec.json: %v", err)
			}
			if model.UID != uid {
				t.Errorf("the model's uid %q is not spec.uid %q", model.UID, uid)
			}
			// The Backstage entity: grafana/dashboard-selector: "tags @> '<name>'".
			if !slices.Contains(model.Tags, app.Metadata.Name) || !slices.Contains(model.Tags, "team:"+app.Spec.Owner) {
				t.Errorf("tags %v lack the app name or team:%s", model.Tags, app.Spec.Owner)
			}
		})
	}
}
