package manifests

// Tests of the platform's Grafana (manifests/platform/grafana-cloud.yaml)
// and the Grafana Operator's install (manifests/platform/grafana-operator).
// Identifiers start with "platform", as in platform_test.go.

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
)

// platformGrafanaOperatorVersion is the operator release the install pins.
const platformGrafanaOperatorVersion = "v5.24.0"

// TestPlatformGrafanaTakesEveryDashboard: the platform has one Grafana, the
// external Grafana Cloud stack, and every app's GrafanaDashboard selects
// it; its API token comes from an ExternalSecret of the platform's store in
// its own namespace.
func TestPlatformGrafanaTakesEveryDashboard(t *testing.T) {
	objs := platformBuild(t, "platform")
	var grafanas []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "Grafana" {
			grafanas = append(grafanas, o)
		}
	}
	if len(grafanas) != 1 {
		t.Fatalf("%d Grafana resources, want the one Grafana Cloud stack", len(grafanas))
	}
	g := grafanas[0]
	sel := labels.SelectorFromSet(render.GrafanaInstanceLabels)
	if !sel.Matches(labels.Set(g.GetLabels())) {
		t.Errorf("Grafana %s has labels %v; the dashboards select %v", g.GetName(), g.GetLabels(), sel)
	}
	if g.GetNamespace() != "monitoring" {
		t.Errorf("Grafana in %q, want monitoring", g.GetNamespace())
	}
	raw, _, _ := unstructured.NestedString(g.Object, "spec", "external", "url")
	if u, err := url.Parse(raw); err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Host, ".grafana.net") {
		t.Errorf("spec.external.url %q, want https://<stack>.grafana.net (platform-settings GRAFANA_CLOUD_URL)", raw)
	}
	if spec, _, _ := unstructured.NestedMap(g.Object, "spec"); len(spec) != 1 {
		t.Errorf("spec %v: an external Grafana needs spec.external only", spec)
	}
	secret, _, _ := unstructured.NestedString(g.Object, "spec", "external", "apiKey", "name")
	key, _, _ := unstructured.NestedString(g.Object, "spec", "external", "apiKey", "key")
	var es *unstructured.Unstructured
	for _, o := range objs {
		if target, _, _ := unstructured.NestedString(o.Object, "spec", "target", "name"); o.GetKind() == "ExternalSecret" && target == secret && o.GetNamespace() == g.GetNamespace() {
			es = o
		}
	}
	if es == nil || key == "" {
		t.Fatalf("no ExternalSecret in %s writes Secret %q (key %q) for the Grafana's API token", g.GetNamespace(), secret, key)
	}
	keys, err := platformExtractKeys(es)
	if err != nil || len(keys) != 1 || keys[0] != "idp/observability/grafana-cloud-operator" {
		t.Errorf("ExternalSecret %s extracts %v (%v), want idp/observability/grafana-cloud-operator", es.GetName(), keys, err)
	}

	// The same selector as a rendered dashboard's, from the render itself.
	objs = renderApp(t, filepath.Join(kubetest.RepoRoot(t), "cmp", "render", "testdata", "hello-world", "app.yaml"))
	d := findIn(t, objs, "GrafanaDashboard", "hello-world")
	match, _, _ := unstructured.NestedStringMap(d.Object, "spec", "instanceSelector", "matchLabels")
	cross, _, _ := unstructured.NestedBool(d.Object, "spec", "allowCrossNamespaceImport")
	if !labels.SelectorFromSet(match).Matches(labels.Set(g.GetLabels())) || !cross {
		t.Errorf("a rendered GrafanaDashboard (%v, cross-namespace %v) does not take this Grafana", match, cross)
	}
}

// TestPlatformGrafanaOperatorInstall: the operator's install is its own
// release, pinned by tag, cluster scoped, in monitoring, without a
// Namespace of its own; it is kept out of the offline platform base.
func TestPlatformGrafanaOperatorInstall(t *testing.T) {
	root := kubetest.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "manifests", "platform", "grafana-operator", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
		Images     []struct {
			Name, NewTag string
		} `json:"images"`
		Patches []struct {
			Target struct{ Kind string } `json:"target"`
			Patch  string                `json:"patch"`
		} `json:"patches"`
	}
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatal(err)
	}
	want := "https://github.com/grafana/grafana-operator//deploy/kustomize/overlays/cluster_scoped?ref=" + platformGrafanaOperatorVersion
	if len(k.Resources) != 1 || k.Resources[0] != want {
		t.Errorf("resources %v, want the release's cluster-scoped overlay %s", k.Resources, want)
	}
	if k.Namespace != "monitoring" {
		t.Errorf("namespace %q, want monitoring", k.Namespace)
	}
	if len(k.Images) != 1 || k.Images[0].Name != "ghcr.io/grafana/grafana-operator" || k.Images[0].NewTag != platformGrafanaOperatorVersion {
		t.Errorf("images %+v, want the operator at %s", k.Images, platformGrafanaOperatorVersion)
	}
	if len(k.Patches) != 1 || k.Patches[0].Target.Kind != "Namespace" || !strings.Contains(k.Patches[0].Patch, "$patch: delete") {
		t.Errorf("patches %+v, want the upstream Namespace deleted", k.Patches)
	}
	platformGrafanaOperatorTransforms(t, data, want)
	// The CRDs the tests install come from the same release's Go module.
	crds, err := os.ReadFile(filepath.Join(root, "hack", "tools", "crds.sh"))
	if err != nil || !strings.Contains(string(crds), "GRAFANA_OPERATOR_VERSION:-"+platformGrafanaOperatorVersion+"}") {
		t.Errorf("hack/tools/crds.sh does not take the CRDs of %s: %v", platformGrafanaOperatorVersion, err)
	}
	// The platform base builds offline: the remote base is not in it.
	for _, o := range manifesttest.Build(t, filepath.Join(root, "manifests", "platform")) {
		if o.GetKind() == "Deployment" || o.GetKind() == "CustomResourceDefinition" {
			t.Errorf("manifests/platform builds %s %s", o.GetKind(), o.GetName())
		}
	}
}

// platformGrafanaOperatorUpstream stands in for the release's overlay
// offline, with the shapes of its objects that the kustomization changes:
// its Namespace, the operator's account, Deployment and ClusterRoleBinding.
const platformGrafanaOperatorUpstream = `apiVersion: v1
kind: Namespace
metadata:
  name: grafana
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: grafana-operator-controller-manager
  namespace: grafana
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: grafana-operator-controller-manager
  namespace: grafana
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: grafana-operator}
  template:
    metadata:
      labels: {app.kubernetes.io/name: grafana-operator}
    spec:
      serviceAccountName: grafana-operator-controller-manager
      containers:
        - name: manager
          image: ghcr.io/grafana/grafana-operator:v5.0.0
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: grafana-operator-permissions
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: grafana-operator-permissions}
subjects:
  - kind: ServiceAccount
    name: grafana-operator-controller-manager
    namespace: grafana
`

// platformGrafanaOperatorTransforms builds the kustomization on the
// stand-in: no Namespace is left, the operator runs in monitoring at the
// pinned release, and its binding names its account there.
func platformGrafanaOperatorTransforms(t *testing.T, kustomization []byte, remote string) {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"upstream", "install"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "upstream", "kustomization.yaml"), "resources: [all.yaml]\n")
	writeFile(t, filepath.Join(dir, "upstream", "all.yaml"), platformGrafanaOperatorUpstream)
	writeFile(t, filepath.Join(dir, "install", "kustomization.yaml"), strings.Replace(string(kustomization), remote, "../upstream", 1))
	for _, o := range manifesttest.Build(t, filepath.Join(dir, "install")) {
		switch o.GetKind() {
		case "Namespace":
			t.Errorf("the install brings Namespace %s", o.GetName())
		case "Deployment":
			cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			image, _, _ := unstructured.NestedString(cs[0].(map[string]any), "image")
			if o.GetNamespace() != "monitoring" || image != "ghcr.io/grafana/grafana-operator:"+platformGrafanaOperatorVersion {
				t.Errorf("operator %s/%s runs %s", o.GetNamespace(), o.GetName(), image)
			}
		case "ClusterRoleBinding":
			subjects, _, _ := unstructured.NestedSlice(o.Object, "subjects")
			if ns, _, _ := unstructured.NestedString(subjects[0].(map[string]any), "namespace"); ns != "monitoring" {
				t.Errorf("ClusterRoleBinding %s binds an account in %q", o.GetName(), ns)
			}
		}
	}
}
