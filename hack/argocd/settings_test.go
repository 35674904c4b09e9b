package argocd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v3/util/rbac"
	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/golang-jwt/jwt/v5"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
)

// installWithComponents builds Argo CD's install.yaml with the platform's
// components, as the README's install kustomization does, and returns its
// ConfigMaps by name.
func installWithComponents(t *testing.T, components ...string) map[string]*corev1.ConfigMap {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join(argoCDModuleDir(t), "manifests", "install.yaml"), filepath.Join(dir, "install.yaml"))
	k := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: argocd\nresources: [install.yaml]\ncomponents:\n"
	for _, c := range components {
		src := filepath.Join(kubetest.RepoRoot(t), "manifests", c)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dir, c, e.Name()))
		}
		k += "  - " + c + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k), 0o644); err != nil {
		t.Fatal(err)
	}
	out := map[string]*corev1.ConfigMap{}
	for _, o := range manifesttest.Build(t, dir) {
		if o.GetKind() != "ConfigMap" {
			continue
		}
		var cm corev1.ConfigMap
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &cm); err != nil {
			t.Fatal(err)
		}
		out[cm.Name] = &cm
	}
	return out
}

// TestBackstageAccountReadsApplicationsOnly: with manifests/argocd on
// Argo CD's install, Argo CD's own settings manager finds the backstage
// account (API keys only), and Argo CD's own enforcer lets it read every
// app's Application and do nothing else; a user in no team's group gets
// nothing at all.
func TestBackstageAccountReadsApplicationsOnly(t *testing.T) {
	cms := installWithComponents(t, "cmp", "argocd")
	cm, rbacCM := cms["argocd-cm"], cms["argocd-rbac-cm"]
	if cm == nil || rbacCM == nil {
		t.Fatal("Argo CD's install lost argocd-cm or argocd-rbac-cm")
	}
	secret := &corev1.Secret{}
	secret.Name, secret.Namespace = "argocd-secret", "argocd"
	secret.Labels = map[string]string{"app.kubernetes.io/part-of": "argocd"}
	client := fake.NewClientset(cm, rbacCM, secret)
	accounts, err := settings.NewSettingsManager(context.Background(), client, "argocd").GetAccounts()
	if err != nil {
		t.Fatal(err)
	}
	acc, ok := accounts["backstage"]
	if !ok || !acc.Enabled || !acc.HasCapability(settings.AccountCapabilityApiKey) || acc.HasCapability(settings.AccountCapabilityLogin) {
		t.Fatalf("backstage account %+v (found %v): want enabled, API keys only", acc, ok)
	}

	p := appspec.DefaultPlatform()
	enf := argoEnforcer(t, argoProject(t, p, "hello-world", "team-a"), argoProject(t, p, "payments", "team-b"))
	if err := enf.SetUserPolicy(rbacCM.Data["policy.csv"]); err != nil {
		t.Fatal(err)
	}
	enf.SetDefaultRole(rbacCM.Data["policy.default"])
	// What argocd-server enforces for a token of the account (the session
	// manager maps "backstage:apiKey" to the account name).
	backstage := jwt.MapClaims{"sub": "backstage"}
	for _, c := range []struct {
		resource, action, object string
		want                     bool
	}{
		{rbac.ResourceApplications, rbac.ActionGet, "hello-world/hello-world", true},
		{rbac.ResourceApplications, rbac.ActionGet, "payments/payments", true},
		{rbac.ResourceApplications, rbac.ActionSync, "hello-world/hello-world", false},
		{rbac.ResourceApplications, rbac.ActionDelete, "hello-world/hello-world", false},
		{rbac.ResourceApplications, "action/apps/Deployment/restart", "hello-world/hello-world", false},
		{rbac.ResourceLogs, rbac.ActionGet, "hello-world/hello-world", false},
		{rbac.ResourceExec, rbac.ActionCreate, "hello-world/hello-world", false},
		{rbac.ResourceClusters, rbac.ActionGet, "*", false},
		{rbac.ResourceRepositories, rbac.ActionGet, "*", false},
		{rbac.ResourceAccounts, rbac.ActionUpdate, "*", false},
	} {
		if got := enf.Enforce(backstage, c.resource, c.action, c.object); got != c.want {
			t.Errorf("backstage %s %s %s: %v, want %v", c.resource, c.action, c.object, got, c.want)
		}
	}
	if enf.Enforce(user("mallory", "platform/not-a-team"), rbac.ResourceApplications, rbac.ActionGet, "hello-world/hello-world") {
		t.Error("a user in no team's group reads an Application: policy.default must grant nothing")
	}
	if rbacCM.Data["scopes"] != "[groups]" {
		t.Errorf("scopes %q: the AppProject roles bind the groups claim", rbacCM.Data["scopes"])
	}
}

// argoCDModuleDir is Argo CD's module in the module cache: this module
// requires it, so go list names its directory.
func argoCDModuleDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/argoproj/argo-cd/v3").Output()
	if err != nil {
		t.Fatalf("go list argo-cd: %v", err)
	}
	return strings.TrimSpace(string(out))
}
