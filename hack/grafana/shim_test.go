package grafana_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// TestShimmedFolderAPIRefused: the build's stand-in for Grafana's unserved
// folder API modules (hack/tools/grafana-operator.sh) is never used
// quietly: with the FoldersUseNewAPI feature flag, the only path that
// reaches it, the operator exits at start and says why.
func TestShimmedFolderAPIRefused(t *testing.T) {
	kube := kubetest.Start(t)
	bin := operatorBinary(t)
	kube.InstallCRDs(t, filepath.Join(filepath.Dir(bin), "crds"))
	cmd := exec.Command(bin, "--metrics-bind-address=0", "--health-probe-bind-address=0", "--feature-flags=FoldersUseNewAPI")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kube.Kubeconfig, "WATCH_NAMESPACE=default")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(out.String(), "FoldersUseNewAPI is unavailable") {
			t.Errorf("exit %v, output:\n%s", err, tail(out.String(), 2000))
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("the operator kept running with FoldersUseNewAPI:\n%s", tail(out.String(), 2000))
	}
}
