//go:build cluster

package golden

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// podShell gives a process what the kubelet gives a pod of Argo CD: the
// cluster's names in /etc/hosts (as CoreDNS would answer them) and its
// ServiceAccount's token in /var/run/secrets/kubernetes.io/serviceaccount,
// in a mount namespace of its own, so the machine's files stay untouched.
const podShell = `set -e
mount --bind "$IDP_POD_HOSTS" /etc/hosts
mount -t tmpfs -o size=1m,mode=0755 tmpfs /run
mkdir -p /run/secrets/kubernetes.io/serviceaccount
mount --bind "$IDP_POD_SA" /run/secrets/kubernetes.io/serviceaccount
exec "$@"`

// startArgoCD runs Argo CD's components as processes, each with the
// in-cluster identity of the ServiceAccount install.yaml gives it, so that
// Argo CD's own RBAC is what is exercised.
func (w *world) startArgoCD(t *testing.T) {
	t.Helper()
	bin := os.Getenv("IDP_ARGOCD_BIN")
	hosts := w.podHosts(t)
	redis, repo := freePort(t), freePort(t)
	w.process(t, "argocd-redis", nil, "redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(redis), "--save", "", "--appendonly", "no")
	waitPort(t, redis)
	redisAddr := "127.0.0.1:" + strconv.Itoa(redis)

	cfg, socks := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "plugin.yaml"), []byte(w.configMap(t, "idp-cmp-plugin")["plugin.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + filepath.Dir(os.Getenv("IDP_CMP_BIN")) + ":" + filepath.Dir(bin) + ":" + os.Getenv("PATH")
	common := []string{"ARGOCD_PLUGINSOCKFILEPATH=" + socks, "ARGOCD_GPG_ENABLED=false", path,
		"ARGOCD_TLS_DATA_PATH=" + w.trustGitLab(t)}
	// The sidecar's envFrom: the idp-platform ConfigMap.
	var platform []string
	for k, v := range w.configMap(t, "idp-platform") {
		platform = append(platform, k+"="+v)
	}
	w.pod(t, "argocd-cmp-server", "argocd-repo-server", hosts, append(append(common, platform...), "ARGOCD_CMP_WORKDIR="+t.TempDir()),
		bin, "--config-dir-path", cfg)
	w.pod(t, "argocd-repo-server", "argocd-repo-server", hosts, common, bin,
		"--port", strconv.Itoa(repo), "--metrics-port", strconv.Itoa(freePort(t)), "--disable-tls", "--client-ca-path=",
		"--redis", redisAddr, "--loglevel", "info")
	waitPort(t, repo)
	w.pod(t, "argocd-application-controller", "argocd-application-controller", hosts, common, bin,
		"--repo-server", "127.0.0.1:"+strconv.Itoa(repo), "--repo-server-plaintext",
		"--redis", redisAddr, "--metrics-port", strconv.Itoa(freePort(t)), "--loglevel", "info",
		"--app-resync", "30")
	w.pod(t, "argocd-applicationset-controller", "argocd-applicationset-controller", hosts, common, bin,
		"--metrics-addr", "127.0.0.1:"+strconv.Itoa(freePort(t)), "--probe-addr", "127.0.0.1:"+strconv.Itoa(freePort(t)),
		"--webhook-addr", "127.0.0.1:"+strconv.Itoa(freePort(t)), "--loglevel", "info")
}

// trustGitLab is what a platform team with a self-hosted GitLab behind a
// private CA does: the CA goes into argocd-tls-certs-cm under the GitLab
// host's name. It returns the directory the ConfigMap is mounted at in
// Argo CD's pods (one file per key), for the processes.
func (w *world) trustGitLab(t *testing.T) string {
	t.Helper()
	ca, err := os.ReadFile(w.caFile)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := w.kube.CoreV1().ConfigMaps(argocdNS).Get(w.ctx(), "argocd-tls-certs-cm", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	cm.Data[w.hosts[0]] = string(ca)
	if _, err := w.kube.CoreV1().ConfigMaps(argocdNS).Update(w.ctx(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for k, v := range cm.Data {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pod runs one Argo CD component (ARGOCD_BINARY_NAME=name) as ServiceAccount sa.
func (w *world) pod(t *testing.T, name, sa, hosts string, env []string, bin string, args ...string) {
	t.Helper()
	dir := t.TempDir()
	exp := int64(3 * 3600)
	tok, err := w.kube.CoreV1().ServiceAccounts(argocdNS).CreateToken(w.ctx(), sa,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("token for %s: %v", sa, err)
	}
	ca, err := os.ReadFile(w.caFile)
	if err != nil {
		t.Fatal(err)
	}
	for f, data := range map[string][]byte{"token": []byte(tok.Status.Token), "ca.crt": ca, "namespace": []byte(argocdNS)} {
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env = append(env, "ARGOCD_BINARY_NAME="+name, "HOME="+t.TempDir(),
		"IDP_POD_HOSTS="+hosts, "IDP_POD_SA="+dir,
		// What the kubelet sets: the kubernetes Service's ClusterIP.
		"KUBERNETES_SERVICE_HOST=172.20.0.1", "KUBERNETES_SERVICE_PORT=443")
	w.process(t, name, env, append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c", podShell, "sh", bin}, args...)...)
}

// podHosts: the names Argo CD's pods resolve through cluster DNS.
func (w *world) podHosts(t *testing.T) string {
	t.Helper()
	svc, err := w.kube.CoreV1().Services(argocdNS).Get(w.ctx(), "idp-plugin-generator", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		"127.0.0.1 localhost",
		"172.20.0.1 kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local",
		svc.Spec.ClusterIP + " idp-plugin-generator.argocd.svc.cluster.local",
	}
	path := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// configMap returns the data of the ConfigMap of Argo CD's install whose
// name (before kustomize's hash suffix) is name.
func (w *world) configMap(t *testing.T, name string) map[string]string {
	t.Helper()
	for _, o := range w.argocd {
		if o.GetKind() == "ConfigMap" && (o.GetName() == name || strings.HasPrefix(o.GetName(), name+"-")) {
			data, _, _ := unstructured.NestedStringMap(o.Object, "data")
			return data
		}
	}
	t.Fatalf("Argo CD's install has no ConfigMap %s", name)
	return nil
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %d", port)
}
