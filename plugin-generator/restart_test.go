package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
)

// TestRestartWithGitLabDownAnswersThePersistedScan runs the generator as it
// runs in the cluster (its flags, a real API server, the shipped snapshot
// ConfigMap), adds an app through the webhook, stops it, takes GitLab down
// and starts it again: the new process answers the complete list, the
// webhook's app included, from the persisted answer, before any request to
// GitLab has succeeded.
func TestRestartWithGitLabDownAnswersThePersistedScan(t *testing.T) {
	srv := kubetest.Start(t)
	ctx := context.Background()
	for _, obj := range []any{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "argocd"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "idp-apps-generator-snapshot", Namespace: "argocd"}},
	} {
		var err error
		switch o := obj.(type) {
		case *corev1.Namespace:
			_, err = srv.Client.CoreV1().Namespaces().Create(ctx, o, metav1.CreateOptions{})
		case *corev1.ConfigMap:
			_, err = srv.Client.CoreV1().ConfigMaps("argocd").Create(ctx, o, metav1.CreateOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	const n = 30
	fake := gitlabfake.Start(t, gitlabfake.Options{Token: "glpat-restart"})
	for i := range n {
		name := fmt.Sprintf("app-%02d", i)
		fake.AddProject(gitlabfake.ProjectSpec{Namespace: []string{"gitops", "gitops/team-a"}[i%2], Path: name, Files: map[string]string{"app.yaml": fmt.Sprintf(
			"apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234\n  port: 3000\n", name, name)}})
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	addr := freeAddr(t)
	args := []string{
		"-listen", addr, "-source", "gitlab", "-gitlab-url", fake.URL(), "-gitlab-group", "gitops",
		"-gitlab-token-file", write("gitlab-token", "glpat-restart"), "-token-file", write("token", "argocd-token"),
		"-kubeconfig", srv.Kubeconfig, "-snapshot-configmap", "idp-apps-generator-snapshot",
		"-interval", "1h", "-first-scan-wait", "1ms", "-webhook-secret-file", write("webhook", "hook-secret"),
	}
	env := func(string) (string, bool) { return "", false }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	first := start(t, args, env, log)
	waitFor(t, 60*time.Second, func() bool { return answered(addr) == n })
	added := fake.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "late", Files: map[string]string{"app.yaml": strings.ReplaceAll(
		"apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: NAME\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/NAME:abc1234\n  port: 3000\n", "NAME", "late")}})
	req, err := fake.PushEventRequest(ctx, added.ID, "http://"+addr+"/api/v1/webhooks/gitlab", "hook-secret")
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("webhook: %v %v", resp, err)
	}
	waitFor(t, 30*time.Second, func() bool { return answered(addr) == n+1 })
	waitFor(t, 30*time.Second, func() bool {
		cm, err := srv.Client.CoreV1().ConfigMaps("argocd").Get(ctx, "idp-apps-generator-snapshot", metav1.GetOptions{})
		if err != nil || len(cm.BinaryData[snapshot.Key]) == 0 {
			return false
		}
		s, err := snapshot.Decode(cm.BinaryData[snapshot.Key])
		return err == nil && s.Apps() == n+1
	})
	first()

	fake.Inject(gitlabfake.Fault{Status: 503})
	fake.ResetCounts()
	began := time.Now()
	start(t, args, env, log)
	waitFor(t, 30*time.Second, func() bool { return answered(addr) == n+1 })
	t.Logf("restarted with GitLab down: %d apps answered %v after start, GitLab asked %d times (every answer 503)", n+1, time.Since(began).Round(time.Millisecond), fake.TotalRequests())
}

// start runs the generator until the returned stop is called or the test ends.
func start(t *testing.T, args []string, env func(string) (string, bool), log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, env, log) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil && !strings.Contains(err.Error(), "Server closed") {
			t.Errorf("generator: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// answered is how many apps getparams answers with, -1 for an error.
func answered(addr string) int {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/getparams.execute", strings.NewReader(`{"input":{"parameters":{}}}`))
	req.Header.Set("Authorization", "Bearer argocd-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var body struct {
		Output struct {
			Parameters []map[string]any `json:"parameters"`
		} `json:"output"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil {
		return -1
	}
	return len(body.Output.Parameters)
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
