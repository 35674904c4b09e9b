//go:build cluster

package golden

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

const (
	generatorSelector = "app.kubernetes.io/name=idp-plugin-generator"
	commitAnnotation  = "idp.vibe-coder.biz/app-yaml-commit"
)

// checkWebhookReachesEveryReplica: with the generator's two replicas behind
// its Service, each of 20 commits sent with the webhook is in the app's
// Application (the ApplicationSet regenerated it) within 2 s, whichever
// replica the webhook or the ApplicationSet controller reached.
func (w *world) checkWebhookReachesEveryReplica(t *testing.T, a *app) error {
	pods, err := w.generatorPods()
	if err != nil {
		return err
	}
	if len(pods) != 2 {
		return fmt.Errorf("%d generator replicas Ready, want the shipped 2", len(pods))
	}
	const commits = 20
	var late []string
	var slowest time.Duration
	for i := range commits {
		files := map[string]string{"app.yaml": a.appYAML(t) + fmt.Sprintf("# change %d\n", i)}
		sha := w.gitlab.Commit(a.project.ID, files)
		start := time.Now()
		w.webhook(t, a.project)
		err := wait.PollUntilContextTimeout(w.ctx(), 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			u, err := w.dyn.Resource(appsGVR).Namespace(argocdNS).Get(ctx, a.name, metav1.GetOptions{})
			return err == nil && u.GetAnnotations()[commitAnnotation] == sha, nil
		})
		took := time.Since(start)
		slowest = max(slowest, took)
		if err != nil || took > 2*time.Second {
			late = append(late, fmt.Sprintf("commit %d: %v", i, took.Round(10*time.Millisecond)))
		}
	}
	fmt.Printf("GOLDEN-MEASURE webhook commits in the Application within 2 s: %d of %d (slowest %v)\n", commits-len(late), commits, slowest.Round(10*time.Millisecond))
	if len(late) > 0 {
		return fmt.Errorf("%d of %d commits late: %s", len(late), commits, strings.Join(late, ", "))
	}
	return nil
}

// checkRestartWithGitLabDown: both generator pods replaced while GitLab
// answers every call with 503; each new pod answers the last complete list
// from the persisted scan within 5 s of its start, and no Application goes.
func (w *world) checkRestartWithGitLabDown(t *testing.T, a *app) error {
	want, err := w.answer(w.mustGeneratorIP(t))
	if err != nil {
		return err
	}
	w.gitlab.Inject(gitlabfake.Fault{Status: http.StatusServiceUnavailable})
	defer w.gitlab.ClearFaults()
	old, err := w.generatorPods()
	if err != nil {
		return err
	}
	w.kubectl(t, "", "-n", argocdNS, "delete", "pod", "-l", generatorSelector, "--wait=false")
	var fresh []corev1.Pod
	err = wait.PollUntilContextTimeout(w.ctx(), 20*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		fresh = fresh[:0]
		pods, err := w.kube.CoreV1().Pods(argocdNS).List(w.ctx(), metav1.ListOptions{LabelSelector: generatorSelector})
		if err != nil {
			return false, nil
		}
		for _, p := range pods.Items {
			if !samePod(p, old) && p.Status.PodIP != "" && len(p.Status.ContainerStatuses) > 0 && p.Status.ContainerStatuses[0].State.Running != nil {
				fresh = append(fresh, p)
			}
		}
		return len(fresh) == 2, nil
	})
	if err != nil {
		return fmt.Errorf("the replaced generator pods did not start: %v", err)
	}
	for _, p := range fresh {
		started := p.Status.ContainerStatuses[0].State.Running.StartedAt.Time
		var got string
		err := wait.PollUntilContextTimeout(w.ctx(), 20*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
			got, err = w.answer(p.Status.PodIP)
			return err == nil && got == want, nil
		})
		if err != nil {
			return fmt.Errorf("pod %s, GitLab down: never answered the last list %s (last: %s)", p.Name, want, got)
		}
		took := time.Since(started)
		fmt.Printf("GOLDEN-MEASURE restarted generator with GitLab down answered the last list %v after its start\n", took.Round(100*time.Millisecond))
		if took > 5*time.Second {
			return fmt.Errorf("pod %s answered %v after its start, over 5 s", p.Name, took)
		}
	}
	for _, name := range []string{a.name, "idp-project-" + a.name} {
		if _, err := w.dyn.Resource(appsGVR).Namespace(argocdNS).Get(w.ctx(), name, metav1.GetOptions{}); err != nil {
			return fmt.Errorf("Application %s went: %v", name, err)
		}
	}
	return nil
}

// answer is the sorted app names one replica answers getparams with.
func (w *world) answer(ip string) (string, error) {
	req, err := http.NewRequestWithContext(w.ctx(), http.MethodPost, "http://"+ip+":8080/api/v1/getparams.execute", strings.NewReader(`{"input":{"parameters":{}}}`))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+argocdToken)
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("getparams: %s", resp.Status)
	}
	var body struct {
		Output struct {
			Parameters []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"output"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", err
	}
	var names []string
	for _, p := range body.Output.Parameters {
		names = append(names, p.Name)
	}
	return fmt.Sprint(names), nil
}

func (w *world) generatorPods() ([]corev1.Pod, error) {
	pods, err := w.kube.CoreV1().Pods(argocdNS).List(w.ctx(), metav1.ListOptions{LabelSelector: generatorSelector})
	if err != nil {
		return nil, err
	}
	var out []corev1.Pod
	for _, p := range pods.Items {
		if ready(p) && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (w *world) mustGeneratorIP(t *testing.T) string {
	pods, err := w.generatorPods()
	if err != nil || len(pods) == 0 {
		t.Fatalf("no Ready generator pod: %v", err)
	}
	return pods[0].Status.PodIP
}

func samePod(p corev1.Pod, pods []corev1.Pod) bool {
	for _, o := range pods {
		if o.UID == p.UID {
			return true
		}
	}
	return false
}
