package render

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/appspec"
)

const scrapeInterval = "30s"

// serviceMonitor carries the platform's monitoring labels so that the one
// Prometheus selects it without per-app configuration.
func serviceMonitor(app *appspec.App, p appspec.Platform) *monitoringv1.ServiceMonitor {
	m := meta(app, app.Metadata.Name)
	m.Labels = withLabels(m.Labels, p.MonitoringLabels)
	return &monitoringv1.ServiceMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor"},
		ObjectMeta: m,
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector: metav1.LabelSelector{MatchLabels: selector(app)},
			Endpoints: []monitoringv1.Endpoint{{
				Port:     metricsPortName(app),
				Path:     app.Spec.Metrics.Path,
				Interval: monitoringv1.Duration(scrapeInterval),
			}},
		},
	}
}
