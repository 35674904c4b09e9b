package render_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// TestAPIServerAcceptsEveryRender applies every golden render to a real
// kube-apiserver with the Argo CD, External Secrets, Prometheus Operator and
// Grafana Operator CRDs: strict field validation, CRD schemas, and Pod Security "restricted"
// admission of a pod made from each Deployment's template all judge it.
func TestAPIServerAcceptsEveryRender(t *testing.T) {
	srv := kubetest.Start(t)
	srv.InstallCRDs(t, kubetest.CRDDir(t))
	ctx := context.Background()
	if _, err := srv.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "argocd"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			a, p := renderCase(t, dir)
			objs := decode(t, append(a, p...))
			for _, o := range objs {
				if err := srv.Apply(ctx, o, false); err != nil {
					t.Fatalf("%s/%s: %v", o.GetKind(), o.GetName(), err)
				}
			}
			for _, o := range objs {
				if o.GetKind() == "Deployment" {
					if err := admitPod(ctx, srv, o); err != nil {
						t.Fatalf("a pod of this Deployment is not admitted: %v", err)
					}
				}
			}
		})
	}

	// The same checks must be able to fail: each mutation breaks one rule.
	// The full case renders every kind, the ExternalSecret included.
	app := load(t, "testdata/full")
	a, _ := renderBoth(t, app, testPlatform())
	mutations := map[string]struct {
		mutate func(*unstructured.Unstructured)
		kind   string
		want   string
	}{
		"unknown field": {func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, int64(1), "spec", "replica")
		}, "Deployment", "field not declared in schema"},
		"CRD schema": {func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "Sometimes", "spec", "target", "creationPolicy")
		}, "ExternalSecret", "creationPolicy"},
		"added capability": {func(u *unstructured.Unstructured) {
			cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
			_ = unstructured.SetNestedStringSlice(cs[0].(map[string]any), []string{"NET_RAW"}, "securityContext", "capabilities", "add")
			_ = unstructured.SetNestedSlice(u.Object, cs, "spec", "template", "spec", "containers")
		}, "Deployment", "restricted"},
		"misspelled GrafanaDashboard field": {func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "5m", "spec", "resyncPeriodd")
		}, "GrafanaDashboard", "field not declared in schema"},
		"GrafanaDashboard uid over 40 characters": {func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, strings.Repeat("a", 41), "spec", "uid")
		}, "GrafanaDashboard", "spec.uid"},
		"GrafanaDashboard folder title and folderUID": {func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "team-a", "spec", "folderUID")
		}, "GrafanaDashboard", "folder field cannot be set"},
	}
	for name, m := range mutations {
		t.Run("rejects "+name, func(t *testing.T) {
			found := false
			for _, o := range decode(t, a) {
				if o.GetKind() != m.kind {
					continue
				}
				found = true
				m.mutate(o)
				err := srv.Apply(ctx, o, true)
				if err == nil && o.GetKind() == "Deployment" {
					err = admitPod(ctx, srv, o)
				}
				if err == nil || !strings.Contains(err.Error(), m.want) {
					t.Fatalf("err = %v, want one mentioning %q", err, m.want)
				}
			}
			if !found {
				t.Fatalf("the render has no %s to mutate", m.kind)
			}
		})
	}
}

func decode(t testing.TB, data []byte) []*unstructured.Unstructured {
	t.Helper()
	objs, err := kubetest.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// admitPod dry-runs a Pod from the Deployment's template: Pod Security
// admission judges pods, not Deployments.
func admitPod(ctx context.Context, srv *kubetest.Server, deploy *unstructured.Unstructured) error {
	tmpl, _, _ := unstructured.NestedMap(deploy.Object, "spec", "template")
	var pod corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(tmpl, &pod, true); err != nil {
		return err
	}
	pod.Name = deploy.GetName() + "-probe"
	_, err := srv.Client.CoreV1().Pods(deploy.GetNamespace()).Create(ctx, &pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return err
}
