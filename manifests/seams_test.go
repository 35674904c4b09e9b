package manifests

// Seams between the install phases: what one phase's objects need from
// another must exist by the time they are applied (README, "Deploying, in
// four phases": manifests/platform, then Argo CD with manifests/cmp and
// manifests/plugin-generator, then Backstage).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
)

// platformNamespaceLabels are the labels a namespace carries once
// manifests/platform (or, for an app, cmp) created it.
func platformNamespaceLabels(t *testing.T, objs []*unstructured.Unstructured) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			l := o.GetLabels()
			if l == nil {
				l = map[string]string{}
			}
			l["kubernetes.io/metadata.name"] = o.GetName()
			out[o.GetName()] = l
		}
	}
	return out
}

// TestSeamEveryExternalSecretIsServedByAStoreOfAnEarlierPhase: every
// ExternalSecret the platform ships, and an app's, names a
// ClusterSecretStore that manifests/platform installs (phase 2 starts
// with it) and whose conditions admit the ExternalSecret's namespace.
// External Secrets refuses the others, their Secrets never appear, and the
// pods that mount them never start.
func TestSeamEveryExternalSecretIsServedByAStoreOfAnEarlierPhase(t *testing.T) {
	platform := platformBuild(t, "platform")
	stores := map[string]*unstructured.Unstructured{}
	for _, o := range platform {
		if o.GetKind() == "ClusterSecretStore" {
			stores[o.GetName()] = o
		}
	}
	namespaces := platformNamespaceLabels(t, platform)
	var secrets []*unstructured.Unstructured
	for _, base := range []string{"platform", "plugin-generator", "backstage"} {
		for _, o := range platformBuild(t, base) {
			if o.GetKind() == "ExternalSecret" {
				secrets = append(secrets, o)
			}
		}
	}
	app := renderApp(t, filepath.Join(kubetest.RepoRoot(t), "cmp", "render", "testdata", "full", "app.yaml"))
	for k, v := range platformNamespaceLabels(t, app) {
		namespaces[k] = v
	}
	appSecrets := 0
	for _, o := range app {
		if o.GetKind() == "ExternalSecret" {
			secrets = append(secrets, o)
			appSecrets++
		}
	}
	if appSecrets == 0 {
		t.Fatal("the full test app renders no ExternalSecret: the check would prove nothing for apps")
	}
	for _, es := range secrets {
		kind, _, _ := unstructured.NestedString(es.Object, "spec", "secretStoreRef", "kind")
		name, _, _ := unstructured.NestedString(es.Object, "spec", "secretStoreRef", "name")
		id := es.GetNamespace() + "/" + es.GetName()
		store, ok := stores[name]
		if kind != "ClusterSecretStore" || !ok {
			t.Errorf("ExternalSecret %s reads %s %q, which manifests/platform does not install", id, kind, name)
			continue
		}
		labels, ok := namespaces[es.GetNamespace()]
		if !ok {
			t.Errorf("ExternalSecret %s: namespace %q is created by no earlier phase", id, es.GetNamespace())
			continue
		}
		if !platformStoreServes(t, store, labels) {
			t.Errorf("ExternalSecret %s: ClusterSecretStore %s refuses namespace %s", id, name, es.GetNamespace())
		}
	}
}

// TestSeamStoresAdmitNoMoreThanTheyMust: apps' store serves app
// namespaces only; the platform's store serves the platform namespaces
// that read secrets, and no app.
func TestSeamStoresAdmitNoMoreThanTheyMust(t *testing.T) {
	platform := platformBuild(t, "platform")
	app := map[string]string{"kubernetes.io/metadata.name": "hello-world", "idp-role": "app"}
	for name, want := range map[string]map[string]bool{
		appspec.DefaultPlatform().SecretStore: {"hello-world": true, "argocd": false, "backstage": false, "monitoring": false, "default": false},
		"aws-secrets-manager-platform":        {"hello-world": false, "argocd": true, "backstage": true, "monitoring": true, "default": false, "external-secrets": false},
	} {
		store := findIn(t, platform, "ClusterSecretStore", name)
		for ns, serves := range want {
			labels := map[string]string{"kubernetes.io/metadata.name": ns}
			if ns == "hello-world" {
				labels = app
			}
			if got := platformStoreServes(t, store, labels); got != serves {
				t.Errorf("ClusterSecretStore %s serves %s: %v, want %v", name, ns, got, serves)
			}
		}
	}
}

func findIn(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s among %d objects", kind, name, len(objs))
	return nil
}

func renderApp(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	return manifesttest.RenderApp(t, path)
}

// TestSeamArgoCDCanReadTheGitOpsProjects: the GitOps projects are private,
// so manifests/plugin-generator ships Argo CD's credential template for the
// whole GitOps group (hack/argocd proves Argo CD's own lookup matches the
// generator's repository URLs with it, and only those).
func TestSeamArgoCDCanReadTheGitOpsProjects(t *testing.T) {
	objs := platformBuild(t, "plugin-generator")
	creds := findIn(t, objs, "ExternalSecret", "idp-gitops-repo-creds")
	if creds.GetNamespace() != "argocd" {
		t.Errorf("repo-creds in namespace %q, want argocd", creds.GetNamespace())
	}
	tmpl, _, _ := unstructured.NestedMap(creds.Object, "spec", "target", "template")
	labels, _, _ := unstructured.NestedStringMap(tmpl, "metadata", "labels")
	if labels["argocd.argoproj.io/secret-type"] != "repo-creds" || labels["app.kubernetes.io/part-of"] != "argocd" {
		t.Errorf("the Secret's labels %v: Argo CD reads only repo-creds labelled part-of argocd", labels)
	}
	data, _, _ := unstructured.NestedStringMap(tmpl, "data")
	var settings map[string]string
	for _, o := range objs {
		if o.GetKind() == "ConfigMap" && strings.HasPrefix(o.GetName(), "idp-plugin-generator") {
			settings, _, _ = unstructured.NestedStringMap(o.Object, "data")
		}
	}
	if want := settings["GITLAB_URL"] + "/" + settings["GITLAB_GROUP"] + "/"; data["url"] != want {
		t.Errorf("repo-creds url %q, want %q (GITLAB_URL/GITLAB_GROUP/ of the generator)", data["url"], want)
	}
	if data["type"] != "git" || !strings.Contains(data["username"], ".username") || !strings.Contains(data["password"], ".password") {
		t.Errorf("repo-creds data %v", data)
	}
	kust, err := os.ReadFile(filepath.Join(kubetest.RepoRoot(t), "manifests", "plugin-generator", "kustomization.yaml"))
	if err != nil || !strings.Contains(string(kust), "gitops-repo-creds.yaml") {
		t.Error("kustomization.yaml does not list gitops-repo-creds.yaml")
	}
}

// TestSeamStoresAuthenticateAsDifferentIdentities: IAM, not only the
// stores' namespace conditions, keeps apps from the platform's secrets. The
// apps' store and the platform's authenticate as different service
// accounts, whose IRSA roles (terraform/modules/iam) read idp/apps/ and the
// platform's prefixes respectively; the platform's service account ships
// here with its role's ARN from platform-settings.
func TestSeamStoresAuthenticateAsDifferentIdentities(t *testing.T) {
	platform := platformBuild(t, "platform")
	sa := func(store string) string {
		s := findIn(t, platform, "ClusterSecretStore", store)
		name, _, _ := unstructured.NestedString(s.Object, "spec", "provider", "aws", "auth", "jwt", "serviceAccountRef", "name")
		return name
	}
	apps, plat := sa(appspec.DefaultPlatform().SecretStore), sa("aws-secrets-manager-platform")
	if apps == plat {
		t.Fatalf("both stores authenticate as service account %q: one IAM role reads every app's and the platform's secrets", apps)
	}
	acct := findIn(t, platform, "ServiceAccount", plat)
	if acct.GetNamespace() != "external-secrets" {
		t.Errorf("service account %s in %q, want external-secrets", plat, acct.GetNamespace())
	}
	if arn := acct.GetAnnotations()["eks.amazonaws.com/role-arn"]; !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.HasSuffix(arn, "-external-secrets-platform") {
		t.Errorf("service account %s role %q, want the IRSA role terraform/modules/iam names <name>-external-secrets-platform", plat, arn)
	}
}
