//go:build cluster

package golden

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// readyPods are the app's pods that serve: not a deleted or failed one of
// an earlier ReplicaSet.
func (w *world) readyPods(a *app) ([]corev1.Pod, error) {
	pods, err := w.appPods(a)
	var out []corev1.Pod
	for _, p := range pods {
		if ready(p) {
			out = append(out, p)
		}
	}
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no Ready pod of %s", a.name)
	}
	return out, err
}

func (w *world) appPods(a *app) ([]corev1.Pod, error) {
	list, err := w.kube.CoreV1().Pods(a.name).List(w.ctx(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + a.name})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func ready(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil
		}
	}
	return false
}

func (w *world) deployment(a *app) (*appsv1.Deployment, error) {
	return w.kube.AppsV1().Deployments(a.name).Get(w.ctx(), a.name, metav1.GetOptions{})
}

func (w *world) service(a *app) (*corev1.Service, error) {
	return w.kube.CoreV1().Services(a.name).Get(w.ctx(), a.name, metav1.GetOptions{})
}

// exec runs a command in a pod's first container and returns its output.
func podExec(ns, pod string, cmd ...string) (string, error) {
	out, err := exec.Command("kubectl", append([]string{"-n", ns, "exec", pod, "--"}, cmd...)...).CombinedOutput()
	return string(out), err
}

// checkLockedDown: the namespace's labels, both replicas Ready, and what
// the kernel says of the app's process, not only what its spec asks.
func (w *world) checkLockedDown(t *testing.T, a *app) error {
	ns, err := w.kube.CoreV1().Namespaces().Get(w.ctx(), a.name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if ns.Labels["idp-role"] != "app" || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		return fmt.Errorf("namespace labels %v", ns.Labels)
	}
	pods, err := w.appPods(a)
	if err != nil {
		return err
	}
	var readyPods []corev1.Pod
	for _, p := range pods {
		if ready(p) {
			readyPods = append(readyPods, p)
		}
	}
	if len(readyPods) != 2 {
		return fmt.Errorf("%d of %d pods Ready, want 2", len(readyPods), len(pods))
	}
	for _, p := range readyPods {
		status, err := podExec(a.name, p.Name, "cat", "/proc/1/status")
		if err != nil {
			return fmt.Errorf("%s: %v: %s", p.Name, err, status)
		}
		fields := procStatus(status)
		for k, want := range map[string]string{"Uid": "10001", "CapEff": "0000000000000000", "CapPrm": "0000000000000000", "NoNewPrivs": "1", "Seccomp": "2"} {
			if got := strings.Fields(fields[k]); len(got) == 0 || got[0] != want {
				return fmt.Errorf("%s: /proc/1/status %s = %q, want %s", p.Name, k, fields[k], want)
			}
		}
		if out, err := podExec(a.name, p.Name, "touch", "/written"); err == nil || !strings.Contains(out, "Read-only file system") {
			return fmt.Errorf("%s: the root file system is writable (%v %s)", p.Name, err, out)
		}
	}
	return nil
}

func procStatus(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// get fetches url from this machine, the ALB's stand-in; kube-proxy may
// need a moment to program a new Service, hence the retries.
func get(url string, tries int) (int, string, error) {
	client := &http.Client{Timeout: 3 * time.Second}
	var err error
	for i := 0; i < tries; i++ {
		var resp *http.Response
		if resp, err = client.Get(url); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, strings.TrimSpace(string(body)), nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return 0, "", err
}

func (w *world) serviceURL(a *app, path string) (string, error) {
	svc, err := w.service(a)
	if err != nil {
		return "", err
	}
	for _, p := range svc.Spec.Ports {
		if p.Name == "http" {
			return fmt.Sprintf("http://%s:%d%s", svc.Spec.ClusterIP, p.Port, path), nil
		}
	}
	return "", fmt.Errorf("Service %s has no http port", a.name)
}

func (w *world) checkHealth(a *app) error {
	url, err := w.serviceURL(a, "/health")
	if err != nil {
		return err
	}
	code, body, err := get(url, 10)
	if err != nil || code != 200 || body != `{"status":"ok"}` {
		return fmt.Errorf("GET %s: %d %q %v", url, code, body, err)
	}
	return nil
}

// checkMetrics: a pod labelled as Prometheus in the monitoring namespace
// scrapes the app's metrics port; the Ingress routes only the app's port,
// and that port does not answer the metrics path.
func (w *world) checkMetrics(t *testing.T, a *app) error {
	d, err := w.deployment(a)
	if err != nil {
		return err
	}
	c := d.Spec.Template.Spec.Containers[0]
	metricsPort, appPort := int32(0), int32(0)
	for _, p := range c.Ports {
		switch p.Name {
		case "metrics":
			metricsPort = p.ContainerPort
		case "http":
			appPort = p.ContainerPort
		}
	}
	if metricsPort == 0 || metricsPort == appPort {
		return fmt.Errorf("the Deployment serves metrics on port %d, the app on %d: want a port of their own", metricsPort, appPort)
	}
	pods, err := w.readyPods(a)
	if err != nil {
		return err
	}
	prom := w.runPod(t, "monitoring", "prometheus-scrape", map[string]string{"app.kubernetes.io/name": "prometheus"})
	target := fmt.Sprintf("http://%s:%d/metrics", pods[0].Status.PodIP, metricsPort)
	out, err := eventually(func() (string, error) {
		return podExec("monitoring", prom, "timeout", "5", "wget", "-q", "-O-", target)
	}, func(out string) bool { return strings.Contains(out, "http_request") })
	if err != nil || !strings.Contains(out, "http_request") {
		return fmt.Errorf("scrape %s: %v %.200s", target, err, out)
	}
	var ing networkingv1.Ingress
	raw, err := w.kube.NetworkingV1().Ingresses(a.name).Get(w.ctx(), a.name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	ing = *raw
	for _, r := range ing.Spec.Rules {
		for _, p := range r.HTTP.Paths {
			if b := p.Backend.Service; b != nil && b.Port.Name != "http" && b.Port.Name != "use-annotation" {
				return fmt.Errorf("the Ingress routes %s to port %v", p.Path, b.Port)
			}
		}
	}
	url, err := w.serviceURL(a, "/metrics")
	if err != nil {
		return err
	}
	if code, body, err := get(url, 3); err != nil || code != 404 {
		return fmt.Errorf("the app's port answers /metrics: %d %.100s %v", code, body, err)
	}
	return nil
}

// eventually retries a command from a new pod for up to 20 s until ok says
// its output is right: kube-router, like kube-proxy, programs a new pod a
// moment after it runs, and until then its traffic is rejected.
func eventually(run func() (string, error), ok func(string) bool) (string, error) {
	var out string
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if out, err = run(); err == nil && ok(out) {
			return out, nil
		}
	}
	return out, err
}

// runPod starts a busybox pod that sleeps, in a shape Pod Security
// "restricted" admits, and returns its name once it runs.
func (w *world) runPod(t *testing.T, ns, name string, labels map[string]string, command ...string) string {
	t.Helper()
	if len(command) == 0 {
		command = []string{"sleep", "3600"}
	}
	no, yes := false, true
	uid := int64(65532)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name: "client", Image: "idp.local/busybox:1.35", ImagePullPolicy: corev1.PullNever,
				Command: command,
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
	if _, err := w.kube.CoreV1().Pods(ns).Create(w.ctx(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var last string
	err := wait.PollUntilContextTimeout(w.ctx(), 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := w.kube.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		last = string(p.Status.Phase)
		for _, c := range p.Status.ContainerStatuses {
			if c.State.Waiting != nil {
				last += ": " + c.State.Waiting.Reason + " " + c.State.Waiting.Message
			}
		}
		return p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		events, _ := w.kube.CoreV1().Events(ns).List(w.ctx(), metav1.ListOptions{FieldSelector: "involvedObject.name=" + name})
		for _, e := range events.Items {
			last += "; " + e.Reason + ": " + e.Message
		}
		t.Fatalf("pod %s/%s does not run: %s", ns, name, last)
	}
	return name
}

// checkIsolation: from a pod of another app's namespace, the app's Service
// and pods do not answer; inside the app's pods DNS works, HTTPS out is allowed
// and anything else out is dropped. The only egress tried is towards this
// machine's test hosts.
func (w *world) checkIsolation(t *testing.T, a *app) error {
	other := "other-app"
	if _, err := w.kube.CoreV1().Namespaces().Create(w.ctx(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: other, Labels: map[string]string{
		"idp-role": "app", "pod-security.kubernetes.io/enforce": "restricted",
	}}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	client := w.runPod(t, other, "client", map[string]string{"app.kubernetes.io/name": other})
	svc, err := w.service(a)
	if err != nil {
		return err
	}
	pods, err := w.readyPods(a)
	if err != nil {
		return err
	}
	// The enforcer here, kube-router, rejects what a policy denies (the
	// client sees "connection refused"); EKS's drops it (a timeout). Either
	// way no byte of the app answers; that the denial is the policy's, not
	// the client's, shows in the same client reaching a listener in its own
	// namespace, and in the app answering the ALB's stand-in (smoke 4).
	peer := w.runPod(t, other, "listener", map[string]string{"app.kubernetes.io/name": "listener"}, "nc", "-ll", "-p", "8080", "-e", "echo", "hello")
	peerPod, err := w.kube.CoreV1().Pods(other).Get(w.ctx(), peer, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if out, err := eventually(func() (string, error) {
		return podExec(other, client, "timeout", "5", "nc", peerPod.Status.PodIP, "8080")
	}, func(out string) bool { return strings.Contains(out, "hello") }); err != nil || !strings.Contains(out, "hello") {
		return fmt.Errorf("the client in %s reaches nothing at all (%v %s): the check would prove nothing", other, err, out)
	}
	port := strconv.Itoa(int(svc.Spec.Ports[0].Port))
	for _, target := range []string{svc.Spec.ClusterIP, pods[0].Status.PodIP} {
		out, err := podExec(other, client, "timeout", "5", "wget", "-q", "-O-", "http://"+net.JoinHostPort(target, port)+"/health")
		if err == nil || strings.Contains(out, "status") {
			return fmt.Errorf("from %s, %s:%s answered: %s", other, target, port, out)
		}
		if !strings.Contains(out, "refused") && !strings.Contains(out, "timed out") && !strings.Contains(out, "Terminated") {
			return fmt.Errorf("from %s, %s:%s failed otherwise than by the policy: %v %s", other, target, port, err, out)
		}
	}

	pod := pods[0].Name
	lookup := `require("dns").lookup("kubernetes.default.svc.cluster.local",(e,a)=>{if(e){console.error(e.message);process.exit(1)}console.log(a)})`
	if out, err := podExec(a.name, pod, "node", "-e", lookup); err != nil || strings.TrimSpace(out) != "172.20.0.1" {
		return fmt.Errorf("DNS from the app's pod: %v %s", err, out)
	}
	// A listener on a test host, outside the cluster, on a port no policy
	// opens: a connection must be dropped, while HTTPS to the same host
	// (the GitLab fake) is let through.
	l, err := net.Listen("tcp", net.JoinHostPort(w.hosts[0], "8081"))
	if err != nil {
		return err
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	connect := func(hostPort string) error {
		host, p, _ := net.SplitHostPort(hostPort)
		js := fmt.Sprintf(`const s=require("net").connect({host:%q,port:%s,timeout:4000});s.on("connect",()=>{console.log("connected");process.exit(0)});s.on("timeout",()=>{console.log("timeout");process.exit(2)});s.on("error",e=>{console.log(e.code);process.exit(3)})`, host, p)
		out, err := podExec(a.name, pod, "node", "-e", js)
		if err != nil {
			return fmt.Errorf("%s", strings.TrimSpace(out))
		}
		return nil
	}
	if err := connect(net.JoinHostPort(w.hosts[0], "443")); err != nil {
		return fmt.Errorf("HTTPS out to %s was not let through: %v", w.hosts[0], err)
	}
	// Something listens there, so only the policy can keep the connection
	// from being made.
	if err := connect(net.JoinHostPort(w.hosts[0], "8081")); err == nil {
		return fmt.Errorf("egress to %s:8081, which no policy allows, connected", w.hosts[0])
	}
	return nil
}

// checkRollout: a client loops on the Service while cmp set-image rolls the
// Deployment; every request must succeed.
func (w *world) checkRollout(t *testing.T, a *app, image string) error {
	url, err := w.serviceURL(a, "/health")
	if err != nil {
		return err
	}
	var ok, failed atomic.Int64
	var lastErr atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		client := &http.Client{Timeout: 2 * time.Second}
		for {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := client.Get(url)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			if err != nil {
				failed.Add(1)
				lastErr.Store(err.Error())
			} else {
				ok.Add(1)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	start := time.Now()
	w.setImage(t, a, image)
	err = errors.Join(w.waitSyncedHealthy(a.name, image, 5*time.Minute), w.waitRolledOut(a, image, 5*time.Minute))
	// Let the old pods' last connections drain while the client goes on.
	time.Sleep(3 * time.Second)
	close(stop)
	<-done
	fmt.Printf("GOLDEN-MEASURE rollout: %v, %d requests answered, %d failed\n", time.Since(start).Round(100*time.Millisecond), ok.Load(), failed.Load())
	if err != nil {
		return err
	}
	if failed.Load() > 0 || ok.Load() == 0 {
		return fmt.Errorf("%d of %d requests failed during the rollout (last: %v)", failed.Load(), ok.Load()+failed.Load(), lastErr.Load())
	}
	return nil
}

// waitRolledOut: every pod of the app runs image and the old ones are gone.
func (w *world) waitRolledOut(a *app, image string, timeout time.Duration) error {
	var last string
	err := wait.PollUntilContextTimeout(w.ctx(), time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		pods, err := w.appPods(a)
		if err != nil {
			return false, nil
		}
		n := 0
		for _, p := range pods {
			if p.Spec.Containers[0].Image == image && ready(p) {
				n++
			}
		}
		last = fmt.Sprintf("%d pods, %d Ready with %s", len(pods), n, image)
		return n == 2 && len(pods) == 2, nil
	})
	if err != nil {
		return fmt.Errorf("rollout to %s: %s", image, last)
	}
	return nil
}

func podUIDs(pods []corev1.Pod) map[types.UID]bool {
	out := map[types.UID]bool{}
	for _, p := range pods {
		out[p.UID] = true
	}
	return out
}

// checkGitLabDown: GitLab's API answers 502 for several refresh cycles of
// the ApplicationSets; no Application goes and no pod restarts.
func (w *world) checkGitLabDown(t *testing.T, a *app) error {
	before, err := w.appPods(a)
	if err != nil {
		return err
	}
	w.gitlab.Inject(gitlabfake.Fault{Status: http.StatusBadGateway, Path: "/api/v4/"})
	defer w.gitlab.ClearFaults()
	for range 3 {
		w.kubectl(t, "", "-n", argocdNS, "annotate", "--overwrite", "applicationsets", "--all", "argocd.argoproj.io/application-set-refresh=true")
		time.Sleep(10 * time.Second)
	}
	for _, name := range []string{a.name, "idp-project-" + a.name} {
		if _, err := w.dyn.Resource(appsGVR).Namespace(argocdNS).Get(w.ctx(), name, metav1.GetOptions{}); err != nil {
			return fmt.Errorf("Application %s went while GitLab failed: %v", name, err)
		}
	}
	after, err := w.appPods(a)
	if err != nil {
		return err
	}
	if fmt.Sprint(podUIDs(before)) != fmt.Sprint(podUIDs(after)) {
		return fmt.Errorf("pods changed while GitLab failed: %d before, %d after", len(before), len(after))
	}
	for _, p := range after {
		if !ready(p) || p.Status.ContainerStatuses[0].RestartCount != 0 {
			return fmt.Errorf("pod %s not Ready or restarted while GitLab failed", p.Name)
		}
	}
	return nil
}

// checkBrokenAppYAML: a committed app.yaml that cmp refuses leaves the
// Application in ComparisonError naming the field, and the app running.
func (w *world) checkBrokenAppYAML(t *testing.T, a *app) error {
	before, err := w.appPods(a)
	if err != nil {
		return err
	}
	broken := strings.Replace(a.appYAML(t), "replicas: 2", "replicas: 500", 1)
	if broken == a.appYAML(t) {
		return fmt.Errorf("app.yaml has no replicas line to break")
	}
	w.commit(t, a, map[string]string{"app.yaml": broken})
	var last string
	err = wait.PollUntilContextTimeout(w.ctx(), time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		u, err := w.dyn.Resource(appsGVR).Namespace(argocdNS).Get(ctx, a.name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		last = appStatus(u)
		return strings.Contains(last, "ComparisonError") && strings.Contains(last, "spec.replicas"), nil
	})
	if err != nil {
		return fmt.Errorf("no ComparisonError naming spec.replicas: %s", last)
	}
	after, err := w.appPods(a)
	if err != nil {
		return err
	}
	if fmt.Sprint(podUIDs(before)) != fmt.Sprint(podUIDs(after)) {
		return fmt.Errorf("the running pods changed with a broken app.yaml")
	}
	return w.checkHealth(a)
}
