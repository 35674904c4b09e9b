//go:build cluster

package golden

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// smoke prints one line per check of the README's smoke test, and fails
// the test (not the run of the remaining checks) on any FAIL.
type smoke struct{ t *testing.T }

func (s smoke) check(n int, what string, fn func() error) bool {
	s.t.Helper()
	if err := fn(); err != nil {
		fmt.Printf("smoke %d: %s: FAIL: %v\n", n, what, err)
		s.t.Errorf("smoke %d: %s: %v", n, what, err)
		return false
	}
	fmt.Printf("smoke %d: %s: ok\n", n, what)
	return true
}

// TestGoldenPath: a developer's new service, from the template's rendered
// GitOps repository to a running, observable, locked-down app, and the
// failures that must leave it running.
func TestGoldenPath(t *testing.T) {
	w := newWorld(t)
	s := smoke{t}
	s.check(0, "the platform installs from its files; the generator's pods run with their tokens from External Secrets", func() error {
		w.install(t)
		return nil
	})
	images := strings.Fields(os.Getenv("IDP_APP_IMAGES"))
	go w.standInForTheALBController(t)
	a := w.newApp(t, os.Getenv("IDP_GITOPS_DIR"))

	if !s.check(1, "the template's app.yaml, committed to a new GitOps project, becomes an Application, and its AppProject exists", func() error {
		return errors.Join(w.waitObject(appsGVR, argocdNS, a.name, 2*time.Minute), w.waitObject(projectsGVR, argocdNS, a.name, 2*time.Minute))
	}) {
		t.FailNow()
	}

	// The app's first pipeline: update-gitops writes the image it pushed.
	start := time.Now()
	w.setImage(t, a, images[0])
	healthy := s.check(2, "the Application is Synced and Healthy (Argo CD's own health checks)", func() error {
		return w.waitSyncedHealthy(a.name, images[0], 5*time.Minute)
	})
	if healthy {
		fmt.Printf("GOLDEN-MEASURE commit->Healthy with the webhook: %v\n", time.Since(start).Round(100*time.Millisecond))
	}
	s.check(3, "the namespace is idp-role app and Pod Security restricted; both replicas Ready, non-root, read-only root, no capabilities, seccomp RuntimeDefault", func() error {
		return w.checkLockedDown(t, a)
	})
	s.check(4, `GET /health through the app's Service answers {"status":"ok"}`, func() error {
		return w.checkHealth(a)
	})
	s.check(5, "Prometheus in the monitoring namespace scrapes the metrics endpoint; the Ingress does not route the metrics path", func() error {
		return w.checkMetrics(t, a)
	})
	s.check(6, "another app's namespace cannot connect (refused here, a timeout on EKS); DNS resolves in the app's pods; egress the policies do not allow is refused", func() error {
		return w.checkIsolation(t, a)
	})
	s.check(7, "cmp set-image, commit, push: the new ReplicaSet rolls out inside the namespace's rendered ResourceQuota and a client looping on the Service sees no failed request", func() error {
		return errors.Join(w.checkRollout(t, a, images[1]), w.checkRolloutFitsTheQuota(a))
	})
	s.check(8, "GitLab failing for several refresh cycles deletes no Application and every pod keeps running", func() error {
		return w.checkGitLabDown(t, a)
	})
	s.check(9, "20 of 20 commits with the webhook are in the Application within 2 s, with the generator's two replicas behind its Service", func() error {
		return w.checkWebhookReachesEveryReplica(t, a)
	})
	s.check(10, "both generator pods replaced while GitLab answers 503: each answers the last complete list from the persisted scan within 5 s of its start", func() error {
		return w.checkRestartWithGitLabDown(t, a)
	})
	s.check(11, "a broken app.yaml is a ComparisonError naming the field, and the running app is untouched", func() error {
		return w.checkBrokenAppYAML(t, a)
	})
}

// webhook sends GitLab's push event for the project to the generator
// through its Service, as the ALB would.
func (w *world) webhook(t *testing.T, p gitlabfake.Project) {
	t.Helper()
	svc, err := w.kube.CoreV1().Services(argocdNS).Get(w.ctx(), "idp-plugin-generator", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + svc.Spec.ClusterIP + ":8080/api/v1/webhooks/gitlab"
	// kube-proxy may program a new Service a moment after its endpoints:
	// a connection opened before then hangs, so each try is bounded.
	client := &http.Client{Timeout: 5 * time.Second}
	err = wait.PollUntilContextTimeout(w.ctx(), time.Second, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		req, err := w.gitlab.PushEventRequest(ctx, p.ID, url, webhookSecret)
		if err != nil {
			return false, err
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Logf("webhook: %v", err)
			return false, nil
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Logf("webhook: %s %s", resp.Status, body)
		}
		return resp.StatusCode == http.StatusAccepted, nil
	})
	if err != nil {
		t.Fatalf("the generator did not accept the push webhook: %v", err)
	}
}

func (w *world) waitObject(gvr schema.GroupVersionResource, ns, name string, timeout time.Duration) error {
	r := w.dyn.Resource(gvr).Namespace(ns)
	err := wait.PollUntilContextTimeout(w.ctx(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, err := r.Get(ctx, name, metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%s %s/%s did not appear in %v", gvr.Resource, ns, name, timeout)
	}
	return nil
}

// waitSyncedHealthy waits until the Application is Synced and Healthy at a
// revision whose Deployment runs image.
func (w *world) waitSyncedHealthy(name, image string, timeout time.Duration) error {
	var last string
	err := wait.PollUntilContextTimeout(w.ctx(), time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		u, err := w.dyn.Resource(appsGVR).Namespace(argocdNS).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		last = appStatus(u)
		sync, _, _ := unstructured.NestedString(u.Object, "status", "sync", "status")
		health, _, _ := unstructured.NestedString(u.Object, "status", "health", "status")
		d, err := w.kube.AppsV1().Deployments(name).Get(ctx, name, metav1.GetOptions{})
		if err != nil || d.Spec.Template.Spec.Containers[0].Image != image {
			last += "; the Deployment does not run " + image + " yet"
			return false, nil
		}
		return sync == "Synced" && health == "Healthy", nil
	})
	if err != nil {
		return fmt.Errorf("not Synced and Healthy with %s in %v: %s", image, timeout, last)
	}
	return nil
}

// appStatus summarises what is not yet right about an Application.
func appStatus(u *unstructured.Unstructured) string {
	sync, _, _ := unstructured.NestedString(u.Object, "status", "sync", "status")
	health, _, _ := unstructured.NestedString(u.Object, "status", "health", "status")
	parts := []string{"sync " + sync, "health " + health}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		parts = append(parts, fmt.Sprint(m["type"], ": ", m["message"]))
	}
	resources, _, _ := unstructured.NestedSlice(u.Object, "status", "resources")
	for _, r := range resources {
		m, _ := r.(map[string]any)
		h, _ := m["health"].(map[string]any)
		if m["status"] != "Synced" || (h != nil && h["status"] != "Healthy") {
			parts = append(parts, fmt.Sprint(m["kind"], "/", m["name"], " ", m["status"], " ", h))
		}
	}
	if msg, ok, _ := unstructured.NestedString(u.Object, "status", "operationState", "message"); ok {
		parts = append(parts, "operation: "+msg)
	}
	return strings.Join(parts, "; ")
}
