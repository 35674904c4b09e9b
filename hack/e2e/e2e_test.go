//go:build e2e

// Package e2e runs the platform's GitOps loop with Argo CD's real
// ApplicationSet controller (the binary built from Argo CD's Go module by
// hack/tools/argocd.sh) against a real kube-apiserver, the real plugin
// generator and the shared fake GitLab, on loopback only. Run it with
// hack/e2e.sh.
package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/internal/manifesttest"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/refresh"
	"github.com/vibe-coder-biz/idp/plugin-generator/server"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const (
	ns            = "argocd"
	pluginToken   = "e2e-plugin-token"
	webhookSecret = "e2e-webhook-secret"
	gitlabToken   = "glpat-e2e"
	gitReadToken  = "glpat-e2e-read-repository"
	scanInterval  = 5 * time.Second
	// requeue replaces the ApplicationSets' 180 s poll so the run without a
	// webhook ends in reasonable time; the measurement says which it used.
	requeue = 20
	// followUp is shorter than production's 15 s: here the AppProject is
	// applied as soon as its Application appears.
	followUp = 2 * time.Second
)

var (
	appsGVR    = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
	appSetsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applicationsets"}
)

func appYAML(name, tag string) string {
	return fmt.Sprintf("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:%s\n  port: 3000\n", name, name, tag)
}

type world struct {
	kube    *kubetest.Server
	dyn     dynamic.Interface
	gitlab  *gitlabfake.Fake
	store   *catalog.Store
	genURL  string
	appsets []string
	repos   string // bare git repositories, served next to the fake's API
	// destination replaces https://kubernetes.default.svc: outside a pod
	// the application-controller has no in-cluster config, so the API
	// server is registered as a cluster by its URL.
	destination string
}

func TestGitOpsLoop(t *testing.T) {
	w := setUp(t)
	ctx := context.Background()

	// 1. A GitOps project with app.yaml becomes an Application.
	p := w.newProject(t, "gitops", "hello-world", appYAML("hello-world", "3f2a1bc"))
	w.push(t, p.ID)
	app := w.waitApp(t, "hello-world", 2*time.Minute)
	spec, _, _ := unstructured.NestedMap(app.Object, "spec")
	if got, _, _ := unstructured.NestedString(spec, "destination", "namespace"); got != "hello-world" {
		t.Errorf("destination namespace %q", got)
	}
	if got, _, _ := unstructured.NestedString(spec, "source", "plugin", "name"); got != "idp-cmp" {
		t.Errorf("plugin %q", got)
	}
	if app.GetLabels()["backstage-name"] != "hello-world" {
		t.Errorf("labels %v", app.GetLabels())
	}

	// 3. GitLab fails for several refresh cycles: no Application goes.
	w.gitlab.Inject(gitlabfake.Fault{Status: 502})
	for range 3 {
		time.Sleep(scanInterval)
		w.refreshAppSets(t)
	}
	time.Sleep(5 * time.Second)
	w.gitlab.ClearFaults()
	if _, err := w.dyn.Resource(appsGVR).Namespace(ns).Get(ctx, "hello-world", metav1.GetOptions{}); err != nil {
		t.Fatalf("an Application went while GitLab failed: %v", err)
	}
	snap, lastErr := w.store.Current()
	if lastErr == nil || len(snap.Apps) != 1 {
		t.Fatalf("the generator did not see the failure (err %v) or lost the app (%d)", lastErr, len(snap.Apps))
	}

	// 6. Commit to Application: with the webhook and without it.
	hookSet, hookApp := w.timeNewApp(t, "with-hook", true)
	pollSet, pollApp := w.timeNewApp(t, "without-hook", false)
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
	t.Logf("scan every %v, ApplicationSet requeue %ds", scanInterval, requeue)
	fmt.Printf("E2E-MEASURE commit->ApplicationSet generated: webhook %v, polling %v; commit->app's own Application: webhook %v, polling %v\n",
		r(hookSet), r(pollSet), r(hookApp), r(pollApp))

	// 5. The project is deleted: the generator drops the app, and under
	// applicationsSync create-update its Application stays until an
	// operator deletes it.
	w.gitlab.DeleteProject(p.ID)
	if err := w.store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if snap, _ := w.store.Current(); hasApp(snap, "hello-world") {
		t.Fatal("the generator still answers the deleted project's app")
	}
	w.refreshAppSets(t)
	w.waitAppSetsReconciled(t)
	if _, err := w.dyn.Resource(appsGVR).Namespace(ns).Get(ctx, "hello-world", metav1.GetOptions{}); err != nil {
		t.Fatalf("create-update deleted the Application of a deleted project: %v", err)
	}
}

// timeNewApp commits a new app and measures until the ApplicationSets
// generated its first Application (idp-project-<name>), and until the app's
// own Application exists, which Argo CD creates only once the platform's
// Application has synced the AppProject (here for real, through the
// repo-server and our cmp) and the ApplicationSet reconciles again.
func (w *world) timeNewApp(t *testing.T, name string, hook bool) (appSet, app time.Duration) {
	start := time.Now()
	p := w.newProject(t, "gitops/team-a", name, appYAML(name, "abc1234"))
	if hook {
		w.push(t, p.ID)
	}
	w.waitApp(t, "idp-project-"+name, 3*time.Minute)
	appSet = time.Since(start)
	w.waitApp(t, name, 3*time.Minute)
	return appSet, time.Since(start)
}

func hasApp(s *catalog.Snapshot, name string) bool {
	for _, a := range s.Apps {
		if a.Name == name {
			return true
		}
	}
	return false
}

func (w *world) push(t *testing.T, id int64) {
	t.Helper()
	req, err := w.gitlab.PushEventRequest(context.Background(), id, w.genURL+"/api/v1/webhooks/gitlab", webhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

func (w *world) waitApp(t *testing.T, name string, timeout time.Duration) *unstructured.Unstructured {
	t.Helper()
	var app *unstructured.Unstructured
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		u, err := w.dyn.Resource(appsGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		app = u
		return true, nil
	})
	if err != nil {
		t.Fatalf("Application %s did not appear in %v", name, timeout)
	}
	return app
}

func (w *world) refreshAppSets(t *testing.T) {
	t.Helper()
	r := &refresh.Refresher{Client: w.dyn, Namespace: ns, ConfigMap: "idp-apps-generator"}
	if err := r.Refresh(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
}

// waitAppSetsReconciled waits until the controller removed the refresh
// annotation, i.e. reconciled after it.
func (w *world) waitAppSetsReconciled(t *testing.T) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, name := range w.appsets {
			u, err := w.dyn.Resource(appSetsGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil || u.GetAnnotations()[refresh.AppSetRefreshAnnotation] != "" {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal("ApplicationSets not reconciled after a refresh")
	}
}

// setUp starts the API server, the fake GitLab with real git repositories
// behind its clone URLs, the generator, Redis, and Argo CD's
// ApplicationSet controller, cmp-server (our plugin), repo-server and
// application-controller.
func setUp(t *testing.T) *world {
	t.Helper()
	kube := kubetest.Start(t)
	kube.InstallCRDs(t, kubetest.CRDDir(t))
	ctx := context.Background()
	w := &world{kube: kube, dyn: dynamic.NewForConfigOrDie(kube.Config), repos: t.TempDir()}
	for _, n := range []string{ns, "monitoring"} {
		if _, err := kube.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	w.gitlab = gitlabfake.New(gitlabfake.Options{Token: gitlabToken})
	mux := http.NewServeMux()
	mux.Handle("/api/v4/", w.gitlab)
	// Private projects: clones need the read token, which Argo CD gets
	// from the repo-creds Secret below.
	mux.Handle("/", w.gitlab.Git(w.repos, gitReadToken))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	w.gitlab.SetBaseURL(hs.URL)
	w.gitlab.AddGroup("gitops/team-a")
	w.startGenerator(t)
	w.installArgoCDSettings(t)
	w.destination = kube.Config.Host
	w.registerCluster(t)
	w.installAppSets(t)
	startSyncPeers(t, kube, w.destination)
	startAppSetController(t, kube)
	return w
}

// startGenerator runs the generator as in production: GitLab source,
// background scans, webhooks, ApplicationSet refreshes.
func (w *world) startGenerator(t *testing.T) {
	src, err := source.NewGitLab(source.GitLabOptions{BaseURL: w.gitlab.URL(), Token: gitlabToken, Group: "gitops", RetryMax: 1, RetryWait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.store = catalog.NewStore(src, appspec.DefaultPlatform())
	dir := t.TempDir()
	secret := func(name, value string) *server.Secret {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(value), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := server.NewSecret(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	reg := prometheus.NewRegistry()
	srv := server.New(server.Config{
		Store: w.store, Token: secret("token", pluginToken), WebhookSecret: secret("hook", webhookSecret),
		Refresher: &refresh.Refresher{Client: w.dyn, Namespace: ns, ConfigMap: "idp-apps-generator"},
		Metrics:   server.NewMetrics(reg, func() float64 { return 0 }), Gatherer: reg,
		MaxStaleness: time.Hour, FirstScanWait: 10 * time.Second, FollowUp: followUp,
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go w.store.Run(ctx, scanInterval, 30*time.Second)
	go srv.Start(ctx)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	w.genURL = hs.URL
}

// installArgoCDSettings creates what Argo CD reads at start and the plugin
// ConfigMap and token Secret, pointed at the generator on loopback.
func (w *world) installArgoCDSettings(t *testing.T) {
	ctx := context.Background()
	part := map[string]string{"app.kubernetes.io/part-of": "argocd"}
	cms := []*corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: ns, Labels: part}},
		{ObjectMeta: metav1.ObjectMeta{Name: "idp-apps-generator", Namespace: ns, Labels: part}, Data: map[string]string{
			"token": "$idp-plugin-generator:token", "baseUrl": w.genURL, "requestTimeout": "25",
		}},
	}
	for _, cm := range cms {
		if _, err := w.kube.Client.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	secrets := []*corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: "argocd-secret", Namespace: ns, Labels: part}, StringData: map[string]string{"server.secretkey": "e2e"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "idp-plugin-generator", Namespace: ns, Labels: part}, StringData: map[string]string{"token": pluginToken}},
		// As External Secrets makes it from manifests/plugin-generator's
		// idp-gitops-repo-creds.
		{ObjectMeta: metav1.ObjectMeta{Name: "idp-gitops-repo-creds", Namespace: ns, Labels: map[string]string{
			"app.kubernetes.io/part-of": "argocd", "argocd.argoproj.io/secret-type": "repo-creds",
		}}, StringData: map[string]string{"type": "git", "url": w.gitlab.URL() + "/gitops/", "username": "argocd", "password": gitReadToken}},
	}
	for _, s := range secrets {
		if _, err := w.kube.Client.CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// installAppSets applies appsets/ as a platform team would, with a shorter
// poll and the fake GitLab's URL allowed as a source.
func (w *world) installAppSets(t *testing.T) {
	root := kubetest.RepoRoot(t)
	for _, o := range manifesttest.Build(t, filepath.Join(root, "appsets")) {
		raw, _ := o.MarshalJSON()
		_ = o.UnmarshalJSON([]byte(strings.ReplaceAll(string(raw), "https://kubernetes.default.svc", w.destination)))
		switch o.GetKind() {
		case "ApplicationSet":
			gens, _, _ := unstructured.NestedSlice(o.Object, "spec", "generators")
			for i := range gens {
				_ = unstructured.SetNestedField(gens[i].(map[string]any), int64(requeue), "plugin", "requeueAfterSeconds")
			}
			_ = unstructured.SetNestedSlice(o.Object, gens, "spec", "generators")
			w.appsets = append(w.appsets, o.GetName())
		case "AppProject":
			_ = unstructured.SetNestedStringSlice(o.Object, []string{w.gitlab.URL() + "/gitops/**"}, "spec", "sourceRepos")
		}
		if err := w.kube.Apply(context.Background(), o, false); err != nil {
			t.Fatalf("%s %s: %v", o.GetKind(), o.GetName(), err)
		}
	}
}

func startAppSetController(t *testing.T, kube *kubetest.Server) {
	bin := os.Getenv("IDP_ARGOCD_BIN")
	if bin == "" {
		t.Fatal("IDP_ARGOCD_BIN is not set; run hack/e2e.sh")
	}
	// controller-runtime reads KUBECONFIG besides the --kubeconfig flag.
	process(t, "applicationset-controller", []string{"ARGOCD_BINARY_NAME=argocd-applicationset-controller", "KUBECONFIG=" + kube.Kubeconfig}, bin,
		"--kubeconfig", kube.Kubeconfig, "--namespace", ns,
		"--metrics-addr", "127.0.0.1:0", "--probe-addr", "127.0.0.1:0", "--webhook-addr", "127.0.0.1:0", "--loglevel", "info")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
