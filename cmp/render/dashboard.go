package render

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

// The metric names the golden-path templates export (prom-client).
const (
	metricRequests = "http_requests_total"
	metricDuration = "http_request_duration_seconds"
)

// FolderAnnotation tells Grafana's dashboard sidecar which folder to use.
const FolderAnnotation = "grafana_folder"

type grafanaDashboard struct {
	UID           string         `json:"uid"`
	Title         string         `json:"title"`
	Description   string         `json:"description,omitempty"`
	Tags          []string       `json:"tags"`
	SchemaVersion int            `json:"schemaVersion"`
	Refresh       string         `json:"refresh"`
	Time          map[string]any `json:"time"`
	Templating    map[string]any `json:"templating"`
	Panels        []panel        `json:"panels"`
}

type panel struct {
	ID          int               `json:"id"`
	Type        string            `json:"type"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Datasource  map[string]string `json:"datasource"`
	GridPos     map[string]int    `json:"gridPos"`
	FieldConfig map[string]any    `json:"fieldConfig"`
	Targets     []target          `json:"targets"`
}

type target struct {
	RefID        string `json:"refId"`
	Expr         string `json:"expr"`
	LegendFormat string `json:"legendFormat"`
}

// dashboard is a Grafana dashboard with the RED panels (rate, errors,
// duration) of the app, shipped as a ConfigMap that Grafana's sidecar loads.
func dashboard(app *appspec.App, p appspec.Platform) *corev1.ConfigMap {
	name := app.Metadata.Name
	// The users' requests only: probes and ALB health checks are not.
	sel := fmt.Sprintf(`namespace=%q,route!=%q`, name, app.Spec.Health.Path)
	d := grafanaDashboard{
		UID:           name,
		Title:         name,
		Description:   app.Spec.Description,
		Tags:          []string{"idp", name, app.Spec.Owner},
		SchemaVersion: 39,
		Refresh:       "30s",
		Time:          map[string]any{"from": "now-6h", "to": "now"},
		Templating: map[string]any{"list": []map[string]any{{
			"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source",
		}}},
		Panels: []panel{
			timeseries(1, 0, "Rate", "Requests per second by status", "reqps", target{
				"A", fmt.Sprintf(`sum by (status) (rate(%s{%s}[5m]))`, metricRequests, sel), "{{status}}",
			}),
			timeseries(2, 8, "Errors", "Share of requests answered with a 5xx", "percentunit", target{
				"A", fmt.Sprintf(`sum(rate(%[1]s{%[2]s,status=~"5.."}[5m])) / clamp_min(sum(rate(%[1]s{%[2]s}[5m])), 1e-9)`, metricRequests, sel), "errors",
			}),
			timeseries(3, 16, "Duration", "Request latency quantiles", "s",
				quantile("A", "0.5", "p50", sel), quantile("B", "0.95", "p95", sel), quantile("C", "0.99", "p99", sel)),
		},
	}
	body, _ := json.MarshalIndent(d, "", "  ") // plain structs: cannot fail
	m := meta(app, name+"-dashboard")
	m.Labels = withLabels(m.Labels, p.DashboardLabels)
	m.Annotations = map[string]string{FolderAnnotation: app.Spec.Owner}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: m,
		Data:       map[string]string{name + ".json": string(body)},
	}
}

func timeseries(id, x int, title, desc, unit string, targets ...target) panel {
	return panel{
		ID: id, Type: "timeseries", Title: title, Description: desc,
		Datasource:  map[string]string{"type": "prometheus", "uid": "${datasource}"},
		GridPos:     map[string]int{"h": 8, "w": 8, "x": x, "y": 0},
		FieldConfig: map[string]any{"defaults": map[string]any{"unit": unit}},
		Targets:     targets,
	}
}

func quantile(ref, q, legend, sel string) target {
	return target{
		RefID:        ref,
		Expr:         fmt.Sprintf(`histogram_quantile(%s, sum by (le) (rate(%s_bucket{%s}[5m])))`, q, metricDuration, sel),
		LegendFormat: legend,
	}
}
