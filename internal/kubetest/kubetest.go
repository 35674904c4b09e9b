// Package kubetest runs a real etcd and kube-apiserver on loopback for tests
// that must be judged by the API server itself: strict field validation, CRD
// schemas, Pod Security admission and RBAC.
//
// The binaries come from hack/tools/kube.sh (built once per machine into a
// cache outside the clone) or from $IDP_KUBE_ASSETS; the CRDs from
// hack/tools/crds.sh or $IDP_CRDS.
package kubetest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestUser is the name of the unprivileged user of Server.User.
const TestUser = "test-user"

// Server is a running API server, stopped when the test ends.
type Server struct {
	Config     *rest.Config
	Kubeconfig string // path of a kubeconfig file for kubectl and controllers
	Client     kubernetes.Interface
	Token      string // a system:masters bearer token
	// User is a config for TestUser, who has no permissions until a test
	// binds some: it proves that a Role is enough.
	User *rest.Config

	dyn        dynamic.Interface
	restMapper *restmapper.DeferredDiscoveryRESTMapper
}

// Start launches etcd and kube-apiserver for t. In -short mode the test is
// skipped: the first run on a machine builds the binaries (minutes).
func Start(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real kube-apiserver; run without -short (hack/test.sh builds it once per machine)")
	}
	assets := Assets(t)
	dir := t.TempDir()
	etcdURL := startEtcd(t, assets, dir)
	port := freePort(t)
	token, userToken := randomHex(t), randomHex(t)
	writeFile(t, filepath.Join(dir, "tokens.csv"), token+",admin,admin,system:masters\n"+userToken+","+TestUser+","+TestUser+"\n")
	writeServiceAccountKeys(t, dir)
	args := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(dir, "sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--token-auth-file=" + filepath.Join(dir, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--enable-priority-and-fairness=false",
	}
	startProcess(t, filepath.Join(assets, "kube-apiserver"), args, filepath.Join(dir, "apiserver.log"))

	cfg := &rest.Config{
		Host:            "https://127.0.0.1:" + strconv.Itoa(port),
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		WarningHandler:  rest.NoWarnings{},
		QPS:             200,
		Burst:           400,
	}
	user := rest.CopyConfig(cfg)
	user.BearerToken = userToken
	client := kubernetes.NewForConfigOrDie(cfg)
	waitReady(t, client, filepath.Join(dir, "apiserver.log"))
	kubeconfig := filepath.Join(dir, "kubeconfig")
	writeKubeconfig(t, cfg, kubeconfig)
	return &Server{
		Config: cfg, Kubeconfig: kubeconfig, Client: client, Token: token, User: user,
		dyn:        dynamic.NewForConfigOrDie(cfg),
		restMapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery())),
	}
}

// Assets returns the directory holding etcd, kube-apiserver and kubectl.
func Assets(t testing.TB) string {
	return toolDir(t, "IDP_KUBE_ASSETS", "kube.sh")
}

// CRDDir returns the directory of CRD manifests the tests install.
func CRDDir(t testing.TB) string {
	return toolDir(t, "IDP_CRDS", "crds.sh")
}

func toolDir(t testing.TB, env, script string) string {
	t.Helper()
	if d := os.Getenv(env); d != "" {
		return d
	}
	path := filepath.Join(RepoRoot(t), "hack", "tools", script)
	out, err := exec.Command(path).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s", path, err, tail(stderr, 2000))
	}
	return strings.TrimSpace(lastLine(string(out)))
}

// RepoRoot finds the product module's root from the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "tools", "kube.sh")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root (hack/tools/kube.sh) above the test directory")
		}
		dir = parent
	}
}

func startEtcd(t testing.TB, assets, dir string) string {
	client, peer := freePort(t), freePort(t)
	clientURL := "http://127.0.0.1:" + strconv.Itoa(client)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
	startProcess(t, filepath.Join(assets, "etcd"), []string{
		"--name=default",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=default=" + peerURL,
		"--unsafe-no-fsync",
		"--log-level=error",
	}, filepath.Join(dir, "etcd.log"))
	return clientURL
}

func startProcess(t testing.TB, bin string, args []string, logFile string) {
	t.Helper()
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		log.Close()
	})
}

func waitReady(t testing.TB, client kubernetes.Interface, logFile string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return err == nil && string(body) == "ok", nil
	})
	if err != nil {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("kube-apiserver not ready: %v\n%s", err, tail(string(log), 4000))
	}
}

func writeServiceAccountKeys(t testing.TB, dir string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sa.key"), string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	writeFile(t, filepath.Join(dir, "sa.pub"), string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))
}

func writeKubeconfig(t testing.TB, cfg *rest.Config, path string) {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["test"] = &clientcmdapi.Cluster{Server: cfg.Host, InsecureSkipTLSVerify: true}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "admin"}
	kc.CurrentContext = "test"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomHex(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func writeFile(t testing.TB, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
