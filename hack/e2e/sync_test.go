//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// TestSyncLoop: with Argo CD's repo-server (our cmp as its sidecar plugin)
// and application-controller running, a committed app.yaml becomes a Synced
// Application whose objects exist; cmp set-image changes the Deployment; a
// broken app.yaml is a ComparisonError naming the field while the running
// objects stay.
func TestSyncLoop(t *testing.T) {
	w := setUp(t)
	ctx := context.Background()

	p := w.newProject(t, "gitops", "hello-world", appYAML("hello-world", "3f2a1bc"))
	w.push(t, p.ID)
	w.waitSynced(t, "idp-project-hello-world", 90*time.Second)
	w.waitSynced(t, "hello-world", 3*time.Minute)
	for _, o := range []struct{ group, version, resource, name string }{
		{"", "v1", "namespaces", ""}, {"apps", "v1", "deployments", "hello-world"}, {"", "v1", "services", "hello-world"},
		{"networking.k8s.io", "v1", "ingresses", "hello-world"}, {"networking.k8s.io", "v1", "networkpolicies", "default-deny"},
		{"rbac.authorization.k8s.io", "v1", "roles", "hello-world-read"},
		{"monitoring.coreos.com", "v1", "servicemonitors", "hello-world"},
	} {
		ri := w.dyn.Resource(schema.GroupVersionResource{Group: o.group, Version: o.version, Resource: o.resource})
		var err error
		if o.name == "" {
			_, err = ri.Get(ctx, "hello-world", metav1.GetOptions{})
		} else {
			_, err = ri.Namespace("hello-world").Get(ctx, o.name, metav1.GetOptions{})
		}
		if err != nil {
			t.Errorf("%s %s: %v", o.resource, o.name, err)
		}
	}

	// 2. cmp set-image, commit, push: the Deployment's image changes.
	image := "123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:9e8d7c6"
	w.setImage(t, p, image)
	deploys := w.dyn.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace("hello-world")
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		u, err := deploys.Get(ctx, "hello-world", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		cs, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
		return len(cs) > 0 && cs[0].(map[string]any)["image"] == image, nil
	})
	if err != nil {
		t.Fatal("the Deployment did not take the new image")
	}

	// 4. A broken app.yaml: a ComparisonError naming the field; the
	// Deployment stays.
	w.commit(t, p, map[string]string{"app.yaml": strings.Replace(appYAML("hello-world", "9e8d7c6"), "port: 3000", "port: 3000\n  replicas: 500", 1)})
	w.push(t, p.ID)
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		u, err := w.dyn.Resource(appsGVR).Namespace(ns).Get(ctx, "hello-world", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m := c.(map[string]any)
			if m["type"] == "ComparisonError" && strings.Contains(m["message"].(string), "spec.replicas") {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatal("no ComparisonError naming spec.replicas")
	}
	if _, err := deploys.Get(ctx, "hello-world", metav1.GetOptions{}); err != nil {
		t.Fatalf("the running Deployment went with the broken app.yaml: %v", err)
	}
}

// newProject creates the GitLab project and its real git repository.
func (w *world) newProject(t *testing.T, group, name, app string) gitlabfake.Project {
	t.Helper()
	bare := filepath.Join(w.repos, group, name+".git")
	if err := os.MkdirAll(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, bare, "init", "--bare", "-b", "main")
	work := filepath.Join(w.repos, "work", group, name)
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, work, "init", "-b", "main")
	git(t, work, "remote", "add", "origin", bare)
	p := w.gitlab.AddProject(gitlabfake.ProjectSpec{Namespace: group, Path: name})
	w.commit(t, p, map[string]string{"app.yaml": app})
	return p
}

// commit writes files to the project's repository and to the fake's copy.
func (w *world) commit(t *testing.T, p gitlabfake.Project, files map[string]string) {
	t.Helper()
	work := w.workdir(p)
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(work, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, work, "add", "-A")
	git(t, work, "commit", "-qm", "change")
	git(t, work, "push", "-q", "origin", "main")
	w.gitlab.Commit(p.ID, files)
}

// setImage runs the pipeline's update-gitops step: cmp set-image, commit,
// push, and GitLab's push webhook.
func (w *world) setImage(t *testing.T, p gitlabfake.Project, image string) {
	t.Helper()
	work := w.workdir(p)
	cmd := exec.Command(os.Getenv("IDP_CMP_BIN"), "set-image", "app.yaml", image)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cmp set-image: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(work, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	w.commit(t, p, map[string]string{"app.yaml": string(data)})
	w.push(t, p.ID)
}

func (w *world) workdir(p gitlabfake.Project) string {
	full, _ := w.gitlab.Project(p.ID)
	return filepath.Join(w.repos, "work", full.PathWithNamespace)
}

func (w *world) waitSynced(t *testing.T, name string, timeout time.Duration) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		u, err := w.dyn.Resource(appsGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		status, _, _ := unstructured.NestedString(u.Object, "status", "sync", "status")
		phase, _, _ := unstructured.NestedString(u.Object, "status", "operationState", "phase")
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		resources, _, _ := unstructured.NestedSlice(u.Object, "status", "resources")
		var outOfSync []string
		for _, r := range resources {
			m := r.(map[string]any)
			if m["status"] != "Synced" {
				outOfSync = append(outOfSync, fmt.Sprint(m["kind"], "/", m["name"], ":", m["status"]))
			}
		}
		last = status + " " + phase + " " + strings.TrimSpace(strings.ReplaceAll(toString(conds), "\n", " ")) + " out of sync: " + strings.Join(outOfSync, ", ")
		return status == "Synced" && phase == "Succeeded", nil
	})
	if err != nil {
		t.Fatalf("Application %s not Synced in %v: %s", name, timeout, last)
	}
}

func toString(v any) string {
	var b strings.Builder
	for _, c := range v.([]any) {
		m := c.(map[string]any)
		b.WriteString(m["type"].(string) + ": " + m["message"].(string) + "; ")
	}
	return b.String()
}

// startSyncPeers starts Redis and Argo CD's cmp-server (our plugin.yaml and
// cmp), repo-server and application-controller on loopback.
func startSyncPeers(t *testing.T, kube *kubetest.Server, destination string) {
	bin := os.Getenv("IDP_ARGOCD_BIN")
	redis, repo := freePort(t), freePort(t)
	process(t, "redis", nil, "redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(redis), "--save", "", "--appendonly", "no")
	waitPort(t, redis)

	cfg, socks, home := t.TempDir(), t.TempDir(), t.TempDir()
	plugin, err := os.ReadFile(filepath.Join(kubetest.RepoRoot(t), "cmp", "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "plugin.yaml"), plugin, 0o644); err != nil {
		t.Fatal(err)
	}
	sep := string(os.PathListSeparator)
	path := "PATH=" + filepath.Dir(os.Getenv("IDP_CMP_BIN")) + sep + filepath.Dir(bin) + sep + os.Getenv("PATH")
	common := []string{"ARGOCD_PLUGINSOCKFILEPATH=" + socks, "HOME=" + home, "ARGOCD_GPG_ENABLED=false", path}
	process(t, "cmp-server", append(common, "ARGOCD_BINARY_NAME=argocd-cmp-server", "ARGOCD_CMP_WORKDIR="+t.TempDir(),
		"IDP_DESTINATION_SERVER="+destination), bin, "--config-dir-path", cfg)
	process(t, "repo-server", append(common, "ARGOCD_BINARY_NAME=argocd-repo-server"), bin,
		"--port", strconv.Itoa(repo), "--metrics-port", strconv.Itoa(freePort(t)), "--disable-tls", "--client-ca-path=",
		"--redis", "127.0.0.1:"+strconv.Itoa(redis), "--loglevel", "info")
	waitPort(t, repo)
	process(t, "application-controller", append(common, "ARGOCD_BINARY_NAME=argocd-application-controller", "KUBECONFIG="+kube.Kubeconfig), bin,
		"--kubeconfig", kube.Kubeconfig, "--namespace", ns,
		"--repo-server", "127.0.0.1:"+strconv.Itoa(repo), "--repo-server-plaintext",
		"--redis", "127.0.0.1:"+strconv.Itoa(redis), "--metrics-port", strconv.Itoa(freePort(t)), "--loglevel", "info")
}

// registerCluster adds the API server as an Argo CD cluster by its URL.
func (w *world) registerCluster(t *testing.T) {
	t.Helper()
	config := fmt.Sprintf(`{"bearerToken":%q,"tlsClientConfig":{"insecure":true}}`, w.kube.Token)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-cluster", Namespace: ns, Labels: map[string]string{"argocd.argoproj.io/secret-type": "cluster"}},
		StringData: map[string]string{"name": "e2e", "server": w.destination, "config": config},
	}
	if _, err := w.kube.Client.CoreV1().Secrets(ns).Create(context.Background(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
