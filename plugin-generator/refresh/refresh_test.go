package refresh_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/plugin-generator/refresh"
)

const ns = "argocd"

func appSet(name string, generators ...map[string]any) *unstructured.Unstructured {
	gens := make([]any, len(generators))
	for i, g := range generators {
		gens[i] = g
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"goTemplate": true,
			"generators": gens,
			"template": map[string]any{
				"metadata": map[string]any{"name": "{{.name}}"},
				"spec": map[string]any{
					"project":     "default",
					"source":      map[string]any{"repoURL": "{{.repoURL}}", "path": ".", "targetRevision": "main"},
					"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "{{.name}}"},
				},
			},
		},
	}}
}

func plugin(cm string) map[string]any {
	return map[string]any{"plugin": map[string]any{"configMapRef": map[string]any{"name": cm}}}
}

// TestRefreshOnRealAPIServer: with only the Role the manifests grant, the
// refresher annotates exactly the ApplicationSets that use this generator
// (directly or inside a matrix) and the app's Application.
func TestRefreshOnRealAPIServer(t *testing.T) {
	srv := kubetest.Start(t)
	srv.InstallCRDs(t, kubetest.CRDDir(t))
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := srv.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(err)
	for _, as := range []*unstructured.Unstructured{
		appSet("ours", plugin("idp-apps-generator")),
		appSet("nested", map[string]any{"matrix": map[string]any{"generators": []any{plugin("idp-apps-generator"), map[string]any{"list": map[string]any{"elements": []any{}}}}}}),
		appSet("theirs", plugin("someone-else")),
		appSet("lists", map[string]any{"list": map[string]any{"elements": []any{}}}),
	} {
		must(srv.Apply(ctx, as, false))
	}
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": "hello-world", "namespace": ns},
		"spec": map[string]any{
			"project":     "default",
			"source":      map[string]any{"repoURL": "https://git.example.com/x.git", "path": ".", "targetRevision": "main"},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "hello-world"},
		},
	}}
	must(srv.Apply(ctx, app, false))
	bindRole(t, srv)

	r := &refresh.Refresher{Client: dynamic.NewForConfigOrDie(srv.User), Namespace: ns, ConfigMap: "idp-apps-generator"}
	must(r.Refresh(ctx, "hello-world"))
	must(r.Refresh(ctx, "no-such-app")) // a removed app's Application may be gone already

	admin := dynamic.NewForConfigOrDie(srv.Config)
	for name, want := range map[string]bool{"ours": true, "nested": true, "theirs": false, "lists": false} {
		u, err := admin.Resource(gvr("applicationsets")).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		must(err)
		if got := u.GetAnnotations()[refresh.AppSetRefreshAnnotation] == "true"; got != want {
			t.Errorf("ApplicationSet %s refreshed = %v, want %v", name, got, want)
		}
	}
	u, err := admin.Resource(gvr("applications")).Namespace(ns).Get(ctx, "hello-world", metav1.GetOptions{})
	must(err)
	if u.GetAnnotations()[refresh.AppRefreshAnnotation] != "normal" {
		t.Error("Application not refreshed")
	}

	// Without the Role the same call is forbidden: the test user has
	// nothing else.
	other := &refresh.Refresher{Client: dynamic.NewForConfigOrDie(srv.User), Namespace: "default", ConfigMap: "idp-apps-generator"}
	if err := other.Refresh(ctx, ""); err == nil {
		t.Fatal("refresh outside the granted namespace succeeded")
	}
}

// bindRole grants the test user what the generator's Role grants.
func bindRole(t *testing.T, srv *kubetest.Server) {
	ctx := context.Background()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "plugin-generator", Namespace: ns},
		Rules:      refresh.Rules(),
	}
	if _, err := srv.Client.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "plugin-generator", Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "plugin-generator"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: kubetest.TestUser}},
	}
	if _, err := srv.Client.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, r := range refresh.Rules() {
		for _, verb := range r.Verbs {
			srv.WaitAllowed(t, verb, r.APIGroups[0], r.Resources[0], ns, "")
		}
	}
}

func gvr(resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: resource}
}
