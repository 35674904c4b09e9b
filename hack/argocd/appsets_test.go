package argocd

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"github.com/argoproj/argo-cd/v3/util/db"
	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/prometheus/client_golang/prometheus"
	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	kjson "sigs.k8s.io/json"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/server"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const (
	argocdNS = "argocd"
	// The GitOps group idp-platform's sourceRepos admit (appsets/).
	gitopsRepo = "https://gitlab.com/gitops/apps.git"
)

// appSetFixture is what Argo CD's ApplicationSet controller sees: our
// ApplicationSets and AppProject, our plugin ConfigMap and token Secret in a
// controller-runtime client, and the real generator behind the ConfigMap.
type appSetFixture struct {
	appSets  map[string]*v1alpha1.ApplicationSet
	platform *v1alpha1.AppProject
	client   client.Client
	store    *catalog.Store
	apps     string // the generator's directory of apps
}

func newAppSetFixture(t *testing.T) *appSetFixture {
	t.Helper()
	root := kubetest.RepoRoot(t)
	f := &appSetFixture{appSets: map[string]*v1alpha1.ApplicationSet{}, apps: t.TempDir()}
	for _, o := range manifesttest.Build(t, filepath.Join(root, "appsets")) {
		switch o.GetKind() {
		case "ApplicationSet":
			var as v1alpha1.ApplicationSet
			decodeStrictly(t, o, &as)
			f.appSets[as.Name] = &as
		case "AppProject":
			f.platform = &v1alpha1.AppProject{}
			decodeStrictly(t, o, f.platform)
		default:
			t.Fatalf("unexpected %s %s in appsets/", o.GetKind(), o.GetName())
		}
	}
	if len(f.appSets) != 2 || f.platform == nil || f.platform.Name != "idp-platform" {
		t.Fatalf("appsets/ holds %d ApplicationSets and project %v", len(f.appSets), f.platform)
	}

	// Two apps: the example, and a copy owned by another team.
	example, err := os.ReadFile(filepath.Join(root, "examples", "hello-world", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeApp(t, f.apps, "hello-world", string(example))
	payments := strings.ReplaceAll(strings.ReplaceAll(string(example), "hello-world", "payments"), "team-a", "team-b")
	writeApp(t, f.apps, "payments", payments)

	// Our plugin ConfigMap and token Secret (from our ExternalSecret), with
	// baseUrl pointing at the real generator on loopback instead of the
	// in-cluster Service.
	gen := manifesttest.Build(t, filepath.Join(root, "manifests", "plugin-generator"))
	var cm corev1.ConfigMap
	fromUnstructured(t, manifesttest.Find(t, gen, "ConfigMap", "idp-apps-generator"), &cm)
	secret := tokenSecret(t, manifesttest.Find(t, gen, "ExternalSecret", "idp-plugin-generator"))
	token := string(secret.Data["token"])
	var url string
	f.store, url = serveAppsGenerator(t, f.apps, token)
	cm.Data["baseUrl"] = url
	f.client = fake.NewClientBuilder().WithObjects(&cm, secret).Build()
	if err := f.store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f
}

// generate runs Argo CD's own generation for one ApplicationSet: its plugin
// generator calls ours, its renderer fills the template.
func (f *appSetFixture) generate(t *testing.T, name string) map[string]v1alpha1.Application {
	t.Helper()
	gens := map[string]generators.Generator{"Plugin": generators.NewPluginGenerator(f.client, argocdNS)}
	apps, reason, err := template.GenerateApplications(log.NewEntry(log.StandardLogger()), *f.appSets[name], gens, &utils.Render{}, f.client)
	if err != nil {
		t.Fatalf("%s: %s: %v", name, reason, err)
	}
	out := map[string]v1alpha1.Application{}
	for _, a := range apps {
		out[a.Name] = a
	}
	return out
}

// TestApplicationSetsGenerateConfinedApps: our ApplicationSets, run through
// Argo CD's plugin generator and template renderer against the real
// generator, give one Application per app with the right name, namespace,
// project, plugin and Backstage label, and one platform-owned Application
// per AppProject; Argo CD's own permission check accepts each in its
// project, and refuses when the repository or destination is outside it.
func TestApplicationSetsGenerateConfinedApps(t *testing.T) {
	f := newAppSetFixture(t)
	ctx := context.Background()
	argoDB := newArgoDB(t)
	p := appspec.DefaultPlatform()
	owners := map[string]string{"hello-world": "team-a", "payments": "team-b"}

	apps := f.generate(t, "idp-apps")
	projectApps := f.generate(t, "idp-app-projects")
	if len(apps) != len(owners) || len(projectApps) != len(owners) {
		t.Fatalf("got %d apps and %d project apps, want %d each", len(apps), len(projectApps), len(owners))
	}
	for name, owner := range owners {
		t.Run(name, func(t *testing.T) {
			app, ok := apps[name]
			if !ok {
				t.Fatalf("no Application %s among %v", name, keys(apps))
			}
			checkApp(t, app, name, argocdNS, name, name, v1alpha1.Env{{Name: "IDP_APP_NAME", Value: name}})
			if app.Labels["backstage-name"] != name || app.Labels["idp.vibe-coder.biz/owner"] != owner {
				t.Errorf("labels = %v", app.Labels)
			}
			if app.Spec.Source.RepoURL != gitopsRepo || app.Spec.Source.Path != name || app.Spec.Source.TargetRevision != "main" {
				t.Errorf("source = %+v", app.Spec.Source)
			}
			sp := app.Spec.SyncPolicy
			if sp == nil || sp.Automated == nil || !isTrue(sp.Automated.Prune) || !isTrue(sp.Automated.SelfHeal) || sp.Retry == nil || sp.Retry.Limit != 5 || sp.SyncOptions.HasOption("CreateNamespace=true") {
				t.Errorf("syncPolicy = %+v", sp)
			}
			// The app's own AppProject, as cmp renders it for this repository.
			appProject := renderedProject(t, f.apps, name, p)
			expectPermitted(ctx, t, argoDB, app, appProject, true)

			pa, ok := projectApps["idp-project-"+name]
			if !ok {
				t.Fatalf("no Application idp-project-%s among %v", name, keys(projectApps))
			}
			checkApp(t, pa, "idp-project-"+name, argocdNS, "idp-platform", argocdNS,
				v1alpha1.Env{{Name: "IDP_RENDER", Value: "project"}, {Name: "IDP_APP_NAME", Value: name}})
			if _, ok := pa.Labels["backstage-name"]; ok {
				t.Error("the platform-owned Application must not show in Backstage")
			}
			expectPermitted(ctx, t, argoDB, pa, f.platform, true)

			// The same checks refuse what the projects do not allow.
			outside := pa.DeepCopy()
			outside.Spec.Source.RepoURL = "https://gitlab.com/gitops-other/evil.git"
			expectPermitted(ctx, t, argoDB, *outside, f.platform, false)
			elsewhere := app.DeepCopy()
			elsewhere.Spec.Destination.Namespace = "kube-system"
			expectPermitted(ctx, t, argoDB, *elsewhere, appProject, false)
		})
	}
	// Only AppProjects, and no cluster-scoped kind, for the platform-owned ones.
	if !f.platform.IsGroupKindNamePermitted(schemaGK("argoproj.io", "AppProject"), "payments", true) ||
		f.platform.IsGroupKindNamePermitted(schemaGK("", "Namespace"), "payments", false) ||
		f.platform.IsGroupKindNamePermitted(schemaGK("", "Secret"), "x", true) ||
		f.platform.IsGroupKindNamePermitted(schemaGK("argoproj.io", "Application"), "x", true) {
		t.Error("idp-platform permits more than AppProjects")
	}
}

// TestApplicationSetsPolicy: under the controller's defaults the
// ApplicationSets create and update but never delete: an app whose GitOps
// project disappears from the generator's answer is no longer generated, and
// Argo CD keeps its Application (and the AppProject's) running. Deleting an
// Application still deletes what it deployed (resources finalizer).
func TestApplicationSetsPolicy(t *testing.T) {
	f := newAppSetFixture(t)
	for name, as := range f.appSets {
		// An empty --policy is Argo CD's default; it lets ApplicationSets choose.
		policy := utils.DefaultPolicy(as.Spec.SyncPolicy, "", true)
		if policy != v1alpha1.ApplicationsSyncPolicyCreateUpdate || !policy.AllowUpdate() || policy.AllowDelete() {
			t.Errorf("%s: policy %q", name, policy)
		}
		for _, a := range f.generate(t, name) {
			if !containsString(a.Finalizers, v1alpha1.ResourcesFinalizerName) {
				t.Errorf("%s: Application %s has finalizers %v", name, a.Name, a.Finalizers)
			}
		}
	}

	// The payments project is deleted from the GitOps group.
	if err := os.RemoveAll(filepath.Join(f.apps, "payments")); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	apps := f.generate(t, "idp-apps")
	if _, ok := apps["payments"]; ok || len(apps) != 1 {
		t.Fatalf("after deleting the project the generator still yields %v", keys(apps))
	}
	// What the controller then does with the running Application "payments":
	// it deletes only when the policy allows deletion.
	if utils.DefaultPolicy(f.appSets["idp-apps"].Spec.SyncPolicy, "", true).AllowDelete() {
		t.Fatal("the Application of a deleted project would be deleted")
	}
}

// TestApplicationSetsMissingParameter: missingkey=error makes a parameter
// the generator did not send an error instead of an empty string.
func TestApplicationSetsMissingParameter(t *testing.T) {
	f := newAppSetFixture(t)
	as := f.appSets["idp-apps"]
	params := map[string]any{"name": "hello-world", "namespace": "hello-world", "project": "hello-world", "repoURL": gitopsRepo,
		"targetRevision": "main", "path": ".", "owner": "team-a", "backstageName": "hello-world", "commitSHA": "3f2a1bc0d4e5f60718293a4b5c6d7e8f90a1b2c3"}
	tmpl := template.GetTempApplication(as.Spec.Template)
	if _, err := (&utils.Render{}).RenderTemplateParams(tmpl, as.Spec.SyncPolicy, params, as.Spec.GoTemplate, as.Spec.GoTemplateOptions); err != nil {
		t.Fatalf("complete parameters: %v", err)
	}
	delete(params, "backstageName")
	if _, err := (&utils.Render{}).RenderTemplateParams(tmpl, as.Spec.SyncPolicy, params, as.Spec.GoTemplate, as.Spec.GoTemplateOptions); err == nil {
		t.Fatal("rendered without backstageName")
	}
}

func checkApp(t *testing.T, a v1alpha1.Application, name, namespace, project, destNS string, env v1alpha1.Env) {
	t.Helper()
	if a.Name != name || a.Namespace != namespace || a.Spec.Project != project {
		t.Errorf("Application %s/%s project %s, want %s/%s project %s", a.Namespace, a.Name, a.Spec.Project, namespace, name, project)
	}
	if !argo.IsValidAppName(a.Name) {
		t.Errorf("Argo CD refuses the name %q", a.Name)
	}
	d := a.Spec.Destination
	if d.Server != "https://kubernetes.default.svc" || d.Namespace != destNS {
		t.Errorf("destination = %+v, want namespace %s in-cluster", d, destNS)
	}
	pl := a.Spec.Source.Plugin
	if pl == nil || pl.Name != "idp-cmp" || !equalEnv(pl.Env, env) {
		t.Errorf("plugin = %+v, want idp-cmp with %v", pl, env)
	}
	if !containsString(a.Finalizers, v1alpha1.ResourcesFinalizerName) {
		t.Errorf("finalizers = %v", a.Finalizers)
	}
}

// expectPermitted runs Argo CD's own ValidatePermissions, what the
// application controller checks before it renders anything.
func expectPermitted(ctx context.Context, t *testing.T, argoDB db.ArgoDB, a v1alpha1.Application, proj *v1alpha1.AppProject, want bool) {
	t.Helper()
	conds, err := argo.ValidatePermissions(ctx, &a.Spec, proj, argoDB)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(conds) == 0; got != want {
		t.Errorf("Application %s in project %s: permitted = %v, want %v (%v)", a.Name, proj.Name, got, want, conds)
	}
}

// renderedProject is the AppProject cmp renders for the app in dir/name,
// decoded strictly into Argo CD's type.
func renderedProject(t *testing.T, dir, name string, p appspec.Platform) *v1alpha1.AppProject {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := appspec.Load("app.yaml", data, p)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := render.Project(app, p, gitopsRepo)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(objs[0])
	var proj v1alpha1.AppProject
	if strict, err := kjson.UnmarshalStrict(raw, &proj); err != nil || len(strict) > 0 {
		t.Fatalf("AppProject: %v %v", err, strict)
	}
	return &proj
}

// newArgoDB is Argo CD's settings and cluster database over a fake
// clientset holding a minimal argocd-cm and argocd-secret: the in-cluster
// destination is known without any cluster Secret.
func newArgoDB(t *testing.T) db.ArgoDB {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	labels := map[string]string{"app.kubernetes.io/part-of": "argocd"}
	kube := kubefake.NewClientset(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: argocdNS, Labels: labels}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "argocd-secret", Namespace: argocdNS, Labels: labels},
			Data: map[string][]byte{"server.secretkey": []byte("test")}},
	)
	return db.NewDB(argocdNS, settings.NewSettingsManager(ctx, kube, argocdNS), kube)
}

// serveAppsGenerator serves the real generator (catalog, server) over a
// directory of apps on loopback, with the given bearer token.
func serveAppsGenerator(t *testing.T, dir, token string) (*catalog.Store, string) {
	t.Helper()
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := server.NewSecret(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	store := catalog.NewStore(source.NewDir(dir, gitopsRepo, "main"), appspec.DefaultPlatform())
	reg := prometheus.NewRegistry()
	srv := server.New(server.Config{
		Store: store, Token: tok, Gatherer: reg, Metrics: server.NewMetrics(reg, func() float64 { return 0 }),
		MaxStaleness: time.Hour, FirstScanWait: 100 * time.Millisecond,
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return store, hs.URL
}

// tokenSecret is the Secret External Secrets makes from our ExternalSecret:
// its name, its template's labels, its one key (with a test value).
func tokenSecret(t *testing.T, es *unstructured.Unstructured) *corev1.Secret {
	t.Helper()
	name, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name")
	labels, _, _ := unstructured.NestedStringMap(es.Object, "spec", "target", "template", "metadata", "labels")
	data, _, _ := unstructured.NestedSlice(es.Object, "spec", "data")
	if name == "" || len(data) != 1 {
		t.Fatalf("token ExternalSecret: target %q, %d keys", name, len(data))
	}
	key := data[0].(map[string]any)["secretKey"].(string)
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: es.GetNamespace(), Labels: labels},
		Data:       map[string][]byte{key: []byte("appset-test-token")},
	}
}

func decodeStrictly(t *testing.T, o *unstructured.Unstructured, into any) {
	t.Helper()
	raw, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	strict, err := kjson.UnmarshalStrict(raw, into)
	if err != nil || len(strict) > 0 {
		t.Fatalf("%s %s does not decode strictly into Argo CD's type: %v %v", o.GetKind(), o.GetName(), err, strict)
	}
}

func fromUnstructured(t *testing.T, u *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into); err != nil {
		t.Fatal(err)
	}
}

func writeApp(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name, "app.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func equalEnv(a, b v1alpha1.Env) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if *a[i] != *b[i] {
			return false
		}
	}
	return true
}

func isTrue(b *bool) bool { return b != nil && *b }

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
