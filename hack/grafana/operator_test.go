// Package grafana runs the real Grafana Operator (the release
// manifests/platform/grafana-operator installs) against a real API server
// and a Grafana HTTP API stand-in, to prove that the platform's Grafana
// (manifests/platform/grafana-cloud.yaml) and the GrafanaDashboard that
// cmp/render renders for an app load the app's dashboard into the team's
// folder.
package grafana_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/hack/grafana/grafanafake"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// token is the service account token the platform's Secret holds.
const token = "glsa_operator_test_token_0123456789abcdef"

var dashboardGVK = schema.GroupVersionKind{Group: "grafana.integreatly.org", Version: "v1beta1", Kind: "GrafanaDashboard"}

// TestOperatorLoadsTheRenderedDashboard: the operator, given the shipped
// Grafana (its URL pointed at the stand-in) and an app's rendered
// GrafanaDashboard, saves the dashboard with the rendered uid and JSON in a
// folder titled after the owning team, and reports it synchronized.
func TestOperatorLoadsTheRenderedDashboard(t *testing.T) {
	kube := kubetest.Start(t)
	bin := operatorBinary(t)
	kube.InstallCRDs(t, filepath.Join(filepath.Dir(bin), "crds"))
	grafana := grafanafake.Start(t, token)

	app := sampleApp(t)
	dash := renderedDashboard(t, app)
	ns := dash.GetNamespace()
	for _, name := range []string{"monitoring", ns} {
		create(t, kube, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
	create(t, kube, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "grafana-cloud-operator", Namespace: "monitoring"},
		Data:       map[string][]byte{"token": []byte(token)},
	})
	apply(t, kube, platformGrafana(t, grafana.URL))
	apply(t, kube, dash)
	startOperator(t, bin, kube.Kubeconfig, "monitoring,"+ns)

	uid := render.DashboardUID(app.Metadata.Name)
	saved, folder := waitSaved(t, grafana, uid)
	if folder != app.Spec.Owner {
		t.Errorf("dashboard %s is in folder %q, want the owning team's %q", uid, folder, app.Spec.Owner)
	}
	var want map[string]any
	spec, _, _ := unstructured.NestedString(dash.Object, "spec", "json")
	if err := json.Unmarshal([]byte(spec), &want); err != nil {
		t.Fatal(err)
	}
	got := saved.Model
	for _, added := range []string{"id", "version"} {
		delete(want, added)
		delete(got, added)
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.MarshalIndent(got, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Grafana received a dashboard other than the rendered one:\n got %s\nwant %s", gj, wj)
	}
	waitSynchronized(t, kube, ns, dash.GetName())
}

// sampleApp is the hello-world golden case's app, as cmp loads it.
func sampleApp(t *testing.T) *appspec.App {
	t.Helper()
	file := filepath.Join(kubetest.RepoRoot(t), "cmp", "render", "testdata", "hello-world", "app.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	app, err := appspec.Load(file, data, appspec.DefaultPlatform())
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// waitSaved waits until the stand-in holds the dashboard uid.
func waitSaved(t *testing.T, g *grafanafake.Server, uid string) (grafanafake.Dashboard, string) {
	t.Helper()
	var d grafanafake.Dashboard
	var folder string
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		var ok bool
		d, folder, ok = g.Dashboard(uid)
		return ok, nil
	})
	if err != nil {
		t.Fatalf("Grafana never received dashboard %s: %v", uid, err)
	}
	return d, folder
}

// waitSynchronized waits for the operator's DashboardSynchronized
// condition to be True, as ApplySuccessful.
func waitSynchronized(t *testing.T, kube *kubetest.Server, ns, name string) {
	t.Helper()
	ri, err := kube.Resource(dashboardGVK, ns)
	if err != nil {
		t.Fatal(err)
	}
	var last []any
	err = wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		u, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		last, _, _ = unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range last {
			m, _ := c.(map[string]any)
			if m["type"] == "DashboardSynchronized" && m["status"] == "True" && m["reason"] == "ApplySuccessful" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("GrafanaDashboard %s/%s not synchronized: conditions %v", ns, name, last)
	}
}
