package argocd

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/argoproj/argo-cd/v3/util/db"
	"github.com/argoproj/argo-cd/v3/util/settings"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
)

// TestGitOpsRepoCredsAsArgoCDReadsThem: the Secret that External Secrets
// makes from manifests/plugin-generator's repo-creds template gives Argo
// CD's own repository lookup the token for every GitOps project URL the
// generator emits, and for no repository outside the GitOps group.
func TestGitOpsRepoCredsAsArgoCDReadsThem(t *testing.T) {
	objs := manifesttest.Build(t, filepath.Join(kubetest.RepoRoot(t), "manifests", "plugin-generator"))
	var es *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "ExternalSecret" && o.GetName() == "idp-gitops-repo-creds" {
			es = o
		}
	}
	if es == nil {
		t.Fatal("manifests/plugin-generator ships no idp-gitops-repo-creds")
	}
	labels, _, _ := unstructured.NestedStringMap(es.Object, "spec", "target", "template", "metadata", "labels")
	data, _, _ := unstructured.NestedStringMap(es.Object, "spec", "target", "template", "data")
	// What External Secrets writes: the template with the remote values.
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "idp-gitops-repo-creds", Namespace: "argocd", Labels: labels},
		Data: map[string][]byte{
			"type": []byte(data["type"]), "url": []byte(data["url"]),
			"username": []byte("argocd"), "password": []byte("glpat-read-repository"),
		},
	}
	client := fake.NewClientset(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: "argocd", Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "argocd-secret", Namespace: "argocd", Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}}},
		secret,
	)
	ctx := context.Background()
	argoDB := db.NewDB("argocd", settings.NewSettingsManager(ctx, client, "argocd"), client)
	for url, want := range map[string]bool{
		"https://gitlab.com/gitops/hello-world.git":            true,
		"https://gitlab.com/gitops/team-a/payments-api.git":    true,
		"https://gitlab.com/gitops-elsewhere/payments-api.git": false,
		"https://gitlab.com/apps/hello-world.git":              false,
		"https://gitlab.example.com/gitops/hello-world.git":    false,
	} {
		repo, err := argoDB.GetRepository(ctx, url, "")
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if got := repo.Password == "glpat-read-repository" && repo.Username == "argocd"; got != want {
			t.Errorf("%s: credentials %v, want %v", url, got, want)
		}
	}
}
