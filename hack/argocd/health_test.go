package argocd

import (
	"context"
	"testing"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
)

// TestDashboardHealthDoesNotWaitForGrafanaCloud: an app's dashboard is
// loaded into Grafana Cloud by the Grafana Operator. Argo CD's built-in
// check holds a GrafanaDashboard in Progressing until the operator writes a
// status, so a Grafana Cloud outage (or an operator not yet installed) would
// hold every app's health. With manifests/argocd, Argo CD's own settings
// manager and Lua VM take a dashboard the operator has not reported on as
// Healthy, and one it failed to synchronise as Degraded.
func TestDashboardHealthDoesNotWaitForGrafanaCloud(t *testing.T) {
	cms := installWithComponents(t, "cmp", "argocd")
	secret := &corev1.Secret{}
	secret.Name, secret.Namespace = "argocd-secret", "argocd"
	secret.Labels = map[string]string{"app.kubernetes.io/part-of": "argocd"}
	overrides, err := settings.NewSettingsManager(context.Background(), fake.NewClientset(cms["argocd-cm"], secret), "argocd").GetResourceOverrides()
	if err != nil {
		t.Fatal(err)
	}
	vm := lua.VM{ResourceOverrides: overrides}
	for _, c := range []struct {
		name       string
		conditions []any
		want       health.HealthStatusCode
	}{
		{"not yet reported", nil, health.HealthStatusHealthy},
		{"synchronised", []any{map[string]any{"type": "DashboardSynchronized", "status": "True", "reason": "ApplySuccessful"}}, health.HealthStatusHealthy},
		{"refused by Grafana", []any{map[string]any{"type": "DashboardSynchronized", "status": "False", "reason": "ApplyFailed", "message": "401"}}, health.HealthStatusDegraded},
	} {
		t.Run(c.name, func(t *testing.T) {
			obj := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "grafana.integreatly.org/v1beta1", "kind": "GrafanaDashboard",
				"metadata": map[string]any{"name": "hello-world", "namespace": "hello-world"},
			}}
			if c.conditions != nil {
				obj.Object["status"] = map[string]any{"conditions": c.conditions}
			}
			script, _, err := vm.GetHealthScript(obj)
			if err != nil {
				t.Fatal(err)
			}
			got, err := vm.ExecuteHealthLua(obj, script)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != c.want {
				t.Fatalf("health %s (%s), want %s", got.Status, got.Message, c.want)
			}
		})
	}
}
