//go:build cluster

// Package golden runs the golden path on the real cluster of
// hack/cluster.sh: run it with hack/golden.sh, which brings the cluster up,
// builds the images, and tears everything down afterwards.
//
// What runs where: the Kubernetes control plane, kubelet, kube-proxy,
// kube-router and Argo CD's components are processes on this machine (Argo
// CD's with the in-cluster identity of their own ServiceAccounts, inside a
// private mount namespace that gives them the pod's /etc/hosts and token);
// CoreDNS, the plugin generator and the app are pods; the External Secrets
// controller is a process; GitLab and AWS Secrets Manager are the shared
// fakes, serving TLS on the test hosts' addresses.
package golden

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

const (
	argocdNS = "argocd"
	// The platform's tokens, as an operator puts them into Secrets Manager.
	gitlabAPIToken  = "glpat-generator-read-api"
	gitlabReadToken = "glpat-argocd-read-repository"
	argocdToken     = "plugin-generator-bearer-token"
	webhookSecret   = "gitlab-webhook-secret"
	esoRole         = "arn:aws:iam::123456789012:role/idp-external-secrets"
	// manifests/platform's default EXTERNAL_SECRETS_PLATFORM_ROLE_ARN.
	esoPlatformRole = "arn:aws:iam::123456789012:role/idp-external-secrets-platform"
)

// world is the cluster and everything the test started beside it.
type world struct {
	dir     string // hack/cluster.sh's directory
	root    string // the repository
	cfg     *rest.Config
	kube    kubernetes.Interface
	dyn     dynamic.Interface
	gitlab  *gitlabfake.Fake
	aws     *awsfake.Fake
	repos   string // bare repositories behind the GitLab fake's clone URLs
	hosts   []string
	caFile  string
	gitlabU string                       // https://<gitlab test host>
	argocd  []*unstructured.Unstructured // Argo CD's install, as built
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := os.Getenv("IDP_CLUSTER_DIR")
	if dir == "" {
		t.Skip("needs the cluster of hack/cluster.sh; run hack/golden.sh")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	w := &world{
		dir: dir, root: kubetest.RepoRoot(t), cfg: cfg,
		kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(cfg),
		repos: t.TempDir(), hosts: strings.Fields(os.Getenv("IDP_CLUSTER_TEST_HOSTS")),
		caFile: os.Getenv("IDP_CLUSTER_CA"),
	}
	w.startGitLab(t)
	w.startAWS(t)
	return w
}

// serveTLS serves h on host:443 with the test hosts' certificate, which the
// cluster's CA signed (the images and processes trust that CA).
func (w *world) serveTLS(t *testing.T, host string, h http.Handler) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(os.Getenv("IDP_CLUSTER_HOSTS_CERT"), os.Getenv("IDP_CLUSTER_HOSTS_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "443"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
}

// startGitLab: the API for the generator's read_api token, git for Argo
// CD's read_repository token, on the first test host.
func (w *world) startGitLab(t *testing.T) {
	w.gitlabU = "https://" + w.hosts[0]
	w.gitlab = gitlabfake.New(gitlabfake.Options{Token: gitlabAPIToken, BaseURL: w.gitlabU})
	w.gitlab.AddGroup("gitops")
	mux := http.NewServeMux()
	mux.Handle("/api/v4/", w.gitlab)
	mux.Handle("/", w.gitlab.Git(w.repos, gitlabReadToken))
	w.serveTLS(t, w.hosts[0], mux)
}

// startAWS: Secrets Manager and STS on the second test host, with the
// External Secrets roles Terraform creates and the values an operator puts.
func (w *world) startAWS(t *testing.T) {
	pub, err := os.ReadFile(os.Getenv("IDP_CLUSTER_SA_PUB"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := awsfake.ParsePublicKeys(pub)
	if err != nil {
		t.Fatal(err)
	}
	w.aws = awsfake.New(awsfake.Options{TokenKeys: keys, Issuer: "https://kubernetes.default.svc.cluster.local"})
	// The two IRSA roles terraform/modules/iam creates, each reading its
	// own part of idp/.
	for _, r := range []awsfake.Role{{
		ARN:            esoRole,
		Subjects:       []string{"system:serviceaccount:external-secrets:external-secrets"},
		SecretPrefixes: []string{"idp/apps/"},
	}, {
		ARN:            esoPlatformRole,
		Subjects:       []string{"system:serviceaccount:external-secrets:external-secrets-platform"},
		SecretPrefixes: []string{"idp/platform/", "idp/observability/"},
	}} {
		if err := w.aws.AddRole(r); err != nil {
			t.Fatal(err)
		}
	}
	for name, value := range map[string]string{
		"idp/platform/plugin-generator":   `{"argocdToken":"` + argocdToken + `","gitlabToken":"` + gitlabAPIToken + `","gitlabWebhookSecret":"` + webhookSecret + `"}`,
		"idp/platform/argocd-gitops":      `{"username":"argocd","password":"` + gitlabReadToken + `"}`,
		"idp/observability/grafana-cloud": `{"prometheusUsername":"123456","password":"glc_test"}`,
	} {
		w.aws.PutSecret(name, value)
	}
	w.serveTLS(t, w.hosts[1], w.aws)
}

// process runs a peer until the test ends, logging to the cluster's log
// directory.
func (w *world) process(t *testing.T, name string, env []string, args ...string) {
	t.Helper()
	log, err := os.Create(filepath.Join(w.dir, "logs", name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, recorded where hack/cluster.sh down stops it
	// even if this test is killed; and killed with the test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	pidFile := filepath.Join(w.dir, "pids", "test-"+name+".pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // argocd-cmp-server ignores SIGTERM
		_, _ = cmd.Process.Wait()
		_ = os.Remove(pidFile)
		log.Close()
		if t.Failed() {
			data, _ := os.ReadFile(log.Name())
			t.Logf("%s log (tail):\n%s", name, tail(string(data), 3000))
		}
	})
}

func (w *world) kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("kubectl", args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (w *world) ctx() context.Context { return context.Background() }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
