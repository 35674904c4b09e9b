package grafana_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// platformGrafana is the Grafana of manifests/platform/grafana-cloud.yaml
// with only its URL changed, to the stand-in's.
func platformGrafana(t *testing.T, url string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(kubetest.RepoRoot(t), "manifests", "platform", "grafana-cloud.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kubetest.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.GetKind() == "Grafana" {
			if err := unstructured.SetNestedField(o.Object, url, "spec", "external", "url"); err != nil {
				t.Fatal(err)
			}
			return o
		}
	}
	t.Fatal("manifests/platform/grafana-cloud.yaml holds no Grafana")
	return nil
}

// renderedDashboard is the app's GrafanaDashboard from cmp/render, as the
// API server receives it.
func renderedDashboard(t *testing.T, app *appspec.App) *unstructured.Unstructured {
	t.Helper()
	for _, o := range render.App(app, appspec.DefaultPlatform()) {
		if d, ok := o.(*render.GrafanaDashboard); ok {
			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
			if err != nil {
				t.Fatal(err)
			}
			return &unstructured.Unstructured{Object: m}
		}
	}
	t.Fatalf("%s renders no GrafanaDashboard", app.Metadata.Name)
	return nil
}

// apply server-side applies obj with strict field validation.
func apply(t *testing.T, kube *kubetest.Server, obj *unstructured.Unstructured) {
	t.Helper()
	if err := kube.Apply(context.Background(), obj, false); err != nil {
		t.Fatalf("apply %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
}

// create applies a typed built-in object.
func create(t *testing.T, kube *kubetest.Server, obj runtime.Object) {
	t.Helper()
	gvks, _, err := scheme.Scheme.ObjectKinds(obj)
	if err != nil {
		t.Fatal(err)
	}
	obj.GetObjectKind().SetGroupVersionKind(gvks[0])
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	apply(t, kube, u)
}
