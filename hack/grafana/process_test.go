package grafana_test

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// operatorBinary is the Grafana Operator built by hack/tools/grafana-operator.sh
// (once per machine), or $IDP_GRAFANA_OPERATOR.
func operatorBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("IDP_GRAFANA_OPERATOR"); b != "" {
		return b
	}
	script := filepath.Join(kubetest.RepoRoot(t), "hack", "tools", "grafana-operator.sh")
	out, err := exec.Command(script).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s: %v\n%s", script, err, tail(string(stderr), 2000))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// startOperator runs the operator out of cluster, as its Deployment does
// but on loopback: leader election off, watching namespaces, until the
// test ends, and waits until it is ready.
func startOperator(t *testing.T, bin, kubeconfig, namespaces string) {
	t.Helper()
	metrics, probe := freePort(t), freePort(t)
	log, err := os.Create(filepath.Join(t.TempDir(), "grafana-operator.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"--metrics-bind-address=127.0.0.1:"+strconv.Itoa(metrics),
		"--health-probe-bind-address=127.0.0.1:"+strconv.Itoa(probe),
		"--leader-elect=false",
		"--zap-log-level=debug",
	)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "WATCH_NAMESPACE="+namespaces)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _, _ = cmd.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			data, _ := os.ReadFile(log.Name())
			t.Logf("grafana-operator log (tail):\n%s", tail(string(data), 6000))
		}
	})
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(probe) + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the operator did not become ready")
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

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
