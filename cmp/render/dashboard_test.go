package render_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// dashboardTargets maps each panel's title and refId to its PromQL.
func dashboardTargets(t *testing.T, raw string) map[string]string {
	t.Helper()
	var model struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				RefID string `json:"refId"`
				Expr  string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(raw), &model); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range model.Panels {
		for _, q := range p.Targets {
			// Grafana's $__rate_interval is at least four scrape intervals.
			out[p.Title+"/"+q.RefID] = strings.ReplaceAll(q.Expr, "$__rate_interval", "5m")
		}
	}
	return out
}

// TestDashboardQueriesOnPrometheus runs every panel's query on Prometheus'
// own engine (promtool's rule unit tests) over series shaped like the
// templates' metrics: the app's users send 2 req/s that succeed and
// 0.2 req/s that fail, all taking 100-250 ms; probes hit the health path at
// 10 req/s in under 5 ms, and another app's traffic is in the same
// Prometheus. The panels must show the users' requests only, and the SLO
// panels the series the SLO rules record.
func TestDashboardQueriesOnPrometheus(t *testing.T) {
	const dir = "testdata/hello-world"
	app := load(t, dir)
	if app.Spec.Health.Path != "/health" {
		t.Fatalf("health path %q; the series below assume /health", app.Spec.Health.Path)
	}
	q := dashboardTargets(t, dashboardJSON(t, renderedDashboard(t, dir)))
	if len(q) != 11 {
		t.Fatalf("%d queries, want 11: %v", len(q), q)
	}
	ratio := strconv.FormatFloat(0.2/2.2, 'g', -1, 64)
	// histogram_quantile interpolates linearly inside the (0.1, 0.25] bucket;
	// the quantiles are compared in units of 0.1 ms, past float noise.
	quantile := func(q float64) string { return strconv.FormatFloat(math.Round((0.1+(0.25-0.1)*q)*1e4), 'g', -1, 64) }
	type sample struct{ labels, value string }
	want := map[string]sample{
		"Rate/A":             {`{route="/"}`, "2.2"},
		"Errors/A":           {`{route="/"}`, ratio},
		"Duration/A":         {`{}`, quantile(0.5)},
		"Duration/B":         {`{}`, quantile(0.95)},
		"Duration/C":         {`{}`, quantile(0.99)},
		"SLO availability/A": {`slo:sli_error:ratio_rate5m{app="hello-world",slo="availability"}`, ratio},
		"SLO latency/A":      {`slo:sli_error:ratio_rate5m{app="hello-world",slo="latency"}`, "0"},
	}
	var b strings.Builder
	b.WriteString("rule_files: [rules.yaml]\nevaluation_interval: 30s\ntests:\n  - interval: 30s\n    input_series:\n")
	series := func(s, values string) { fmt.Fprintf(&b, "      - series: '%s'\n        values: '%s'\n", s, values) }
	for _, s := range []struct{ ns, route, status, per30s string }{
		{"hello-world", "/", "200", "60"}, {"hello-world", "/", "500", "6"},
		{"hello-world", "/health", "200", "300"}, {"other", "/", "500", "600"},
	} {
		l := fmt.Sprintf(`namespace="%s",route="%s",method="GET",status="%s"`, s.ns, s.route, s.status)
		series("http_requests_total{"+l+"}", "0+"+s.per30s+"x40")
		if s.status == "500" {
			series("http_request_errors_total{"+l+"}", "0+"+s.per30s+"x40")
		}
		for _, le := range []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"} {
			n := s.per30s
			if s.route == "/" && (le == "0.005" || le == "0.01" || le == "0.025" || le == "0.05" || le == "0.1") {
				n = "0" // the users' requests take over 100 ms
			}
			series(fmt.Sprintf(`http_request_duration_seconds_bucket{%s,le="%s"}`, l, le), "0+"+n+"x40")
		}
		series("http_request_duration_seconds_count{"+l+"}", "0+"+s.per30s+"x40")
	}
	b.WriteString("    promql_expr_test:\n")
	for _, key := range slices.Sorted(maps.Keys(want)) {
		expr, ok := q[key]
		if !ok {
			t.Fatalf("no query %s among %v", key, slices.Sorted(maps.Keys(q)))
		}
		if strings.HasPrefix(key, "Duration/") {
			expr = "round(1e4 * " + expr + ")"
		}
		fmt.Fprintf(&b, "      - expr: %s\n        eval_time: 15m\n        exp_samples:\n          - labels: '%s'\n            value: %s\n", strconv.Quote(expr), want[key].labels, want[key].value)
	}
	tmp := t.TempDir()
	if err := os.Symlink(rulesFile(t, dir), filepath.Join(tmp, "rules.yaml")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tmp, "dashboard.test.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, "test", "rules", path)

	// The other windows parse, as Prometheus' rule checker reads them.
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for _, key := range slices.Sorted(maps.Keys(q)) {
		fmt.Fprintf(&rules, "      - record: dashboard:query\n        expr: %s\n", strconv.Quote(q[key]))
	}
	check := filepath.Join(tmp, "queries.yaml")
	if err := os.WriteFile(check, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, "check", "rules", check)
}
